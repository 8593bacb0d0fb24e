// src/core/kernels/dispatch.cpp
// CPU detection and the active kernel table.
//
// INVARIANTS
//   g_active points at one of the constant per-ISA tables. It starts at the
//   scalar table (constant-initialised, so usable before _PG_init) and is
//   set once by install_kernels(); a level above what the CPU supports is
//   never installed. Within a level, a table that uses an optional extension
//   (kX86V4PopcntKernels) is chosen only when the CPU reports it.
#include "kernels/kernel_table.h"

namespace vecsim::core {
namespace {

const KernelTable* g_active = &kScalarKernels;

}  // namespace

const char* isa_name(IsaLevel level) noexcept {
  switch (level) {
    case IsaLevel::kScalar:
      return "scalar";
    case IsaLevel::kX86V3:
      return "x86-64-v3 (AVX2, FMA, F16C)";
    case IsaLevel::kX86V4:
      return "x86-64-v4 (AVX-512)";
  }
  return "unknown";
}

IsaLevel detect_isa_level() noexcept {
#if defined(__x86_64__)
  // libgcc's checks include the OS's XSAVE support for the wider registers.
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return IsaLevel::kX86V4;
  if (__builtin_cpu_supports("x86-64-v3")) return IsaLevel::kX86V3;
#endif
  return IsaLevel::kScalar;
}

const KernelTable& kernel_table_for(IsaLevel level) noexcept {
#if defined(__x86_64__)
  if (level > detect_isa_level()) level = detect_isa_level();
  switch (level) {
    case IsaLevel::kX86V4:
      return __builtin_cpu_supports("avx512vpopcntdq") ? kX86V4PopcntKernels : kX86V4Kernels;
    case IsaLevel::kX86V3:
      return kX86V3Kernels;
    case IsaLevel::kScalar:
      break;
  }
#else
  (void)level;
#endif
  return kScalarKernels;
}

void install_kernels(IsaLevel level) noexcept { g_active = &kernel_table_for(level); }

const KernelTable& kernels() noexcept { return *g_active; }

}  // namespace vecsim::core

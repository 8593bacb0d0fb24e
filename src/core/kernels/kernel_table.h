// src/core/kernels/kernel_table.h
// The table of distance kernels, one function pointer per (metric, element
// type), filled once for the best ISA level the CPU offers.
//
// INVARIANTS
//   Kernel names follow {metric}_{elem}_{isa}. Every variant computes the
//   scalar reference's quantity (metric_ops.h) in float32; only the order of
//   accumulation differs (SIMD reassociation and FMA are allowed, SPEC 0).
//   Kernels never fail, never allocate, accept any alignment and any n >= 0.
//   The active table is set once by install_kernels() (from _PG_init) and
//   never changes afterwards; before that it is the scalar table.
#pragma once

#include <cstddef>

namespace vecsim::core {

// x86-64 psABI micro-architecture levels, plus the portable baseline.
enum class IsaLevel : int {
  kScalar = 0,
  kX86V3 = 1,  // AVX2 + FMA + F16C (+ BMI1/2, LZCNT, MOVBE)
  kX86V4 = 2,  // x86-64-v3 + AVX-512 F/BW/CD/DQ/VL
};

const char* isa_name(IsaLevel level) noexcept;

// The best level this CPU and OS support (scalar on non-x86 machines).
IsaLevel detect_isa_level() noexcept;

// Sums of one pass over a pair, from which cosine distance is formed.
struct CosineTerms {
  float dot;
  float norm_a;  // sum of a[i]^2
  float norm_b;  // sum of b[i]^2
};

using PairKernelF32 = float (*)(const float* a, const float* b, std::size_t n) noexcept;
using CosineKernelF32 = CosineTerms (*)(const float* a, const float* b, std::size_t n) noexcept;

struct KernelTable {
  IsaLevel level;
  PairKernelF32 l2sq_f32;  // sum (a[i] - b[i])^2
  PairKernelF32 dot_f32;   // sum a[i] * b[i]
  PairKernelF32 l1_f32;    // sum |a[i] - b[i]|
  CosineKernelF32 cosine_f32;
};

// The table of one level; level must be <= detect_isa_level().
const KernelTable& kernel_table_for(IsaLevel level) noexcept;

// Makes the table of `level` (clamped to what the CPU supports) the active one.
void install_kernels(IsaLevel level) noexcept;

// The active table.
const KernelTable& kernels() noexcept;

// Per-ISA tables, defined in scalar.cpp, x86v3.cpp and x86v4.cpp.
extern const KernelTable kScalarKernels;
#if defined(__x86_64__)
extern const KernelTable kX86V3Kernels;
extern const KernelTable kX86V4Kernels;
#endif

}  // namespace vecsim::core

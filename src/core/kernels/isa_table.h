// src/core/kernels/isa_table.h
// The kernel table of one ISA from its register interface V: dense f32 and
// f16 kernels, their batched forms and the sparse kernels, all from the
// shared bodies, plus the bit kernels the ISA's translation unit chooses.
// Include only from an ISA translation unit (internal linkage, as in
// simd_body.h).
#pragma once

#include "kernels/kernel_table.h"
#include "kernels/simd_body.h"
#include "kernels/sparse_body.h"

namespace vecsim::core {
namespace {

template <class V>
constexpr KernelTable isa_kernel_table(IsaLevel level, const char* extras, BitKernels bit) noexcept {
  return KernelTable{level,
                     extras,
                     dense_kernels<V, float>(),
                     dense_kernels<V, Half>(),
                     batch4_kernels<V, float>(),
                     batch4_kernels<V, Half>(),
                     sparse_kernels<V>(),
                     bit,
                     PanelKernels{dot_panel<V>}};
}

}  // namespace
}  // namespace vecsim::core

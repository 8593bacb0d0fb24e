// src/core/kernels/elem_kernels.h
// Kernels by element type: ElemKernels<Traits> reaches the active table's
// kernels for one element type, so that code templated over element traits
// names a metric once for every type.
#pragma once

#include <cstddef>

#include "kernels/kernel_table.h"
#include "types/element_traits.h"

namespace vecsim::core {

template <class Traits>
struct ElemKernels;

template <>
struct ElemKernels<F32Traits> {
  using S = F32Traits::Storage;
  static float l2sq(const S* a, const S* b, std::size_t n) noexcept {
    return kernels().l2sq_f32(a, b, n);
  }
  static float dot(const S* a, const S* b, std::size_t n) noexcept {
    return kernels().dot_f32(a, b, n);
  }
  static float l1(const S* a, const S* b, std::size_t n) noexcept {
    return kernels().l1_f32(a, b, n);
  }
  static CosineTerms cosine(const S* a, const S* b, std::size_t n) noexcept {
    return kernels().cosine_f32(a, b, n);
  }
};

}  // namespace vecsim::core

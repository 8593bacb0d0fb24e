// src/core/kernels/elem_kernels.h
// Kernels by operand type: ElemKernels<Traits> reaches the active table's
// kernels for one dense element type, SparseSpanKernels those for sparse
// spans, so that code templated over a type names a metric once for every
// type (see distance.h).
#pragma once

#include "kernels/kernel_table.h"
#include "types/element_traits.h"

namespace vecsim::core {

// The metric kernels that KernelTable member `Set` holds, called through the
// active table.
template <auto Set>
struct ActiveKernels {
  template <class... Args>
  static float l2sq(Args... args) noexcept {
    return (kernels().*Set).l2sq(args...);
  }
  template <class... Args>
  static float dot(Args... args) noexcept {
    return (kernels().*Set).dot(args...);
  }
  template <class... Args>
  static float l1(Args... args) noexcept {
    return (kernels().*Set).l1(args...);
  }
  template <class... Args>
  static CosineTerms cosine(Args... args) noexcept {
    return (kernels().*Set).cosine(args...);
  }
};

template <class Traits>
struct ElemKernels;

template <>
struct ElemKernels<F32Traits> : ActiveKernels<&KernelTable::f32> {};

template <>
struct ElemKernels<F16Traits> : ActiveKernels<&KernelTable::f16> {};

using SparseSpanKernels = ActiveKernels<&KernelTable::sparse>;

}  // namespace vecsim::core

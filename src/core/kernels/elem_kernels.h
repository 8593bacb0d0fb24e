// src/core/kernels/elem_kernels.h
// Kernels by operand type: ElemKernels<Traits> reaches the active table's
// kernels for one dense element type, SparseSpanKernels those for sparse
// spans, so that code templated over a type names a metric once for every
// type (see distance.h).
#pragma once

#include <cstddef>
#include <cstdint>

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

// The dot product summed in float64, in element order: what an inner
// product is when its float32 sums overflow (distance.h, finite_dot).
template <class Traits>
struct DotF64 {
  static double dot_f64(const typename Traits::Storage* a, const typename Traits::Storage* b,
                        std::size_t n) noexcept {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      sum += static_cast<double>(Traits::to_float(a[i])) * static_cast<double>(Traits::to_float(b[i]));
    }
    return sum;
  }
};

template <>
struct ElemKernels<F32Traits> : ActiveKernels<&KernelTable::f32>, DotF64<F32Traits> {};

template <>
struct ElemKernels<F16Traits> : ActiveKernels<&KernelTable::f16>, DotF64<F16Traits> {};

struct SparseSpanKernels : ActiveKernels<&KernelTable::sparse> {
  // The products of the indices both spans hold, in index order.
  static double dot_f64(SparseSpan a, SparseSpan b) noexcept {
    double sum = 0;
    for (std::int32_t i = 0, j = 0; i < a.nnz && j < b.nnz;) {
      if (a.indices[i] < b.indices[j]) {
        ++i;
      } else if (a.indices[i] > b.indices[j]) {
        ++j;
      } else {
        sum += static_cast<double>(a.values[i++]) * static_cast<double>(b.values[j++]);
      }
    }
    return sum;
  }
};

}  // namespace vecsim::core

// src/core/types/sparse_ops.h
// Ordering, normalisation and conversions of sparsevec (docs/reference.md 4, 6.1,
// 6.5), over the stored part (SparseSpan) and the dims.
//
// INVARIANTS
//   Ordering is exactly that of the dense expansions (absent elements are
//   0): the first differing position decides, else fewer dims is smaller.
//   Results never store a 0 value, and indices stay strictly ascending.
//   Conversions to a dense type narrow each value with the dense type's
//   rules (22003 for a finite value it cannot hold). No function allocates;
//   outputs go to caller-sized buffers.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "types/dense_checks.h"
#include "types/dense_ops.h"
#include "types/element_traits.h"
#include "util/status.h"

namespace vecsim::core {

// -1, 0 or 1.
inline int compare_sparse(SparseSpan a, int a_dims, SparseSpan b, int b_dims) noexcept {
  int common = a_dims < b_dims ? a_dims : b_dims;
  std::int32_t i = 0;
  std::int32_t j = 0;
  // Walk the union of stored indices below `common`; elsewhere both are 0.
  for (;;) {
    bool a_left = i < a.nnz && a.indices[i] < common;
    bool b_left = j < b.nnz && b.indices[j] < common;
    if (!a_left && !b_left) break;
    bool take_a = a_left && (!b_left || a.indices[i] <= b.indices[j]);
    bool take_b = b_left && (!a_left || b.indices[j] <= a.indices[i]);
    float x = take_a ? a.values[i] : 0.0f;
    float y = take_b ? b.values[j] : 0.0f;
    if (x < y) return -1;
    if (x > y) return 1;
    i += take_a;
    j += take_b;
  }
  return (a_dims > b_dims) - (a_dims < b_dims);
}

// The stored values divided by their float64 norm and rounded to float32;
// values that become 0 are dropped. A zero vector stays a zero vector; a
// value that becomes infinite is 22003. Writes *out_nnz <= in.nnz entries.
inline Status sparse_normalize(SparseSpan in, std::int32_t* out_indices, float* out_values,
                               int* out_nnz) noexcept {
  double norm = l2_norm_f64<SparseTraits>(in.values, in.nnz);
  int n = 0;
  bool overflow = false;
  for (std::int32_t i = 0; i < in.nnz; ++i) {
    float r = static_cast<float>(in.values[i] / norm);
    overflow |= std::isinf(r);
    if (r != 0.0f) {
      out_indices[n] = in.indices[i];
      out_values[n] = r;
      ++n;
    }
  }
  *out_nnz = n;
  return overflow ? overflow_error() : Status::ok();
}

// Number of elements of a dense value that are not 0 or -0.
template <class Traits>
int count_nonzero(const typename Traits::Storage* x, int dims) noexcept {
  int n = 0;
  for (int i = 0; i < dims; ++i) n += Traits::to_float(x[i]) != 0.0f;
  return n;
}

// The non-zero elements of a dense value, widened exactly; the outputs hold
// count_nonzero() entries.
template <class Traits>
void dense_to_sparse(const typename Traits::Storage* x, int dims, std::int32_t* indices,
                     float* values) noexcept {
  int n = 0;
  for (int i = 0; i < dims; ++i) {
    float v = Traits::to_float(x[i]);
    if (v != 0.0f) {
      indices[n] = i;
      values[n] = v;
      ++n;
    }
  }
}

// The dense expansion of a sparse value into dims elements of the type.
template <class Traits>
Status sparse_to_dense(SparseSpan in, int dims, typename Traits::Storage* out) noexcept {
  typename Traits::Storage zero;
  Traits::from_float(0.0f, &zero);
  for (int i = 0; i < dims; ++i) out[i] = zero;
  for (std::int32_t i = 0; i < in.nnz; ++i) {
    VECSIM_RETURN_IF_ERROR(narrow_element<Traits>(in.values[i], &out[in.indices[i]]));
  }
  return Status::ok();
}

}  // namespace vecsim::core

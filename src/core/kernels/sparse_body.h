// src/core/kernels/sparse_body.h
// The bodies of the dispatched sparse kernels: a branch-free merge over the
// two sorted index lists, plus the dense SIMD body for the norms of cosine.
// Instantiated by each ISA's translation unit with that ISA's flags.
//
// The scalar reference (metric_ops.h) branches on every index comparison;
// with interleaved index lists those branches are unpredictable. Here each
// step takes one element from each side whose index is the smaller (both
// when equal), substitutes 0 for the side not taken, and advances by the
// comparison results: no data-dependent branch, so the loop runs at the
// speed of its loads.
//
// INVARIANTS
//   Same quantity as the reference: one float32 term per index of the
//   union (of the intersection for dot, whose other terms are 0), summed in
//   float32. Internal linkage only, as in simd_body.h; include this header
//   only from an ISA translation unit, after simd_body.h.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/simd_body.h"

namespace vecsim::core {
namespace {

struct SparseL2SqTerm {
  static constexpr bool kTails = true;  // indices stored on one side only count
  static float term(float x, float y) noexcept {
    float d = x - y;
    return d * d;
  }
};
struct SparseDotTerm {
  static constexpr bool kTails = false;
  static float term(float x, float y) noexcept { return x * y; }
};
struct SparseL1Term {
  static constexpr bool kTails = true;
  static float term(float x, float y) noexcept { return std::fabs(x - y); }
};

template <class Term>
float merge_sparse(SparseSpan a, SparseSpan b) noexcept {
  float sum = 0.0f;
  std::int32_t i = 0;
  std::int32_t j = 0;
  while (i < a.nnz && j < b.nnz) {
    std::int32_t ia = a.indices[i];
    std::int32_t jb = b.indices[j];
    bool take_a = ia <= jb;
    bool take_b = jb <= ia;
    float x = take_a ? a.values[i] : 0.0f;
    float y = take_b ? b.values[j] : 0.0f;
    sum += Term::term(x, y);
    i += take_a;
    j += take_b;
  }
  if constexpr (Term::kTails) {
    for (; i < a.nnz; ++i) sum += Term::term(a.values[i], 0.0f);
    for (; j < b.nnz; ++j) sum += Term::term(0.0f, b.values[j]);
  }
  return sum;
}

template <class V>
CosineTerms merge_sparse_cosine(SparseSpan a, SparseSpan b) noexcept {
  return CosineTerms{merge_sparse<SparseDotTerm>(a, b),
                     reduce_pair<V, DotStep, float>(a.values, a.values, a.nnz),
                     reduce_pair<V, DotStep, float>(b.values, b.values, b.nnz)};
}

template <class V>
constexpr SparseKernels sparse_kernels() noexcept {
  return {merge_sparse<SparseL2SqTerm>, merge_sparse<SparseDotTerm>,
          merge_sparse<SparseL1Term>, merge_sparse_cosine<V>};
}

}  // namespace
}  // namespace vecsim::core

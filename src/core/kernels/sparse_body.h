// src/core/kernels/sparse_body.h
// The bodies of the dispatched sparse kernels, written once against the
// SIMD register interface V of simd_body.h plus its index block members,
// and instantiated by each ISA's translation unit with that ISA's flags.
//
// METHOD
//   The scalar reference branches on every index comparison, and with
//   interleaved index lists those branches are unpredictable. Here a holds
//   a block of kWidth indices in a register, and every index of b is
//   compared with the whole block at once (one broadcast, one compare):
//     - b's index beyond the block's last index: the block retires, adding
//       Term(a[k], partner[k]) per lane, where partner[k] is the b value
//       that matched lane k, or 0;
//     - a hit: b's value goes into the matching partner lane;
//     - no hit: b's element is stored on b's side only and adds
//       Term(0, b) (nothing for dot).
//   The branches left are "block done" (once per kWidth a-indices) and "hit"
//   (rare in sparse data, and predicted), so the loop runs near the speed
//   of its loads. A partial last block is padded with index -1 (no b index
//   is negative) and value 0, whose terms are 0.
//
// V's index members: IReg, Hit, load_indices(p, n, pad) and load_tail as
// for floats (n <= kWidth lanes), match(IReg, key) -> Hit, any(Hit),
// put(Reg partner, Hit, value) -> partner with the hit lanes set to value.
//
// INVARIANTS
//   Indices are strictly ascending on both sides, so each index of b meets
//   the one block of a that could hold it, and each lane is hit at most
//   once. The result is the reference's quantity (one float32 term per index
//   of the union) summed in another order. Internal linkage only; include
//   from an ISA translation unit, after simd_body.h.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "kernels/simd_body.h"

namespace vecsim::core {
namespace {

// The dense Step of each metric, with the term of an element stored on b's
// side only.
struct SparseL2Sq : L2SqStep {
  static constexpr bool kBOnlyCounts = true;
  static float b_only(float y) noexcept { return y * y; }
};
struct SparseDot : DotStep {
  static constexpr bool kBOnlyCounts = false;
  static float b_only(float) noexcept { return 0.0f; }
};
struct SparseL1 : L1Step {
  static constexpr bool kBOnlyCounts = true;
  static float b_only(float y) noexcept { return __builtin_fabsf(y); }
};

template <class V>
struct ABlock {
  typename V::IReg indices;
  typename V::Reg values;
  typename V::Reg partner;
  std::int32_t last;  // the block's largest real index
};

template <class V>
ABlock<V> load_a_block(SparseSpan a, std::int32_t at) noexcept {
  std::int32_t n = a.nnz - at;
  if (n > static_cast<std::int32_t>(V::kWidth)) n = static_cast<std::int32_t>(V::kWidth);
  return ABlock<V>{V::load_indices(a.indices + at, static_cast<std::size_t>(n), -1),
                   n == static_cast<std::int32_t>(V::kWidth)
                       ? V::load(a.values + at)
                       : V::load_tail(a.values + at, static_cast<std::size_t>(n)),
                   V::zero(), a.indices[at + n - 1]};
}

template <class V, class Metric>
float merge_sparse(SparseSpan a, SparseSpan b) noexcept {
  typename V::Reg acc = V::zero();
  float b_side = 0.0f;
  std::int32_t i = 0;  // start of a's current block
  std::int32_t j = 0;
  if (a.nnz > 0) {
    ABlock<V> block = load_a_block<V>(a, 0);
    for (; j < b.nnz; ++j) {
      std::int32_t key = b.indices[j];
      while (key > block.last) {
        acc = Metric::template step<V>(acc, block.values, block.partner);
        i += static_cast<std::int32_t>(V::kWidth);
        if (i >= a.nnz) goto a_done;
        block = load_a_block<V>(a, i);
      }
      {
        typename V::Hit hit = V::match(block.indices, key);
        if (V::any(hit)) {
          block.partner = V::put(block.partner, hit, b.values[j]);
        } else if constexpr (Metric::kBOnlyCounts) {
          b_side += Metric::b_only(b.values[j]);
        }
      }
    }
    // b is done: the current block and the rest of a.
    acc = Metric::template step<V>(acc, block.values, block.partner);
    for (i += static_cast<std::int32_t>(V::kWidth); i < a.nnz; i += static_cast<std::int32_t>(V::kWidth)) {
      ABlock<V> rest = load_a_block<V>(a, i);
      acc = Metric::template step<V>(acc, rest.values, V::zero());
    }
  }
a_done:
  if constexpr (Metric::kBOnlyCounts) {
    for (; j < b.nnz; ++j) b_side += Metric::b_only(b.values[j]);
  }
  return V::reduce_add(acc) + b_side;
}

template <class V>
CosineTerms merge_sparse_cosine(SparseSpan a, SparseSpan b) noexcept {
  return CosineTerms{merge_sparse<V, SparseDot>(a, b),
                     reduce_pair<V, DotStep, float>(a.values, a.values, a.nnz),
                     reduce_pair<V, DotStep, float>(b.values, b.values, b.nnz)};
}

template <class V>
constexpr SparseKernels sparse_kernels() noexcept {
  return {merge_sparse<V, SparseL2Sq>, merge_sparse<V, SparseDot>, merge_sparse<V, SparseL1>,
          merge_sparse_cosine<V>};
}

}  // namespace
}  // namespace vecsim::core

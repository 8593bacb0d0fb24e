// src/core/index/scorer.h
// How every index structure scores stored values, in the spirit of FAISS's
// DistanceComputer:
//
//   AnyMetric  the distance of an opclass between two index values, for
//              any value kind, chosen at run time: one of the policies of
//              value_metrics.h behind a tag. Code that takes an AnyMetric
//              is compiled once for every opclass (the hnsw page graph).
//   Scorer     a query prepared once, then scored against one stored value
//              or a batch of them: what a graph expansion, an IVF list scan
//              or a k-means assignment does with one query and many rows.
//
// A compressed code joins as another alternative of AnyMetric's tag (its
// distance to the prepared query asymmetric, the candidates re-ranked by
// the exact metric): the set of scorers is closed, so the hot path is a
// well-predicted switch and one kernel call, never a virtual call.
//
// INVARIANTS
//   AnyMetric and Scorer are trivially copyable and hold only kernel
//   pointers (and, for Scorer, the query's address): copying one is free,
//   and a Scorer does not own its query, which must outlive it. Single
//   distances are those of the wrapped policy, bit for bit; a batched
//   kernel (distance4, score_batch) may sum in another order, within the
//   kernel table's tolerance.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "index/value_kind.h"
#include "index/value_metrics.h"
#include "kernels/kernel_table.h"

namespace vecsim::core {

class AnyMetric {
 public:
  // A dense metric may come with the same kernel four rows at a time.
  AnyMetric(DenseMetric<float> m, BatchKernels<float>::Fn batch4 = nullptr)
      : tag_(Tag::kDenseF32), batch4_f32_(batch4) {
    policy_.f32 = m;
  }
  AnyMetric(DenseMetric<Half> m, BatchKernels<Half>::Fn batch4 = nullptr)
      : tag_(Tag::kDenseF16), batch4_f16_(batch4) {
    policy_.f16 = m;
  }
  AnyMetric(SparseMetric m) : tag_(Tag::kSparse) { policy_.sparse = m; }
  AnyMetric(HammingMetric m) : tag_(Tag::kHamming) { policy_.hamming = m; }
  AnyMetric(JaccardMetric m) : tag_(Tag::kJaccard) { policy_.jaccard = m; }

  float distance(ValueRef a, ValueRef b) const {
    switch (tag_) {
      case Tag::kDenseF32:
        return policy_.f32.distance(a, b);
      case Tag::kDenseF16:
        return policy_.f16.distance(a, b);
      case Tag::kSparse:
        return policy_.sparse.distance(a, b);
      case Tag::kHamming:
        return policy_.hamming.distance(a, b);
      case Tag::kJaccard:
        break;
    }
    return policy_.jaccard.distance(a, b);
  }

  // out[i] = distance(q, rows[i]) for four rows of q's size: one batched
  // kernel call where the metric has one, else four single ones.
  void distance4(ValueRef q, const ValueRef* rows, float* out) const {
    if (tag_ == Tag::kDenseF32 && batch4_f32_ != nullptr) {
      dense4(policy_.f32, batch4_f32_, q, rows, out);
    } else if (tag_ == Tag::kDenseF16 && batch4_f16_ != nullptr) {
      dense4(policy_.f16, batch4_f16_, q, rows, out);
    } else {
      for (int i = 0; i < 4; ++i) out[i] = distance(q, rows[i]);
    }
  }

 private:
  template <class Elem>
  static void dense4(const DenseMetric<Elem>& m, typename BatchKernels<Elem>::Fn batch4, ValueRef q,
                     const ValueRef* rows, float* out) {
    const Elem* r[4];
    for (int i = 0; i < 4; ++i) r[i] = reinterpret_cast<const Elem*>(rows[i].bytes);
    batch4(reinterpret_cast<const Elem*>(q.bytes), r, q.size / sizeof(Elem), out);
    for (int i = 0; i < 4; ++i) out[i] *= m.sign;
  }

  enum class Tag : std::uint8_t { kDenseF32, kDenseF16, kSparse, kHamming, kJaccard };
  union Policy {
    DenseMetric<float> f32;
    DenseMetric<Half> f16;
    SparseMetric sparse;
    HammingMetric hamming;
    JaccardMetric jaccard;
  };
  Tag tag_;
  Policy policy_;
  BatchKernels<float>::Fn batch4_f32_ = nullptr;
  BatchKernels<Half>::Fn batch4_f16_ = nullptr;
};

static_assert(std::is_trivially_copyable_v<AnyMetric>);

class Scorer {
 public:
  explicit Scorer(AnyMetric metric) : metric_(metric) {}

  // The query every later score is against (its bytes stay the caller's).
  void prepare(ValueRef query) { query_ = query; }

  float score(ValueRef stored) const { return metric_.distance(query_, stored); }

  // out[i] = score(stored[i]) for i < n, four at a time where the metric
  // has a batched kernel. A value scores the same wherever it falls in the
  // batch: a last group of fewer than four is padded with its last value
  // (a batched kernel's rows do not affect each other), so it goes through
  // the same kernel as the rest. (An IVF scan that reads a list again
  // relies on it: a row must not move across the last key it returned.)
  void score_batch(const ValueRef* stored, std::size_t n, float* out) const {
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) metric_.distance4(query_, stored + i, out + i);
    if (i == n) return;
    ValueRef tail[4];
    float scores[4];
    for (std::size_t j = 0; j < 4; ++j) tail[j] = stored[i + std::min(j, n - i - 1)];
    metric_.distance4(query_, tail, scores);
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = scores[j];
  }

  const AnyMetric& metric() const { return metric_; }

 private:
  AnyMetric metric_;
  ValueRef query_{nullptr, 0};
};

static_assert(std::is_trivially_copyable_v<Scorer>);

// The kernel of a float metric from a kernel set (single or batched).
template <class Kernels>
auto float_metric_kernel(const Kernels& ks, IndexMetric m) {
  return orders_by_dot(m) ? ks.dot : m == IndexMetric::kL1 ? ks.l1 : ks.l2sq;
}

// The distance an index of the opclass orders by (squared L2 for L2,
// negative inner product for inner product and, on normalized values,
// cosine; L1, Hamming, Jaccard as they are), from the active kernels.
inline AnyMetric any_metric_of(IndexOpclass oc) {
  const KernelTable& k = kernels();
  const float sign = orders_by_dot(oc.metric) ? -1.0f : 1.0f;
  return visit_value_kind(oc.kind, [&](auto kind) -> AnyMetric {
    using Kind = decltype(kind);
    if constexpr (Kind::kDense) {
      using Elem = typename Kind::Element;
      return AnyMetric(DenseMetric<Elem>{float_metric_kernel(dense_kernels(k, kind), oc.metric), sign},
                       float_metric_kernel(dense_batch4(k, kind), oc.metric));
    } else if constexpr (Kind::kKind == ValueKind::kSparse) {
      return AnyMetric(SparseMetric{float_metric_kernel(k.sparse, oc.metric), sign});
    } else {
      if (oc.metric == IndexMetric::kJaccard) return AnyMetric(JaccardMetric{k.bit.jaccard});
      return AnyMetric(HammingMetric{k.bit.hamming});
    }
  });
}

// The opclass operator's distance from the distance an index orders by:
// <-> is the root of squared L2, <=> on normalized values is 1 + (negative
// inner product), the others are the ordering distance itself.
inline double operator_distance(IndexMetric m, double ordering) {
  switch (m) {
    case IndexMetric::kL2:
      return ordering > 0 ? std::sqrt(ordering) : 0.0;
    case IndexMetric::kCosine:
      return 1.0 + ordering;
    default:
      return ordering;
  }
}

}  // namespace vecsim::core

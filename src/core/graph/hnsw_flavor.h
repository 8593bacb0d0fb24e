// src/core/graph/hnsw_flavor.h
// What an operator class (index/value_kind.h) means to the hnsw graph: a
// Flavor, that is the distance policy over stored values
// (index/value_metrics.h) and a factory for the in-memory space of a
// build. with_hnsw_flavor(opclass, f)
// calls f with the opclass's flavor, so the build code is written once and
// instantiated once per flavor (the page graph takes the flavor's
// AnyMetric and is compiled once for all).
//
// INVARIANTS
//   The graph orders by squared L2 for L2, by L1 for L1, and by negative
//   inner product for inner product and (on normalized values, see
//   index/index_value.h) cosine. Every opclass fills its lists
//   (select_diverse, HnswParams::fill_lists). Inner product links by the
//   reduction of graph/norm_slack.h; cosine's values are normalized, where
//   the reduction changes nothing.
#pragma once

#include <cstddef>
#include <cstdint>

#include "graph/dense_space.h"
#include "graph/value_space.h"
#include "index/index_value.h"
#include "index/scorer.h"
#include "index/value_kind.h"
#include "index/value_metrics.h"
#include "kernels/kernel_table.h"
#include "storage/hnsw_format.h"

namespace vecsim::core {

// The most non-zero elements an indexed sparsevec value may have (at least
// the 1,000 pgvector allows): as many as fit the largest value an element
// holds. Larger stored values are 54000 at build and at insert.
constexpr std::int32_t kHnswMaxSparseNnz =
    static_cast<std::int32_t>((kMaxValueBytes - sizeof(SparseValueHeader)) / 8);
static_assert(kHnswMaxSparseNnz >= 1000);
static_assert(sparse_value_size(kHnswMaxSparseNnz) <= kMaxValueBytes);

constexpr ValueLimits kHnswValueLimits{kHnswMaxSparseNnz, "hnsw"};

template <class Elem>
struct DenseFlavor {
  using Metric = DenseMetric<Elem>;
  using Space = DenseSpace<Elem>;
  Metric metric;
  typename Space::Batch4Kernel batch4;
  bool inner_product;  // links by the inner-product reduction (graph/norm_slack.h)
  Space make_space(std::size_t dims) const {
    Space space(dims, metric.kernel, batch4, metric.sign);
    if (inner_product) space.reduce_inner_product();
    return space;
  }
  AnyMetric any_metric() const { return AnyMetric(metric, batch4); }
};

// sparsevec and bit: values of any size in memory (ValueSpace), measured
// through the run-time metric, so one builder serves every such opclass
// (their distances cost far more than the dispatch).
struct ValueFlavor {
  using Metric = AnyMetric;
  using Space = ValueSpace<AnyMetric>;
  AnyMetric metric;
  bool inner_product;
  Space make_space(std::size_t) const {
    Space space(metric);
    if (inner_product) space.reduce_inner_product();
    return space;
  }
  AnyMetric any_metric() const { return metric; }
};

template <class F>
decltype(auto) with_hnsw_flavor(IndexOpclass oc, F&& f) {
  const KernelTable& k = kernels();
  const float sign = orders_by_dot(oc.metric) ? -1.0f : 1.0f;
  const bool inner_product = oc.metric == IndexMetric::kInnerProduct;
  return visit_value_kind(oc.kind, [&](auto kind) {
    using Kind = decltype(kind);
    if constexpr (Kind::kDense) {
      using Elem = typename Kind::Element;
      return f(DenseFlavor<Elem>{DenseMetric<Elem>{float_metric_kernel(dense_kernels(k, kind), oc.metric), sign},
                                 float_metric_kernel(dense_batch4(k, kind), oc.metric), inner_product});
    } else {
      return f(ValueFlavor{any_metric_of(oc), inner_product});
    }
  });
}

}  // namespace vecsim::core

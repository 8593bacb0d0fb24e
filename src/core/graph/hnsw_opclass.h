// src/core/graph/hnsw_opclass.h
// What an hnsw operator class means to the graph: the kind of value it
// stores, the distance it orders by, and how a value is prepared before it
// is stored or searched for (cosine normalizes; a zero vector under cosine
// is not indexed). The shim names the opclass (from its support functions);
// everything type-specific that follows is here, once.
//
//   kind       value bytes (what an element stores)
//   kVector    float32 elements
//   kHalfvec   binary16 elements
//   kSparse    int32 dims, int32 nnz, int32 unused, indices, values
//   kBit       the bit string's bytes
//
// with_hnsw_flavor(opclass, f) calls f with a Flavor: the distance policy
// (value_metrics.h) and a factory for the in-memory space of a build, so a
// caller writes each algorithm once and gets it for every opclass.
//
// INVARIANTS
//   A prepared value is what the index compares: for cosine it has norm 1
//   (rounded to the element type), and the graph orders by negative inner
//   product; for the other metrics it is the value unchanged. Distances
//   are monotone in the SQL operator's.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "graph/dense_space.h"
#include "graph/value_metrics.h"
#include "graph/value_space.h"
#include "kernels/kernel_table.h"
#include "storage/hnsw_format.h"
#include "types/dense_ops.h"
#include "types/element_traits.h"
#include "types/sparse_ops.h"
#include "util/status.h"

namespace vecsim::core {

enum class HnswValueKind : std::uint8_t { kVector, kHalfvec, kSparse, kBit };
enum class HnswMetric : std::uint8_t { kL2, kInnerProduct, kCosine, kL1, kHamming, kJaccard };

struct HnswOpclass {
  HnswValueKind kind;
  HnswMetric metric;
};

// The most non-zero elements an indexed sparsevec value may have (SPEC.md
// 6.5 says at least 1,000): as many as fit the largest value an element
// holds (12 header bytes, then 8 per non-zero). Larger values are 54000 at
// build and at insert.
constexpr std::int32_t kHnswMaxSparseNnz = static_cast<std::int32_t>((kMaxValueBytes - 12) / 8);
static_assert(kHnswMaxSparseNnz >= 1000);

template <class Elem>
struct DenseFlavor {
  using Metric = DenseMetric<Elem>;
  using Space = DenseSpace<Elem>;
  Metric metric;
  bool fill_lists;  // HnswParams::fill_lists
  typename Space::Batch4Kernel batch4;
  Space make_space(std::size_t dims) const { return Space(dims, metric.kernel, batch4, metric.sign); }
};

template <class M>
struct ValueFlavor {
  using Metric = M;
  using Space = ValueSpace<M>;
  Metric metric;
  bool fill_lists;
  Space make_space(std::size_t) const { return Space(metric); }
};

// The distance the graph uses for an opclass: squared L2 for L2, negative
// inner product for inner product and (on normalized values) cosine. Only
// inner product fills lists (select_diverse): on normalized values the
// negative dot product orders pairs as L2 does, so cosine needs no fill.
template <class F>
decltype(auto) with_hnsw_flavor(HnswOpclass oc, F&& f) {
  const KernelTable& k = kernels();
  const bool dot = oc.metric == HnswMetric::kInnerProduct || oc.metric == HnswMetric::kCosine;
  const float sign = dot ? -1.0f : 1.0f;
  const bool fill = oc.metric == HnswMetric::kInnerProduct;
  switch (oc.kind) {
    case HnswValueKind::kVector: {
      auto kernel = dot ? k.f32.dot : oc.metric == HnswMetric::kL1 ? k.f32.l1 : k.f32.l2sq;
      auto batch = dot ? k.f32_batch4.dot : oc.metric == HnswMetric::kL1 ? k.f32_batch4.l1 : k.f32_batch4.l2sq;
      return f(DenseFlavor<float>{DenseMetric<float>{kernel, sign}, fill, batch});
    }
    case HnswValueKind::kHalfvec: {
      auto kernel = dot ? k.f16.dot : oc.metric == HnswMetric::kL1 ? k.f16.l1 : k.f16.l2sq;
      auto batch = dot ? k.f16_batch4.dot : oc.metric == HnswMetric::kL1 ? k.f16_batch4.l1 : k.f16_batch4.l2sq;
      return f(DenseFlavor<Half>{DenseMetric<Half>{kernel, sign}, fill, batch});
    }
    case HnswValueKind::kSparse: {
      auto kernel = dot ? k.sparse.dot : oc.metric == HnswMetric::kL1 ? k.sparse.l1 : k.sparse.l2sq;
      return f(ValueFlavor<SparseMetric>{SparseMetric{kernel, sign}, fill});
    }
    case HnswValueKind::kBit:
      break;
  }
  if (oc.metric == HnswMetric::kJaccard) return f(ValueFlavor<JaccardMetric>{JaccardMetric{k.bit.jaccard}, false});
  return f(ValueFlavor<HammingMetric>{HammingMetric{k.bit.hamming}, false});
}

template <class Traits>
Status normalize_dense(ValueRef value, unsigned char* buffer, ValueRef* out, bool* indexed) noexcept {
  using Elem = typename Traits::Storage;
  int n = static_cast<int>(value.size / sizeof(Elem));
  const auto* x = reinterpret_cast<const Elem*>(value.bytes);
  double norm = l2_norm_f64<Traits>(x, n);
  if (norm == 0.0 || !std::isfinite(norm)) {
    *indexed = false;
    return Status::ok();
  }
  *out = ValueRef{buffer, value.size};
  return l2_normalize<Traits>(x, n, reinterpret_cast<Elem*>(buffer));
}

// Prepares value (the kind's value bytes) for the index. *indexed is false
// when the value is not indexed (a zero vector under cosine); otherwise
// *out is the value to store or search for: value itself, or, for cosine,
// its normalization written to buffer (value.size bytes, 4-byte aligned;
// used only for cosine, so it may be null for the other metrics).
// A sparse value above kHnswMaxSparseNnz is 54000 when check_nnz (stored
// values; a query may have any nnz). Allocates nothing.
inline Status prepare_hnsw_value(HnswOpclass oc, ValueRef value, bool check_nnz,
                                 unsigned char* buffer, ValueRef* out, bool* indexed) noexcept {
  *indexed = true;
  *out = value;
  if (oc.kind == HnswValueKind::kSparse && check_nnz) {
    std::int32_t nnz;
    std::memcpy(&nnz, value.bytes + 4, sizeof nnz);
    if (nnz > kHnswMaxSparseNnz) {
      return Status::error(ErrorCode::kProgramLimit,
                           "sparsevec cannot have more than %d non-zero elements for hnsw index",
                           kHnswMaxSparseNnz);
    }
  }
  if (oc.metric != HnswMetric::kCosine) return Status::ok();
  switch (oc.kind) {
    case HnswValueKind::kVector:
      return normalize_dense<F32Traits>(value, buffer, out, indexed);
    case HnswValueKind::kHalfvec:
      return normalize_dense<F16Traits>(value, buffer, out, indexed);
    case HnswValueKind::kSparse: {
      SparseSpan in = SparseMetric::span_of(value);
      if (l2_norm_f64<SparseTraits>(in.values, in.nnz) == 0.0) {
        *indexed = false;
        return Status::ok();
      }
      // Indices go to their place; values first to where nnz values would
      // start, then down to after the kept indices (zeros are dropped).
      std::memcpy(buffer, value.bytes, 12);
      auto* indices = reinterpret_cast<std::int32_t*>(buffer + 12);
      auto* values = reinterpret_cast<float*>(indices + in.nnz);
      int kept = 0;
      VECSIM_RETURN_IF_ERROR(sparse_normalize(in, indices, values, &kept));
      std::memmove(indices + kept, values, sizeof(float) * static_cast<std::size_t>(kept));
      std::memcpy(buffer + 4, &kept, sizeof kept);
      *out = ValueRef{buffer, 12 + 8 * static_cast<std::size_t>(kept)};
      return Status::ok();
    }
    case HnswValueKind::kBit:
      break;
  }
  return Status::ok();
}

}  // namespace vecsim::core

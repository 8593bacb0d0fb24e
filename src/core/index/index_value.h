// src/core/index/index_value.h
// How a value of an operator class is prepared before any index stores it
// or searches for it: cosine normalizes (a zero vector under cosine is not
// indexed), a stored sparse value is checked against the access method's
// non-zero limit, every other value is used as it is.
//
// INVARIANTS
//   A prepared value is what the index compares: for cosine it has norm 1
//   (rounded to the element type) and the index orders by negative inner
//   product; for the other metrics it is the value unchanged. Allocates
//   nothing: a normalized copy goes to the caller's buffer.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "index/value_kind.h"
#include "index/value_metrics.h"
#include "types/dense_ops.h"
#include "types/sparse_ops.h"
#include "util/status.h"

namespace vecsim::core {

// What an access method allows of a stored value.
struct ValueLimits {
  std::int32_t max_sparse_nnz;  // more non-zeros are 54000
  const char* am_name;          // for the message: "... for hnsw index"
};

namespace detail {

template <class Kind>
Status normalize_value(Kind, ValueRef value, unsigned char* buffer, ValueRef* out, bool* indexed) {
  using Traits = typename Kind::Traits;
  using Elem = typename Kind::Element;
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

inline Status normalize_value(SparseKind, ValueRef value, unsigned char* buffer, ValueRef* out,
                              bool* indexed) {
  SparseSpan in = sparse_value_span(value.bytes);
  if (l2_norm_f64<SparseTraits>(in.values, in.nnz) == 0.0) {
    *indexed = false;
    return Status::ok();
  }
  // Indices go to their place; values first to where nnz values would
  // start, then down to after the kept indices (zeros are dropped).
  std::memcpy(buffer, value.bytes, sizeof(SparseValueHeader));
  auto* indices = reinterpret_cast<std::int32_t*>(buffer + sizeof(SparseValueHeader));
  auto* values = reinterpret_cast<float*>(indices + in.nnz);
  int kept = 0;
  VECSIM_RETURN_IF_ERROR(sparse_normalize(in, indices, values, &kept));
  std::memmove(indices + kept, values, sizeof(float) * static_cast<std::size_t>(kept));
  SparseValueHeader h;
  std::memcpy(&h, buffer, sizeof h);
  h.nnz = kept;
  std::memcpy(buffer, &h, sizeof h);
  *out = ValueRef{buffer, sparse_value_size(kept)};
  return Status::ok();
}

// Cosine is not an opclass of bit.
inline Status normalize_value(BitKind, ValueRef, unsigned char*, ValueRef*, bool*) {
  return Status::ok();
}

}  // namespace detail

// Prepares value (the kind's value bytes) for an index. *indexed is false
// when the value is not indexed (a zero vector under cosine); otherwise
// *out is the value to store or search for: value itself, or, for cosine,
// its normalization written to buffer (value.size bytes, 4-byte aligned;
// used only for cosine, so it may be null for the other metrics).
// limits is null for a query (any nnz); a stored sparse value above
// limits->max_sparse_nnz is 54000.
inline Status prepare_index_value(IndexOpclass oc, ValueRef value, const ValueLimits* limits,
                                  unsigned char* buffer, ValueRef* out, bool* indexed) noexcept {
  *indexed = true;
  *out = value;
  if (oc.kind == ValueKind::kSparse && limits != nullptr) {
    SparseValueHeader h;
    std::memcpy(&h, value.bytes, sizeof h);
    if (h.nnz > limits->max_sparse_nnz) {
      return Status::error(ErrorCode::kProgramLimit,
                           "sparsevec cannot have more than %d non-zero elements for %s index",
                           limits->max_sparse_nnz, limits->am_name);
    }
  }
  if (oc.metric != IndexMetric::kCosine) return Status::ok();
  return visit_value_kind(oc.kind, [&](auto kind) {
    return detail::normalize_value(kind, value, buffer, out, indexed);
  });
}

}  // namespace vecsim::core

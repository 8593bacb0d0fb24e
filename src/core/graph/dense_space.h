// src/core/graph/dense_space.h
// A Space over dense vectors held in memory: the vectors a graph links, and
// the distance between them through one kernel of the active table.
//
// SPACE CONCEPT (what HnswGraph needs of a space)
//   Query                  what a search starts from (here a row and, when
//                          the graph links a stored row, its squared norm:
//                          graph/norm_slack.h; a plain row converts)
//   norm_bound_sq()        the reduction's bound (0 without it)
//   size()                 number of stored points, ids 0 .. size() - 1
//   query_of(a)            stored point a as a Query
//   distance(a, b)         distance between stored points a and b
//   distance_to(q, b)      distance from a query to stored point b
//   distances_to4(q, ids, out)  the same for four stored points at once
//   prefetch(b)            hint that b's data is about to be read
// Distances need only be monotone in the true metric (squared L2 stands
// for L2; negative dot for inner product); smaller is nearer. With
// reduce_inner_product() (inner product only), distances between stored
// points, and from a linking query, are norm_slack.h's link
// distance.
//
// INVARIANTS
//   Rows are stored back to back with a stride of whole 64-byte lines, so
//   a row never shares a cache line with its neighbour's start. The kernel
//   pointer is fixed at construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/norm_slack.h"
#include "index/value_metrics.h"

namespace vecsim::core {

template <class Elem>
class DenseSpace {
 public:
  using Query = LinkQuery<const Elem*>;
  using Kernel = float (*)(const Elem*, const Elem*, std::size_t) noexcept;
  using Batch4Kernel = void (*)(const Elem*, const Elem* const*, std::size_t, float*) noexcept;

  // distance = sign * kernel(a, b, dims); sign -1 turns a dot product into
  // a distance. batch4 computes the same kernel for four rows at once.
  DenseSpace(std::size_t dims, Kernel kernel, Batch4Kernel batch4, float sign)
      : dims_(dims),
        stride_((dims * sizeof(Elem) + 63) / 64 * 64 / sizeof(Elem)),
        kernel_(kernel),
        batch4_(batch4),
        sign_(sign) {}

  void reserve(std::size_t n) { rows_.reserve(n * stride_); }

  // Links by the inner-product reduction (norm_slack.h); the kernel must
  // be the dot product. Call before the first add.
  void reduce_inner_product() { norms_.enable(); }
  // The reduction's bound on squared norms (0 without it).
  float norm_bound_sq() const { return norms_.bound_sq(); }
  bool reduces_inner_product() const { return norms_.enabled(); }

  // Copies a vector of dims elements; returns its id.
  std::uint32_t add(const Elem* v) {
    std::size_t at = rows_.size();
    rows_.resize(at + stride_);
    for (std::size_t i = 0; i < dims_; ++i) rows_[at + i] = v[i];
    if (norms_.enabled()) norms_.add(kernel_(v, v, dims_));
    return static_cast<std::uint32_t>(at / stride_);
  }

  // The same, from an index value (dims elements as bytes).
  std::uint32_t add_value(ValueRef v) { return add(reinterpret_cast<const Elem*>(v.bytes)); }
  ValueRef value(std::uint32_t id) const {
    return ValueRef{reinterpret_cast<const unsigned char*>(row(id)), dims_ * sizeof(Elem)};
  }

  std::size_t size() const { return rows_.size() / stride_; }
  std::size_t dims() const { return dims_; }
  const Elem* row(std::uint32_t id) const { return rows_.data() + id * stride_; }
  std::size_t memory_bytes() const { return rows_.capacity() * sizeof(Elem) + norms_.memory_bytes(); }

  Query query_of(std::uint32_t a) const { return Query(row(a), norms_.of(a)); }

  float distance(std::uint32_t a, std::uint32_t b) const {
    return sign_ * kernel_(row(a), row(b), dims_) + norms_.term(norms_.of(a), b);
  }
  float distance_to(Query query, std::uint32_t b) const {
    const float d = sign_ * kernel_(query.value, row(b), dims_);
    return query.linking() ? d + norms_.term(query.norm_sq, b) : d;
  }
  void distances_to4(Query query, const std::uint32_t* ids, float* out) const {
    const Elem* rows[4] = {row(ids[0]), row(ids[1]), row(ids[2]), row(ids[3])};
    batch4_(query.value, rows, dims_, out);
    for (int i = 0; i < 4; ++i) out[i] *= sign_;
    if (query.linking()) {
      for (int i = 0; i < 4; ++i) out[i] += norms_.term(query.norm_sq, ids[i]);
    }
  }
  void prefetch(std::uint32_t b) const {
    const char* p = reinterpret_cast<const char*>(row(b));
    std::size_t bytes = dims_ * sizeof(Elem);
    for (std::size_t off = 0; off < bytes && off < 1024; off += 64) __builtin_prefetch(p + off);
  }

 private:
  std::size_t dims_;
  std::size_t stride_;
  Kernel kernel_;
  Batch4Kernel batch4_;
  float sign_;
  std::vector<Elem> rows_;
  NodeNorms norms_;
};

}  // namespace vecsim::core

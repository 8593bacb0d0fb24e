// src/core/graph/value_space.h
// A Space (see dense_space.h for the concept) over byte-string values of
// any size, with a distance policy of value_metrics.h: what the in-memory
// build uses for sparsevec and bit, whose values vary in size or are not
// float rows. (Dense types use DenseSpace, whose batched kernel is faster.)
//
// INVARIANTS
//   Each value starts at a 4-byte boundary of one arena; ids are insertion
//   order. The arena only grows, so ValueRefs stay valid until the next add.
//   With reduce_inner_product() (an inner-product metric, whose distance
//   of a value to itself is minus its squared norm) links are chosen by
//   norm_slack.h's link distance, as in DenseSpace.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/norm_slack.h"
#include "index/value_metrics.h"

namespace vecsim::core {

template <class Metric>
class ValueSpace {
 public:
  using Query = LinkQuery<ValueRef>;

  explicit ValueSpace(Metric metric) : metric_(metric) {}

  void reduce_inner_product() { norms_.enable(); }
  float norm_bound_sq() const { return norms_.bound_sq(); }
  bool reduces_inner_product() const { return norms_.enabled(); }

  std::uint32_t add(const void* bytes, std::size_t size) {
    std::size_t at = arena_.size();
    arena_.resize(at + (size + 3) / 4);
    std::memcpy(arena_.data() + at, bytes, size);
    starts_.push_back(at);
    sizes_.push_back(size);
    if (norms_.enabled()) {
      ValueRef v{reinterpret_cast<const unsigned char*>(arena_.data() + at), size};
      norms_.add(-metric_.distance(v, v));
    }
    return static_cast<std::uint32_t>(starts_.size() - 1);
  }

  std::uint32_t add_value(ValueRef v) { return add(v.bytes, v.size); }

  std::size_t size() const { return starts_.size(); }
  ValueRef value(std::uint32_t id) const {
    return ValueRef{reinterpret_cast<const unsigned char*>(arena_.data() + starts_[id]), sizes_[id]};
  }
  std::size_t memory_bytes() const {
    return arena_.capacity() * 4 + starts_.capacity() * sizeof(std::size_t) * 2 + norms_.memory_bytes();
  }

  Query query_of(std::uint32_t a) const { return Query(value(a), norms_.of(a)); }
  float distance(std::uint32_t a, std::uint32_t b) const {
    return metric_.distance(value(a), value(b)) + norms_.term(norms_.of(a), b);
  }
  float distance_to(Query q, std::uint32_t b) const {
    const float d = metric_.distance(q.value, value(b));
    return q.linking() ? d + norms_.term(q.norm_sq, b) : d;
  }
  void distances_to4(Query q, const std::uint32_t* ids, float* out) const {
    for (int i = 0; i < 4; ++i) out[i] = distance_to(q, ids[i]);
  }
  void prefetch(std::uint32_t b) const { __builtin_prefetch(arena_.data() + starts_[b]); }

 private:
  Metric metric_;
  NodeNorms norms_;
  std::vector<std::uint32_t> arena_;  // 4-byte units keep every value aligned
  std::vector<std::size_t> starts_;
  std::vector<std::size_t> sizes_;
};

}  // namespace vecsim::core

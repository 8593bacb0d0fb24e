// src/core/graph/exact_part.h
// One part of a filtered scan's exact answer (HnswPageSearch::exact_pass):
// of the hits offered, the `limit` nearest that come after a cursor (the
// last row handed out) in closer() order. Hits are kept as they come
// until there are `limit` of them, then in a heap of the nearest `limit`,
// so a part holds `limit` entries whatever the index's size.
//
// INVARIANTS
//   hits() holds at most `limit` entries, each after the cursor, and they
//   are the nearest such offered; truncated() says whether any offered
//   after the cursor was left out. A NaN distance counts as +infinity
//   (nan_last), so the order is total. Storage keeps its capacity across reset().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/candidate_heap.h"

namespace vecsim::core {

// An element that passes, with what handing it out needs.
struct ExactHit {
  Candidate c;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
  std::uint8_t flags;
};

class ExactPart {
 public:
  // Starts a part: the `limit` nearest after *after (null: from the nearest).
  void reset(const Candidate* after, std::size_t limit) {
    has_after_ = after != nullptr;
    if (has_after_) after_ = *after;
    limit_ = limit;
    truncated_ = false;
    hits_.clear();
  }

  void offer(ExactHit e) {
    e.c.distance = nan_last(e.c.distance);
    if (has_after_ && !closer(after_, e.c)) return;
    if (hits_.size() < limit_) {
      hits_.push_back(e);
      if (hits_.size() == limit_) std::make_heap(hits_.begin(), hits_.end(), Farther{});
      return;
    }
    truncated_ = true;
    if (!closer(e.c, hits_.front().c)) return;
    std::pop_heap(hits_.begin(), hits_.end(), Farther{});
    hits_.back() = e;
    std::push_heap(hits_.begin(), hits_.end(), Farther{});
  }

  bool truncated() const { return truncated_; }
  // The part, in no particular order.
  const std::vector<ExactHit>& hits() const { return hits_; }
  std::size_t memory_bytes() const { return hits_.capacity() * sizeof(ExactHit); }

 private:
  struct Farther {  // a heap under it keeps the farthest on top
    bool operator()(const ExactHit& a, const ExactHit& b) const { return closer(a.c, b.c); }
  };
  bool has_after_ = false;
  Candidate after_{};
  std::size_t limit_ = 0;
  bool truncated_ = false;
  std::vector<ExactHit> hits_;
};

}  // namespace vecsim::core

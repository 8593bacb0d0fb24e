// src/core/graph/candidate_heap.h
// The two heaps of a graph search, over (distance, node) pairs: the
// frontier (nearest first) and the result set (farthest first, bounded).
//
// INVARIANTS
//   Storage is a std::vector that keeps its capacity across clear(), so a
//   search that reuses its heaps allocates nothing once warmed up. Ties in
//   distance are broken by node id, so searches are deterministic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vecsim::core {

struct Candidate {
  float distance;
  std::uint32_t node;
};

inline bool closer(const Candidate& a, const Candidate& b) {
  return a.distance < b.distance || (a.distance == b.distance && a.node < b.node);
}

// closer() as a function object, so that std::sort inlines it.
struct Closer {
  bool operator()(const Candidate& a, const Candidate& b) const { return closer(a, b); }
};

// Farther-first comparator makes std::*_heap a max-heap on distance, and
// the reverse a min-heap.
struct FartherFirst {
  bool operator()(const Candidate& a, const Candidate& b) const { return closer(a, b); }
};
struct NearerFirst {
  bool operator()(const Candidate& a, const Candidate& b) const { return closer(b, a); }
};

template <class Order>
class CandidateHeap {
 public:
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const Candidate& top() const { return items_.front(); }
  void clear() { items_.clear(); }
  void push(Candidate c) {
    items_.push_back(c);
    std::push_heap(items_.begin(), items_.end(), Order());
  }
  Candidate pop() {
    std::pop_heap(items_.begin(), items_.end(), Order());
    Candidate c = items_.back();
    items_.pop_back();
    return c;
  }
  // The items in no particular order.
  const std::vector<Candidate>& items() const { return items_; }
  std::vector<Candidate>& mutable_items() { return items_; }

 private:
  std::vector<Candidate> items_;
};

// Nearest on top: the frontier of a search.
using Frontier = CandidateHeap<NearerFirst>;
// Farthest on top: the ef best found so far.
using ResultSet = CandidateHeap<FartherFirst>;

}  // namespace vecsim::core

// src/core/graph/candidate_heap.h
// (distance, node) pairs, the order graph searches use for them, and a
// nearest-first queue of them (what an iterative scan keeps between
// batches; a search itself works in a SearchPool, search_pool.h).
//
// INVARIANTS
//   Ties in distance are broken by node id, so searches are deterministic.
//   The queue's storage keeps its capacity across clear(), so a reused
//   queue allocates nothing once warmed up.
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

// Candidates, nearest on top.
class CandidateQueue {
 public:
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  void clear() { items_.clear(); }
  void push(Candidate c) {
    items_.push_back(c);
    std::push_heap(items_.begin(), items_.end(), FartherBelow());
  }
  Candidate pop() {
    std::pop_heap(items_.begin(), items_.end(), FartherBelow());
    Candidate c = items_.back();
    items_.pop_back();
    return c;
  }

 private:
  // std::*_heap keeps the greatest on top; "greater" here is nearer.
  struct FartherBelow {
    bool operator()(const Candidate& a, const Candidate& b) const { return closer(b, a); }
  };
  std::vector<Candidate> items_;
};

}  // namespace vecsim::core

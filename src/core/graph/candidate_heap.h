// src/core/graph/candidate_heap.h
// (distance, node) pairs, the order graph searches use for them, and a
// nearest-first queue of them (what an iterative scan keeps between
// batches; a search itself works in a SearchPool, search_pool.h).
//
// INVARIANTS
//   Ties in distance are broken by node, so searches are deterministic:
//   by node id, or, with a salt, by a permutation of node ids the salt
//   chooses (tie_rank). Graph construction salts its orders with the
//   element it is linking: among many elements of one value (all at
//   distance 0 from each other) each list then holds a different subset,
//   where plain node order would give every list the same few and leave
//   the rest of that value unreachable.
//   The queue's storage keeps its capacity across clear(), so a reused
//   queue allocates nothing once warmed up.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace vecsim::core {

struct Candidate {
  float distance;
  std::uint32_t node;
};

// Where node ranks among equals under salt: the node id itself for salt
// 0, else a bijection of it (so distinct nodes never tie) that differs
// from salt to salt.
inline std::uint32_t tie_rank(std::uint32_t node, std::uint32_t salt) {
  if (salt == 0) return node;
  std::uint32_t x = (node ^ salt) * 0x9e3779b1u;
  x ^= x >> 15;
  x *= 0x85ebca6bu;
  return x ^ (x >> 13);
}

inline bool closer(const Candidate& a, const Candidate& b, std::uint32_t salt = 0) {
  return a.distance < b.distance ||
         (a.distance == b.distance && tie_rank(a.node, salt) < tie_rank(b.node, salt));
}

// d, or +infinity if d is NaN (an inner product whose terms overflow to
// +inf and -inf): closer() needs a total order, and such a distance is
// ordered last. Applied where a filtered scan's candidates are made.
inline float nan_last(float d) { return std::isnan(d) ? HUGE_VALF : d; }

// closer() as a function object, so that std::sort inlines it.
struct Closer {
  std::uint32_t salt = 0;
  bool operator()(const Candidate& a, const Candidate& b) const { return closer(a, b, salt); }
};

// Candidates, nearest on top.
class CandidateQueue {
 public:
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  std::size_t capacity() const { return items_.capacity(); }
  void clear() { items_.clear(); }
  // The nearest; only when !empty().
  const Candidate& top() const { return items_.front(); }
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

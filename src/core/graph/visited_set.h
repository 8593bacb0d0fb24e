// src/core/graph/visited_set.h
// The set of nodes one graph search has visited: a generation stamp per
// node, so that starting a new search is O(1) instead of clearing n flags.
//
// INVARIANTS
//   A node is visited in the current search exactly when its stamp equals
//   the current generation. The stamps are cleared only when the 16-bit
//   generation wraps (once every 65535 searches). Not thread-safe: one set
//   per searching thread.
#pragma once

#include <cstdint>
#include <vector>

namespace vecsim::core {

class VisitedSet {
 public:
  // Makes room for nodes 0 .. n - 1 (keeps the current search's marks).
  void resize(std::size_t n) { stamps_.resize(n, 0); }

  // Forgets every mark.
  void next_search() {
    if (++generation_ == 0) {
      std::fill(stamps_.begin(), stamps_.end(), 0);
      generation_ = 1;
    }
  }

  // Marks node; returns whether it was already marked.
  bool test_and_set(std::uint32_t node) {
    bool seen = stamps_[node] == generation_;
    stamps_[node] = generation_;
    return seen;
  }

 private:
  std::vector<std::uint16_t> stamps_;
  std::uint16_t generation_ = 1;
};

}  // namespace vecsim::core

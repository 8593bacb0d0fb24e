// src/core/graph/search_pool.h
// The working set of a best-first graph search, as one sorted array: the
// ef nearest nodes found so far, each flagged once expanded. The next node
// to expand is the nearest one not yet expanded; the search ends when every
// node in the pool has been expanded.
//
// This is the two-heap search of the HNSW paper (frontier and results) in
// one structure: a node that falls out of the ef nearest would never be
// expanded by the heap version either (it would be farther than the
// worst result when popped), so dropping it at once changes nothing. One
// sorted insertion (a short memmove for ef in the hundreds) replaces two
// heap pushes and a pop, and the result comes out sorted.
//
// INVARIANTS
//   entries_ is sorted by closer() under the salt given to reset() (see
//   candidate_heap.h) and holds at most ef entries; cursor_ is
//   the index of the nearest unexpanded entry, or size() when none is left.
//   The storage keeps its capacity across reset(), so a warmed-up search
//   allocates nothing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "graph/candidate_heap.h"

namespace vecsim::core {

class SearchPool {
 public:
  void reset(std::size_t ef, std::uint32_t salt = 0) {
    ef_ = ef > 0 ? ef : 1;  // an empty pool would search nothing
    salt_ = salt;
    entries_.clear();
    expanded_.clear();
    cursor_ = 0;
  }

  std::size_t size() const { return entries_.size(); }
  bool full() const { return entries_.size() >= ef_; }
  // The farthest entry; only when size() > 0.
  const Candidate& worst() const { return entries_.back(); }

  // Whether c would enter the pool.
  bool admits(const Candidate& c) const { return !full() || closer(c, entries_.back(), salt_); }

  // Adds c if it is among the ef nearest so far.
  void offer(const Candidate& c) {
    Candidate dropped;
    offer(c, &dropped);
  }

  // The same; returns true and sets *dropped when a candidate leaves or is
  // refused: c itself if it is not among the ef nearest, else the entry it
  // pushed out. Iterative scans keep what is dropped for their next
  // batches (a dropped entry that was expanded already costs only a
  // re-read of its links if expanded again: its neighbours are visited).
  bool offer(const Candidate& c, Candidate* dropped) {
    if (!admits(c)) {
      *dropped = c;
      return true;
    }
    auto at = std::upper_bound(entries_.begin(), entries_.end(), c, Closer{salt_});
    std::size_t index = static_cast<std::size_t>(at - entries_.begin());
    entries_.insert(at, c);
    expanded_.insert(expanded_.begin() + static_cast<std::ptrdiff_t>(index), false);
    if (index < cursor_) cursor_ = index;
    if (entries_.size() > ef_) {
      *dropped = entries_.back();
      entries_.pop_back();
      expanded_.pop_back();
      return true;
    }
    return false;
  }

  // The nearest unexpanded entry, now marked expanded; false when none is left.
  bool next(Candidate* c) {
    if (!find_unexpanded()) return false;
    expanded_[cursor_] = true;
    *c = entries_[cursor_];
    return true;
  }

  // The node next() would return now, or none (false); marks nothing.
  bool peek(std::uint32_t* node) {
    if (!find_unexpanded()) return false;
    *node = entries_[cursor_].node;
    return true;
  }

  // The pool, nearest first.
  const std::vector<Candidate>& sorted() const { return entries_; }

 private:
  // Moves cursor_ to the nearest unexpanded entry; false if there is none.
  bool find_unexpanded() {
    while (cursor_ < entries_.size() && expanded_[cursor_]) ++cursor_;
    return cursor_ < entries_.size();
  }

  std::size_t ef_ = 0;
  std::uint32_t salt_ = 0;
  std::vector<Candidate> entries_;
  std::vector<char> expanded_;
  std::size_t cursor_ = 0;
};

}  // namespace vecsim::core

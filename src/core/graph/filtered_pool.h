// src/core/graph/filtered_pool.h
// The working set of a best-first search under a filter (a scan with keys
// on filter columns, docs/hnsw_filtering.md): the two heaps of the HNSW
// paper kept apart. The list bounds the search as an unfiltered one's
// does: the ef nearest elements offered, passing the filter or not, so a
// walk explores the region an unfiltered search of the same ef_search
// would (the passing ones among them are its results; a scan that needs
// more walks on from what is left, as pgvector's iterative scan does).
// The frontier holds every element still to be expanded, passing or not,
// so the walk goes on through elements that fail (their neighbours may
// pass), and it can outlive the list: a later walk of the same scan
// starts from all that is left, not only the ef nearest of it. The
// search ends when the nearest element of the frontier is farther than
// the farthest of the list, or the frontier is empty.
//
// (SearchPool, one sorted array, serves unfiltered searches: there the
// frontier and the list are the same ef elements. A filtered scan's
// frontier grows to many times ef, which a sorted array would pay for in
// memmoves.)
//
// INVARIANTS
//   list_ is a heap with the farthest on top and at most ef entries;
//   frontier_ a queue with the nearest on top. An element is offered at most
//   once per search (the caller's visited set sees to it). Storage keeps
//   its capacity across reset().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/candidate_heap.h"

namespace vecsim::core {

class FilteredPool {
 public:
  void reset(std::size_t ef) {
    ef_ = ef > 0 ? ef : 1;
    list_.clear();
    frontier_.clear();
  }

  bool full() const { return list_.size() >= ef_; }
  // Whether c is near enough to matter: the list is not full, or c is
  // nearer than its farthest.
  bool admits(const Candidate& c) const { return !full() || closer(c, list_.front()); }

  // Adds c, which admits() took, to the list and to the frontier (unless
  // expanded: an earlier search of the same scan expanded it). When that
  // pushes an element out of the list, *evicted is it and true is
  // returned.
  bool add(const Candidate& c, bool expanded, Candidate* evicted) {
    if (!expanded) frontier_.push(c);
    list_.push_back(c);
    std::push_heap(list_.begin(), list_.end(), Closer{});
    if (list_.size() <= ef_) return false;
    std::pop_heap(list_.begin(), list_.end(), Closer{});
    *evicted = list_.back();
    list_.pop_back();
    return true;
  }

  // The nearest element to expand next, taken off the frontier; false
  // when the search is over (what is left is farther than all the list:
  // its farthest element itself is still expanded).
  bool next(Candidate* c) {
    if (frontier_.empty()) return false;
    if (full() && closer(list_.front(), frontier_.top())) return false;
    *c = frontier_.pop();
    return true;
  }

  // What the frontier holds (elements never expanded), emptied.
  template <class F>
  void drain_frontier(F&& f) {
    while (!frontier_.empty()) f(frontier_.pop());
  }

  // The list, nearest first, into *out.
  void sorted_list(std::vector<Candidate>* out) const {
    out->assign(list_.begin(), list_.end());
    std::sort(out->begin(), out->end(), Closer{});
  }

  std::size_t memory_bytes() const {
    return (list_.capacity() + frontier_.capacity()) * sizeof(Candidate);
  }

 private:
  std::size_t ef_ = 1;
  std::vector<Candidate> list_;  // a heap under Closer: the farthest on top
  CandidateQueue frontier_;
};

}  // namespace vecsim::core

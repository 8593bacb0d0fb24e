// src/core/graph/filtered_pool.h
// The working set of a best-first search under a filter (a scan with keys
// on filter columns, docs/hnsw_filtering.md): the two heaps of the HNSW
// paper kept apart, because here they hold different things. The results
// are the ef nearest elements that pass the filter; the frontier holds
// every element, passing or not, still to be expanded, so the walk goes on
// through elements that fail (their neighbours may pass). The search ends
// when the nearest element of the frontier is farther than the farthest
// of ef results, or the frontier is empty.
//
// (SearchPool, one sorted array, serves unfiltered searches: there the
// frontier and the results are the same ef elements. Under a filter that
// passes 1% of the rows the frontier grows to hundreds of times ef, which
// a sorted array would pay for in memmoves.)
//
// INVARIANTS
//   results_ is a heap with the farthest on top and at most ef entries;
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
    results_.clear();
    frontier_.clear();
  }

  bool full() const { return results_.size() >= ef_; }
  // Whether c is near enough to matter: the results are not full, or c is
  // nearer than their farthest.
  bool admits(const Candidate& c) const { return !full() || closer(c, results_.front()); }

  // Adds c, which admits() took, to the frontier (unless expanded: it was
  // expanded by an earlier search of the same scan) and, if it passes, to
  // the results. When that pushes a result out, *evicted is it and true is
  // returned.
  bool add(const Candidate& c, bool passes, bool expanded, Candidate* evicted) {
    if (!expanded) frontier_.push(c);
    if (!passes) return false;
    results_.push_back(c);
    std::push_heap(results_.begin(), results_.end(), Closer{});
    if (results_.size() <= ef_) return false;
    std::pop_heap(results_.begin(), results_.end(), Closer{});
    *evicted = results_.back();
    results_.pop_back();
    return true;
  }

  // The nearest element to expand next, taken off the frontier; false
  // when the search is over (what is left is farther than every result:
  // the farthest result itself is still expanded).
  bool next(Candidate* c) {
    if (frontier_.empty()) return false;
    if (full() && closer(results_.front(), frontier_.top())) return false;
    *c = frontier_.pop();
    return true;
  }

  // What the frontier holds (elements never expanded), emptied.
  template <class F>
  void drain_frontier(F&& f) {
    while (!frontier_.empty()) f(frontier_.pop());
  }

  // The results, nearest first, into *out.
  void sorted_results(std::vector<Candidate>* out) const {
    out->assign(results_.begin(), results_.end());
    std::sort(out->begin(), out->end(), Closer{});
  }

  std::size_t memory_bytes() const {
    return (results_.capacity() + frontier_.capacity()) * sizeof(Candidate);
  }

 private:
  std::size_t ef_ = 1;
  std::vector<Candidate> results_;  // a heap under Closer: the farthest on top
  CandidateQueue frontier_;
};

}  // namespace vecsim::core

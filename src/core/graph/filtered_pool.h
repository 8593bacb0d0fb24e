// src/core/graph/filtered_pool.h
// The working set of a best-first search under a filter (a scan with keys
// on filter columns, docs/hnsw_filtering.md): the two heaps of the HNSW
// paper kept apart, and a third that sets a floor.
//
//   list_     the ef nearest elements added, passing the filter or not:
//             the region an unfiltered search of the same ef_search
//             explores.
//   floor_    the `floor` nearest passing elements added: however few
//             pass, a walk goes on until it has met that many, so the
//             rows a LIMIT needs first come from one best-first walk,
//             not from many small ones handed out in turn.
//   frontier_ every element added and still to be expanded, passing or
//             not, so the walk goes on through elements that fail (their
//             neighbours may pass).
//
// The walk's bound is the farther of the two heaps' farthest elements (no
// bound while either is short): it explores about max(ef, floor / pass
// rate) elements. It ends when the nearest element of the frontier is
// beyond the bound, or the frontier is empty. Its results are the passing
// elements it holds: those of the floor, and the passing ones of the list
// (the larger of the two sets; the other is inside it).
//
// (SearchPool, one sorted array, serves unfiltered searches: there the
// frontier and the list are the same ef elements. A filtered scan's
// frontier grows to many times ef, which a sorted array would pay for in
// memmoves.)
//
// INVARIANTS
//   list_ and floor_ are heaps with the farthest on top, at most ef and
//   floor entries; frontier_ a queue with the nearest on top. No distance
//   is NaN. Every element added went into list_ and, if it passes, into
//   floor_; as each heap keeps the nearest of what it was given under
//   closer()'s total order, an added passing element is held by a heap
//   exactly when that heap is short or the element is not beyond its top
//   (holds(); for a failing one only the list's half of that test means
//   anything), and once out it never comes back (tops only come nearer).
//   An element is added at most once per search (the caller's visited set
//   sees to it). Storage keeps its capacity across reset().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/candidate_heap.h"

namespace vecsim::core {

// The floor of a walk at ef_search ef: half of ef, at least 1 (20 at the
// default 40). A quarter, the rows of a LIMIT 10 exactly, misses rows at
// the edge of the region as an unfiltered search with ef = k does
// (docs/hnsw_filtering.md 3). The cost estimate prices walks by it.
constexpr int kFilteredWalkFloorShare = 2;
inline std::size_t filtered_walk_floor(int ef) {
  return static_cast<std::size_t>(std::max(1, (ef + kFilteredWalkFloorShare - 1) / kFilteredWalkFloorShare));
}

class FilteredPool {
 public:
  void reset(std::size_t ef, std::size_t floor) {
    ef_ = ef > 0 ? ef : 1;
    floor_size_ = floor > 0 ? floor : 1;
    list_.clear();
    floor_.clear();
    frontier_.clear();
  }

  // Whether c is within the walk's bound.
  bool admits(const Candidate& c) const { return !bounded() || closer(c, bound()); }

  // Adds c to the list, to the floor if it passes, and to the frontier
  // unless expanded (an earlier search of the same scan expanded it). c
  // must be one admits() took (else it could be released twice), and
  // its distance not NaN (the heaps need a total order). For each passing
  // element that thereby leaves both heaps, c itself included, calls
  // released(element) (perhaps also for a failing one that leaves the
  // list: the caller tells them apart).
  template <class Released>
  void add(const Candidate& c, bool passes, bool expanded, Released&& released) {
    if (!expanded) frontier_.push(c);
    Candidate out;
    if (push_capped(&list_, ef_, c, &out) && !in_floor(out)) released(out);
    if (passes && push_capped(&floor_, floor_size_, c, &out) && !in_list(out)) released(out);
  }

  // Whether the pool holds c, a passing element added to it.
  bool holds(const Candidate& c) const { return in_list(c) || in_floor(c); }

  // The nearest element to expand next, taken off the frontier; false
  // when the search is over (what is left is beyond the bound: the
  // element that sets it is itself still expanded).
  bool next(Candidate* c) {
    if (frontier_.empty()) return false;
    if (bounded() && closer(bound(), frontier_.top())) return false;
    *c = frontier_.pop();
    return true;
  }

  // What the frontier holds (elements never expanded), emptied.
  template <class F>
  void drain_frontier(F&& f) {
    while (!frontier_.empty()) f(frontier_.pop());
  }

  // The passing elements held, nearest first, into *out; passes(c) says
  // whether list element c passes.
  template <class Passes>
  void sorted_results(std::vector<Candidate>* out, Passes&& passes) const {
    out->assign(floor_.begin(), floor_.end());
    for (const Candidate& c : list_) {
      if (!in_floor(c) && passes(c)) out->push_back(c);
    }
    std::sort(out->begin(), out->end(), Closer{});
  }

  std::size_t memory_bytes() const {
    return (list_.capacity() + floor_.capacity() + frontier_.capacity()) * sizeof(Candidate);
  }

 private:
  bool bounded() const { return list_.size() >= ef_ && floor_.size() >= floor_size_; }
  const Candidate& bound() const { return closer(list_.front(), floor_.front()) ? floor_.front() : list_.front(); }
  bool in_list(const Candidate& c) const { return list_.size() < ef_ || !closer(list_.front(), c); }
  // (exact for a passing element; a failing one is never in the floor)
  bool in_floor(const Candidate& c) const { return floor_.size() < floor_size_ || !closer(floor_.front(), c); }

  // Pushes c onto heap h, and, when h then holds more than cap, pops its
  // farthest into *out and returns true.
  static bool push_capped(std::vector<Candidate>* h, std::size_t cap, const Candidate& c, Candidate* out) {
    h->push_back(c);
    std::push_heap(h->begin(), h->end(), Closer{});
    if (h->size() <= cap) return false;
    std::pop_heap(h->begin(), h->end(), Closer{});
    *out = h->back();
    h->pop_back();
    return true;
  }

  std::size_t ef_ = 1, floor_size_ = 1;
  std::vector<Candidate> list_;   // a heap under Closer: the farthest on top
  std::vector<Candidate> floor_;  // likewise
  CandidateQueue frontier_;
};

}  // namespace vecsim::core

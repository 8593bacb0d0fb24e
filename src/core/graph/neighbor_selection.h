// src/core/graph/neighbor_selection.h
// The neighbour-selection heuristic of the HNSW paper (its algorithm 4,
// without extending the candidates), shared by the in-memory graph and the
// graph on pages: walk the candidates nearest first and keep one unless it
// is nearer to an already kept one than to the base. It keeps links that
// point in different directions, which is what makes the graph navigable.
//
// Equal values: a candidate c equal to an already kept k (seen from the
// base: c and k at the same distance from the base and from each other,
// which is what exact duplicates give for every metric) is never "nearer
// to k than to the base", so the heuristic alone keeps every duplicate,
// and with more duplicates of a value than a list holds, their lists hold
// nothing else: each value becomes an island no search can leave or
// enter. A list therefore keeps at most max_equal_kept(m) of a kind; the
// rest of it goes to other directions. (Which duplicates it keeps is set
// by the tie order, candidate_heap.h, salted per list.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "graph/candidate_heap.h"

namespace vecsim::core {

// How select_diverse gets distances between candidates' nodes: pairs.one(a,
// b), and, if Pairs::kBatch4, pairs.four(a, b4, out) for a against four
// nodes at once (a batched kernel shares the loads of a). A candidate that
// survives the first kept node is usually kept, and then it is compared
// with every kept node: those comparisons go four at a time.
template <class Distance>
struct OneAtATime {
  static constexpr bool kBatch4 = false;
  Distance distance;
  float one(std::uint32_t a, std::uint32_t b) { return distance(a, b); }
  void four(std::uint32_t, const std::uint32_t*, float*) {}
};
template <class Distance>
OneAtATime<Distance> one_at_a_time(Distance distance) {
  return OneAtATime<Distance>{distance};
}

// sorted: candidates ascending by distance to the base. At most m are
// kept.
//
// fill: then tops the list up to m with the nearest candidates the
// heuristic passed over (the paper's keepPrunedConnections). For inner
// product, which is no metric, the heuristic alone keeps one or two links
// (a candidate of large norm is "nearer" to every other than the base is),
// and the graph falls apart into pieces a search cannot reach.
inline int max_equal_kept(int m) { return m / 4 > 2 ? m / 4 : 2; }

template <class Pairs>
void select_diverse(const std::vector<Candidate>& sorted, int m, Pairs&& pairs,
                    std::vector<Candidate>* kept, bool fill = false) {
  kept->clear();
  const int equal_cap = max_equal_kept(m);
  for (const Candidate& c : sorted) {
    if (kept->size() >= static_cast<std::size_t>(m)) break;
    // c is rejected by the first kept node nearer to it than the base; the
    // distances are looked at in kept order, whether computed one by one
    // or four at a time, so batching changes no verdict.
    bool diverse = true;
    int equal = 0;
    auto look = [&](const Candidate& k, float d) {
      diverse = d >= c.distance;
      equal += d == c.distance && k.distance == c.distance;
    };
    const std::size_t n = kept->size();
    std::size_t j = 0;
    if (n > 0) {  // the first kept node alone: it rejects most candidates
      look((*kept)[0], pairs.one(c.node, (*kept)[0].node));
      j = 1;
    }
    if constexpr (std::decay_t<Pairs>::kBatch4) {
      for (; diverse && j + 4 <= n; j += 4) {
        std::uint32_t ids[4];
        float d[4];
        for (int t = 0; t < 4; ++t) ids[t] = (*kept)[j + t].node;
        pairs.four(c.node, ids, d);
        for (int t = 0; t < 4 && diverse; ++t) look((*kept)[j + t], d[t]);
      }
    }
    for (; diverse && j < n; ++j) look((*kept)[j], pairs.one(c.node, (*kept)[j].node));
    if (diverse && equal < equal_cap) kept->push_back(c);
  }
  if (!fill) return;
  std::size_t heuristic = kept->size();
  for (const Candidate& c : sorted) {
    if (kept->size() >= static_cast<std::size_t>(m)) break;
    bool taken = false;
    for (std::size_t i = 0; i < heuristic && !taken; ++i) taken = (*kept)[i].node == c.node;
    if (!taken) kept->push_back(c);
  }
}

}  // namespace vecsim::core

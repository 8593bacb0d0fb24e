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
#include <vector>

#include "graph/candidate_heap.h"

namespace vecsim::core {

// sorted: candidates ascending by distance to the base. distance(a, b):
// the distance between two candidates' nodes. At most m are kept.
//
// fill: then tops the list up to m with the nearest candidates the
// heuristic passed over (the paper's keepPrunedConnections). For inner
// product, which is no metric, the heuristic alone keeps one or two links
// (a candidate of large norm is "nearer" to every other than the base is),
// and the graph falls apart into pieces a search cannot reach.
inline int max_equal_kept(int m) { return m / 4 > 2 ? m / 4 : 2; }

template <class Distance>
void select_diverse(const std::vector<Candidate>& sorted, int m, Distance&& distance,
                    std::vector<Candidate>* kept, bool fill = false) {
  kept->clear();
  const int equal_cap = max_equal_kept(m);
  for (const Candidate& c : sorted) {
    if (kept->size() >= static_cast<std::size_t>(m)) break;
    // One distance at a time: the first kept node usually rejects c, so
    // batching would mostly compute distances never looked at.
    bool diverse = true;
    int equal = 0;
    for (const Candidate& k : *kept) {
      float d = distance(c.node, k.node);
      if (d < c.distance) {
        diverse = false;
        break;
      }
      equal += d == c.distance && k.distance == c.distance;
    }
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

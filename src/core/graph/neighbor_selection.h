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
// heuristic passed over (the paper's keepPrunedConnections; pgvector's
// lists are kept full so). Full lists buy recall at the same ef (on
// 100k x 128 clustered data, recall@10 at ef 40 0.959 against 0.924) and
// queries per second at the same recall. For inner product, which is no
// metric, the heuristic alone keeps one or two links (a candidate of
// large norm is "nearer" to every other than the base is), and the graph
// falls apart into pieces a search cannot reach.
inline int max_equal_kept(int m) { return m / 4 > 2 ? m / 4 : 2; }

//
// *heuristic_kept (if given): how many of *kept the heuristic chose; they
// come first, then the fill, each part in the order of `sorted`.
template <class Pairs>
void select_diverse(const std::vector<Candidate>& sorted, int m, Pairs&& pairs,
                    std::vector<Candidate>* kept, bool fill = false,
                    int* heuristic_kept = nullptr) {
  kept->clear();
  const int equal_cap = max_equal_kept(m);
  for (const Candidate& c : sorted) {
    if (kept->size() >= static_cast<std::size_t>(m)) break;
    // c is rejected by the first kept node nearer to it than the base; the
    // distances are looked at in kept order, whether computed one by one
    // or four at a time, so batching changes no verdict as long as four()
    // gives what one() gives (a batched kernel that sums in another order
    // may not, to the last bit).
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
  const std::size_t heuristic = kept->size();
  if (heuristic_kept) *heuristic_kept = static_cast<int>(heuristic);
  if (!fill) return;
  for (const Candidate& c : sorted) {
    if (kept->size() >= static_cast<std::size_t>(m)) break;
    bool taken = false;
    for (std::size_t i = 0; i < heuristic && !taken; ++i) taken = (*kept)[i].node == c.node;
    if (!taken) kept->push_back(c);
  }
}

}  // namespace vecsim::core

namespace vecsim::core {

// A list that select_diverse made with fill meeting one more candidate.
// The list: ids/dist[0, len), its first `kept` links the heuristic chose,
// then the fill, each part nearest first by `closer`. What select_diverse
// over the list and c (at most cap) would give is found here without
// re-running it, when c changes no verdict but its own:
// - c rejected by a kept link nearer to the base than c: the kept part
//   stands and c joins the fill;
// - c kept, and no kept link farther than c nearer to c than to the base:
//   the kept part gains c, and the fill's verdicts stand (each fill link
//   is still rejected by the kept link that rejected it).
// Then, with cap + 1 links, the one to leave is the farthest of the fill
// (or, with no fill, the farthest kept). Undecided (the caller re-selects
// in full): c keeps and rejects a farther kept link (verdicts cascade),
// equal distances (the heuristic's cap on equal values decides), or
// may_leave(node) refuses the one that would leave.
struct ListEdit {
  bool decided = false;
  bool c_in = false;                  // c is in the list afterwards
  std::uint32_t left = 0xffffffffu;   // the link that left the list (not c), if any
};

template <class Distance, class MayLeave>
ListEdit add_to_selected_list(std::uint32_t* ids, float* dist, int* len, int* kept, int cap,
                              const Candidate& c, const Closer& closer, Distance&& distance,
                              MayLeave&& may_leave) {
  ListEdit edit;
  // c's verdict: against the kept links nearer than it, in order.
  int at = 0;
  bool rejected = false;
  for (; at < *kept && closer(Candidate{dist[at], ids[at]}, c); ++at) {
    float d = distance(c.node, ids[at]);
    if (d == c.distance && dist[at] == c.distance) return edit;
    if (d < c.distance) {
      rejected = true;
      break;
    }
  }
  // c kept: the farther kept links must survive it.
  if (!rejected) {
    for (int j = at; j < *kept; ++j) {
      float d = distance(ids[j], c.node);
      if (d < dist[j] || (d == dist[j] && c.distance == dist[j])) return edit;
    }
  }
  const bool full = *len == cap;
  // The part c joins, and where in the list it goes.
  const int part_begin = rejected ? *kept : 0;
  int pos = rejected ? *len : at;
  if (rejected) {
    while (pos > part_begin && closer(c, Candidate{dist[pos - 1], ids[pos - 1]})) --pos;
  }
  if (full) {
    // The farthest of the fill leaves (c itself if it is the farthest
    // rejected), or with no fill the farthest kept.
    const bool c_leaves = pos == *len;
    const std::uint32_t leaving = c_leaves ? c.node : ids[*len - 1];
    if (!may_leave(leaving, c_leaves)) return edit;
    edit.decided = true;
    if (c_leaves) return edit;
    edit.left = leaving;
    if (*kept == *len) --*kept;  // no fill: a kept link leaves
    --*len;
  } else {
    edit.decided = true;
  }
  for (int i = *len; i > pos; --i) {
    ids[i] = ids[i - 1];
    dist[i] = dist[i - 1];
  }
  ids[pos] = c.node;
  dist[pos] = c.distance;
  ++*len;
  if (!rejected) ++*kept;
  edit.c_in = true;
  return edit;
}

}  // namespace vecsim::core

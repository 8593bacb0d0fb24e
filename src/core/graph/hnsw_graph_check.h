// src/core/graph/hnsw_graph_check.h
// The invariants of an in-memory HnswGraph (hnsw_graph.h), checked from
// outside for tests and benchmarks: the numbered invariants 1-5 of that
// file, and the bookkeeping of its re-selection shortcut (a layer-0 list
// whose heuristic part is known is exactly what select_diverse makes of
// its own links: that part first, then the fill, each nearest first).
// Nothing here changes the graph; each check walks every node.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/hnsw_graph.h"
#include "graph/neighbor_selection.h"

namespace vecsim::core {

// Violations of invariants 1-4 and of invariant 5's bookkeeping (the
// incoming-link counts match the lists).
template <class Space>
std::size_t check_hnsw_invariants(const HnswGraph<Space>& graph) {
  std::size_t bad = 0;
  int highest = -1;
  const std::size_t slots = graph.slots();
  std::vector<std::uint32_t> in(slots, 0);
  for (std::uint32_t n = 0; n < slots; ++n) {
    if (!graph.inserted(n)) continue;
    highest = std::max(highest, graph.level(n));
    for (int l = 0; l <= graph.level(n); ++l) {
      int len = 0;
      const std::uint32_t* ids = graph.neighbors(n, l, &len);
      bad += len > graph.capacity(l);
      for (int i = 0; i < len && i <= graph.capacity(l); ++i) {
        std::uint32_t id = ids[i];
        bool valid = graph.inserted(id);
        bad += !valid || id == n || (valid && graph.level(id) < l);
        bad += std::count(ids, ids + len, id) != 1;
        if (l == 0 && valid) ++in[id];
      }
    }
  }
  if (graph.entry_point() != HnswGraph<Space>::kNone) bad += graph.level(graph.entry_point()) != highest;
  for (std::uint32_t n = 0; n < slots; ++n) {
    if (graph.inserted(n)) bad += in[n] != graph.in_links(n);
  }
  return bad;
}

// Nodes other than the entry point that no layer-0 list links (invariant
// 5; 0 except when so many nodes are equal that no list has room for all
// of them, which the index avoids by storing equal values once).
template <class Space>
std::size_t hnsw_unlinked_count(const HnswGraph<Space>& graph) {
  std::size_t unlinked = 0;
  for (std::uint32_t n = 0; n < graph.slots(); ++n) {
    if (graph.inserted(n) && n != graph.entry_point() && graph.in_links(n) == 0) ++unlinked;
  }
  return unlinked;
}

// Layer-0 lists with a known heuristic part that select_diverse (with
// fill, at the list's capacity) would not give back as they stand.
template <class Space>
std::size_t check_hnsw_heuristic_parts(const HnswGraph<Space>& graph, const Space& space) {
  std::size_t bad = 0;
  std::vector<Candidate> sorted, kept;
  for (std::uint32_t n = 0; n < graph.slots(); ++n) {
    if (!graph.inserted(n) || graph.heuristic_part(n) < 0) continue;
    int len = 0;
    const std::uint32_t* ids = graph.neighbors(n, 0, &len);
    const float* dist = graph.link_distances(n, 0);
    sorted.clear();
    for (int i = 0; i < len; ++i) sorted.push_back(Candidate{dist[i], ids[i]});
    std::sort(sorted.begin(), sorted.end(), Closer{HnswGraph<Space>::link_salt(n)});
    int heuristic = 0;
    select_diverse(sorted, graph.capacity(0), one_at_a_time([&space](std::uint32_t a, std::uint32_t b) {
                     return space.distance(a, b);
                   }),
                   &kept, true, &heuristic);
    bool same = heuristic == graph.heuristic_part(n) && static_cast<int>(kept.size()) == len;
    for (int i = 0; same && i < len; ++i) same = kept[i].node == ids[i];
    bad += !same;
  }
  return bad;
}

}  // namespace vecsim::core

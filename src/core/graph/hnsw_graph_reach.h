// src/core/graph/hnsw_graph_reach.h
// Making every node of an in-memory HnswGraph reachable from its entry
// point before it is written (HnswGraph::ensure_reachable, and the end of
// build_parallel).
//
// Races the serial build cannot have leave a few nodes that a search
// from the entry point cannot reach: two threads pruning two lists that
// hold a node's last two incoming links can each drop one, or a group
// of nodes may link only each other. After the threads, each node a
// breadth-first walk of layer 0 does not reach gets a link from its
// nearest reachable node (into a free slot, or in place of that list's
// farthest link whose target has other incoming links); then the walk
// is repeated, since the newly linked nodes make others reachable too.
//
// INVARIANTS
//   Only lists of reached nodes change, each by a free slot or by a link
//   whose target other reached lists also link, so no reached node loses
//   its way in; a changed layer-0 list's heuristic part becomes unknown
//   (HnswGraph::head0_). Single-threaded: after the build's threads.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/hnsw_graph.h"

namespace vecsim::core {

template <class Space>
class HnswReachRepair {
 public:
  using Graph = HnswGraph<Space>;
  using Query = typename Graph::Query;
  explicit HnswReachRepair(Graph& graph) : g_(graph) {}

  void run(std::uint32_t n) {
    std::vector<char> reached;
    std::vector<std::uint32_t> queue, in_reached;
    for (int pass = 0; pass < 8; ++pass) {
      reached.assign(n, 0);
      in_reached.assign(n, 0);
      queue.assign(1, g_.entry_);
      reached[g_.entry_] = 1;
      for (std::size_t at = 0; at < queue.size(); ++at) {
        int len = 0;
        const std::uint32_t* ids = g_.neighbors(queue[at], 0, &len);
        for (int i = 0; i < len; ++i) {
          ++in_reached[ids[i]];
          if (!reached[ids[i]]) {
            reached[ids[i]] = 1;
            queue.push_back(ids[i]);
          }
        }
      }
      if (queue.size() == n) return;
      for (std::uint32_t node = 0; node < n; ++node) {
        if (!reached[node]) link_from_nearest(node, reached, in_reached);
      }
    }
  }

 private:
  // Links node (unreachable) from a reached node near it: into a free
  // slot, or in place of the farthest link whose target other reached
  // lists also link (in_reached counts them), so that no reached node
  // loses its way in. The layer-0 search starts from a reached node (the
  // descent may end inside an island, whose nodes cannot take the link
  // usefully), so it finds reached nodes only.
  void link_from_nearest(std::uint32_t node, const std::vector<char>& reached,
                         std::vector<std::uint32_t>& in_reached) {
    Query q = g_.space_.query_of(node);
    Candidate nearest{g_.space_.distance_to(q, g_.entry_), g_.entry_};
    for (int l = g_.max_level_; l > 0; --l) nearest = g_.greedy_step(q, nearest, l);
    if (!reached[nearest.node]) nearest = Candidate{g_.space_.distance_to(q, g_.entry_), g_.entry_};
    g_.main_.entries.assign(1, nearest);
    g_.search_layer(q, g_.main_.entries, g_.params_.ef_construction, 0, Graph::link_salt(node), g_.main_);
    for (const Candidate& c : g_.main_.pool.sorted()) {
      if (c.node == node || !reached[c.node]) continue;
      std::uint32_t* list = g_.list_of(c.node, 0);
      float* dist = g_.distances_of(c.node, 0);
      for (std::uint32_t i = 1; i <= list[0]; ++i) {
        if (list[i] == node) return;
      }
      g_.head0_[c.node] = Graph::kUnknownHead;
      if (static_cast<int>(list[0]) < g_.m0_) {
        dist[list[0]] = c.distance;
        list[++list[0]] = node;
        g_.add_in_link(node, 1);
        ++in_reached[node];
        return;
      }
      int worst = -1;
      for (std::uint32_t i = 1; i <= list[0]; ++i) {
        if (in_reached[list[i]] > 1 && (worst < 0 || dist[i - 1] > dist[worst - 1])) {
          worst = static_cast<int>(i);
        }
      }
      if (worst < 0) continue;  // every link is some node's last: try the next nearest
      g_.add_in_link(list[worst], -1);
      --in_reached[list[worst]];
      list[worst] = node;
      dist[worst - 1] = c.distance;
      g_.add_in_link(node, 1);
      ++in_reached[node];
      return;
    }
  }

  Graph& g_;
};

}  // namespace vecsim::core

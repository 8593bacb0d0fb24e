// src/core/graph/hnsw_graph.h
// An HNSW graph in memory (Malkov & Yashunin, 2016), over any Space (see
// dense_space.h for the concept): insertion with the neighbour-selection
// heuristic, and k-nearest-neighbour search with a candidate list of ef.
// This is the build-time graph of the hnsw access method and its
// reference in tests; the on-disk index is written from it.
//
// STRUCTURE
//   Node n has a level L(n) >= 0 drawn as floor(-ln(U) / ln(m)); it has a
//   neighbour list on every layer 0 .. L(n). Layer 0 lists hold up to 2m
//   ids, upper layers up to m. The entry point is a node of the highest
//   level.
//
// INVARIANTS (checked by check_invariants(), used by tests)
//   1. Every id in a list is a node already inserted, never the list's
//      owner, and appears once in that list.
//   2. A list on layer l belongs to a node with L(n) >= l and its ids are
//      nodes with L(id) >= l.
//   3. List sizes never exceed their layer's capacity.
//   4. The entry point has the maximum level of all nodes.
//   5. Every node but the entry point is linked from some layer-0 list (so
//      a search can reach it); in_links_ counts those lists.
//
// CONCURRENCY
//   None: one thread inserts and searches. Scratch space (heaps, visited
//   set) is reused across calls, so steady-state inserts and searches do
//   not allocate.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/neighbor_selection.h"
#include "graph/search_pool.h"
#include "graph/visited_set.h"
#include "storage/hnsw_format.h"

namespace vecsim::core {

// m must satisfy valid_hnsw_params (storage/hnsw_format.h); HnswBuilder
// checks it before the first insert.
struct HnswParams {
  int m = 16;                // upper-layer degree; layer 0 gets 2m
  int ef_construction = 64;  // candidate list size while inserting
  std::uint64_t seed = 0x5eed;
  bool fill_lists = false;   // top lists up to capacity (select_diverse's fill; inner product)
};

template <class Space>
class HnswGraph {
 public:
  static constexpr int kMaxLevel = 31;
  static constexpr std::uint32_t kNone = 0xffffffffu;
  using Query = typename Space::Query;

  HnswGraph(const Space& space, HnswParams params)
      : space_(space),
        params_(params),
        m0_(2 * params.m),
        level_scale_(1.0 / std::log(static_cast<double>(params.m))),
        rng_(params.seed) {}

  // Makes room for nodes 0 .. n - 1 up front (inserting grows it otherwise).
  void reserve(std::size_t n) {
    if (n > 0) ensure_node(static_cast<std::uint32_t>(n - 1));
  }

  // Inserts stored point `node` (ids need not come in order, but each only
  // once). Its level is drawn as usual and then capped at max_level (an
  // element on pages must fit one page with the links of every layer it
  // is on; a capped element simply stays out of the upper layers).
  void insert(std::uint32_t node, int max_level = kMaxLevel) {
    ensure_node(node);
    int level = std::min(draw_level(), max_level);
    levels_[node] = static_cast<std::uint8_t>(level);
    if (level > 0) {
      upper_[node].assign(static_cast<std::size_t>(level) * (params_.m + 1), 0);
      upper_dist_[node].assign(static_cast<std::size_t>(level) * params_.m, 0.0f);
      upper_bytes_ += upper_[node].capacity() * sizeof(std::uint32_t) +
                      upper_dist_[node].capacity() * sizeof(float);
    }
    ++count_;
    if (entry_ == kNone) {
      entry_ = node;
      max_level_ = level;
      return;
    }
    Query q = space_.query_of(node);
    Candidate nearest{space_.distance_to(q, entry_), entry_};
    for (int l = max_level_; l > level; --l) nearest = greedy_step(q, nearest, l);

    entries_.assign(1, nearest);
    for (int l = std::min(level, max_level_); l >= 0; --l) {
      search_layer(q, entries_, params_.ef_construction, l);
      sorted_.assign(pool_.sorted().begin(), pool_.sorted().end());
      select_neighbors(sorted_, params_.m, &selected_);
      set_links(node, l, selected_);
      for (const Candidate& c : selected_) add_link(c.node, node, c.distance, l);
      entries_.swap(sorted_);
    }
    if (level > max_level_) {
      max_level_ = level;
      entry_ = node;
    }
  }

  // The k nearest stored points to query (nearest first) with a candidate
  // list of max(ef, k).
  void search(Query query, int k, int ef, std::vector<Candidate>* out) {
    out->clear();
    if (entry_ == kNone) return;
    Candidate nearest{space_.distance_to(query, entry_), entry_};
    for (int l = max_level_; l > 0; --l) nearest = greedy_step(query, nearest, l);
    entries_.assign(1, nearest);
    search_layer(query, entries_, std::max(ef, k), 0);
    out->assign(pool_.sorted().begin(), pool_.sorted().end());
    if (out->size() > static_cast<std::size_t>(k)) out->resize(static_cast<std::size_t>(k));
  }

  std::size_t count() const { return count_; }
  std::uint32_t entry_point() const { return entry_; }
  int max_level() const { return max_level_; }
  int level(std::uint32_t node) const { return levels_[node]; }
  int capacity(int layer) const { return layer == 0 ? m0_ : params_.m; }

  // The neighbour list of node on layer; *n is its length.
  const std::uint32_t* neighbors(std::uint32_t node, int layer, int* n) const {
    const std::uint32_t* list = list_of(node, layer);
    *n = static_cast<int>(list[0]);
    return list + 1;
  }

  // Bytes held by the graph's own structures (not the space's vectors).
  std::size_t memory_bytes() const {
    std::size_t bytes = level0_.capacity() * sizeof(std::uint32_t) +
                        level0_dist_.capacity() * sizeof(float) + levels_.capacity() +
                        in_links_.capacity() * sizeof(std::uint32_t);
    // The upper layers' lists are counted as they are made: a builder asks
    // after every row, so this must not walk the nodes.
    return bytes + upper_bytes_ + upper_.capacity() * sizeof(upper_[0]) * 2;
  }

  // Checks invariants 1-4 above and the bookkeeping of 5 (in_links_ matches
  // the lists); returns the number of violations. unlinked_count() reports
  // invariant 5 itself.
  std::size_t check_invariants() const {
    std::size_t bad = 0;
    int highest = -1;
    for (std::uint32_t n = 0; n < levels_.size(); ++n) {
      if (levels_[n] == kUnset) continue;
      highest = std::max(highest, static_cast<int>(levels_[n]));
      for (int l = 0; l <= levels_[n]; ++l) {
        int len = 0;
        const std::uint32_t* ids = neighbors(n, l, &len);
        bad += len > capacity(l);
        for (int i = 0; i < len && i <= capacity(l); ++i) {
          std::uint32_t id = ids[i];
          bool valid = id < levels_.size() && levels_[id] != kUnset;
          bad += !valid || id == n || (valid && levels_[id] < l);
          bad += std::count(ids, ids + len, id) != 1;
        }
      }
    }
    if (entry_ != kNone) bad += levels_[entry_] != highest;
    // 5: recount the incoming links and compare.
    std::vector<std::uint32_t> in(levels_.size(), 0);
    for (std::uint32_t n = 0; n < levels_.size(); ++n) {
      if (levels_[n] == kUnset) continue;
      int len = 0;
      const std::uint32_t* ids = neighbors(n, 0, &len);
      for (int i = 0; i < len; ++i) ++in[ids[i]];
    }
    for (std::uint32_t n = 0; n < levels_.size(); ++n) {
      if (levels_[n] == kUnset) continue;
      bad += in[n] != in_links_[n];
    }
    return bad;
  }

  // Nodes other than the entry point that no layer-0 list links (invariant
  // 5; 0 except when so many nodes are equal that no list has room for all
  // of them, which the index avoids by storing equal values once).
  std::size_t unlinked_count() const {
    std::size_t n_unlinked = 0;
    for (std::uint32_t n = 0; n < levels_.size(); ++n) {
      if (levels_[n] != kUnset && n != entry_ && in_links_[n] == 0) ++n_unlinked;
    }
    return n_unlinked;
  }

 private:
  static constexpr std::uint8_t kUnset = 0xff;

  void ensure_node(std::uint32_t node) {
    if (node < levels_.size()) return;
    std::size_t n = std::max<std::size_t>(node + 1, levels_.size() * 2);
    levels_.resize(n, kUnset);
    upper_.resize(n);
    upper_dist_.resize(n);
    level0_.resize(n * static_cast<std::size_t>(m0_ + 1), 0);
    level0_dist_.resize(n * static_cast<std::size_t>(m0_), 0.0f);
    in_links_.resize(n, 0);
    visited_.resize(n);
  }

  int draw_level() {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    double u = 1.0 - uniform(rng_);  // in (0, 1]
    double level = -std::log(u) * level_scale_;
    return level >= kMaxLevel ? kMaxLevel : static_cast<int>(level);
  }

  std::uint32_t* list_of(std::uint32_t node, int layer) {
    if (layer == 0) return &level0_[static_cast<std::size_t>(node) * (m0_ + 1)];
    return &upper_[node][static_cast<std::size_t>(layer - 1) * (params_.m + 1)];
  }
  const std::uint32_t* list_of(std::uint32_t node, int layer) const {
    return const_cast<HnswGraph*>(this)->list_of(node, layer);
  }
  // The distances from node to the ids of its list on layer, same order.
  float* distances_of(std::uint32_t node, int layer) {
    if (layer == 0) return &level0_dist_[static_cast<std::size_t>(node) * m0_];
    return &upper_dist_[node][static_cast<std::size_t>(layer - 1) * params_.m];
  }

  // One greedy descent on `layer` from `start`: moves to a nearer neighbour
  // while there is one.
  Candidate greedy_step(Query q, Candidate start, int layer) {
    Candidate best = start;
    for (bool moved = true; moved;) {
      moved = false;
      int len = 0;
      const std::uint32_t* ids = neighbors(best.node, layer, &len);
      for (int i = 0; i < len; ++i) {
        Candidate c{space_.distance_to(q, ids[i]), ids[i]};
        if (closer(c, best)) {
          best = c;
          moved = true;
        }
      }
    }
    return best;
  }

  // The ef nearest nodes reachable on `layer` from `entries`, into pool_
  // (nearest first).
  void search_layer(Query q, const std::vector<Candidate>& entries, int ef, int layer) {
    visited_.next_search();
    pool_.reset(static_cast<std::size_t>(ef));
    for (const Candidate& e : entries) {
      if (!visited_.test_and_set(e.node)) pool_.offer(e);
    }
    Candidate c;
    while (pool_.next(&c)) {
      int len = 0;
      const std::uint32_t* ids = neighbors(c.node, layer, &len);
      // Unvisited neighbours first, all prefetched, then their distances:
      // the memory loads overlap instead of queueing one by one.
      int fresh = 0;
      for (int i = 0; i < len; ++i) {
        if (!visited_.test_and_set(ids[i])) {
          fresh_[fresh++] = ids[i];
          space_.prefetch(ids[i]);
        }
      }
      int i = 0;
      for (; i + 4 <= fresh; i += 4) {
        float d[4];
        space_.distances_to4(q, fresh_ + i, d);
        for (int j = 0; j < 4; ++j) pool_.offer(Candidate{d[j], fresh_[i + j]});
      }
      for (; i < fresh; ++i) pool_.offer(Candidate{space_.distance_to(q, fresh_[i]), fresh_[i]});
    }
  }

  void select_neighbors(const std::vector<Candidate>& sorted, int m,
                        std::vector<Candidate>* kept) const {
    select_diverse(
        sorted, m, [this](std::uint32_t a, std::uint32_t b) { return space_.distance(a, b); },
        kept, params_.fill_lists);
  }

  void set_links(std::uint32_t node, int layer, const std::vector<Candidate>& chosen) {
    std::uint32_t* list = list_of(node, layer);
    float* dist = distances_of(node, layer);
    if (layer == 0) {
      for (std::uint32_t i = 1; i <= list[0]; ++i) --in_links_[list[i]];
      for (const Candidate& c : chosen) ++in_links_[c.node];
    }
    list[0] = static_cast<std::uint32_t>(chosen.size());
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      list[i + 1] = chosen[i].node;
      dist[i] = chosen[i].distance;
    }
  }

  // Adds a link from `from` to `to` on layer (distance d between them); a
  // full list is re-selected with the heuristic over its ids and `to`. The
  // distances of the list's links are kept beside it, so re-selection does
  // not recompute them.
  // Adds a link from `from` to `to` on layer (distance d between them); a
  // full list is re-selected with the heuristic over its links and `to`.
  // On layer 0 the re-selection never drops a node's last incoming link:
  // such a node (with inner product, which is not a metric, a node that is
  // no one's near neighbour) would be unreachable. It takes the place of
  // the farthest kept node that has another incoming link.
  void add_link(std::uint32_t from, std::uint32_t to, float d, int layer) {
    std::uint32_t* list = list_of(from, layer);
    float* dist = distances_of(from, layer);
    int cap = capacity(layer);
    if (static_cast<int>(list[0]) < cap) {
      dist[list[0]] = d;
      list[++list[0]] = to;
      if (layer == 0) ++in_links_[to];
      return;
    }
    prune_.clear();
    prune_.push_back(Candidate{d, to});
    for (std::uint32_t i = 1; i <= list[0]; ++i) prune_.push_back(Candidate{dist[i - 1], list[i]});
    std::sort(prune_.begin(), prune_.end(), Closer());
    select_neighbors(prune_, cap, &pruned_);
    if (layer == 0) keep_last_links(to);
    set_links(from, layer, pruned_);
  }

  // Puts back into pruned_ every candidate of prune_ whose only incoming
  // link is the list being re-selected (or, for `added`, that has none).
  void keep_last_links(std::uint32_t added) {
    for (const Candidate& c : prune_) {
      std::uint32_t in = in_links_[c.node] - (c.node == added ? 0 : 1);  // links besides this list
      if (in > 0) continue;
      bool kept = false;
      for (const Candidate& k : pruned_) kept |= k.node == c.node;
      if (kept) continue;
      if (static_cast<int>(pruned_.size()) < capacity(0)) {
        pruned_.push_back(c);
        continue;
      }
      // Replace the farthest kept node that is linked from elsewhere too.
      for (std::size_t i = pruned_.size(); i-- > 0;) {
        std::uint32_t other = pruned_[i].node;
        std::uint32_t other_in = in_links_[other] - (other == added ? 0 : 1);
        if (other_in > 0) {
          pruned_[i] = c;
          break;
        }
      }
    }
  }

  const Space& space_;
  HnswParams params_;
  int m0_;
  double level_scale_;
  std::mt19937_64 rng_;

  std::vector<std::uint8_t> levels_;                 // kUnset for nodes not inserted
  std::vector<std::uint32_t> level0_;                // per node: count, then m0 ids
  std::vector<float> level0_dist_;                   // per node: m0 link distances
  std::vector<std::vector<std::uint32_t>> upper_;    // per node: layers 1..L, each count + m ids
  std::vector<std::vector<float>> upper_dist_;       // per node: layers 1..L, each m distances
  std::vector<std::uint32_t> in_links_;              // per node: layer-0 lists that link it
  std::size_t upper_bytes_ = 0;                      // heap bytes of upper_ and upper_dist_
  std::uint32_t entry_ = kNone;
  int max_level_ = -1;
  std::size_t count_ = 0;

  // scratch, reused across calls
  VisitedSet visited_;
  SearchPool pool_;
  std::vector<Candidate> entries_, sorted_, selected_, prune_, pruned_;
  std::uint32_t fresh_[2 * kMaxM];  // unvisited neighbours of one node (m0 <= 2 * kMaxM)
};

}  // namespace vecsim::core

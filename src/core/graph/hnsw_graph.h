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
// INVARIANTS (checked by hnsw_graph_check.h, used by tests)
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
//   insert() and search() are for one thread. build_parallel() inserts
//   prepared nodes from several threads at once, as hnswlib does: each
//   thread has its own scratch (heaps, visited set); a node's lists are
//   read and written under that node's lock (a stripe of kLockStripes
//   mutexes), never two node locks at once; the entry point and the top
//   level change under one graph lock, held for the whole insert of a
//   node that may raise the top level; incoming-link counts change by
//   atomic adds. Levels and upper-layer storage are prepared before the
//   threads start, so no thread resizes anything. Scratch is reused
//   across calls, so steady-state inserts and searches do not allocate.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/hnsw_levels.h"
#include "graph/neighbor_selection.h"
#include "graph/search_pool.h"
#include "graph/visited_set.h"
#include "util/parallel.h"
#include "storage/hnsw_format.h"

namespace vecsim::core {

// m must satisfy valid_hnsw_params (storage/hnsw_format.h); HnswBuilder
// checks it before the first insert.
struct HnswParams {
  int m = 16;                // upper-layer degree; layer 0 gets 2m
  int ef_construction = 64;  // candidate list size while inserting
  std::uint64_t seed = 0x5eed;
  // Top lists up to capacity (select_diverse's fill) and give a new node
  // as many links as a list holds, as pgvector does; false: hnswlib's
  // lists (m links for a new node, the heuristic's choice only).
  bool fill_lists = true;
};

template <class Space>
class HnswReachRepair;  // hnsw_graph_reach.h

template <class Space>
class HnswGraph {
 public:
  static constexpr int kMaxLevel = kHnswMaxLevel;
  static constexpr std::uint32_t kNone = 0xffffffffu;
  using Query = typename Space::Query;

  HnswGraph(const Space& space, HnswParams params)
      : space_(space),
        params_(params),
        m0_(2 * params.m),
        level_scale_(hnsw_level_scale(params.m)),
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
    if (space_.norm_bound_sq() != link_bound_) refresh_link_distances();
    ensure_node(node);
    prepare(node, std::min(draw_level(), max_level));
    link(node, main_);
  }

  // Inserts nodes 0 .. n - 1 (not inserted yet) from `threads` threads;
  // max_levels[i] caps node i's level as insert()'s max_level does. Levels
  // are drawn in node order first, so the graph's shape does not depend on
  // the threads' timing (its links do). stop() (noexcept, called by the
  // calling thread between its own nodes) ends the build early when it
  // returns true. Threads block every signal: they must not run the
  // host's signal handlers.
  //
  // No exception leaves a thread or passes a joinable thread: a failure in
  // any thread (out of memory; no thread to be had) stops them all, every
  // started thread is joined, and the result says so. After a stop or a
  // failure the graph is incomplete and must be discarded.
  using ParallelResult = core::ParallelResult;

  template <class Stop>
  ParallelResult build_parallel(std::uint32_t n, const std::vector<std::int8_t>& max_levels,
                                int threads, Stop&& stop) {
    if (n == 0) return ParallelResult::kDone;
    ensure_node(n - 1);
    if (space_.norm_bound_sq() != link_bound_) refresh_link_distances();  // before the threads
    for (std::uint32_t node = 0; node < n; ++node) prepare(node, std::min<int>(draw_level(), max_levels[node]));
    link(0, main_);
    if (n == 1) return ParallelResult::kDone;
    std::vector<Scratch> scratch;
    try {
      locks_ = std::make_unique<std::mutex[]>(kLockStripes);
      scratch.resize(static_cast<std::size_t>(std::max(threads - 1, 0)));
      for (Scratch& s : scratch) s.visited.resize(levels_.size());
    } catch (const std::bad_alloc&) {
      return ParallelResult::kOutOfMemory;
    }
    concurrent_ = true;
    ParallelResult result = parallel_tasks(
        threads, n - 1,
        [&](int worker, std::size_t i) {
          link(static_cast<std::uint32_t>(i + 1), worker == 0 ? main_ : scratch[worker - 1]);
        },
        stop);
    concurrent_ = false;
    locks_.reset();
    if (result == ParallelResult::kDone) HnswReachRepair<Space>(*this).run(n);
    return result;
  }

  // Links every node a walk of layer 0 from the entry point does not reach
  // (hnsw_graph_reach.h); the builder calls it before writing a graph.
  void ensure_reachable() {
    if (entry_ != kNone) HnswReachRepair<Space>(*this).run(static_cast<std::uint32_t>(count_.load()));
  }

  // The k nearest stored points to query (nearest first) with a candidate
  // list of max(ef, k).
  void search(Query query, int k, int ef, std::vector<Candidate>* out) {
    out->clear();
    if (entry_ == kNone) return;
    start_entries(query, 0, hnsw_query_start_width(params_.m, ef), entry_, max_level_, 0, main_);
    search_layer(query, main_.entries, std::max(ef, k), 0, 0, main_);
    out->assign(main_.pool.sorted().begin(), main_.pool.sorted().end());
    if (out->size() > static_cast<std::size_t>(k)) out->resize(static_cast<std::size_t>(k));
  }

  std::size_t count() const { return count_.load(); }
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
                        in_links_.capacity() * sizeof(std::uint32_t) + head0_.capacity();
    // The upper layers' lists are counted as they are made: a builder asks
    // after every row, so this must not walk the nodes.
    return bytes + upper_bytes_ + upper_.capacity() * sizeof(upper_[0]) * 2;
  }

  // The distances from node to its links on layer, in list order.
  const float* link_distances(std::uint32_t node, int layer) const {
    return const_cast<HnswGraph*>(this)->distances_of(node, layer);
  }
  // How many links at the head of node's layer-0 list the selection
  // heuristic chose (the rest is its fill), or -1 when not known.
  int heuristic_part(std::uint32_t node) const { return head0_[node] == kUnknownHead ? -1 : head0_[node]; }
  // The order of ties when linking node (candidate_heap.h): never 0, the
  // plain order of searches.
  static std::uint32_t link_salt(std::uint32_t node) { return node + 1; }

  // Node ids below slots() may be inserted; inserted(n) says which.
  std::size_t slots() const { return levels_.size(); }
  bool inserted(std::uint32_t node) const { return node < levels_.size() && levels_[node] != kUnset; }
  // The layer-0 lists that link node (invariant 5's bookkeeping).
  std::uint32_t in_links(std::uint32_t node) const {
    return __atomic_load_n(&in_links_[node], __ATOMIC_RELAXED);
  }

 private:
  friend class HnswReachRepair<Space>;
  static constexpr std::uint8_t kUnset = 0xff;
  // head0_ of a list that is not select_diverse's output as it stands (or
  // of every list when not filling): its next re-selection is a full one.
  static constexpr std::uint8_t kUnknownHead = 0xff;
  static constexpr std::size_t kLockStripes = 4096;

  // What one inserting thread works with.
  struct Scratch {
    VisitedSet visited;
    SearchPool pool;
    std::vector<Candidate> entries, sorted, selected, prune, pruned;
    std::uint32_t fresh[2 * kMaxM];     // unvisited neighbours of one node (m0 <= 2 * kMaxM)
    std::uint32_t list[2 * kMaxM + 1];  // a neighbour list copied out under its lock
  };

  // The lock of node's lists during build_parallel (nothing otherwise).
  class NodeLock {
   public:
    NodeLock(const HnswGraph& g, std::uint32_t node)
        : mutex_(g.concurrent_ ? &g.locks_[node % kLockStripes] : nullptr) {
      if (mutex_) mutex_->lock();
    }
    ~NodeLock() {
      if (mutex_) mutex_->unlock();
    }
    NodeLock(const NodeLock&) = delete;
    NodeLock& operator=(const NodeLock&) = delete;

   private:
    std::mutex* mutex_;
  };

  // The space's inner-product bound changed (graph/norm_slack.h: a value
  // of larger norm arrived), and with it every link distance: the ones
  // kept beside the lists are measured again, and every layer-0 list's
  // heuristic part is forgotten (its verdicts may differ now), so that
  // re-selections never mix distances of two bounds. A serial build does
  // this a logarithmic number of times (the bound grows with headroom).
  void refresh_link_distances() {
    link_bound_ = space_.norm_bound_sq();
    for (std::uint32_t n = 0; n < levels_.size(); ++n) {
      if (levels_[n] == kUnset) continue;
      head0_[n] = kUnknownHead;
      for (int l = 0; l <= levels_[n]; ++l) {
        const std::uint32_t* list = list_of(n, l);
        float* dist = distances_of(n, l);
        for (std::uint32_t i = 1; i <= list[0]; ++i) dist[i - 1] = space_.distance(n, list[i]);
      }
    }
  }

  // Gives node its level and its upper-layer storage (before it is linked).
  void prepare(std::uint32_t node, int level) {
    levels_[node] = static_cast<std::uint8_t>(level);
    if (level > 0) {
      upper_[node].assign(static_cast<std::size_t>(level) * (params_.m + 1), 0);
      upper_dist_[node].assign(static_cast<std::size_t>(level) * params_.m, 0.0f);
      upper_bytes_ += upper_[node].capacity() * sizeof(std::uint32_t) +
                      upper_dist_[node].capacity() * sizeof(float);
    }
  }

  // Links a prepared node into the graph (the body of an insert).
  void link(std::uint32_t node, Scratch& sc) {
    const int level = levels_[node];
    // An insert that may raise the top level holds the graph lock
    // throughout, so entry point and top level change together.
    std::unique_lock<std::mutex> top(graph_lock_, std::defer_lock);
    if (concurrent_) top.lock();
    count_.fetch_add(1, std::memory_order_relaxed);
    if (entry_ == kNone) {
      entry_ = node;
      max_level_ = level;
      return;
    }
    std::uint32_t entry = entry_;
    int max_level = max_level_;
    if (concurrent_ && level <= max_level) top.unlock();

    Query q = space_.query_of(node);
    start_entries(q, level, hnsw_start_width(params_.m, params_.ef_construction), entry, max_level,
                  link_salt(node), sc);
    for (int l = std::min(level, max_level); l >= 0; --l) {
      search_layer(q, sc.entries, params_.ef_construction, l, link_salt(node), sc);
      // Under build_parallel another thread may already have linked this
      // node into a list the search followed: never select itself.
      sc.sorted.clear();
      for (const Candidate& c : sc.pool.sorted()) {
        if (c.node != node) sc.sorted.push_back(c);
      }
      // Filling, a node takes as many links as its lists hold (2m on
      // layer 0, as pgvector's do); else m, as hnswlib's.
      int heuristic_kept = 0;
      select_neighbors(sc.sorted, params_.fill_lists ? capacity(l) : params_.m, &sc.selected,
                       &heuristic_kept);
      {
        NodeLock lock(*this, node);
        set_links(node, l, sc.selected, heuristic_kept);
      }
      for (const Candidate& c : sc.selected) add_link(c.node, node, c.distance, l, sc);
      sc.entries.swap(sc.sorted);
    }
    if (level > max_level) {
      max_level_ = level;
      entry_ = node;
    }
  }

  // Copies node's list on layer into sc.list (under its lock); returns its
  // length.
  int copy_list(std::uint32_t node, int layer, Scratch& sc) const {
    NodeLock lock(*this, node);
    const std::uint32_t* list = list_of(node, layer);
    int len = static_cast<int>(list[0]);
    std::copy(list + 1, list + 1 + len, sc.list);
    return len;
  }

  void ensure_node(std::uint32_t node) {
    if (node < levels_.size()) return;
    std::size_t n = std::max<std::size_t>(node + 1, levels_.size() * 2);
    levels_.resize(n, kUnset);
    upper_.resize(n);
    upper_dist_.resize(n);
    level0_.resize(n * static_cast<std::size_t>(m0_ + 1), 0);
    level0_dist_.resize(n * static_cast<std::size_t>(m0_), 0.0f);
    in_links_.resize(n, 0);
    head0_.resize(n, kUnknownHead);
    main_.visited.resize(n);
  }

  int draw_level() { return draw_hnsw_level(rng_, level_scale_); }

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
  Candidate greedy_step(Query q, Candidate start, int layer) { return greedy_step(q, start, layer, main_); }
  Candidate greedy_step(Query q, Candidate start, int layer, Scratch& sc) {
    Candidate best = start;
    for (bool moved = true; moved;) {
      moved = false;
      int len = copy_list(best.node, layer, sc);
      const std::uint32_t* ids = sc.list;
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

  // Where a search of `layer` starts (hnsw_levels.h), into sc.entries:
  // the greedy descent from `entry` (of level max_level) to layer + 1,
  // then the `width` nearest there, or the descent's end alone when layer
  // is the top one.
  void start_entries(Query q, int layer, int width, std::uint32_t entry, int max_level,
                     std::uint32_t salt, Scratch& sc) {
    Candidate nearest{space_.distance_to(q, entry), entry};
    const int above = layer + 1;
    for (int l = max_level; l > above; --l) nearest = greedy_step(q, nearest, l, sc);
    if (above > max_level) {
      sc.entries.assign(1, nearest);
      return;
    }
    if (width <= 1) {
      sc.entries.assign(1, greedy_step(q, nearest, above, sc));
      return;
    }
    sc.entries.assign(1, nearest);
    search_layer(q, sc.entries, width, above, salt, sc);
    sc.entries.assign(sc.pool.sorted().begin(), sc.pool.sorted().end());
  }

  // The ef nearest nodes reachable on `layer` from `entries`, into pool_
  // (nearest first). salt: 0 for a search, link_salt(node) when linking
  // node.
  void search_layer(Query q, const std::vector<Candidate>& entries, int ef, int layer,
                    std::uint32_t salt, Scratch& sc) {
    sc.visited.next_search();
    sc.pool.reset(static_cast<std::size_t>(ef), salt);
    for (const Candidate& e : entries) {
      if (!sc.visited.test_and_set(e.node)) sc.pool.offer(e);
    }
    Candidate c;
    while (sc.pool.next(&c)) {
      int len = copy_list(c.node, layer, sc);
      const std::uint32_t* ids = sc.list;
      // Unvisited neighbours first, all prefetched, then their distances:
      // the memory loads overlap instead of queueing one by one.
      int fresh = 0;
      for (int i = 0; i < len; ++i) {
        if (!sc.visited.test_and_set(ids[i])) {
          sc.fresh[fresh++] = ids[i];
          space_.prefetch(ids[i]);
        }
      }
      // The list the next expansion will most likely read, while the
      // distances below are computed.
      std::uint32_t next;
      if (sc.pool.peek(&next)) __builtin_prefetch(list_of(next, layer));
      int i = 0;
      for (; i + 4 <= fresh; i += 4) {
        float d[4];
        space_.distances_to4(q, sc.fresh + i, d);
        for (int j = 0; j < 4; ++j) sc.pool.offer(Candidate{d[j], sc.fresh[i + j]});
      }
      for (; i < fresh; ++i) sc.pool.offer(Candidate{space_.distance_to(q, sc.fresh[i]), sc.fresh[i]});
    }
  }

  void select_neighbors(const std::vector<Candidate>& sorted, int m, std::vector<Candidate>* kept,
                        int* heuristic_kept = nullptr) const {
    // One pair at a time through the same kernel as add_to_selected's: a
    // batched kernel sums in another order, and a near-tie measured both
    // ways could get two verdicts, so that the shortcut would no longer
    // give exactly the full heuristic's answer.
    auto distance = [this](std::uint32_t a, std::uint32_t b) { return space_.distance(a, b); };
    select_diverse(sorted, m, one_at_a_time(distance), kept, params_.fill_lists, heuristic_kept);
  }


  // heuristic_kept: as select_diverse's (kUnknownHead when the list is
  // not select_diverse's output).
  void set_links(std::uint32_t node, int layer, const std::vector<Candidate>& chosen,
                 int heuristic_kept) {
    std::uint32_t* list = list_of(node, layer);
    float* dist = distances_of(node, layer);
    if (layer == 0) {
      for (std::uint32_t i = 1; i <= list[0]; ++i) add_in_link(list[i], -1);
      for (const Candidate& c : chosen) add_in_link(c.node, 1);
      head0_[node] = params_.fill_lists ? static_cast<std::uint8_t>(heuristic_kept) : kUnknownHead;
    }
    list[0] = static_cast<std::uint32_t>(chosen.size());
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      list[i + 1] = chosen[i].node;
      dist[i] = chosen[i].distance;
    }
  }

  // Adds a link from `from` to `to` on layer (distance d between them); a
  // full list is re-selected with the heuristic over its links and `to`
  // (their distances are kept beside the list, not recomputed).
  // On layer 0 the re-selection never drops a node's last incoming link:
  // such a node (with inner product, which is not a metric, a node that is
  // no one's near neighbour) would be unreachable. It takes the place of
  // the farthest kept node that has another incoming link.
  void add_link(std::uint32_t from, std::uint32_t to, float d, int layer, Scratch& sc) {
    NodeLock lock(*this, from);
    std::uint32_t* list = list_of(from, layer);
    float* dist = distances_of(from, layer);
    int cap = capacity(layer);
    // Under build_parallel the list may hold `to` already (its thread
    // linked `from` while this one was choosing).
    for (std::uint32_t i = 1; i <= list[0]; ++i) {
      if (list[i] == to) return;
    }
    if (layer == 0 && head0_[from] != kUnknownHead && add_to_selected(from, Candidate{d, to})) return;
    if (static_cast<int>(list[0]) < cap) {
      dist[list[0]] = d;
      list[++list[0]] = to;
      if (layer == 0) {
        add_in_link(to, 1);
        head0_[from] = kUnknownHead;  // `to` may belong to the heuristic's part
      }
      return;
    }
    sc.prune.clear();
    sc.prune.push_back(Candidate{d, to});
    for (std::uint32_t i = 1; i <= list[0]; ++i) sc.prune.push_back(Candidate{dist[i - 1], list[i]});
    std::sort(sc.prune.begin(), sc.prune.end(), Closer{link_salt(from)});
    int heuristic_kept = 0;
    select_neighbors(sc.prune, cap, &sc.pruned, &heuristic_kept);
    if (layer == 0 && keep_last_links(to, sc)) heuristic_kept = kUnknownHead;
    set_links(from, layer, sc.pruned, heuristic_kept);
  }

  // add_link's shortcut on layer 0, when from's list is select_diverse's
  // output (head0_ known): add_to_selected_list decides most links with
  // a few distances instead of the heuristic's dozens (a build whose lists
  // are full re-selects a list for most links it makes). False (nothing
  // changed) when the full re-selection must decide, among others when
  // the link to leave is some node's last way in (keep_last_links' case).
  bool add_to_selected(std::uint32_t from, const Candidate& c) {
    std::uint32_t* list = list_of(from, 0);
    int len = static_cast<int>(list[0]);
    int kept = head0_[from];
    auto distance = [this](std::uint32_t a, std::uint32_t b) { return space_.distance(a, b); };
    auto may_leave = [this](std::uint32_t node, bool is_c) { return in_links(node) > (is_c ? 0u : 1u); };
    ListEdit edit = add_to_selected_list(list + 1, distances_of(from, 0), &len, &kept, m0_, c,
                                         Closer{link_salt(from)}, distance, may_leave);
    if (!edit.decided) return false;
    list[0] = static_cast<std::uint32_t>(len);
    head0_[from] = static_cast<std::uint8_t>(kept);
    if (edit.c_in) add_in_link(c.node, 1);
    if (edit.left != ListEdit{}.left) add_in_link(edit.left, -1);
    return true;
  }

  void add_in_link(std::uint32_t node, int delta) {
    if (concurrent_) {
      __atomic_fetch_add(&in_links_[node], static_cast<std::uint32_t>(delta), __ATOMIC_RELAXED);
    } else {
      in_links_[node] += static_cast<std::uint32_t>(delta);
    }
  }
  // Puts back into pruned_ every candidate of prune_ whose only incoming
  // link is the list being re-selected (or, for `added`, that has none);
  // true if it changed pruned_.
  bool keep_last_links(std::uint32_t added, Scratch& sc) {
    bool changed = false;
    for (const Candidate& c : sc.prune) {
      std::uint32_t in = in_links(c.node) - (c.node == added ? 0 : 1);  // links besides this list
      if (in > 0) continue;
      bool kept = false;
      for (const Candidate& k : sc.pruned) kept |= k.node == c.node;
      if (kept) continue;
      changed = true;
      if (static_cast<int>(sc.pruned.size()) < capacity(0)) {
        sc.pruned.push_back(c);
        continue;
      }
      // Replace the farthest kept node that is linked from elsewhere too.
      for (std::size_t i = sc.pruned.size(); i-- > 0;) {
        std::uint32_t other = sc.pruned[i].node;
        std::uint32_t other_in = in_links(other) - (other == added ? 0 : 1);
        if (other_in > 0) {
          sc.pruned[i] = c;
          break;
        }
      }
    }
    return changed;
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
  std::vector<std::uint8_t> head0_;                  // per node: its layer-0 list's heuristic part
  std::size_t upper_bytes_ = 0;                      // heap bytes of upper_ and upper_dist_
  std::uint32_t entry_ = kNone;
  int max_level_ = -1;
  float link_bound_ = 0.0f;  // the space's norm bound the kept distances were measured under
  std::atomic<std::size_t> count_{0};

  // build_parallel's synchronisation (concurrent_ is true only inside it)
  bool concurrent_ = false;
  std::unique_ptr<std::mutex[]> locks_;
  std::mutex graph_lock_;

  Scratch main_;  // the calling thread's scratch, reused across calls
};

}  // namespace vecsim::core

#include "graph/hnsw_graph_reach.h"  // HnswReachRepair, which needs HnswGraph complete

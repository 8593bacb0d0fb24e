// src/core/graph/hnsw_page_graph.h
// An hnsw index on pages (the format of storage/hnsw_format.h, through a
// PageStore): k-nearest-neighbour search, iterative scans, insertion of one
// element in place, and vacuum. The algorithms are HnswGraph's; here every
// element is read where it lies, through read_element (or, for a search's
// fresh links, page by page through visit_page), which checks the item's
// length first.
//
// INSERT, in write order (each step leaves a valid index if the next one
// never happens, which is what makes it crash-safe under WAL):
//   1. the new element, with its links, on a page with room (its links
//      point only at existing elements; nothing points at it yet);
//   2. each chosen neighbour's list on each layer gets a link back: into a
//      free slot, or, when full, the list is re-selected with the heuristic
//      over its links and the new element. A list that does not keep the
//      new element is left as it was; on layer 0, every element a list
//      that keeps it drops is first linked from the new element (into its
//      free slots: it chose only m of its 2m). If no layer-0 list takes
//      the new element, its nearest neighbour takes it in place of its
//      farthest link, which the new element adopts first; a new entry
//      point adopts the old one. So no step of an insert leaves a live
//      element without a way in from the entry point;
//   3. the metapage: element count, and the entry point when the new
//      element's level is above the entry's.
//   Locking (and WAL) are the caller's (docs/hnsw.md 4.3): inserts may run
//   concurrently with each other (never with vacuum) as long as none moves
//   the entry point (insert's may_raise_entry); every write an insert
//   makes to a shared item is a read-check-write under that page's lock
//   (CONCURRENT INSERTS below). Each insert and vacuum re-reads the
//   metapage first.
//
// VACUUM (bulk_delete), in write order:
//   1. a new entry point in the metapage if the old one is dying (the live
//      element of the highest level);
//   2. every live element with a link to a dying or deleted element gets
//      that list re-selected from its live links plus a fresh search for
//      its own value (dying elements excluded); then every live element
//      that no path of live layer-0 links reaches from the entry point
//      (its ways in came through dying elements, or a re-selection dropped
//      it; a whole tight cluster can be left an island) is linked from a
//      reached element near it, into a free slot or in place of a link
//      that other reached lists also hold (relink), pass after pass until
//      none is left;
//   3. the dying elements' links are cleared, then the dying elements are
//      flagged deleted (so a pass cut short between flags leaves no
//      unflagged dying element linking a flagged one).
//   Until step 3 a dying element is still an ordinary element whose heap
//   tuple is dead (scans re-check heap visibility), so stopping anywhere
//   leaves a valid index, and a repeated vacuum finishes the job; PostgreSQL
//   reuses the heap TIDs only after the whole bulk delete returns.
//
// INVARIANTS
//   On a graph written by write_hnsw a search returns the in-memory graph's
//   result for the same query and ef (same links; only the order in which
//   equal distances are met may differ, as elements are placed by graph
//   locality and read page by page). Deleted elements are
//   traversed but not returned. Every store error is returned unchanged,
//   and the public methods never throw (no_throw turns an exception into a
//   Status); insertion never leaves a link to an element that is not
//   written.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/neighbor_selection.h"
#include "graph/ref_set.h"
#include "graph/search_pool.h"
#include "index/scorer.h"
#include "index/value_metrics.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_spill.h"
#include "util/no_throw.h"
#include "util/status.h"

namespace vecsim::core {

// A value copied out of a page, 4-byte aligned (values hold 4-byte
// fields); a spilled element's value is assembled in one piece by piece,
// filled() counting the bytes written so far.
class AlignedBytes {
 public:
  void assign(const unsigned char* bytes, std::size_t n) {
    if (n > 0) std::memcpy(resize(n), bytes, n);
    filled_ = n;
  }
  // Makes room for n bytes, none filled yet, and returns it.
  unsigned char* resize(std::size_t n) {
    words_.resize((n + 3) / 4);
    size_ = n;
    filled_ = 0;
    return mutable_data();
  }
  unsigned char* mutable_data() { return reinterpret_cast<unsigned char*>(words_.data()); }
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(words_.data()); }
  std::size_t size() const { return size_; }
  std::size_t filled() const { return filled_; }
  void set_filled(std::size_t n) { filled_ = n; }

 private:
  std::vector<std::uint32_t> words_;
  std::size_t size_ = 0;
  std::size_t filled_ = 0;
};

struct HnswVacuumStats {
  std::size_t deleted = 0;   // elements flagged deleted by this pass
  std::size_t repaired = 0;  // link lists re-selected
  std::size_t relinked = 0;  // live elements nothing linked, linked again
  std::size_t live = 0;      // elements left live
};

// Iterative scans (see HnswPageGraph::begin_scan).
enum class HnswScanOrder { kOff, kRelaxed, kStrict };
struct HnswScanLimits {
  std::size_t max_tuples;  // elements visited before the scan stops searching
  std::size_t max_bytes;   // scan memory before it stops searching
};

struct HnswHit {
  float distance;
  HnswRef ref;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
};

// metric: the opclass's distance over values (index/scorer.h). Values are
// the byte strings the elements hold; a query is a value of the same kind.
// The class is compiled once per store for every opclass.
template <class Store>
class HnswPageGraph {
 public:
  static constexpr int kMaxLevel = 31;

  // fill_lists: as HnswParams::fill_lists (the index's opclass decides).
  HnswPageGraph(Store* store, AnyMetric metric, std::uint64_t seed = 0x5eed, bool fill_lists = false)
      : store_(store), metric_(metric), rng_(seed), fill_lists_(fill_lists) {}

  // Reads the metapage; checks its magic and version (XX000 otherwise).
  Status open() {
    bool found = false;
    VECSIM_RETURN_IF_ERROR(store_->read_item(0, 1, [&](const unsigned char* p, std::size_t n) {
      if (n >= sizeof meta_) {
        std::memcpy(&meta_, p, sizeof meta_);
        found = true;
      }
    }));
    if (!found || meta_.magic != kHnswMagic || meta_.version != kHnswFormatVersion ||
        !valid_hnsw_params(meta_.m, meta_.ef_construction)) {
      return Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt or of another version");
    }
    layout_ = HnswElementLayout{meta_.m};
    return Status::ok();
  }

  const HnswMeta& meta() const { return meta_; }

  // The k nearest live elements to query, nearest first.
  Status search(ValueRef query, int k, int ef, std::vector<HnswHit>* out) noexcept {
    return no_throw([&] { return search_impl(query, k, ef, out); });
  }

  // Iterative scans (SPEC.md 6.9). begin_scan runs the first search; next()
  // hands out its rows one by one, then, for the iterative orders, searches
  // on from the candidates earlier batches left behind, ef at a time, until
  // none is left or a limit is reached; then the candidates still queued
  // are handed out in distance order and the scan ends.
  //   kOff      one search: at most ef rows.
  //   kRelaxed  every batch in order; batches only roughly ordered.
  //   kStrict   a row nearer than the last one handed out is skipped, so
  //             distances never decrease.
  // The scan's state shares the object's scratch: between begin_scan and
  // the last next(), call nothing else on this object (the shim opens one
  // object per index scan).
  using ScanOrder = HnswScanOrder;
  using ScanLimits = HnswScanLimits;

  Status begin_scan(ValueRef query, int ef, ScanOrder order, ScanLimits limits) noexcept {
    return no_throw([&] { return begin_scan_impl(query, ef, order, limits); });
  }

  // The next row; *found is false once the scan is over.
  Status next(HnswHit* hit, bool* found) noexcept {
    return no_throw([&] { return next_impl(hit, found); });
  }

  // Whether next() will read pages before it answers: when it must search
  // on, or (a guard: expand() reads a scan's entries, so it should not
  // happen) the row it hands out next has no seen_ entry. Otherwise next()
  // only hands out what the searches kept, and the shim need not hold its
  // scans lock for it.
  bool next_reads_pages() {
    pass_over_skipped();
    if (scan_next_ < scan_pending_.size()) {
      return visited_.value(scan_pending_[scan_next_].node) == RefSet::kNoValue;
    }
    return !(scan_done_ || scan_dropped_.empty());
  }

  // Memory the scan holds, for its budget (work_mem x multiplier).
  std::size_t scan_memory_bytes() const {
    return visited_.memory_bytes() + seen_.capacity() * sizeof(std::uint32_t) +
           scan_dropped_.size() * sizeof(Candidate) +
           scan_pending_.capacity() * sizeof(Candidate);
  }

  // Inserts value for the heap tuple (heap_block, heap_offset); *ref names
  // the new element.
  Status insert(ValueRef value, std::uint32_t heap_block, std::uint16_t heap_offset,
                HnswRef* ref) noexcept {
    int level = 0;
    VECSIM_RETURN_IF_ERROR(draw_insert_level(value.size, &level));
    bool deferred = false;
    return insert(value, level, heap_block, heap_offset, true, &deferred, ref);
  }

  // *level: the level for a new element with a value of value_bytes, drawn
  // with the index's m (the metapage is read first if this object has not
  // read it yet) and capped at what fits a page (-1 for a value too large
  // to index).
  Status draw_insert_level(std::size_t value_bytes, int* level) noexcept {
    if (meta_.magic != kHnswMagic) VECSIM_RETURN_IF_ERROR(no_throw([&] { return open(); }));
    *level = std::min(draw_level(), max_level_fitting(value_bytes));
    return Status::ok();
  }

  // Inserts at level (draw_insert_level). Inserts may run concurrently
  // (CONCURRENT INSERTS above) as long as none of them moves the entry
  // point: with may_raise_entry false, an insert whose level is above the
  // entry's, or into an empty index, writes nothing and sets *deferred, and
  // the caller runs it again alone with may_raise_entry true.
  Status insert(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                bool may_raise_entry, bool* deferred, HnswRef* ref) noexcept {
    return no_throw([&] {
      return insert_impl(value, level, heap_block, heap_offset, may_raise_entry, deferred, ref);
    });
  }

  // Removes the elements whose heap tuple is_dead(block, offset) says is
  // gone, repairing the links that pointed at them (see VACUUM above).
  template <class IsDead>
  Status bulk_delete(IsDead&& is_dead, HnswVacuumStats* stats) noexcept {
    return bulk_delete(is_dead, [] { return Status::ok(); }, stats);
  }

  // The same, calling wait_for_readers() (returning Status) after the
  // repairs and before the dying elements' links are cleared: the host
  // waits there for searches that may have started from the old entry
  // point (a dying element), so none walks into a cleared element.
  template <class IsDead, class Wait>
  Status bulk_delete(IsDead&& is_dead, Wait&& wait_for_readers, HnswVacuumStats* stats) noexcept {
    return no_throw([&] { return bulk_delete_impl(is_dead, wait_for_readers, stats); });
  }

 private:
  Status search_impl(ValueRef query, int k, int ef, std::vector<HnswHit>* out) {
    out->clear();
    if (meta_.entry == kNoRef) return Status::ok();
    Candidate nearest{0, meta_.entry};
    VECSIM_RETURN_IF_ERROR(descend(query, 0, &nearest));
    entries_.assign(1, nearest);
    VECSIM_RETURN_IF_ERROR(search_layer(query, ef > k ? ef : k, 0, 0));
    for (const Candidate& c : pool_.sorted()) {
      if (static_cast<int>(out->size()) == k) break;
      bool deleted = false;
      HnswHit hit;
      VECSIM_RETURN_IF_ERROR(hit_of(c, &deleted, &hit));
      if (!deleted) out->push_back(hit);
    }
    return Status::ok();
  }

  Status begin_scan_impl(ValueRef query, int ef, ScanOrder order, ScanLimits limits) {
    scan_query_.assign(query.bytes, query.size);
    scan_ef_ = ef;
    scan_order_ = order;
    scan_limits_ = limits;
    scan_pending_.clear();
    scan_next_ = 0;
    scan_dropped_.clear();
    scan_done_ = false;
    scan_last_ = -HUGE_VALF;
    reset_visited();
    if (meta_.entry == kNoRef) {
      scan_done_ = true;
      return Status::ok();
    }
    ValueRef q{scan_query_.data(), scan_query_.size()};
    Candidate nearest{0, meta_.entry};
    VECSIM_RETURN_IF_ERROR(descend(q, 0, &nearest));
    reset_visited();
    entries_.assign(1, nearest);
    VECSIM_RETURN_IF_ERROR(scan_batch(q));
    if (order == ScanOrder::kOff) {
      scan_done_ = true;
      scan_dropped_.clear();
    }
    return Status::ok();
  }

  Status next_impl(HnswHit* hit, bool* found) {
    for (;;) {
      pass_over_skipped();
      if (scan_next_ < scan_pending_.size()) {
        // The heap TID and deleted flag are the ones the search read. Vacuum
        // may flag the element, and the heap reuse the TID, before the row
        // is handed out; the tuple then found there is newer than the
        // scan's MVCC snapshot (the shim refuses any other kind), so the
        // executor's visibility check skips it.
        const Candidate c = scan_pending_[scan_next_++];
        bool deleted = false;
        VECSIM_RETURN_IF_ERROR(hit_of(c, &deleted, hit));
        if (deleted) continue;
        scan_last_ = c.distance;
        *found = true;
        return Status::ok();
      }
      if (scan_done_ || scan_dropped_.empty()) {
        *found = false;
        return Status::ok();
      }
      scan_pending_.clear();
      scan_next_ = 0;
      if (visited_.size() >= scan_limits_.max_tuples || scan_memory_bytes() > scan_limits_.max_bytes) {
        // Out of budget: what is queued, nearest first, and no more.
        while (!scan_dropped_.empty()) scan_pending_.push_back(scan_dropped_.pop());
        scan_done_ = true;
        continue;
      }
      entries_.clear();
      while (!scan_dropped_.empty() && static_cast<int>(entries_.size()) < scan_ef_) {
        entries_.push_back(scan_dropped_.pop());
      }
      VECSIM_RETURN_IF_ERROR(scan_batch(ValueRef{scan_query_.data(), scan_query_.size()}));
    }
  }

  // Moves past the queued rows next() would not hand out: nearer than the
  // last one (strict order), or read deleted by this scan's searches.
  void pass_over_skipped() {
    for (; scan_next_ < scan_pending_.size(); ++scan_next_) {
      const Candidate& c = scan_pending_[scan_next_];
      if (scan_order_ == ScanOrder::kStrict && c.distance < scan_last_) continue;
      std::uint32_t at = visited_.value(c.node);
      if (at != RefSet::kNoValue && seen_deleted(at)) continue;
      break;
    }
  }

  Status insert_impl(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                     bool may_raise_entry, bool* deferred, HnswRef* ref) {
    *deferred = false;
    if (level < 0) {
      return Status::error(ErrorCode::kProgramLimit,
                           "index value of %zu bytes exceeds the %zu bytes an element can hold",
                           value.size, kMaxValueBytes);
    }
    VECSIM_RETURN_IF_ERROR(open());  // another writer may have moved the entry point
    if (!may_raise_entry && (meta_.entry == kNoRef || level > meta_.entry_level)) {
      *deferred = true;
      return Status::ok();
    }
    reuse_moved_ = false;

    // Choose the neighbours on every layer the new element shares with the
    // graph.
    chosen_.assign(static_cast<std::size_t>(level) + 1, {});
    if (meta_.entry != kNoRef) {
      Candidate nearest{0, meta_.entry};
      VECSIM_RETURN_IF_ERROR(descend(value, level, &nearest));
      entries_.assign(1, nearest);
      for (int layer = std::min<int>(level, meta_.entry_level); layer >= 0; --layer) {
        VECSIM_RETURN_IF_ERROR(search_layer(value, meta_.ef_construction, layer,
                                            insert_salt(heap_block, heap_offset)));
        sorted_.assign(pool_.sorted().begin(), pool_.sorted().end());
        VECSIM_RETURN_IF_ERROR(select(sorted_, meta_.m, &chosen_[layer]));
        entries_.swap(sorted_);
      }
    }

    // 1. the element
    VECSIM_RETURN_IF_ERROR(place(value, level, heap_block, heap_offset, ref));
    // 2. links back; the new element adopts what layer 0 re-selections drop
    adopter_ = *ref;
    adopter_body_ = item_body_;
    // Layer 0 first, with its fallback, before any upper layer can make
    // the new element findable (and so linkable by concurrent inserts)
    // without a layer-0 way in.
    bool linked = false;  // whether some layer-0 list took the new element
    for (int layer = 0; layer <= level; ++layer) {
      for (const Candidate& n : chosen_[layer]) {
        bool stayed = false;
        Status st = link_back(n, *ref, layer, &stayed);
        if (!st.is_ok()) {
          adopter_ = kNoRef;
          return st;
        }
        linked |= layer == 0 && stayed;
      }
      // Every neighbour's full list may have turned the new element down
      // (small m): then its nearest neighbour takes it in place of that
      // list's farthest link, which the new element adopts first.
      // If the new element is too full to adopt any of that list's links
      // (its free slots went to concurrent inserts and adoptions), the
      // farthest link is replaced all the same: the new element must have
      // a way in, even at the risk of the replaced one's. If even that
      // loses every one of its kWriteAttempts races, the insert fails as a
      // serialization failure rather than leave an element no search can
      // reach; its transaction's rollback makes the element dead, and the
      // next vacuum removes it.
      if (layer == 0 && !linked && !chosen_[0].empty()) {
        bool replaced = false;
        Status st = replace_farthest(chosen_[0].front(), *ref, &replaced, [](HnswRef) { return true; });
        if (st.is_ok() && !replaced) {
          st = replace_farthest(chosen_[0].front(), *ref, &replaced, [](HnswRef) { return true; },
                                /*adopt_replaced=*/false);
        }
        if (st.is_ok() && !replaced) {
          st = Status::error(ErrorCode::kSerializationFailure,
                             "could not link a new hnsw element: its neighbours' lists kept changing "
                             "under concurrent inserts")
                   .with_hint("Retry the transaction.");
        }
        if (!st.is_ok()) {
          adopter_ = kNoRef;
          return st;
        }
      }
    }
    // A new element that becomes the entry point links the old one on
    // layer 0 too: searches start here from now on, and the old entry may
    // have no incoming link (nothing ever needed to reach it).
    if (meta_.entry != kNoRef && level > meta_.entry_level) {
      bool adopted = false;
      Status st = adopt(meta_.entry, &adopted);
      if (!st.is_ok()) {
        adopter_ = kNoRef;
        return st;
      }
    }
    adopter_ = kNoRef;
    // 3. the metapage, as it is now (concurrent inserts count too)
    const std::uint32_t reuse_block = meta_.reuse_block;
    bool changed = false;
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(store_->update_item(0, 1, [&](unsigned char* p, std::size_t n) {
      HnswMeta m;
      if (n < sizeof m) return intact = false;
      std::memcpy(&m, p, sizeof m);
      m.element_count += 1;
      if (m.entry == kNoRef || level > m.entry_level) {
        m.entry = *ref;
        m.entry_level = static_cast<std::int16_t>(level);
      }
      if (reuse_moved_) m.reuse_block = reuse_block;
      std::memcpy(p, &m, sizeof m);
      meta_ = m;
      return true;
    }, &changed));
    return intact ? Status::ok() : Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt");
  }

  template <class IsDead, class Wait>
  Status bulk_delete_impl(IsDead&& is_dead, Wait&& wait_for_readers, HnswVacuumStats* stats) {
    VECSIM_RETURN_IF_ERROR(open());
    *stats = HnswVacuumStats{};
    // Which elements die, which are already deleted, and the live ones.
    dying_.clear();
    gone_.clear();
    live_.clear();
    live_levels_.clear();
    Candidate best_live{0, kNoRef};
    int best_level = -1;
    for (std::uint32_t block = 1; block < store_->page_count(); ++block) {
      // the page's headers in one read; is_dead (the host's) runs after it
      page_headers_.clear();
      VECSIM_RETURN_IF_ERROR(read_page_elements(
          block, [&](HnswRef r, const HnswElementHeader& h, const unsigned char*, std::size_t) {
            page_headers_.emplace_back(r, h);
          }));
      for (const auto& [r, h] : page_headers_) {
        if (h.flags & kElementDeleted) {
          gone_.insert(r);
        } else if (is_dead(h.heap_block, h.heap_offset)) {
          dying_.insert(r);
          gone_.insert(r);
        } else {
          live_.push_back(r);
          live_levels_.push_back(h.level);
          if (h.level > best_level) {
            best_level = h.level;
            best_live.node = r;
          }
        }
      }
    }
    stats->live = live_.size();
    // Inserts reuse deleted elements' slots from the first block that has
    // one: pointed there again even by a pass that deletes nothing (the
    // inserts since the last one may have moved it past slots of a size
    // they could not use).
    std::uint32_t reuse_block = 0;
    for (HnswRef r : gone_) {
      if (reuse_block == 0 || ref_block(r) < reuse_block) reuse_block = ref_block(r);
    }
    if (dying_.empty()) {
      // Nothing to repair, but an element may have lost its last way in
      // outside vacuum (an insert's last-resort replacement): re-linked
      // here too, without waiting for something to die.
      VECSIM_RETURN_IF_ERROR(relink_unreachable(stats));
      if (reuse_block == meta_.reuse_block) return Status::ok();
      meta_.reuse_block = reuse_block;
      return store_->write_item(0, 1, 0, &meta_, sizeof meta_);
    }

    // 1. the entry point
    if (gone_.count(meta_.entry) || meta_.entry == kNoRef) {
      meta_.entry = best_live.node;
      meta_.entry_level = static_cast<std::int16_t>(best_level);
      VECSIM_RETURN_IF_ERROR(store_->write_item(0, 1, 0, &meta_, sizeof meta_));
    }
    // 2. repairs
    for (std::size_t i = 0; i < live_.size(); ++i) {
      HnswRef r = live_[i];
      for (int layer = 0; layer <= live_levels_[i]; ++layer) {
        std::size_t body = 0;
        VECSIM_RETURN_IF_ERROR(links(r, layer, &links_, &body));
        bool broken = false;
        for (HnswRef l : links_) broken |= gone_.count(l) > 0;
        if (!broken) continue;
        VECSIM_RETURN_IF_ERROR(repair(r, body, layer));
        ++stats->repaired;
      }
    }
    // 2b. re-link live elements no search can reach any more: their only
    // ways in came through dying elements, or a repair pruned them.
    VECSIM_RETURN_IF_ERROR(relink_unreachable(stats));
    VECSIM_RETURN_IF_ERROR(wait_for_readers());
    // 3. flags, after the dying elements' own links are cleared: a pass
    // cut short between two flags must not leave an unflagged (so, to a
    // reader, live) dying element linking a flagged one.
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(header(r, &h));
      const std::size_t body = HnswElementLayout::body_bytes(h);
      std::size_t from = layout_.links_offset(body, 0);
      new_links_.assign((layout_.item_size(body, h.level) - from) / sizeof(HnswRef), kNoRef);
      VECSIM_RETURN_IF_ERROR(store_->write_item(ref_block(r), ref_offset(r), from, new_links_.data(),
                                                sizeof(HnswRef) * new_links_.size()));
    }
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(header(r, &h));
      std::uint8_t flags = h.flags | kElementDeleted;
      VECSIM_RETURN_IF_ERROR(store_->write_item(ref_block(r), ref_offset(r),
                                                offsetof(HnswElementHeader, flags), &flags,
                                                sizeof flags));
    }
    stats->deleted = dying_.size();
    meta_.element_count = static_cast<std::uint32_t>(live_.size());
    meta_.reuse_block = reuse_block;
    return store_->write_item(0, 1, 0, &meta_, sizeof meta_);
  }

  // Re-links every live element (live_; gone_ excluded) that no search
  // can reach. An element may still have incoming links and be lost: a
  // tight cluster whose gateways die keeps linking only itself (an
  // island). Each pass re-links every unreachable element, which may drop
  // another's last way in (as a last resort), so passes repeat while any
  // is left.
  Status relink_unreachable(HnswVacuumStats* stats) {
    for (int pass = 0; pass < kRelinkPasses; ++pass) {
      VECSIM_RETURN_IF_ERROR(find_unreachable(&orphans_));
      for (HnswRef o : orphans_) VECSIM_RETURN_IF_ERROR(relink(o));
      stats->relinked += orphans_.size();
      if (orphans_.empty()) break;
    }
    return Status::ok();
  }

  // One batch of a scan: a best-first search from entries_ with the
  // visited set kept from earlier batches; its pool becomes the pending
  // rows, and, in an iterative scan, everything it drops joins
  // scan_dropped_ (a scan without iterations has no use for it).
  Status scan_batch(ValueRef q) {
    CandidateQueue* dropped = scan_order_ == ScanOrder::kOff ? nullptr : &scan_dropped_;
    VECSIM_RETURN_IF_ERROR(expand(q, scan_ef_, 0, /*scan=*/true, dropped));
    scan_pending_.assign(pool_.sorted().begin(), pool_.sorted().end());
    return Status::ok();
  }

  // The live elements that no path of live layer-0 links reaches from
  // the entry point (read breadth-first, each element once); the others
  // in reached_, and in incoming_ how many reached lists link each
  // element.
  Status find_unreachable(std::vector<HnswRef>* out) {
    out->clear();
    std::unordered_set<HnswRef>& reached = reached_;
    reached.clear();
    incoming_.clear();
    std::vector<HnswRef> queue;
    if (meta_.entry != kNoRef && !gone_.count(meta_.entry)) {
      reached.insert(meta_.entry);
      queue.push_back(meta_.entry);
    }
    for (std::size_t i = 0; i < queue.size(); ++i) {
      VECSIM_RETURN_IF_ERROR(links(queue[i], 0, &links_, nullptr));
      for (HnswRef l : links_) {
        ++incoming_[l];
        if (!gone_.count(l) && reached.insert(l).second) queue.push_back(l);
      }
    }
    for (HnswRef r : live_) {
      if (!reached.count(r)) out->push_back(r);
    }
    return Status::ok();
  }

  // Links unreachable live element o from a reached element near it,
  // without dropping any element's last way in: into a free slot of the
  // lists the heuristic picks for o, or of the nearest lists; else in
  // place of the farthest link, in the nearest list that has one, whose
  // target other reached lists link too (incoming_); else, as a last
  // resort, in place of the nearest list's farthest link (a later pass
  // re-links what that drops). Lists are not re-selected here: a
  // re-selection drops links nothing then adopts, and with near-duplicates
  // (which the heuristic prunes in favour of the same few) re-links would
  // keep pushing each other out of the same lists.
  Status relink(HnswRef o) {
    VECSIM_RETURN_IF_ERROR(copy_value(o, &base_));
    ValueRef base{base_.data(), base_.size()};
    Candidate nearest{0, meta_.entry};
    VECSIM_RETURN_IF_ERROR(descend(base, 0, &nearest));
    // The descent may end inside an island (upper layers can lead there);
    // a layer-0 search from a reached element finds only reached ones, so
    // whichever list takes o makes it reachable.
    if (!reached_.count(nearest.node)) {
      nearest.node = meta_.entry;
      VECSIM_RETURN_IF_ERROR(distance(base, nearest.node, &nearest.distance));
    }
    entries_.assign(1, nearest);
    VECSIM_RETURN_IF_ERROR(search_layer(base, meta_.ef_construction, 0, o));
    sorted_.clear();
    for (const Candidate& c : pool_.sorted()) {
      if (c.node != o && !gone_.count(c.node)) sorted_.push_back(c);
    }
    if (sorted_.empty()) return Status::ok();
    VECSIM_RETURN_IF_ERROR(select(sorted_, meta_.m, &relink_to_));
    for (std::size_t i = 0; i < kRelinkLists && i < sorted_.size(); ++i) relink_to_.push_back(sorted_[i]);
    for (const Candidate& n : relink_to_) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(links(n.node, 0, &links_, &body));
      if (static_cast<int>(links_.size()) >= layout_.capacity(0)) continue;
      bool linked = false;
      VECSIM_RETURN_IF_ERROR(append_link(n.node, body, 0, o, &linked));
      if (linked) {
        ++incoming_[o];
        return Status::ok();
      }
    }
    for (std::size_t i = 0; i < sorted_.size() && i < kRelinkLists; ++i) {
      bool replaced = false;
      VECSIM_RETURN_IF_ERROR(replace_farthest(sorted_[i], o, &replaced, [&](HnswRef l) {
        auto in = incoming_.find(l);
        return in != incoming_.end() && in->second > 1;
      }));
      if (replaced) return Status::ok();
    }
    bool replaced = false;
    return replace_farthest(sorted_.front(), o, &replaced, [](HnswRef) { return true; });
  }

  // In n's layer-0 list, o takes the place of the link farthest from n
  // among those may_drop(link) allows (*replaced: whether there was one;
  // if a concurrent insert changes that slot first, the list is read and
  // measured again). In an insert (adopter_ set), the new element first
  // adopts the replaced link, and a link it cannot adopt is passed over,
  // unless adopt_replaced is false.
  template <class MayDrop>
  Status replace_farthest(const Candidate& n, HnswRef o, bool* replaced_one, MayDrop&& may_drop,
                          bool adopt_replaced = true) {
    *replaced_one = false;
    VECSIM_RETURN_IF_ERROR(copy_value(n.node, &scratch2_));
    ValueRef from{scratch2_.data(), scratch2_.size()};
    refused_.clear();  // links the new element could not adopt
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(links(n.node, 0, &links_, &body));
      if (links_.empty()) return link_back(n, o, 0, replaced_one);
      std::size_t worst = links_.size();
      float worst_distance = -HUGE_VALF;
      for (std::size_t i = 0; i < links_.size(); ++i) {
        if (links_[i] == o) {
          *replaced_one = true;
          return Status::ok();
        }
        if (!may_drop(links_[i]) ||
            std::find(refused_.begin(), refused_.end(), links_[i]) != refused_.end()) {
          continue;
        }
        float d = 0;
        VECSIM_RETURN_IF_ERROR(distance(from, links_[i], &d));
        if (d > worst_distance) {
          worst_distance = d;
          worst = i;
        }
      }
      if (worst == links_.size()) return Status::ok();
      const HnswRef replaced = links_[worst];
      if (adopter_ != kNoRef && adopt_replaced) {  // an insert: the new element keeps the replaced link
        bool adopted = false;
        VECSIM_RETURN_IF_ERROR(adopt(replaced, &adopted));
        if (!adopted) {  // the new element is full: another link, if any
          refused_.push_back(replaced);
          continue;
        }
      }
      bool written = false;
      VECSIM_RETURN_IF_ERROR(replace_link(n.node, body, 0, static_cast<int>(worst), replaced, o, &written));
      if (written) {
        auto in = incoming_.find(replaced);
        if (in != incoming_.end()) --in->second;
        ++incoming_[o];
        *replaced_one = true;
        return Status::ok();
      }
    }
    return Status::ok();
  }

  // Re-selects element r's list on layer (r's body bytes given, its live
  // links in links_) from its live links and a search for its own value,
  // without gone_ elements and without r itself.
  Status repair(HnswRef r, std::size_t body, int layer) {
    expected_ = links_;
    VECSIM_RETURN_IF_ERROR(copy_value(r, &base_));
    ValueRef base{base_.data(), base_.size()};
    prune_.clear();
    for (HnswRef l : expected_) {
      if (gone_.count(l)) continue;
      Candidate c{0, l};
      VECSIM_RETURN_IF_ERROR(distance(base, l, &c.distance));
      prune_.push_back(c);
    }
    if (meta_.entry != kNoRef && meta_.entry_level >= layer) {
      Candidate nearest{0, meta_.entry};
      VECSIM_RETURN_IF_ERROR(descend(base, layer, &nearest));
      entries_.assign(1, nearest);
      VECSIM_RETURN_IF_ERROR(search_layer(base, meta_.ef_construction, layer, r));
      for (const Candidate& c : pool_.sorted()) {
        if (c.node == r || gone_.count(c.node)) continue;
        bool known = false;
        for (const Candidate& p : prune_) known |= p.node == c.node;
        if (!known) prune_.push_back(c);
      }
    }
    bool written = false;
    return reselect(r, body, layer, kNoRef, nullptr, &written);
  }

  // Sorts prune_ (candidate links of element r, of body bytes, on layer,
  // with their distances from r), keeps what the heuristic keeps, and
  // writes that as r's list, unused slots kNoRef, if the list still is
  // expected_ (what the candidates were taken from: a concurrent insert
  // may have changed it since). *kept_added (if given): whether `added` is
  // among the kept; *written: whether the list was written.
  Status reselect(HnswRef r, std::size_t body, int layer, HnswRef added, bool* kept_added,
                  bool* written) {
    *written = false;
    std::sort(prune_.begin(), prune_.end(), Closer{r});
    int cap = layout_.capacity(layer);
    VECSIM_RETURN_IF_ERROR(select(prune_, cap, &kept_));
    bool found = false;
    for (const Candidate& k : kept_) found |= k.node == added;
    if (kept_added) *kept_added = found;
    // A list that does not take the new element stays as it is: whatever
    // it would drop then stays linked from here, and whatever it drops
    // when it does take it is first linked from the new element, which
    // this list then links, so no element loses its last way in, even if
    // the insert stops (a crash) right after this write.
    if (added != kNoRef && !found) return Status::ok();
    if (layer == 0 && adopter_ != kNoRef) {
      bool safe = true;
      VECSIM_RETURN_IF_ERROR(adopt_dropped(added, cap, &safe));
      if (!safe) {  // as if the list had turned the new element down
        if (kept_added) *kept_added = false;
        return Status::ok();
      }
    }
    new_links_.assign(static_cast<std::size_t>(cap), kNoRef);
    for (std::size_t i = 0; i < kept_.size(); ++i) new_links_[i] = kept_[i].node;
    return replace_list(r, body, layer, written);
  }

  // CONCURRENT INSERTS: every write an insert makes to an item another
  // insert may also change (a list, the metapage, a deleted slot) is one
  // read-check-write under the page's lock (PageStore::update_item), so no
  // insert overwrites what another wrote after it read. A check that fails
  // means the item changed: the caller reads it again and retries, up to
  // kWriteAttempts times (each failure is another insert's progress).
  static constexpr int kWriteAttempts = 64;
  // Vacuum's re-link passes (2b); one or two are the rule.
  static constexpr int kRelinkPasses = 8;
  // Lists a re-link tries for a link it may replace.
  static constexpr std::size_t kRelinkLists = 8;

  // f(unsigned char* list) -> bool on r's list on layer (r's body bytes
  // given; capacity refs at `list`, any alignment), under r's page lock,
  // as PageStore::update_item: true keeps what f wrote (*changed).
  template <class F>
  Status update_list(HnswRef r, std::size_t body, int layer, F&& f, bool* changed) {
    const std::size_t at = layout_.links_offset(body, layer);
    const std::size_t end = at + sizeof(HnswRef) * static_cast<std::size_t>(layout_.capacity(layer));
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(store_->update_item(ref_block(r), ref_offset(r), [&](unsigned char* p, std::size_t n) {
      if (n < end) return intact = false;
      return f(p + at);
    }, changed));
    return intact ? Status::ok() : corrupt_element(r);
  }
  static HnswRef list_link(const unsigned char* list, int i) {
    HnswRef link;
    std::memcpy(&link, list + sizeof link * i, sizeof link);
    return link;
  }
  static void set_list_link(unsigned char* list, int i, HnswRef link) {
    std::memcpy(list + sizeof link * i, &link, sizeof link);
  }

  // Appends x to r's list on layer (r's body bytes given): *linked is true
  // when x is in the list afterwards (appended now, or there already),
  // false when the list is full.
  Status append_link(HnswRef r, std::size_t body, int layer, HnswRef x, bool* linked) {
    const int cap = layout_.capacity(layer);
    bool changed = false;
    *linked = false;
    return update_list(r, body, layer, [&](unsigned char* list) {
      for (int i = 0; i < cap; ++i) {
        HnswRef link = list_link(list, i);
        if (link == x || link == kNoRef) {
          *linked = true;
          if (link == x) return false;
          set_list_link(list, i, x);
          return true;
        }
      }
      return false;
    }, &changed);
  }

  // Writes new_links_ as r's list on layer if the list still holds exactly
  // expected_ (*written says whether it did).
  Status replace_list(HnswRef r, std::size_t body, int layer, bool* written) {
    const int cap = layout_.capacity(layer);
    return update_list(r, body, layer, [&](unsigned char* list) {
      for (int i = 0; i < cap; ++i) {
        HnswRef want = i < static_cast<int>(expected_.size()) ? expected_[i] : kNoRef;
        if (list_link(list, i) != want) return false;
      }
      std::memcpy(list, new_links_.data(), sizeof(HnswRef) * new_links_.size());
      return true;
    }, written);
  }

  // Writes x into slot i of r's list on layer if that still holds `was`.
  Status replace_link(HnswRef r, std::size_t body, int layer, int i, HnswRef was, HnswRef x,
                      bool* written) {
    return update_list(r, body, layer, [&](unsigned char* list) {
      if (list_link(list, i) != was) return false;
      set_list_link(list, i, x);
      return true;
    }, written);
  }

  // Links from the inserted element (adopter_) every candidate of prune_
  // the re-selection in kept_ drops, while it has free layer-0 slots; each
  // is one write, made before the list that drops it is rewritten. Once
  // the new element is full (concurrent inserts fill its slots too), a
  // dropped candidate stays in the re-selected list instead, while that
  // has room; *safe is false if one could go nowhere (the list must then
  // stay as it is).
  Status adopt_dropped(HnswRef added, int cap, bool* safe) {
    *safe = true;
    for (const Candidate& c : prune_) {
      if (c.node == added) continue;
      bool kept = false;
      for (const Candidate& k : kept_) kept |= k.node == c.node;
      if (kept) continue;
      bool adopted = false;
      VECSIM_RETURN_IF_ERROR(adopt(c.node, &adopted));
      if (adopted) continue;
      if (kept_.size() < static_cast<std::size_t>(cap)) {
        kept_.push_back(c);
      } else {
        *safe = false;
      }
    }
    return Status::ok();
  }

  // The inserted element (adopter_) links x on layer 0 (one write into its
  // next free slot). *linked: whether it links x now (false only when it
  // has no free slot left).
  Status adopt(HnswRef x, bool* linked) {
    *linked = true;
    if (x == adopter_) return Status::ok();
    return append_link(adopter_, adopter_body_, 0, x, linked);
  }

  static std::uint32_t insert_salt(std::uint32_t heap_block, std::uint16_t heap_offset) {
    return (heap_block << 16 | heap_offset) | 1u;
  }

  int max_level_fitting(std::size_t value_bytes) const {
    return hnsw_max_level_fitting(*store_, layout_, value_bytes);
  }

  int draw_level() {
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    double level = -std::log(1.0 - uniform(rng_)) / std::log(static_cast<double>(meta_.m));
    return level >= kMaxLevel ? kMaxLevel : static_cast<int>(level);
  }

  // Greedy descent from the entry point to layer `to` + 1. One visited set
  // serves every layer: an element already measured is no nearer than the
  // current nearest (greedy keeps the minimum), so it is never measured
  // again. Within a layer, the element moved to was read with its links on
  // that layer (visit_page), so only each layer's first list is a read.
  Status descend(ValueRef query, int to, Candidate* nearest) {
    reset_visited();
    VECSIM_RETURN_IF_ERROR(distance(query, nearest->node, &nearest->distance));
    visited_.insert(nearest->node);
    for (int layer = meta_.entry_level; layer > to; --layer) {
      bool first = true;
      for (bool moved = true; moved; first = false) {
        moved = false;
        std::uint32_t at = visited_.value(nearest->node);
        if (first || at == RefSet::kNoValue) {
          VECSIM_RETURN_IF_ERROR(links(nearest->node, layer, &links_, nullptr));
        } else {
          seen_links(at, &links_);
        }
        Candidate best = *nearest;
        VECSIM_RETURN_IF_ERROR(measure_fresh_links(query, layer, [&](const Candidate& c) {
          if (closer(c, best)) best = c;
        }));
        if (best.node != nearest->node) {
          *nearest = best;
          moved = true;
        }
      }
    }
    return Status::ok();
  }

  // The ef nearest elements reachable on layer from entries_, into pool_.
  // salt orders ties (candidate_heap.h): 0 for a search; when linking an
  // element, its ref (never 0), or insert_salt() for one not yet placed.
  Status search_layer(ValueRef query, int ef, int layer, std::uint32_t salt) {
    reset_visited();
    return expand(query, ef, layer, /*scan=*/false, nullptr, salt);
  }

  // Best-first search on layer from entries_ into a fresh pool of ef, with
  // the visited set as it stands (an iterative scan keeps it across
  // batches). scan: for a scan's batch (see the entries below).
  // Candidates the pool drops go to *dropped if given.
  Status expand(ValueRef query, int ef, int layer, bool scan, CandidateQueue* dropped,
                std::uint32_t salt = 0) {
    pool_.reset(static_cast<std::size_t>(ef), salt);
    Candidate out;
    auto offer = [&](const Candidate& c) {
      if (pool_.offer(c, &out) && dropped) dropped->push(out);
    };
    for (const Candidate& e : entries_) {
      // Entries from an earlier batch are visited already, and still new
      // to this pool. A scan reads a fresh entry (its start, measured by
      // the descent) again, so that what it hands out of it (distance,
      // heap TID, deleted flag) comes from one read even if an insert
      // reuses the slot meanwhile.
      if (!visited_.insert(e.node)) {
        if (scan) offer(e);
      } else if (scan) {
        VECSIM_RETURN_IF_ERROR(visit_page(query, &e.node, 1, layer));
        offer(Candidate{fresh_distances_[0], e.node});
      } else {
        offer(e);
      }
    }
    Candidate c;
    while (pool_.next(&c)) {
      std::uint32_t at = visited_.value(c.node);
      if (at != RefSet::kNoValue) {
        seen_links(at, &links_);
      } else {
        VECSIM_RETURN_IF_ERROR(links(c.node, layer, &links_, nullptr));
      }
      VECSIM_RETURN_IF_ERROR(measure_fresh_links(query, layer, offer));
    }
    return Status::ok();
  }

  // The distance to each link in links_ not yet in visited_, passed to
  // take(Candidate), each link added to visited_ with its seen_ entry.
  // The links are read in block-major order (a ref is block << 9 | offset)
  // so that the ones on one page are read under one pin: all their memory
  // announced to the store first, so that the loads overlap, then one read
  // per page.
  template <class Take>
  Status measure_fresh_links(ValueRef query, int layer, Take&& take) {
    fresh_.clear();
    for (HnswRef r : links_) {
      if (visited_.insert(r)) fresh_.push_back(r);
    }
    std::sort(fresh_.begin(), fresh_.end());
    for (HnswRef r : fresh_) store_->prefetch_page(ref_address(r));
    for (HnswRef r : fresh_) store_->prefetch_item(ref_address(r));
    for (std::size_t i = 0; i < fresh_.size();) {
      std::size_t end = i + 1;
      while (end < fresh_.size() && ref_block(fresh_[end]) == ref_block(fresh_[i])) ++end;
      VECSIM_RETURN_IF_ERROR(visit_page(query, &fresh_[i], end - i, layer));
      for (std::size_t k = 0; k < end - i; ++k) take(Candidate{fresh_distances_[k], fresh_[i + k]});
      i = end;
    }
    return Status::ok();
  }

  // A search reads each element it reaches once (visit_page), keeping in seen_
  // what it may need later: the element's links on the searched layer (to
  // expand it) and its header fields (to hand it out). A visited element's
  // entry starts at visited_.value(r):
  //   word 0: link count | deleted flag << 16; word 1: heap block;
  //   word 2: heap offset; then the links.
  static constexpr std::size_t kSeenLinks = 3;
  // Pages an insert looks through for a deleted element's slot (reuse_slot).
  static constexpr int kReuseScanPages = 8;

  void reset_visited() {
    visited_.clear();
    seen_.clear();
  }

  // The distances from query to refs[0 .. n) (all on one page, each just
  // added to visited_) into fresh_distances_, with their entries in seen_.
  // A spilled element's distance waits until the page is released: its
  // inline part is copied out, the rest read from its chunks.
  Status visit_page(ValueRef query, const HnswRef* refs, std::size_t n, int layer) {
    fresh_offsets_.resize(n);
    fresh_distances_.resize(n);
    for (std::size_t k = 0; k < n; ++k) fresh_offsets_[k] = ref_offset(refs[k]);
    HnswRef corrupt = kNoRef;
    spilled_.clear();
    VECSIM_RETURN_IF_ERROR(store_->read_items(
        ref_block(refs[0]), fresh_offsets_.data(), n,
        [&](std::size_t k, const unsigned char* p, std::size_t bytes) {
          HnswElementHeader h;
          if (!parse_element(p, bytes, &h)) {
            if (corrupt == kNoRef) corrupt = refs[k];
            return;
          }
          if (HnswElementLayout::spilled(h)) {
            if (spill_values_.size() <= spilled_.size()) spill_values_.resize(spilled_.size() + 1);
            spilled_.push_back(SpilledValue{k, begin_spilled_value(h, p, &spill_values_[spilled_.size()])});
          } else {
            fresh_distances_[k] = metric_.distance(query, value_of(h, p));
          }
          visited_.set_value(refs[k], remember_seen(h, p, layer));
        }));
    if (corrupt != kNoRef) return corrupt_element(corrupt);
    for (std::size_t i = 0; i < spilled_.size(); ++i) {
      AlignedBytes& value = spill_values_[i];
      VECSIM_RETURN_IF_ERROR(read_chunks(refs[spilled_[i].k], spilled_[i].chunk, &value));
      fresh_distances_[spilled_[i].k] = metric_.distance(query, ValueRef{value.data(), value.size()});
    }
    return Status::ok();
  }

  // The links and the deleted flag of the seen_ entry at `at`.
  void seen_links(std::uint32_t at, std::vector<HnswRef>* out) const {
    out->assign(seen_.begin() + at + kSeenLinks, seen_.begin() + at + kSeenLinks + (seen_[at] & 0xffff));
  }
  bool seen_deleted(std::uint32_t at) const { return (seen_[at] >> 16) & kElementDeleted; }

  // Appends r's entry to seen_ (see kSeenLinks) and returns where it starts.
  std::uint32_t remember_seen(const HnswElementHeader& h, const unsigned char* p, int layer) {
    std::uint32_t at = static_cast<std::uint32_t>(seen_.size());
    seen_.resize(at + kSeenLinks);
    append_links(h, p, layer, &seen_);
    std::uint32_t count = static_cast<std::uint32_t>(seen_.size() - at - kSeenLinks);
    seen_[at] = count | (static_cast<std::uint32_t>(h.flags & kElementDeleted) << 16);
    seen_[at + 1] = h.heap_block;
    seen_[at + 2] = h.heap_offset;
    return at;
  }

  // r's deleted flag and heap tuple, from seen_ when the search visited it,
  // else read.
  Status hit_of(const Candidate& c, bool* deleted, HnswHit* hit) {
    std::uint32_t at = visited_.value(c.node);
    if (at != RefSet::kNoValue) {
      *deleted = seen_deleted(at);
      *hit = HnswHit{c.distance, c.node, seen_[at + 1], static_cast<std::uint16_t>(seen_[at + 2])};
      return Status::ok();
    }
    HnswElementHeader h;
    VECSIM_RETURN_IF_ERROR(header(c.node, &h));
    *deleted = h.flags & kElementDeleted;
    *hit = HnswHit{c.distance, c.node, h.heap_block, h.heap_offset};
    return Status::ok();
  }

  // The heuristic over candidates of one base, reading each candidate's
  // value once while it is compared with the kept ones.
  Status select(const std::vector<Candidate>& sorted, int m, std::vector<Candidate>* kept) {
    Status failed;
    HnswRef copied = kNoRef;
    select_diverse(
        sorted, m,
        one_at_a_time([&](std::uint32_t a, std::uint32_t b) {
          if (!failed.is_ok()) return 0.0f;
          if (a != copied) {
            Status st = copy_value(a, &scratch_);
            if (!st.is_ok()) {
              failed = st;
              return 0.0f;
            }
            copied = a;
          }
          float d = 0;
          Status st = distance(ValueRef{scratch_.data(), scratch_.size()}, b, &d);
          if (!st.is_ok()) failed = st;
          return d;
        }),
        kept, fill_lists_);
    return failed;
  }

  // Step 2 for one neighbour: a free slot takes the link; a full list is
  // re-selected over its links and the new element (both again from a
  // fresh read if a concurrent insert changed the list first).
  // *stayed (if given): whether `added` is in the list afterwards.
  Status link_back(const Candidate& neighbour, HnswRef added, int layer, bool* stayed) {
    HnswRef n = neighbour.node;
    if (stayed) *stayed = false;
    bool have_value = false;
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(links(n, layer, &links_, &body));
      if (std::find(links_.begin(), links_.end(), added) != links_.end()) {
        if (stayed) *stayed = true;  // a concurrent insert linked it already
        return Status::ok();
      }
      if (static_cast<int>(links_.size()) < layout_.capacity(layer)) {
        bool linked = false;
        VECSIM_RETURN_IF_ERROR(append_link(n, body, layer, added, &linked));
        if (linked) {
          if (stayed) *stayed = true;
          return Status::ok();
        }
        continue;  // filled meanwhile
      }
      expected_ = links_;
      if (!have_value) {
        VECSIM_RETURN_IF_ERROR(copy_value(n, &base_));
        have_value = true;
      }
      ValueRef base{base_.data(), base_.size()};
      prune_.assign(1, Candidate{neighbour.distance, added});
      for (HnswRef r : expected_) {
        Candidate c{0, r};
        VECSIM_RETURN_IF_ERROR(distance(base, r, &c.distance));
        prune_.push_back(c);
      }
      bool kept = false;
      bool written = false;
      VECSIM_RETURN_IF_ERROR(reselect(n, body, layer, added, &kept, &written));
      if (!kept) return Status::ok();  // the list turned the new element down
      if (written) {
        if (stayed) *stayed = true;
        return Status::ok();
      }
    }
    return Status::ok();  // the list kept changing: the new element's other links serve
  }

  // Step 1 of INSERT: writes the new element (value at level, links
  // chosen_) and names it in *ref; item_body_ is its body's size after.
  // A whole item goes over a deleted element of the same size if there is
  // one (reuse_slot), else on the last page if that has room (bytes and a
  // line pointer that a reference can name), else on a new page. A value
  // too large for that is spilled (place_spilled).
  Status place(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
               HnswRef* ref) {
    if (!hnsw_fits_unspilled(*store_, layout_, value.size, level)) {
      return place_spilled(value, level, heap_block, heap_offset, ref);
    }
    build_item(value, level, heap_block, heap_offset, value.size, kNoRef);
    bool reused = false;
    VECSIM_RETURN_IF_ERROR(reuse_slot(level, ref, &reused));
    if (reused) return Status::ok();
    return add_item_to_last_page(ref);
  }

  // Adds item_ to the last page if it has room, else to a new page. The
  // room is checked again as the item is added: a concurrent insert may
  // have filled the page since.
  Status add_item_to_last_page(HnswRef* ref) {
    // The page count this store knows may lag (concurrent inserts extend
    // the relation): before a new page, the newest last page is tried.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (attempt > 0) VECSIM_RETURN_IF_ERROR(store_->refresh_page_count());
      bool room = false;
      VECSIM_RETURN_IF_ERROR(last_page_has_room(store_->item_cost(item_.size()), &room));
      if (!room) continue;
      bool added = false;
      VECSIM_RETURN_IF_ERROR(add_item_if_room(store_->page_count() - 1, ref, &added));
      if (added) return Status::ok();
    }
    return append_page_with(item_, ref);
  }

  // Adds item_ to block if the page still has room (*added), naming it in
  // *ref.
  Status add_item_if_room(std::uint32_t block, HnswRef* ref, bool* added) {
    std::uint16_t offset = 0;
    VECSIM_RETURN_IF_ERROR(store_->add_item_if_room(block, item_.data(), item_.size(), &offset, added));
    if (*added) *ref = make_ref(block, offset);
    return Status::ok();
  }

  // A spilled element (storage/hnsw_spill.h): the element goes on the last
  // page if that has room for kMinInlineBytes of its value, else on a new
  // page; the rest of the value in chunks, each on a new page of its own
  // (full ones but the first), written last chunk first so that each
  // write names only chunks already written, and the element last (on a
  // newer page after all if a concurrent insert took the room first: it
  // fits, as an empty page has more room). An insert cut short leaves
  // chunks, and perhaps an empty page, that nothing names.
  Status place_spilled(ValueRef value, int level, std::uint32_t heap_block,
                       std::uint16_t heap_offset, HnswRef* ref) {
    std::uint32_t block = store_->page_count() - 1;
    std::size_t inline_bytes = 0;
    if (block > 0) {
      std::uint16_t items = 0;
      VECSIM_RETURN_IF_ERROR(store_->item_count(block, &items));
      if (items < kMaxRefOffset) {
        std::size_t free = 0;
        VECSIM_RETURN_IF_ERROR(store_->free_space(block, &free));
        inline_bytes = hnsw_inline_fitting(*store_, layout_, value.size, level, free);
      }
    }
    if (inline_bytes < kMinInlineBytes) {
      // A page of its own, taken before the chunks so that the last of
      // them (the partial first chunk) ends the relation, where the next
      // insert's element fills its room.
      VECSIM_RETURN_IF_ERROR(append_page(nullptr, &block));
      inline_bytes = hnsw_inline_fitting(*store_, layout_, value.size, level, store_->page_capacity());
    }
    // The first chunk takes what full chunks leave, and is written (so
    // appended) last: its page, the relation's last, has the room that
    // the next insert fills.
    const std::size_t capacity = hnsw_chunk_capacity(*store_);
    const std::size_t rest = value.size - inline_bytes;
    const std::size_t chunks = (rest + capacity - 1) / capacity;
    const std::size_t first = rest - (chunks - 1) * capacity;
    HnswRef next = kNoRef;
    for (std::size_t i = chunks; i-- > 0;) {
      const std::size_t from = inline_bytes + (i == 0 ? 0 : first + (i - 1) * capacity);
      const std::size_t n = i == 0 ? first : capacity;
      chunk_item_.assign(sizeof(HnswChunkHeader) + n, 0);
      encode_chunk(chunk_item_.data(), value.bytes + from, n, next);
      VECSIM_RETURN_IF_ERROR(append_page_with(chunk_item_, &next));
    }
    build_item(value, level, heap_block, heap_offset, inline_bytes, next);
    bool added = false;
    VECSIM_RETURN_IF_ERROR(add_item_if_room(block, ref, &added));
    return added ? Status::ok() : append_page_with(item_, ref);
  }

  // *room: whether the last page (not the metapage) can take an item
  // costing cost.
  Status last_page_has_room(std::size_t cost, bool* room) {
    *room = false;
    const std::uint32_t block = store_->page_count() - 1;
    if (block == 0) return Status::ok();
    std::size_t free = 0;
    std::uint16_t items = 0;
    VECSIM_RETURN_IF_ERROR(store_->free_space(block, &free));
    VECSIM_RETURN_IF_ERROR(store_->item_count(block, &items));
    *room = free >= cost && items < kMaxRefOffset;
    return Status::ok();
  }

  // A new page holding item (its first item, in one write, so that no
  // concurrent insert can take its room first); *ref names the item.
  Status append_page_with(const std::vector<unsigned char>& item, HnswRef* ref) {
    std::uint32_t block = 0;
    VECSIM_RETURN_IF_ERROR(append_page(&item, &block));
    *ref = make_ref(block, 1);
    return Status::ok();
  }

  // Appends a page, empty or holding *item, within the blocks a 4-byte
  // reference can name (checked before, on the page count this store
  // knows, and after, on the block the relation gave).
  Status append_page(const std::vector<unsigned char>* item, std::uint32_t* block) {
    if (store_->page_count() > kMaxRefBlock) return too_many_pages();
    VECSIM_RETURN_IF_ERROR(item ? store_->new_page_with_item(item->data(), item->size(), block)
                                : store_->new_page(block));
    return *block > kMaxRefBlock ? too_many_pages() : Status::ok();
  }

  static Status too_many_pages() {
    return Status::error(ErrorCode::kProgramLimit, "hnsw index would exceed %u pages", kMaxRefBlock);
  }

  // item_: the element for value at level with the chosen_ links, holding
  // inline_bytes of the value (all of it, or a spilled element's first
  // part, its chunks starting at `chunk`); item_body_ its body's size.
  void build_item(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                  std::size_t inline_bytes, HnswRef chunk) {
    const bool spilled = inline_bytes < value.size;
    HnswElementHeader h{static_cast<std::uint8_t>(level),
                        spilled ? kElementSpilled : std::uint8_t{0},
                        static_cast<std::uint16_t>(value.size),
                        heap_block,
                        heap_offset,
                        static_cast<std::uint16_t>(spilled ? inline_bytes : 0)};
    item_body_ = HnswElementLayout::body_bytes(h);
    item_.assign(layout_.item_size(item_body_, level), 0);
    encode_element_head(item_.data(), h, value.bytes, chunk);
    for (int layer = 0; layer <= level; ++layer) {
      set_item_links(layer, layer < static_cast<int>(chosen_.size()) ? chosen_[layer] : no_links_);
    }
  }

  // Looks for a deleted element whose item is exactly item_'s size on at
  // most kReuseScanPages pages from meta_.reuse_block on, and writes item_
  // over the first one found, in one write that checks the slot is still
  // a deleted element of that size (a concurrent insert may have taken
  // it: then the next one is tried) (*reused). Only layer-0
  // elements (all but about 1/m of them) are placed so; an upper-layer one
  // needs a larger slot than most deleted ones have. Spilled elements are
  // neither placed so nor overwritten (their chunks could not be). The hint moves past
  // the pages where no slot fitted (a slot of another size, left by an
  // upper-layer element or a sparse value of other length, waits for the
  // next vacuum to point the hint back at it) and becomes 0 when the scan
  // runs off the end; vacuum sets it again.
  //
  // Why overwriting is safe: vacuum unlinks an element (no live list links
  // it, its own links are cleared) before it flags it deleted, so the slot
  // is unreachable, as a new element on a fresh page is; a scan that still
  // holds its reference from before reads either the deleted element or
  // the new one, each whole (one write under the buffer lock), and any heap
  // TID it gets from it is checked against its snapshot by the executor.
  Status reuse_slot(int level, HnswRef* ref, bool* reused) {
    *reused = false;
    // A hint past this store's page count was set by a concurrent insert
    // that saw more pages: left as it is.
    if (level > 0 || meta_.reuse_block == 0 || meta_.reuse_block >= store_->page_count()) {
      return Status::ok();
    }
    reuse_moved_ = true;
    std::uint32_t block = meta_.reuse_block;
    for (int scanned = 0; block < store_->page_count() && scanned < kReuseScanPages; ++block, ++scanned) {
      slots_.clear();
      VECSIM_RETURN_IF_ERROR(read_page_elements(
          block, [&](HnswRef r, const HnswElementHeader&, const unsigned char* p, std::size_t n) {
            if (reusable_slot(p, n)) slots_.push_back(r);
          }));
      for (HnswRef slot : slots_) {
        bool taken = false;
        VECSIM_RETURN_IF_ERROR(store_->update_item(block, ref_offset(slot), [&](unsigned char* p, std::size_t n) {
          if (!reusable_slot(p, n)) return false;
          std::memcpy(p, item_.data(), n);
          return true;
        }, &taken));
        if (taken) {
          meta_.reuse_block = block;  // it may hold more
          *ref = slot;
          *reused = true;
          return Status::ok();
        }
      }
    }
    meta_.reuse_block = block < store_->page_count() ? block : 0;
    return Status::ok();
  }

  // Whether item p (n bytes) is a deleted element that item_ may replace.
  bool reusable_slot(const unsigned char* p, std::size_t n) const {
    HnswElementHeader h;
    if (n != item_.size() || !parse_element(p, n, &h)) return false;
    return (h.flags & kElementDeleted) && !HnswElementLayout::spilled(h);
  }

  void set_item_links(int layer, const std::vector<Candidate>& chosen) {
    unsigned char* at = item_.data() + layout_.links_offset(item_body_, layer);
    for (int i = 0; i < layout_.capacity(layer); ++i) {
      HnswRef r = i < static_cast<int>(chosen.size()) ? chosen[i].node : kNoRef;
      std::memcpy(at + sizeof r * i, &r, sizeof r);
    }
  }

  // Every read of an element goes through here: f(header, item) runs only
  // when the item is as long as its header says (value and links for its
  // level, for this index's m); otherwise the element is corrupt (XX000)
  // and nothing past the item is read.
  template <class F>
  Status read_element(HnswRef r, F&& f) {
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(store_->read_item(ref_block(r), ref_offset(r),
                                             [&](const unsigned char* p, std::size_t n) {
      HnswElementHeader h;
      intact = parse_element(p, n, &h);
      if (intact) f(h, p);
    }));
    return intact ? Status::ok() : corrupt_element(r);
  }

  // f(ref, header, item, item bytes) for every element on block (chunks
  // passed over), in order, in one read of the page; a corrupt item is
  // XX000.
  template <class F>
  Status read_page_elements(std::uint32_t block, F&& f) {
    HnswRef corrupt = kNoRef;
    VECSIM_RETURN_IF_ERROR(store_->read_all_items(
        block, [&](std::uint16_t offset, const unsigned char* p, std::size_t n) {
          HnswRef r = make_ref(block, offset);
          HnswElementHeader h;
          if (is_chunk(p, n)) return;
          if (parse_element(p, n, &h)) {
            f(r, h, p, n);
          } else if (corrupt == kNoRef) {
            corrupt = r;
          }
        }));
    return corrupt == kNoRef ? Status::ok() : corrupt_element(corrupt);
  }

  // Whether the n bytes at p hold a whole element (not a chunk), and its
  // header.
  bool parse_element(const unsigned char* p, std::size_t n, HnswElementHeader* h) const {
    if (n < sizeof *h) return false;
    std::memcpy(h, p, sizeof *h);
    if (h->flags & kValueChunk) return false;
    if (HnswElementLayout::spilled(*h) && h->inline_bytes >= h->value_bytes) return false;
    return n >= layout_.item_size(HnswElementLayout::body_bytes(*h), h->level);
  }

  static bool is_chunk(const unsigned char* p, std::size_t n) {
    return n >= sizeof(HnswChunkHeader) && (p[offsetof(HnswChunkHeader, flags)] & kValueChunk);
  }

  static Status corrupt_element(HnswRef r) {
    return Status::error(ErrorCode::kInternal, "hnsw element (%u,%u) is corrupt", ref_block(r),
                         ref_offset(r));
  }

  // The value of an element that is not spilled, in place.
  static ValueRef value_of(const HnswElementHeader& h, const unsigned char* item) {
    return ValueRef{item + HnswElementLayout::value_offset(h), h.value_bytes};
  }

  // A spilled element's value, begun: *out sized for the whole value and
  // holding its inline part; returns the first chunk (read_chunks reads
  // the rest once the element's page is released).
  static HnswRef begin_spilled_value(const HnswElementHeader& h, const unsigned char* p,
                                     AlignedBytes* out) {
    unsigned char* at = out->resize(h.value_bytes);
    std::memcpy(at, p + HnswElementLayout::value_offset(h), h.inline_bytes);
    out->set_filled(h.inline_bytes);
    return HnswElementLayout::chunk_of(p);
  }

  // Reads the chunks from `chunk` on into *value after its filled bytes,
  // until it is whole. A chain that ends early, runs long or names
  // something other than a chunk is element r's corruption (XX000).
  Status read_chunks(HnswRef r, HnswRef chunk, AlignedBytes* value) {
    unsigned char* out = value->mutable_data();
    std::size_t have = value->filled();
    while (have < value->size()) {
      if (chunk == kNoRef) return corrupt_element(r);
      bool intact = false;
      HnswRef next = kNoRef;
      VECSIM_RETURN_IF_ERROR(store_->read_item(ref_block(chunk), ref_offset(chunk),
                                               [&](const unsigned char* p, std::size_t n) {
        HnswChunkHeader c;
        if (n < sizeof c) return;
        std::memcpy(&c, p, sizeof c);
        if (c.flags != kValueChunk || c.zero != 0 || c.bytes == 0 ||
            n < sizeof c + c.bytes || c.bytes > value->size() - have) {
          return;
        }
        std::memcpy(out + have, p + sizeof c, c.bytes);
        have += c.bytes;
        next = c.next;
        intact = true;
      }));
      if (!intact) return corrupt_element(r);
      chunk = next;
    }
    value->set_filled(have);
    return chunk == kNoRef ? Status::ok() : corrupt_element(r);
  }

  // f(ValueRef) with element r's value: in place, or assembled in *buffer
  // when spilled.
  template <class F>
  Status with_value(HnswRef r, AlignedBytes* buffer, F&& f) {
    HnswRef chunk = kNoRef;
    VECSIM_RETURN_IF_ERROR(read_element(r, [&](const HnswElementHeader& h, const unsigned char* p) {
      if (HnswElementLayout::spilled(h)) {
        chunk = begin_spilled_value(h, p, buffer);
      } else {
        f(value_of(h, p));
      }
    }));
    if (chunk == kNoRef) return Status::ok();
    VECSIM_RETURN_IF_ERROR(read_chunks(r, chunk, buffer));
    f(ValueRef{buffer->data(), buffer->size()});
    return Status::ok();
  }

  Status distance(ValueRef query, HnswRef r, float* d) {
    return with_value(r, &spill_value_, [&](ValueRef v) { *d = metric_.distance(query, v); });
  }

  // The value of element r, copied (4-byte aligned, as values need).
  Status copy_value(HnswRef r, AlignedBytes* out) {
    return with_value(r, out, [&](ValueRef v) {
      if (v.bytes != out->data()) out->assign(v.bytes, v.size);
    });
  }

  Status header(HnswRef r, HnswElementHeader* out) {
    return read_element(r, [&](const HnswElementHeader& h, const unsigned char*) { *out = h; });
  }

  // The used links of element r on layer (none when r's level is below
  // layer); *body (if given) the size of r's body (HnswElementLayout).
  Status links(HnswRef r, int layer, std::vector<HnswRef>* out, std::size_t* body) {
    out->clear();
    return read_element(r, [&](const HnswElementHeader& h, const unsigned char* p) {
      if (body) *body = HnswElementLayout::body_bytes(h);
      append_links(h, p, layer, out);
    });
  }

  // Appends the used links of element (h, p) on layer to *out (none when
  // its level is below layer).
  void append_links(const HnswElementHeader& h, const unsigned char* p, int layer,
                    std::vector<HnswRef>* out) const {
    if (layer > h.level) return;
    for (int i = 0; i < layout_.capacity(layer); ++i) {
      HnswRef link = layout_.link_at(p, HnswElementLayout::body_bytes(h), layer, i);
      if (link == kNoRef) break;
      out->push_back(link);
    }
  }

  Store* store_;
  AnyMetric metric_;
  std::mt19937_64 rng_;
  bool fill_lists_;
  // the element an insert is linking in, while it adopts dropped links
  HnswRef adopter_ = kNoRef;
  std::size_t adopter_body_ = 0;
  bool reuse_moved_ = false;  // this insert moved meta_.reuse_block
  std::vector<HnswRef> expected_;  // a list as read, for replace_list
  HnswMeta meta_{};
  HnswElementLayout layout_{16};

  // scratch, reused across calls
  RefSet visited_;
  std::vector<std::uint32_t> seen_;  // see kSeenLinks
  std::unordered_set<HnswRef> dying_, gone_, reached_;
  std::unordered_map<HnswRef, std::uint32_t> incoming_;  // find_unreachable()'s

  // iterative scan state
  AlignedBytes scan_query_;
  int scan_ef_ = 40;
  ScanOrder scan_order_ = ScanOrder::kOff;
  ScanLimits scan_limits_{0, 0};
  std::vector<Candidate> scan_pending_;
  std::size_t scan_next_ = 0;
  CandidateQueue scan_dropped_;
  bool scan_done_ = true;
  float scan_last_ = 0;
  std::vector<HnswRef> live_;
  std::vector<std::uint8_t> live_levels_;  // the levels of live_, same order
  SearchPool pool_;
  std::vector<HnswRef> links_, new_links_, fresh_;
  std::vector<std::uint16_t> fresh_offsets_;  // visit_page()'s scratch
  std::vector<std::pair<HnswRef, HnswElementHeader>> page_headers_;  // vacuum's, per page
  std::vector<float> fresh_distances_;        // visit_page()'s result
  std::vector<Candidate> entries_, sorted_, prune_, kept_;
  std::vector<std::vector<Candidate>> chosen_;
  std::vector<unsigned char> item_, chunk_item_;
  std::size_t item_body_ = 0;                   // item_'s body bytes
  const std::vector<Candidate> no_links_;
  // visit_page()'s spilled elements: where in its batch, and first chunk
  struct SpilledValue {
    std::size_t k;
    HnswRef chunk;
  };
  std::vector<SpilledValue> spilled_;
  std::vector<AlignedBytes> spill_values_;
  AlignedBytes scratch_, scratch2_, base_, spill_value_;
  std::vector<HnswRef> orphans_, slots_, refused_;
  std::vector<Candidate> relink_to_;
};

}  // namespace vecsim::core

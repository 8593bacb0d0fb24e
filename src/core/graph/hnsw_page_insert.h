// src/core/graph/hnsw_page_insert.h
// Inserting one element into an hnsw index on pages, in place.
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
//      farthest link, which the new element adopts first; if the search
//      met no live element at all (every one dying), the entry point
//      takes it the same way, though the entry may be dying (it still
//      routes; vacuum re-links the new element from a live one right
//      after writing a live entry point); a new entry point adopts the
//      old one. So no step of an insert leaves a live element without a
//      way in from the entry point;
//   3. the metapage: element count, and the entry point when the new
//      element's level is above the entry's;
//   4. in an index with postings, the element's entries (one per non-null
//      equality-keyed filter column: hnsw_page_postings.h), before the
//      row's transaction can commit.
//   Locking (and WAL) are the caller's (docs/hnsw.md 4.3): inserts may run
//   concurrently with each other and with vacuum as long as none moves
//   the entry point (insert's may_raise_entry); no insert chooses a dying
//   element as a neighbour (hnsw_format.h, kElementDying), though it may
//   adopt one that a list drops (vacuum's sweep repairs that link); every write an insert
//   makes to a shared item is a read-check-write under that page's lock
//   (CONCURRENT INSERTS in hnsw_page_lists.h). Each insert and vacuum
//   re-reads the metapage first.
//
// ROWS OF EQUAL VALUE
//   Before step 1, a row whose value (and attribute block) a live element
//   already holds (found by the layer-0 search) joins that element's TID list, as pgvector's
//   rows do, if it has room (hnsw_page_tids.h): nothing else is written
//   but the row's own posting entries for that element (the insert that
//   wrote the element may not have written its own yet, and may fail).
//
// PLACEMENT
//   As hnsw_page_place.h says; a value too large for a page is spilled
//   into chunk items (storage/hnsw_spill.h).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_levels.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_lists.h"
#include "graph/hnsw_page_place.h"
#include "graph/hnsw_page_postings.h"
#include "graph/hnsw_page_search.h"
#include "graph/hnsw_page_tids.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_spill.h"
#include "util/status.h"

namespace vecsim::core {

template <class Store>
class HnswPageInsert {
 public:
  static constexpr int kMaxLevel = kHnswMaxLevel;

  HnswPageInsert(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader,
                 HnswPageSearch<Store>& search, HnswPageLists<Store>& lists,
                 HnswPagePlacement<Store>& placement, HnswPageTids<Store>& tids,
                 HnswPagePostings<Store>& postings, std::uint64_t seed)
      : ctx_(ctx),
        reader_(reader),
        search_(search),
        lists_(lists),
        placement_(placement),
        tids_(tids),
        postings_(postings),
        rng_(seed) {}

  // Inserts at level (draw_level, capped by max_level_fitting). With
  // may_raise_entry false, an insert whose level is above the entry's, or
  // into an empty index, writes nothing and sets *deferred (see
  // HnswPageGraph::insert).
  // attrs: the row's attribute block (empty without filter columns).
  Status insert(ValueRef value, ValueRef attrs, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                bool may_raise_entry, bool* deferred, HnswRef* ref) {
    *deferred = false;
    if (level < 0) {
      return Status::error(ErrorCode::kProgramLimit,
                           "index value of %zu bytes exceeds the %zu bytes an element can hold",
                           value.size, kMaxValueBytes);
    }
    VECSIM_RETURN_IF_ERROR(ctx_.open());  // another writer may have moved the entry point
    if (attrs.size != ctx_.layout.attr_bytes) {
      return Status::error(ErrorCode::kInternal, "hnsw row with %zu attribute bytes where the index has %zu",
                           attrs.size, ctx_.layout.attr_bytes);
    }
    attrs_ = attrs;
    if (!may_raise_entry && (ctx_.meta.entry == kNoRef || level > ctx_.meta.entry_level)) {
      *deferred = true;
      return Status::ok();
    }
    // Inner product: the bound covers the value before it chooses links.
    const float norm_sq = ctx_.link_norm_of(value);
    VECSIM_RETURN_IF_ERROR(cover_norm(norm_sq));
    search_.set_query_norm(norm_sq);
    reuse_moved_ = false;

    // Choose the neighbours on every layer the new element shares with the
    // graph.
    chosen_.assign(static_cast<std::size_t>(level) + 1, {});
    if (ctx_.meta.entry != kNoRef) {
      const std::uint32_t salt = insert_salt(heap_block, heap_offset);
      VECSIM_RETURN_IF_ERROR(
          search_.start(value, level, hnsw_start_width(ctx_.meta.m, ctx_.meta.ef_construction), salt));
      for (int layer = std::min<int>(level, ctx_.meta.entry_level); layer >= 0; --layer) {
        VECSIM_RETURN_IF_ERROR(search_.search_layer(value, ctx_.meta.ef_construction, layer, salt));
        // Dying elements route the search (and start the next layer's)
        // but are never linked: vacuum is repairing what links them.
        search_.entries().assign(search_.pool().sorted().begin(), search_.pool().sorted().end());
        sorted_ = search_.entries();
        VECSIM_RETURN_IF_ERROR(search_.keep_live(&sorted_));
        // A row whose value an element holds joins it, if it has room,
        // before layer 0's neighbours are chosen for nothing (not in a
        // version 1 index: a binary of that version could not read TID
        // lists).
        if (layer == 0 && ctx_.meta.version >= kHnswTidListsVersion) {
          bool joined = false;
          VECSIM_RETURN_IF_ERROR(join_equal(value, norm_sq, HeapTid{heap_block, heap_offset}, &joined, ref));
          // The row's own entries (the element's may be an insert's that
          // has not written them yet, and may never).
          if (joined) return postings_.add(*ref, attrs_.bytes);
        }
        VECSIM_RETURN_IF_ERROR(lists_.select(sorted_, ctx_.meta.m, &chosen_[layer]));
      }
    }

    // 1. the element
    VECSIM_RETURN_IF_ERROR(place(value, level, heap_block, heap_offset, ref));
    // 2. links back; the new element adopts what layer 0 re-selections drop
    const HnswAdopter adopter{*ref, item_body_};
    // Layer 0 first, with its fallback, before any upper layer can make
    // the new element findable (and so linkable by concurrent inserts)
    // without a layer-0 way in.
    bool linked = false;  // whether some layer-0 list took the new element
    for (int layer = 0; layer <= level; ++layer) {
      for (const Candidate& n : chosen_[layer]) {
        bool stayed = false;
        VECSIM_RETURN_IF_ERROR(lists_.link_back(n, adopter, layer, &stayed));
        linked |= layer == 0 && stayed;
      }
      // No live neighbour at all: every element the search met is dying
      // (a mass delete whose vacuum has not yet written a live entry
      // point). The entry point takes the new element, so that it is
      // reachable at once (dying elements still route searches) and stays
      // so until vacuum, right after it writes a live entry point, re-links
      // it from a live element, before any link to a dying one goes.
      if (layer == 0 && chosen_[0].empty() && ctx_.meta.entry != kNoRef && level <= ctx_.meta.entry_level) {
        VECSIM_RETURN_IF_ERROR(link_from_entry(adopter));
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
        const auto any = [](HnswRef) { return true; };
        bool replaced = false;
        VECSIM_RETURN_IF_ERROR(
            lists_.replace_farthest(chosen_[0].front(), *ref, &adopter, any, nullptr, &replaced));
        if (!replaced) {  // the last resort: replace without adopting
          VECSIM_RETURN_IF_ERROR(
              lists_.replace_farthest(chosen_[0].front(), *ref, nullptr, any, nullptr, &replaced));
        }
        if (!replaced) {
          return unlinkable();
        }
      }
    }
    // A new element that becomes the entry point links the old one on
    // layer 0 too: searches start here from now on, and the old entry may
    // have no incoming link (nothing ever needed to reach it).
    if (ctx_.meta.entry != kNoRef && level > ctx_.meta.entry_level) {
      bool adopted = false;
      VECSIM_RETURN_IF_ERROR(lists_.adopt(adopter, ctx_.meta.entry, &adopted));
    }
    // 3. the metapage, as it is now (concurrent inserts count too)
    const std::uint32_t reuse_block = ctx_.meta.reuse_block;
    bool changed = false;
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(0, 1, [&](unsigned char* p, std::size_t n) {
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
      ctx_.meta = m;
      return true;
    }, &changed));
    if (!intact) return Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt");
    // 4. the postings: before the row's transaction can commit
    return postings_.add(*ref, attrs_.bytes);
  }

  // Raises the norm bound of an inner-product index (norm_slack.h) to
  // cover a value of squared norm norm_sq (ctx_.link_norm_of), if it does
  // not; concurrent inserts raise it by read-check-write, so the bound
  // only grows.
  Status cover_norm(float norm_sq) {
    if (!ctx_.reduces_inner_product) return Status::ok();
    if (raised_norm_bound(ctx_.norm_bound.bound_sq, norm_sq) == ctx_.norm_bound.bound_sq) return Status::ok();
    bool changed = false;
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(0, kHnswNormBoundItem, [&](unsigned char* p, std::size_t n) {
      HnswNormBound b;
      if (n < sizeof b) return intact = false;
      std::memcpy(&b, p, sizeof b);
      ctx_.norm_bound = b;
      const float raised = raised_norm_bound(b.bound_sq, norm_sq);
      if (raised == b.bound_sq) return false;  // raised meanwhile
      b.bound_sq = raised;
      std::memcpy(p, &b, sizeof b);
      ctx_.norm_bound = b;
      return true;
    }, &changed));
    return intact ? Status::ok() : Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt");
  }

  int max_level_fitting(std::size_t value_bytes) const {
    return hnsw_max_level_fitting(*ctx_.store, ctx_.layout, value_bytes);
  }

  // The level of a new element, drawn with the index's m.
  int draw_level() { return draw_hnsw_level(rng_, hnsw_level_scale(ctx_.meta.m)); }


 private:
  // A new element that every list it tried kept turning down (each
  // attempt lost its race to concurrent inserts).
  static Status unlinkable() {
    return Status::error(ErrorCode::kSerializationFailure,
                         "could not link a new hnsw element: its neighbours' lists kept changing "
                         "under concurrent inserts")
        .with_hint("Retry the transaction.");
  }

  // The entry point links the new element (adopter.element) on layer 0:
  // into a free slot, else in place of its farthest link, which the new
  // element adopts first (nothing links the new element yet, so it has
  // room and no other way in). A deleted entry (its links cleared) is
  // left alone: inserts never write a deleted element's list.
  Status link_from_entry(const HnswAdopter& adopter) {
    const HnswRef entry = ctx_.meta.entry;
    HnswElementHeader h;
    VECSIM_RETURN_IF_ERROR(reader_.header(entry, &h));
    if (h.flags & kElementDeleted) return Status::ok();
    bool linked = false;
    VECSIM_RETURN_IF_ERROR(
        lists_.append_link(entry, HnswElementLayout::body_bytes(h), 0, adopter.element, &linked));
    if (linked) return Status::ok();
    const auto any = [](HnswRef) { return true; };
    VECSIM_RETURN_IF_ERROR(
        lists_.replace_farthest(Candidate{0, entry}, adopter.element, &adopter, any, nullptr, &linked));
    if (linked) return Status::ok();
    return unlinkable();
  }

  // ROWS OF EQUAL VALUE: the row t joins the first live element among
  // the layer-0 search's (sorted_) that holds exactly value and has room,
  // of the first kMaxJoinTries that hold it (*joined, *ref naming it).
  // Only an element at value's distance from itself can hold it (the same
  // kernel on the same bytes gives the same float), so a row of a new
  // value reads nothing more.
  Status join_equal(ValueRef value, float norm_sq, HeapTid t, bool* joined, HnswRef* ref) {
    *joined = false;
    const float self = ctx_.distance(value, norm_sq, value);
    int tried = 0;
    for (const Candidate& c : sorted_) {
      if (c.distance != self) continue;
      if (tried++ == kMaxJoinTries) break;
      bool equal = false;
      VECSIM_RETURN_IF_ERROR(reader_.with_value(c.node, &value_, [&](ValueRef v) {
        equal = v.size == value.size && std::memcmp(v.bytes, value.bytes, v.size) == 0;
      }));
      if (equal && attrs_.size > 0) {
        VECSIM_RETURN_IF_ERROR(reader_.read_element(c.node, [&](const HnswElementHeader& h, const unsigned char* p) {
          equal = std::memcmp(ctx_.attrs_of(p, HnswElementLayout::body_bytes(h)), attrs_.bytes, attrs_.size) == 0;
        }));
      }
      if (!equal) continue;
      VECSIM_RETURN_IF_ERROR(tids_.add(c.node, t, joined));
      if (*joined) {
        *ref = c.node;
        return Status::ok();
      }
    }
    return Status::ok();
  }

  // Elements of the row's value (full ones, mostly) tried before the row
  // takes an element of its own: a value of hundreds of rows has tens of
  // full elements among the candidates (pgvector tries the equal ones among
  // the new row's layer-0 neighbours, up to 2m).
  static constexpr int kMaxJoinTries = 32;

  static std::uint32_t insert_salt(std::uint32_t heap_block, std::uint16_t heap_offset) {
    return (heap_block << 16 | heap_offset) | 1u;
  }

  // Step 1 of INSERT: writes the new element (value at level, links
  // chosen_) and names it in *ref; item_body_ is its body's size after.
  // A whole item goes where hnsw_page_place.h says (a layer-0 element's
  // search for a deleted slot moves the reuse hint); a value too large
  // for a page is spilled (place_spilled).
  Status place(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
               HnswRef* ref) {
    if (!hnsw_fits_unspilled(*ctx_.store, ctx_.layout, value.size, level)) {
      return place_spilled(value, level, heap_block, heap_offset, ref);
    }
    build_item(value, level, heap_block, heap_offset, value.size, kNoRef);
    // Only a layer-0 element moves the hint: an upper-layer one looks for
    // a slot of its own (larger) size, which the pages it passes may lack
    // while they still hold layer-0 slots.
    return placement_.place(item_, HnswSlotKind::kElement, level == 0, ref, &reuse_moved_);
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
    std::uint32_t block = ctx_.store->page_count() - 1;
    std::size_t inline_bytes = 0;
    if (block > 0) {
      std::uint16_t items = 0;
      VECSIM_RETURN_IF_ERROR(ctx_.store->item_count(block, &items));
      if (items < kMaxRefOffset) {
        std::size_t free = 0;
        VECSIM_RETURN_IF_ERROR(ctx_.store->free_space(block, &free));
        inline_bytes = hnsw_inline_fitting(*ctx_.store, ctx_.layout, value.size, level, free);
      }
    }
    if (inline_bytes < kMinInlineBytes) {
      // A page of its own, taken before the chunks so that the last of
      // them (the partial first chunk) ends the relation, where the next
      // insert's element fills its room.
      VECSIM_RETURN_IF_ERROR(placement_.append_page(nullptr, &block));
      inline_bytes = hnsw_inline_fitting(*ctx_.store, ctx_.layout, value.size, level, ctx_.store->page_capacity());
    }
    // The first chunk takes what full chunks leave, and is written (so
    // appended) last: its page, the relation's last, has the room that
    // the next insert fills.
    HnswRef next = kNoRef;
    VECSIM_RETURN_IF_ERROR(write_value_chunks(ctx_.store, value.bytes + inline_bytes, value.size - inline_bytes,
                                              nullptr, &chunk_item_, &next));
    build_item(value, level, heap_block, heap_offset, inline_bytes, next);
    bool added = false;
    VECSIM_RETURN_IF_ERROR(placement_.add_item_if_room(block, item_, ref, &added));
    return added ? Status::ok() : placement_.append_page_with(item_, ref);
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
    item_.assign(ctx_.layout.item_size(item_body_, level), 0);
    encode_element_head(item_.data(), h, value.bytes, chunk);
    if (attrs_.size > 0) std::memcpy(item_.data() + ctx_.layout.attrs_offset(item_body_), attrs_.bytes, attrs_.size);
    for (int layer = 0; layer <= level; ++layer) {
      set_item_links(layer, layer < static_cast<int>(chosen_.size()) ? chosen_[layer] : no_links_);
    }
  }

  void set_item_links(int layer, const std::vector<Candidate>& chosen) {
    unsigned char* at = item_.data() + ctx_.layout.links_offset(item_body_, layer);
    for (int i = 0; i < ctx_.layout.capacity(layer); ++i) {
      HnswRef r = i < static_cast<int>(chosen.size()) ? chosen[i].node : kNoRef;
      std::memcpy(at + sizeof r * i, &r, sizeof r);
    }
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  HnswPageSearch<Store>& search_;
  HnswPageLists<Store>& lists_;
  HnswPagePlacement<Store>& placement_;
  HnswPageTids<Store>& tids_;
  HnswPagePostings<Store>& postings_;
  LevelRng rng_;
  bool reuse_moved_ = false;  // this insert moved the metapage's reuse hint
  ValueRef attrs_{nullptr, 0};  // the insert's attribute block
  std::vector<std::vector<Candidate>> chosen_;
  std::vector<Candidate> sorted_;
  const std::vector<Candidate> no_links_;
  std::vector<unsigned char> item_, chunk_item_;
  std::size_t item_body_ = 0;  // item_'s body bytes
  AlignedBytes value_;         // join_equal()'s
};

}  // namespace vecsim::core

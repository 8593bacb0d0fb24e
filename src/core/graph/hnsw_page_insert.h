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
//      farthest link, which the new element adopts first; a new entry
//      point adopts the old one. So no step of an insert leaves a live
//      element without a way in from the entry point;
//   3. the metapage: element count, and the entry point when the new
//      element's level is above the entry's.
//   Locking (and WAL) are the caller's (docs/hnsw.md 4.3): inserts may run
//   concurrently with each other and with vacuum as long as none moves
//   the entry point (insert's may_raise_entry); no insert chooses a dying
//   element as a neighbour (hnsw_format.h, kElementDying), though it may
//   adopt one that a list drops (vacuum's sweep repairs that link); every write an insert
//   makes to a shared item is a read-check-write under that page's lock
//   (CONCURRENT INSERTS in hnsw_page_lists.h). Each insert and vacuum
//   re-reads the metapage first.
//
// PLACEMENT
//   A whole item goes over a deleted element of the same size if there is
//   one near the metapage's reuse hint, else on the last page if that has
//   room, else on a new page; a value too large for that is spilled into
//   chunk items (storage/hnsw_spill.h).
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
#include "graph/hnsw_page_search.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_spill.h"
#include "util/status.h"

namespace vecsim::core {

template <class Store>
class HnswPageInsert {
 public:
  static constexpr int kMaxLevel = kHnswMaxLevel;

  HnswPageInsert(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader,
                 HnswPageSearch<Store>& search, HnswPageLists<Store>& lists, std::uint64_t seed)
      : ctx_(ctx), reader_(reader), search_(search), lists_(lists), rng_(seed) {}

  // Inserts at level (draw_level, capped by max_level_fitting). With
  // may_raise_entry false, an insert whose level is above the entry's, or
  // into an empty index, writes nothing and sets *deferred (see
  // HnswPageGraph::insert).
  Status insert(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                bool may_raise_entry, bool* deferred, HnswRef* ref) {
    *deferred = false;
    if (level < 0) {
      return Status::error(ErrorCode::kProgramLimit,
                           "index value of %zu bytes exceeds the %zu bytes an element can hold",
                           value.size, kMaxValueBytes);
    }
    VECSIM_RETURN_IF_ERROR(ctx_.open());  // another writer may have moved the entry point
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
          return Status::error(ErrorCode::kSerializationFailure,
                               "could not link a new hnsw element: its neighbours' lists kept changing "
                               "under concurrent inserts")
              .with_hint("Retry the transaction.");
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
    return intact ? Status::ok() : Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt");
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
  static std::uint32_t insert_salt(std::uint32_t heap_block, std::uint16_t heap_offset) {
    return (heap_block << 16 | heap_offset) | 1u;
  }

  // Pages an insert looks through for a deleted element's slot (reuse_slot).
  static constexpr int kReuseScanPages = 8;

  // Step 1 of INSERT: writes the new element (value at level, links
  // chosen_) and names it in *ref; item_body_ is its body's size after.
  // A whole item goes over a deleted element of the same size if there is
  // one (reuse_slot), else on the last page if that has room (bytes and a
  // line pointer that a reference can name), else on a new page. A value
  // too large for that is spilled (place_spilled).
  Status place(ValueRef value, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
               HnswRef* ref) {
    if (!hnsw_fits_unspilled(*ctx_.store, ctx_.layout, value.size, level)) {
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
      if (attempt > 0) VECSIM_RETURN_IF_ERROR(ctx_.store->refresh_page_count());
      bool room = false;
      VECSIM_RETURN_IF_ERROR(last_page_has_room(ctx_.store->item_cost(item_.size()), &room));
      if (!room) continue;
      bool added = false;
      VECSIM_RETURN_IF_ERROR(add_item_if_room(ctx_.store->page_count() - 1, ref, &added));
      if (added) return Status::ok();
    }
    return append_page_with(item_, ref);
  }

  // Adds item_ to block if the page still has room (*added), naming it in
  // *ref.
  Status add_item_if_room(std::uint32_t block, HnswRef* ref, bool* added) {
    std::uint16_t offset = 0;
    VECSIM_RETURN_IF_ERROR(ctx_.store->add_item_if_room(block, item_.data(), item_.size(), &offset, added));
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
      VECSIM_RETURN_IF_ERROR(append_page(nullptr, &block));
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
    VECSIM_RETURN_IF_ERROR(add_item_if_room(block, ref, &added));
    return added ? Status::ok() : append_page_with(item_, ref);
  }

  // *room: whether the last page (not the metapage) can take an item
  // costing cost.
  Status last_page_has_room(std::size_t cost, bool* room) {
    *room = false;
    const std::uint32_t block = ctx_.store->page_count() - 1;
    if (block == 0) return Status::ok();
    std::size_t free = 0;
    VECSIM_RETURN_IF_ERROR(ctx_.store->free_space(block, &free));
    if (free < cost) return Status::ok();  // the common case: one read, not two
    std::uint16_t items = 0;
    VECSIM_RETURN_IF_ERROR(ctx_.store->item_count(block, &items));
    *room = items < kMaxRefOffset;
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

  // Appends a page, empty or holding *item (storage/value_chunks.h).
  Status append_page(const std::vector<unsigned char>* item, std::uint32_t* block) {
    return new_page_for_ref(ctx_.store, item ? item->data() : nullptr, item ? item->size() : 0, block);
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
    for (int layer = 0; layer <= level; ++layer) {
      set_item_links(layer, layer < static_cast<int>(chosen_.size()) ? chosen_[layer] : no_links_);
    }
  }

  // Looks for a deleted element whose item is exactly item_'s size on at
  // most kReuseScanPages pages from ctx_.meta.reuse_block on, and writes item_
  // over the first one found, in one write that checks the slot is still
  // a deleted element of that size (a concurrent insert may have taken
  // it: then the next one is tried) (*reused). An upper-layer element
  // (about 1 in m) takes a slot of its own level's size, which deleted
  // upper-layer elements leave (after a table is emptied and filled again,
  // as many as the new rows need: the index keeps its size). Spilled elements are
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
    if (ctx_.meta.reuse_block == 0 || ctx_.meta.reuse_block >= ctx_.store->page_count()) {
      return Status::ok();
    }
    // Only a layer-0 element moves the hint: an upper-layer one looks for
    // a slot of its own (larger) size, which the pages it passes may lack
    // while they still hold layer-0 slots.
    const bool moves_hint = level == 0;
    reuse_moved_ = moves_hint;
    std::uint32_t block = ctx_.meta.reuse_block;
    for (int scanned = 0; block < ctx_.store->page_count() && scanned < kReuseScanPages; ++block, ++scanned) {
      slots_.clear();
      VECSIM_RETURN_IF_ERROR(reader_.read_page_elements(
          block, [&](HnswRef r, const HnswElementHeader&, const unsigned char* p, std::size_t n) {
            if (reusable_slot(p, n)) slots_.push_back(r);
          }));
      for (HnswRef slot : slots_) {
        bool taken = false;
        VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(block, ref_offset(slot), [&](unsigned char* p, std::size_t n) {
          if (!reusable_slot(p, n)) return false;
          std::memcpy(p, item_.data(), n);
          return true;
        }, &taken));
        if (taken) {
          if (moves_hint) ctx_.meta.reuse_block = block;  // it may hold more
          *ref = slot;
          *reused = true;
          return Status::ok();
        }
      }
    }
    if (moves_hint) ctx_.meta.reuse_block = block < ctx_.store->page_count() ? block : 0;
    return Status::ok();
  }

  // Whether item p (n bytes) is a deleted element that item_ may replace.
  bool reusable_slot(const unsigned char* p, std::size_t n) const {
    HnswElementHeader h;
    if (n != item_.size() || !reader_.parse_element(p, n, &h)) return false;
    return (h.flags & kElementDeleted) && !HnswElementLayout::spilled(h);
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
  LevelRng rng_;
  bool reuse_moved_ = false;  // this insert moved the metapage's reuse hint
  std::vector<std::vector<Candidate>> chosen_;
  std::vector<Candidate> sorted_;
  const std::vector<Candidate> no_links_;
  std::vector<unsigned char> item_, chunk_item_;
  std::size_t item_body_ = 0;  // item_'s body bytes
  std::vector<HnswRef> slots_;
};

}  // namespace vecsim::core

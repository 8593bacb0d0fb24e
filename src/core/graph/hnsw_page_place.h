// src/core/graph/hnsw_page_place.h
// Where a new item of an hnsw index on pages goes: an element (inserts) or
// a TID list (rows of equal value, hnsw_page_tids.h). A whole item goes
// over a deleted item of its kind and size if there is one near the
// metapage's reuse hint, else on the last page if that has room, else on
// a new page.
//
// Why overwriting a deleted item is safe: vacuum unlinks an element (no
// live list links it, its own links are cleared) before it flags it
// deleted, and flags its TID list deleted with it, so the slot is
// unreachable, as a new item on a fresh page is. A scan that still holds
// the old reference reads either the deleted item or the new one, each
// whole (one write under the buffer lock); any heap TID it takes from it
// is checked against its snapshot by the executor, and a TID list names
// its owner, so a list taken for another element is known as such
// (storage/hnsw_tid_list.h).
//
// INVARIANTS
//   Every write is one page change that checks, under the page lock, that
//   the room or the slot is still there (concurrent inserts take them
//   too); a lost race moves on to the next candidate. New pages are
//   appended with their item in one change, within the blocks a reference
//   can name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_tid_list.h"
#include "util/status.h"

namespace vecsim::core {

enum class HnswSlotKind { kElement, kTidList };

template <class Store>
class HnswPagePlacement {
 public:
  HnswPagePlacement(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader) : ctx_(ctx), reader_(reader) {}

  // Writes item (of kind) where PLACEMENT above says; *ref names it.
  // moves_hint: whether the scan for a deleted slot moves the metapage's
  // reuse hint in ctx_.meta (the caller writes it; see reuse_slot), and
  // *hint_moved says whether it did.
  Status place(const std::vector<unsigned char>& item, HnswSlotKind kind, bool moves_hint, HnswRef* ref,
               bool* hint_moved) {
    bool reused = false;
    VECSIM_RETURN_IF_ERROR(reuse_slot(item, kind, moves_hint, ref, &reused, hint_moved));
    if (reused) return Status::ok();
    return add_item_to_last_page(item, ref);
  }

  // Adds item to the last page if it has room, else to a new page. The
  // room is checked again as the item is added: a concurrent insert may
  // have filled the page since.
  Status add_item_to_last_page(const std::vector<unsigned char>& item, HnswRef* ref) {
    // The page count this store knows may lag (concurrent inserts extend
    // the relation): before a new page, the newest last page is tried.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (attempt > 0) VECSIM_RETURN_IF_ERROR(ctx_.store->refresh_page_count());
      bool room = false;
      VECSIM_RETURN_IF_ERROR(last_page_has_room(ctx_.store->item_cost(item.size()), &room));
      if (!room) continue;
      bool added = false;
      VECSIM_RETURN_IF_ERROR(add_item_if_room(ctx_.store->page_count() - 1, item, ref, &added));
      if (added) return Status::ok();
    }
    return append_page_with(item, ref);
  }

  // Adds item to block if the page still has room (*added), naming it in
  // *ref.
  Status add_item_if_room(std::uint32_t block, const std::vector<unsigned char>& item, HnswRef* ref,
                          bool* added) {
    std::uint16_t offset = 0;
    VECSIM_RETURN_IF_ERROR(ctx_.store->add_item_if_room(block, item.data(), item.size(), &offset, added));
    if (*added) *ref = make_ref(block, offset);
    return Status::ok();
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

 private:
  // Pages an insert looks through for a deleted slot.
  static constexpr int kReuseScanPages = 8;

  // Looks for a deleted item of kind whose size is exactly item's on at
  // most kReuseScanPages pages from ctx_.meta.reuse_block on, and writes
  // item over the first one found, in one write that checks the slot is
  // still a deleted item of that kind and size (a concurrent insert may
  // have taken it: then the next one is tried) (*reused). An upper-layer
  // element (about 1 in m) takes a slot of its own level's size, which
  // deleted upper-layer elements leave (after a table is emptied and
  // filled again, as many as the new rows need: the index keeps its size).
  // Spilled elements are neither placed so nor overwritten (their chunks
  // could not be). With moves_hint (a layer-0 element's insert) the hint
  // moves past the pages where no slot fitted (a slot of another size, left
  // by an upper-layer element or a sparse value of other length, waits for
  // the next vacuum to point the hint back at it) and becomes 0 when the
  // scan runs off the end; vacuum sets it again.
  Status reuse_slot(const std::vector<unsigned char>& item, HnswSlotKind kind, bool moves_hint, HnswRef* ref,
                    bool* reused, bool* hint_moved) {
    *reused = false;
    *hint_moved = false;
    // A hint past this store's page count was set by a concurrent insert
    // that saw more pages: left as it is.
    if (ctx_.meta.reuse_block == 0 || ctx_.meta.reuse_block >= ctx_.store->page_count()) {
      return Status::ok();
    }
    *hint_moved = moves_hint;
    const auto reusable = [&](const unsigned char* p, std::size_t n) {
      if (n != item.size()) return false;
      if (kind == HnswSlotKind::kTidList) {
        HnswTidListHeader l;
        return decode_tid_list(p, n, &l) && (l.flags & kElementDeleted);
      }
      HnswElementHeader h;
      return reader_.parse_element(p, n, &h) && (h.flags & kElementDeleted) && !HnswElementLayout::spilled(h);
    };
    std::uint32_t block = ctx_.meta.reuse_block;
    for (int scanned = 0; block < ctx_.store->page_count() && scanned < kReuseScanPages; ++block, ++scanned) {
      slots_.clear();
      VECSIM_RETURN_IF_ERROR(ctx_.store->read_all_items(
          block, [&](std::uint16_t offset, const unsigned char* p, std::size_t n) {
            if (reusable(p, n)) slots_.push_back(offset);
          }));
      for (std::uint16_t slot : slots_) {
        bool taken = false;
        VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(block, slot, [&](unsigned char* p, std::size_t n) {
          if (!reusable(p, n)) return false;
          std::memcpy(p, item.data(), n);
          return true;
        }, &taken));
        if (taken) {
          if (moves_hint) ctx_.meta.reuse_block = block;  // it may hold more
          *ref = make_ref(block, slot);
          *reused = true;
          return Status::ok();
        }
      }
    }
    if (moves_hint) ctx_.meta.reuse_block = block < ctx_.store->page_count() ? block : 0;
    return Status::ok();
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  std::vector<std::uint16_t> slots_;
};

}  // namespace vecsim::core

// src/core/graph/hnsw_page_tids.h
// Rows of equal value in one element (storage/hnsw_tid_list.h): an
// insert's row joining an element that already holds its value, and
// vacuum's removal of dead rows from TID lists.
//
// WRITE ORDER AND CONCURRENCY
//   An element's first extra row: its TID list, holding the element's own
//   TID and the new one, is written first (nothing names it yet), then the
//   element's header names it, in one write that checks the header is as
//   read (live, the same TID, no list): a lost race leaves the list
//   unnamed and flagged deleted, for another insert to take. A further
//   row: the element and its list are changed as one (update_items), the
//   element checked live and naming the list, the list checked to be the
//   element's and not full. Vacuum changes a list the same way: its dead
//   TIDs removed in one write that checks the list is as it read it, or,
//   when every TID is dead, the element flagged dying in one change that
//   checks the same. So no insert adds a row to an element that vacuum
//   has found dead, and vacuum never drops a row it did not see dead.
//   Locking (and WAL) are the caller's, as for every other write.
//
// INVARIANTS
//   A row is never in two elements, nor twice in one; an element's rows
//   are all of its value (the caller compares the values first).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_place.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_tid_list.h"
#include "util/status.h"

namespace vecsim::core {

template <class Store>
class HnswPageTids {
 public:
  HnswPageTids(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader, HnswPagePlacement<Store>& placement)
      : ctx_(ctx), reader_(reader), placement_(placement) {}

  // Adds row t to element r if r is live and holds fewer than
  // kHnswTidsPerElement rows (*added).
  Status add(HnswRef r, HeapTid t, bool* added) {
    *added = false;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      if (h.flags & kElementNotLive) return Status::ok();
      bool raced = false;
      if (h.flags & kElementTids) {
        // A full list is seen under a share lock: no exclusive lock, no
        // record begun, for an element that cannot take the row.
        bool full = false;
        VECSIM_RETURN_IF_ERROR(list_is_full(h.heap_block, &full));
        if (full) return Status::ok();
        VECSIM_RETURN_IF_ERROR(append(r, h.heap_block, t, added, &raced));
      } else {
        VECSIM_RETURN_IF_ERROR(start_list(r, h, t, added, &raced));
      }
      if (!raced) return Status::ok();
    }
    return Status::ok();  // lost every race: the row gets an element of its own
  }

  // Vacuum's step 0 for live element r (header h as read): flagged dying
  // if all its rows are dead (is_dead(block, offset)) (*dies); the dead
  // ones of a TID list that keeps a live one leave it (prune); *live and
  // *dead count its rows as judged. The flag is written only if r is still
  // as read: an insert may have given it a list (and a live row) since,
  // which is then pruned. Failing that is an error, never a dead row left.
  template <class IsDead>
  Status judge(HnswRef r, HnswElementHeader h, IsDead&& is_dead, bool* dies, std::size_t* live,
               std::size_t* dead) {
    *dies = false;
    *live = *dead = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (h.flags & kElementTids) return prune(r, h, is_dead, dies, live, dead);
      if (!is_dead(h.heap_block, h.heap_offset)) {
        *live = 1;
        return Status::ok();
      }
      bool changed = false;
      VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(ref_block(r), ref_offset(r), [&](unsigned char* p,
                                                                                     std::size_t n) {
        HnswElementHeader now;
        if (!reader_.parse_element(p, n, &now) || (now.flags & (kElementNotLive | kElementTids)) ||
            now.heap_block != h.heap_block || now.heap_offset != h.heap_offset) {
          return false;
        }
        flag_dying(p, now);
        return true;
      }, &changed));
      if (changed) {
        *dies = true;
        *dead = 1;
        return Status::ok();
      }
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));  // it has a list now
    }
    return Status::error(ErrorCode::kInternal, "could not flag hnsw element (%u,%u) dying", ref_block(r),
                         ref_offset(r));
  }

 private:
  // Vacuum: the dead rows (is_dead(block, offset)) of element r, whose
  // header h names a TID list, leave the list; when all are dead, r is
  // flagged dying instead (*dying), its list unchanged. *live and *dead
  // count r's rows as judged. Each race lost is an insert's row added to
  // the list, so it is retried until won; a list whose dead rows could not
  // be removed after that is an error (vacuum must not return with a dead
  // row left in the index: the heap reuses its TID).
  template <class IsDead>
  Status prune(HnswRef r, const HnswElementHeader& h, IsDead&& is_dead, bool* dying, std::size_t* live,
               std::size_t* dead) {
    *dying = false;
    HnswRef list = h.heap_block;
    for (int attempt = 0; attempt <= kHnswTidsPerElement; ++attempt) {
      // the list as it is now, its TIDs judged after the read (is_dead is
      // the host's), then changed only if it is still what was read
      seen_.assign(tid_list_item_bytes(), 0);
      bool mine = false;
      VECSIM_RETURN_IF_ERROR(ctx_.store->read_item(ref_block(list), ref_offset(list),
                                                   [&](const unsigned char* p, std::size_t n) {
        HnswTidListHeader l;
        mine = decode_tid_list(p, n, &l) && owns_tid_list(l, r) && l.count > 0;
        if (mine) std::memcpy(seen_.data(), p, n);
      }));
      if (!mine) return reader_.corrupt_element(r);
      HnswTidListHeader l;
      std::memcpy(&l, seen_.data(), sizeof l);
      live_.clear();
      for (int i = 0; i < l.count; ++i) {
        const HeapTid t = tid_list_at(seen_.data(), i);
        if (!is_dead(t.block, t.offset)) live_.push_back(t);
      }
      *live = live_.size();
      *dead = l.count - live_.size();
      if (*dead == 0) return Status::ok();
      bool changed = false;
      if (live_.empty()) {
        const ItemAddress both[2] = {ref_address(r), ref_address(list)};
        VECSIM_RETURN_IF_ERROR(ctx_.store->update_items(both, 2, [&](unsigned char* const* items,
                                                                     const std::size_t* sizes) {
          HnswElementHeader now;
          if (!live_naming(items[0], sizes[0], list, &now)) return false;
          if (sizes[1] != seen_.size() || std::memcmp(items[1], seen_.data(), sizes[1]) != 0) return false;
          flag_dying(items[0], now);
          return true;
        }, &changed));
        if (changed) {
          *dying = true;
          return Status::ok();
        }
      } else {
        VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(ref_block(list), ref_offset(list),
                                                       [&](unsigned char* p, std::size_t n) {
          if (n != seen_.size() || std::memcmp(p, seen_.data(), n) != 0) return false;
          encode_tid_list(p, r, live_.data(), static_cast<int>(live_.size()));
          return true;
        }, &changed));
        if (changed) return Status::ok();
      }
      // an insert added a row meanwhile: read again (the element is not
      // dying, so its header still names the list)
    }
    return Status::error(ErrorCode::kInternal, "could not remove the dead rows of hnsw element (%u,%u)",
                         ref_block(r), ref_offset(r));
  }

  // An insert's writes that lose this many races in a row give up: the
  // row gets an element of its own.
  static constexpr int kAttempts = 4;

  // Flags element item p (header now) dying; an adoption before is
  // forgotten (hnsw_page_vacuum.h, step 0).
  static void flag_dying(unsigned char* p, const HnswElementHeader& now) {
    p[offsetof(HnswElementHeader, flags)] = static_cast<std::uint8_t>((now.flags | kElementDying) & ~kElementAdopted);
  }

  // *full: whether `list` holds kHnswTidsPerElement rows (a list that is
  // not one is left to append(), which tells corruption from a race).
  Status list_is_full(HnswRef list, bool* full) {
    *full = false;
    return ctx_.store->read_item(ref_block(list), ref_offset(list), [&](const unsigned char* p, std::size_t n) {
      HnswTidListHeader l;
      *full = decode_tid_list(p, n, &l) && l.count >= kHnswTidsPerElement;
    });
  }

  // Whether item p (n bytes) is a live element whose rows are in `list`;
  // its header in *h.
  bool live_naming(const unsigned char* p, std::size_t n, HnswRef list, HnswElementHeader* h) const {
    return reader_.parse_element(p, n, h) && !(h->flags & kElementNotLive) && (h->flags & kElementTids) &&
           h->heap_block == list;
  }

  // r (header h, no list yet) gets a list of its own row and t.
  Status start_list(HnswRef r, const HnswElementHeader& h, HeapTid t, bool* added, bool* raced) {
    const HeapTid rows[2] = {HeapTid{h.heap_block, h.heap_offset}, t};
    item_.assign(tid_list_item_bytes(), 0);
    encode_tid_list(item_.data(), r, rows, 2);
    // on the element's page if it has room (a scan then reads the list
    // from a page it has just read), else where placement says
    HnswRef list = kNoRef;
    bool beside = false;
    VECSIM_RETURN_IF_ERROR(placement_.add_item_if_room(ref_block(r), item_, &list, &beside));
    if (!beside) {
      bool hint_moved = false;
      VECSIM_RETURN_IF_ERROR(placement_.place(item_, HnswSlotKind::kTidList, false, &list, &hint_moved));
    }
    bool changed = false;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(ref_block(r), ref_offset(r), [&](unsigned char* p,
                                                                                   std::size_t n) {
      HnswElementHeader now;
      if (!reader_.parse_element(p, n, &now) || now.flags != h.flags || now.heap_block != h.heap_block ||
          now.heap_offset != h.heap_offset) {
        return false;
      }
      now.flags = static_cast<std::uint8_t>(now.flags | kElementTids);
      now.heap_block = list;
      now.heap_offset = 0;
      std::memcpy(p, &now, sizeof now);
      return true;
    }, &changed));
    if (changed) {
      *added = true;
      return Status::ok();
    }
    *raced = true;
    return ctx_.store->update_item(ref_block(list), ref_offset(list), [](unsigned char* p, std::size_t) {
      p[offsetof(HnswTidListHeader, flags)] |= kElementDeleted;
      return true;
    }, &changed);
  }

  // Appends t to r's list `list` if r still names it, is live, and the
  // list has room (*added); *raced when r changed since it was read.
  Status append(HnswRef r, HnswRef list, HeapTid t, bool* added, bool* raced) {
    const ItemAddress both[2] = {ref_address(r), ref_address(list)};
    bool changed = false;
    bool corrupt = false;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_items(both, 2, [&](unsigned char* const* items,
                                                                 const std::size_t* sizes) {
      HnswElementHeader now;
      if (!live_naming(items[0], sizes[0], list, &now)) {
        *raced = true;
        return false;
      }
      HnswTidListHeader l;
      if (!decode_tid_list(items[1], sizes[1], &l) || !owns_tid_list(l, r)) {
        corrupt = true;
        return false;
      }
      if (l.count >= kHnswTidsPerElement) return false;  // full: the row needs an element
      set_tid_list_at(items[1], l.count, t);
      ++l.count;
      std::memcpy(items[1], &l, sizeof l);
      return true;
    }, &changed));
    if (corrupt) return reader_.corrupt_element(r);
    *added = changed;
    return Status::ok();
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  HnswPagePlacement<Store>& placement_;
  std::vector<unsigned char> item_, seen_;
  std::vector<HeapTid> live_;
};

}  // namespace vecsim::core

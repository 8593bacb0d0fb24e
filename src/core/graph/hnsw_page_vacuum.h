// src/core/graph/hnsw_page_vacuum.h
// Removing dead elements from an hnsw index on pages, and repairing what
// pointed at them.
//
// VACUUM (bulk_delete), in write order, beside running inserts and scans:
//   0. the dead rows leave the TID lists of elements that keep a live one
//      (hnsw_page_tids.h); every element whose rows are all dead is flagged
//      dying (kElementDying):
//      inserts stop choosing or adopting it, scans stop returning it, and
//      it keeps routing searches; then vacuum waits for the inserts that
//      were running (they may have chosen it before the flag);
//   1. a new entry point if the old one is dying (the live element of the
//      highest level), chosen in memory;
//   2a. every live element that no path of live layer-0 links reaches from
//      that entry point (its ways in go through dying elements; a whole
//      tight cluster can be such an island) is linked from a reached
//      element near it, into a free slot, or in place of a link that other
//      reached lists (or the element itself) also hold, or that it adopts
//      (relink), pass after pass until none is left; then the new entry
//      point is written, inserts held off for that one write (unless an
//      insert moved the entry point meanwhile);
//   2b. every live element with a link to a dying or deleted element gets
//      that list re-selected from its live links plus a fresh search for
//      its own value (dying elements excluded), keeping all its live
//      links: only the dead ones are replaced; a list an insert changed
//      meanwhile is read and repaired again; then every page is swept
//      again for lists still linking a dying element (elements inserted
//      since step 0 included), after waiting out the inserts that flagged
//      a dying element adopted (kElementAdopted) before the sweep, until a
//      sweep finds none and no insert adopted one during it; a dying
//      element some list still links, or adopted, is left dying for the
//      next pass;
//   3. vacuum waits for the inserts and the scans that were running (they
//      may have started at the old entry point or be inside a dying
//      element); 2c. the live elements are collected again (every insert
//      that began before the sweep ended is done), one becomes the entry
//      point if none on the metapage is live, and every one not reached
//      is re-linked; the dying elements' links are cleared, then they are
//      flagged deleted (so a pass cut short between flags leaves no
//      unflagged dying element linking a flagged one); from here inserts
//      may reuse their slots;
//   4. the metapage's reuse hint lowered to the first page with a deleted
//      slot (read-check-write, as inserts write it too; each flag of step
//      3 took one off the metapage's count in the same record);
//   5. the posting entries of deleted elements are removed
//      (hnsw_page_postings.h; a pass cut short leaves stale entries,
//      which scans pass over).
//   CANCEL SAFETY. Every write before step 3 adds a way in or replaces one
//   that another reached list also provides, so a live element reachable
//   before the pass stays reachable at every point a cancel, an error or
//   a crash can stop it (a re-link's last resort too: hnsw_page_relink.h). Until step 3 a dying element is an element whose heap tuple
//   is dead and that no scan returns; a repeated vacuum finishes the job
//   (it takes every dying element for dying, whatever its heap TID names
//   by then); PostgreSQL reuses the heap TIDs only after the whole bulk
//   delete returns.
//   CONCURRENT INSERTS write only by read-check-write (hnsw_page_lists.h),
//   as vacuum's repairs and re-links do, so neither overwrites what the
//   other wrote after it read; after step 0's wait no insert links a dying
//   element anew, and the sweep of 2b finds any list that still does.
//   Locking (and WAL) are the caller's (docs/hnsw.md 4.3), through
//   HnswVacuumHooks: one vacuum at a time, and no verify meanwhile.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <utility>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_lists.h"
#include "graph/hnsw_page_postings.h"
#include "graph/hnsw_page_relink.h"
#include "graph/hnsw_page_search.h"
#include "graph/hnsw_page_tids.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

struct HnswVacuumStats {
  std::size_t deleted = 0;       // elements flagged deleted by this pass
  std::size_t repaired = 0;      // link lists re-selected
  std::size_t relinked = 0;      // live elements nothing linked, linked again
  std::size_t live = 0;          // elements left live
  std::size_t rows_removed = 0;  // heap TIDs found dead (their elements' or lists')
  std::size_t live_rows = 0;     // heap TIDs found live (rows inserted since not counted)
  std::size_t postings_removed = 0;  // stale posting entries removed
};

// What vacuum asks of its host. Each may be null (a single-threaded host:
// the unit tests).
struct HnswVacuumHooks {
  // Returns once every insert that was running when it was called is done.
  Status (*wait_for_writers)(void* arg) = nullptr;
  // Holds inserts off (hold true) until called again with false.
  Status (*exclude_writers)(void* arg, bool hold) = nullptr;
  // Returns once every scan that was searching when it was called is done.
  Status (*wait_for_scans)(void* arg) = nullptr;
  // Called between two units of vacuum's work (a repair, a re-link, a
  // page): a test host inserts there, as a concurrent insert could.
  Status (*between_steps)(void* arg) = nullptr;
  void* arg = nullptr;

  Status call(Status (*f)(void*)) const { return f != nullptr ? f(arg) : Status::ok(); }
};

template <class Store>
class HnswPageVacuum {
 public:
  HnswPageVacuum(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader,
                 HnswPageSearch<Store>& search, HnswPageLists<Store>& lists, HnswPageTids<Store>& tids,
                 HnswPagePostings<Store>& postings)
      : ctx_(ctx),
        reader_(reader),
        search_(search),
        lists_(lists),
        tids_(tids),
        postings_(postings),
        relinker_(ctx, reader, search, lists) {}

  // Removes the elements whose heap tuple is_dead(block, offset) says is
  // gone (and those a pass cut short left dying), repairing the links that
  // pointed at them, in the write order above.
  template <class IsDead>
  Status bulk_delete(IsDead&& is_dead, const HnswVacuumHooks& hooks, HnswVacuumStats* stats) {
    VECSIM_RETURN_IF_ERROR(ctx_.open());
    *stats = HnswVacuumStats{};
    hooks_ = &hooks;
    // 0. the dying flagged; inserts that may not have seen a flag finish
    VECSIM_RETURN_IF_ERROR(mark_dying(is_dead, stats));
    VECSIM_RETURN_IF_ERROR(hooks.call(hooks.wait_for_writers));
    VECSIM_RETURN_IF_ERROR(ctx_.open());
    VECSIM_RETURN_IF_ERROR(collect_live(stats));
    if (dying_.empty()) {
      // Nothing to repair, but an element may have lost its last way in
      // outside vacuum (an insert's last-resort replacement): re-linked
      // here too, without waiting for something to die; and the reuse
      // hint pointed at the first deleted slot again (inserts may have
      // moved it past slots of a size they could not use).
      VECSIM_RETURN_IF_ERROR(relinker_.relink_unreachable(live_, gone_, repair_ef(), &stats->relinked));
      VECSIM_RETURN_IF_ERROR(finish_metapage());
      return remove_stale_postings(stats);
    }
    // 1. the entry point, chosen in memory first: the re-links below make
    // every live element reachable from it before it is written.
    const HnswRef old_entry = ctx_.meta.entry;
    const bool new_entry = old_entry == kNoRef || gone_.count(old_entry) > 0;
    if (new_entry) {
      ctx_.meta.entry = best_live_;
      ctx_.meta.entry_level = static_cast<std::int16_t>(best_level_);
    }
    // 2a. before any link to a dying element goes: every live element that
    // only paths through dying ones reach is linked from a reached live
    // element (re-links only add ways in), so whatever goes later, and
    // wherever a cancel stops this pass, every live element stays reachable.
    VECSIM_RETURN_IF_ERROR(relinker_.relink_unreachable(live_, gone_, repair_ef(), &stats->relinked));
    bool written = false;
    if (new_entry) {
      VECSIM_RETURN_IF_ERROR(write_entry(old_entry, &written));
      // An insert that read the dying old entry before that write (whose
      // exclusive lock waited it out) may have had that entry take its
      // new element, as its only way in (hnsw_page_insert.h,
      // link_from_entry): the live elements again, relative to the entry
      // point now, before 2b takes any live list's link to a dying one.
      VECSIM_RETURN_IF_ERROR(relink_all_live(stats));
    }
    // 2b. repairs: lists that link dying elements take live ones in those
    // slots (keeping every live link they have)
    for (std::size_t i = 0; i < live_.size(); ++i) {
      VECSIM_RETURN_IF_ERROR(repair_element(live_[i], live_levels_[i], stats));
    }
    VECSIM_RETURN_IF_ERROR(sweep_links_to_dying(stats));
    // 3. no insert or scan that may be inside a dying element is left
    VECSIM_RETURN_IF_ERROR(hooks.call(hooks.wait_for_writers));
    VECSIM_RETURN_IF_ERROR(hooks.call(hooks.wait_for_scans));
    // 2c. the live elements again, with every insert that began before the
    // sweep ended now done (one among dying elements only may have found
    // no live neighbour; the index may have had no live element at step
    // 1), relative to the entry point on the metapage now: every one not
    // reached is re-linked. Later inserts start from a live entry point
    // and meet no dying element through a live list.
    VECSIM_RETURN_IF_ERROR(relink_all_live(stats));
    // Flags, after the dying elements' own links are cleared: a pass
    // cut short between two flags must not leave an unflagged (so, to a
    // reader, routing) dying element linking a flagged one. No insert
    // writes a dying element's list now: none links one, so none links
    // back, and an insert that met no live neighbour (hnsw_page_insert.h,
    // link_from_entry) writes the entry point's only while the metapage
    // names a dying one, which ended with step 1's write (and its re-link
    // of what such inserts added).
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      const std::size_t body = HnswElementLayout::body_bytes(h);
      std::size_t from = ctx_.layout.links_offset(body, 0);
      new_links_.assign((ctx_.layout.item_size(body, h.level) - from) / sizeof(HnswRef), kNoRef);
      VECSIM_RETURN_IF_ERROR(ctx_.store->write_item(ref_block(r), ref_offset(r), from, new_links_.data(),
                                                    sizeof(HnswRef) * new_links_.size()));
    }
    // Each flag and the metapage's count change in one record, so that a
    // pass cut short between two leaves the count right. A dying element
    // an insert adopted since step 0 (kElementAdopted) may be linked from
    // a list the sweep read before the link was written: it stays dying,
    // for the next pass, whose sweep finds that list.
    // A TID list is flagged deleted with its element, free for another's.
    std::size_t deleted = 0;
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      const bool has_list = (h.flags & kElementTids) != 0;
      const ItemAddress items_changed[3] = {ItemAddress{0, 1}, ref_address(r), ref_address(h.heap_block)};
      bool changed = false;
      bool now_deleted = false;
      bool corrupt = false;
      VECSIM_RETURN_IF_ERROR(ctx_.store->update_items(items_changed, has_list ? 3 : 2, [&](unsigned char* const* items,
                                                                                         const std::size_t* sizes) {
        HnswMeta m;
        if (sizes[0] < sizeof m || sizes[1] < sizeof(HnswElementHeader)) return false;
        std::uint8_t& flags = items[1][offsetof(HnswElementHeader, flags)];
        if (flags & kElementDeleted) return false;
        if (flags & kElementAdopted) return false;
        HnswTidListHeader l;
        if (has_list && (!decode_tid_list(items[2], sizes[2], &l) || !owns_tid_list(l, r))) return !(corrupt = true);
        flags = static_cast<std::uint8_t>((flags | kElementDeleted) & ~kElementDying);
        if (has_list) items[2][offsetof(HnswTidListHeader, flags)] |= kElementDeleted;
        now_deleted = true;
        std::memcpy(&m, items[0], sizeof m);
        if (m.element_count > 0) --m.element_count;
        std::memcpy(items[0], &m, sizeof m);
        ctx_.meta = m;
        return true;
      }, &changed));
      if (corrupt) return reader_.corrupt_element(r);
      if (!(changed && now_deleted)) continue;
      ++deleted;
      const std::uint32_t freed = has_list ? std::min(ref_block(r), ref_block(h.heap_block)) : ref_block(r);
      reuse_block_ = reuse_block_ == 0 ? freed : std::min(reuse_block_, freed);
      deleted_.push_back(r);
    }
    stats->deleted = deleted;
    VECSIM_RETURN_IF_ERROR(finish_metapage());
    return remove_stale_postings(stats);
  }

 private:
  // Step 0: every element that is_dead names (or a pass cut short left
  // dying) is flagged dying, in dying_ and gone_ (gone_ keeps those the
  // sweep leaves dying); reuse_block_ is the first block with a deleted
  // slot.
  template <class IsDead>
  Status mark_dying(IsDead&& is_dead, HnswVacuumStats* stats) {
    dying_.clear();
    gone_.clear();
    deleted_.clear();
    reuse_block_ = 0;
    for (std::uint32_t block = 1; block < ctx_.store->page_count(); ++block) {
      // the page's headers in one read; is_dead (the host's) runs after
      // it; a deleted TID list is a slot to reuse too
      page_headers_.clear();
      VECSIM_RETURN_IF_ERROR(reader_.read_page_elements(
          block, [&](HnswRef r, const HnswElementHeader& h, const unsigned char*, std::size_t) {
            page_headers_.emplace_back(r, h);
          },
          [&](const unsigned char* p, std::size_t n) {
            HnswTidListHeader l;
            if (reuse_block_ == 0 && decode_tid_list(p, n, &l) && (l.flags & kElementDeleted)) reuse_block_ = block;
          }));
      for (const auto& [r, h] : page_headers_) {
        if (h.flags & kElementDeleted) {
          // Not gone_: an insert may reuse the slot at any moment, and
          // nothing live links a deleted element (L3).
          if (reuse_block_ == 0) reuse_block_ = block;
          deleted_.push_back(r);
          continue;
        }
        bool dies = (h.flags & kElementDying) != 0;
        if (!dies) {
          std::size_t live = 0, dead = 0;
          VECSIM_RETURN_IF_ERROR(tids_.judge(r, h, is_dead, &dies, &live, &dead));
          stats->live_rows += live;
          stats->rows_removed += dead;
        }
        if (!dies) continue;
        dying_.insert(r);
        gone_.insert(r);
        // Dying; an adoption before this pass is forgotten (an adopting
        // insert has written its link by the wait below, and the sweep,
        // after it, finds that list). Only an element dying already can
        // be adopted (judge clears the flag as it flags one dying).
        if (h.flags & kElementAdopted) VECSIM_RETURN_IF_ERROR(clear_adopted(r));
      }
      VECSIM_RETURN_IF_ERROR(hooks_->call(hooks_->between_steps));
    }
    return Status::ok();
  }

  // The live elements now (inserts since step 0 included) and their
  // levels, in live_ and live_levels_; best_live_ one of the highest level.
  Status collect_live(HnswVacuumStats* stats) {
    VECSIM_RETURN_IF_ERROR(ctx_.store->refresh_page_count());  // pages inserts added
    live_.clear();
    live_levels_.clear();
    best_live_ = kNoRef;
    best_level_ = -1;
    for (std::uint32_t block = 1; block < ctx_.store->page_count(); ++block) {
      VECSIM_RETURN_IF_ERROR(reader_.read_page_elements(
          block, [&](HnswRef r, const HnswElementHeader& h, const unsigned char*, std::size_t) {
            if ((h.flags & kElementNotLive) || gone_.count(r)) return;
            live_.push_back(r);
            live_levels_.push_back(h.level);
            if (h.level > best_level_) {
              best_level_ = h.level;
              best_live_ = r;
            }
          }));
    }
    stats->live = live_.size();
    return Status::ok();
  }

  // Writes the entry point chosen in memory, with inserts held off, if the
  // metapage still names old (*written; else an insert raised the entry
  // point since, and ctx_.meta is read again).
  Status write_entry(HnswRef old, bool* written) {
    VECSIM_RETURN_IF_ERROR(hooks_->exclude_writers ? hooks_->exclude_writers(hooks_->arg, true) : Status::ok());
    bool changed = false;
    Status st = ctx_.store->update_item(0, 1, [&](unsigned char* p, std::size_t n) {
      HnswMeta m;
      if (n < sizeof m) return false;
      std::memcpy(&m, p, sizeof m);
      if (m.entry != old) return false;
      m.entry = ctx_.meta.entry;
      m.entry_level = ctx_.meta.entry_level;
      std::memcpy(p, &m, sizeof m);
      return true;
    }, &changed);
    Status released = hooks_->exclude_writers ? hooks_->exclude_writers(hooks_->arg, false) : Status::ok();
    VECSIM_RETURN_IF_ERROR(st);
    VECSIM_RETURN_IF_ERROR(released);
    *written = changed;
    return changed ? Status::ok() : ctx_.open();  // an insert's entry point stands
  }

  // 2c: from the metapage as it is now, the live elements collected again;
  // if none is the entry point (every element was dying at step 1), the
  // one of the highest level becomes it; then every live element no
  // live path reaches from the entry point is re-linked. If an insert sets
  // the entry point meanwhile, once more relative to that.
  Status relink_all_live(HnswVacuumStats* stats) {
    for (int round = 0; round < 2; ++round) {
      VECSIM_RETURN_IF_ERROR(ctx_.open());
      VECSIM_RETURN_IF_ERROR(collect_live(stats));
      const HnswRef current = ctx_.meta.entry;
      if ((current != kNoRef && gone_.count(current) == 0) || best_live_ == kNoRef) {
        return relinker_.relink_unreachable(live_, gone_, repair_ef(), &stats->relinked);
      }
      ctx_.meta.entry = best_live_;
      ctx_.meta.entry_level = static_cast<std::int16_t>(best_level_);
      VECSIM_RETURN_IF_ERROR(relinker_.relink_unreachable(live_, gone_, repair_ef(), &stats->relinked));
      bool written = false;
      VECSIM_RETURN_IF_ERROR(write_entry(current, &written));
      if (written) return Status::ok();
    }
    return relinker_.relink_unreachable(live_, gone_, repair_ef(), &stats->relinked);
  }

  // Repairs each of live element r's lists (levels 0 .. level) that links
  // a gone element; a repair an insert's write beat is done again.
  Status repair_element(HnswRef r, int level, HnswVacuumStats* stats) {
    for (int layer = 0; layer <= level; ++layer) {
      for (int attempt = 0; attempt < kRepairAttempts; ++attempt) {
        std::size_t body = 0;
        VECSIM_RETURN_IF_ERROR(reader_.links(r, layer, &links_, &body));
        bool broken = false;
        for (HnswRef l : links_) broken |= gone_.count(l) > 0;
        if (!broken) break;
        bool written = false;
        VECSIM_RETURN_IF_ERROR(repair(r, body, layer, &written));
        if (written) {
          ++stats->repaired;
          break;
        }
      }
    }
    return hooks_->call(hooks_->between_steps);
  }

  // 2b's sweep: every element not gone (inserted since step 0 too) whose
  // lists still link a dying element is repaired, up to kSweeps times over,
  // until a scan finds none and no insert adopted a dying element during
  // it; a dying element some list links after that, or adopted, stays
  // dying (not flagged deleted, its links kept), for the next pass.
  Status sweep_links_to_dying(HnswVacuumStats* stats) {
    for (int sweep = 0; sweep < kSweeps; ++sweep) {
      // Adoptions from here on are seen: an insert that flagged a dying
      // element before the flags are cleared has written its link by the
      // wait, so the scan below reads it.
      VECSIM_RETURN_IF_ERROR(clear_adoptions());
      VECSIM_RETURN_IF_ERROR(hooks_->call(hooks_->wait_for_writers));
      VECSIM_RETURN_IF_ERROR(ctx_.store->refresh_page_count());
      linking_.clear();
      still_linked_.clear();
      for (std::uint32_t block = 1; block < ctx_.store->page_count(); ++block) {
        VECSIM_RETURN_IF_ERROR(reader_.read_page_elements(
            block, [&](HnswRef r, const HnswElementHeader& h, const unsigned char* p, std::size_t) {
              if ((h.flags & kElementNotLive) || gone_.count(r)) return;
              bool links_dying = false;
              const std::size_t body = HnswElementLayout::body_bytes(h);
              for (int layer = 0; layer <= h.level; ++layer) {
                for (int i = 0; i < ctx_.layout.capacity(layer); ++i) {
                  HnswRef l = ctx_.layout.link_at(p, body, layer, i);
                  if (l == kNoRef) break;
                  if (dying_.count(l)) {
                    links_dying = true;
                    still_linked_.insert(l);
                  }
                }
              }
              if (links_dying) linking_.emplace_back(r, h.level);
            }));
      }
      if (sweep + 1 < kSweeps) {
        for (const auto& [r, level] : linking_) VECSIM_RETURN_IF_ERROR(repair_element(r, level, stats));
      }
      // Done when nothing linked a dying element and no insert adopted
      // one meanwhile (its link may be in a list read before it was).
      bool adopted = false;
      VECSIM_RETURN_IF_ERROR(adopted_dying(&adopted, nullptr));
      if (linking_.empty() && !adopted) return Status::ok();
      if (sweep + 1 == kSweeps) VECSIM_RETURN_IF_ERROR(adopted_dying(&adopted, &still_linked_));
    }
    // Kept dying with what they link that is dying (they still route,
    // and must not link a deleted element).
    std::vector<HnswRef> kept(still_linked_.begin(), still_linked_.end());
    for (std::size_t i = 0; i < kept.size(); ++i) {
      if (dying_.erase(kept[i]) == 0) continue;
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(kept[i], &h));
      for (int layer = 0; layer <= h.level; ++layer) {
        VECSIM_RETURN_IF_ERROR(reader_.links(kept[i], layer, &links_, nullptr));
        for (HnswRef l : links_) {
          if (dying_.count(l)) kept.push_back(l);
        }
      }
    }
    return Status::ok();
  }

  // Clears the adopted flag of every dying element that has it.
  Status clear_adoptions() {
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      if (h.flags & kElementAdopted) VECSIM_RETURN_IF_ERROR(clear_adopted(r));
    }
    return Status::ok();
  }

  // Clears element r's adopted flag.
  Status clear_adopted(HnswRef r) {
    bool changed = false;
    return ctx_.store->update_item(ref_block(r), ref_offset(r), [](unsigned char* p, std::size_t n) {
      if (n < sizeof(HnswElementHeader)) return false;
      p[offsetof(HnswElementHeader, flags)] &= static_cast<std::uint8_t>(~kElementAdopted);
      return true;
    }, &changed);
  }

  // *any: whether a dying element is flagged adopted; each is added to
  // *into if given.
  Status adopted_dying(bool* any, std::unordered_set<HnswRef>* into) {
    *any = false;
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      if (!(h.flags & kElementAdopted)) continue;
      *any = true;
      if (into == nullptr) return Status::ok();
      into->insert(r);
    }
    return Status::ok();
  }

  // Step 4: the metapage as it is now (inserts write it at the same time):
  // the reuse hint no later than reuse_block_.
  Status finish_metapage() {
    bool changed = false;
    return ctx_.store->update_item(0, 1, [&](unsigned char* p, std::size_t n) {
      HnswMeta m;
      if (n < sizeof m) return false;
      std::memcpy(&m, p, sizeof m);
      const HnswMeta before = m;
      if (reuse_block_ != 0 && (m.reuse_block == 0 || reuse_block_ < m.reuse_block)) m.reuse_block = reuse_block_;
      ctx_.meta = m;
      if (std::memcmp(&m, &before, sizeof m) == 0) return false;
      std::memcpy(p, &m, sizeof m);
      return true;
    }, &changed);
  }

  // 5. the posting entries of the elements deleted now or found deleted
  // at step 0, and repeats of an entry (hnsw_page_postings.h: each judged
  // afresh as it goes), when this pass deleted or found deleted an
  // element, or took a row out of a TID list (whose row had added one).
  Status remove_stale_postings(HnswVacuumStats* stats) {
    if (deleted_.empty() && stats->rows_removed == 0) return Status::ok();
    std::sort(deleted_.begin(), deleted_.end());
    return postings_.remove_stale([&](HnswRef r) { return std::binary_search(deleted_.begin(), deleted_.end(), r); },
                                  [&] { return hooks_->call(hooks_->between_steps); },
                                  &stats->postings_removed);
  }

  // A repair that loses this many races to inserts in a row is left to the
  // sweep; sweeps that still find lists linking a dying element this many
  // times leave it for the next pass.
  static constexpr int kRepairAttempts = 8;
  static constexpr int kSweeps = 3;
  // The candidates a repair or re-link search keeps: ef_construction live
  // ones, about. The search walks through dying elements (they still
  // route) and they take places in its pool, so the pool grows with the
  // share of the elements that are dying (after 3 in 4 are deleted, four
  // times as large: else a repair saw about two live candidates), within
  // the largest ef_search.
  int repair_ef() const {
    const double live = static_cast<double>(std::max<std::size_t>(live_.size(), 1));
    const double all = live + static_cast<double>(gone_.size());
    const double ef = ctx_.meta.ef_construction * all / live;
    return static_cast<int>(std::min(ef, static_cast<double>(kMaxRepairEf)));
  }
  static constexpr int kMaxRepairEf = 1000;

  // Re-selects element r's list on layer (r's body bytes given, its live
  // links in links_) from its live links and a search for its own value,
  // without gone_ elements and without r itself.
  Status repair(HnswRef r, std::size_t body, int layer, bool* written) {
    lists_.expected() = links_;
    VECSIM_RETURN_IF_ERROR(reader_.copy_value(r, &base_));
    ValueRef base{base_.data(), base_.size()};
    const float base_norm = ctx_.link_norm_of(base);
    search_.set_query_norm(base_norm);
    lists_.candidates().clear();
    for (HnswRef l : lists_.expected()) {
      if (gone_.count(l)) continue;
      Candidate c{0, l};
      VECSIM_RETURN_IF_ERROR(reader_.distance(base, base_norm, l, &c.distance));
      lists_.candidates().push_back(c);
    }
    if (ctx_.meta.entry != kNoRef && ctx_.meta.entry_level >= layer) {
      Candidate nearest{0, ctx_.meta.entry};
      VECSIM_RETURN_IF_ERROR(search_.descend(base, layer, &nearest));
      search_.entries().assign(1, nearest);
      VECSIM_RETURN_IF_ERROR(search_.search_layer(base, repair_ef(), layer, r));
      for (const Candidate& c : search_.pool().sorted()) {
        if (c.node == r || gone_.count(c.node)) continue;
        bool known = false;
        for (const Candidate& p : lists_.candidates()) known |= p.node == c.node;
        if (!known) lists_.candidates().push_back(c);
      }
    }
    // Every live link stays: the repair only fills the slots of the dead
    // ones, so no element loses a way in, wherever a cancel stops vacuum.
    keep_.clear();
    for (HnswRef l : lists_.expected()) {
      if (!gone_.count(l)) keep_.push_back(l);
    }
    return lists_.reselect(r, body, layer, nullptr, nullptr, written, &keep_);
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  HnswPageSearch<Store>& search_;
  HnswPageLists<Store>& lists_;
  HnswPageTids<Store>& tids_;
  HnswPagePostings<Store>& postings_;
  const HnswVacuumHooks* hooks_ = nullptr;
  HnswPageRelink<Store> relinker_;
  std::unordered_set<HnswRef> dying_, gone_, still_linked_;
  std::vector<HnswRef> deleted_;  // found deleted at step 0, or deleted at step 3 (4 bytes each)
  std::uint32_t reuse_block_ = 0;
  HnswRef best_live_ = kNoRef;
  int best_level_ = -1;
  std::vector<std::pair<HnswRef, int>> linking_;  // the sweep's elements to repair
  std::vector<HnswRef> live_;
  std::vector<std::uint8_t> live_levels_;  // the levels of live_, same order
  std::vector<std::pair<HnswRef, HnswElementHeader>> page_headers_;  // per page
  std::vector<HnswRef> links_, new_links_, keep_;
  AlignedBytes base_;
};

}  // namespace vecsim::core

// src/core/graph/hnsw_page_vacuum.h
// Removing dead elements from an hnsw index on pages, and repairing what
// pointed at them.
//
// VACUUM (bulk_delete), in write order:
//   1. a new entry point if the old one is dying (the live element of the
//      highest level), chosen in memory;
//   2a. every live element that no path of live layer-0 links reaches from
//      that entry point (its ways in go through dying elements; a whole
//      tight cluster can be such an island) is linked from a reached
//      element near it, into a free slot, or in place of a link that other
//      reached lists (or the element itself) also hold, or that it adopts
//      (relink), pass after pass until none is left; then the new entry
//      point is written;
//   2b. every live element with a link to a dying or deleted element gets
//      that list re-selected from its live links plus a fresh search for
//      its own value (dying elements excluded), keeping all its live
//      links: only the dead ones are replaced; 2c. a re-link check;
//   3. the dying elements' links are cleared, then the dying elements are
//      flagged deleted (so a pass cut short between flags leaves no
//      unflagged dying element linking a flagged one).
//   CANCEL SAFETY. Every write before step 3 adds a way in or replaces one
//   that another reached list also provides, so a live element reachable
//   before the pass stays reachable at every point a cancel, an error or
//   a crash can stop it (the one exception: a re-link's last resort, see
//   relink). Until step 3 a dying element is an ordinary element whose
//   heap tuple is dead (scans re-check heap visibility), and a repeated
//   vacuum finishes the job; PostgreSQL reuses the heap TIDs only after
//   the whole bulk delete returns.
//   Locking (and WAL) are the caller's (docs/hnsw.md 4.3): vacuum runs
//   alone among writers.
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
#include "graph/hnsw_page_search.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

struct HnswVacuumStats {
  std::size_t deleted = 0;   // elements flagged deleted by this pass
  std::size_t repaired = 0;  // link lists re-selected
  std::size_t relinked = 0;  // live elements nothing linked, linked again
  std::size_t live = 0;      // elements left live
};

template <class Store>
class HnswPageVacuum {
 public:
  HnswPageVacuum(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader,
                 HnswPageSearch<Store>& search, HnswPageLists<Store>& lists)
      : ctx_(ctx), reader_(reader), search_(search), lists_(lists) {}

  // Removes the elements whose heap tuple is_dead(block, offset) says is
  // gone, repairing the links that pointed at them, in the write order
  // above; wait_for_readers() runs after the repairs and before the dying
  // elements' links are cleared.
  template <class IsDead, class Wait>
  Status bulk_delete(IsDead&& is_dead, Wait&& wait_for_readers, HnswVacuumStats* stats) {
    VECSIM_RETURN_IF_ERROR(ctx_.open());
    *stats = HnswVacuumStats{};
    // Which elements die, which are already deleted, and the live ones.
    dying_.clear();
    gone_.clear();
    live_.clear();
    live_levels_.clear();
    Candidate best_live{0, kNoRef};
    int best_level = -1;
    for (std::uint32_t block = 1; block < ctx_.store->page_count(); ++block) {
      // the page's headers in one read; is_dead (the host's) runs after it
      page_headers_.clear();
      VECSIM_RETURN_IF_ERROR(reader_.read_page_elements(
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
      if (reuse_block == ctx_.meta.reuse_block) return Status::ok();
      ctx_.meta.reuse_block = reuse_block;
      return ctx_.store->write_item(0, 1, 0, &ctx_.meta, sizeof ctx_.meta);
    }

    // 1. the entry point, chosen in memory first: the re-links below make
    // every live element reachable from it before it is written.
    const bool new_entry = gone_.count(ctx_.meta.entry) || ctx_.meta.entry == kNoRef;
    if (new_entry) {
      ctx_.meta.entry = best_live.node;
      ctx_.meta.entry_level = static_cast<std::int16_t>(best_level);
    }
    // 2a. before any link to a dying element goes: every live element that
    // only paths through dying ones reach is linked from a reached live
    // element (re-links only add ways in), so whatever goes later, and
    // wherever a cancel stops this pass, every live element stays reachable.
    VECSIM_RETURN_IF_ERROR(relink_unreachable(stats));
    if (new_entry) VECSIM_RETURN_IF_ERROR(ctx_.store->write_item(0, 1, 0, &ctx_.meta, sizeof ctx_.meta));
    // 2b. repairs: lists that link dying elements take live ones in those
    // slots (keeping every live link they have)
    for (std::size_t i = 0; i < live_.size(); ++i) {
      HnswRef r = live_[i];
      for (int layer = 0; layer <= live_levels_[i]; ++layer) {
        std::size_t body = 0;
        VECSIM_RETURN_IF_ERROR(reader_.links(r, layer, &links_, &body));
        bool broken = false;
        for (HnswRef l : links_) broken |= gone_.count(l) > 0;
        if (!broken) continue;
        VECSIM_RETURN_IF_ERROR(repair(r, body, layer));
        ++stats->repaired;
      }
    }
    // 2c. repairs only add ways in, so this finds nothing unless a
    // re-link's last resort above dropped one.
    VECSIM_RETURN_IF_ERROR(relink_unreachable(stats));
    VECSIM_RETURN_IF_ERROR(wait_for_readers());
    // 3. flags, after the dying elements' own links are cleared: a pass
    // cut short between two flags must not leave an unflagged (so, to a
    // reader, live) dying element linking a flagged one.
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      const std::size_t body = HnswElementLayout::body_bytes(h);
      std::size_t from = ctx_.layout.links_offset(body, 0);
      new_links_.assign((ctx_.layout.item_size(body, h.level) - from) / sizeof(HnswRef), kNoRef);
      VECSIM_RETURN_IF_ERROR(ctx_.store->write_item(ref_block(r), ref_offset(r), from, new_links_.data(),
                                                sizeof(HnswRef) * new_links_.size()));
    }
    for (HnswRef r : dying_) {
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(reader_.header(r, &h));
      std::uint8_t flags = h.flags | kElementDeleted;
      VECSIM_RETURN_IF_ERROR(ctx_.store->write_item(ref_block(r), ref_offset(r),
                                                offsetof(HnswElementHeader, flags), &flags,
                                                sizeof flags));
    }
    stats->deleted = dying_.size();
    ctx_.meta.element_count = static_cast<std::uint32_t>(live_.size());
    ctx_.meta.reuse_block = reuse_block;
    return ctx_.store->write_item(0, 1, 0, &ctx_.meta, sizeof ctx_.meta);
  }


 private:
  // Vacuum's re-link passes (2b); one or two are the rule.
  static constexpr int kRelinkPasses = 8;
  // Lists a re-link tries for a link it may replace.
  static constexpr std::size_t kRelinkLists = 8;

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
    if (ctx_.meta.entry != kNoRef && !gone_.count(ctx_.meta.entry)) {
      reached.insert(ctx_.meta.entry);
      queue.push_back(ctx_.meta.entry);
    }
    for (std::size_t i = 0; i < queue.size(); ++i) {
      VECSIM_RETURN_IF_ERROR(reader_.links(queue[i], 0, &links_, nullptr));
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
  // target other reached lists link too (incoming_) or o links itself;
  // else in place of a nearest list's farthest link that o adopts into a
  // free slot of its own; else, as a last resort (o full, every near list
  // full of sole ways in), in place of the nearest list's farthest link
  // (a later pass re-links what that drops; the one place a cancel could
  // still leave an element unreachable). Lists are not re-selected here: a
  // re-selection drops links nothing then adopts, and with near-duplicates
  // (which the heuristic prunes in favour of the same few) re-links would
  // keep pushing each other out of the same lists.
  Status relink(HnswRef o) {
    VECSIM_RETURN_IF_ERROR(reader_.copy_value(o, &base_));
    ValueRef base{base_.data(), base_.size()};
    Candidate nearest{0, ctx_.meta.entry};
    VECSIM_RETURN_IF_ERROR(search_.descend(base, 0, &nearest));
    // The descent may end inside an island (upper layers can lead there);
    // a layer-0 search from a reached element finds only reached ones, so
    // whichever list takes o makes it reachable.
    if (!reached_.count(nearest.node)) {
      nearest.node = ctx_.meta.entry;
      VECSIM_RETURN_IF_ERROR(reader_.distance(base, nearest.node, &nearest.distance));
    }
    search_.entries().assign(1, nearest);
    VECSIM_RETURN_IF_ERROR(search_.search_layer(base, repair_ef(), 0, o));
    sorted_.clear();
    for (const Candidate& c : search_.pool().sorted()) {
      if (c.node != o && !gone_.count(c.node)) sorted_.push_back(c);
    }
    if (sorted_.empty()) return Status::ok();
    VECSIM_RETURN_IF_ERROR(lists_.select(sorted_, ctx_.meta.m, &relink_to_));
    for (std::size_t i = 0; i < kRelinkLists && i < sorted_.size(); ++i) relink_to_.push_back(sorted_[i]);
    for (const Candidate& n : relink_to_) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(reader_.links(n.node, 0, &links_, &body));
      if (static_cast<int>(links_.size()) >= ctx_.layout.capacity(0)) continue;
      bool linked = false;
      VECSIM_RETURN_IF_ERROR(lists_.append_link(n.node, body, 0, o, &linked));
      if (linked) {
        ++incoming_[o];
        return Status::ok();
      }
    }
    // A link that stays reachable without this list: one other reached
    // lists hold too, or one o itself links (reached through o, once o is).
    std::size_t own_body = 0;
    VECSIM_RETURN_IF_ERROR(reader_.links(o, 0, &own_links_, &own_body));
    const auto spare = [&](HnswRef l) {
      auto in = incoming_.find(l);
      return (in != incoming_.end() && in->second > 1) ||
             std::find(own_links_.begin(), own_links_.end(), l) != own_links_.end();
    };
    for (std::size_t i = 0; i < sorted_.size() && i < kRelinkLists; ++i) {
      bool replaced = false;
      VECSIM_RETURN_IF_ERROR(lists_.replace_farthest(sorted_[i], o, nullptr, spare, &incoming_, &replaced));
      if (replaced) return Status::ok();
    }
    // o adopts the link it displaces (into a free slot of its own), so
    // that link keeps its way in, through o.
    const HnswAdopter adopter{o, own_body};
    for (std::size_t i = 0; i < sorted_.size() && i < kRelinkLists; ++i) {
      bool replaced = false;
      VECSIM_RETURN_IF_ERROR(lists_.replace_farthest(sorted_[i], o, &adopter, [](HnswRef) { return true; },
                                                     &incoming_, &replaced));
      if (replaced) return Status::ok();
    }
    bool replaced = false;
    return lists_.replace_farthest(sorted_.front(), o, nullptr, [](HnswRef) { return true; }, &incoming_,
                                   &replaced);
  }

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
  Status repair(HnswRef r, std::size_t body, int layer) {
    lists_.expected() = links_;
    VECSIM_RETURN_IF_ERROR(reader_.copy_value(r, &base_));
    ValueRef base{base_.data(), base_.size()};
    lists_.candidates().clear();
    for (HnswRef l : lists_.expected()) {
      if (gone_.count(l)) continue;
      Candidate c{0, l};
      VECSIM_RETURN_IF_ERROR(reader_.distance(base, l, &c.distance));
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
    bool written = false;
    return lists_.reselect(r, body, layer, nullptr, nullptr, &written, &keep_);
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  HnswPageSearch<Store>& search_;
  HnswPageLists<Store>& lists_;
  std::unordered_set<HnswRef> dying_, gone_, reached_;
  IncomingLinks incoming_;  // find_unreachable()'s
  std::vector<HnswRef> live_;
  std::vector<std::uint8_t> live_levels_;  // the levels of live_, same order
  std::vector<std::pair<HnswRef, HnswElementHeader>> page_headers_;  // per page
  std::vector<HnswRef> links_, new_links_, orphans_, keep_, own_links_;
  std::vector<Candidate> sorted_, relink_to_;
  AlignedBytes base_;
};

}  // namespace vecsim::core

// src/core/graph/hnsw_page_relink.h
// Vacuum's re-link step (hnsw_page_vacuum.h, 2a and 2c): every live
// element that no path of live layer-0 links reaches from the entry point
// is linked from a reached element near it, without dropping any
// reached element's last way in, pass after pass until none is left.
//
// INVARIANTS
//   Every write is one of HnswPageLists' read-check-writes, so it may run
//   beside inserts; it only adds ways in or replaces one another reached
//   list (or the element itself) also provides. The entry point is the
//   context's metapage copy (ctx.meta.entry), which vacuum may have
//   chosen in memory before writing it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_lists.h"
#include "graph/hnsw_page_search.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

template <class Store>
class HnswPageRelink {
 public:
  HnswPageRelink(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader, HnswPageSearch<Store>& search,
                 HnswPageLists<Store>& lists)
      : ctx_(ctx), reader_(reader), search_(search), lists_(lists) {}

  // Re-links every element of live (gone excluded) that no search
  // can reach. An element may still have incoming links and be lost: a
  // tight cluster whose gateways die keeps linking only itself (an
  // island). Each pass re-links every unreachable element (a last resort
  // may leave one of the element's own links without a way in), so passes
  // repeat while any is left.
  Status relink_unreachable(const std::vector<HnswRef>& live, const std::unordered_set<HnswRef>& gone, int ef,
                            std::size_t* relinked) {
    live_ = &live;
    gone_ = &gone;
    ef_ = ef;
    for (int pass = 0; pass < kRelinkPasses; ++pass) {
      VECSIM_RETURN_IF_ERROR(find_unreachable(&orphans_));
      for (HnswRef o : orphans_) VECSIM_RETURN_IF_ERROR(relink(o));
      *relinked += orphans_.size();
      if (orphans_.empty()) break;
    }
    return Status::ok();
  }

 private:
  // Vacuum's re-link passes (2b); one or two are the rule.
  static constexpr int kRelinkPasses = 8;
  // Lists a re-link tries for a link it may replace.
  static constexpr std::size_t kRelinkLists = 8;

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
    if (ctx_.meta.entry != kNoRef && !gone_->count(ctx_.meta.entry)) {
      reached.insert(ctx_.meta.entry);
      queue.push_back(ctx_.meta.entry);
    }
    for (std::size_t i = 0; i < queue.size(); ++i) {
      VECSIM_RETURN_IF_ERROR(reader_.links(queue[i], 0, &links_, nullptr));
      for (HnswRef l : links_) {
        ++incoming_[l];
        if (!gone_->count(l) && reached.insert(l).second) queue.push_back(l);
      }
    }
    for (HnswRef r : *live_) {
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
  // full of sole ways in), in place of the nearest list's farthest link,
  // which o takes first in place of its own farthest (see below). Lists
  // are not re-selected here: a
  // re-selection drops links nothing then adopts, and with near-duplicates
  // (which the heuristic prunes in favour of the same few) re-links would
  // keep pushing each other out of the same lists.
  Status relink(HnswRef o) {
    VECSIM_RETURN_IF_ERROR(reader_.copy_value(o, &base_));
    ValueRef base{base_.data(), base_.size()};
    const float base_norm = ctx_.link_norm_of(base);
    search_.set_query_norm(base_norm);
    Candidate nearest{0, ctx_.meta.entry};
    VECSIM_RETURN_IF_ERROR(search_.descend(base, 0, &nearest));
    // The descent may end inside an island (upper layers can lead there);
    // a layer-0 search from a reached element finds only reached ones, so
    // whichever list takes o makes it reachable.
    if (!reached_.count(nearest.node)) {
      nearest.node = ctx_.meta.entry;
      VECSIM_RETURN_IF_ERROR(reader_.distance(base, base_norm, nearest.node, &nearest.distance));
    }
    search_.entries().assign(1, nearest);
    VECSIM_RETURN_IF_ERROR(search_.search_layer(base, ef_, 0, o));
    sorted_.clear();
    for (const Candidate& c : search_.pool().sorted()) {
      if (c.node != o && !gone_->count(c.node)) sorted_.push_back(c);
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
    // The last resort (o full, every near list full of sole ways in): the
    // nearest list's farthest link gives way to o, but o takes that link
    // first, in place of o's own farthest one. Nothing reached links o
    // yet, so o's links were no one's way in, and at every point between
    // the two writes (a cancel, a crash) every reached element stays
    // reached (o's dropped link, if it needs one, is re-linked by a later
    // pass, as o is now; only if a concurrent insert linked o meanwhile
    // could that link have been a reached element's last way in).
    const HnswAdopter evicting{o, own_body, true};
    bool replaced = false;
    return lists_.replace_farthest(sorted_.front(), o, &evicting, [](HnswRef) { return true; }, &incoming_,
                                   &replaced);
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  HnswPageSearch<Store>& search_;
  HnswPageLists<Store>& lists_;
  const std::vector<HnswRef>* live_ = nullptr;   // relink_unreachable()'s arguments
  const std::unordered_set<HnswRef>* gone_ = nullptr;
  int ef_ = 0;                                   // the candidates a re-link search keeps
  std::unordered_set<HnswRef> reached_;
  IncomingLinks incoming_;  // find_unreachable()'s
  std::vector<HnswRef> links_, orphans_, own_links_;
  std::vector<Candidate> sorted_, relink_to_;
  AlignedBytes base_;
};

}  // namespace vecsim::core

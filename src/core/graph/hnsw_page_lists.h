// src/core/graph/hnsw_page_lists.h
// Changing the neighbour lists of an hnsw index on pages, for inserts and
// vacuum alike: the selection heuristic over values read from pages, a
// link appended to a free slot, a list re-selected with a new candidate,
// a farthest link replaced, and an inserting element adopting what the
// lists it enters drop.
//
// ADOPTION
//   An insert passes an HnswAdopter (its new element, written already):
//   every element a layer-0 re-selection drops is first linked from the
//   new element (into its free slots: it chose only m of its 2m), and a
//   list that would drop what the new element cannot take stays as it is.
//   So no step of an insert leaves a live element without a way in.
//   Dying elements are adopted too (they still route searches to live
//   elements whose ways in may pass through them; vacuum's sweep repairs
//   any list that links one); deleted ones are not (nothing links them).
//   Vacuum's repairs pass none: they re-select lists of live elements
//   keeping every live link they hold (only the dead ones are replaced),
//   so a repair never takes an element's way in either; its re-links pass
//   the element being re-linked (hnsw_page_vacuum.h).
//
// INVARIANTS
//   Every write to a list is a read-check-write under the page's lock
//   (PageStore::update_item): it happens only if the list is still what
//   the change was computed from, else the caller reads it again (up to
//   kWriteAttempts times). candidates() and expected() are filled by the
//   caller of reselect() (they are this part's scratch otherwise).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "graph/neighbor_selection.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

// The element an insert is linking in, and its body's size (where its
// lists are). evict: when its layer-0 list is full, an adoption takes the
// place of its farthest link (vacuum's last-resort re-link of an element
// nothing reaches yet: then none of its links is anyone's way in).
struct HnswAdopter {
  HnswRef element;
  std::size_t body;
  bool evict = false;
};

// How many reached lists link each element (vacuum's re-links).
using IncomingLinks = std::unordered_map<HnswRef, std::uint32_t>;

template <class Store>
class HnswPageLists {
 public:
  HnswPageLists(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader)
      : ctx_(ctx), reader_(reader) {}

  // reselect()'s inputs: the candidates with their distances from the
  // list's element, and the list as it was read.
  std::vector<Candidate>& candidates() { return prune_; }
  std::vector<HnswRef>& expected() { return expected_; }

  // CONCURRENT INSERTS: every write an insert makes to an item another
  // insert may also change (a list, the metapage, a deleted slot) is one
  // read-check-write under the page's lock (PageStore::update_item), so no
  // insert overwrites what another wrote after it read. A check that fails
  // means the item changed: the caller reads it again and retries, up to
  // kWriteAttempts times (each failure is another insert's progress).
  static constexpr int kWriteAttempts = 64;
  // The heuristic over candidates of one base, reading each candidate's
  // value once while it is compared with the kept ones.
  Status select(const std::vector<Candidate>& sorted, int m, std::vector<Candidate>* kept) {
    Status failed;
    HnswRef copied = kNoRef;
    float copied_norm = 0.0f;
    select_diverse(
        sorted, m,
        one_at_a_time([&](std::uint32_t a, std::uint32_t b) {
          if (!failed.is_ok()) return 0.0f;
          if (a != copied) {
            Status st = reader_.copy_value(a, &scratch_);
            if (!st.is_ok()) {
              failed = st;
              return 0.0f;
            }
            copied = a;
            copied_norm = ctx_.link_norm_of(ValueRef{scratch_.data(), scratch_.size()});
          }
          float d = 0;
          Status st = reader_.distance(ValueRef{scratch_.data(), scratch_.size()}, copied_norm, b, &d);
          if (!st.is_ok()) failed = st;
          return d;
        }),
        kept, ctx_.fill_lists);
    return failed;
  }

  // An insert's step 2 for one neighbour: a free slot takes the link to
  // the new element (adopter->element); a full list is re-selected over its
  // links and the new element (both again from a fresh read if a
  // concurrent insert changed the list first), the new element adopting
  // what a layer-0 re-selection drops. *stayed (if given): whether the new
  // element is in the list afterwards.
  Status link_back(const Candidate& neighbour, const HnswAdopter& adopter, int layer, bool* stayed) {
    const HnswRef added = adopter.element;
    HnswRef n = neighbour.node;
    if (stayed) *stayed = false;
    bool have_value = false;
    float base_norm = 0;  // n's link norm, once its value is read
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(reader_.links(n, layer, &links_, &body));
      if (std::find(links_.begin(), links_.end(), added) != links_.end()) {
        if (stayed) *stayed = true;  // a concurrent insert linked it already
        return Status::ok();
      }
      if (static_cast<int>(links_.size()) < ctx_.layout.capacity(layer)) {
        bool linked = false;
        VECSIM_RETURN_IF_ERROR(append_link(n, body, layer, added, &linked));
        if (linked) {
          if (stayed) *stayed = true;
          return Status::ok();
        }
        continue;  // filled meanwhile
      }
      expected_ = links_;
      ValueRef base{base_.data(), base_.size()};
      if (!have_value) {
        VECSIM_RETURN_IF_ERROR(reader_.copy_value(n, &base_));
        base = ValueRef{base_.data(), base_.size()};
        base_norm = ctx_.link_norm_of(base);
        have_value = true;
      }
      prune_.assign(1, Candidate{neighbour.distance, added});
      for (HnswRef r : expected_) {
        Candidate c{0, r};
        VECSIM_RETURN_IF_ERROR(reader_.distance(base, base_norm, r, &c.distance));
        prune_.push_back(c);
      }
      bool kept = false;
      bool written = false;
      VECSIM_RETURN_IF_ERROR(reselect(n, body, layer, &adopter, &kept, &written));
      if (!kept) return Status::ok();  // the list turned the new element down
      if (written) {
        if (stayed) *stayed = true;
        return Status::ok();
      }
    }
    return Status::ok();  // the list kept changing: the new element's other links serve
  }

  // Sorts candidates() (candidate links of element r, of body bytes, on
  // layer, with their distances from r), keeps what the heuristic keeps,
  // and writes that as r's list, unused slots kNoRef, if the list still is
  // expected() (what the candidates were taken from: a concurrent insert
  // may have changed it since). adopter: the element an insert links in
  // (null for vacuum's repairs); *kept_added (if given): whether it is
  // among the kept; *written: whether the list was written.
  // keep (vacuum's repairs): links the new list must hold whatever the
  // heuristic says (the live links the list has), so that a repair only
  // ever adds ways in and no element loses one.
  Status reselect(HnswRef r, std::size_t body, int layer, const HnswAdopter* adopter,
                  bool* kept_added, bool* written, const std::vector<HnswRef>* keep = nullptr) {
    const HnswRef added = adopter ? adopter->element : kNoRef;
    *written = false;
    std::sort(prune_.begin(), prune_.end(), Closer{r});
    int cap = ctx_.layout.capacity(layer);
    VECSIM_RETURN_IF_ERROR(select(prune_, cap, &kept_));
    if (keep != nullptr) keep_links(*keep, r, static_cast<std::size_t>(cap));
    bool found = false;
    for (const Candidate& k : kept_) found |= k.node == added;
    if (kept_added) *kept_added = found;
    // A list that does not take the new element stays as it is: whatever
    // it would drop then stays linked from here, and whatever it drops
    // when it does take it is first linked from the new element, which
    // this list then links, so no element loses its last way in, even if
    // the insert stops (a crash) right after this write.
    if (added != kNoRef && !found) return Status::ok();
    if (layer == 0 && adopter != nullptr) {
      bool safe = true;
      VECSIM_RETURN_IF_ERROR(adopt_dropped(*adopter, cap, &safe));
      if (!safe) {  // as if the list had turned the new element down
        if (kept_added) *kept_added = false;
        return Status::ok();
      }
    }
    new_links_.assign(static_cast<std::size_t>(cap), kNoRef);
    for (std::size_t i = 0; i < kept_.size(); ++i) new_links_[i] = kept_[i].node;
    return replace_list(r, body, layer, written);
  }

  // In n's layer-0 list, o takes the place of the link farthest from n
  // among those may_drop(link) allows (*replaced: whether there was one;
  // if a concurrent insert changes that slot first, the list is read and
  // measured again). With an adopter (an insert linking o = its element),
  // the new element first adopts the replaced link, and a link it cannot
  // adopt is passed over. An empty list takes o into its first slot; if a
  // concurrent insert filled it meanwhile, the list is read again and its
  // farthest link replaced.
  // incoming (vacuum's count of reached lists linking each element) is
  // kept up to date if given.
  template <class MayDrop>
  Status replace_farthest(const Candidate& n, HnswRef o, const HnswAdopter* adopter,
                          MayDrop&& may_drop, IncomingLinks* incoming, bool* replaced_one) {
    *replaced_one = false;
    VECSIM_RETURN_IF_ERROR(reader_.copy_value(n.node, &scratch2_));
    ValueRef from{scratch2_.data(), scratch2_.size()};
    const float from_norm = ctx_.link_norm_of(from);
    refused_.clear();  // links the new element could not adopt
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(reader_.links(n.node, 0, &links_, &body));
      if (links_.empty()) {
        bool linked = false;
        VECSIM_RETURN_IF_ERROR(append_link(n.node, body, 0, o, &linked));
        if (linked) {
          *replaced_one = true;
          return Status::ok();
        }
        continue;  // filled meanwhile
      }
      if (std::find(links_.begin(), links_.end(), o) != links_.end()) {
        *replaced_one = true;
        return Status::ok();
      }
      std::size_t worst = 0;
      VECSIM_RETURN_IF_ERROR(farthest_link(from, from_norm, links_, [&](HnswRef l) {
        return !may_drop(l) || std::find(refused_.begin(), refused_.end(), l) != refused_.end();
      }, &worst));
      if (worst == links_.size()) return Status::ok();
      const HnswRef replaced = links_[worst];
      if (adopter != nullptr) {  // an insert: the new element keeps the replaced link
        bool adopted = false;
        VECSIM_RETURN_IF_ERROR(adopt(*adopter, replaced, &adopted));
        if (!adopted) {  // the new element is full: another link, if any
          refused_.push_back(replaced);
          continue;
        }
      }
      bool written = false;
      VECSIM_RETURN_IF_ERROR(replace_link(n.node, body, 0, static_cast<int>(worst), replaced, o, &written));
      if (written) {
        if (incoming != nullptr) {
          auto in = incoming->find(replaced);
          if (in != incoming->end()) --in->second;
          ++(*incoming)[o];
        }
        *replaced_one = true;
        return Status::ok();
      }
    }
    return Status::ok();
  }

  // The inserted element (adopter) links x on layer 0 (one write into its
  // next free slot). *linked: whether x is linked now or needs no link
  // (x is deleted); false only when the new element has no free slot left.
  Status adopt(const HnswAdopter& adopter, HnswRef x, bool* linked) {
    *linked = true;
    if (x == adopter.element) return Status::ok();
    // A deleted element needs no way in (nothing may link it). A dying one
    // is flagged adopted first, unless vacuum flagged it deleted meanwhile
    // (hnsw_format.h, kElementAdopted).
    HnswElementHeader h;
    VECSIM_RETURN_IF_ERROR(reader_.header(x, &h));
    if (h.flags & kElementDeleted) return Status::ok();
    if (h.flags & kElementDying) {
      bool flagged = false;
      VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(ref_block(x), ref_offset(x), [](unsigned char* p,
                                                                                    std::size_t n) {
        if (n < sizeof(HnswElementHeader)) return false;
        std::uint8_t& flags = p[offsetof(HnswElementHeader, flags)];
        if (flags & kElementDeleted) return false;
        flags |= kElementAdopted;
        return true;
      }, &flagged));
      if (!flagged) return Status::ok();
    }
    VECSIM_RETURN_IF_ERROR(append_link(adopter.element, adopter.body, 0, x, linked));
    if (*linked || !adopter.evict) return Status::ok();
    return adopt_in_place_of_farthest(adopter.element, x, linked);
  }

  // r (full) links x in place of its farthest layer-0 link, by
  // read-check-write; *linked once x is in r's list.
  Status adopt_in_place_of_farthest(HnswRef r, HnswRef x, bool* linked) {
    *linked = false;
    VECSIM_RETURN_IF_ERROR(reader_.copy_value(r, &evict_value_));
    const ValueRef own{evict_value_.data(), evict_value_.size()};
    const float own_norm = ctx_.link_norm_of(own);
    for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
      std::size_t body = 0;
      VECSIM_RETURN_IF_ERROR(reader_.links(r, 0, &evict_links_, &body));
      if (std::find(evict_links_.begin(), evict_links_.end(), x) != evict_links_.end()) {
        *linked = true;
        return Status::ok();
      }
      if (static_cast<int>(evict_links_.size()) < ctx_.layout.capacity(0)) {
        VECSIM_RETURN_IF_ERROR(append_link(r, body, 0, x, linked));
        if (*linked) return Status::ok();
        continue;
      }
      std::size_t worst = 0;
      VECSIM_RETURN_IF_ERROR(farthest_link(own, own_norm, evict_links_, [](HnswRef) { return false; }, &worst));
      if (worst == evict_links_.size()) worst = 0;  // no distance above -inf (NaN): the first
      bool written = false;
      VECSIM_RETURN_IF_ERROR(
          replace_link(r, body, 0, static_cast<int>(worst), evict_links_[worst], x, &written));
      if (written) {
        *linked = true;
        return Status::ok();
      }
    }
    return Status::ok();
  }

  // Appends x to r's list on layer (r's body bytes given): *linked is true
  // when x is in the list afterwards (appended now, or there already),
  // false when the list is full.
  Status append_link(HnswRef r, std::size_t body, int layer, HnswRef x, bool* linked) {
    const int cap = ctx_.layout.capacity(layer);
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

 private:
  // *worst: the index in links of the link farthest from `from` (of norm
  // from_norm) among those skip(link) does not pass over; links.size()
  // when it passes over all of them.
  template <class Skip>
  Status farthest_link(ValueRef from, float from_norm, const std::vector<HnswRef>& links, Skip&& skip,
                       std::size_t* worst) {
    *worst = links.size();
    float worst_distance = -HUGE_VALF;
    for (std::size_t i = 0; i < links.size(); ++i) {
      if (skip(links[i])) continue;
      float d = 0;
      VECSIM_RETURN_IF_ERROR(reader_.distance(from, from_norm, links[i], &d));
      if (d > worst_distance) {
        worst_distance = d;
        *worst = i;
      }
    }
    return Status::ok();
  }

  // f(unsigned char* list) -> bool on r's list on layer (r's body bytes
  // given; capacity refs at `list`, any alignment), under r's page lock,
  // as PageStore::update_item: true keeps what f wrote (*changed).
  template <class F>
  Status update_list(HnswRef r, std::size_t body, int layer, F&& f, bool* changed) {
    const std::size_t at = ctx_.layout.links_offset(body, layer);
    const std::size_t end = at + sizeof(HnswRef) * static_cast<std::size_t>(ctx_.layout.capacity(layer));
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(ref_block(r), ref_offset(r), [&](unsigned char* p, std::size_t n) {
      if (n < end) return intact = false;
      return f(p + at);
    }, changed));
    return intact ? Status::ok() : reader_.corrupt_element(r);
  }
  static HnswRef list_link(const unsigned char* list, int i) {
    HnswRef link;
    std::memcpy(&link, list + sizeof link * i, sizeof link);
    return link;
  }
  static void set_list_link(unsigned char* list, int i, HnswRef link) {
    std::memcpy(list + sizeof link * i, &link, sizeof link);
  }

  // Writes new_links_ as r's list on layer if the list still holds exactly
  // expected_ (*written says whether it did).
  Status replace_list(HnswRef r, std::size_t body, int layer, bool* written) {
    const int cap = ctx_.layout.capacity(layer);
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

  // kept_ with every candidate of prune_ that keep names, and, when that
  // is more than cap, without the farthest of the others.
  void keep_links(const std::vector<HnswRef>& keep, HnswRef r, std::size_t cap) {
    auto in = [](const std::vector<HnswRef>& v, HnswRef x) { return std::find(v.begin(), v.end(), x) != v.end(); };
    auto held = [&](HnswRef x) {
      for (const Candidate& k : kept_) {
        if (k.node == x) return true;
      }
      return false;
    };
    for (const Candidate& c : prune_) {
      if (in(keep, c.node) && !held(c.node)) kept_.push_back(c);
    }
    std::sort(kept_.begin(), kept_.end(), Closer{r});
    for (std::size_t i = kept_.size(); kept_.size() > cap && i-- > 0;) {
      if (!in(keep, kept_[i].node)) kept_.erase(kept_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  // Links from the inserted element (adopter) every candidate of prune_
  // the re-selection in kept_ drops, while it has free layer-0 slots; each
  // is one write, made before the list that drops it is rewritten. Once
  // the new element is full (concurrent inserts fill its slots too), a
  // dropped candidate stays in the re-selected list instead, while that
  // has room; *safe is false if one could go nowhere (the list must then
  // stay as it is).
  Status adopt_dropped(const HnswAdopter& adopter, int cap, bool* safe) {
    const HnswRef added = adopter.element;
    *safe = true;
    for (const Candidate& c : prune_) {
      if (c.node == added) continue;
      bool kept = false;
      for (const Candidate& k : kept_) kept |= k.node == c.node;
      if (kept) continue;
      bool adopted = false;
      VECSIM_RETURN_IF_ERROR(adopt(adopter, c.node, &adopted));
      if (adopted) continue;
      if (kept_.size() < static_cast<std::size_t>(cap)) {
        kept_.push_back(c);
      } else {
        *safe = false;
      }
    }
    return Status::ok();
  }


  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  std::vector<HnswRef> links_, expected_, new_links_, refused_;
  std::vector<Candidate> prune_, kept_;
  AlignedBytes base_, scratch_, scratch2_;
  AlignedBytes evict_value_;           // adopt_in_place_of_farthest()'s
  std::vector<HnswRef> evict_links_;
};

}  // namespace vecsim::core

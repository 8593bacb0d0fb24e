// src/core/graph/hnsw_page_search.h
// Searching an hnsw index on pages: the greedy descent through the upper
// layers, the best-first search of one layer (for a query, for an insert's
// neighbours, for vacuum's repairs, and batch by batch for a scan), and
// the k-nearest-neighbour search built on them.
//
// Each element a search reaches is read once, page by page (visit_page:
// the fresh links on one page are measured under one pin, their memory
// prefetched first), and what the search may need of it later (its heap
// TID and whether it is live, and its links on the layer while the link
// cache has room: limit_link_cache) is kept in seen_ (seen_records.h), so
// that handing it out reads no page again, nor does expanding it if its
// links were kept.
//
// INVARIANTS
//   On a graph written by write_hnsw a search returns the in-memory
//   graph's result for the same query and ef (same links; only the order
//   in which equal distances are met may differ, as elements are placed by
//   graph locality and read page by page). Deleted and dying elements are
//   traversed but not returned. The visited set and seen_ are this part's scratch:
//   reset by descend() and search_layer(), kept across expand() calls (an
//   iterative scan's batches share them). pool() and entries() are the
//   caller's to read (the last search's result) and fill (where the next
//   expand starts).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/exact_part.h"
#include "graph/filtered_pool.h"
#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_levels.h"
#include "graph/hnsw_page_context.h"
#include "graph/ref_set.h"
#include "graph/search_pool.h"
#include "graph/seen_records.h"
#include "index/value_metrics.h"
#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

// One row: an element's distance, and one of its heap TIDs. For an
// element whose rows are in a TID list (tid_list), hit_of() gives the
// list's reference in heap_block; HnswPageSearch::append_rows reads the
// rows.
struct HnswHit {
  float distance;
  HnswRef ref;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
  bool tid_list = false;
};

template <class Store>
class HnswPageSearch {
 public:
  HnswPageSearch(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader)
      : ctx_(ctx), reader_(reader) {}
  HnswPageSearch(const HnswPageSearch&) = delete;
  HnswPageSearch& operator=(const HnswPageSearch&) = delete;

  SearchPool& pool() { return pool_; }
  // The link norm of the query of the searches that follow (norm_slack.h):
  // kUserQuery (the default) for a user's query, ctx.link_norm_of(value)
  // for a search made to link a stored value. search() and a scan's begin
  // set kUserQuery.
  void set_query_norm(float norm_sq) { query_norm_ = norm_sq; }
  std::vector<Candidate>& entries() { return entries_; }
  // The filter of a scan's searches (null: none, the default). An element
  // that fails it is traversed but never handed out, as a deleted one.
  void set_filter(const HnswAttrFilter* filter) { filter_ = filter; }
  const RefSet& visited() const { return visited_; }
  // What the searches kept of the elements they read, at visited().value(r).
  const SeenRecords& seen() const { return seen_; }
  // Memory the visited set and seen_ hold (a scan's budget counts it).
  std::size_t memory_bytes() const {
    return visited_.memory_bytes() + seen_.memory_bytes() + filtered_pool_.memory_bytes() +
           filtered_results_.capacity() * sizeof(Candidate) + exact_part_.memory_bytes();
  }

  // Once seen_ holds this many bytes, elements visited next keep only
  // their header words, not their links (a cache: expanding such an
  // element reads its links again). A scan's further batches set it to a
  // sixteenth of its memory budget (the vector may double past it), so a
  // long iterative scan spends its budget on elements visited (about 12
  // bytes each, beside the visited set's 24) rather than on links it may
  // never expand: it reaches max_scan_tuples as pgvector's does.
  // Unlimited by default (inserts' and vacuum's searches); an unfiltered
  // scan's first search keeps none (hnsw_page_scan.h).
  void limit_link_cache(std::size_t bytes) { seen_.limit_link_cache(bytes); }

  // The k nearest live elements to query, nearest first.
  Status search(ValueRef query, int k, int ef, std::vector<HnswHit>* out) {
    out->clear();
    query_norm_ = kUserQuery;
    if (ctx_.meta.entry == kNoRef) return Status::ok();
    VECSIM_RETURN_IF_ERROR(start(query, 0, hnsw_query_start_width(ctx_.meta.m, ef), 0));
    VECSIM_RETURN_IF_ERROR(search_layer(query, ef > k ? ef : k, 0, 0));
    for (const Candidate& c : pool_.sorted()) {
      if (static_cast<int>(out->size()) >= k) break;
      bool not_live = false;
      HnswHit hit;
      VECSIM_RETURN_IF_ERROR(hit_of(c, &not_live, &hit));
      if (not_live) continue;
      tids_.clear();
      VECSIM_RETURN_IF_ERROR(append_rows(hit, &tids_));
      for (const HeapTid& t : tids_) {
        if (static_cast<int>(out->size()) == k) break;
        out->push_back(HnswHit{hit.distance, hit.ref, t.block, t.offset, false});
      }
    }
    return Status::ok();
  }

  // The rows of a hit (hit_of) appended to *out: its heap TID, or those
  // of its element's TID list (none if the element was deleted since the
  // search read it).
  Status append_rows(const HnswHit& hit, std::vector<HeapTid>* out) {
    if (hit.tid_list) return reader_.append_list_tids(hit.ref, hit.heap_block, out);
    out->push_back(HeapTid{hit.heap_block, hit.heap_offset});
    return Status::ok();
  }

  // Greedy descent from the entry point to layer `to` + 1. One visited set
  // serves every layer: an element already measured is no nearer than the
  // current nearest (greedy keeps the minimum), so it is never measured
  // again. Within a layer, the element moved to was read with its links on
  // that layer (visit_page) while the link cache has room, so then only
  // each layer's first list is a read.
  Status descend(ValueRef query, int to, Candidate* nearest) {
    reset_visited();
    VECSIM_RETURN_IF_ERROR(reader_.distance(query, query_norm_, nearest->node, &nearest->distance));
    descent_start_ = *nearest;
    visited_.insert(nearest->node);
    for (int layer = ctx_.meta.entry_level; layer > to; --layer) {
      bool first = true;
      for (bool moved = true; moved; first = false) {
        moved = false;
        std::uint32_t at = visited_.value(nearest->node);
        if (first || at == RefSet::kNoValue || !seen_.links_cached(at)) {
          VECSIM_RETURN_IF_ERROR(reader_.links(nearest->node, layer, &links_, nullptr));
        } else {
          seen_.links(at, &links_);
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

  // Where a search of `layer` starts (hnsw_levels.h), into entries_: the
  // greedy descent to layer + 1, then the `width` nearest there (a
  // best-first search with tie salt `salt`), or the descent's end alone
  // when layer is the top one. The visited set is left reset: the search
  // of `layer` reads its entries afresh.
  Status start(ValueRef query, int layer, int width, std::uint32_t salt) {
    Candidate nearest{0, ctx_.meta.entry};
    const int above = layer + 1;
    if (width <= 1 || above > ctx_.meta.entry_level) {
      VECSIM_RETURN_IF_ERROR(descend(query, layer, &nearest));
      entries_.assign(1, nearest);
    } else {
      VECSIM_RETURN_IF_ERROR(descend(query, above, &nearest));
      entries_.assign(1, nearest);
      VECSIM_RETURN_IF_ERROR(search_layer(query, width, above, salt));
      entries_.assign(pool_.sorted().begin(), pool_.sorted().end());
    }
    reset_visited();
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
      if (at != RefSet::kNoValue && seen_.links_cached(at)) {
        seen_.links(at, &links_);
      } else {
        VECSIM_RETURN_IF_ERROR(reader_.links(c.node, layer, &links_, nullptr));
      }
      VECSIM_RETURN_IF_ERROR(measure_fresh_links(query, layer, offer));
    }
    return Status::ok();
  }

  // expand() under the filter (a scan's batch on layer 0, FilteredPool):
  // a walk from entries_ over the region of an unfiltered expand() (the
  // ef nearest elements met, passing or not) or, if that holds fewer than
  // filtered_walk_floor(ef) passing elements, as far as it takes to meet that
  // many; the passing elements it holds into filtered_results(), nearest
  // first. The walk goes on through failing elements. Every element the
  // batch met and did not keep as a result goes to *dropped (if given)
  // when a later batch may need it: a passing one, or one never expanded
  // (its neighbours may pass); a failing element already expanded is done
  // with. Gives up early (*gave_up; the caller turns to exact_pass) when
  // the search holds more than memory_cap bytes, or, while the scan's
  // walks have met fewer than ef passing elements, when they have visited
  // more than visit_cap elements (0: no cap) or, past a sample of
  // kPassSample visits, the share that passed says ef passing rows would
  // take more than visit_cap visits (kWalkPastFill). The walks' visits and
  // passing elements are counted across the batches of a scan
  // (reset_visited() starts over): a batch often explores fewer than
  // kPassSample elements.
  Status expand_filtered(ValueRef query, int ef, CandidateQueue* dropped, std::size_t visit_cap,
                         std::size_t memory_cap, bool* gave_up) {
    filtered_pool_.reset(static_cast<std::size_t>(ef), filtered_walk_floor(ef));
    *gave_up = false;
    const std::size_t visited_before = visited_.size();
    auto drop = [&](const Candidate& c) {
      if (dropped) dropped->push(c);
    };
    const auto passes = [&](const Candidate& c) { return !seen_.skipped(visited_.value(c.node)); };
    // An element out of the pool: an expanded passing one is kept for
    // later batches; one never expanded is in the frontier, drained below.
    const auto released = [&](const Candidate& c) {
      if (seen_.expanded(visited_.value(c.node)) && passes(c)) drop(c);
    };
    // c, visited now (fresh) or by an earlier batch; a NaN distance
    // counts as +infinity, as in the exact pass (nan_last)
    auto offer = [&](Candidate c, bool fresh) {
      c.distance = nan_last(c.distance);
      const std::uint32_t at = visited_.value(c.node);
      const bool pass = !seen_.skipped(at);
      const bool expanded = seen_.expanded(at);
      if (fresh) filter_passing_ += pass;
      if (!filtered_pool_.admits(c)) {
        if (pass || !expanded) drop(c);
        return;
      }
      if (expanded && !pass) return;
      filtered_pool_.add(c, pass, expanded, released);
    };
    for (const Candidate& e : entries_) {
      if (!visited_.insert(e.node)) {
        offer(e, false);
      } else {
        VECSIM_RETURN_IF_ERROR(visit_page(query, &e.node, 1, 0));
        offer(Candidate{fresh_distances_[0], e.node}, true);
      }
    }
    const auto offer_fresh = [&](const Candidate& c) { offer(c, true); };
    Candidate c;
    while (filtered_pool_.next(&c)) {
      const std::uint32_t at = visited_.value(c.node);
      seen_.mark_expanded(at);
      if (seen_.links_cached(at)) {
        seen_.links(at, &links_);
      } else {
        VECSIM_RETURN_IF_ERROR(reader_.links(c.node, 0, &links_, nullptr));
      }
      VECSIM_RETURN_IF_ERROR(measure_fresh_links(query, 0, offer_fresh));
      const std::size_t visits = filter_visits_ + (visited_.size() - visited_before);
      if (memory_bytes() > memory_cap || walks_cost_too_much(visits, ef, visit_cap)) {
        *gave_up = true;
        break;
      }
    }
    filter_visits_ += visited_.size() - visited_before;
    filtered_pool_.drain_frontier([&](const Candidate& f) {
      if (!passes(f) || !filtered_pool_.holds(f)) drop(f);
    });
    filtered_pool_.sorted_results(&filtered_results_, passes);
    return Status::ok();
  }
  const std::vector<Candidate>& filtered_results() const { return filtered_results_; }

  // The exact answer under the filter, a part at a time: the `limit`
  // nearest live elements that pass it and come after `after` (null:
  // from the nearest) in closer() order, into *out in no particular
  // order (the scan sorts them as it hands them out), each
  // remembered in seen_ as read here (so it is handed out as read);
  // *truncated when more passed than `limit`. Reads every page once, in
  // order, or only the elements `listed` names (ascending, no repeats: a
  // key's postings), measuring only the elements that pass; holds `limit`
  // entries, whatever the index's size (the caller resets the visited set
  // and seen_ between parts).
  Status exact_pass(ValueRef query, const Candidate* after, std::size_t limit, std::vector<Candidate>* out,
                    bool* truncated, const std::vector<HnswRef>* listed = nullptr) {
    exact_part_.reset(after, limit);
    *truncated = false;
    // The attribute block's offset in the last element read (a filter reads
    // it first of all), for the next page's prefetches.
    std::size_t attrs_at = 0;
    auto visit = [&](HnswRef r, const HnswElementHeader& h, const unsigned char* p, std::size_t) {
      if (filter_ != nullptr) attrs_at = HnswElementLayout::attrs_offset(HnswElementLayout::body_bytes(h));
      if ((h.flags & kElementNotLive) || fails_filter(h, p)) return;
      const ExactHit e{Candidate{0, r}, h.heap_block, h.heap_offset, h.flags};
      if (HnswElementLayout::spilled(h)) {
        exact_spilled_.push_back(e);  // measured once the page is released
      } else {
        exact_part_.offer(ExactHit{Candidate{ctx_.distance(query, kUserQuery, reader_.value_of(h, p)), r}, e.heap_block,
                      e.heap_offset, e.flags});
      }
    };
    auto measure_spilled = [&]() -> Status {
      for (ExactHit& e : exact_spilled_) {
        VECSIM_RETURN_IF_ERROR(reader_.distance(query, kUserQuery, e.c.node, &e.c.distance));
        exact_part_.offer(e);
      }
      exact_spilled_.clear();
      return Status::ok();
    };
    exact_spilled_.clear();
    if (listed != nullptr) {
      VECSIM_RETURN_IF_ERROR(reader_.read_listed_elements(*listed, &attrs_at, visit, measure_spilled));
    } else {
      const std::uint32_t pages = ctx_.store->page_count();
      for (std::uint32_t block = 1; block < pages; ++block) {
        VECSIM_RETURN_IF_ERROR(reader_.read_page_elements_prefetched(block, &attrs_at, visit));
        VECSIM_RETURN_IF_ERROR(measure_spilled());
      }
    }
    out->clear();
    *truncated = exact_part_.truncated();
    for (const ExactHit& e : exact_part_.hits()) {
      visited_.insert(e.c.node);
      visited_.set_value(e.c.node, seen_.remember_hit(e.heap_block, e.heap_offset, e.flags));
      out->push_back(e.c);
    }
    return Status::ok();
  }

  // The distance from a user's query to element r.
  Status measure(ValueRef query, HnswRef r, float* d) { return reader_.distance(query, kUserQuery, r, d); }

  // Where the last descent started (the entry point, for a query's) and
  // its distance.
  const Candidate& descent_start() const { return descent_start_; }

  void reset_visited() {
    visited_.clear();
    filter_visits_ = 0;
    filter_passing_ = 0;
    seen_.clear();
  }
  // Room in the visited set for `elements` visits (a filtered scan's
  // first walk: growing the set step by step cost 3.5% of its time).
  void reserve_visits(std::size_t elements) { visited_.reserve(elements); }

  // Whether r is not to be handed out (deleted, dying, or failing the
  // filter) and its heap tuple, from seen_ when the search visited it,
  // else read.
  Status hit_of(const Candidate& c, bool* not_live, HnswHit* hit) {
    std::uint32_t at = visited_.value(c.node);
    if (at != RefSet::kNoValue) {
      *not_live = seen_.skipped(at);
      *hit = HnswHit{c.distance, c.node, seen_.heap_block(at), seen_.heap_offset(at), seen_.has_list(at)};
      return Status::ok();
    }
    HnswElementHeader h;
    bool fails = false;
    VECSIM_RETURN_IF_ERROR(reader_.read_element(c.node, [&](const HnswElementHeader& header, const unsigned char* p) {
      h = header;
      fails = fails_filter(h, p);
    }));
    *not_live = (h.flags & kElementNotLive) || fails;
    *hit = HnswHit{c.distance, c.node, h.heap_block, h.heap_offset, (h.flags & kElementTids) != 0};
    return Status::ok();
  }

  // Drops from *candidates the elements that are not live: an insert
  // neither links nor adopts them.
  Status keep_live(std::vector<Candidate>* candidates) {
    std::size_t kept = 0;
    for (const Candidate& c : *candidates) {
      bool not_live = false;
      HnswHit hit;
      VECSIM_RETURN_IF_ERROR(hit_of(c, &not_live, &hit));
      if (!not_live) (*candidates)[kept++] = c;
    }
    candidates->resize(kept);
    return Status::ok();
  }

 private:
  // Visits before expand_filtered judges a filter's pass rate, and how
  // many times ef / rate visits the walks may take to meet ef passing
  // elements before an exact pass is the cheaper way: with a sixteenth of
  // the index as visit_cap, 1.0 turns to the exact pass below a pass rate
  // of ef / visit_cap (0.64% on 100,000 rows at ef 40). Measured there
  // with `cat < v` (no postings), LIMIT 10, over a round trip, one run:
  // at 0.5% the exact pass ran at 142 q/s (an iterative scan's walks at
  // 104); at 1%, 2% and 3% walks with a floor of ef / 2 at 193, 273 and
  // 345 q/s (the iterative scan's at 209, 327 and 383, at lower recall).
  static constexpr std::size_t kPassSample = 500;
  static constexpr double kWalkPastFill = 1.0;

  // Whether the scan's walks, `visits` elements in and filter_passing_ of
  // them passing, should give up for the exact pass (expand_filtered):
  // while fewer than ef passed, past visit_cap visits (0: no cap), or past
  // kPassSample when the pass rate says ef would take more than that.
  bool walks_cost_too_much(std::size_t visits, int ef, std::size_t visit_cap) const {
    if (visit_cap == 0 || filter_passing_ >= static_cast<std::size_t>(ef)) return false;
    if (visits > visit_cap) return true;
    return visits > kPassSample &&
           kWalkPastFill * ef * static_cast<double>(visits) > static_cast<double>(visit_cap) * (filter_passing_ + 1);
  }

  // Whether element (h, p) fails the filter (never, without one).
  bool fails_filter(const HnswElementHeader& h, const unsigned char* p) const {
    return filter_ != nullptr && !filter_->passes(ctx_.attrs, ctx_.attrs_of(p, HnswElementLayout::body_bytes(h)));
  }
  // The distance to each link in links_ not yet in visited_, passed to
  // take(Candidate), each link added to visited_ with its seen_ record.
  // The links are read in block-major order (a ref is block << 9 | offset)
  // so that the ones on one page are read under one pin: all their memory
  // announced to the store first, so that the loads overlap, then one read
  // per page.
  template <class Take>
  Status measure_fresh_links(ValueRef query, int layer, Take&& take) {
    fresh_.clear();
    for (HnswRef r : links_) {
      if (!visited_.insert(r)) continue;
      // Kept in block order as it grows (an insertion: a list is short;
      // std::sort over it afterwards was about 5% of a query in perf).
      std::size_t i = fresh_.size();
      fresh_.push_back(r);
      for (; i > 0 && fresh_[i - 1] > r; --i) fresh_[i] = fresh_[i - 1];
      fresh_[i] = r;
    }
    for (HnswRef r : fresh_) ctx_.store->prefetch_page(ref_address(r));
    // What visit_page will read of each: all of it while it keeps links,
    // else what comes before the links (as long as in the last element
    // read: a value's size rarely changes between elements).
    const std::size_t bytes = seen_.caching_links() ? SIZE_MAX : unlinked_bytes_;
    for (HnswRef r : fresh_) ctx_.store->prefetch_item(ref_address(r), bytes);
    for (std::size_t i = 0; i < fresh_.size();) {
      std::size_t end = i + 1;
      while (end < fresh_.size() && ref_block(fresh_[end]) == ref_block(fresh_[i])) ++end;
      VECSIM_RETURN_IF_ERROR(visit_page(query, &fresh_[i], end - i, layer));
      for (std::size_t k = 0; k < end - i; ++k) take(Candidate{fresh_distances_[k], fresh_[i + k]});
      i = end;
    }
    return Status::ok();
  }

  // The distances from query to refs[0 .. n) (all on one page, each just
  // added to visited_) into fresh_distances_, with their records in seen_
  // (at visited_.value(ref)).
  // A spilled element's distance waits until the page is released: its
  // inline part is copied out, the rest read from its chunks.
  Status visit_page(ValueRef query, const HnswRef* refs, std::size_t n, int layer) {
    fresh_offsets_.resize(n);
    fresh_distances_.resize(n);
    for (std::size_t k = 0; k < n; ++k) fresh_offsets_[k] = ref_offset(refs[k]);
    HnswRef corrupt = kNoRef;
    spilled_.clear();
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_items(
        ref_block(refs[0]), fresh_offsets_.data(), n,
        [&](std::size_t k, const unsigned char* p, std::size_t bytes) {
          HnswElementHeader h;
          if (!reader_.parse_element(p, bytes, &h)) {
            if (corrupt == kNoRef) corrupt = refs[k];
            return;
          }
          unlinked_bytes_ = ctx_.layout.links_offset(HnswElementLayout::body_bytes(h), 0);
          if (HnswElementLayout::spilled(h)) {
            if (spill_values_.size() <= spilled_.size()) spill_values_.resize(spilled_.size() + 1);
            spilled_.push_back(SpilledValue{k, reader_.begin_spilled_value(h, p, &spill_values_[spilled_.size()])});
          } else {
            fresh_distances_[k] = ctx_.distance(query, query_norm_, reader_.value_of(h, p));
          }
          visited_.set_value(refs[k], seen_.remember(reader_, h, p, layer, fails_filter(h, p)));
        }));
    if (corrupt != kNoRef) return reader_.corrupt_element(corrupt);
    for (std::size_t i = 0; i < spilled_.size(); ++i) {
      AlignedBytes& value = spill_values_[i];
      VECSIM_RETURN_IF_ERROR(reader_.read_chunks(refs[spilled_[i].k], spilled_[i].chunk, &value));
      fresh_distances_[spilled_[i].k] = ctx_.distance(query, query_norm_, ValueRef{value.data(), value.size()});
    }
    return Status::ok();
  }

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  float query_norm_ = kUserQuery;
  Candidate descent_start_{0, kNoRef};
  RefSet visited_;
  SeenRecords seen_;
  SearchPool pool_;
  std::vector<Candidate> entries_;
  std::vector<HnswRef> links_, fresh_;
  std::vector<HeapTid> tids_;  // search()'s
  const HnswAttrFilter* filter_ = nullptr;
  // expand_filtered()'s visits and passing elements met since
  // reset_visited(), across a scan's batches
  std::size_t filter_visits_ = 0, filter_passing_ = 0;
  FilteredPool filtered_pool_;
  std::vector<Candidate> filtered_results_;
  ExactPart exact_part_;                // exact_pass()'s part
  std::vector<ExactHit> exact_spilled_;  // and its spilled elements, measured after their page
  std::size_t unlinked_bytes_ = SIZE_MAX;  // an element's bytes before its links (the last one read)
  std::vector<std::uint16_t> fresh_offsets_;  // visit_page()'s scratch
  std::vector<float> fresh_distances_;        // visit_page()'s result
  // visit_page()'s spilled elements: where in its batch, and first chunk
  struct SpilledValue {
    std::size_t k;
    HnswRef chunk;
  };
  std::vector<SpilledValue> spilled_;
  std::vector<AlignedBytes> spill_values_;
};

}  // namespace vecsim::core

// src/core/graph/hnsw_page_scan.h
// An index scan of an hnsw index on pages, iterative or not (docs/reference.md 8.6).
// begin() runs the first search; next() hands out its rows one by one,
// then, for the iterative orders, searches on from the candidates earlier
// batches left behind, ef at a time, until none is left or a limit is
// reached; then the candidates still queued are handed out in distance
// order and the scan ends. The entry point joins those candidates (in
// its distance's turn, unless a batch visited it; the metapage's entry
// then, which vacuum or an insert may have moved since the scan began):
// every live element is reachable from it on layer 0 (G2), so a relaxed
// scan without a limit returns every row, even where the elements near
// the query have no layer-0 link out of their neighbourhood (a dense
// cluster of equal values can have none). A strict scan still skips the
// rows nearer than the last one it handed out.
//   kOff      one search: at most ef rows.
//   kRelaxed  every batch in order; batches only roughly ordered.
//   kStrict   a row nearer than the last one handed out is skipped, so
//             distances never decrease.
//
// FILTERED SCANS (keys on filter columns, docs/hnsw_filtering.md)
//   hand out only elements that pass the keys. Each batch is
//   HnswPageSearch::expand_filtered: an unfiltered batch's search (its
//   list the ef nearest elements met, passing or not) that goes on, if
//   need be, until it has met a floor of passing ones (half of ef),
//   the walk going on through failing elements, handing out the passing
//   ones it holds.
//   Without iterative_scan the scan goes on as relaxed order does, so a
//   LIMIT k with k passing rows gets k rows (a later batch may find a row
//   nearer than the last one handed out, which strict order would skip).
//   When the batches have visited, or their pass rate says they would
//   visit, a sixteenth of the index before meeting ef passing elements (a
//   selective filter), or any batch would pass the memory
//   budget, the scan turns to an exact pass over the pages for the rest
//   (HnswPageSearch::exact_pass), in parts as large as the budget holds;
//   max_scan_tuples does not apply. A scan with a `column = key` key whose
//   postings (hnsw_page_postings.h) name few elements makes its exact
//   pass over those elements alone, from the start, and walks not at all
//   (choose_postings).
//
// INVARIANTS
//   The scan's batches share the search part's visited set and seen_
//   (one visit per element for the whole scan): between begin() and the
//   last next(), nothing else may use that search part (the shim opens one
//   graph per index scan). A row's heap TID and deleted flag are the ones
//   its search read; the rows of an element with a TID list are read from
//   the list when the element's turn comes, and handed out one by one.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_postings.h"
#include "graph/hnsw_levels.h"
#include "graph/hnsw_page_search.h"
#include "graph/ref_set.h"
#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

enum class HnswScanOrder { kOff, kRelaxed, kStrict };
struct HnswScanLimits {
  std::size_t max_tuples;  // elements visited before the scan stops searching
  std::size_t max_bytes;   // scan memory before it stops searching
};

template <class Store>
class HnswPageScan {
 public:
  HnswPageScan(HnswPageContext<Store>& ctx, HnswPageSearch<Store>& search, HnswPagePostings<Store>& postings)
      : ctx_(ctx), search_(search), postings_(postings) {}

  // Starts a scan: the first search, from the entry point. filter: the
  // scan's keys on filter columns (null or empty: none); see FILTERED
  // SCANS above.
  Status begin(ValueRef query, int ef, HnswScanOrder order, HnswScanLimits limits,
               const HnswAttrFilter* filter = nullptr) {
    filtered_ = filter != nullptr && !filter->empty();
    search_.set_filter(filtered_ ? filter : nullptr);
    handed_.clear();
    exact_done_ = false;
    exact_more_ = false;
    // A filtered scan goes on until its rows run out: as a relaxed scan
    // does, unless the user asked for strict order (which skips rows found
    // late that are nearer than the last one handed out).
    if (filtered_ && order == HnswScanOrder::kOff) order = HnswScanOrder::kRelaxed;
    scan_query_.assign(query.bytes, query.size);
    scan_ef_ = ef;
    scan_order_ = order;
    scan_limits_ = limits;
    scan_pending_.clear();
    scan_next_ = 0;
    scan_dropped_.clear();
    scan_done_ = false;
    entry_pending_ = false;
    scan_last_ = -HUGE_VALF;
    rows_.clear();
    row_next_ = 0;
    search_.reset_visited();
    search_.set_query_norm(kUserQuery);
    // The first search of an unfiltered scan keeps no links: it expands
    // few of the elements it visits, and reading those lists again costs
    // less than copying every visited element's list (and reading it
    // from memory): 5-15% more queries per second at ef_search 20-40 on
    // 100,000 x 128. A filtered walk expands most of what it visits, so
    // it keeps them, within a share of its budget (a selective filter
    // makes it visit much of the index). A first batch so holds about 12
    // bytes a visit, not 12 + 8m: an iterative scan under a small
    // work_mem reaches its memory bound later than it did.
    search_.limit_link_cache(filtered_ ? limits.max_bytes / kFilteredLinkShare : 0);
    if (ctx_.meta.entry == kNoRef || (filtered_ && filter->never())) {
      scan_done_ = true;
      return Status::ok();
    }
    listed_.clear();
    use_listed_ = false;
    if (filtered_ && postings_.enabled()) {
      VECSIM_RETURN_IF_ERROR(choose_postings(*filter));
      if (use_listed_) return exact_pass();
    }
    // Room for the visits before the walk may give up, within the budget,
    // and no more than the visited set keeps between queries (above about
    // 525,000 elements a sixteenth would not be kept: every scan would
    // allocate and zero it again; a walk that goes on grows it as any).
    if (filtered_) {
      search_.reserve_visits(std::min({walk_visit_cap(), limits.max_bytes / kVisitBytes, RefSet::spare_members()}));
    }
    ValueRef q{scan_query_.data(), scan_query_.size()};
    VECSIM_RETURN_IF_ERROR(search_.start(q, 0, hnsw_query_start_width(ctx_.meta.m, ef), 0));
    if (filtered_) {
      // The entry point joins the first walk at once: the elements near
      // the query may fail and link nowhere else, and every live element
      // is reachable from it (G2), so a walk whose floor never fills
      // goes on to every row, in distance order.
      const Candidate entry = search_.descent_start();
      std::vector<Candidate>& entries = search_.entries();
      if (std::none_of(entries.begin(), entries.end(), [&](const Candidate& e) { return e.node == entry.node; })) {
        entries.push_back(entry);
      }
    }
    VECSIM_RETURN_IF_ERROR(scan_batch(q));
    entry_pending_ = order != HnswScanOrder::kOff && !exact_done_ && !filtered_;
    entry_ = search_.descent_start();
    // Further batches of an iterative scan cache links only within a
    // sixteenth of the budget (hnsw_page_search.h, limit_link_cache).
    search_.limit_link_cache(limits.max_bytes / 16);
    if (exact_done_) return Status::ok();
    if (order == HnswScanOrder::kOff) {
      scan_done_ = true;
      scan_dropped_.clear();
    }
    return Status::ok();
  }

  // The next row; *found is false once the scan is over.
  Status next(HnswHit* hit, bool* found) {
    for (;;) {
      if (row_next_ < rows_.size()) {  // the rows of the element handed out
        *hit = row_hit_;
        hit->heap_block = rows_[row_next_].block;
        hit->heap_offset = rows_[row_next_].offset;
        ++row_next_;
        *found = true;
        return Status::ok();
      }
      pass_over_skipped();
      if (scan_next_ < scan_pending_.size()) {
        // The heap TID and flags are the ones the search read. Vacuum
        // may flag the element, and the heap reuse the TID, before the row
        // is handed out; the tuple then found there is newer than the
        // scan's MVCC snapshot (the shim refuses any other kind), so the
        // executor's visibility check skips it.
        const Candidate c = scan_pending_[scan_next_++];
        bool not_live = false;
        VECSIM_RETURN_IF_ERROR(search_.hit_of(c, &not_live, hit));
        if (not_live) continue;
        // Rows of the walks are remembered; the exact pass's rows come in
        // distance order after its last part, so they need only be checked
        // against what the walks handed out.
        if (filtered_ && (exact_done_ ? handed_.contains(c.node) : !handed_.insert(c.node))) continue;
        scan_last_ = c.distance;
        rows_.clear();
        row_next_ = 0;
        VECSIM_RETURN_IF_ERROR(search_.append_rows(*hit, &rows_));
        row_hit_ = *hit;
        row_hit_.tid_list = false;
        continue;  // its rows are handed out above
      }
      if (!exact_more_ && (scan_done_ || (scan_dropped_.empty() && !entry_pending_))) {
        *found = false;
        return Status::ok();
      }
      scan_pending_.clear();
      scan_next_ = 0;
      if (exact_more_) {  // the next part of the exact answer
        VECSIM_RETURN_IF_ERROR(exact_pass());
        continue;
      }
      if (filtered_ && memory_bytes() > scan_limits_.max_bytes) {
        VECSIM_RETURN_IF_ERROR(exact_pass());
        continue;
      }
      if (!filtered_ &&
          (search_.visited().size() >= scan_limits_.max_tuples || memory_bytes() > scan_limits_.max_bytes)) {
        // Out of budget: what is queued, nearest first, and no more.
        while (!scan_dropped_.empty()) scan_pending_.push_back(scan_dropped_.pop());
        scan_done_ = true;
        continue;
      }
      search_.entries().clear();
      VECSIM_RETURN_IF_ERROR(take_entry_if_due());
      // A filtered batch starts from every candidate left (its frontier
      // is a heap: FilteredPool), so that its results are the nearest
      // passing rows left, not the nearest near ef entries that mostly
      // fail; an unfiltered one from the ef nearest.
      while (!scan_dropped_.empty() && (filtered_ || static_cast<int>(search_.entries().size()) < scan_ef_)) {
        search_.entries().push_back(scan_dropped_.pop());
      }
      VECSIM_RETURN_IF_ERROR(scan_batch(ValueRef{scan_query_.data(), scan_query_.size()}));
    }
  }


  // Whether next() will read pages before it answers: when it must search
  // on, when the element it hands out next has a TID list, or (a guard:
  // expand() reads a scan's entries, so it should not happen) that element
  // has no seen_ record. Otherwise next() only hands out what the searches
  // kept, and the shim need not hold its scans lock for it.
  bool next_reads_pages() {
    if (row_next_ < rows_.size()) return false;
    pass_over_skipped();
    if (scan_next_ < scan_pending_.size()) {
      const std::uint32_t at = search_.visited().value(scan_pending_[scan_next_].node);
      return at == RefSet::kNoValue || search_.seen().has_list(at);
    }
    return exact_more_ || !(scan_done_ || (scan_dropped_.empty() && !entry_pending_));
  }

  // Memory the scan holds, for its budget (work_mem x multiplier).
  std::size_t memory_bytes() const {
    return search_.memory_bytes() + scan_dropped_.size() * sizeof(Candidate) +
           scan_pending_.capacity() * sizeof(Candidate) + handed_.memory_bytes();
  }

 private:
  // Moves past the queued rows next() would not hand out: nearer than the
  // last one (strict order), or read deleted or dying by this scan's searches.
  void pass_over_skipped() {
    for (; scan_next_ < scan_pending_.size(); ++scan_next_) {
      sort_pending_at(scan_next_);
      const Candidate& c = scan_pending_[scan_next_];
      if (scan_order_ == HnswScanOrder::kStrict && c.distance < scan_last_) continue;
      std::uint32_t at = search_.visited().value(c.node);
      if (at != RefSet::kNoValue && search_.seen().skipped(at)) continue;
      break;
    }
  }

  // An exact pass's rows (scan_pending_) are sorted a run at a time, the
  // run holding row `at` when it is the first not sorted yet.
  void sort_pending_at(std::size_t at) {
    if (!exact_done_ || at < pending_sorted_) return;
    const auto first = scan_pending_.begin() + static_cast<std::ptrdiff_t>(pending_sorted_);
    const std::size_t run = std::min(sort_run_, scan_pending_.size() - pending_sorted_);
    const auto last = first + static_cast<std::ptrdiff_t>(run);
    std::nth_element(first, last - 1, scan_pending_.end(), Closer());
    std::sort(first, last, Closer());
    pending_sorted_ += run;
    sort_run_ *= 2;
  }

  // The entry point starts the next batch if its distance's turn has
  // come (nothing queued is nearer) and no batch has visited it (a
  // visited element was expanded, or is queued). It is the metapage's
  // entry now (read again: the caller holds the scans lock, as
  // next_reads_pages() said), measured afresh if it moved.
  Status take_entry_if_due() {
    if (!entry_pending_) return Status::ok();
    if (!scan_dropped_.empty() && closer(scan_dropped_.top(), entry_)) return Status::ok();
    entry_pending_ = false;
    VECSIM_RETURN_IF_ERROR(ctx_.open());
    if (ctx_.meta.entry == kNoRef) return Status::ok();
    if (ctx_.meta.entry != entry_.node) {
      entry_.node = ctx_.meta.entry;
      VECSIM_RETURN_IF_ERROR(search_.measure(ValueRef{scan_query_.data(), scan_query_.size()}, entry_.node,
                                             &entry_.distance));
    }
    if (search_.visited().value(entry_.node) == RefSet::kNoValue) search_.entries().push_back(entry_);
    return Status::ok();
  }

  // One batch of a scan: a best-first search from the search's entries with the
  // visited set kept from earlier batches; its pool becomes the pending
  // rows, and, in an iterative scan, everything it drops joins
  // scan_dropped_ (a scan without iterations has no use for it).
  Status scan_batch(ValueRef q) {
    if (filtered_) return filtered_batch(q);
    CandidateQueue* dropped = scan_order_ == HnswScanOrder::kOff ? nullptr : &scan_dropped_;
    VECSIM_RETURN_IF_ERROR(search_.expand(q, scan_ef_, 0, /*scan=*/true, dropped));
    scan_pending_.assign(search_.pool().sorted().begin(), search_.pool().sorted().end());
    return Status::ok();
  }

  // A batch under the filter. It gives up for the exact pass when the
  // search would pass the memory budget, or when the scan's walks have
  // visited (or their pass rate says they would visit) a sixteenth of the
  // index's elements, at least kMinVisitCap, without ef passing rows.
  Status filtered_batch(ValueRef q) {
    const std::size_t cap = walk_visit_cap();
    const std::size_t held = memory_bytes() - search_.memory_bytes();  // the queues
    const std::size_t room = scan_limits_.max_bytes > held ? scan_limits_.max_bytes - held : 0;
    bool gave_up = false;
    VECSIM_RETURN_IF_ERROR(search_.expand_filtered(q, scan_ef_, &scan_dropped_, cap, room, &gave_up));
    if (gave_up) return exact_pass();
    scan_pending_.assign(search_.filtered_results().begin(), search_.filtered_results().end());
    return Status::ok();
  }
  static constexpr std::size_t kMinVisitCap = 2000;
  // What a visit costs in the visited set (24 bytes a slot, half full).
  static constexpr std::size_t kVisitBytes = 48;
  // The visits a scan's walks may make before meeting ef passing
  // elements (filtered_batch).
  std::size_t walk_visit_cap() const {
    return std::max<std::size_t>(kMinVisitCap, ctx_.meta.element_count / kExactPassShare);
  }
  // The exact pass reads an element in about a twelfth of the time a walk
  // spends on a visit (measured on 100,000 x 128: 5 ms a pass, 0.6 us a
  // visit), so a walk past a sixteenth of the index gives up for it.
  static constexpr std::size_t kExactPassShare = 16;
  // The share of the budget a filtered walk keeps links in.
  static constexpr std::size_t kFilteredLinkShare = 16;

  // A scan with `column = key` keys on columns with postings reads the
  // elements of the key with the fewest entries, if they are at most
  // posting_cap() (storage/hnsw_postings.h; use_listed_, listed_:
  // ascending, no repeats), instead of walking: an exact pass over them.
  Status choose_postings(const HnswAttrFilter& filter) {
    std::size_t cap = static_cast<std::size_t>(posting_cap(scan_ef_, ctx_.meta.element_count));
    Status st = Status::ok();
    filter.for_each_equality([&](int column, const AttrKey& key) {
      if (!st.is_ok() || column >= ctx_.attrs.count() || !has_postings(ctx_.attrs.kind(column))) return;
      posting_refs_.clear();
      bool over = false;
      st = postings_.lookup(posting_key(column, key), cap, &posting_refs_, &over);
      if (!st.is_ok() || over) return;
      std::sort(posting_refs_.begin(), posting_refs_.end());
      posting_refs_.erase(std::unique(posting_refs_.begin(), posting_refs_.end()), posting_refs_.end());
      if (use_listed_ && posting_refs_.size() >= listed_.size()) return;
      listed_.swap(posting_refs_);
      use_listed_ = true;
      cap = listed_.size();
    });
    return st;
  }

  // The next part of a filtered scan's exact answer: the passing rows
  // after the last part (all of them from the nearest, the first time), as
  // many as the memory budget holds (at least ef), nearest first; rows
  // handed out already are passed over (handed_), and strict order skips
  // those nearer than the last one. The scan ends after the last part.
  Status exact_pass() {
    // A part's row: pending, the pass's heap, seen_ and the visited set
    // (as much again for the set's growth). The walks' entries are dropped
    // first: the rows pending now come from the pass alone.
    const std::size_t per_row = sizeof(Candidate) + 16 + 12 + 2 * kVisitBytes;
    const std::size_t held = handed_.memory_bytes();
    const std::size_t limit = std::max<std::size_t>(
        static_cast<std::size_t>(scan_ef_),
        (scan_limits_.max_bytes > held ? scan_limits_.max_bytes - held : 0) / per_row);
    search_.reset_visited();
    const bool resumed = exact_more_;
    const Candidate after = resumed ? exact_last_ : Candidate{0, kNoRef};
    bool truncated = false;
    VECSIM_RETURN_IF_ERROR(search_.exact_pass(ValueRef{scan_query_.data(), scan_query_.size()},
                                              resumed ? &after : nullptr, limit, &scan_pending_, &truncated,
                                              use_listed_ ? &listed_ : nullptr));
    exact_more_ = truncated && !scan_pending_.empty();
    if (!scan_pending_.empty()) exact_last_ = *std::max_element(scan_pending_.begin(), scan_pending_.end(), Closer());
    // The part is sorted as it is handed out, the nearest ef first, then
    // runs twice as long each time: a LIMIT k sorts about k rows, not all.
    pending_sorted_ = 0;
    sort_run_ = static_cast<std::size_t>(scan_ef_);
    scan_next_ = 0;
    scan_dropped_.clear();
    entry_pending_ = false;
    scan_done_ = true;
    exact_done_ = true;
    return Status::ok();
  }

  HnswPageContext<Store>& ctx_;
  HnswPageSearch<Store>& search_;
  HnswPagePostings<Store>& postings_;
  AlignedBytes scan_query_;
  int scan_ef_ = 40;
  HnswScanOrder scan_order_ = HnswScanOrder::kOff;
  HnswScanLimits scan_limits_{0, 0};
  std::vector<Candidate> scan_pending_;
  std::size_t scan_next_ = 0;
  CandidateQueue scan_dropped_;
  bool scan_done_ = true;
  float scan_last_ = 0;
  bool entry_pending_ = false;  // whether the entry point is still to start a batch
  Candidate entry_{0, kNoRef};  // it, and its distance
  std::vector<HeapTid> rows_;  // the TIDs of the element being handed out
  std::size_t row_next_ = 0;
  HnswHit row_hit_{};          // its distance and reference
  bool filtered_ = false;      // the scan has keys on filter columns
  bool exact_done_ = false;    // its exact pass ran
  bool exact_more_ = false;    // and has more parts to read
  Candidate exact_last_{0, kNoRef};  // the last row of its last part
  std::size_t pending_sorted_ = 0;   // how many of its rows are sorted (sort_pending_at)
  std::size_t sort_run_ = 0;         // and how many the next run sorts
  RefSet handed_;              // the elements a filtered scan's walks handed out
  bool use_listed_ = false;    // its exact pass reads listed_ only (choose_postings)
  std::vector<HnswRef> listed_, posting_refs_;
};

}  // namespace vecsim::core

// src/core/ivf/ivf_scan.h
// An ivfflat index scan: the query's nearest lists, probes at a time (more
// batches for an iterative scan, up to a limit), each batch's entries
// handed out in exact distance order.
//
// ORDER WITHOUT A FULL SORT
//   A batch's candidates are kept in a heap and popped one at a time, so a
//   LIMIT 10 scan costs one pass over the probed lists plus ten pops, not
//   a sort of every entry. Memory is bounded by max_candidates: when a
//   batch has more entries, only the nearest max_candidates are kept, and
//   once they are handed out the batch is read again for the entries that
//   come after the last one returned (keys ordered by distance, then heap
//   TID, so ties are neither lost nor repeated).
//
// INVARIANTS
//   The query's bytes are the caller's and must outlive the scan. Within a
//   batch, distances never decrease; across batches they may (relaxed
//   order, as pgvector's iterative scans).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "ivf/ivf_index.h"

namespace vecsim::core {

struct IvfHit {
  float distance;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;

  friend bool operator<(const IvfHit& a, const IvfHit& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.heap_block != b.heap_block) return a.heap_block < b.heap_block;
    return a.heap_offset < b.heap_offset;
  }
  friend bool operator>(const IvfHit& a, const IvfHit& b) { return b < a; }
};

template <class Store>
class IvfScan {
 public:
  explicit IvfScan(IvfIndex<Store>* index) noexcept : index_(index) {}

  // Orders the lists by their centres' distance to query. probes lists
  // make a batch; at most max_lists lists are read in all (both capped at
  // the index's lists); a batch keeps at most max_candidates entries at once.
  Status begin(ValueRef query, std::size_t probes, std::size_t max_lists, std::size_t max_candidates) noexcept {
    return no_throw([&]() -> Status {
      query_ = query;
      const std::size_t lists = index_->meta().lists;
      probes_ = std::max<std::size_t>(1, std::min(probes, lists));
      max_lists_ = std::max(probes_, std::min(max_lists, lists));
      cap_ = std::max<std::size_t>(max_candidates, 16);
      std::vector<float> d(lists);
      VECSIM_RETURN_IF_ERROR(index_->score_centres(query, d.data()));
      order_.resize(lists);
      for (std::size_t l = 0; l < lists; ++l) order_[l] = {sanitize(d[l]), static_cast<std::uint32_t>(l)};
      std::partial_sort(order_.begin(), order_.begin() + max_lists_, order_.end());
      order_.resize(max_lists_);
      batch_start_ = 0;
      batch_end_ = 0;
      cands_.clear();
      overflow_ = false;
      return Status::ok();
    });
  }

  // The next entry, or *found false when the scan is over.
  Status next(IvfHit* hit, bool* found) noexcept {
    return no_throw([&]() -> Status {
      while (cands_.empty()) {
        if (overflow_) {
          VECSIM_RETURN_IF_ERROR(collect(true));
        } else if (batch_end_ < max_lists_) {
          batch_start_ = batch_end_;
          batch_end_ = std::min(max_lists_, batch_start_ + probes_);
          VECSIM_RETURN_IF_ERROR(collect(false));
        } else {
          *found = false;
          return Status::ok();
        }
      }
      std::pop_heap(cands_.begin(), cands_.end(), std::greater<IvfHit>());
      *hit = cands_.back();
      cands_.pop_back();
      floor_ = *hit;
      *found = true;
      return Status::ok();
    });
  }

 private:
  static float sanitize(float d) { return std::isnan(d) ? std::numeric_limits<float>::infinity() : d; }

  // Reads the batch's lists into the candidate heap: every entry after the
  // floor (a re-read) or all (a new batch), the nearest cap_ of them.
  Status collect(bool after_floor) {
    cands_.clear();
    overflow_ = false;
    const IvfHit floor = floor_;
    bool heaped = false;  // a max-heap once full
    for (std::size_t b = batch_start_; b < batch_end_; ++b) {
      VECSIM_RETURN_IF_ERROR(index_->scan_list(order_[b].second, query_, [&](float d, std::uint32_t block,
                                                                                std::uint16_t offset) {
        const IvfHit h{sanitize(d), block, offset};
        if (after_floor && !(floor < h)) return;
        if (cands_.size() < cap_) {
          cands_.push_back(h);
          return;
        }
        if (!heaped) {
          std::make_heap(cands_.begin(), cands_.end());
          heaped = true;
        }
        overflow_ = true;
        if (h < cands_.front()) {
          std::pop_heap(cands_.begin(), cands_.end());
          cands_.back() = h;
          std::push_heap(cands_.begin(), cands_.end());
        }
      }));
    }
    std::make_heap(cands_.begin(), cands_.end(), std::greater<IvfHit>());
    return Status::ok();
  }

  IvfIndex<Store>* index_;
  ValueRef query_{nullptr, 0};
  std::size_t probes_ = 1, max_lists_ = 1, cap_ = 16;
  std::vector<std::pair<float, std::uint32_t>> order_;
  std::size_t batch_start_ = 0, batch_end_ = 0;
  std::vector<IvfHit> cands_;
  bool overflow_ = false;
  IvfHit floor_{0, 0, 0};
};

}  // namespace vecsim::core

// src/core/graph/seen_records.h
// What an hnsw search on pages keeps of each element it reads
// (hnsw_page_search.h), so that handing the element out reads no page
// again, nor does expanding it while its links were kept: a record per
// element, found by the position remember() returns (the search keeps it
// as the element's value in its visited set).
//
//   word 0   link count (kLinksNotCached: not kept) in bits 0-15; the
//            element's not-live and TID-list flags in bits 16-23;
//            kFails (it fails the scan's filter) and kExpanded (a filtered
//            walk expanded it) above
//   word 1   heap block (or the TID list's reference)
//   word 2   heap offset
//   then     the links on the searched layer, when kept
//
// Links are kept while the records hold fewer bytes than the link cache
// allows (limit_link_cache); later records keep their header words only.
// The words' storage outlives the search, as the visited set's does
// (util/thread_spare.h): a filtered walk fills hundreds of kilobytes of it,
// and growing that from empty in every query (reallocations and fresh
// pages from the kernel) was 40% of a 50%-selective query's time.
//
// INVARIANTS
//   A position stays valid until clear(). memory_bytes() counts the
//   capacity the words would have had, grown from empty in this object,
//   not the inherited spare's: a scan's budget decides alike whatever ran
//   before it on the thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "storage/hnsw_format.h"
#include "util/thread_spare.h"

namespace vecsim::core {

class SeenRecords {
 public:
  SeenRecords() : words_(Spare::take()) { words_.clear(); }
  ~SeenRecords() {
    Spare::give(std::move(words_), kMaxSpareBytes,
                [](const std::vector<std::uint32_t>& v) { return v.capacity() * sizeof(std::uint32_t); });
  }
  SeenRecords(const SeenRecords&) = delete;
  SeenRecords& operator=(const SeenRecords&) = delete;

  void clear() { words_.clear(); }
  std::size_t memory_bytes() const { return counted_ * sizeof(std::uint32_t); }

  // See HnswPageSearch::limit_link_cache.
  void limit_link_cache(std::size_t bytes) { link_cache_bytes_ = bytes; }
  // Whether a record made now keeps the element's links.
  bool caching_links() const { return words_.size() * sizeof(std::uint32_t) < link_cache_bytes_; }

  // A record of element (h, p) read on `layer`, its links appended by
  // reader.append_links while caching_links(); returns its position.
  template <class Reader>
  std::uint32_t remember(const Reader& reader, const HnswElementHeader& h, const unsigned char* p, int layer,
                         bool fails) {
    const std::uint32_t at = static_cast<std::uint32_t>(words_.size());
    words_.resize(at + kHeaderWords);
    std::uint32_t count = kLinksNotCached;
    if (caching_links()) {
      reader.append_links(h, p, layer, &words_);
      count = static_cast<std::uint32_t>(words_.size() - at - kHeaderWords);
    }
    count_growth();
    words_[at] = first_word(count, h.flags) | (fails ? kFails : 0);
    words_[at + 1] = h.heap_block;
    words_[at + 2] = h.heap_offset;
    return at;
  }

  // A record without links, for an element an exact pass read (it passes
  // any filter: the pass keeps only those).
  std::uint32_t remember_hit(std::uint32_t heap_block, std::uint16_t heap_offset, std::uint8_t flags) {
    const std::uint32_t at = static_cast<std::uint32_t>(words_.size());
    words_.push_back(first_word(kLinksNotCached, flags));
    words_.push_back(heap_block);
    words_.push_back(heap_offset);
    count_growth();
    return at;
  }

  bool not_live(std::uint32_t at) const { return (words_[at] >> 16) & kElementNotLive; }
  // Not live, or failing the filter: never handed out.
  bool skipped(std::uint32_t at) const { return not_live(at) || (words_[at] & kFails); }
  bool has_list(std::uint32_t at) const { return (words_[at] >> 16) & kElementTids; }
  std::uint32_t heap_block(std::uint32_t at) const { return words_[at + 1]; }
  std::uint16_t heap_offset(std::uint32_t at) const { return static_cast<std::uint16_t>(words_[at + 2]); }

  bool expanded(std::uint32_t at) const { return words_[at] & kExpanded; }
  void mark_expanded(std::uint32_t at) { words_[at] |= kExpanded; }

  // Whether the record keeps its links, and they (into *out).
  bool links_cached(std::uint32_t at) const { return (words_[at] & 0xffff) != kLinksNotCached; }
  void links(std::uint32_t at, std::vector<HnswRef>* out) const {
    out->assign(words_.begin() + at + kHeaderWords, words_.begin() + at + kHeaderWords + (words_[at] & 0xffff));
  }

 private:
  static constexpr std::size_t kHeaderWords = 3;
  static constexpr std::uint32_t kLinksNotCached = 0xffff;
  static constexpr std::uint32_t kFails = 1u << 24;
  static constexpr std::uint32_t kExpanded = 1u << 25;
  static constexpr std::size_t kMaxSpareBytes = std::size_t{4} << 20;

  static std::uint32_t first_word(std::uint32_t count, std::uint8_t flags) {
    return count | (static_cast<std::uint32_t>(flags & (kElementNotLive | kElementTids)) << 16);
  }
  void count_growth() {
    if (words_.size() > counted_) counted_ = std::max(2 * counted_, words_.size());
  }

  using Spare = ThreadSpare<std::vector<std::uint32_t>, SeenRecords>;
  std::vector<std::uint32_t> words_;
  std::size_t counted_ = 0;
  std::size_t link_cache_bytes_ = SIZE_MAX;
};

}  // namespace vecsim::core

// src/core/graph/hnsw_verify_postings.h
// verify_hnsw's checks of the postings (storage/hnsw_postings.h), numbered
// as in docs/hnsw.md:
//   P1  block 0's postings directory (version 4 on, with filter columns of
//       an equality-keyed kind; none otherwise) has a power-of-two number
//       of buckets.
//   P2  each bucket's chain, from head along `next`, names posting pages of
//       that bucket, each in one chain at most, whose entries name element
//       items (deleted ones too: an entry may be stale), and ends at the bucket's
//       tail (head and tail both 0 for an empty bucket); room is 0 or a
//       page of the chain; a posting page's item is whole and the only
//       item on its page; a page in no chain holds no entry (an append
//       that lost its race, or was cut short, left it empty).
//   P3  every live element has, for each of its non-null equality-keyed
//       columns, an entry of its key's tag in its key's bucket (verify
//       checks the elements of rows the heap holds, when it is given the
//       heap: an insert cut short after its element may leave one of a row
//       that never committed without its entries).
// The verifier sees pages one at a time (add_page, want) and judges at
// the end (finish).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_postings.h"

namespace vecsim::core {

class HnswPostingsCheck {
 public:
  // The directory item (n bytes at p) read from block 0; false if it is
  // not a valid one (P1).
  bool set_directory(const unsigned char* p, std::size_t n) {
    std::uint16_t count = 0;
    if (has_directory_ || !decode_posting_directory(p, n, &count)) return false;
    has_directory_ = true;
    buckets_.resize(count);
    for (std::uint32_t b = 0; b < count; ++b) buckets_[b] = posting_bucket_at(p, b);
    return true;
  }
  bool has_directory() const { return has_directory_; }

  // A posting page item found at block (its first item; items: the
  // page's item count); false if it is not whole (P2).
  bool add_page(std::uint32_t block, std::uint16_t offset, std::uint16_t items, const unsigned char* p,
                std::size_t n) {
    HnswPostingPage h;
    if (offset != 1 || items != 1 || !decode_posting_page(p, n, &h)) return false;
    Page& page = pages_[block];
    page.header = h;
    for (std::size_t i = 0; i < h.count; ++i) {
      const HnswPostingEntry e = posting_entry_at(p, i);
      page.entries.push_back(entry_key(e.tag, e.ref));
    }
    return true;
  }

  // A live element r with attribute block attrs (P3).
  void want(const HnswAttrSchema& schema, HnswRef r, const unsigned char* attrs) {
    if (!has_directory_) return;
    for_each_posting_key(schema, attrs, [&](std::uint64_t key) { wanted_.push_back(Wanted{key, r}); });
  }

  // Reports P1 .. P3 through fail(what, ref); P3 for the elements
  // checked(ref) names; is_element(ref): whether an element item is there.
  template <class IsElement, class Checked, class Fail>
  void finish(bool postings_expected, IsElement&& is_element, Checked&& checked, Fail&& fail) {
    if (has_directory_ != postings_expected) fail("P1 postings directory where none belongs, or none where one does", make_ref(0, 1));
    std::unordered_set<std::uint32_t> chained;
    std::vector<std::unordered_set<std::uint64_t>> held(buckets_.size());
    for (std::uint32_t b = 0; b < buckets_.size(); ++b) {
      const HnswPostingBucket& bucket = buckets_[b];
      std::uint32_t last = 0;
      bool room_seen = bucket.room == 0;
      for (std::uint32_t at = bucket.head; at != 0;) {
        auto page = pages_.find(at);
        if (page == pages_.end() || page->second.header.bucket != b || !chained.insert(at).second) {
          fail("P2 bucket chain names no posting page of its bucket, or one twice", make_ref(at, 1));
          last = kBroken;
          break;
        }
        room_seen |= at == bucket.room;
        for (std::uint64_t e : page->second.entries) {
          held[b].insert(e);
          if (!is_element(static_cast<HnswRef>(e))) fail("P2 posting entry names no element", make_ref(at, 1));
        }
        last = at;
        at = page->second.header.next;
      }
      if (last != kBroken && (last != bucket.tail || !room_seen)) {
        fail("P2 bucket chain ends elsewhere than its tail, or its room is not in it", make_ref(bucket.head, 1));
      }
    }
    for (const auto& [block, page] : pages_) {
      if (!chained.count(block) && !page.entries.empty()) fail("P2 posting page with entries in no chain", make_ref(block, 1));
    }
    for (const Wanted& w : wanted_) {
      if (!checked(w.ref)) continue;
      const std::uint32_t b = posting_bucket(w.key, static_cast<std::uint16_t>(buckets_.size()));
      if (!held[b].count(entry_key(posting_tag(w.key), w.ref))) fail("P3 live element without its posting entry", w.ref);
    }
  }

 private:
  static std::uint64_t entry_key(std::uint32_t tag, HnswRef r) { return std::uint64_t{tag} << 32 | r; }
  static constexpr std::uint32_t kBroken = 0xffffffffu;
  struct Page {
    HnswPostingPage header;
    std::vector<std::uint64_t> entries;
  };
  struct Wanted {
    std::uint64_t key;
    HnswRef ref;
  };
  bool has_directory_ = false;
  std::vector<HnswPostingBucket> buckets_;
  std::unordered_map<std::uint32_t, Page> pages_;
  std::vector<Wanted> wanted_;
};

}  // namespace vecsim::core

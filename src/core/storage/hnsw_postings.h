// src/core/storage/hnsw_postings.h
// Postings of an hnsw index with filter columns (docs/hnsw_filtering.md
// 3.4): for each equality-keyed column, which elements hold which key, so
// that a scan under a selective `column = value` reads the elements that
// may pass instead of walking or reading the whole index.
//
// FORMAT
//   A posting key is a 64-bit mix of (column, key) (posting_key); its low
//   bits choose one of the directory's bucket_count buckets, its high 32
//   bits are the entry's tag. Every bucket is a chain of posting pages,
//   each holding one item: HnswPostingPage then `capacity` entries
//   {tag, element reference}, `count` of them used. The directory is one
//   item in block 0 (after the attribute descriptor): HnswPostingDirectory
//   then bucket_count {head, tail, room} block numbers (0: none; block 0
//   is the metapage). room names a page of the chain that may have free
//   entries (vacuum frees some; inserts fill them before the tail).
//   A posting page's item reads, by its second byte, as neither an
//   element nor a chunk nor a TID list (kPostingItem is part of
//   kNotElement), and fills its page, so no element is ever placed there.
//
// WHAT AN ENTRY MEANS
//   An entry (tag, r) says "element r may hold a key of this tag in this
//   bucket": a scan reads r and checks it (live, passing the filter)
//   before it is a row, so stale entries (of deleted elements, of slots
//   reused for another value) and colliding tags cost a read and nothing
//   else; duplicates are removed by the reader. What must hold is the
//   converse: every committed row's element has an entry for each of its
//   non-null equality-keyed columns (P1 of docs/hnsw.md's verify list).
//
// INVARIANTS
//   Entries are only ever added by an insert (after the element it names
//   is written, before its transaction can commit) and the build, and
//   removed by vacuum only where stale at the moment it removes them.
//   Pages join a chain at its tail, in one change with the directory; a
//   chain is never shortened, nor a page moved to another bucket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

// The item's second byte: a posting page (not an element).
constexpr std::uint8_t kPostingItem = kPostingPageItem;
static_assert((kPostingItem & kElementFlags) == 0 && (kPostingItem & (kValueChunk | kTidListItem)) == 0);

constexpr std::uint32_t kHnswPostingsMagic = 0x54534f50;  // "POST"
// Buckets of a new index's directory (fewer if block 0 has no room).
constexpr std::uint16_t kHnswPostingBuckets = 512;

struct HnswPostingDirectory {
  std::uint32_t magic;
  std::uint16_t bucket_count;  // a power of two
  std::uint16_t reserved;      // 0
  // then bucket_count HnswPostingBucket
};
static_assert(sizeof(HnswPostingDirectory) == 8);

struct HnswPostingBucket {
  std::uint32_t head;  // first page of the chain, 0: empty
  std::uint32_t tail;  // last page
  std::uint32_t room;  // a page that may have free entries, 0: none known
};
static_assert(sizeof(HnswPostingBucket) == 12);

struct HnswPostingPage {
  std::uint8_t zero;       // where an element's level is
  std::uint8_t flags;      // kPostingItem
  std::uint16_t count;     // entries used
  std::uint32_t next;      // the chain's next page, 0: the last
  std::uint32_t bucket;    // the chain it is in
  std::uint16_t capacity;  // entries the item has room for
  std::uint16_t reserved;  // 0
};
static_assert(sizeof(HnswPostingPage) == 16);
static_assert(offsetof(HnswPostingPage, flags) == offsetof(HnswElementHeader, flags));

struct HnswPostingEntry {
  std::uint32_t tag;
  HnswRef ref;
};
static_assert(sizeof(HnswPostingEntry) == 8);
static_assert(std::is_trivially_copyable_v<HnswPostingEntry>);

// Whether a column of this kind has postings: the kinds `=` is a key on.
constexpr bool has_postings(AttrKind k) { return k != AttrKind::kSignature16; }
// Whether an index of these filter columns has postings (a build writes
// them, format 4, iff one column has).
inline bool has_postings(const HnswAttrSchema& schema) {
  for (int c = 0; c < schema.count(); ++c) {
    if (has_postings(schema.kind(c))) return true;
  }
  return false;
}

// The most elements a scan reads through a key's postings instead of
// walking (graph/hnsw_page_scan.h, choose_postings; the cost estimate
// prices scans by it too): a walk at selectivity s visits about ef / s
// elements and a listed pass reads s x N, so the list wins below about
// sqrt(ef x N) entries; the factor 4 is from the benchmark of
// docs/hnsw_filtering.md, measured when walks went on to ef passing
// elements. Walks now end at ef / 2 of them (graph/filtered_pool.h), half
// the visits, which would move the crossover to about a factor 2: not
// measured again, so the cap stays (the listed pass is exact, and at 1%
// on 100,000 rows, inside the cap, it ran at 2.3x to 3.0x the better plan).
inline double posting_cap(double ef, double elements) {
  return std::max(ef, std::sqrt(4.0 * ef * elements));
}

inline std::uint64_t posting_mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
inline std::uint64_t posting_key(int column, const AttrKey& key) {
  return posting_mix(key.hi ^ posting_mix(key.lo + 0x9e3779b97f4a7c15ull * static_cast<std::uint64_t>(column + 1)));
}
inline std::uint32_t posting_bucket(std::uint64_t key, std::uint16_t bucket_count) {
  return static_cast<std::uint32_t>(key & (bucket_count - 1u));
}
inline std::uint32_t posting_tag(std::uint64_t key) { return static_cast<std::uint32_t>(key >> 32); }

// The keys an element's attribute block has postings under: f(key) for
// each non-null column of a kind with postings.
template <class F>
void for_each_posting_key(const HnswAttrSchema& schema, const unsigned char* block, F&& f) {
  for (int c = 0; c < schema.count(); ++c) {
    if (!has_postings(schema.kind(c)) || HnswAttrSchema::is_null(block, c)) continue;
    f(posting_key(c, schema.key(block, c)));
  }
}

// The directory item's size for bucket_count buckets.
constexpr std::size_t posting_directory_bytes(std::size_t bucket_count) {
  return sizeof(HnswPostingDirectory) + bucket_count * sizeof(HnswPostingBucket);
}
// Whether n bytes at p are a directory item; *bucket_count its buckets.
inline bool decode_posting_directory(const unsigned char* p, std::size_t n, std::uint16_t* bucket_count) {
  if (n < sizeof(HnswPostingDirectory)) return false;
  HnswPostingDirectory d;
  std::memcpy(&d, p, sizeof d);
  if (d.magic != kHnswPostingsMagic || d.bucket_count == 0 || (d.bucket_count & (d.bucket_count - 1)) != 0) {
    return false;
  }
  *bucket_count = d.bucket_count;
  return n == posting_directory_bytes(d.bucket_count);
}
// (At least a whole header: block 0's 4-byte norm bound may hold any bits.)
inline bool is_posting_directory(const unsigned char* p, std::size_t n) {
  std::uint32_t magic = 0;
  if (n >= sizeof(HnswPostingDirectory)) std::memcpy(&magic, p, sizeof magic);
  return magic == kHnswPostingsMagic;
}
// Record i of the array after a Header at the start of an item.
template <class T, class Header>
T record_at(const unsigned char* item, std::size_t i) {
  T x;
  std::memcpy(&x, item + sizeof(Header) + i * sizeof x, sizeof x);
  return x;
}
template <class T, class Header>
void set_record(unsigned char* item, std::size_t i, const T& x) {
  std::memcpy(item + sizeof(Header) + i * sizeof x, &x, sizeof x);
}
inline HnswPostingBucket posting_bucket_at(const unsigned char* dir, std::uint32_t b) {
  return record_at<HnswPostingBucket, HnswPostingDirectory>(dir, b);
}
inline void set_posting_bucket(unsigned char* dir, std::uint32_t b, const HnswPostingBucket& x) {
  set_record<HnswPostingBucket, HnswPostingDirectory>(dir, b, x);
}

// A posting page's header, if the n bytes at p are one (of a consistent size).
inline bool decode_posting_page(const unsigned char* p, std::size_t n, HnswPostingPage* h) {
  if (n < sizeof *h) return false;
  std::memcpy(h, p, sizeof *h);
  return h->zero == 0 && h->flags == kPostingItem && h->count <= h->capacity &&
         n == sizeof *h + std::size_t{h->capacity} * sizeof(HnswPostingEntry);
}
inline HnswPostingEntry posting_entry_at(const unsigned char* page, std::size_t i) {
  return record_at<HnswPostingEntry, HnswPostingPage>(page, i);
}
inline void set_posting_entry(unsigned char* page, std::size_t i, const HnswPostingEntry& e) {
  set_record<HnswPostingEntry, HnswPostingPage>(page, i, e);
}
inline void set_posting_header(unsigned char* page, const HnswPostingPage& h) { std::memcpy(page, &h, sizeof h); }

// The entries a posting page item of a store's page holds (the item
// fills the page: no element ever fits beside it).
template <class Store>
std::uint16_t posting_page_capacity(const Store& store) {
  std::size_t cap = (store.page_capacity() - sizeof(HnswPostingPage)) / sizeof(HnswPostingEntry);
  while (cap > 0 && store.item_cost(sizeof(HnswPostingPage) + cap * sizeof(HnswPostingEntry)) > store.page_capacity()) {
    --cap;
  }
  return static_cast<std::uint16_t>(cap);
}

// The build's postings: entries (posting key, element) of every element,
// written bucket by bucket as full chains on new pages (the store is the
// build's alone); *directory is the directory item for block 0.
template <class Store>
Status write_hnsw_postings(Store* store, std::vector<std::pair<std::uint64_t, HnswRef>>* entries,
                           std::uint16_t bucket_count, std::vector<unsigned char>* directory) {
  directory->assign(posting_directory_bytes(bucket_count), 0);
  const HnswPostingDirectory d{kHnswPostingsMagic, bucket_count, 0};
  std::memcpy(directory->data(), &d, sizeof d);
  auto bucket_of = [&](const std::pair<std::uint64_t, HnswRef>& e) { return posting_bucket(e.first, bucket_count); };
  std::sort(entries->begin(), entries->end(), [&](const auto& a, const auto& b) {
    const std::uint32_t x = bucket_of(a), y = bucket_of(b);
    return x < y || (x == y && a.second < b.second);
  });
  const std::uint16_t cap = posting_page_capacity(*store);
  std::vector<unsigned char> page(sizeof(HnswPostingPage) + std::size_t{cap} * sizeof(HnswPostingEntry));
  for (std::size_t i = 0; i < entries->size();) {
    const std::uint32_t b = bucket_of((*entries)[i]);
    HnswPostingBucket bucket{0, 0, 0};
    std::uint32_t previous = 0;
    while (i < entries->size() && bucket_of((*entries)[i]) == b) {
      std::fill(page.begin(), page.end(), 0);
      std::uint16_t count = 0;
      for (; count < cap && i < entries->size() && bucket_of((*entries)[i]) == b; ++count, ++i) {
        set_posting_entry(page.data(), count, HnswPostingEntry{posting_tag((*entries)[i].first), (*entries)[i].second});
      }
      set_posting_header(page.data(), HnswPostingPage{0, kPostingItem, count, 0, b, cap, 0});
      std::uint32_t block = 0;
      VECSIM_RETURN_IF_ERROR(new_page_for_ref(store, page.data(), page.size(), &block));
      if (previous != 0) {  // the previous page's next
        VECSIM_RETURN_IF_ERROR(store->write_item(previous, 1, offsetof(HnswPostingPage, next), &block, sizeof block));
      } else {
        bucket.head = block;
      }
      bucket.tail = block;
      if (count < cap) bucket.room = block;
      previous = block;
    }
    set_posting_bucket(directory->data(), b, bucket);
  }
  return Status::ok();
}

// The buckets of a new directory: kHnswPostingBuckets, or fewer so that
// it fits beside what block 0 holds (used bytes of its page capacity).
template <class Store>
std::uint16_t posting_bucket_count(const Store& store, std::size_t used) {
  std::uint16_t n = kHnswPostingBuckets;
  while (n > 1 && used + store.item_cost(posting_directory_bytes(n)) > store.page_capacity()) n /= 2;
  return n;
}

}  // namespace vecsim::core

// src/core/storage/ivf_format.h
// The on-page format of an ivfflat index over a PageStore.
//
//   block 0        the metapage: item 1 is an IvfMeta.
//   centre pages   blocks meta.first_centre_block ...: one item per list, in
//                  list order, meta.centres_per_page to a page: an
//                  IvfListHeader followed by the list's centre (a value of
//                  the index's kind, value_bytes long, or see WIDE VALUES).
//   list pages     each list is a chain of pages. Item 1 of a list page is
//                  an IvfPageLink (its list, the next page of the chain);
//                  items 2 .. are entries: an IvfEntryHeader (the heap
//                  TID) followed by the row's value (value_bytes long,
//                  prepared as index/index_value.h says, or see WIDE
//                  VALUES).
//   chunk pages    WIDE VALUES only: pages of value chunks, on no chain.
//
// WIDE VALUES
//   When an entry would not fit an empty page (kIvfChunkedValues in
//   meta.flags, decided by the build for the whole index), every centre
//   and every entry holds, in place of its value, the 4-byte ItemRef of
//   the value's first chunk (storage/value_chunks.h); the build packs the
//   chains' first chunks together, an insert writes its value's chain on
//   pages of its own before the entry that names it.
//
// INVARIANTS
//   I1  block 0 holds the metapage, written once by the build.
//   I2  list l's header is item l % centres_per_page + 1 of block
//       first_centre_block + l / centres_per_page; only its page fields
//       and counters change after the build.
//   I3  a list's chain starts at header.first_page (kIvfNoPage when the
//       list has no page yet), follows link.next, and ends at kIvfNoPage;
//       every page on it has link.list == the list, and no page is on two
//       chains or twice on one.
//   I4  header.insert_page is a page of the list's chain (or kIvfNoPage
//       when the list has none): where inserts start looking for room.
//   I5  entries are never addressed from elsewhere: vacuum removes them
//       with remove_items_if, which compacts the page.
//   I6  with kIvfChunkedValues, every centre and entry names an intact
//       chain of value_bytes, no chunk is on two chains, and no chunk is
//       on a list page (chunks are addressed, list pages are compacted).
//       A removed entry's chunks stay, unnamed, until a REINDEX.
//   A page written but never linked into a chain (an insert cut short by
//   a crash between the two records), or chunks no entry names, hold only
//   rows whose transaction never committed or that vacuum removed; they
//   are unreachable and wasted, not wrong.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vecsim::core {

constexpr std::uint32_t kIvfMagic = 0x49564631;  // "IVF1"
constexpr std::uint16_t kIvfVersion = 1;
constexpr std::uint32_t kIvfNoPage = 0xFFFFFFFFu;
constexpr std::uint32_t kIvfMetaBlock = 0;
constexpr std::uint32_t kIvfMaxLists = 32768;
// IvfMeta.flags
constexpr std::uint32_t kIvfChunkedValues = 0x1;
// The widest value an index takes: hnsw's (storage/hnsw_format.h), so that
// both access methods index the same columns.
constexpr std::size_t kIvfMaxValueBytes = 0xffff;

struct IvfMeta {
  std::uint32_t magic;
  std::uint16_t version;
  std::uint8_t kind;    // a ValueKind
  std::uint8_t metric;  // an IndexMetric
  std::uint32_t dims;
  std::uint32_t lists;
  std::uint32_t value_bytes;         // of a centre and of an entry's value
  std::uint32_t first_centre_block;
  std::uint32_t centres_per_page;
  std::uint32_t flags;               // kIvfChunkedValues
  std::uint64_t build_rows;          // rows the build indexed
};
static_assert(sizeof(IvfMeta) == 40);

struct IvfListHeader {
  std::uint32_t first_page;
  std::uint32_t insert_page;
  std::uint64_t build_rows;       // rows the build put in the list
  double build_distance_sum;      // their operator distances to the centre, summed
};
static_assert(sizeof(IvfListHeader) == 24);

struct IvfPageLink {
  std::uint32_t list;
  std::uint32_t next;
};
static_assert(sizeof(IvfPageLink) == 8);

struct IvfEntryHeader {
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
  std::uint16_t reserved;
};
static_assert(sizeof(IvfEntryHeader) == 8);

}  // namespace vecsim::core

// src/core/storage/hnsw_format.h
// The on-page format of an hnsw index: the metapage item, element items and
// 4-byte element references. Core writes and reads these bytes; where they
// live (PostgreSQL buffers or a test double) is the PageStore's business.
//
// LAYOUT (all little-endian native, as PostgreSQL pages are)
//   Block 0 holds one item, HnswMeta.
//   Every other block holds element items, each:
//     HnswElementHeader (12 bytes)
//     the body: the value, value_bytes bytes of raw elements, padded to 4
//     the attribute block of an index with filter columns (its size fixed
//     per index: storage/hnsw_attrs.h); none otherwise
//     links of layer 0: capacity0 refs; then links of layers 1..level:
//     capacity refs each. An unused link is kNoRef; used links come first.
//   Link capacities are fixed per index (2m, m), so a list is rewritten in
//   place, never resized.
//
// SPILLED ELEMENTS
//   An element whose item would not fit one page (a 3,072-dim vector, say)
//   is spilled (kElementSpilled): its body is the reference of its first
//   value chunk, then the first inline_bytes of the value (padded to 4);
//   the rest of the value follows in a chain of chunk items
//   (storage/value_chunks.h), in value order, the last one's next kNoRef.
//   Chunks may share pages with elements and with each other. A chunk is
//   written before anything names it and is never rewritten; the chunks
//   of a deleted element stay until a REINDEX.
//
// ROWS OF EQUAL VALUE
//   share one element, as pgvector's do: an element flagged kElementTids
//   names a TID list item (storage/hnsw_tid_list.h) in its heap_block
//   field, which holds up to kHnswTidsPerElement heap TIDs. Others hold
//   their one heap TID in the header.
//
// REFERENCES
//   An element is named by a 4-byte HnswRef = block << 9 | line pointer
//   (1-based, < 512). Blocks are then limited to 2^23: an index holds at
//   most 64 GiB of 8 kB pages. 4 bytes instead of a 6-byte TID is what keeps
//   a 128-dim, m 16 element at 652 bytes including its line pointer (12 per
//   page) rather than 716 (11 per page): see docs/hnsw.md.
//
// INVARIANTS
//   Struct sizes and offsets are static_assert'ed; changing any of them
//   changes kHnswFormatVersion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "storage/page_store.h"
#include "storage/value_chunks.h"

namespace vecsim::core {

constexpr std::uint32_t kHnswMagic = 0x76534857;  // "WHSv"
// Version 2 added TID lists (kElementTids, kTidListItem). A version 1
// index is a version 2 index that has none, so both are read; inserts
// into a version 1 index write none (so that it stays readable by the
// binary that built it). Version 3 added filter columns (the attribute
// block and its descriptor in block 0); a version 2 index is a version 3
// one without them. A build writes 3 for an index with filter columns and
// 2 for others (readable by the binaries of version 2).
// Version 4 added postings (storage/hnsw_postings.h: posting pages and
// their directory in block 0), written for an index with filter columns
// of an equality-keyed kind; a binary of version 3 must not insert into
// such an index (its rows would have no entries).
constexpr std::uint16_t kHnswFormatVersion = 4;
constexpr std::uint16_t kHnswPostingsVersion = 4;
constexpr std::uint16_t kHnswAttrsVersion = 3;
constexpr std::uint16_t kHnswTidListsVersion = 2;
constexpr std::uint16_t kHnswOldestFormatVersion = 1;
constexpr bool readable_hnsw_version(std::uint16_t v) noexcept {
  return v >= kHnswOldestFormatVersion && v <= kHnswFormatVersion;
}

// Elements and chunks are named by 4-byte item references
// (storage/value_chunks.h).
using HnswRef = ItemRef;

struct HnswMeta {
  std::uint32_t magic;
  std::uint16_t version;
  std::uint16_t m;
  std::uint32_t dims;
  std::uint16_t ef_construction;
  std::int16_t entry_level;  // -1 for an empty index
  HnswRef entry;             // kNoRef for an empty index
  std::uint32_t element_count;
  // The first block that may hold a deleted element's slot for inserts to
  // reuse, or 0 for none known (a hint: vacuum sets it, inserts move it on;
  // format 1 indexes written before it was read hold the block of their
  // last insert, which is as good a place as any to start looking).
  std::uint32_t reuse_block;
};
static_assert(sizeof(HnswMeta) == 28);
static_assert(offsetof(HnswMeta, entry) == 16);
static_assert(std::is_trivially_copyable_v<HnswMeta>);

// Inner-product indexes (graph/norm_slack.h) hold a second item in block
// 0: the bound on squared norms their links are chosen under. Inserts
// raise it (read-check-write) when a value exceeds it. Other indexes,
// and inner-product ones written before the reduction, have none.
struct HnswNormBound {
  float bound_sq;
};
constexpr std::uint16_t kHnswNormBoundItem = 2;
static_assert(sizeof(HnswNormBound) == 4);

constexpr std::uint8_t kElementDeleted = 0x01;
constexpr std::uint8_t kElementSpilled = 0x02;  // the value continues in chunk items
// Set by vacuum on an element whose heap tuple is dead, before it repairs
// what links it: a dying element still routes searches but is never
// returned by a scan nor chosen as a neighbour by an insert.
// Vacuum later flags it deleted; one cut short leaves it dying, and the
// next vacuum deletes it whatever its heap TID names by then.
constexpr std::uint8_t kElementDying = 0x08;
// Set by an insert on a dying element before it links it (adopts it):
// vacuum does not delete an element so flagged in the pass that sees the
// flag (a list it swept may have gained the link after it read it).
constexpr std::uint8_t kElementAdopted = 0x10;
// Not a row any more: never returned, never linked anew.
constexpr std::uint8_t kElementNotLive = kElementDeleted | kElementDying;
// The item is a TID list (storage/hnsw_tid_list.h), not an element.
constexpr std::uint8_t kTidListItem = 0x20;
// The item is a posting page (storage/hnsw_postings.h).
constexpr std::uint8_t kPostingPageItem = 0x80;
// The element's heap TIDs are in the TID list its heap_block names.
constexpr std::uint8_t kElementTids = 0x40;
constexpr std::uint8_t kElementFlags =
    kElementDeleted | kElementSpilled | kElementDying | kElementAdopted | kElementTids;
// What a page's items are, by their second byte: an element, or one of these.
constexpr std::uint8_t kNotElement = kValueChunk | kTidListItem | kPostingPageItem;
static_assert((kElementFlags & kNotElement) == 0);
static_assert((kValueChunk & kTidListItem) == 0);
static_assert((kElementDying & (kElementDeleted | kElementSpilled | kValueChunk)) == 0);
static_assert((kElementAdopted & (kElementDeleted | kElementSpilled | kValueChunk | kElementDying)) == 0);

struct HnswElementHeader {
  std::uint8_t level;
  std::uint8_t flags;          // kElementFlags
  std::uint16_t value_bytes;   // bytes of raw elements in the whole value
  std::uint32_t heap_block;    // the heap tuple this element indexes (kElementTids: its TID list)
  std::uint16_t heap_offset;   // (kElementTids: 0)
  std::uint16_t inline_bytes;  // spilled: the value's bytes in this item; else 0
};
static_assert(sizeof(HnswElementHeader) == 12);
static_assert(offsetof(HnswElementHeader, heap_block) == 4);
static_assert(std::is_trivially_copyable_v<HnswElementHeader>);

// A chunk's first four bytes read as an element header say level 0,
// flags kValueChunk: a page's items tell their kind by the flags byte.
static_assert(offsetof(ValueChunkHeader, flags) == offsetof(HnswElementHeader, flags));
static_assert((kValueChunk & (kElementDeleted | kElementSpilled)) == 0);

// The largest value an element can hold (value_bytes is 16 bits).
constexpr std::size_t kMaxValueBytes = 0xffff;

// The index options core accepts (docs/reference.md 8.2): m in 2 .. 100 and
// ef_construction in 1 .. 1000 (the shim enforces 4 .. 1000 and >= 2m on
// CREATE INDEX). Anything else in a metapage means corruption.
constexpr int kMinM = 2;
constexpr int kMaxM = 100;
constexpr bool valid_hnsw_params(int m, int ef_construction) noexcept {
  return m >= kMinM && m <= kMaxM && ef_construction >= 1 && ef_construction <= 1000;
}

// Whether meta is an hnsw metapage of a version this binary reads, with
// options it accepts.
constexpr bool valid_hnsw_meta(const HnswMeta& meta) noexcept {
  return meta.magic == kHnswMagic && readable_hnsw_version(meta.version) &&
         valid_hnsw_params(meta.m, meta.ef_construction);
}

// The metapage item of store (*valid: valid_hnsw_meta).
template <class Store>
Status read_hnsw_meta(Store* store, HnswMeta* meta, bool* valid) noexcept {
  *valid = false;
  if (store->page_count() == 0) return Status::ok();
  return store->read_item(0, 1, [&](const unsigned char* item, std::size_t n) {
    if (n < sizeof *meta) return;
    std::memcpy(meta, item, sizeof *meta);
    *valid = valid_hnsw_meta(*meta);
  });
}

// Where the parts of an element item are, for an index's m. `body` is
// what lies between the header and the links (before padding): the value's
// bytes, or for a spilled element the chunk reference and its inline bytes
// (body_bytes() of its header says which).
struct HnswElementLayout {
  int m;
  std::size_t attr_bytes = 0;  // the attribute block's (a multiple of 4)

  int capacity(int layer) const noexcept { return layer == 0 ? 2 * m : m; }
  static std::size_t padded(std::size_t bytes) noexcept { return (bytes + 3) / 4 * 4; }
  static bool spilled(const HnswElementHeader& h) noexcept { return h.flags & kElementSpilled; }
  static std::size_t spilled_body(std::size_t inline_bytes) noexcept {
    return sizeof(HnswRef) + inline_bytes;
  }
  static std::size_t body_bytes(const HnswElementHeader& h) noexcept {
    return spilled(h) ? spilled_body(h.inline_bytes) : h.value_bytes;
  }
  // Where the value (or its inline part) starts, and how much of it is here.
  static std::size_t value_offset(const HnswElementHeader& h) noexcept {
    return sizeof(HnswElementHeader) + (spilled(h) ? sizeof(HnswRef) : 0);
  }
  static std::size_t stored_value_bytes(const HnswElementHeader& h) noexcept {
    return spilled(h) ? h.inline_bytes : h.value_bytes;
  }
  // A spilled element's first chunk.
  static HnswRef chunk_of(const unsigned char* item) noexcept {
    HnswRef r;
    std::memcpy(&r, item + sizeof(HnswElementHeader), sizeof r);
    return r;
  }
  // Where the attribute block starts.
  static std::size_t attrs_offset(std::size_t body) noexcept { return sizeof(HnswElementHeader) + padded(body); }
  std::size_t links_offset(std::size_t body, int layer) const noexcept {
    std::size_t at = attrs_offset(body) + attr_bytes;
    if (layer > 0) at += sizeof(HnswRef) * (2 * m + static_cast<std::size_t>(layer - 1) * m);
    return at;
  }
  std::size_t item_size(std::size_t body, int level) const noexcept {
    return links_offset(body, level + 1);
  }
  // Slot i of the layer's list in an element item (any alignment).
  HnswRef link_at(const unsigned char* item, std::size_t body, int layer, int i) const noexcept {
    HnswRef link;
    std::memcpy(&link, item + links_offset(body, layer) + sizeof link * i, sizeof link);
    return link;
  }
};

// An element item's header and body, written into item (item_size(body,
// level) bytes); the links are the caller's. value holds
// stored_value_bytes(h) bytes; chunk is a spilled element's first chunk.
inline void encode_element_head(unsigned char* item, const HnswElementHeader& h,
                                const void* value, HnswRef chunk) noexcept {
  std::memcpy(item, &h, sizeof h);
  if (HnswElementLayout::spilled(h)) std::memcpy(item + sizeof h, &chunk, sizeof chunk);
  std::memcpy(item + HnswElementLayout::value_offset(h), value,
              HnswElementLayout::stored_value_bytes(h));
}

}  // namespace vecsim::core

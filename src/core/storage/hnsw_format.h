// src/core/storage/hnsw_format.h
// The on-page format of an hnsw index: the metapage item, element items and
// 4-byte element references. Core writes and reads these bytes; where they
// live (PostgreSQL buffers or a test double) is the PageStore's business.
//
// LAYOUT (all little-endian native, as PostgreSQL pages are)
//   Block 0 holds one item, HnswMeta.
//   Every other block holds element items, each:
//     HnswElementHeader (12 bytes)
//     the value: value_bytes bytes of raw elements, padded to 4
//     links of layer 0: capacity0 refs; then links of layers 1..level:
//     capacity refs each. An unused link is kNoRef; used links come first.
//   Link capacities are fixed per index (2m, m), so a list is rewritten in
//   place, never resized.
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

namespace vecsim::core {

constexpr std::uint32_t kHnswMagic = 0x76534857;  // "WHSv"
constexpr std::uint16_t kHnswFormatVersion = 1;

using HnswRef = std::uint32_t;
constexpr HnswRef kNoRef = 0xffffffffu;
constexpr std::uint32_t kRefOffsetBits = 9;
// The last block is never used, so no reference can equal kNoRef.
constexpr std::uint32_t kMaxRefBlock = (1u << (32 - kRefOffsetBits)) - 2;
constexpr std::uint32_t kMaxRefOffset = (1u << kRefOffsetBits) - 1;

constexpr HnswRef make_ref(std::uint32_t block, std::uint16_t offset) noexcept {
  return (block << kRefOffsetBits) | offset;
}
constexpr std::uint32_t ref_block(HnswRef r) noexcept { return r >> kRefOffsetBits; }
constexpr std::uint16_t ref_offset(HnswRef r) noexcept {
  return static_cast<std::uint16_t>(r & kMaxRefOffset);
}

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

constexpr std::uint8_t kElementDeleted = 0x01;

struct HnswElementHeader {
  std::uint8_t level;
  std::uint8_t flags;         // kElementDeleted
  std::uint16_t value_bytes;  // bytes of raw elements that follow
  std::uint32_t heap_block;   // the heap tuple this element indexes
  std::uint16_t heap_offset;
  std::uint16_t unused;       // always 0
};
static_assert(sizeof(HnswElementHeader) == 12);
static_assert(offsetof(HnswElementHeader, heap_block) == 4);
static_assert(std::is_trivially_copyable_v<HnswElementHeader>);

// The index options core accepts (SPEC.md 6.4): m in 2 .. 100 and
// ef_construction in 1 .. 1000 (the shim enforces 4 .. 1000 and >= 2m on
// CREATE INDEX). Anything else in a metapage means corruption.
constexpr int kMinM = 2;
constexpr int kMaxM = 100;
constexpr bool valid_hnsw_params(int m, int ef_construction) noexcept {
  return m >= kMinM && m <= kMaxM && ef_construction >= 1 && ef_construction <= 1000;
}

// Where the parts of an element item are, for an index's m.
struct HnswElementLayout {
  int m;

  int capacity(int layer) const noexcept { return layer == 0 ? 2 * m : m; }
  static std::size_t value_offset() noexcept { return sizeof(HnswElementHeader); }
  static std::size_t padded(std::size_t value_bytes) noexcept { return (value_bytes + 3) / 4 * 4; }
  std::size_t links_offset(std::size_t value_bytes, int layer) const noexcept {
    std::size_t at = value_offset() + padded(value_bytes);
    if (layer > 0) at += sizeof(HnswRef) * (2 * m + static_cast<std::size_t>(layer - 1) * m);
    return at;
  }
  std::size_t item_size(std::size_t value_bytes, int level) const noexcept {
    return links_offset(value_bytes, level + 1);
  }
  // Slot i of the layer's list in an element item (any alignment).
  HnswRef link_at(const unsigned char* item, std::size_t value_bytes, int layer, int i) const noexcept {
    HnswRef link;
    std::memcpy(&link, item + links_offset(value_bytes, layer) + sizeof link * i, sizeof link);
    return link;
  }
};

}  // namespace vecsim::core

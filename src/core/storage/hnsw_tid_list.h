// src/core/storage/hnsw_tid_list.h
// The heap TIDs of an hnsw element that indexes several rows of one value:
// the TID list item's format (storage/hnsw_format.h, ROWS OF EQUAL VALUE).
//
// FORMAT
//   An HnswTidListHeader, then kHnswTidsPerElement slots of 6 bytes (heap
//   block, heap offset), the first `count` of them used. The flags byte
//   (the second, where elements and chunks keep theirs) is kTidListItem,
//   plus kElementDeleted once vacuum has deleted the list's element: an
//   insert may then take the item for another element's list. `owner`
//   names the element whose list it is, so that a scan holding an old
//   reference to an element can tell its list from one taken since.
//
// INVARIANTS
//   Every item is tid_list_item_bytes() long whatever its count, so a list
//   is rewritten in place. The list of an element that is not deleted has
//   1 .. kHnswTidsPerElement TIDs, none twice (vacuum never empties a list:
//   it flags the element dying instead, the list unchanged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "storage/hnsw_format.h"

namespace vecsim::core {

// As pgvector's elements: up to ten rows of one value share an element.
constexpr int kHnswTidsPerElement = 10;

struct HeapTid {
  std::uint32_t block;
  std::uint16_t offset;
  friend bool operator==(const HeapTid& a, const HeapTid& b) { return a.block == b.block && a.offset == b.offset; }
};

struct HnswTidListHeader {
  std::uint8_t zero;   // always 0 (an element's level byte)
  std::uint8_t flags;  // kTidListItem, | kElementDeleted
  std::uint16_t count;
  HnswRef owner;
};
static_assert(sizeof(HnswTidListHeader) == 8);
static_assert(offsetof(HnswTidListHeader, flags) == offsetof(HnswElementHeader, flags));
static_assert(std::is_trivially_copyable_v<HnswTidListHeader>);

constexpr std::size_t kHeapTidBytes = 6;
constexpr std::size_t tid_list_item_bytes() noexcept {
  return sizeof(HnswTidListHeader) + kHeapTidBytes * kHnswTidsPerElement;
}

inline HeapTid tid_list_at(const unsigned char* item, int i) noexcept {
  HeapTid t;
  const unsigned char* at = item + sizeof(HnswTidListHeader) + kHeapTidBytes * static_cast<std::size_t>(i);
  std::memcpy(&t.block, at, sizeof t.block);
  std::memcpy(&t.offset, at + sizeof t.block, sizeof t.offset);
  return t;
}

inline void set_tid_list_at(unsigned char* item, int i, HeapTid t) noexcept {
  unsigned char* at = item + sizeof(HnswTidListHeader) + kHeapTidBytes * static_cast<std::size_t>(i);
  std::memcpy(at, &t.block, sizeof t.block);
  std::memcpy(at + sizeof t.block, &t.offset, sizeof t.offset);
}

// Whether the n bytes at p are a well-formed TID list item; its header in
// *h.
inline bool decode_tid_list(const unsigned char* p, std::size_t n, HnswTidListHeader* h) noexcept {
  if (n != tid_list_item_bytes()) return false;
  std::memcpy(h, p, sizeof *h);
  return h->zero == 0 && (h->flags & ~kElementDeleted) == kTidListItem && h->count <= kHnswTidsPerElement;
}

// Whether a decoded list (header l) is element owner's, in use (not
// flagged deleted, nor taken since for another element).
inline bool owns_tid_list(const HnswTidListHeader& l, HnswRef owner) noexcept {
  return l.owner == owner && !(l.flags & kElementDeleted);
}

// A list of owner's count TIDs into item (tid_list_item_bytes() bytes),
// unused slots zeroed.
inline void encode_tid_list(unsigned char* item, HnswRef owner, const HeapTid* tids, int count) noexcept {
  std::memset(item, 0, tid_list_item_bytes());
  const HnswTidListHeader h{0, kTidListItem, static_cast<std::uint16_t>(count), owner};
  std::memcpy(item, &h, sizeof h);
  for (int i = 0; i < count; ++i) set_tid_list_at(item, i, tids[i]);
}

}  // namespace vecsim::core

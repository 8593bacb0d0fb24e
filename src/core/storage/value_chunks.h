// src/core/storage/value_chunks.h
// Values too wide for one page item, as chains of chunk items, shared by
// both access methods: the 4-byte item reference that names a chunk (and
// an hnsw element), the chunk item's format, and how a chain is written
// and read back over any PageStore.
//
// FORMAT
//   A chunk item is a ValueChunkHeader then `bytes` bytes of the value; its
//   `next` names the chunk holding the bytes that follow, the last chunk's
//   is kNoRef. What names the first chunk (an hnsw element, an ivfflat
//   entry or centre) knows the value's total size.
//   An ItemRef = block << 9 | line pointer (1-based, < 512): blocks are then
//   limited to 2^23, 64 GiB of 8 kB pages.
//
// WRITING
//   write_value_chunks() writes a chain last chunk first, each chunk on a
//   new page of its own, so that each write names only chunks already
//   written and a chain cut short by an error or a crash is named by
//   nothing: wasted pages, never a broken value. Without packing (inserts
//   beside other writers) the first chunk holds the remainder and the rest
//   are full; its page, written last, ends the relation (where an hnsw
//   insert puts its next element). With packing (a build, the only
//   writer) the first chunk fills what the packing page has left, the
//   middle ones are full, and the last holds the remainder on a new page,
//   the next packing page: values then take little more than their bytes.
//
// INVARIANTS
//   A chunk is never rewritten once written; chunks of values no longer
//   named stay until a REINDEX. read_value_chunks() never writes past the
//   value's size and reports a chain that ends early, runs long or names
//   something other than a chunk (*intact false) rather than reading it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "storage/page_store.h"
#include "util/status.h"

namespace vecsim::core {

using ItemRef = std::uint32_t;
constexpr ItemRef kNoRef = 0xffffffffu;
constexpr std::uint32_t kRefOffsetBits = 9;
// The last block is never used, so no reference can equal kNoRef.
constexpr std::uint32_t kMaxRefBlock = (1u << (32 - kRefOffsetBits)) - 2;
constexpr std::uint32_t kMaxRefOffset = (1u << kRefOffsetBits) - 1;

constexpr ItemRef make_ref(std::uint32_t block, std::uint16_t offset) noexcept {
  return (block << kRefOffsetBits) | offset;
}
constexpr std::uint32_t ref_block(ItemRef r) noexcept { return r >> kRefOffsetBits; }
constexpr std::uint16_t ref_offset(ItemRef r) noexcept { return static_cast<std::uint16_t>(r & kMaxRefOffset); }
// The page store's address of the item r names.
constexpr ItemAddress ref_address(ItemRef r) noexcept { return ItemAddress{ref_block(r), ref_offset(r)}; }

constexpr std::uint8_t kValueChunk = 0x04;

// Its second byte is kValueChunk: hnsw pages tell chunks from elements by
// that byte (storage/hnsw_format.h lays elements out to match).
struct ValueChunkHeader {
  std::uint8_t zero;   // always 0
  std::uint8_t flags;  // kValueChunk
  std::uint16_t bytes;
  ItemRef next;        // the next chunk, or kNoRef
};
static_assert(sizeof(ValueChunkHeader) == 8);
static_assert(std::is_trivially_copyable_v<ValueChunkHeader>);

// A chunk item of n value bytes (sizeof(ValueChunkHeader) + n bytes).
inline void encode_chunk(unsigned char* item, const void* bytes, std::size_t n, ItemRef next) noexcept {
  ValueChunkHeader c{0, kValueChunk, static_cast<std::uint16_t>(n), next};
  std::memcpy(item, &c, sizeof c);
  std::memcpy(item + sizeof c, bytes, n);
}

// The most value bytes (at most want) a chunk item can carry in room.
template <class Store>
std::size_t chunk_bytes_fitting(const Store& store, std::size_t room, std::size_t want) {
  std::size_t bytes = std::min<std::size_t>({room, want, 0xffff});
  while (bytes > 0 && store.item_cost(sizeof(ValueChunkHeader) + bytes) > room) --bytes;
  return bytes;
}

// The most value bytes one chunk item can carry on an empty page.
template <class Store>
std::size_t chunk_capacity(const Store& store) {
  return chunk_bytes_fitting(store, store.page_capacity(), store.page_capacity());
}

// A packing page's room smaller than this is left unused (a chunk that
// small would cost a read for little).
constexpr std::size_t kMinPackedChunk = 256;

// Whether the n bytes at p are a well-formed chunk; its header in *c.
inline bool decode_chunk(const unsigned char* p, std::size_t n, ValueChunkHeader* c) noexcept {
  if (n < sizeof *c) return false;
  std::memcpy(c, p, sizeof *c);
  return c->flags == kValueChunk && c->zero == 0 && c->bytes > 0 && n >= sizeof *c + c->bytes;
}

// Appends a page, empty or holding one item, within the blocks an ItemRef
// can name (checked before, on the page count the store knows, and after,
// on the block it gave).
template <class Store>
Status new_page_for_ref(Store* store, const unsigned char* item, std::size_t n, std::uint32_t* block) {
  auto too_many = [] { return Status::error(ErrorCode::kProgramLimit, "index would exceed %u pages", kMaxRefBlock); };
  if (store->page_count() > kMaxRefBlock) return too_many();
  VECSIM_RETURN_IF_ERROR(item != nullptr ? store->new_page_with_item(item, n, block) : store->new_page(block));
  return *block > kMaxRefBlock ? too_many() : Status::ok();
}

// Writes bytes[0, n) (n > 0) as a chain, as WRITING says; *first names its
// first chunk. pack_block null: no packing. Else *pack_block is the
// packing page (kNoPackPage for none yet) and moves to the page of the
// chain's last chunk.
constexpr std::uint32_t kNoPackPage = 0xffffffffu;
template <class Store>
Status write_value_chunks(Store* store, const unsigned char* bytes, std::size_t n, std::uint32_t* pack_block,
                          std::vector<unsigned char>* scratch, ItemRef* first) {
  const std::size_t capacity = chunk_capacity(*store);
  // The chain's pieces: [head][full chunks][tail], in value order.
  std::size_t head = 0, tail = 0;
  if (pack_block == nullptr) {
    head = n - (n - 1) / capacity * capacity;  // the remainder, on a page of its own
  } else {
    if (*pack_block != kNoPackPage) {
      std::uint16_t items = 0;
      std::size_t room = 0;
      VECSIM_RETURN_IF_ERROR(store->item_count(*pack_block, &items));
      VECSIM_RETURN_IF_ERROR(store->free_space(*pack_block, &room));
      if (items < kMaxRefOffset) head = chunk_bytes_fitting(*store, room, n);
      if (head < kMinPackedChunk && head < n) head = 0;
    }
    tail = n == head ? 0 : (n - head - 1) % capacity + 1;
  }
  const std::size_t full = (n - head - tail) / capacity;
  auto write_on_new_page = [&](std::size_t from, std::size_t bytes_n, ItemRef next, std::uint32_t* block) {
    scratch->assign(sizeof(ValueChunkHeader) + bytes_n, 0);
    encode_chunk(scratch->data(), bytes + from, bytes_n, next);
    return new_page_for_ref(store, scratch->data(), scratch->size(), block);
  };
  ItemRef next = kNoRef;
  std::uint32_t block = 0;
  const std::uint32_t packing_page = pack_block != nullptr ? *pack_block : kNoPackPage;
  if (tail > 0) {
    VECSIM_RETURN_IF_ERROR(write_on_new_page(n - tail, tail, next, &block));
    next = make_ref(block, 1);
    *pack_block = block;
  }
  for (std::size_t i = full; i-- > 0;) {
    VECSIM_RETURN_IF_ERROR(write_on_new_page(head + i * capacity, capacity, next, &block));
    next = make_ref(block, 1);
  }
  if (head == 0) {
    *first = next;
    return Status::ok();
  }
  if (pack_block != nullptr) {  // the packing page had the room (one writer)
    scratch->assign(sizeof(ValueChunkHeader) + head, 0);
    encode_chunk(scratch->data(), bytes, head, next);
    std::uint16_t offset = 0;
    bool added = false;
    VECSIM_RETURN_IF_ERROR(store->add_item_if_room(packing_page, scratch->data(), scratch->size(), &offset, &added));
    if (!added) return Status::error(ErrorCode::kInternal, "a packed value chunk found no room");
    *first = make_ref(packing_page, offset);
    return Status::ok();
  }
  VECSIM_RETURN_IF_ERROR(write_on_new_page(0, head, next, &block));
  *first = make_ref(block, 1);
  return Status::ok();
}

// Reads the chain from `chunk` into out[have, total); *intact false when
// the chain is broken (FORMAT), with out's bytes then unspecified. The
// chunks read are appended to *visited unless it is null (the verifiers).
template <class Store>
Status read_value_chunks(Store* store, ItemRef chunk, unsigned char* out, std::size_t have, std::size_t total,
                         bool* intact, std::vector<ItemRef>* visited = nullptr) {
  *intact = false;
  while (have < total) {
    if (chunk == kNoRef) return Status::ok();
    if (visited != nullptr) visited->push_back(chunk);
    bool ok = false;
    ItemRef next = kNoRef;
    VECSIM_RETURN_IF_ERROR(store->read_item(ref_block(chunk), ref_offset(chunk),
                                            [&](const unsigned char* p, std::size_t n) {
      ValueChunkHeader c;
      if (!decode_chunk(p, n, &c) || c.bytes > total - have) return;
      std::memcpy(out + have, p + sizeof c, c.bytes);
      have += c.bytes;
      next = c.next;
      ok = true;
    }));
    if (!ok) return Status::ok();
    chunk = next;
  }
  *intact = chunk == kNoRef;
  return Status::ok();
}

}  // namespace vecsim::core

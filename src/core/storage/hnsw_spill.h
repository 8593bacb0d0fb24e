// src/core/storage/hnsw_spill.h
// How an element's value is laid over pages (storage/hnsw_format.h,
// SPILLED ELEMENTS), from a PageStore's page arithmetic alone: whether a
// value spills, how much of it an element item keeps inline in the room a
// page offers, and how the rest is cut into chunks. The build's writer and
// inserts both place elements by these rules.
//
// RULES
//   An element spills exactly when its whole item would not fit an empty
//   page; small values therefore keep the format they always had. A
//   spilled element keeps inline as much of its value as the page it goes
//   on has room for, but at least kMinInlineBytes (else it takes a new
//   page); the rest goes in chunks of at most chunk_capacity() (storage/value_chunks.h) bytes,
//   each but the last filling a fresh page, so a spilled index wastes
//   little more than a page's tail per element.
//
// INVARIANTS
//   hnsw_inline_fitting() never returns a size whose item exceeds `room`;
//   every value of at most kMaxValueBytes fits at level 0 whatever m is.
#pragma once

#include <cstddef>

#include "storage/hnsw_format.h"

namespace vecsim::core {

constexpr std::size_t kMinInlineBytes = 1024;

// Whether the element's whole item (value and links of level) fits one page.
template <class Store>
bool hnsw_fits_unspilled(const Store& store, const HnswElementLayout& layout,
                         std::size_t value_bytes, int level) {
  return store.item_cost(layout.item_size(value_bytes, level)) <= store.page_capacity();
}

// The inline bytes (a multiple of 4, below value_bytes) of a spilled
// element of level whose item is to use at most room bytes of a page, or 0
// when not even its header, chunk reference and links fit there.
template <class Store>
std::size_t hnsw_inline_fitting(const Store& store, const HnswElementLayout& layout,
                                std::size_t value_bytes, int level, std::size_t room) {
  const std::size_t bare = store.item_cost(layout.item_size(HnswElementLayout::spilled_body(0), level));
  if (bare > room || value_bytes < 4) return 0;
  std::size_t inline_bytes = std::min((room - bare) / 4 * 4, (value_bytes - 1) / 4 * 4);
  while (inline_bytes > 0 &&
         store.item_cost(layout.item_size(HnswElementLayout::spilled_body(inline_bytes), level)) > room) {
    inline_bytes -= 4;
  }
  return inline_bytes;
}

// The highest level an element with a value of value_bytes can have: its
// item must fit a page whole, or spilled with kMinInlineBytes inline; -1
// when neither holds even at level 0 (a value above kMaxValueBytes).
template <class Store>
int hnsw_max_level_fitting(const Store& store, const HnswElementLayout& layout,
                           std::size_t value_bytes) {
  if (value_bytes > kMaxValueBytes) return -1;
  auto fits = [&](int level) {
    if (hnsw_fits_unspilled(store, layout, value_bytes, level)) return true;
    std::size_t room = store.page_capacity();
    return hnsw_inline_fitting(store, layout, value_bytes, level, room) >= kMinInlineBytes;
  };
  int level = -1;
  while (level < 31 && fits(level + 1)) ++level;
  return level;
}

}  // namespace vecsim::core

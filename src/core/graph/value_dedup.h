// src/core/graph/value_dedup.h
// Finds a build's earlier row of exactly the same value (and, in an index
// with filter columns, the same attribute block), so that rows of equal
// value share one element (storage/hnsw_tid_list.h): an open-addressing
// table from a hash of the row's bytes to the node that holds them, rows
// compared byte for byte (the caller's same_as) on a hash match.
//
// INVARIANTS
//   The table is at most half full (8 bytes a slot), so it costs 16 to 32
//   bytes a distinct value beside the values themselves (and, while it
//   grows, the old table besides: memory_bytes() counts the new one); a node
//   replaced as the holder of its value (it became full) is no longer
//   found. Hashes are of the bytes only: equal bytes, equal hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "index/value_metrics.h"

namespace vecsim::core {

class ValueDedup {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  static std::uint32_t hash(ValueRef v) {
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ v.size;
    std::size_t i = 0;
    for (; i + 8 <= v.size; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, v.bytes + i, sizeof w);
      h = (h ^ mix(w)) * 0xff51afd7ed558ccdull;
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, v.bytes + i, v.size - i);
    h = mix(h ^ mix(tail));
    return static_cast<std::uint32_t>(h ^ (h >> 32));
  }

  // The hash of a row whose attribute block is attrs (none: size 0) and
  // whose value hashed to value_hash.
  static std::uint32_t with_attrs(std::uint32_t value_hash, ValueRef attrs) {
    return attrs.size == 0 ? value_hash : value_hash ^ (hash(attrs) * 0x9e3779b1u);
  }

  // The node holding a row equal to the one of hash h, or kNone;
  // same_as(node) says whether node's row is equal to it.
  template <class SameAs>
  std::uint32_t find(std::uint32_t h, SameAs&& same_as) const {
    if (slots_.empty()) return kNone;
    for (std::size_t at = h & mask_;; at = (at + 1) & mask_) {
      const Slot& s = slots_[at];
      if (s.node == kNone) return kNone;
      if (s.hash == h && same_as(s.node)) return s.node;
    }
  }

  // node holds rows equal to the one of hash h from now on.
  template <class SameAs>
  void put(std::uint32_t h, std::uint32_t node, SameAs&& same_as) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t at = h & mask_;; at = (at + 1) & mask_) {
      Slot& s = slots_[at];
      if (s.node == kNone) {
        s = Slot{h, node};
        ++used_;
        return;
      }
      if (s.hash == h && same_as(s.node)) {
        s.node = node;
        return;
      }
    }
  }

  static bool equal(ValueRef a, ValueRef b) {
    return a.size == b.size && (a.size == 0 || std::memcmp(a.bytes, b.bytes, a.size) == 0);
  }

  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Slot); }

  void clear() {
    std::vector<Slot>().swap(slots_);
    used_ = 0;
    mask_ = 0;
  }

 private:
  struct Slot {
    std::uint32_t hash;
    std::uint32_t node;
  };

  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 29;
    return x;
  }
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{0, kNone});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.node == kNone) continue;
      std::size_t at = s.hash & mask_;
      while (slots_[at].node != kNone) at = (at + 1) & mask_;
      slots_[at] = s;
    }
  }

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  std::size_t mask_ = 0;
};

}  // namespace vecsim::core

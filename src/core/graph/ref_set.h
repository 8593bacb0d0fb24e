// src/core/graph/ref_set.h
// A set of element references for searches over pages, where references
// are sparse 32-bit numbers rather than dense node ids: open addressing
// with linear probing, and a generation stamp per slot so that clear() is
// O(1) instead of a pass over the table (a search clears it per layer).
// Each member carries a 32-bit value (the page graph keeps where it cached
// the element's links); a member added without one holds kNoValue. A
// slot's stamp, key and value sit together, so a probe reads one cache
// line.
//
// The table outlives the set: a set takes its thread's spare table when
// built and gives it back when destroyed (util/thread_spare.h), so that a
// query's search does not allocate and grow it again. memory_bytes()
// counts the table a new set would have grown to for the same inserts and
// reserve() calls, not the larger one it may have inherited, so that the
// budgets a scan checks it against decide alike whatever ran before.
//
// INVARIANTS
//   A slot holds a member exactly when its stamp equals the current
//   generation. The table is a power of two, at most half full; it doubles
//   (rehashing the members) when it would pass that. Stamps are cleared
//   only when the 32-bit generation wraps. Storage is kept across clear(),
//   so a warmed-up search allocates nothing. A spare table kept between
//   queries holds at most kMaxSpareBytes.
#pragma once

#include <cstdint>
#include <vector>

#include "util/thread_spare.h"

namespace vecsim::core {

class RefSet {
 public:
  RefSet() : table_(Spare::take()) {
    if (table_.slots.size() < kMinSlots) {
      rebuild(kMinSlots);
    } else {
      clear();
    }
  }
  ~RefSet() {
    Spare::give(std::move(table_), kMaxSpareBytes,
                [](const Table& t) { return t.slots.capacity() * sizeof(Slot); });
  }
  RefSet(const RefSet&) = delete;
  RefSet& operator=(const RefSet&) = delete;

  void clear() {
    size_ = 0;
    if (++table_.generation == 0) {
      for (Slot& s : table_.slots) s.stamp = 0;
      table_.generation = 1;
    }
  }

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return counted_slots_ * sizeof(Slot); }
  // The table it holds, inherited or grown (what memory_bytes() does not
  // count).
  std::size_t table_bytes() const { return table_.slots.capacity() * sizeof(Slot); }

  static constexpr std::uint32_t kNoValue = 0xffffffffu;

  // Adds r with value (unchanged if r is a member); returns whether it was
  // new (like unordered_set::insert().second).
  bool insert(std::uint32_t r, std::uint32_t value = kNoValue) {
    if ((size_ + 1) * 2 > counted_slots_) counted_slots_ *= 2;
    if ((size_ + 1) * 2 > table_.slots.size()) grow();
    const std::size_t mask = table_.slots.size() - 1;
    for (std::size_t i = hash(r) & mask;; i = (i + 1) & mask) {
      Slot& s = table_.slots[i];
      if (s.stamp != table_.generation) {
        s = Slot{table_.generation, r, value};
        ++size_;
        return true;
      }
      if (s.key == r) return false;
    }
  }

  // Sets the value of member r (no effect if r is not a member).
  void set_value(std::uint32_t r, std::uint32_t value) {
    Slot* s = const_cast<Slot*>(find(r));
    if (s != nullptr) s->value = value;
  }

  // The value of r, or kNoValue if r is not a member or has none.
  std::uint32_t value(std::uint32_t r) const {
    const Slot* s = find(r);
    return s != nullptr ? s->value : kNoValue;
  }

  // Room for `members` without growing (only while the set is empty:
  // after clear(), say).
  void reserve(std::size_t members) {
    if (size_ != 0) return;
    while (counted_slots_ < members * 2) counted_slots_ *= 2;
    if (table_.slots.size() < counted_slots_) rebuild(counted_slots_);
  }

  bool contains(std::uint32_t r) const { return find(r) != nullptr; }

  // The most members reserve() can make room for in a table small enough
  // to be kept as the thread's spare: a larger reservation is allocated
  // and zero-filled again by every search that makes it.
  static constexpr std::size_t spare_members() {
    std::size_t slots = kMinSlots;
    while (slots * 2 * sizeof(Slot) <= kMaxSpareBytes) slots *= 2;
    return slots / 2;
  }

 private:
  static constexpr std::size_t kMinSlots = 1024;
  static constexpr std::size_t kMaxSpareBytes = std::size_t{1} << 20;

  struct Slot {
    std::uint32_t stamp;
    std::uint32_t key;
    std::uint32_t value;
  };
  struct Table {
    std::vector<Slot> slots;
    std::uint32_t generation = 1;
  };
  static_assert(kMinSlots * sizeof(Slot) <= kMaxSpareBytes, "spare_members() must name a table that is kept");
  using Spare = ThreadSpare<Table, RefSet>;

  static std::size_t hash(std::uint32_t r) {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(r) * 0x9E3779B97F4A7C15ull) >> 32);
  }

  // r's slot, or null if r is not a member.
  const Slot* find(std::uint32_t r) const {
    const std::size_t mask = table_.slots.size() - 1;
    for (std::size_t i = hash(r) & mask;; i = (i + 1) & mask) {
      const Slot& s = table_.slots[i];
      if (s.stamp != table_.generation) return nullptr;
      if (s.key == r) return &s;
    }
  }

  void rebuild(std::size_t slots) {
    table_.slots.assign(slots, Slot{0, 0, kNoValue});
    table_.generation = 1;
    size_ = 0;
  }

  void grow() {
    Table old;
    std::swap(old, table_);
    rebuild(old.slots.size() * 2);
    for (const Slot& s : old.slots) {
      if (s.stamp == old.generation) insert(s.key, s.value);
    }
  }

  Table table_;
  std::size_t size_ = 0;
  // What the table would hold had it started at kMinSlots: memory_bytes().
  std::size_t counted_slots_ = kMinSlots;
};

}  // namespace vecsim::core

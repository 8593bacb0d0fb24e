// src/core/graph/ref_set.h
// A set of element references for searches over pages, where references
// are sparse 32-bit numbers rather than dense node ids: open addressing
// with linear probing, and a generation stamp per slot so that clear() is
// O(1) instead of a pass over the table (a search clears it per layer).
// Each member carries a 32-bit value (the page graph keeps where it cached
// the element's links); a member added without one holds kNoValue.
//
// INVARIANTS
//   A slot holds a member exactly when its stamp equals the current
//   generation. The table is a power of two, at most half full; it doubles
//   (rehashing the members) when it would pass that. Stamps are cleared
//   only when the 32-bit generation wraps. Storage is kept across clear(),
//   so a warmed-up search allocates nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace vecsim::core {

class RefSet {
 public:
  RefSet() { rebuild(1024); }

  void clear() {
    size_ = 0;
    if (++generation_ == 0) {
      std::fill(stamps_.begin(), stamps_.end(), 0);
      generation_ = 1;
    }
  }

  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const { return keys_.capacity() * sizeof(std::uint32_t) * 3; }

  static constexpr std::uint32_t kNoValue = 0xffffffffu;

  // Adds r with value (unchanged if r is a member); returns whether it was
  // new (like unordered_set::insert().second).
  bool insert(std::uint32_t r, std::uint32_t value = kNoValue) {
    if ((size_ + 1) * 2 > keys_.size()) grow();
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = hash(r) & mask;; i = (i + 1) & mask) {
      if (stamps_[i] != generation_) {
        stamps_[i] = generation_;
        keys_[i] = r;
        values_[i] = value;
        ++size_;
        return true;
      }
      if (keys_[i] == r) return false;
    }
  }

  // Sets the value of member r (no effect if r is not a member).
  void set_value(std::uint32_t r, std::uint32_t value) {
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = hash(r) & mask; stamps_[i] == generation_; i = (i + 1) & mask) {
      if (keys_[i] == r) {
        values_[i] = value;
        return;
      }
    }
  }

  // The value of r, or kNoValue if r is not a member or has none.
  std::uint32_t value(std::uint32_t r) const {
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = hash(r) & mask; stamps_[i] == generation_; i = (i + 1) & mask) {
      if (keys_[i] == r) return values_[i];
    }
    return kNoValue;
  }

  // Room for `members` without growing (only while the set is empty:
  // after clear(), say).
  void reserve(std::size_t members) {
    if (size_ != 0) return;
    std::size_t slots = keys_.size();
    while (slots < members * 2) slots *= 2;
    if (slots != keys_.size()) rebuild(slots);
  }

  bool contains(std::uint32_t r) const {
    std::size_t mask = keys_.size() - 1;
    for (std::size_t i = hash(r) & mask;; i = (i + 1) & mask) {
      if (stamps_[i] != generation_) return false;
      if (keys_[i] == r) return true;
    }
  }

 private:
  static std::size_t hash(std::uint32_t r) {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(r) * 0x9E3779B97F4A7C15ull) >> 32);
  }

  void rebuild(std::size_t slots) {
    keys_.assign(slots, 0);
    values_.assign(slots, kNoValue);
    stamps_.assign(slots, 0);
    generation_ = 1;
    size_ = 0;
  }

  void grow() {
    std::vector<std::uint32_t> members, values;
    members.reserve(size_);
    values.reserve(size_);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      if (stamps_[i] == generation_) {
        members.push_back(keys_[i]);
        values.push_back(values_[i]);
      }
    }
    rebuild(keys_.size() * 2);
    for (std::size_t i = 0; i < members.size(); ++i) insert(members[i], values[i]);
  }

  std::vector<std::uint32_t> keys_;
  std::vector<std::uint32_t> values_;
  std::vector<std::uint32_t> stamps_;
  std::uint32_t generation_ = 1;
  std::size_t size_ = 0;
};

}  // namespace vecsim::core

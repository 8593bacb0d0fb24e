// test/unit/ref_set_test.cpp
// RefSet against std::unordered_set on random references, across growth
// and many clears (each clear must forget every member); a set built on
// the table an earlier one left behind starts empty and counts its memory
// as a new one would.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_set>

#include "graph/ref_set.h"

namespace vecsim::core {
namespace {

TEST(RefSet, BehavesLikeAHashSet) {
  std::mt19937 rng(5);
  RefSet set;
  for (int round = 0; round < 50; ++round) {
    std::unordered_set<std::uint32_t> want;
    int n = 1 + static_cast<int>(rng() % 5000);
    for (int i = 0; i < n; ++i) {
      std::uint32_t r = rng() % 20000;  // plenty of repeats
      EXPECT_EQ(set.insert(r), want.insert(r).second);
    }
    EXPECT_EQ(set.size(), want.size());
    for (std::uint32_t r = 0; r < 20000; r += 7) EXPECT_EQ(set.contains(r), want.count(r) > 0);
    set.clear();
    EXPECT_EQ(set.size(), 0u);
    for (std::uint32_t r : want) EXPECT_FALSE(set.contains(r));
  }
}

TEST(RefSet, TakesEveryValueIncludingZeroAndTheLargest) {
  RefSet set;
  EXPECT_TRUE(set.insert(0));
  EXPECT_TRUE(set.insert(0xffffffffu));
  EXPECT_FALSE(set.insert(0));
  EXPECT_TRUE(set.contains(0xffffffffu));
  EXPECT_FALSE(set.contains(1));
}

// Values ride with their members through growth and are gone after
// clear(); a member added without one, or a non-member, reads kNoValue.
TEST(RefSet, KeepsEachMembersValueAcrossGrowth) {
  RefSet set;
  for (std::uint32_t r = 0; r < 5000; ++r) set.insert(r * 2654435761u, r);
  EXPECT_TRUE(set.insert(7));
  for (std::uint32_t r = 0; r < 5000; ++r) EXPECT_EQ(set.value(r * 2654435761u), r);
  EXPECT_EQ(set.value(7), RefSet::kNoValue);
  set.set_value(7, 42);
  EXPECT_EQ(set.value(7), 42u);
  set.set_value(8, 1);  // not a member: no effect
  EXPECT_FALSE(set.contains(8));
  EXPECT_FALSE(set.insert(7, 99));  // a member keeps its value
  EXPECT_EQ(set.value(7), 42u);
  set.clear();
  EXPECT_EQ(set.value(7), RefSet::kNoValue);
}

// The second set inherits the first one's grown table (the thread's
// spare): it holds none of the first one's members, and memory_bytes()
// is what a set that never inherited anything reports for the same
// inserts, so a scan's budget decides alike whatever ran before it.
TEST(RefSet, InheritsASpareTableEmptyAndCountsItAsNew) {
  std::size_t fresh_small = 0, fresh_large = 0;
  {
    RefSet fresh;
    fresh_small = fresh.memory_bytes();
    for (std::uint32_t r = 0; r < 3000; ++r) fresh.insert(r);
    fresh_large = fresh.memory_bytes();
    EXPECT_GT(fresh_large, fresh_small);
  }  // its 8192-slot table becomes the spare
  RefSet heir;
  EXPECT_EQ(heir.size(), 0u);
  EXPECT_EQ(heir.memory_bytes(), fresh_small);
  for (std::uint32_t r = 0; r < 3000; r += 3) EXPECT_FALSE(heir.contains(r));
  for (std::uint32_t r = 0; r < 3000; ++r) EXPECT_TRUE(heir.insert(r, r + 1));
  EXPECT_EQ(heir.memory_bytes(), fresh_large);
  for (std::uint32_t r = 0; r < 3000; ++r) EXPECT_EQ(heir.value(r), r + 1);
  heir.clear();
  heir.reserve(100000);
  RefSet other;  // no spare left while heir holds the table: a new one
  EXPECT_EQ(other.memory_bytes(), fresh_small);
  EXPECT_TRUE(other.insert(5));
  EXPECT_FALSE(heir.contains(5));
}

// A table reserved for spare_members() is kept for the next set of the
// thread; one reserved for more is not (it would be allocated and zeroed
// again by every search that reserves it).
TEST(RefSet, KeepsATableReservedForSpareMembers) {
  std::size_t reserved = 0;
  {
    RefSet a;
    a.reserve(RefSet::spare_members());
    reserved = a.table_bytes();
  }
  {
    RefSet heir;
    EXPECT_EQ(heir.table_bytes(), reserved);
  }  // and gives it back
  {
    RefSet larger;
    larger.reserve(2 * RefSet::spare_members());
    EXPECT_GT(larger.table_bytes(), reserved);
  }  // too large to keep: dropped, with the spare it grew from
  RefSet next;
  EXPECT_LT(next.table_bytes(), reserved);
}

}  // namespace
}  // namespace vecsim::core

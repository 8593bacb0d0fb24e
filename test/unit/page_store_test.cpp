// test/unit/page_store_test.cpp
// The PageStore contract on MemPageStore, for what any access method may
// rely on beyond hnsw's use: a change of several items on several pages is
// all or nothing (f declining, a lost race on any page, an injected
// failure, a missing item, too many pages), and free space and item counts
// are reported as the server's store reports them.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

// Three pages, each holding two 8-byte items filled with one byte value.
struct ThreePages {
  MemPageStore store;
  std::vector<ItemAddress> items;

  ThreePages() {
    for (int p = 0; p < 3; ++p) {
      std::uint32_t block = 0;
      EXPECT_TRUE(store.new_page(&block).is_ok());
      for (int i = 0; i < 2; ++i) {
        unsigned char bytes[8];
        std::memset(bytes, 10 * p + i, sizeof bytes);
        std::uint16_t offset = 0;
        EXPECT_TRUE(store.add_item(block, bytes, sizeof bytes, &offset).is_ok());
        items.push_back(ItemAddress{block, offset});
      }
    }
  }

  unsigned char first_byte(ItemAddress a) {
    unsigned char b = 0;
    EXPECT_TRUE(store.read_item(a.block, a.offset, [&](const unsigned char* p, std::size_t) { b = p[0]; }).is_ok());
    return b;
  }
};

// Sets the first byte of every item to value and returns keep.
auto set_all(unsigned char value, bool keep, std::size_t* seen) {
  return [=](unsigned char* const* at, const std::size_t* sizes) {
    for (std::size_t i = 0; i < *seen; ++i) {
      EXPECT_EQ(sizes[i], 8u);
      at[i][0] = value;
    }
    return keep;
  };
}

TEST(PageStore, ChangeOfItemsOnSeveralPagesIsAllOrNothing) {
  ThreePages t;
  const ItemAddress change[3] = {t.items[0], t.items[3], t.items[5]};  // blocks 0, 1, 2
  std::size_t n = 3;
  bool changed = false;
  ASSERT_TRUE(t.store.update_items(change, 3, set_all(99, true, &n), &changed).is_ok());
  EXPECT_TRUE(changed);
  for (const ItemAddress& a : change) EXPECT_EQ(t.first_byte(a), 99);
  EXPECT_EQ(t.first_byte(t.items[1]), 1);  // untouched neighbours
  EXPECT_EQ(t.first_byte(t.items[4]), 20);

  // f declines after writing: every item is as it was
  ASSERT_TRUE(t.store.update_items(change, 3, set_all(7, false, &n), &changed).is_ok());
  EXPECT_FALSE(changed);
  for (const ItemAddress& a : change) EXPECT_EQ(t.first_byte(a), 99);
}

TEST(PageStore, LostRaceOnAnyPageChangesNothing) {
  ThreePages t;
  const ItemAddress change[2] = {t.items[0], t.items[5]};
  t.store.lose_update_races_from(2);  // only the last page loses
  std::size_t n = 2;
  bool changed = true;
  ASSERT_TRUE(t.store.update_items(change, 2, set_all(50, true, &n), &changed).is_ok());
  EXPECT_FALSE(changed);
  EXPECT_EQ(t.first_byte(t.items[0]), 0);
  EXPECT_EQ(t.first_byte(t.items[5]), 21);
}

TEST(PageStore, FailuresLeaveEveryItemAsItWas) {
  ThreePages t;
  std::size_t n = 2;
  bool changed = true;
  const ItemAddress change[2] = {t.items[1], t.items[2]};
  t.store.fail_after(1);
  EXPECT_FALSE(t.store.update_items(change, 2, set_all(60, true, &n), &changed).is_ok());
  EXPECT_FALSE(changed);

  const ItemAddress with_missing[2] = {t.items[1], ItemAddress{1, 9}};
  EXPECT_FALSE(t.store.update_items(with_missing, 2, set_all(60, true, &n), &changed).is_ok());
  EXPECT_EQ(t.first_byte(t.items[1]), 1);
  EXPECT_EQ(t.first_byte(t.items[2]), 10);

  // five pages are more than one change may span
  MemPageStore wide;
  std::vector<ItemAddress> five;
  for (int p = 0; p < 5; ++p) {
    std::uint32_t block = 0;
    const unsigned char byte = 1;
    ASSERT_TRUE(wide.new_page_with_item(&byte, 1, &block).is_ok());
    five.push_back(ItemAddress{block, 1});
  }
  auto mark = [](unsigned char* const* at, const std::size_t*) {
    at[0][0] = 2;
    return true;
  };
  EXPECT_FALSE(wide.update_items(five.data(), 5, mark, &changed).is_ok());
  EXPECT_TRUE(wide.update_items(five.data(), 4, mark, &changed).is_ok());
  EXPECT_TRUE(changed);
}

TEST(PageStore, FreeSpaceAndItemCountAreReported) {
  MemPageStore store;
  std::uint32_t block = 0;
  ASSERT_TRUE(store.new_page(&block).is_ok());
  std::size_t free_before = 0;
  ASSERT_TRUE(store.free_space(block, &free_before).is_ok());
  EXPECT_EQ(free_before, store.page_capacity());
  unsigned char item[13] = {};
  std::uint16_t offset = 0;
  ASSERT_TRUE(store.add_item(block, item, sizeof item, &offset).is_ok());
  std::size_t free_after = 0;
  std::uint16_t count = 0;
  ASSERT_TRUE(store.free_space(block, &free_after).is_ok());
  ASSERT_TRUE(store.item_count(block, &count).is_ok());
  EXPECT_EQ(free_before - free_after, store.item_cost(sizeof item));
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace vecsim::core

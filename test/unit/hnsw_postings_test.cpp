// test/unit/hnsw_postings_test.cpp
// Postings (storage/hnsw_postings.h, graph/hnsw_page_postings.h): a build
// and inserts list every element under each of its equality keys, chains
// grow past a page, a selective `column = key` scan reads the listed
// elements only (an entry taken out hides its row from that scan and no
// other, and verify names it, P3), vacuum removes the entries of deleted
// elements and later inserts list the reused slots again, and an insert
// cut short at any store operation leaves the chains whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "../support/clustered_data.h"
#include "../support/filtered_index.h"
#include "../support/hnsw_page_helpers.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_page_postings.h"
#include "graph/hnsw_verify.h"
#include "kernels/kernel_table.h"
#include "storage/hnsw_attrs.h"
#include "storage/hnsw_postings.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

constexpr int kRows = 3000;
constexpr int kBuilt = 2000;  // the rest are inserted on pages
constexpr int kSpare = 500;   // rows a test inserts later

// Rows with two filter columns: the row number mod 1000 (NULL for every
// 97th row: no entry) and mod 2 (1,500 entries a key: chains of more than
// one page).
class HnswPostingsTest : public FilteredIndexTest {
 protected:
  void SetUp() override { build({AttrKind::kOrdered8, AttrKind::kOrdered8}, kRows, kBuilt, kSpare); }
  void row_attrs(int r, bool* nulls, AttrKey* keys) const override {
    nulls[0] = is_null(r);
    keys[0] = int_key(column(r));
    keys[1] = int_key(r % 2);
  }
  static std::int64_t column(int r) { return r % 1000; }
  static bool is_null(int r) { return r % 97 == 0; }
  static int row_of(std::uint32_t block, std::uint16_t offset) { return RowTids::row_of(block, offset); }

  // The element of each row (by row number), read off the pages.
  std::vector<HnswRef> element_of_rows() {
    std::vector<HnswRef> out(kRows + kSpare, kNoRef);
    for (std::uint32_t block = 1; block < store_.page_count(); ++block) {
      EXPECT_TRUE(store_.read_all_items(block, [&](std::uint16_t off, const unsigned char* p, std::size_t n) {
        HnswElementHeader h;
        std::memcpy(&h, p, sizeof h);
        if ((h.flags & (kNotElement | kElementDeleted)) || n < sizeof h) return;
        out[static_cast<std::size_t>(row_of(h.heap_block, h.heap_offset))] = make_ref(block, off);
      }).is_ok());
    }
    return out;
  }

  // The elements the chain of (column, key) lists with the key's tag; the
  // pages it spans in *pages.
  std::vector<HnswRef> listed(int column_number, std::int64_t key, std::size_t* pages = nullptr) {
    const std::uint64_t k = posting_key(column_number, int_key(key));
    std::uint16_t buckets = 0;
    HnswPostingBucket bucket{};
    EXPECT_TRUE(store_.read_all_items(0, [&](std::uint16_t, const unsigned char* p, std::size_t n) {
      if (is_posting_directory(p, n) && decode_posting_directory(p, n, &buckets)) {
        bucket = posting_bucket_at(p, posting_bucket(k, buckets));
      }
    }).is_ok());
    EXPECT_GT(buckets, 0u);
    std::vector<HnswRef> out;
    std::size_t spanned = 0;
    for (std::uint32_t page = bucket.head; page != 0; ++spanned) {
      EXPECT_TRUE(store_.read_item(page, 1, [&](const unsigned char* p, std::size_t n) {
        HnswPostingPage h;
        ASSERT_TRUE(decode_posting_page(p, n, &h));
        for (std::size_t i = 0; i < h.count; ++i) {
          if (posting_entry_at(p, i).tag == posting_tag(k)) out.push_back(posting_entry_at(p, i).ref);
        }
        page = h.next;
      }).is_ok());
    }
    if (pages) *pages = spanned;
    return out;
  }

  // The rows a scan under f hands out, all of them, sorted.
  std::vector<int> scan(int q, const HnswAttrFilter& f) {
    std::vector<int> out = FilteredIndexTest::scan(q, f, Index::ScanOrder::kOff, 40, kRows + kSpare);
    std::sort(out.begin(), out.end());
    return out;
  }
  static HnswAttrFilter equal_to(std::int64_t key) {
    HnswAttrFilter f;
    f.add_compare(0, AttrOp::kEqual, int_key(key));
    return f;
  }
};

TEST_F(HnswPostingsTest, BuildAndInsertsListEveryElementUnderItsKeys) {
  const std::vector<HnswRef> element = element_of_rows();
  for (std::int64_t key : {0, 1, 123, 999}) {
    std::vector<HnswRef> got = listed(0, key);
    std::sort(got.begin(), got.end());
    std::vector<HnswRef> want;
    for (int r = 0; r < kRows; ++r) {
      if (column(r) == key && !is_null(r)) want.push_back(element[static_cast<std::size_t>(r)]);
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << "key " << key;
  }
  std::size_t pages = 0;
  EXPECT_EQ(listed(1, 1, &pages).size(), static_cast<std::size_t>(kRows / 2));
  EXPECT_GE(pages, 2u);  // 1,500 entries of 8 bytes: past one page
}

// Without one entry, `column = key` does not find its row (the scan reads
// the listed elements only, of the key with the shortest list) where a
// range over the same key does; verify names the missing entry.
TEST_F(HnswPostingsTest, ASelectiveEqualityScanReadsTheListedElementsOnly) {
  const int row = 1123;  // key 123
  const std::vector<HnswRef> element = element_of_rows();
  const HnswRef gone = element[row];
  HnswAttrFilter range;
  range.add_compare(0, AttrOp::kGreaterEqual, int_key(123));
  range.add_compare(0, AttrOp::kLessEqual, int_key(123));
  const std::vector<int> all = {123, 1123, 2123};
  EXPECT_EQ(scan(0, equal_to(123)), all);
  EXPECT_EQ(scan(0, range), all);
  int removed = 0;
  for (std::uint32_t block = 1; block < store_.page_count(); ++block) {
    bool changed = false;
    ASSERT_TRUE(store_.update_item(block, 1, [&](unsigned char* p, std::size_t n) {
      HnswPostingPage h;
      if (!decode_posting_page(p, n, &h)) return false;
      for (std::size_t i = 0; i < h.count; ++i) {
        if (posting_entry_at(p, i).ref != gone || posting_entry_at(p, i).tag != posting_tag(posting_key(0, int_key(123)))) continue;
        set_posting_entry(p, i, posting_entry_at(p, h.count - 1));
        --h.count;
        set_posting_header(p, h);
        ++removed;
        return true;
      }
      return false;
    }, &changed).is_ok());
  }
  ASSERT_EQ(removed, 1);
  EXPECT_EQ(scan(0, equal_to(123)), (std::vector<int>{123, 2123}));
  EXPECT_EQ(scan(0, range), all);
  // With a second key whose list is long (1,500 elements, past the cap:
  // not read through), the short one is still the one read.
  HnswAttrFilter both = equal_to(123);
  both.add_compare(1, AttrOp::kEqual, int_key(1));
  EXPECT_EQ(scan(0, both), (std::vector<int>{123, 2123}));  // all three are odd; 1123 is unlisted now
  HnswAttrFilter odd_range = range;
  odd_range.add_compare(1, AttrOp::kEqual, int_key(1));
  EXPECT_EQ(scan(0, odd_range), all);  // by the walk: the long list is not read
  HnswVerifyReport report;
  ASSERT_TRUE(verify_hnsw(&store_, &report).is_ok());
  EXPECT_EQ(report.violations, 1u);
  EXPECT_NE(report.first.find("P3"), std::string::npos) << report.first;
}

// Vacuum removes the entries of the elements it deletes; rows inserted
// after it, into the freed slots, are listed again, and the scans answer
// exactly.
TEST_F(HnswPostingsTest, VacuumRemovesTheEntriesOfDeletedElements) {
  auto dead = [](int r) { return column(r) < 500; };
  HnswVacuumStats stats;
  ASSERT_TRUE(index_->bulk_delete([&](std::uint32_t block, std::uint16_t offset) { return dead(row_of(block, offset)); },
                                  &stats).is_ok());
  std::size_t entries = 0, elements = 0;  // of the dead rows (one element each)
  for (int r = 0; r < kRows; ++r) {
    if (!dead(r)) continue;
    ++elements;
    entries += is_null(r) ? 1 : 2;
  }
  EXPECT_EQ(stats.deleted, elements);
  EXPECT_EQ(stats.postings_removed, entries);
  for (std::int64_t key : {0, 123, 499}) EXPECT_TRUE(listed(0, key).empty()) << key;
  EXPECT_EQ(listed(0, 500).size(), 3u);
  expect_clean();
  // the freed slots taken by new rows (row numbers past kRows: keys 0 ..
  // 499 again)
  for (int r = kRows; r < kRows + kSpare; ++r) ASSERT_TRUE(insert(r).is_ok());
  expect_clean();
  for (std::int64_t key : {0, 123, 499, 500}) {
    std::vector<int> want;
    for (int r = 0; r < kRows + kSpare; ++r) {
      if (column(r) == key && !is_null(r) && (r >= kRows || !dead(r))) want.push_back(r);
    }
    EXPECT_EQ(scan(1, equal_to(key)), want) << key;
    EXPECT_EQ(listed(0, key).size(), want.size()) << key;
  }
}

// An insert cut short at each store operation in turn: the chains stay
// whole (verify, with the cut row out of the heap), and the row inserted
// again is listed.
TEST_F(HnswPostingsTest, AnInsertCutShortLeavesTheChainsWhole) {
  const int row = kRows;  // key 0 and 0: chains with entries already
  const RowAttrsFrom heap([&](std::uint64_t key, std::uint64_t* fingerprint) {
    if (key == RowTids::key(row)) return false;  // its transaction aborted
    const ValueRef block = attrs(RowTids::row_of_key(key));
    *fingerprint = attr_fingerprint(block.bytes, block.size);
    return true;
  });
  for (int n = 1; n < 400; ++n) {
    MemPageStore copy = store_;
    Index index(&copy, l2_metric(), 3);
    ASSERT_TRUE(index.open().is_ok());
    copy.fail_after(n);
    HnswRef ref;
    const Status st = index.insert(value(row), attrs(row), RowTids::block(row), RowTids::offset(row), &ref);
    copy.fail_after(0);
    HnswVerifyReport report;
    ASSERT_TRUE(verify_hnsw(&copy, &report, &heap).is_ok());
    EXPECT_EQ(report.violations, 0u) << "cut at " << n << ": " << report.first;
    if (st.is_ok()) break;
    EXPECT_EQ(st.code(), ErrorCode::kInternal);
  }
  ASSERT_TRUE(insert(row).is_ok());
  const std::vector<HnswRef> element = element_of_rows();
  const std::vector<HnswRef> got = listed(0, 0);
  EXPECT_NE(std::find(got.begin(), got.end(), element[row]), got.end());
  expect_clean();
}

// Rows of an equal value and attributes join one element, each adding
// its own entry; vacuum takes the repeats off again once their rows are
// dead (and keeps one while the element is live).
TEST_F(HnswPostingsTest, VacuumRemovesTheEntriesRowsThatJoinedAnElementAdded) {
  const int row = 1123;  // key 123, with rows 123 and 2123
  const HnswRef element = element_of_rows()[row];
  auto copies = [&] {
    const std::vector<HnswRef> got = listed(0, 123);
    return std::count(got.begin(), got.end(), element);
  };
  ASSERT_EQ(copies(), 1);
  for (int twin = kRows; twin < kRows + 4; ++twin) {  // heap TIDs of spare rows, row 1123's value
    HnswRef ref;
    ASSERT_TRUE(index_->insert(value(row), attrs(row), RowTids::block(twin), RowTids::offset(twin), &ref).is_ok());
    ASSERT_EQ(ref, element);
  }
  EXPECT_EQ(copies(), 5);
  HnswVacuumStats stats;
  ASSERT_TRUE(index_->bulk_delete([&](std::uint32_t block, std::uint16_t offset) {
    const int r = row_of(block, offset);
    return r >= kRows && r < kRows + 2;  // two of the twins
  }, &stats).is_ok());
  EXPECT_EQ(stats.rows_removed, 2u);
  EXPECT_EQ(copies(), 1);  // the repeats of a live entry, whichever rows added them
  EXPECT_EQ(scan(2, equal_to(123)), (std::vector<int>{123, 1123, 2123, kRows + 2, kRows + 3}));
  expect_clean();
}

// An append that loses the race to link a new page at a full tail (as if
// another insert had linked one first) keeps that page, unlinked and
// empty, and links it on its next try: one page more, not two, and the
// chain whole.
TEST_F(HnswPostingsTest, AnAppendThatLosesTheRaceForANewPageLinksItNextTime) {
  HnswPageContext<MemPageStore> ctx(&store_, l2_metric(), true);
  ASSERT_TRUE(ctx.open().is_ok());
  HnswElementReader<MemPageStore> reader(ctx);
  HnswPagePostings<MemPageStore> postings(ctx, reader);
  const std::vector<HnswRef> element = element_of_rows();
  const std::uint32_t pages_before = store_.page_count();
  const std::size_t listed_before = listed(1, 1).size();
  store_.lose_next_multi_item_races(1);
  int added = 0;
  while (store_.page_count() == pages_before && added < 3000) {  // row 1: keys (1, 1), until a tail fills
    ASSERT_TRUE(postings.add(element[1], attrs(1).bytes).is_ok());
    ++added;
  }
  EXPECT_EQ(store_.races_armed(), 0);  // the race was lost once
  EXPECT_EQ(store_.page_count(), pages_before + 1);
  EXPECT_EQ(listed(1, 1).size(), listed_before + static_cast<std::size_t>(added));
  expect_clean();
}

TEST(HnswPostingsFormatTest, ADirectoryIsAWholeHeaderAtLeast) {
  const std::uint32_t magic = kHnswPostingsMagic;  // a 4-byte norm bound with these bits
  unsigned char bytes[4];
  std::memcpy(bytes, &magic, sizeof bytes);
  EXPECT_FALSE(is_posting_directory(bytes, sizeof bytes));
  std::vector<unsigned char> dir(posting_directory_bytes(8), 0);
  const HnswPostingDirectory d{kHnswPostingsMagic, 8, 0};
  std::memcpy(dir.data(), &d, sizeof d);
  std::uint16_t buckets = 0;
  EXPECT_TRUE(is_posting_directory(dir.data(), dir.size()));
  EXPECT_TRUE(decode_posting_directory(dir.data(), dir.size(), &buckets));
  EXPECT_EQ(buckets, 8u);
  EXPECT_FALSE(decode_posting_directory(dir.data(), dir.size() - 1, &buckets));
}

}  // namespace
}  // namespace vecsim::core

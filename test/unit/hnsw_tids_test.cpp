// test/unit/hnsw_tids_test.cpp
// Rows of equal value share an element (storage/hnsw_tid_list.h), in a
// build and in inserts: up to kHnswTidsPerElement rows an element, every
// row found once, a scan at ef_search 1 returning a whole element's rows;
// vacuum removes dead rows from lists and deletes an element only when all
// its rows are dead, and its list's slot is reused; an insert cut short at
// any store operation, or losing every race, leaves a valid index that
// still finds every row.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "../support/clustered_data.h"
#include "../support/hnsw_page_helpers.h"
#include "graph/hnsw_builder.h"
#include "storage/hnsw_tid_list.h"

namespace vecsim::core {
namespace {

constexpr int kD = 8;
using Tid = std::pair<std::uint32_t, std::uint16_t>;
using Builder = HnswBuilder<MemPageStore, DenseSpace<float>, DenseMetric<float>>;

DenseMetric<float> l2() { return DenseMetric<float>{kernels().f32.l2sq, 1.0f}; }

// Row r's heap TID.
Tid tid_of(std::uint32_t r) { return Tid{r / 100 + 1, static_cast<std::uint16_t>(r % 100 + 1)}; }

// Every row an iterative scan from query finds (relaxed order, no limit),
// as TIDs; a TID found twice fails.
std::vector<Tid> scan_all(PageIndex* index, const float* query) {
  std::vector<Tid> out;
  EXPECT_TRUE(index->begin_scan(vref(query, kD), 40, HnswScanOrder::kRelaxed, HnswScanLimits{SIZE_MAX, SIZE_MAX})
                  .is_ok());
  HnswHit hit;
  bool found = false;
  while (index->next(&hit, &found).is_ok() && found) out.emplace_back(hit.heap_block, hit.heap_offset);
  std::set<Tid> distinct(out.begin(), out.end());
  EXPECT_EQ(distinct.size(), out.size()) << "a row came back twice";
  std::sort(out.begin(), out.end());
  return out;
}

// The rows a scan at ef_search ef (no iterations) returns for query.
std::size_t rows_at_ef(PageIndex* index, const float* query, int ef) {
  EXPECT_TRUE(index->begin_scan(vref(query, kD), ef, HnswScanOrder::kOff, HnswScanLimits{SIZE_MAX, SIZE_MAX})
                  .is_ok());
  HnswHit hit;
  bool found = false;
  std::size_t n = 0;
  while (index->next(&hit, &found).is_ok() && found) ++n;
  return n;
}

std::vector<Tid> tids_of(std::uint32_t from, std::uint32_t to) {
  std::vector<Tid> out;
  for (std::uint32_t r = from; r < to; ++r) out.push_back(tid_of(r));
  std::sort(out.begin(), out.end());
  return out;
}

// Rows: `distinct` clustered rows, then `copies` copies of one more value.
std::vector<float> rows_with_copies(std::uint32_t distinct, std::uint32_t copies) {
  std::vector<float> rows = testdata::ClusteredModel(kD, 4, 42).sample_rows(distinct + 1, 1);
  rows.resize(static_cast<std::size_t>(distinct + 1) * kD);
  std::vector<float> value(rows.end() - kD, rows.end());
  rows.resize(static_cast<std::size_t>(distinct) * kD);
  for (std::uint32_t c = 0; c < copies; ++c) rows.insert(rows.end(), value.begin(), value.end());
  return rows;
}

// Builds rows (d dims) with HnswBuilder, m, ef_construction and seed; row
// r gets tid_of(r).
void build(const std::vector<float>& rows, int m, int ef_construction, MemPageStore* store, int d = kD,
           std::uint64_t seed = 7) {
  Builder builder(store, DenseSpace<float>(static_cast<std::size_t>(d), kernels().f32.l2sq,
                                           kernels().f32_batch4.l2sq, 1.0f),
                  l2(), HnswParams{m, ef_construction, seed}, static_cast<std::uint32_t>(d), std::size_t{1} << 30);
  const std::uint32_t n = static_cast<std::uint32_t>(rows.size() / d);
  for (std::uint32_t r = 0; r < n; ++r) {
    const Tid t = tid_of(r);
    ASSERT_TRUE(builder.add(vref(&rows[static_cast<std::size_t>(r) * d], d), t.first, t.second).is_ok());
  }
  ASSERT_TRUE(builder.finish().is_ok());
}

void insert_rows(PageIndex* index, const std::vector<float>& rows, std::uint32_t from, std::uint32_t to) {
  for (std::uint32_t r = from; r < to; ++r) {
    const Tid t = tid_of(r);
    HnswRef ref;
    ASSERT_TRUE(index->insert(vref(&rows[static_cast<std::size_t>(r) * kD], kD), t.first, t.second, &ref).is_ok());
  }
}

TEST(HnswTids, ABuildPutsEqualRowsInSharedElements) {
  const std::vector<float> rows = rows_with_copies(60, 25);
  MemPageStore store;
  build(rows, 8, 32, &store);
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);
  EXPECT_EQ(report.elements, 60u + 3u);  // 25 copies: 10 + 10 + 5
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  const float* copy = &rows[60 * kD];
  EXPECT_EQ(scan_all(&index, copy), tids_of(0, 85));
  // as pgvector: ef_search 1 finds one element, and it holds ten rows
  EXPECT_EQ(rows_at_ef(&index, copy, 1), 10u);
  std::vector<HnswHit> hits;
  ASSERT_TRUE(index.search(vref(copy, kD), 25, 40, &hits).is_ok());
  ASSERT_EQ(hits.size(), 25u);
  for (const HnswHit& h : hits) EXPECT_EQ(h.distance, 0.0f);
}

TEST(HnswTids, InsertsJoinTheElementOfTheirValue) {
  const std::vector<float> rows = rows_with_copies(60, 25);
  MemPageStore store;
  write_rows(std::vector<float>(rows.begin(), rows.begin() + 60 * kD), kD, 8, 32, &store);
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  insert_rows(&index, rows, 60, 85);
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);
  EXPECT_EQ(report.elements, 60u + 3u);
  const float* copy = &rows[60 * kD];
  EXPECT_EQ(scan_all(&index, copy), tids_of(0, 85));
  EXPECT_EQ(rows_at_ef(&index, copy, 1), 10u);
}

TEST(HnswTids, VacuumPrunesListsDeletesEmptiedElementsAndReusesTheirSlots) {
  const std::vector<float> rows = rows_with_copies(60, 40);
  MemPageStore store;
  build(rows, 8, 32, &store);  // copies 60..99 in four elements of ten
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  const float* copy = &rows[60 * kD];
  // Dead: copies 60..74 (one element's ten rows and half of another's),
  // and distinct rows 0..9.
  auto dead_row = [](std::uint32_t r) { return r < 10 || (r >= 60 && r < 75); };
  auto dead = [&](std::uint32_t block, std::uint16_t offset) {
    return dead_row((block - 1) * 100 + offset - 1u);
  };
  HnswVacuumStats stats;
  ASSERT_TRUE(index.bulk_delete(dead, &stats).is_ok());
  EXPECT_EQ(stats.deleted, 11u);  // ten distinct rows, one emptied element
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);
  std::vector<Tid> live = tids_of(10, 60);
  std::vector<Tid> copies = tids_of(75, 100);
  live.insert(live.end(), copies.begin(), copies.end());
  std::sort(live.begin(), live.end());
  EXPECT_EQ(scan_all(&index, copy), live);

  // 20 more copies: five fill the pruned element, the rest a new element
  // and list, in the slots the emptied element and its list left.
  std::vector<float> more = rows;
  for (int c = 0; c < 20; ++c) more.insert(more.end(), copy, copy + kD);
  const std::uint32_t pages = store.page_count();
  insert_rows(&index, more, 100, 120);
  EXPECT_EQ(store.page_count(), pages);
  report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  std::vector<Tid> added = tids_of(100, 120);
  live.insert(live.end(), added.begin(), added.end());
  std::sort(live.begin(), live.end());
  EXPECT_EQ(scan_all(&index, copy), live);
}

TEST(HnswTids, AnInsertCutShortAnywhereLeavesEveryOtherRow) {
  const std::vector<float> rows = rows_with_copies(40, 12);  // copies 40..51
  for (int n = 1;; ++n) {
    MemPageStore store;
    build(std::vector<float>(rows.begin(), rows.begin() + 41 * kD), 4, 16, &store);  // one copy built
    PageIndex index(&store, l2());
    ASSERT_TRUE(index.open().is_ok());
    insert_rows(&index, rows, 41, 50);  // a list of ten, full
    store.fail_after(n);
    Status st;
    for (std::uint32_t r = 50; r < 52 && st.is_ok(); ++r) {  // a new element, then its list
      const Tid t = tid_of(r);
      HnswRef ref;
      st = index.insert(vref(&rows[static_cast<std::size_t>(r) * kD], kD), t.first, t.second, &ref);
    }
    store.fail_after(0);
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << "failure at " << n << ": " << report.first;
    const std::vector<Tid> found = scan_all(&index, &rows[40 * kD]);
    for (const Tid& t : tids_of(0, 50)) {
      EXPECT_TRUE(std::binary_search(found.begin(), found.end(), t)) << "failure at " << n;
    }
    if (st.is_ok()) {
      EXPECT_EQ(found, tids_of(0, 52));
      break;
    }
  }
}

TEST(HnswTids, AnInsertThatLosesEveryRaceGetsAnElementOfItsOwn) {
  const std::vector<float> rows = rows_with_copies(40, 3);
  MemPageStore store;
  build(std::vector<float>(rows.begin(), rows.begin() + 42 * kD), 4, 16, &store);  // a list of two
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  HnswVerifyReport before = verify(&store);
  store.lose_update_races_from(1);  // every read-check-write of an element loses
  Status st;
  HnswRef ref;
  const Tid t = tid_of(42);
  st = index.insert(vref(&rows[42 * kD], kD), t.first, t.second, &ref);
  store.lose_update_races_from(0);
  // The insert's own links then fail too: a serialization failure, as
  // for any insert whose every list write loses; the index stays valid.
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  const std::vector<Tid> found = scan_all(&index, &rows[40 * kD]);
  for (const Tid& old : tids_of(0, 42)) EXPECT_TRUE(std::binary_search(found.begin(), found.end(), old));
  if (st.is_ok()) {
    EXPECT_EQ(report.elements, before.elements + 1);
    EXPECT_TRUE(std::binary_search(found.begin(), found.end(), t));
  } else {
    EXPECT_EQ(st.code(), ErrorCode::kSerializationFailure);
  }
}

TEST(HnswTids, TheSmallestOptionsKeepEqualRowsReachable) {
  // 1,000 equal rows and ten others, m 2, ef_construction 4
  std::vector<float> rows(1000 * kD, 0.5f);
  std::vector<float> others = testdata::ClusteredModel(kD, 2, 9).sample_rows(10, 1);
  rows.insert(rows.end(), others.begin(), others.end());
  for (int seed = 0; seed < 4; ++seed) {
    MemPageStore store;
    build(rows, 2, 4, &store, kD, static_cast<std::uint64_t>(seed));
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u);
    EXPECT_EQ(report.elements, 110u);
    PageIndex index(&store, l2());
    ASSERT_TRUE(index.open().is_ok());
    EXPECT_EQ(scan_all(&index, &rows[1000 * kD]), tids_of(0, 1010));
  }
}

// A vacuum whose every write to a TID list loses (simulated: every
// read-check-write finds the item changed) fails rather than return with a
// dead row still in a list (the heap would reuse its TID); the next vacuum
// removes it.
TEST(HnswTids, AVacuumThatCannotPruneAListFails) {
  const std::vector<float> rows = rows_with_copies(40, 5);  // copies 40..44
  MemPageStore store;
  build(rows, 4, 16, &store);
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  auto dead = [](std::uint32_t block, std::uint16_t offset) { return (block - 1) * 100 + offset - 1u == 42; };
  HnswVacuumStats stats;
  store.lose_update_races_from(1);
  EXPECT_FALSE(index.bulk_delete(dead, &stats).is_ok());
  store.lose_update_races_from(0);
  ASSERT_TRUE(index.bulk_delete(dead, &stats).is_ok());
  EXPECT_EQ(stats.rows_removed, 1u);
  EXPECT_EQ(stats.live_rows, 44u);
  std::vector<Tid> live = tids_of(0, 45);
  live.erase(std::find(live.begin(), live.end(), tid_of(42)));
  EXPECT_EQ(scan_all(&index, &rows[40 * kD]), live);
  EXPECT_EQ(verify(&store).violations, 0u);
}

// An index of format version 1 (before TID lists) gets none from inserts:
// a row of a value it holds takes an element of its own.
TEST(HnswTids, AVersionOneIndexGetsNoLists) {
  const std::vector<float> rows = rows_with_copies(40, 2);
  MemPageStore store;
  write_rows(std::vector<float>(rows.begin(), rows.begin() + 41 * kD), kD, 4, 16, &store);
  bool changed = false;
  ASSERT_TRUE(store.update_item(0, 1, [](unsigned char* p, std::size_t) {
    HnswMeta m;
    std::memcpy(&m, p, sizeof m);
    m.version = 1;
    std::memcpy(p, &m, sizeof m);
    return true;
  }, &changed).is_ok());
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  insert_rows(&index, rows, 41, 42);
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.elements, 42u);
  EXPECT_EQ(scan_all(&index, &rows[40 * kD]), tids_of(0, 42));
}

// Wide values with copies, built: a value whose element fills a page
// alone (its list goes on the next page), and one wider than a page
// (spilled into chunks, its list beside the element). Every row found.
TEST(HnswTids, WideValuesKeepTheirListsTooWhenBuilt) {
  MemPageStore probe;
  const HnswElementLayout layout{4};
  int filling = 0;  // dims whose layer-0 element fits a page, but not with a list beside it
  for (int d = 1800; d < 2100 && filling == 0; ++d) {
    const std::size_t cost = probe.item_cost(layout.item_size(sizeof(float) * d, 0));
    if (cost <= probe.page_capacity() && cost + probe.item_cost(tid_list_item_bytes()) > probe.page_capacity()) {
      filling = d;
    }
  }
  ASSERT_GT(filling, 0);
  for (int d : {filling, 3000}) {
    SCOPED_TRACE(::testing::Message() << d << " dims");
    std::vector<float> rows;
    for (int r = 0; r < 30; ++r) {
      for (int i = 0; i < d; ++i) rows.push_back(r < 20 ? static_cast<float>((r * 7 + i) % 13) + 0.01f * r : 0.25f);
    }
    MemPageStore store;
    build(rows, 4, 16, &store, d);
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u);
    EXPECT_EQ(report.elements, 20u + 1u);
    PageIndex index(&store, l2());
    ASSERT_TRUE(index.open().is_ok());
    std::vector<HnswHit> hits;
    ASSERT_TRUE(index.search(vref(&rows[25 * static_cast<std::size_t>(d)], d), 30, 40, &hits).is_ok());
    std::vector<Tid> found;
    for (const HnswHit& h : hits) found.emplace_back(h.heap_block, h.heap_offset);
    std::sort(found.begin(), found.end());
    EXPECT_EQ(found, tids_of(0, 30));
  }
}

}  // namespace
}  // namespace vecsim::core

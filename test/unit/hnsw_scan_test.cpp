// test/unit/hnsw_scan_test.cpp
// Iterative scans over an index on pages (docs/reference.md 8.6): an unlimited
// relaxed scan hands out every row exactly once; a strict scan never goes
// back in distance; off stops at ef rows; a filter that keeps 1 row in 300
// still finds all its rows; the tuple limit ends the scan early with
// the queued candidates in distance order; and an unlimited scan goes on
// from the entry point when the elements near the query link nowhere else,
// also when a vacuum deletes the entry point meanwhile.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "../support/clustered_data.h"
#include "../support/hnsw_page_helpers.h"
#include "graph/dense_space.h"
#include "graph/hnsw_builder.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_verify.h"
#include "kernels/kernel_table.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

constexpr int kD = 16;
constexpr int kRows = 3000;
using Index = HnswPageGraph<MemPageStore>;
using Order = Index::ScanOrder;

class HnswScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testdata::ClusteredModel model(kD, 20, 42);
    rows_ = model.sample_rows(kRows, 1);
    query_ = model.sample_rows(1, 2);
    DenseBuilder builder = dense_builder(&store_, kD, HnswParams{16, 64, 7});
    for (std::size_t r = 0; r < kRows; ++r) {
      ASSERT_TRUE(builder
                      .add(ValueRef{reinterpret_cast<const unsigned char*>(&rows_[r * kD]),
                                    sizeof(float) * kD},
                           static_cast<std::uint32_t>(r / 100 + 1),
                           static_cast<std::uint16_t>(r % 100 + 1))
                      .is_ok());
    }
    ASSERT_TRUE(builder.finish().is_ok());
    index_ = std::make_unique<Index>(&store_, l2_metric());
    ASSERT_TRUE(index_->open().is_ok());
  }

  static std::uint32_t row_of(const HnswHit& h) { return (h.heap_block - 1) * 100 + h.heap_offset - 1; }

  // Every row the scan hands out, in order.
  std::vector<HnswHit> scan(Order order, int ef, Index::ScanLimits limits) {
    EXPECT_TRUE(index_->begin_scan(ValueRef{reinterpret_cast<const unsigned char*>(query_.data()),
                                            sizeof(float) * kD},
                                   ef, order, limits)
                    .is_ok());
    std::vector<HnswHit> out;
    HnswHit hit;
    bool found = true;
    while (true) {
      EXPECT_TRUE(index_->next(&hit, &found).is_ok());
      if (!found) break;
      out.push_back(hit);
    }
    return out;
  }

  // Cuts the layer-0 lists of the half of the rows nearest to a query far
  // from the entry point down to links inside that half, links the entry
  // point into it, and makes that the query; returns the entry's row.
  std::size_t cut_off_the_query_half() {
    const HnswElementLayout layout{16};
    std::vector<HnswRef> element_of_row(kRows, kNoRef);
    for (std::uint32_t block = 1; block < store_.page_count(); ++block) {
      EXPECT_TRUE(store_.read_all_items(block, [&](std::uint16_t offset, const unsigned char* p, std::size_t) {
        HnswElementHeader h;
        std::memcpy(&h, p, sizeof h);
        element_of_row[(h.heap_block - 1) * 100 + h.heap_offset - 1] = make_ref(block, offset);
      }).is_ok());
    }
    const HnswRef entry = index_->meta().entry;
    const std::size_t entry_row = static_cast<std::size_t>(
        std::find(element_of_row.begin(), element_of_row.end(), entry) - element_of_row.begin());
    auto distance = [&](std::size_t a, const float* b) { return kernels().f32.l2sq(&rows_[a * kD], b, kD); };
    std::size_t farthest = 0;
    for (std::size_t r = 0; r < kRows; ++r) {
      if (distance(r, &rows_[entry_row * kD]) > distance(farthest, &rows_[entry_row * kD])) farthest = r;
    }
    query_.assign(rows_.begin() + farthest * kD, rows_.begin() + (farthest + 1) * kD);
    std::vector<std::pair<float, std::size_t>> by_distance;
    for (std::size_t r = 0; r < kRows; ++r) by_distance.emplace_back(distance(r, query_.data()), r);
    std::sort(by_distance.begin(), by_distance.end());
    std::set<HnswRef> near;
    for (std::size_t i = 0; i < kRows / 2; ++i) {
      if (by_distance[i].second != entry_row) near.insert(element_of_row[by_distance[i].second]);
    }
    bool changed = false;
    for (HnswRef r : near) {
      EXPECT_TRUE(store_.update_item(ref_block(r), ref_offset(r), [&](unsigned char* p, std::size_t) {
        HnswElementHeader h;
        std::memcpy(&h, p, sizeof h);
        const std::size_t body = HnswElementLayout::body_bytes(h);
        std::vector<HnswRef> kept;
        for (int i = 0; i < layout.capacity(0); ++i) {
          const HnswRef l = layout.link_at(p, body, 0, i);
          if (l != kNoRef && near.count(l)) kept.push_back(l);
        }
        kept.resize(static_cast<std::size_t>(layout.capacity(0)), kNoRef);
        std::memcpy(p + layout.links_offset(body, 0), kept.data(), sizeof(HnswRef) * kept.size());
        return true;
      }, &changed).is_ok());
    }
    const HnswRef into = *near.begin();
    EXPECT_TRUE(store_.update_item(ref_block(entry), ref_offset(entry), [&](unsigned char* p, std::size_t) {
      HnswElementHeader h;
      std::memcpy(&h, p, sizeof h);
      const std::size_t body = HnswElementLayout::body_bytes(h);
      for (int i = 0; i < layout.capacity(0); ++i) {
        if (layout.link_at(p, body, 0, i) == into) return false;  // linked already
      }
      std::memcpy(p + layout.links_offset(body, 0), &into, sizeof into);
      return true;
    }, &changed).is_ok());
    return entry_row;
  }

  MemPageStore store_;
  std::vector<float> rows_, query_;
  std::unique_ptr<Index> index_;
  static constexpr Index::ScanLimits kUnlimited{~std::size_t{0}, ~std::size_t{0}};
};

TEST_F(HnswScanTest, OffStopsAtEf) {
  std::vector<HnswHit> hits = scan(Order::kOff, 40, kUnlimited);
  EXPECT_EQ(hits.size(), 40u);
  for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_LE(hits[i - 1].distance, hits[i].distance);
}

TEST_F(HnswScanTest, RelaxedHandsOutEveryRowOnce) {
  std::vector<HnswHit> hits = scan(Order::kRelaxed, 40, kUnlimited);
  std::set<std::uint32_t> seen;
  for (const HnswHit& h : hits) EXPECT_TRUE(seen.insert(row_of(h)).second) << "row twice: " << row_of(h);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRows));
  // the first batch is in order
  for (std::size_t i = 1; i < 40; ++i) EXPECT_LE(hits[i - 1].distance, hits[i].distance);
}

TEST_F(HnswScanTest, StrictNeverGoesBack) {
  std::vector<HnswHit> hits = scan(Order::kStrict, 40, kUnlimited);
  EXPECT_GT(hits.size(), 40u);
  for (std::size_t i = 1; i < hits.size(); ++i) EXPECT_LE(hits[i - 1].distance, hits[i].distance);
}

TEST_F(HnswScanTest, SelectiveFilterFindsAllItsRows) {
  // A WHERE clause keeping 1 row in 300: 10 rows, all found by a relaxed
  // scan allowed to visit every tuple.
  std::vector<HnswHit> hits = scan(Order::kRelaxed, 40, Index::ScanLimits{kRows, ~std::size_t{0}});
  std::size_t matching = 0;
  for (const HnswHit& h : hits) matching += row_of(h) % 300 == 0;
  EXPECT_EQ(matching, 10u);
}

TEST_F(HnswScanTest, TupleLimitEndsTheScanInOrder) {
  // Every visited element is handed out once (in a batch or from the
  // queue), so the scan returns about as many rows as it visited: at least
  // the limit, and at most one batch's visits beyond it.
  std::vector<HnswHit> hits = scan(Order::kRelaxed, 40, Index::ScanLimits{200, ~std::size_t{0}});
  EXPECT_GE(hits.size(), 200u);
  EXPECT_LT(hits.size(), 1000u);
  std::set<std::uint32_t> seen;
  for (const HnswHit& h : hits) EXPECT_TRUE(seen.insert(row_of(h)).second);
  // and the same limit in memory terms ends it the same way
  std::vector<HnswHit> by_memory = scan(Order::kRelaxed, 40, Index::ScanLimits{~std::size_t{0}, 200 * 32});
  EXPECT_GE(by_memory.size(), 40u);
  EXPECT_LT(by_memory.size(), 1000u);
}

// The layer-0 lists of the half of the rows nearest to the query (which
// lies far from the entry point) are cut down to links inside that half,
// and the entry point gets a link into it: every element is still
// reachable from the entry point (G2), but nothing outside the half from
// inside it, where the scan starts. An unlimited relaxed scan must still
// return every row: it goes on from the entry point once the half is
// exhausted. (Dense clusters of equal values built beside concurrent
// inserts were seen to end so.)
TEST_F(HnswScanTest, AnUnlimitedScanGoesOnFromTheEntryPoint) {
  cut_off_the_query_half();
  HnswVerifyReport report;
  ASSERT_TRUE(verify_hnsw(&store_, &report).is_ok());
  EXPECT_EQ(report.violations, 0u) << report.first;
  ASSERT_EQ(report.unreachable, 0u);
  std::set<std::uint32_t> seen;
  for (const HnswHit& h : scan(Order::kRelaxed, 40, kUnlimited)) EXPECT_TRUE(seen.insert(row_of(h)).second);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRows));
}

// The same index, with the entry point's row deleted by a vacuum while
// the scan runs (its links cleared, another element the entry; the scan
// takes the metapage's entry of the moment): every live row comes back
// once, the deleted one never. (Vacuum's re-links give the cut half a way
// out here, so this does not single out the re-read of the entry.)
TEST_F(HnswScanTest, AVacuumOfTheEntryPointDuringAScanLosesNoRow) {
  const std::size_t entry_row = cut_off_the_query_half();
  const HnswRef old_entry = index_->meta().entry;
  ASSERT_TRUE(index_->begin_scan(ValueRef{reinterpret_cast<const unsigned char*>(query_.data()),
                                          sizeof(float) * kD},
                                 40, Order::kRelaxed, kUnlimited)
                  .is_ok());
  std::set<std::uint32_t> seen;
  HnswHit hit;
  bool found = true;
  for (int i = 0; i < 10 && found; ++i) {
    ASSERT_TRUE(index_->next(&hit, &found).is_ok());
    if (found) {
      EXPECT_TRUE(seen.insert(row_of(hit)).second);
    }
  }
  Index vacuum(&store_, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
  ASSERT_TRUE(vacuum.open().is_ok());
  HnswVacuumStats stats;
  ASSERT_TRUE(vacuum.bulk_delete([&](std::uint32_t block, std::uint16_t offset) {
    return (block - 1) * 100 + offset - 1u == entry_row;
  }, &stats).is_ok());
  ASSERT_NE(vacuum.meta().entry, old_entry);
  while (found) {
    ASSERT_TRUE(index_->next(&hit, &found).is_ok());
    if (found) {
      EXPECT_TRUE(seen.insert(row_of(hit)).second);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRows) - 1);
  EXPECT_EQ(seen.count(static_cast<std::uint32_t>(entry_row)), 0u);
}

}  // namespace
}  // namespace vecsim::core

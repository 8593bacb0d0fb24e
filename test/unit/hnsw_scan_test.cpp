// test/unit/hnsw_scan_test.cpp
// Iterative scans over an index on pages (docs/reference.md 8.6): an unlimited
// relaxed scan hands out every row exactly once; a strict scan never goes
// back in distance; off stops at ef rows; a filter that keeps 1 row in 300
// still finds all its rows; and the tuple limit ends the scan early with
// the queued candidates in distance order.
#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <vector>

#include "../support/clustered_data.h"
#include "graph/dense_space.h"
#include "graph/hnsw_builder.h"
#include "graph/hnsw_page_graph.h"
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
    DenseMetric<float> metric{kernels().f32.l2sq, 1.0f};
    HnswBuilder<MemPageStore, DenseSpace<float>, DenseMetric<float>> builder(
        &store_, DenseSpace<float>(kD, kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f), metric,
        HnswParams{16, 64, 7}, kD, std::size_t{1} << 30);
    for (std::size_t r = 0; r < kRows; ++r) {
      ASSERT_TRUE(builder
                      .add(ValueRef{reinterpret_cast<const unsigned char*>(&rows_[r * kD]),
                                    sizeof(float) * kD},
                           static_cast<std::uint32_t>(r / 100 + 1),
                           static_cast<std::uint16_t>(r % 100 + 1))
                      .is_ok());
    }
    ASSERT_TRUE(builder.finish().is_ok());
    index_ = std::make_unique<Index>(&store_, metric);
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

}  // namespace
}  // namespace vecsim::core

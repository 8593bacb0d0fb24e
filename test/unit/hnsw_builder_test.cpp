// test/unit/hnsw_builder_test.cpp
// A build within a memory budget: with room for every row the whole graph
// is built in memory and written once; with a small budget it spills to
// pages part-way and inserts the rest there. Either way the index holds
// every row, verifies clean, and reaches the recall of a build in memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../support/clustered_data.h"
#include "graph/dense_space.h"
#include "graph/hnsw_builder.h"
#include "graph/hnsw_verify.h"
#include "kernels/kernel_table.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

constexpr int kD = 24;
constexpr int kRows = 2000;

struct Outcome {
  bool spilled;
  std::size_t spilled_at;
  HnswVerifyReport report;
  double recall;
};

Outcome build_with_budget(std::size_t budget, int threads = 1) {
  testdata::ClusteredModel model(kD, 20, 42);
  std::vector<float> rows = model.sample_rows(kRows, 1);
  std::vector<float> queries = model.sample_rows(100, 2);
  MemPageStore store;
  DenseMetric<float> metric{kernels().f32.l2sq, 1.0f};
  HnswBuilder<MemPageStore, DenseSpace<float>, DenseMetric<float>> builder(
      &store, DenseSpace<float>(kD, kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f), metric,
      HnswParams{16, 64, 7}, kD, budget);
  builder.set_parallel(threads, nullptr, nullptr);
  auto value = [&rows](std::size_t r) {
    return ValueRef{reinterpret_cast<const unsigned char*>(&rows[r * kD]), sizeof(float) * kD};
  };
  for (std::size_t r = 0; r < kRows; ++r) {
    EXPECT_TRUE(builder.add(value(r), static_cast<std::uint32_t>(r / 100 + 1),
                            static_cast<std::uint16_t>(r % 100 + 1))
                    .is_ok());
  }
  EXPECT_TRUE(builder.finish().is_ok());
  EXPECT_EQ(builder.rows(), static_cast<std::size_t>(kRows));

  Outcome out{builder.spilled(), builder.spilled_at(), {}, 0};
  EXPECT_TRUE(verify_hnsw(&store, &out.report)
                  .is_ok());
  HnswPageGraph<MemPageStore> index(&store, metric);
  EXPECT_TRUE(index.open().is_ok());
  std::size_t hits = 0;
  std::vector<HnswHit> got;
  for (int q = 0; q < 100; ++q) {
    const float* query = &queries[static_cast<std::size_t>(q) * kD];
    std::vector<Candidate> exact;
    for (std::uint32_t r = 0; r < kRows; ++r) {
      exact.push_back(Candidate{kernels().f32.l2sq(query, &rows[r * kD], kD), r});
    }
    std::partial_sort(exact.begin(), exact.begin() + 10, exact.end(), Closer());
    EXPECT_TRUE(index
                    .search(ValueRef{reinterpret_cast<const unsigned char*>(query), sizeof(float) * kD},
                            10, 40, &got)
                    .is_ok());
    for (const HnswHit& h : got) {
      std::uint32_t r = (h.heap_block - 1) * 100 + h.heap_offset - 1;
      for (int i = 0; i < 10; ++i) hits += exact[i].node == r;
    }
  }
  out.recall = hits / 1000.0;
  return out;
}

TEST(HnswBuilder, InMemoryWhenTheBudgetAllows) {
  Outcome o = build_with_budget(std::size_t{1} << 30);
  EXPECT_FALSE(o.spilled);
  EXPECT_EQ(o.spilled_at, 0u);
  EXPECT_EQ(o.report.elements, static_cast<std::size_t>(kRows));
  EXPECT_EQ(o.report.violations, 0u) << o.report.first;
  EXPECT_EQ(o.report.unreachable, 0u);
  EXPECT_TRUE(o.report.count_matches);
  EXPECT_GE(o.recall, 0.95);
}

TEST(HnswBuilder, SpillsToPagesWhenItDoesNot) {
  Outcome o = build_with_budget(400 * 1024);
  EXPECT_TRUE(o.spilled);
  EXPECT_GT(o.spilled_at, 0u);
  EXPECT_LT(o.spilled_at, static_cast<std::size_t>(kRows));
  EXPECT_EQ(o.report.elements, static_cast<std::size_t>(kRows));
  EXPECT_EQ(o.report.violations, 0u) << o.report.first;
  EXPECT_EQ(o.report.unreachable, 0u);
  EXPECT_TRUE(o.report.count_matches);
  EXPECT_GE(o.recall, 0.95);
  ::testing::Test::RecordProperty("spilled_at", std::to_string(o.spilled_at));
}

// A parallel build (3 threads) gives the same outcome, in memory and when
// the budget runs out part-way (the collected rows are built in parallel,
// the rest inserted on pages).
TEST(HnswBuilder, ParallelBuildInMemoryAndSpilling) {
  for (std::size_t budget : {std::size_t{1} << 30, std::size_t{400} * 1024}) {
    Outcome o = build_with_budget(budget, 3);
    EXPECT_EQ(o.spilled, budget < (std::size_t{1} << 30));
    EXPECT_EQ(o.spilled_at > 0, budget < (std::size_t{1} << 30));
    EXPECT_EQ(o.report.elements, static_cast<std::size_t>(kRows));
    EXPECT_EQ(o.report.violations, 0u) << o.report.first;
    EXPECT_EQ(o.report.unreachable, 0u) << "budget " << budget;
    EXPECT_TRUE(o.report.count_matches);
    EXPECT_GE(o.recall, 0.95);
  }
}

// A budget smaller than one row (a parallel build's fixed share can be):
// the graph leaves memory before any row fits, which the shim reports as
// pgvector does, "after 0 tuples"; every row is then inserted on pages.
TEST(HnswBuilder, ABudgetBelowOneRowSpillsAfterNone) {
  for (int threads : {1, 3}) {
    Outcome o = build_with_budget(64, threads);
    EXPECT_TRUE(o.spilled) << threads;
    EXPECT_EQ(o.spilled_at, 0u) << threads;
    EXPECT_EQ(o.report.elements, static_cast<std::size_t>(kRows));
    EXPECT_EQ(o.report.violations, 0u) << o.report.first;
    EXPECT_EQ(o.report.unreachable, 0u);
    EXPECT_GE(o.recall, 0.95);
  }
}

}  // namespace
}  // namespace vecsim::core

// test/unit/hnsw_graph_test.cpp
// The in-memory HNSW graph: recall@10 against brute force on clustered
// data for L2, inner product and L1 spaces; the structural invariants after
// every build; degenerate inputs (one point, all points equal); and that a
// build is deterministic for a seed.
//
// THRESHOLDS
//   2,000 clustered 24-dim points, 100 held-out queries, m = 16,
//   ef_construction = 64. recall@10 must reach 0.95 at ef_search = 40 and
//   0.99 at ef_search = 200 for L2 and L1; inner product, which is not a
//   metric, gets 0.90 and 0.97. These sit below what the graph reaches on
//   this data (about 0.99 and 1.0) by a margin for other seeds, not by
//   guesswork: a broken heuristic or layer descent drops recall far lower.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../support/clustered_data.h"
#include "graph/dense_space.h"
#include "graph/hnsw_graph.h"
#include "graph/hnsw_graph_check.h"
#include "kernels/kernel_table.h"

namespace vecsim::core {
namespace {

constexpr int kDims = 24;
constexpr int kRows = 2000;
constexpr int kQueries = 100;
constexpr int kK = 10;

struct SpaceCase {
  const char* name;
  DenseSpace<float>::Kernel kernel;
  DenseSpace<float>::Batch4Kernel batch4;
  float sign;
  double recall_at_40;
  double recall_at_200;
};

std::vector<SpaceCase> space_cases() {
  const KernelTable& t = kernel_table_for(detect_isa_level());
  return {{"l2", t.f32.l2sq, t.f32_batch4.l2sq, 1.0f, 0.95, 0.99},
          {"ip", t.f32.dot, t.f32_batch4.dot, -1.0f, 0.90, 0.97},
          {"l1", t.f32.l1, t.f32_batch4.l1, 1.0f, 0.95, 0.99}};
}

double recall(HnswGraph<DenseSpace<float>>& graph, const DenseSpace<float>& space,
              const std::vector<float>& queries, int ef) {
  std::size_t hits = 0;
  std::vector<Candidate> got;
  for (int q = 0; q < kQueries; ++q) {
    const float* query = &queries[static_cast<std::size_t>(q) * kDims];
    std::vector<Candidate> exact;
    for (std::uint32_t id = 0; id < space.size(); ++id) {
      exact.push_back(Candidate{space.distance_to(query, id), id});
    }
    std::partial_sort(exact.begin(), exact.begin() + kK, exact.end(), Closer());
    graph.search(query, kK, ef, &got);
    for (int i = 0; i < kK; ++i) {
      for (const Candidate& g : got) hits += g.node == exact[i].node;
    }
  }
  return static_cast<double>(hits) / (kQueries * kK);
}

class HnswRecallTest : public ::testing::TestWithParam<SpaceCase> {};

DenseSpace<float> space_of(const SpaceCase& c, const std::vector<float>& rows) {
  DenseSpace<float> space(kDims, c.kernel, c.batch4, c.sign);
  for (int r = 0; r < kRows; ++r) space.add(&rows[static_cast<std::size_t>(r) * kDims]);
  return space;
}

// Built serially (insert) and by build_parallel with 4 threads (more than
// this machine's cores, so the threads interleave): invariants hold,
// incoming counts match the lists, every node stays linked (inner product
// included), and recall reaches the case's thresholds; the parallel build,
// whose threads see each other's lists half-made, within 0.01 of them.
TEST_P(HnswRecallTest, ClusteredRecallAtK) {
  const SpaceCase& c = GetParam();
  testdata::ClusteredModel model(kDims, 20, 42);
  std::vector<float> rows = model.sample_rows(kRows, 1);
  std::vector<float> queries = model.sample_rows(kQueries, 2);
  DenseSpace<float> space = space_of(c, rows);
  for (int threads : {1, 4}) {
    HnswGraph<DenseSpace<float>> graph(space, HnswParams{16, 64, 7});
    double slack = 0;
    if (threads == 1) {
      for (std::uint32_t id = 0; id < space.size(); ++id) graph.insert(id);
    } else {
      std::vector<std::int8_t> caps(kRows, 31);
      int polls = 0;
      ASSERT_EQ(graph.build_parallel(kRows, caps, threads, [&] { return ++polls < 0; }),
                HnswGraph<DenseSpace<float>>::ParallelResult::kDone);
      EXPECT_GT(polls, 0);
      slack = 0.01;
    }
    EXPECT_EQ(graph.count(), static_cast<std::size_t>(kRows));
    EXPECT_EQ(check_hnsw_invariants(graph), 0u);
    EXPECT_EQ(hnsw_unlinked_count(graph), 0u);
    EXPECT_EQ(check_hnsw_heuristic_parts(graph, space), 0u);
    double r40 = recall(graph, space, queries, 40);
    double r200 = recall(graph, space, queries, 200);
    EXPECT_GE(r40, c.recall_at_40 - slack) << c.name << ", threads " << threads;
    EXPECT_GE(r200, c.recall_at_200 - slack) << c.name << ", threads " << threads;
    RecordProperty("recall_at_40_threads_" + std::to_string(threads), std::to_string(r40));
    RecordProperty("recall_at_200_threads_" + std::to_string(threads), std::to_string(r200));
  }
}

// Issue 14, item 3: at a small ef, full lists (the default: filled, 2m
// links for a new node, searches starting from layer 1's nearest) find
// clearly more true neighbours than hnswlib-style lists built from the
// same data and levels. 20,000 rows of 24 dims, m 4, ef_construction 16,
// ef 10: hnswlib-style lists scored 0.704, full ones 0.811 (at m 8,
// ef_construction 32: 0.938 and 0.975).
TEST(HnswGraph, FullListsFindMoreAtSmallEf) {
  testdata::ClusteredModel model(kDims, 50, 5);
  const int rows_n = 20000;
  std::vector<float> rows = model.sample_rows(rows_n, 1);
  std::vector<float> queries = model.sample_rows(kQueries, 2);
  const KernelTable& t = kernels();
  DenseSpace<float> space(kDims, t.f32.l2sq, t.f32_batch4.l2sq, 1.0f);
  for (int r = 0; r < rows_n; ++r) space.add(&rows[static_cast<std::size_t>(r) * kDims]);
  auto recall_at_10 = [&](bool fill) {
    HnswParams params{4, 16, 7};
    params.fill_lists = fill;
    HnswGraph<DenseSpace<float>> graph(space, params);
    for (int r = 0; r < rows_n; ++r) graph.insert(static_cast<std::uint32_t>(r));
    EXPECT_EQ(check_hnsw_invariants(graph), 0u);
    EXPECT_EQ(check_hnsw_heuristic_parts(graph, space), 0u);
    return recall(graph, space, queries, 10);
  };
  const double full = recall_at_10(true);
  const double hnswlib_style = recall_at_10(false);
  RecordProperty("full", std::to_string(full));
  RecordProperty("hnswlib_style", std::to_string(hnswlib_style));
  EXPECT_GE(full, hnswlib_style + 0.05) << full << " vs " << hnswlib_style;
}

// A stop request ends a parallel build early, with what was linked valid.
TEST(HnswGraph, ParallelBuildStopsWhenAsked) {
  testdata::ClusteredModel model(kDims, 20, 42);
  std::vector<float> rows = model.sample_rows(kRows, 1);
  DenseSpace<float> space(kDims, kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f);
  for (int r = 0; r < kRows; ++r) space.add(&rows[static_cast<std::size_t>(r) * kDims]);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{16, 64, 7});
  std::vector<std::int8_t> caps(kRows, 31);
  int polls = 0;
  EXPECT_EQ(graph.build_parallel(kRows, caps, 2, [&] { return ++polls > 50; }),
            HnswGraph<DenseSpace<float>>::ParallelResult::kStopped);
  EXPECT_LT(graph.count(), static_cast<std::size_t>(kRows));
}

INSTANTIATE_TEST_SUITE_P(Spaces, HnswRecallTest, ::testing::ValuesIn(space_cases()),
                         [](const ::testing::TestParamInfo<SpaceCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(HnswGraph, EmptyAndSinglePoint) {
  DenseSpace<float> space(2, kScalarKernels.f32.l2sq, kScalarKernels.f32_batch4.l2sq, 1.0f);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{});
  std::vector<Candidate> got;
  float q[2] = {0, 0};
  graph.search(q, 5, 40, &got);
  EXPECT_TRUE(got.empty());
  float p[2] = {1, 1};
  graph.insert(space.add(p));
  graph.search(q, 5, 40, &got);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].distance, 2.0f);
  EXPECT_EQ(check_hnsw_invariants(graph), 0u);
}

TEST(HnswGraph, AllPointsEqualKeepInvariants) {
  // Every distance is 0, so ties decide everything: invariants must hold and
  // a search must return only distance-0 points. (Reaching k of them is not
  // promised: ties send every link to the lowest ids. The index stores equal
  // vectors as one element with several heap TIDs, so it never builds such
  // a graph.)
  DenseSpace<float> space(4, kScalarKernels.f32.l2sq, kScalarKernels.f32_batch4.l2sq, 1.0f);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{4, 16, 1});
  float p[4] = {1, 2, 3, 4};
  for (int i = 0; i < 300; ++i) graph.insert(space.add(p));
  EXPECT_EQ(check_hnsw_invariants(graph), 0u);
  std::vector<Candidate> got;
  graph.search(p, 10, 40, &got);
  ASSERT_FALSE(got.empty());
  for (const Candidate& c : got) EXPECT_EQ(c.distance, 0.0f);
}

TEST(HnswGraph, DeterministicForASeed) {
  testdata::ClusteredModel model(8, 5, 3);
  std::vector<float> rows = model.sample_rows(500, 4);
  auto build = [&rows](std::vector<std::uint32_t>* out) {
    DenseSpace<float> space(8, kScalarKernels.f32.l2sq, kScalarKernels.f32_batch4.l2sq, 1.0f);
    for (int r = 0; r < 500; ++r) space.add(&rows[static_cast<std::size_t>(r) * 8]);
    HnswGraph<DenseSpace<float>> graph(space, HnswParams{8, 32, 99});
    for (std::uint32_t id = 0; id < 500; ++id) graph.insert(id);
    for (std::uint32_t id = 0; id < 500; ++id) {
      int n = 0;
      const std::uint32_t* ids = graph.neighbors(id, 0, &n);
      out->insert(out->end(), ids, ids + n);
    }
  };
  std::vector<std::uint32_t> a, b;
  build(&a);
  build(&b);
  EXPECT_EQ(a, b);
}

// A query's layer-0 search starts from min(ef, m) nodes of layer 1 while
// ef is small, fewer as ef grows past m (m * m / ef), never fewer than
// m / 2 (nor than 1); an insert's start keeps min(ef_construction, m).
TEST(HnswLevels, QueryStartNarrowsAsEfGrows) {
  EXPECT_EQ(hnsw_query_start_width(16, 1), 1);
  EXPECT_EQ(hnsw_query_start_width(16, 10), 10);
  EXPECT_EQ(hnsw_query_start_width(16, 16), 16);
  EXPECT_EQ(hnsw_query_start_width(16, 20), 12);
  EXPECT_EQ(hnsw_query_start_width(16, 30), 8);
  EXPECT_EQ(hnsw_query_start_width(16, 1000), 8);
  EXPECT_EQ(hnsw_query_start_width(4, 10), 2);
  EXPECT_EQ(hnsw_query_start_width(2, 10), 1);
  EXPECT_EQ(hnsw_start_width(16, 64), 16);
}

}  // namespace
}  // namespace vecsim::core

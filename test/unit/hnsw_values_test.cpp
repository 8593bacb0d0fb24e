// test/unit/hnsw_values_test.cpp
// The graph over values of every kind (value_metrics.h): sparse vectors
// and bit strings built in memory with ValueSpace, written to pages,
// searched and extended by inserts there. Recall counts a returned row as
// right when its distance is within the exact k-th distance, so that ties
// (frequent with Hamming distances) do not make a correct answer look
// wrong.
//
// THRESHOLDS
//   1,500 rows built in memory plus 500 inserted on pages, 100 held-out
//   queries, m 16, ef_construction 64, ef_search 64: recall@10 >= 0.95 for
//   sparse L2 and inner product, >= 0.95 for Hamming and Jaccard. The
//   graph reaches 0.98-1.0 on this data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../support/clustered_data.h"
#include "graph/hnsw_graph.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_verify.h"
#include "graph/hnsw_writer.h"
#include "graph/value_space.h"
#include "kernels/kernel_table.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

constexpr int kRows = 2000;
constexpr int kBuilt = 1500;
constexpr int kQueries = 100;

using Bytes = std::vector<unsigned char>;

// Sparse values: the 16 largest-magnitude coordinates of clustered 64-dim
// points, as a sparsevec body of 1000 dims.
std::vector<Bytes> sparse_values(std::uint64_t seed, int n) {
  testdata::ClusteredModel model(64, 20, 42);
  std::vector<float> rows = model.sample_rows(static_cast<std::size_t>(n), seed);
  std::vector<Bytes> out;
  for (int r = 0; r < n; ++r) {
    const float* v = &rows[static_cast<std::size_t>(r) * 64];
    std::vector<std::int32_t> idx(64);
    for (int i = 0; i < 64; ++i) idx[i] = i;
    std::partial_sort(idx.begin(), idx.begin() + 16, idx.end(),
                      [v](int a, int b) { return std::fabs(v[a]) > std::fabs(v[b]); });
    idx.resize(16);
    std::sort(idx.begin(), idx.end());
    std::int32_t header[3] = {1000, 16, 0};
    Bytes b(12 + 16 * 8);
    std::memcpy(b.data(), header, 12);
    for (int i = 0; i < 16; ++i) {
      std::int32_t at = idx[i] * 15;  // spread over 1000 dims
      std::memcpy(b.data() + 12 + 4 * i, &at, 4);
      std::memcpy(b.data() + 12 + 64 + 4 * i, &v[idx[i]], 4);
    }
    out.push_back(b);
  }
  return out;
}

// Bit values: the sign bits of clustered 128-dim points (binary_quantize).
std::vector<Bytes> bit_values(std::uint64_t seed, int n) {
  testdata::ClusteredModel model(128, 20, 42);
  std::vector<float> rows = model.sample_rows(static_cast<std::size_t>(n), seed);
  std::vector<Bytes> out;
  for (int r = 0; r < n; ++r) {
    Bytes b(16, 0);
    for (int i = 0; i < 128; ++i) {
      if (rows[static_cast<std::size_t>(r) * 128 + i] > 0) b[i / 8] |= static_cast<unsigned char>(0x80 >> (i % 8));
    }
    out.push_back(b);
  }
  return out;
}

ValueRef ref_of(const Bytes& b) { return ValueRef{b.data(), b.size()}; }

// fill: fill lists as the access method does for inner product (HnswParams
// fill_lists). Every element must stay reachable (G2): inner product, which
// is no metric, left 26 of 2,000 unreachable after the 500 page inserts
// before inserts adopted the links their re-selections drop, and 4 with
// adoption but without filled lists.
template <class Metric>
void check_values(Metric metric, const std::vector<Bytes>& rows, const std::vector<Bytes>& queries,
                  bool fill = false) {
  ValueSpace<Metric> space(metric);
  HnswGraph<ValueSpace<Metric>> graph(space, HnswParams{16, 64, 7, fill});
  for (int r = 0; r < kBuilt; ++r) graph.insert(space.add(rows[r].data(), rows[r].size()));
  MemPageStore store;
  std::vector<HnswRef> refs;
  auto data = [&space](std::uint32_t node) {
    ValueRef v = space.value(node);
    return HnswNodeData{v.bytes, v.size, node / 100 + 1, static_cast<std::uint16_t>(node % 100 + 1)};
  };
  ASSERT_TRUE(write_hnsw(graph, kBuilt, data, 16, 64, 0, &store, &refs).is_ok());
  HnswPageGraph<MemPageStore> index(&store, metric, 0x5eed, fill);
  ASSERT_TRUE(index.open().is_ok());
  for (std::uint32_t r = kBuilt; r < kRows; ++r) {
    HnswRef ref;
    ASSERT_TRUE(index.insert(ref_of(rows[r]), r / 100 + 1, static_cast<std::uint16_t>(r % 100 + 1), &ref).is_ok());
  }
  HnswVerifyReport report;
  ASSERT_TRUE(verify_hnsw(&store, &report).is_ok());
  EXPECT_EQ(report.elements, static_cast<std::size_t>(kRows));
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  ::testing::Test::RecordProperty("unreachable", std::to_string(report.unreachable));

  std::size_t right = 0;
  std::vector<HnswHit> got;
  for (const Bytes& q : queries) {
    std::vector<float> exact;
    for (const Bytes& r : rows) exact.push_back(metric.distance(ref_of(q), ref_of(r)));
    std::nth_element(exact.begin(), exact.begin() + 9, exact.end());
    float kth = exact[9];
    ASSERT_TRUE(index.search(ref_of(q), 10, 64, &got).is_ok());
    EXPECT_EQ(got.size(), 10u);
    for (const HnswHit& h : got) right += h.distance <= kth;
  }
  double recall = static_cast<double>(right) / (queries.size() * 10);
  EXPECT_GE(recall, 0.95);
  ::testing::Test::RecordProperty("recall", std::to_string(recall));
}

TEST(HnswValues, SparseL2) {
  check_values(SparseMetric{kernels().sparse.l2sq, 1.0f}, sparse_values(1, kRows), sparse_values(2, kQueries));
}

TEST(HnswValues, SparseInnerProduct) {
  check_values(SparseMetric{kernels().sparse.dot, -1.0f}, sparse_values(1, kRows), sparse_values(2, kQueries),
               true);
}

TEST(HnswValues, BitHamming) {
  check_values(HammingMetric{kernels().bit.hamming}, bit_values(1, kRows), bit_values(2, kQueries));
}

TEST(HnswValues, BitJaccard) {
  check_values(JaccardMetric{kernels().bit.jaccard}, bit_values(1, kRows), bit_values(2, kQueries));
}

}  // namespace
}  // namespace vecsim::core

// test/support/hnsw_page_helpers.h
// What the unit tests of hnsw on pages share: a float row as an index
// value, the verifier's report and its view of the heap, rows built in
// memory and written to a MemPageStore (row r gets heap TID (r / 100 + 1,
// r % 100 + 1): RowTids), a builder of them, and
// recall@10 over the live rows against brute force.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "clustered_data.h"
#include "graph/candidate_heap.h"
#include "graph/dense_space.h"
#include "graph/hnsw_builder.h"
#include "graph/hnsw_graph.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_verify.h"
#include "graph/hnsw_writer.h"
#include "kernels/kernel_table.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {

using PageIndex = HnswPageGraph<MemPageStore>;

// A float vector as an index value.
inline ValueRef vref(const float* v, int dims) {
  return ValueRef{reinterpret_cast<const unsigned char*>(v), sizeof(float) * static_cast<std::size_t>(dims)};
}

// A builder of float rows of d dimensions under squared L2, into store.
using DenseBuilder = HnswBuilder<MemPageStore, DenseSpace<float>, DenseMetric<float>>;
inline DenseMetric<float> l2_metric() { return DenseMetric<float>{kernels().f32.l2sq, 1.0f}; }
inline DenseBuilder dense_builder(MemPageStore* store, int d, HnswParams params) {
  return DenseBuilder(store,
                      DenseSpace<float>(static_cast<std::size_t>(d), kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f),
                      l2_metric(), params, static_cast<std::uint32_t>(d), std::size_t{1} << 30);
}

inline HnswVerifyReport verify(MemPageStore* store) {
  HnswVerifyReport report;
  EXPECT_TRUE(verify_hnsw(store, &report)
                  .is_ok());
  return report;
}

// Row r's heap TID, (r / 100 + 1, r % 100 + 1), and back.
struct RowTids {
  static std::uint32_t block(int r) { return static_cast<std::uint32_t>(r / 100 + 1); }
  static std::uint16_t offset(int r) { return static_cast<std::uint16_t>(r % 100 + 1); }
  static int row_of(std::uint32_t block, std::uint16_t offset) { return static_cast<int>((block - 1) * 100 + offset - 1); }
  // verify's key of a row (HnswRowAttrs), and back
  static std::uint64_t key(int r) { return std::uint64_t{block(r)} << 16 | offset(r); }
  static int row_of_key(std::uint64_t key) { return row_of(static_cast<std::uint32_t>(key >> 16), key & 0xffff); }
};

// Row r of rows (dims d) as an index value.
inline ValueRef row_value(const std::vector<float>& rows, int r, int d) {
  return vref(&rows[static_cast<std::size_t>(r) * static_cast<std::size_t>(d)], d);
}

// verify's view of the heap (HnswRowAttrs) from a function
// (row key, *fingerprint) -> found.
template <class F>
class RowAttrsFrom final : public HnswRowAttrs {
 public:
  explicit RowAttrsFrom(F f) : f_(f) {}
  bool fingerprint_of(std::uint64_t row, std::uint64_t* fingerprint) const override { return f_(row, fingerprint); }

 private:
  F f_;
};

// Builds the rows (dims d) in memory and writes them to store; row r gets
// heap TID (r / 100 + 1, r % 100 + 1).
inline void write_rows(const std::vector<float>& rows, int d, int m, int ef_construction,
                MemPageStore* store) {
  DenseSpace<float> space(static_cast<std::size_t>(d), kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{m, ef_construction, 7});
  std::uint32_t n = static_cast<std::uint32_t>(rows.size() / d);
  for (std::uint32_t r = 0; r < n; ++r) graph.insert(space.add(&rows[static_cast<std::size_t>(r) * d]));
  std::vector<HnswRef> refs;
  auto data = [&space, d](std::uint32_t node) {
    return HnswNodeData{space.row(node), sizeof(float) * d, node / 100 + 1,
                        static_cast<std::uint16_t>(node % 100 + 1)};
  };
  ASSERT_TRUE(write_hnsw(graph, n, data, m, ef_construction, static_cast<std::uint32_t>(d), store, &refs).is_ok());
}

// Rows and held-out queries of a clustered model (dims d, `clusters`,
// model seed), the rows built and written to store by write_rows.
struct ClusteredPages {
  std::vector<float> rows, queries;
  MemPageStore store;
};
inline void write_clustered(int d, int clusters, std::uint64_t seed, std::size_t n, std::size_t nq, int m,
                            int ef_construction, ClusteredPages* out) {
  testdata::ClusteredModel model(d, clusters, seed);
  out->rows = model.sample_rows(n, 1);
  out->queries = model.sample_rows(nq, 2);
  write_rows(out->rows, d, m, ef_construction, &out->store);
}

// recall@10 at ef 40 of index (rows 0 .. n - 1, row r at heap TID
// (r / 100 + 1, r % 100 + 1)) over queries, against the exact neighbours
// among the rows live(r) keeps; a row not live that comes back fails.
template <class Live>
double recall_among_live(PageIndex* index, const std::vector<float>& rows, std::uint32_t n,
                         const std::vector<float>& queries, int d, Live&& live) {
  std::size_t hits = 0;
  std::vector<HnswHit> got;
  const std::size_t nq = queries.size() / static_cast<std::size_t>(d);
  for (std::size_t q = 0; q < nq; ++q) {
    const float* query = &queries[q * d];
    EXPECT_TRUE(index->search(vref(query, d), 10, 40, &got).is_ok());
    std::vector<Candidate> exact;
    for (std::uint32_t r = 0; r < n; ++r) {
      if (live(r)) exact.push_back(Candidate{kernels().f32.l2sq(query, &rows[r * d], d), r});
    }
    std::partial_sort(exact.begin(), exact.begin() + 10, exact.end(), Closer());
    for (const HnswHit& h : got) {
      std::uint32_t r = (h.heap_block - 1) * 100 + h.heap_offset - 1;
      EXPECT_TRUE(live(r)) << "a deleted row came back";
      for (int i = 0; i < 10; ++i) hits += exact[i].node == r;
    }
  }
  return static_cast<double>(hits) / static_cast<double>(nq * 10);
}

}  // namespace vecsim::core

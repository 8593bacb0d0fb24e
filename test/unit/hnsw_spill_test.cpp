// test/unit/hnsw_spill_test.cpp
// Values wider than a page (storage/hnsw_spill.h): elements spill into
// chunk chains when built in memory and when inserted, and the index still
// verifies clean, finds every row, keeps its recall, stays near the size
// of its values, survives vacuum and failed inserts, and reports a broken
// chain as corruption.
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

constexpr int kM = 16;
using Metric = DenseMetric<float>;
using PageIndex = HnswPageGraph<MemPageStore>;
using Builder = HnswBuilder<MemPageStore, DenseSpace<float>, Metric>;

Metric l2() { return Metric{kernels().f32.l2sq, 1.0f}; }

struct Rows {
  int dims;
  std::vector<float> rows, queries;
  Rows(int d, std::size_t n)
      : dims(d),
        rows(testdata::ClusteredModel(d, 8, 5).sample_rows(n, 1)),
        queries(testdata::ClusteredModel(d, 8, 5).sample_rows(20, 2)) {}
  std::size_t count() const { return rows.size() / static_cast<std::size_t>(dims); }
  ValueRef row(std::size_t r) const { return vref(&rows[r * dims]); }
  ValueRef vref(const float* v) const {
    return ValueRef{reinterpret_cast<const unsigned char*>(v), sizeof(float) * static_cast<std::size_t>(dims)};
  }
};

// Row r lives at heap TID (r / 100 + 1, r % 100 + 1).
std::uint32_t row_of(const HnswHit& h) { return (h.heap_block - 1) * 100 + h.heap_offset - 1; }

HnswVerifyReport verify(MemPageStore* store) {
  HnswVerifyReport report;
  EXPECT_TRUE(verify_hnsw(store, &report).is_ok());
  return report;
}

// Builds an index of the first n rows within budget bytes.
void build(const Rows& data, std::size_t n, std::size_t budget, MemPageStore* store) {
  Builder builder(store,
                  DenseSpace<float>(static_cast<std::size_t>(data.dims), kernels().f32.l2sq,
                                    kernels().f32_batch4.l2sq, 1.0f),
                  l2(), HnswParams{kM, 32, 7}, static_cast<std::uint32_t>(data.dims), budget);
  for (std::size_t r = 0; r < n; ++r) {
    ASSERT_TRUE(builder.add(data.row(r), static_cast<std::uint32_t>(r / 100 + 1),
                            static_cast<std::uint16_t>(r % 100 + 1))
                    .is_ok());
  }
  ASSERT_TRUE(builder.finish().is_ok());
}

// recall@10 at ef 40 over data's queries, against the exact neighbours
// among the first n rows that live(r) keeps.
template <class Live>
double recall(PageIndex* index, const Rows& data, std::size_t n, Live&& live) {
  std::size_t hits = 0;
  const std::size_t nq = data.queries.size() / static_cast<std::size_t>(data.dims);
  std::vector<HnswHit> got;
  for (std::size_t q = 0; q < nq; ++q) {
    const float* query = &data.queries[q * data.dims];
    EXPECT_TRUE(index->search(data.vref(query), 10, 40, &got).is_ok());
    std::vector<Candidate> exact;
    for (std::uint32_t r = 0; r < n; ++r) {
      if (live(r)) exact.push_back(Candidate{kernels().f32.l2sq(query, &data.rows[r * data.dims], data.dims), r});
    }
    std::partial_sort(exact.begin(), exact.begin() + 10, exact.end(), Closer());
    for (const HnswHit& h : got) {
      EXPECT_TRUE(live(row_of(h))) << "a deleted row came back";
      for (int i = 0; i < 10; ++i) hits += exact[i].node == row_of(h);
    }
  }
  return static_cast<double>(hits) / static_cast<double>(nq * 10);
}

bool every_row(std::uint32_t) { return true; }

// 2,000 dims spill only on upper layers; 3,072 always. A budget of 1 MiB
// leaves memory after a few dozen rows, so most rows are inserted.
TEST(HnswSpill, WideValuesBuildInMemoryAndByInserts) {
  for (int dims : {2000, 3072}) {
    Rows data(dims, 300);
    for (std::size_t budget : {std::size_t{1} << 30, std::size_t{1} << 20}) {
      SCOPED_TRACE(testing::Message() << dims << " dims, budget " << budget);
      MemPageStore store;
      build(data, data.count(), budget, &store);
      HnswVerifyReport report = verify(&store);
      EXPECT_EQ(report.violations, 0u) << report.first;
      EXPECT_EQ(report.unreachable, 0u);
      EXPECT_EQ(report.elements, data.count());
      EXPECT_TRUE(report.count_matches);
      PageIndex index(&store, l2());
      ASSERT_TRUE(index.open().is_ok());
      EXPECT_GE(recall(&index, data, data.count(), every_row), 0.9);
      std::vector<HnswHit> got;
      for (std::size_t r = 0; r < data.count(); r += 29) {
        ASSERT_TRUE(index.search(data.row(r), 1, 40, &got).is_ok());
        ASSERT_EQ(got.size(), 1u);
        EXPECT_EQ(got[0].distance, 0.0f) << "row " << r << " is not found by its own value";
      }
      // The size bound, rows x (4 dims + 8 m) x 1.15, plus the
      // metapage and the last page's tail.
      const double bound = 1.15 * static_cast<double>(data.count()) * (4.0 * dims + 8.0 * kM) + 2 * 8192;
      EXPECT_LE(store.page_count() * 8192.0, bound);
    }
  }
}

// Vacuum of a third of the rows: clean verify, no deleted row returned,
// recall among the rest; inserts after it (which never reuse a spilled
// element's slot) keep the index clean.
TEST(HnswSpill, VacuumAndInsertsAfterIt) {
  Rows data(3072, 260);
  MemPageStore store;
  build(data, 200, std::size_t{1} << 30, &store);
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  auto dead = [](std::uint32_t r) { return r % 3 == 1 && r < 200; };
  HnswVacuumStats stats;
  ASSERT_TRUE(index
                  .bulk_delete([&](std::uint32_t b, std::uint16_t o) { return dead((b - 1) * 100 + o - 1); },
                               &stats)
                  .is_ok());
  EXPECT_EQ(stats.deleted, 67u);  // rows 1, 4, .., 199
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  auto live = [&](std::uint32_t r) { return !dead(r); };
  EXPECT_GE(recall(&index, data, 200, live), 0.9);
  for (std::size_t r = 200; r < data.count(); ++r) {
    HnswRef ref;
    ASSERT_TRUE(index.insert(data.row(r), static_cast<std::uint32_t>(r / 100 + 1),
                             static_cast<std::uint16_t>(r % 100 + 1), &ref)
                    .is_ok());
  }
  report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);
  EXPECT_GE(recall(&index, data, data.count(), live), 0.9);
}

// A store failure at any point of a spilled insert comes back as the
// store's error and leaves every structural invariant (chunks written
// before a failure are named by nothing, which C1 allows).
TEST(HnswSpill, FailedSpilledInsertsLeaveAValidIndex) {
  Rows data(3072, 61);
  MemPageStore built;
  build(data, 60, std::size_t{1} << 30, &built);
  for (int n = 1;; ++n) {
    MemPageStore store = built;
    PageIndex index(&store, l2());
    ASSERT_TRUE(index.open().is_ok());
    store.fail_after(n);
    HnswRef ref;
    Status st = index.insert(data.row(60), 9, 1, &ref);
    store.fail_after(0);
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << "failure at operation " << n << ": " << report.first;
    EXPECT_LE(report.unreachable, 1u);
    if (st.is_ok()) {
      EXPECT_EQ(report.unreachable, 0u);
      break;
    }
    EXPECT_EQ(st.code(), ErrorCode::kInternal);
  }
}

// A chunk that no longer reads as one: the verifier reports C1 and a
// search that measures its element fails with XX000 instead of reading
// past it.
TEST(HnswSpill, BrokenChunkChainIsCorruption) {
  Rows data(3072, 40);
  MemPageStore store;
  build(data, data.count(), std::size_t{1} << 30, &store);
  HnswRef chunk = kNoRef;
  for (std::uint32_t b = 1; b < store.page_count() && chunk == kNoRef; ++b) {
    for (std::uint16_t o = 1; o <= store.items_on(b) && chunk == kNoRef; ++o) {
      ASSERT_TRUE(store.read_item(b, o, [&](const unsigned char* p, std::size_t) {
        if (p[1] & kValueChunk) chunk = make_ref(b, o);
      }).is_ok());
    }
  }
  ASSERT_NE(chunk, kNoRef);
  std::uint16_t bytes = 1;  // shorter than the item says: no longer whole
  ASSERT_TRUE(store.write_item(ref_block(chunk), ref_offset(chunk), offsetof(ValueChunkHeader, bytes),
                               &bytes, sizeof bytes)
                  .is_ok());
  HnswVerifyReport report = verify(&store);
  EXPECT_GE(report.violations, 1u);
  EXPECT_EQ(report.first.substr(0, 2), "C1");
  PageIndex index(&store, l2());
  ASSERT_TRUE(index.open().is_ok());
  bool failed = false;
  std::vector<HnswHit> got;
  for (std::size_t r = 0; r < data.count() && !failed; ++r) {
    Status st = index.search(data.row(r), 10, 40, &got);
    if (!st.is_ok()) {
      EXPECT_EQ(st.code(), ErrorCode::kInternal);
      failed = true;
    }
  }
  EXPECT_TRUE(failed);
}

}  // namespace
}  // namespace vecsim::core

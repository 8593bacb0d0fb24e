// test/unit/hnsw_pages_test.cpp
// The in-memory graph written to pages (MemPageStore) and searched there:
// the written index passes the verifier, the page search returns exactly
// what the in-memory graph returns, elements take the size the format
// promises, and every injected store failure comes back as a Status.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../support/clustered_data.h"
#include "../support/hnsw_page_helpers.h"
#include "storage/hnsw_tid_list.h"
#include "graph/dense_space.h"
#include "graph/hnsw_graph.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_verify.h"
#include "graph/hnsw_writer.h"
#include "kernels/kernel_table.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

struct Built {
  std::vector<float> rows;
  DenseSpace<float> space;
  HnswGraph<DenseSpace<float>> graph;
  int dims;

  Built(int n, int d, int m)
      : rows(testdata::ClusteredModel(d, 20, 42).sample_rows(static_cast<std::size_t>(n), 1)),
        space(static_cast<std::size_t>(d), kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f),
        graph(space, HnswParams{m, 64, 7}),
        dims(d) {
    for (int r = 0; r < n; ++r) space.add(&rows[static_cast<std::size_t>(r) * d]);
    for (std::uint32_t id = 0; id < space.size(); ++id) graph.insert(id);
  }

  Status write(MemPageStore* store, int m, std::vector<HnswRef>* refs) {
    auto data = [this](std::uint32_t node) {
      return HnswNodeData{space.row(node), sizeof(float) * dims, node / 100 + 1,
                          static_cast<std::uint16_t>(node % 100 + 1)};
    };
    return write_hnsw(graph, static_cast<std::uint32_t>(space.size()), data, m, 64,
                      static_cast<std::uint32_t>(dims), store, refs);
  }
};

// The setup many tests share: Built rows written to a store of their own,
// and an L2 index over it (not opened yet). `written` is write()'s status.
struct WrittenIndex {
  Built b;
  MemPageStore store;
  std::vector<HnswRef> refs;
  Status written;
  PageIndex index;

  WrittenIndex(int n, int d, int m)
      : b(n, d, m), index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f}) {
    written = b.write(&store, m, &refs);
  }
};

TEST(HnswPages, WrittenIndexVerifiesAndSearchesLikeTheGraph) {
  Built b(2000, 24, 16);
  MemPageStore store;
  std::vector<HnswRef> refs;
  ASSERT_TRUE(b.write(&store, 16, &refs).is_ok());

  HnswVerifyReport report;
  ASSERT_TRUE(verify_hnsw(&store, &report)
                  .is_ok());
  EXPECT_EQ(report.elements, 2000u);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);

  PageIndex search(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
  ASSERT_TRUE(search.open().is_ok());
  std::vector<float> queries = testdata::ClusteredModel(24, 20, 42).sample_rows(50, 2);
  std::vector<Candidate> want;
  std::vector<HnswHit> got;
  for (int q = 0; q < 50; ++q) {
    const float* query = &queries[static_cast<std::size_t>(q) * 24];
    b.graph.search(query, 10, 40, &want);
    ASSERT_TRUE(search.search(vref(query, 24), 10, 40, &got).is_ok());
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].ref, refs[want[i].node]);
      EXPECT_EQ(got[i].distance, want[i].distance);
      EXPECT_EQ(got[i].heap_block, want[i].node / 100 + 1);
      EXPECT_EQ(got[i].heap_offset, want[i].node % 100 + 1);
    }
  }
}

// The writer fills each page with a neighbourhood of the graph, so that a
// search finds several of an element's links on one page. In node order
// (rows drawn from 20 clusters at random) a link's target would share its
// source's page about (elements per page) / rows of the time: 1.6 % here.
TEST(HnswPages, WriterPlacesNeighboursOnSharedPages) {
  Built b(2000, 24, 16);
  MemPageStore store;
  std::vector<HnswRef> refs;
  ASSERT_TRUE(b.write(&store, 16, &refs).is_ok());
  std::size_t links = 0;
  std::size_t shared = 0;
  for (std::uint32_t node = 0; node < 2000; ++node) {
    int n = 0;
    const std::uint32_t* ids = b.graph.neighbors(node, 0, &n);
    for (int i = 0; i < n; ++i) {
      ++links;
      shared += ref_block(refs[ids[i]]) == ref_block(refs[node]);
    }
  }
  double by_chance = 1.0 / static_cast<double>(store.page_count() - 1);
  double fraction = static_cast<double>(shared) / static_cast<double>(links);
  std::printf("links sharing their source's page: %.3f (by chance: %.3f)\n", fraction, by_chance);
  EXPECT_GT(fraction, 8 * by_chance);
}

TEST(HnswPages, ElementSizeMatchesTheFormat) {
  // 128 dims, m 16: 12 header + 512 values + 32 * 4 layer-0 links = 652
  // bytes for a level-0 element, 12 per 8 kB page (docs/hnsw.md).
  HnswElementLayout layout{16};
  EXPECT_EQ(layout.item_size(512, 0), 652u);
  MemPageStore store;
  EXPECT_EQ(store.page_capacity() / store.item_cost(652), 12u);
}

TEST(HnswPages, EmptyGraphWritesAnEmptyIndex) {
  DenseSpace<float> space(4, kScalarKernels.f32.l2sq, kScalarKernels.f32_batch4.l2sq, 1.0f);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{});
  MemPageStore store;
  std::vector<HnswRef> refs;
  auto data = [](std::uint32_t) { return HnswNodeData{nullptr, 0, 0, 0}; };
  ASSERT_TRUE(write_hnsw(graph, 0, data, 16, 64, 4, &store, &refs).is_ok());
  PageIndex search(&store, DenseMetric<float>{kScalarKernels.f32.l2sq, 1.0f});
  ASSERT_TRUE(search.open().is_ok());
  std::vector<HnswHit> got;
  float q[4] = {0, 0, 0, 0};
  ASSERT_TRUE(search.search(vref(q, 4), 5, 40, &got).is_ok());
  EXPECT_TRUE(got.empty());
}

TEST(HnswPages, EveryStoreFailureIsReported) {
  Built b(300, 8, 8);
  for (int n = 1;; ++n) {
    MemPageStore store;
    store.fail_after(n);
    std::vector<HnswRef> refs;
    Status st = b.write(&store, 8, &refs);
    if (st.is_ok()) {
      EXPECT_GT(n, 2);  // some operations ran before success
      // and reading fails cleanly too
      for (int k = 1; k < 40; ++k) {
        PageIndex search(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
        store.fail_after(k);
        std::vector<HnswHit> got;
        Status open = search.open();
        Status s = open.is_ok() ? search.search(vref(b.space.row(0), 8), 5, 20, &got) : open;
        if (!s.is_ok()) {
          EXPECT_EQ(s.code(), ErrorCode::kInternal);
        }
      }
      break;
    }
    EXPECT_EQ(st.code(), ErrorCode::kInternal) << n;
  }
}

TEST(HnswPages, VerifierFindsBrokenLinks) {
  Built b(200, 8, 4);
  MemPageStore store;
  std::vector<HnswRef> refs;
  ASSERT_TRUE(b.write(&store, 4, &refs).is_ok());
  // Point element 5's first layer-0 link at itself.
  HnswElementLayout layout{4};
  HnswRef self = refs[5];
  ASSERT_TRUE(store.write_item(ref_block(self), ref_offset(self), layout.links_offset(32, 0), &self,
                               sizeof self)
                  .is_ok());
  HnswVerifyReport report;
  ASSERT_TRUE(verify_hnsw(&store, &report)
                  .is_ok());
  EXPECT_GE(report.violations, 1u);
  EXPECT_NE(report.first.find("L1"), std::string::npos) << report.first;
}

// An element that lost its last incoming link outside vacuum (an insert's
// last-resort replacement can do that) is linked again by the next vacuum,
// even one that deletes nothing.
TEST(HnswPages, VacuumThatDeletesNothingStillRelinksAnOrphan) {
  constexpr int kDimsHere = 8, kM = 4;
  Built b(200, kDimsHere, kM);
  MemPageStore store;
  std::vector<HnswRef> refs;
  ASSERT_TRUE(b.write(&store, kM, &refs).is_ok());
  const HnswElementLayout layout{kM};
  const std::size_t at = layout.links_offset(sizeof(float) * kDimsHere, 0);
  const int cap = layout.capacity(0);
  const HnswRef orphan = refs[5];
  for (HnswRef r : refs) {  // take refs[5] out of every layer-0 list
    std::vector<HnswRef> list(static_cast<std::size_t>(cap));
    ASSERT_TRUE(store.read_item(ref_block(r), ref_offset(r), [&](const unsigned char* p, std::size_t) {
      std::memcpy(list.data(), p + at, sizeof(HnswRef) * list.size());
    }).is_ok());
    auto end = std::remove(list.begin(), list.end(), orphan);
    std::fill(end, list.end(), kNoRef);
    ASSERT_TRUE(store.write_item(ref_block(r), ref_offset(r), at, list.data(),
                                 sizeof(HnswRef) * list.size())
                    .is_ok());
  }
  auto unreachable = [&store] {
    HnswVerifyReport report;
    EXPECT_TRUE(verify_hnsw(&store, &report)
                    .is_ok());
    return report.unreachable;
  };
  ASSERT_EQ(unreachable(), 1u);

  PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
  HnswVacuumStats stats;
  ASSERT_TRUE(index.bulk_delete([](std::uint32_t, std::uint16_t) { return false; }, &stats).is_ok());
  EXPECT_EQ(stats.deleted, 0u);
  EXPECT_EQ(stats.relinked, 1u);
  EXPECT_EQ(unreachable(), 0u);
}

// recall@10 of an index on pages against brute force over `rows`.
double page_recall(PageIndex* index, const std::vector<float>& rows,
                   const std::vector<float>& queries, int dims, int ef) {
  std::size_t n = rows.size() / dims, nq = queries.size() / dims, hits = 0;
  std::vector<HnswHit> got;
  for (std::size_t q = 0; q < nq; ++q) {
    const float* query = &queries[q * dims];
    std::vector<Candidate> exact;
    for (std::uint32_t id = 0; id < n; ++id) {
      exact.push_back(Candidate{kernels().f32.l2sq(query, &rows[id * dims], dims), id});
    }
    std::partial_sort(exact.begin(), exact.begin() + 10, exact.end(), Closer());
    EXPECT_TRUE(index->search(vref(query, dims), 10, ef, &got).is_ok());
    for (int i = 0; i < 10; ++i) {
      for (const HnswHit& h : got) {
        // heap TIDs encode the row: block = row / 100 + 1, offset = row % 100 + 1
        hits += (h.heap_block - 1) * 100 + (h.heap_offset - 1) == exact[i].node;
      }
    }
  }
  return static_cast<double>(hits) / (nq * 10);
}

// Rows [0, built) of rows (dims d) built in memory (m, ef_construction 64;
// L2, or inner product with filled lists as the access method builds it)
// and written to store, then the rest inserted on pages through index (on
// store); row r gets heap TID (r / 100 + 1, r % 100 + 1).
void build_then_insert(const std::vector<float>& rows, int d, int m, int built, MemPageStore* store,
                       PageIndex* index, bool inner_product = false) {
  DenseSpace<float> space(static_cast<std::size_t>(d),
                          inner_product ? kernels().f32.dot : kernels().f32.l2sq,
                          inner_product ? kernels().f32_batch4.dot : kernels().f32_batch4.l2sq,
                          inner_product ? -1.0f : 1.0f);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{m, 64, 7, inner_product});
  for (int r = 0; r < built; ++r) graph.insert(space.add(&rows[static_cast<std::size_t>(r) * d]));
  std::vector<HnswRef> refs;
  auto data = [&space, d](std::uint32_t node) {
    return HnswNodeData{space.row(node), sizeof(float) * d, node / 100 + 1,
                        static_cast<std::uint16_t>(node % 100 + 1)};
  };
  ASSERT_TRUE(write_hnsw(graph, static_cast<std::uint32_t>(built), data, m, 64,
                         static_cast<std::uint32_t>(d), store, &refs)
                  .is_ok());
  ASSERT_TRUE(index->open().is_ok());
  std::uint32_t n = static_cast<std::uint32_t>(rows.size() / d);
  for (std::uint32_t r = static_cast<std::uint32_t>(built); r < n; ++r) {
    HnswRef ref;
    ASSERT_TRUE(index->insert(vref(&rows[r * d], d), r / 100 + 1,
                              static_cast<std::uint16_t>(r % 100 + 1), &ref)
                    .is_ok());
  }
}

// An insert whose every write to a neighbour's list loses to concurrent
// inserts (simulated: update_item always finds the item changed) must not
// return success with an element nothing links: it fails with a
// serialization failure, which rolls its transaction back in the server.
TEST(HnswPages, InsertThatNeverWinsAListFailsAsSerializationFailure) {
  constexpr int kDimsHere = 8;
  std::vector<float> rows = testdata::ClusteredModel(kDimsHere, 5, 42).sample_rows(301, 1);
  const float* last = &rows[300 * kDimsHere];
  for (bool contended : {false, true}) {
    MemPageStore store;
    PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
    std::vector<float> built(rows.begin(), rows.begin() + 300 * kDimsHere);
    build_then_insert(built, kDimsHere, 2, 300, &store, &index);
    if (contended) store.lose_update_races_from(1);  // all but the metapage
    HnswRef ref;
    Status st = index.insert(vref(last, kDimsHere), 9, 1, &ref);
    if (!contended) {
      EXPECT_TRUE(st.is_ok()) << st.message();
    } else {
      EXPECT_EQ(st.code(), ErrorCode::kSerializationFailure) << st.message();
    }
  }
}

// Inserting on pages, into an empty index and into a built one: the graph
// stays valid and recall stays at the level of a build in memory.
TEST(HnswPages, InsertsKeepTheIndexValidAndRecallHigh) {
  constexpr int kDimsHere = 24;
  testdata::ClusteredModel model(kDimsHere, 20, 42);
  std::vector<float> rows = model.sample_rows(2000, 1);
  std::vector<float> queries = model.sample_rows(100, 2);

  // m 4 as well: small lists are re-selected (and drop links) on almost
  // every insert, which is where an element could lose its last way in.
  for (int m : {16, 4})
  for (int built : {0, 1000}) {
    SCOPED_TRACE(::testing::Message() << built << " rows built in memory first, m " << m);
    MemPageStore store;
    PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f}, 11);
    build_then_insert(rows, kDimsHere, m, built, &store, &index);
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.elements, 2000u);
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u);
    EXPECT_TRUE(report.count_matches);
    EXPECT_GE(page_recall(&index, rows, queries, kDimsHere, 40), m == 16 ? 0.95 : 0.80);
  }
}

// Many rows of few values (8 values over 2,000 rows, as binary_quantize of
// 3 dims gives): every candidate ties with every other at distance 0, and
// if ties always broke the same way every list would hold the same few
// elements of a value and the rest would be unreachable. Built in memory,
// then inserted on pages; L2, and inner product with its filled lists.
TEST(HnswPages, EqualValuesStayReachable) {
  constexpr int kDimsHere = 3;
  std::vector<float> rows;
  for (int r = 0; r < 2000; ++r) {
    for (int d = 0; d < kDimsHere; ++d) rows.push_back(static_cast<float>((r >> d) & 1));
  }
  for (bool inner_product : {false, true})
  for (int built : {2000, 500}) {
    SCOPED_TRACE(::testing::Message() << built << " rows built in memory first"
                                      << (inner_product ? ", inner product" : ", L2"));
    MemPageStore store;
    PageIndex index(&store,
                    inner_product ? DenseMetric<float>{kernels().f32.dot, -1.0f}
                                  : DenseMetric<float>{kernels().f32.l2sq, 1.0f},
                    11, inner_product);
    build_then_insert(rows, kDimsHere, 16, built, &store, &index, inner_product);
    HnswVerifyReport report = verify(&store);
    // The rows inserted on pages join elements of their value
    // (hnsw_tids_test.cpp): nearly all, as an insert tries a bounded
    // number of (mostly full) elements of its value before it takes one of
    // its own; never more new elements than if each held ten rows.
    EXPECT_GE(report.elements, static_cast<std::size_t>(built));
    EXPECT_LE(report.elements, static_cast<std::size_t>(built + (2000 - built) / kHnswTidsPerElement));
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u);
  }
}

// Failure injection: for n = 1, then step(n), ..., runs op(index) on a
// fresh copy of b's index (m 8) whose store fails at its nth operation,
// and hands each outcome to check(n, status, report, store), until op
// succeeds. Every outcome must keep the structural invariants, and a
// failure must come back as the store's own error.
template <class Step, class Op, class Check>
void at_each_failure_point(Built& b, Step step, Op op, Check check) {
  for (int n = 1;; n = step(n)) {
    MemPageStore store;
    std::vector<HnswRef> refs;
    ASSERT_TRUE(b.write(&store, 8, &refs).is_ok());
    PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
    ASSERT_TRUE(index.open().is_ok());
    store.fail_after(n);
    Status st = op(index);
    store.fail_after(0);
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << "failure at operation " << n << ": " << report.first;
    if (!st.is_ok()) {
      EXPECT_EQ(st.code(), ErrorCode::kInternal);
    }
    check(n, st, report, &store);
    if (st.is_ok()) break;
  }
}

// A store failure at any point of an insert comes back as a Status, and
// the index keeps every structural invariant: at worst the new element is
// not linked yet (reported as unreachable, and the metapage count lags).
TEST(HnswPages, FailedInsertsLeaveAValidIndex) {
  Built b(300, 8, 8);
  std::vector<float> extra = testdata::ClusteredModel(8, 20, 42).sample_rows(1, 9);
  at_each_failure_point(
      b, [](int n) { return n + 1; },
      [&](PageIndex& index) {
        HnswRef ref;
        return index.insert(vref(extra.data(), 8), 99, 1, &ref);
      },
      [](int, const Status& st, const HnswVerifyReport& report, MemPageStore*) {
        EXPECT_LE(report.unreachable, 1u);
        if (st.is_ok()) {
          EXPECT_EQ(report.unreachable, 0u);
          EXPECT_TRUE(report.count_matches);
        }
      });
}


// Vacuum after deleting a third of the rows: the index verifies clean
// (L3: no live element links a deleted one), searches return no deleted
// row, recall over the remaining rows stays high, and a second vacuum
// finds nothing to do.
TEST(HnswPages, VacuumRemovesDeadRowsAndRepairsLinks) {
  constexpr int kD = 24;
  ClusteredPages data;
  write_clustered(kD, 20, 42, 2000, 100, 16, 64, &data);
  const std::vector<float>& rows = data.rows;
  const std::vector<float>& queries = data.queries;
  MemPageStore& store = data.store;
  PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
  ASSERT_TRUE(index.open().is_ok());

  auto row_of = [](std::uint32_t block, std::uint16_t offset) { return (block - 1) * 100 + offset - 1; };
  auto dead = [&row_of](std::uint32_t block, std::uint16_t offset) { return row_of(block, offset) % 3 == 0; };
  HnswVacuumStats stats;
  ASSERT_TRUE(index.bulk_delete(dead, &stats).is_ok());
  EXPECT_EQ(stats.deleted, 667u);
  EXPECT_EQ(stats.live, 1333u);
  EXPECT_GT(stats.repaired, 0u);

  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);

  EXPECT_GE(recall_among_live(&index, rows, 2000, queries, kD,
                              [](std::uint32_t r) { return r % 3 != 0; }),
            0.95);

  HnswVacuumStats again;
  ASSERT_TRUE(index.bulk_delete(dead, &again).is_ok());
  EXPECT_EQ(again.deleted, 0u);
  EXPECT_EQ(again.repaired, 0u);
}


// Levels are drawn with the index's m, read from the metapage even when
// the caller has not opened the index yet (as the server's insert path
// draws a level before it takes its lock): about 1 in m above layer 0.
TEST(HnswPages, InsertLevelsFollowTheIndexsM) {
  WrittenIndex w(300, 8, 8);
  ASSERT_TRUE(w.written.is_ok());
  int above = 0;
  for (int i = 0; i < 4000; ++i) {
    int level = -1;
    ASSERT_TRUE(w.index.draw_insert_level(32, &level).is_ok());
    ASSERT_GE(level, 0);
    above += level > 0;
  }
  EXPECT_GT(above, 4000 / 8 / 2);
  EXPECT_LT(above, 4000 / 8 * 2);
}

// Tight clusters are reached through few gateway elements; when vacuum
// deletes those, a whole cluster can be left linking only itself: an
// island no search enters, though each member still has incoming links.
// Near-duplicates also prune each other from lists, so re-links compete
// for the same few lists. Vacuum must leave every live element reachable
// from the entry point, round after round of churn. Rows: near_parallel
// gives what cosine makes of c * (1, .., 1) + noise (nearly one
// direction); otherwise noise 1e-4 around 25 random centres.
void churn_tight_clusters(int d, int n, bool near_parallel) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 1e-4f);
  std::vector<float> centres(25 * static_cast<std::size_t>(d)), rows(2 * static_cast<std::size_t>(n) * d);
  for (float& c : centres) c = unit(rng);
  for (std::size_t r = 0; r < 2 * static_cast<std::size_t>(n); ++r) {
    float norm = 0;
    for (int j = 0; j < d; ++j) {
      float x = near_parallel ? (r % 20) * 0.1f + unit(rng) * 0.05f : centres[(r % 25) * d + j] + noise(rng);
      rows[r * d + j] = x;
      norm += x * x;
    }
    if (near_parallel) {
      for (int j = 0; j < d; ++j) rows[r * d + j] /= std::sqrt(norm);
    }
  }
  MemPageStore store;
  write_rows(std::vector<float>(rows.begin(), rows.begin() + static_cast<std::size_t>(n) * d), d, 16, 64, &store);
  PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
  ASSERT_TRUE(index.open().is_ok());
  auto row_of = [](std::uint32_t block, std::uint16_t offset) { return (block - 1) * 100 + offset - 1; };
  std::uint32_t next_row = static_cast<std::uint32_t>(n);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    HnswVacuumStats stats;
    ASSERT_TRUE(index.bulk_delete([&](std::uint32_t b, std::uint16_t o) { return (row_of(b, o) + round) % 3 == 0; },
                                  &stats)
                    .is_ok());
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u) << "after vacuum";
    for (int i = 0; i < n / 4; ++i, ++next_row) {
      HnswRef ref;
      ASSERT_TRUE(index.insert(vref(&rows[static_cast<std::size_t>(next_row) * d], d), next_row / 100 + 1,
                               static_cast<std::uint16_t>(next_row % 100 + 1), &ref)
                      .is_ok());
    }
    report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u) << "after inserts";
  }
}

TEST(HnswPages, VacuumLeavesNoIslandOfTightClusters) { churn_tight_clusters(16, 1500, false); }
TEST(HnswPages, VacuumLeavesNoIslandOfNearParallelRows) { churn_tight_clusters(16, 1500, true); }
// 2,100 dims: every element spilled into chunks
TEST(HnswPages, VacuumLeavesNoIslandOfWideNearParallelRows) { churn_tight_clusters(2100, 400, true); }

// Inserts after a vacuum take the slots of the layer-0 elements it deleted:
// two rounds of churn (a third of the rows deleted, as many inserted) add
// a few pages for the new upper-layer elements (about 1 in m), not the
// ~21 pages a round would take without reuse, and the index stays valid,
// fully reachable and searchable.
TEST(HnswPages, InsertsReuseTheSlotsVacuumFrees) {
  constexpr int kD = 24;
  testdata::ClusteredModel model(kD, 20, 42);
  std::vector<float> rows = model.sample_rows(3334, 1);  // rows 2000.. come later
  std::vector<float> queries = model.sample_rows(100, 2);
  MemPageStore store;
  write_rows(std::vector<float>(rows.begin(), rows.begin() + 2000 * kD), kD, 16, 64, &store);
  std::uint32_t pages = store.page_count();
  PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f}, 11);
  ASSERT_TRUE(index.open().is_ok());

  auto row_of = [](std::uint32_t block, std::uint16_t offset) { return (block - 1) * 100 + offset - 1; };
  std::vector<bool> live(3334, false);
  for (std::uint32_t r = 0; r < 2000; ++r) live[r] = true;
  std::uint32_t next = 2000;
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(::testing::Message() << "round " << round);
    // every third live row dies; as many new rows come in
    std::size_t dying = 0;
    std::vector<bool> dead(3334, false);
    for (std::uint32_t r = 0, seen = 0; r < 3334; ++r) {
      if (live[r] && seen++ % 3 == 0) {
        dead[r] = true;
        live[r] = false;
        ++dying;
      }
    }
    HnswVacuumStats stats;
    ASSERT_TRUE(index.bulk_delete([&](std::uint32_t b, std::uint16_t o) { return dead[row_of(b, o)]; },
                                  &stats)
                    .is_ok());
    EXPECT_EQ(stats.deleted, dying);
    for (std::size_t i = 0; i < dying; ++i, ++next) {
      HnswRef ref;
      ASSERT_TRUE(index.insert(vref(&rows[next * kD], kD), next / 100 + 1,
                               static_cast<std::uint16_t>(next % 100 + 1), &ref)
                      .is_ok());
      live[next] = true;
    }
    const std::uint32_t without_reuse = static_cast<std::uint32_t>(dying / store.items_on(1)) + 1;
    EXPECT_LE((store.page_count() - pages) * 4, without_reuse)
        << "inserts took new pages instead of freed slots";
    pages = store.page_count();
    HnswVerifyReport report = verify(&store);
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u);
    EXPECT_TRUE(report.count_matches);

    EXPECT_GE(recall_among_live(&index, rows, next, queries, kD,
                                [&live](std::uint32_t r) { return live[r]; }),
              0.95);
  }

  // The deleted upper-layer elements no insert could use are still there;
  // a vacuum that deletes nothing points the inserts' hint back at the
  // first of them.
  std::uint32_t first_deleted = 0;
  for (std::uint32_t b = 1; b < store.page_count() && first_deleted == 0; ++b) {
    for (std::uint16_t o = 1; o <= store.items_on(b); ++o) {
      HnswElementHeader h{};
      ASSERT_TRUE(store.read_item(b, o, [&](const unsigned char* p, std::size_t) {
                         std::memcpy(&h, p, sizeof h);
                       }).is_ok());
      if (h.flags & kElementDeleted) first_deleted = b;
    }
  }
  ASSERT_NE(first_deleted, 0u);
  HnswVacuumStats none;
  ASSERT_TRUE(index.bulk_delete([](std::uint32_t, std::uint16_t) { return false; }, &none).is_ok());
  EXPECT_EQ(none.deleted, 0u);
  EXPECT_EQ(index.meta().reuse_block, first_deleted);
}

// A store failure at any point of a vacuum is returned as a Status and
// leaves every structural invariant intact; the next vacuum completes.
// A vacuum makes thousands of store calls, so the failure points are
// spread out: every one of the first 64, then every ~1/16 further.
TEST(HnswPages, FailedVacuumLeavesAValidIndexAndCanBeRepeated) {
  Built b(120, 8, 8);
  auto dead = [](std::uint32_t block, std::uint16_t offset) {
    return ((block - 1) * 100 + offset - 1) % 3 == 0;
  };
  at_each_failure_point(
      b, [](int n) { return n + (n < 64 ? 1 : n / 16); },
      [&](PageIndex& index) {
        HnswVacuumStats stats;
        return index.bulk_delete(dead, &stats);
      },
      [&](int n, const Status& st, const HnswVerifyReport&, MemPageStore* store) {
        if (st.is_ok()) return;
        PageIndex again(store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
        ASSERT_TRUE(again.open().is_ok());
        HnswVacuumStats stats;
        ASSERT_TRUE(again.bulk_delete(dead, &stats).is_ok()) << n;
        HnswVerifyReport report = verify(store);
        EXPECT_EQ(report.violations, 0u) << report.first;
        EXPECT_EQ(report.unreachable, 0u);
      });
}


// Deleting a whole neighbourhood but a few of its rows (as deleting by a
// date or a topic does, which follows the embedding): the survivors lost
// the rows that linked them. Vacuum must link them back in, so every live
// row stays reachable and a search near them finds them.
TEST(HnswPages, VacuumRelinksSurvivorsOfADeletedNeighbourhood) {
  constexpr int kD = 16;
  testdata::ClusteredModel model(kD, 20, 42);
  std::vector<float> rows = model.sample_rows(2000, 1);
  const float* centre = &rows[0];
  std::vector<std::pair<float, std::uint32_t>> by_distance;
  for (std::uint32_t r = 0; r < 2000; ++r) {
    by_distance.emplace_back(kernels().f32.l2sq(centre, &rows[r * kD], kD), r);
  }
  std::sort(by_distance.begin(), by_distance.end());
  std::vector<char> dead_row(2000, 0);
  for (int i = 0; i < 600; ++i) dead_row[by_distance[i].second] = i % 50 != 7;  // 12 survivors

  MemPageStore store;
  write_rows(rows, kD, 8, 32, &store);
  PageIndex index(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
  ASSERT_TRUE(index.open().is_ok());
  auto dead = [&dead_row](std::uint32_t block, std::uint16_t offset) {
    return dead_row[(block - 1) * 100 + offset - 1] != 0;
  };
  HnswVacuumStats stats;
  ASSERT_TRUE(index.bulk_delete(dead, &stats).is_ok());
  EXPECT_EQ(stats.deleted, 588u);
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);
  ::testing::Test::RecordProperty("relinked", std::to_string(stats.relinked));

  // every survivor is found by a search for itself
  std::vector<HnswHit> got;
  for (int i = 7; i < 600; i += 50) {
    std::uint32_t r = by_distance[i].second;
    ASSERT_TRUE(index.search(vref(&rows[r * kD], kD), 1, 40, &got).is_ok());
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ((got[0].heap_block - 1) * 100 + got[0].heap_offset - 1, r);
  }
}


// Vacuum removing the entry point, then everything: the verifier stays
// clean at each stage, and an empty index searches to nothing.
TEST(HnswPages, VacuumOfTheEntryPointAndOfEverything) {
  WrittenIndex w(300, 8, 8);
  ASSERT_TRUE(w.written.is_ok());
  MemPageStore& store = w.store;
  PageIndex& index = w.index;
  ASSERT_TRUE(index.open().is_ok());
  HnswRef entry = index.meta().entry;
  std::uint32_t entry_block = 0;
  std::uint16_t entry_offset = 0;
  ASSERT_TRUE(store.read_item(ref_block(entry), ref_offset(entry), [&](const unsigned char* p, std::size_t) {
    HnswElementHeader h;
    std::memcpy(&h, p, sizeof h);
    entry_block = h.heap_block;
    entry_offset = h.heap_offset;
  }).is_ok());
  HnswVacuumStats stats;
  ASSERT_TRUE(index.bulk_delete([&](std::uint32_t blk, std::uint16_t off) {
    return blk == entry_block && off == entry_offset;
  }, &stats).is_ok());
  EXPECT_EQ(stats.deleted, 1u);
  EXPECT_NE(index.meta().entry, entry);
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_EQ(report.above_entry, 0u);
  EXPECT_TRUE(report.count_matches);

  ASSERT_TRUE(index.bulk_delete([](std::uint32_t, std::uint16_t) { return true; }, &stats).is_ok());
  EXPECT_EQ(stats.deleted, 299u);
  EXPECT_EQ(index.meta().entry, kNoRef);
  report = verify(&store);
  EXPECT_EQ(report.violations, 0u) << report.first;
  EXPECT_EQ(report.unreachable, 0u);
  EXPECT_TRUE(report.count_matches);
  std::vector<HnswHit> got;
  ASSERT_TRUE(index.search(vref(w.b.space.row(0), 8), 5, 40, &got).is_ok());
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace vecsim::core

namespace vecsim::core {
namespace {

// A search whose link cache holds nothing (what an iterative scan's later
// batches come to) reads every list it needs from its page, the greedy
// descent's included: the answer is the one a search caching every list
// gives.
TEST(HnswPages, SearchWithoutCachedLinksAnswersAlike) {
  constexpr int d = 16;
  ClusteredPages data;
  write_clustered(d, 10, 3, 3000, 20, 8, 32, &data);
  const std::vector<float>& queries = data.queries;
  HnswPageContext<MemPageStore> ctx(&data.store, DenseMetric<float>{kernels().f32.l2sq, 1.0f}, true);
  ASSERT_TRUE(ctx.open().is_ok());
  HnswElementReader<MemPageStore> reader(ctx);
  HnswPageSearch<MemPageStore> cached(ctx, reader), uncached(ctx, reader);
  uncached.limit_link_cache(0);
  std::vector<HnswHit> a, b;
  for (int q = 0; q < 20; ++q) {
    ValueRef query = vref(&queries[static_cast<std::size_t>(q) * d], d);
    ASSERT_TRUE(cached.search(query, 10, 40, &a).is_ok());
    ASSERT_TRUE(uncached.search(query, 10, 40, &b).is_ok());
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].ref, b[i].ref);
  }
}

}  // namespace
}  // namespace vecsim::core

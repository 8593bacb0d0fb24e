// test/unit/norm_slack_test.cpp
// The inner-product reduction (graph/norm_slack.h): the link distance is
// the negative dot product of the lifted values (less a constant), its
// term stays exact under a huge bound, the bound grows with headroom and
// stays finite, a serial build under a rising bound stays consistent; a graph
// linked by it finds the largest inner products of values of very
// unequal norms, where one linked by negative inner product alone does
// not; and an index on pages keeps its bound in block 0 and raises it
// when an insert brings a larger value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "../support/hnsw_page_helpers.h"
#include "graph/dense_space.h"
#include "graph/hnsw_graph.h"
#include "graph/hnsw_flavor.h"
#include "graph/hnsw_graph_check.h"
#include "graph/norm_slack.h"
#include "kernels/kernel_table.h"

namespace vecsim::core {
namespace {

constexpr int kDims = 3;

// 3-dim values with components u * u (u uniform): most norms small, a few
// large; the case pgvector tests inner product with.
std::vector<float> skewed_rows(int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> rows(static_cast<std::size_t>(n) * kDims);
  for (float& x : rows) x = u(rng) * u(rng);
  return rows;
}

std::vector<float> uniform_rows(int n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> rows(static_cast<std::size_t>(n) * kDims);
  for (float& x : rows) x = u(rng);
  return rows;
}

float dot(const float* a, const float* b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

DenseSpace<float> ip_space(bool reduce) {
  const KernelTable& t = kernels();
  DenseSpace<float> space(kDims, t.f32.dot, t.f32_batch4.dot, -1.0f);
  if (reduce) space.reduce_inner_product();
  return space;
}

TEST(NormSlack, LinkDistanceIsTheLiftedValuesNegativeDot) {
  std::vector<float> rows = skewed_rows(200, 1);
  DenseSpace<float> space = ip_space(true);
  for (int i = 0; i < 200; ++i) space.add(&rows[static_cast<std::size_t>(i) * kDims]);
  const float bound = space.norm_bound_sq();
  float largest = 0;
  for (int i = 0; i < 200; ++i) largest = std::max(largest, dot(&rows[i * kDims], &rows[i * kDims]));
  EXPECT_GE(bound, largest);
  EXPECT_LE(bound, largest * kNormBoundGrowth * 1.0001f);
  // lifted by half: (x, sqrt((B - |x|^2) / 2)), in double
  auto lifted = [&](int i, double out[4]) {
    const float* x = &rows[static_cast<std::size_t>(i) * kDims];
    for (int k = 0; k < kDims; ++k) out[k] = x[k];
    out[3] = std::sqrt(kLiftShare * std::max(0.0, static_cast<double>(bound) - dot(x, x)));
  };
  for (int a = 0; a < 200; a += 7) {
    for (int b = 0; b < 200; b += 11) {
      double xa[4], xb[4];
      lifted(a, xa);
      lifted(b, xb);
      double lifted_dot = 0;
      for (int k = 0; k < 4; ++k) lifted_dot += xa[k] * xb[k];
      // the link distance is -<a', b'> less the constant kLiftShare * B
      EXPECT_NEAR(-lifted_dot + kLiftShare * bound,
                  space.distance(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b)), 1e-5);
    }
  }
  // A user's query is ranked by the operator: -<q, x>.
  float q[3] = {0.3f, 0.9f, 0.1f};
  EXPECT_FLOAT_EQ(space.distance_to(q, 5), -dot(q, &rows[5 * kDims]));
}

// One outlier makes the bound a million times the other norms: the link
// term still tells their inner products apart (computed as s(x) s(y) in
// float, the term's rounding, about 0.06 there, would swamp them).
TEST(NormSlack, LinkTermKeepsSmallValuesApartUnderAHugeBound) {
  const float bound = 1.2e6f;
  for (float a : {0.5f, 1.0f, 2.0f}) {
    for (float b : {0.25f, 1.5f}) {
      const double exact = -kLiftShare * (std::sqrt((1.2e6 - a) * (1.2e6 - b)) - 1.2e6);
      EXPECT_NEAR(link_term(bound, a, b), exact, 1e-6 * std::fabs(exact) + 1e-9);
    }
  }
  EXPECT_GT(link_term(bound, 1.0f, 1.0f), link_term(bound, 1.0f, 0.5f));  // the lifted coordinates of smaller norms are nearer
  EXPECT_EQ(link_term(0.0f, 1.0f, 1.0f), 0.0f);                           // no bound, no term
  EXPECT_TRUE(std::isfinite(link_term(bound, INFINITY, 1.0f)));            // above the bound: on it
}

TEST(NormSlack, BoundGrowsByHeadroomAndStaysFinite) {
  NodeNorms norms;
  norms.enable();
  int raises = 0;
  float last = 0;
  for (int i = 1; i <= 10000; ++i) {  // ever larger norms: the worst order
    norms.add(static_cast<float>(i));
    if (norms.bound_sq() != last) ++raises;
    last = norms.bound_sq();
    EXPECT_GE(norms.bound_sq(), static_cast<float>(i));
  }
  EXPECT_LT(raises, 60);  // log base 1.21 of 10,000 is about 48
  norms.add(INFINITY);  // a norm that overflowed float raises nothing
  EXPECT_EQ(norms.bound_sq(), last);
  norms.add(3e38f);  // 1.21 times it overflows: the bound stays finite
  EXPECT_EQ(norms.bound_sq(), FLT_MAX);
}

// A serial build whose bound rises while it runs (values in ascending
// norm) keeps its lists' distances and heuristic parts consistent: the
// graph measures them again when the bound changes.
TEST(NormSlack, SerialBuildUnderARisingBoundStaysConsistent) {
  std::vector<float> rows = skewed_rows(3000, 9);
  std::vector<int> order(3000);
  for (int i = 0; i < 3000; ++i) order[static_cast<std::size_t>(i)] = i;
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return dot(&rows[a * kDims], &rows[a * kDims]) < dot(&rows[b * kDims], &rows[b * kDims]);
  });
  DenseSpace<float> space = ip_space(true);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{8, 32, 7});
  float bound = 0;
  int raises = 0;
  for (int i : order) {
    std::uint32_t node = space.add(&rows[static_cast<std::size_t>(i) * kDims]);
    raises += space.norm_bound_sq() != bound;
    bound = space.norm_bound_sq();
    graph.insert(node);
  }
  EXPECT_GT(raises, 5);
  EXPECT_EQ(check_hnsw_invariants(graph), 0u);
  EXPECT_EQ(check_hnsw_heuristic_parts(graph, space), 0u);
  // every kept distance is the link distance under the final bound
  std::size_t stale = 0;
  for (std::uint32_t n = 0; n < 3000; ++n) {
    int len = 0;
    const std::uint32_t* ids = graph.neighbors(n, 0, &len);
    const float* dist = graph.link_distances(n, 0);
    for (int k = 0; k < len; ++k) stale += dist[k] != space.distance(n, ids[k]);
  }
  EXPECT_EQ(stale, 0u);
}

// recall@20 at ef 40 of a graph over skewed rows, for uniform queries.
double skewed_recall(bool reduce, std::size_t* unlinked) {
  const int n = 10000;
  std::vector<float> rows = skewed_rows(n, 42);
  std::vector<float> queries = uniform_rows(50, 43);
  DenseSpace<float> space = ip_space(reduce);
  DenseSpace<float> plain = ip_space(false);
  for (int i = 0; i < n; ++i) {
    space.add(&rows[static_cast<std::size_t>(i) * kDims]);
    plain.add(&rows[static_cast<std::size_t>(i) * kDims]);
  }
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{16, 64, 7});
  for (int i = 0; i < n; ++i) graph.insert(static_cast<std::uint32_t>(i));
  graph.ensure_reachable();
  EXPECT_EQ(check_hnsw_invariants(graph), 0u);
  *unlinked = hnsw_unlinked_count(graph);
  std::size_t hits = 0;
  std::vector<Candidate> got;
  for (int q = 0; q < 50; ++q) {
    const float* query = &queries[static_cast<std::size_t>(q) * kDims];
    std::vector<Candidate> exact;
    for (int i = 0; i < n; ++i) exact.push_back(Candidate{plain.distance_to(query, i), static_cast<std::uint32_t>(i)});
    std::partial_sort(exact.begin(), exact.begin() + 20, exact.end(), Closer());
    graph.search(query, 20, 40, &got);
    for (int i = 0; i < 20; ++i) {
      for (const Candidate& g : got) hits += g.node == exact[i].node;
    }
  }
  return static_cast<double>(hits) / (50 * 20);
}

TEST(NormSlack, GraphFindsLargestInnerProductsOfUnequalNorms) {
  std::size_t unlinked = 0;
  const double reduced = skewed_recall(true, &unlinked);
  EXPECT_GE(reduced, 0.97);  // seen: 1.0
  EXPECT_EQ(unlinked, 0u);
  const double plain = skewed_recall(false, &unlinked);
  EXPECT_LT(plain, 0.9);  // seen: 0.75; the reduction is what makes the difference
  RecordProperty("recall_reduced", std::to_string(reduced));
  RecordProperty("recall_plain", std::to_string(plain));
}

TEST(NormSlack, PagesKeepTheBoundAndInsertsRaiseIt) {
  std::vector<float> rows = skewed_rows(500, 7);
  DenseSpace<float> space = ip_space(true);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{8, 32, 7});
  for (int i = 0; i < 500; ++i) graph.insert(space.add(&rows[static_cast<std::size_t>(i) * kDims]));
  MemPageStore store;
  std::vector<HnswRef> refs;
  auto data = [&space](std::uint32_t node) {
    return HnswNodeData{space.row(node), sizeof(float) * kDims, node / 100 + 1, static_cast<std::uint16_t>(node % 100 + 1)};
  };
  const HnswNormBound bound{space.norm_bound_sq()};
  ASSERT_TRUE(write_hnsw(graph, 500, data, 8, 32, kDims, &store, &refs, &bound).is_ok());
  AnyMetric metric(DenseMetric<float>{kernels().f32.dot, -1.0f}, kernels().f32_batch4.dot);
  PageIndex index(&store, metric);
  ASSERT_TRUE(index.open().is_ok());
  auto stored_bound = [&store] {
    float b = -1;
    EXPECT_TRUE(store.read_item(0, kHnswNormBoundItem, [&](const unsigned char* p, std::size_t n) {
      if (n >= sizeof b) std::memcpy(&b, p, sizeof b);
    }).is_ok());
    return b;
  };
  EXPECT_EQ(stored_bound(), bound.bound_sq);
  // a value inside the bound leaves it; a larger one raises it
  float small[3] = {0.1f, 0.1f, 0.1f};
  float large[3] = {3.0f, 2.0f, 1.0f};
  HnswRef ref;
  ASSERT_TRUE(index.insert(vref(small, kDims), 90, 1, &ref).is_ok());
  EXPECT_EQ(stored_bound(), bound.bound_sq);
  ASSERT_TRUE(index.insert(vref(large, kDims), 90, 2, &ref).is_ok());
  EXPECT_FLOAT_EQ(stored_bound(), 14.0f * kNormBoundGrowth);
  HnswVerifyReport report = verify(&store);
  EXPECT_EQ(report.violations, 0u);
  EXPECT_EQ(report.unreachable, 0u);
  // a bound that is not a number is reported (M2)
  bool changed = false;
  ASSERT_TRUE(store.update_item(0, kHnswNormBoundItem, [](unsigned char* p, std::size_t) {
    const float nan = NAN;
    std::memcpy(p, &nan, sizeof nan);
    return true;
  }, &changed).is_ok());
  EXPECT_EQ(verify(&store).violations, 1u);
  ASSERT_TRUE(store.update_item(0, kHnswNormBoundItem, [](unsigned char* p, std::size_t) {
    const float fine = 20.0f;
    std::memcpy(p, &fine, sizeof fine);
    return true;
  }, &changed).is_ok());
  EXPECT_EQ(verify(&store).violations, 0u);
  ASSERT_TRUE(index.open().is_ok());
  // the largest value answers a query along it
  std::vector<HnswHit> got;
  ASSERT_TRUE(index.search(vref(large, kDims), 1, 40, &got).is_ok());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].heap_block, 90u);
  EXPECT_EQ(got[0].heap_offset, 2u);
}

// Only the inner-product opclasses link by the reduction (cosine's values
// are normalised; L2, L1 and bit are metrics already).
TEST(NormSlack, OnlyInnerProductOpclassesReduce) {
  const struct {
    ValueKind kind;
    IndexMetric metric;
  } cases[] = {{ValueKind::kVector, IndexMetric::kL2},       {ValueKind::kVector, IndexMetric::kInnerProduct},
               {ValueKind::kVector, IndexMetric::kCosine},   {ValueKind::kVector, IndexMetric::kL1},
               {ValueKind::kHalfvec, IndexMetric::kInnerProduct}, {ValueKind::kHalfvec, IndexMetric::kCosine},
               {ValueKind::kSparse, IndexMetric::kInnerProduct},  {ValueKind::kSparse, IndexMetric::kL2},
               {ValueKind::kBit, IndexMetric::kHamming},     {ValueKind::kBit, IndexMetric::kJaccard}};
  for (const auto& c : cases) {
    const bool reduces = with_hnsw_flavor(IndexOpclass{c.kind, c.metric},
                                          [](auto flavor) { return flavor.make_space(4).reduces_inner_product(); });
    EXPECT_EQ(reduces, c.metric == IndexMetric::kInnerProduct)
        << static_cast<int>(c.kind) << " " << static_cast<int>(c.metric);
  }
}

}  // namespace
}  // namespace vecsim::core

// test/unit/scorer_test.cpp
// AnyMetric gives each opclass's distance exactly as the policy it wraps
// (the hnsw page graph and the coming IVF scans depend on it), and a
// Scorer's batches agree with its single scores: exactly for the kinds
// without a batched kernel, within the kernels' float tolerance (1e-5
// relative) where a batched kernel sums in another order. Every kind
// and metric is covered, with the flavor the hnsw AM builds for it, on
// every ISA level this CPU has.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "graph/hnsw_flavor.h"
#include "index/scorer.h"

namespace vecsim::core {
namespace {

// Index values of one kind: n random values of dims dimensions, as bytes.
std::vector<std::vector<unsigned char>> values_of(ValueKind kind, int n, int dims, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<std::vector<unsigned char>> out;
  for (int i = 0; i < n; ++i) {
    std::vector<unsigned char> v;
    if (kind == ValueKind::kVector) {
      v.resize(dims * sizeof(float));
      for (int j = 0; j < dims; ++j) {
        float x = u(rng);
        std::memcpy(v.data() + j * sizeof(float), &x, sizeof x);
      }
    } else if (kind == ValueKind::kHalfvec) {
      v.resize(dims * sizeof(Half));
      for (int j = 0; j < dims; ++j) {
        Half h;
        EXPECT_TRUE(float_to_half(u(rng), &h)) << "in range";
        std::memcpy(v.data() + j * sizeof(Half), &h, sizeof h);
      }
    } else if (kind == ValueKind::kSparse) {
      std::vector<std::int32_t> idx;
      std::vector<float> val;
      for (int j = 0; j < dims; ++j) {
        if (rng() % 3 == 0) {
          idx.push_back(j);
          val.push_back(u(rng) + 2.0f);  // never 0
        }
      }
      SparseValueHeader h{dims, static_cast<std::int32_t>(idx.size()), 0};
      v.resize(sparse_value_size(h.nnz));
      std::memcpy(v.data(), &h, sizeof h);
      std::memcpy(v.data() + sizeof h, idx.data(), idx.size() * 4);
      std::memcpy(v.data() + sizeof h + idx.size() * 4, val.data(), val.size() * 4);
    } else {
      v.resize((dims + 7) / 8);
      for (auto& b : v) b = static_cast<unsigned char>(rng());
    }
    out.push_back(std::move(v));
  }
  return out;
}

ValueRef as_value(const std::vector<unsigned char>& v) { return ValueRef{v.data(), v.size()}; }

struct Case {
  ValueKind kind;
  IndexMetric metric;
};

// The opclass's distance through its policy of value_metrics.h, built here
// from the active kernel table (not through the flavor under test).
float policy_distance(IndexOpclass oc, ValueRef a, ValueRef b) {
  const KernelTable& k = kernels();
  const float sign = orders_by_dot(oc.metric) ? -1.0f : 1.0f;
  switch (oc.kind) {
    case ValueKind::kVector:
      return DenseMetric<float>{float_metric_kernel(k.f32, oc.metric), sign}.distance(a, b);
    case ValueKind::kHalfvec:
      return DenseMetric<Half>{float_metric_kernel(k.f16, oc.metric), sign}.distance(a, b);
    case ValueKind::kSparse:
      return SparseMetric{float_metric_kernel(k.sparse, oc.metric), sign}.distance(a, b);
    case ValueKind::kBit:
      break;
  }
  if (oc.metric == IndexMetric::kJaccard) return JaccardMetric{k.bit.jaccard}.distance(a, b);
  return HammingMetric{k.bit.hamming}.distance(a, b);
}

class ScorerTest : public ::testing::TestWithParam<Case> {};

TEST_P(ScorerTest, AgreesWithThePolicyAndBatchesWithSingles) {
  const Case c = GetParam();
  const IndexOpclass oc{c.kind, c.metric};
  const int dims = c.kind == ValueKind::kBit ? 200 : 37;  // odd: kernels' tails
  auto values = values_of(c.kind, 23, dims, 7);
  const IsaLevel before = kernels().level;
  for (int level = 0; level <= static_cast<int>(detect_isa_level()); ++level) {
    install_kernels(static_cast<IsaLevel>(level));
    SCOPED_TRACE(isa_name(kernels().level));
    with_hnsw_flavor(oc, [&](const auto& flavor) {
      const AnyMetric any = flavor.any_metric();
      for (const auto& a : values) {
        for (const auto& b : values) {
          EXPECT_EQ(any.distance(as_value(a), as_value(b)), policy_distance(oc, as_value(a), as_value(b)));
        }
      }
      Scorer scorer(any);
      scorer.prepare(as_value(values[0]));
      std::vector<ValueRef> rows;
      for (const auto& v : values) rows.push_back(as_value(v));
      std::vector<float> batch(rows.size());
      scorer.score_batch(rows.data(), rows.size(), batch.data());
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const float single = scorer.score(rows[i]);
        EXPECT_NEAR(batch[i], single, 1e-5f * (1.0f + std::fabs(single))) << "row " << i;
      }
      // A value scores the same, bit for bit, wherever it falls in a batch
      // (a full group of four or the last, shorter one): an IVF scan that
      // reads a list again must see every row at the same distance.
      for (std::size_t skip = 1; skip < 4; ++skip) {
        std::vector<float> shifted(rows.size() - skip);
        scorer.score_batch(rows.data() + skip, rows.size() - skip, shifted.data());
        for (std::size_t i = 0; i < shifted.size(); ++i) {
          EXPECT_EQ(shifted[i], batch[i + skip]) << "row " << i + skip << " shifted by " << skip;
        }
      }
    });
  }
  install_kernels(before);
}

INSTANTIATE_TEST_SUITE_P(
    EveryOpclass, ScorerTest,
    ::testing::Values(Case{ValueKind::kVector, IndexMetric::kL2}, Case{ValueKind::kVector, IndexMetric::kInnerProduct},
                      Case{ValueKind::kVector, IndexMetric::kCosine}, Case{ValueKind::kVector, IndexMetric::kL1},
                      Case{ValueKind::kHalfvec, IndexMetric::kL2}, Case{ValueKind::kHalfvec, IndexMetric::kInnerProduct},
                      Case{ValueKind::kHalfvec, IndexMetric::kL1}, Case{ValueKind::kSparse, IndexMetric::kL2},
                      Case{ValueKind::kSparse, IndexMetric::kInnerProduct}, Case{ValueKind::kSparse, IndexMetric::kL1},
                      Case{ValueKind::kBit, IndexMetric::kHamming}, Case{ValueKind::kBit, IndexMetric::kJaccard}));

}  // namespace
}  // namespace vecsim::core

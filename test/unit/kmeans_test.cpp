// test/unit/kmeans_test.cpp
// The ivfflat build's arithmetic: the matrix-product kernel against a
// plain triple loop on every ISA level this CPU has; nearest-centre
// assignment against a brute-force scan; k-means against the optimum
// found by trying every partition of small data; the spherical and
// Hamming variants; empty clusters; fewer samples than centres; cancel;
// and the same answer from one thread and from two.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "ivf/kmeans.h"
#include "kernels/kernel_table.h"
#include "../support/clustered_data.h"

namespace vecsim::core {
namespace {

std::vector<const KernelTable*> tables() {
  std::vector<const KernelTable*> out;
  for (IsaLevel l : {IsaLevel::kScalar, IsaLevel::kX86V3, IsaLevel::kX86V4}) {
    if (l <= detect_isa_level()) out.push_back(&kernel_table_for(l));
  }
  return out;
}

TEST(PanelKernel, MatchesATripleLoopOnEveryLevel) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1, 1);
  for (const KernelTable* t : tables()) {
    for (std::size_t rows : {1, 3, 4, 5, 9}) {
      for (std::size_t d : {1, 3, 17, 130}) {
        for (std::size_t ldb : {16, 32, 48}) {
          std::vector<float> a(rows * d), bt(d * ldb), c(rows * ldb, -1);
          for (float& x : a) x = u(rng);
          for (float& x : bt) x = u(rng);
          t->panel.dot_f32(a.data(), rows, d, bt.data(), ldb, c.data());
          for (std::size_t i = 0; i < rows; ++i) {
            for (std::size_t j = 0; j < ldb; ++j) {
              double want = 0;
              for (std::size_t k = 0; k < d; ++k) want += double(a[i * d + k]) * bt[k * ldb + j];
              ASSERT_NEAR(c[i * ldb + j], want, 1e-4 * (1 + std::abs(want)))
                  << isa_name(t->level) << " rows " << rows << " d " << d << " ldb " << ldb;
            }
          }
        }
      }
    }
  }
}

double l2sq(const float* a, const float* b, std::size_t d) {
  double s = 0;
  for (std::size_t t = 0; t < d; ++t) s += double(a[t] - b[t]) * (a[t] - b[t]);
  return s;
}

double dot(const float* a, const float* b, std::size_t d) {
  double s = 0;
  for (std::size_t t = 0; t < d; ++t) s += double(a[t]) * b[t];
  return s;
}

TEST(DenseAssigner, FindsTheNearestCentreAsABruteForceScanDoes) {
  const std::size_t d = 37, k = 53, n = 300;
  std::mt19937 rng(3);
  std::normal_distribution<float> g;
  std::vector<float> centres(k * d), rows(n * d);
  for (float& x : centres) x = g(rng);
  for (float& x : rows) x = g(rng);
  for (bool spherical : {false, true}) {
    DenseAssigner a;
    ASSERT_TRUE(a.prepare(centres.data(), k, d, spherical).is_ok());
    std::vector<std::uint32_t> list(n);
    KMeansOptions o;
    o.threads = 2;
    ASSERT_TRUE(a.assign(rows.data(), n, list.data(), nullptr, o).is_ok());
    for (std::size_t i = 0; i < n; ++i) {
      double best_key = std::numeric_limits<double>::infinity();
      for (std::size_t c = 0; c < k; ++c) {
        double key = spherical ? -dot(&rows[i * d], &centres[c * d], d) : l2sq(&rows[i * d], &centres[c * d], d);
        best_key = std::min(best_key, key);
      }
      double got = spherical ? -dot(&rows[i * d], &centres[list[i] * d], d)
                             : l2sq(&rows[i * d], &centres[list[i] * d], d);
      EXPECT_NEAR(got, best_key, 1e-3) << "row " << i << " spherical " << spherical;
    }
  }
}

// The least within-cluster sum of squares over every partition of the
// samples into k non-empty clusters (k^n partitions: small data only).
double optimal_inertia(const std::vector<float>& x, std::size_t n, std::size_t d, std::size_t k) {
  double best = std::numeric_limits<double>::infinity();
  std::vector<std::size_t> label(n, 0);
  for (;;) {
    std::vector<double> sum(k * d, 0);
    std::vector<std::size_t> count(k, 0);
    for (std::size_t i = 0; i < n; ++i) {
      ++count[label[i]];
      for (std::size_t t = 0; t < d; ++t) sum[label[i] * d + t] += x[i * d + t];
    }
    double inertia = 0;
    bool all = true;
    for (std::size_t c = 0; c < k; ++c) all &= count[c] > 0;
    if (all) {
      for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t t = 0; t < d; ++t) {
          double m = sum[label[i] * d + t] / count[label[i]];
          inertia += (x[i * d + t] - m) * (x[i * d + t] - m);
        }
      }
      best = std::min(best, inertia);
    }
    std::size_t i = 0;
    while (i < n && ++label[i] == k) label[i++] = 0;
    if (i == n) return best;
  }
}

double inertia_of(const std::vector<float>& x, std::size_t n, std::size_t d, const std::vector<float>& centres,
                  std::size_t k) {
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < k; ++c) best = std::min(best, l2sq(&x[i * d], &centres[c * d], d));
    total += best;
  }
  return total;
}

TEST(KMeansDense, ReachesTheOptimumOfSmallSeparatedData) {
  const std::size_t n = 11, d = 2, k = 3;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    std::mt19937 rng(static_cast<std::uint32_t>(seed));
    std::normal_distribution<float> g(0, 0.3f);
    std::vector<float> x(n * d);
    const float centre[3][2] = {{0, 0}, {5, 1}, {-2, 6}};
    for (std::size_t i = 0; i < n; ++i) {
      x[i * d] = centre[i % 3][0] + g(rng);
      x[i * d + 1] = centre[i % 3][1] + g(rng);
    }
    KMeansOptions o;
    o.k = k;
    o.seed = seed;
    std::vector<float> centres(k * d);
    KMeansReport report;
    ASSERT_TRUE(kmeans_dense(x.data(), n, d, o, centres.data(), &report).is_ok());
    EXPECT_NEAR(inertia_of(x, n, d, centres, k), optimal_inertia(x, n, d, k), 1e-3) << "seed " << seed;
  }
}

TEST(KMeansDense, SeparatesAClusteredMixtureAndIsTheSameOnTwoThreads) {
  testdata::ClusteredModel model(24, 8, 11);
  const std::size_t n = 4000, d = 24, k = 8;
  std::vector<float> x = model.sample_rows(n, 5);
  std::vector<float> one(k * d), two(k * d);
  KMeansOptions o;
  o.k = k;
  KMeansReport report;
  ASSERT_TRUE(kmeans_dense(x.data(), n, d, o, one.data(), &report).is_ok());
  EXPECT_GE(report.iterations, 2);
  o.threads = 2;
  ASSERT_TRUE(kmeans_dense(x.data(), n, d, o, two.data(), &report).is_ok());
  EXPECT_EQ(one, two);
  // Far better than k random samples as centres.
  std::vector<float> random_centres(x.begin(), x.begin() + k * d);
  EXPECT_LT(inertia_of(x, n, d, one, k), 0.8 * inertia_of(x, n, d, random_centres, k));
}

TEST(KMeansDense, SphericalCentresHaveNormOne) {
  testdata::ClusteredModel model(16, 6, 2);
  const std::size_t n = 1200, d = 16, k = 6;
  std::vector<float> x = model.sample_rows(n, 9);
  for (std::size_t i = 0; i < n; ++i) {
    double norm = std::sqrt(dot(&x[i * d], &x[i * d], d));
    for (std::size_t t = 0; t < d; ++t) x[i * d + t] = static_cast<float>(x[i * d + t] / norm);
  }
  KMeansOptions o;
  o.k = k;
  o.spherical = true;
  std::vector<float> c(k * d);
  KMeansReport report;
  ASSERT_TRUE(kmeans_dense(x.data(), n, d, o, c.data(), &report).is_ok());
  for (std::size_t j = 0; j < k; ++j) EXPECT_NEAR(dot(&c[j * d], &c[j * d], d), 1.0, 1e-4);
}

// A mixture made like the regression tests' (00_setup.sql's
// clustered_rows, with indices from 0 here): 20 clusters in 16 dimensions
// around sin(c * 12.9898 + j * 78.233), noise of width 0.3, normalised;
// 20 spherical centres. Some clusters lie at small angles from each
// other. Plain k-means++ seeding (one draw per centre) ended in a poor
// local optimum, a spherical cost (the sum of 1 - cos over the samples)
// 20-78% above the best seed's, for about one seed in three (100 of 300
// seeds); on the regression tests' own data, ivfflat_recall.sql's recall
// fell to 0.935 in 2 builds of 200. Greedy seeding (4 candidates) did so
// for 1 seed of 300 (21% above): at most 2 of the 100 here.
TEST(KMeansDense, GreedySeedingAvoidsPoorOptimaOnNearbyClusters) {
  const std::size_t k = 20, per_cluster = 150, n = k * per_cluster, d = 16;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> noise(-0.15f, 0.15f);
  std::vector<float> x(n * d);
  for (std::size_t i = 0; i < n; ++i) {
    double norm = 0;
    for (std::size_t t = 0; t < d; ++t) {
      float& v = x[i * d + t];
      v = static_cast<float>(std::sin(static_cast<double>(i % k) * 12.9898 + static_cast<double>(t) * 78.233)) +
          noise(rng);
      norm += static_cast<double>(v) * v;
    }
    for (std::size_t t = 0; t < d; ++t) x[i * d + t] = static_cast<float>(x[i * d + t] / std::sqrt(norm));
  }
  std::vector<double> cost;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    KMeansOptions o;
    o.k = k;
    o.spherical = true;
    o.seed = seed;
    std::vector<float> centres(k * d);
    KMeansReport report;
    ASSERT_TRUE(kmeans_dense(x.data(), n, d, o, centres.data(), &report).is_ok());
    DenseAssigner assigner;
    std::vector<std::uint32_t> list(n);
    std::vector<float> score(n);  // minus the largest dot product
    ASSERT_TRUE(assigner.prepare(centres.data(), k, d, true).is_ok());
    ASSERT_TRUE(assigner.assign(x.data(), n, list.data(), score.data(), o).is_ok());
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += 1.0 + score[i];
    cost.push_back(sum);
  }
  const double best = *std::min_element(cost.begin(), cost.end());
  const auto poor = std::count_if(cost.begin(), cost.end(), [&](double c) { return c > 1.1 * best; });
  EXPECT_LE(poor, 2) << "best cost " << best;
}

TEST(KMeansDense, EveryCentreGetsMembersWhenThereAreKDistinctSamples) {
  // 6 distinct points, each 5 times: k-means++ never picks a point twice
  // (its weight is 0), and any centre left empty is re-seeded.
  const std::size_t d = 3, k = 6;
  std::vector<float> x;
  for (int rep = 0; rep < 5; ++rep) {
    for (int p = 0; p < 6; ++p) x.insert(x.end(), {float(p), float(p * p % 5), float(p % 2)});
  }
  const std::size_t n = x.size() / d;
  KMeansOptions o;
  o.k = k;
  std::vector<float> c(k * d);
  KMeansReport report;
  ASSERT_TRUE(kmeans_dense(x.data(), n, d, o, c.data(), &report).is_ok());
  EXPECT_NEAR(inertia_of(x, n, d, c, k), 0.0, 1e-9);
}

TEST(KMeansDense, FewerSamplesThanCentresKeepsTheSamplesAndAddsRandomUnitCentres) {
  const std::size_t d = 4, k = 5;
  std::vector<float> x = {1, 0, 0, 0, 0, 1, 0, 0};
  KMeansOptions o;
  o.k = k;
  o.spherical = true;
  std::vector<float> c(k * d);
  KMeansReport report;
  ASSERT_TRUE(kmeans_dense(x.data(), 2, d, o, c.data(), &report).is_ok());
  EXPECT_EQ(std::vector<float>(c.begin(), c.begin() + 8), x);
  for (std::size_t j = 2; j < k; ++j) EXPECT_NEAR(dot(&c[j * d], &c[j * d], d), 1.0, 1e-5);
  ASSERT_TRUE(kmeans_dense(x.data(), 0, d, o, c.data(), &report).is_ok());  // an empty table
}

TEST(KMeansDense, StopsWhenAskedTo) {
  testdata::ClusteredModel model(8, 4, 1);
  std::vector<float> x = model.sample_rows(5000, 1);
  KMeansOptions o;
  o.k = 50;
  o.threads = 2;
  int calls = 0;
  o.stop = [](void* arg) { return ++*static_cast<int*>(arg) > 3; };
  o.stop_arg = &calls;
  std::vector<float> c(o.k * 8);
  KMeansReport report;
  Status st = kmeans_dense(x.data(), 5000, 8, o, c.data(), &report);
  EXPECT_EQ(st.code(), ErrorCode::kCancelled);
}

TEST(KMeansBits, CentresAreTheMajorityOfSeparatedGroups) {
  const std::size_t bits = 61, bytes = 8, k = 3, per = 40;
  std::mt19937_64 rng(4);
  std::vector<std::uint8_t> base(k * bytes);
  for (auto& b : base) b = static_cast<std::uint8_t>(rng());
  for (std::size_t c = 0; c < k; ++c) base[c * bytes + bytes - 1] &= 0xF8;  // 61 bits: 3 unused
  std::vector<std::uint8_t> x;
  for (std::size_t i = 0; i < k * per; ++i) {
    std::vector<std::uint8_t> v(base.begin() + (i % k) * bytes, base.begin() + (i % k + 1) * bytes);
    for (int flip = 0; flip < 4; ++flip) {  // 4 of 61 bits flipped: far below the groups' distance
      std::size_t b = rng() % bits;
      v[b / 8] ^= static_cast<std::uint8_t>(0x80u >> (b % 8));
    }
    x.insert(x.end(), v.begin(), v.end());
  }
  KMeansOptions o;
  o.k = k;
  std::vector<std::uint8_t> c(k * bytes);
  KMeansReport report;
  ASSERT_TRUE(kmeans_bits(x.data(), k * per, bytes, bits, o, c.data(), &report).is_ok());
  for (std::size_t g = 0; g < k; ++g) {
    bool found = false;
    for (std::size_t j = 0; j < k; ++j) {
      found |= std::equal(c.begin() + j * bytes, c.begin() + (j + 1) * bytes, base.begin() + g * bytes);
    }
    EXPECT_TRUE(found) << "group " << g;
  }
  std::vector<std::uint32_t> list(k * per), dist(k * per);
  ASSERT_TRUE(assign_bits(c.data(), k, bytes, x.data(), k * per, list.data(), dist.data(), o).is_ok());
  for (std::size_t i = 0; i < k * per; ++i) {
    EXPECT_EQ(list[i], list[i % k]);
    EXPECT_LE(dist[i], 4u);
  }
}

TEST(KMeansBits, RandomCentresKeepUnusedBitsZero) {
  const std::size_t bits = 13, bytes = 2, k = 6;
  std::vector<std::uint8_t> x = {0xFF, 0xF8};
  KMeansOptions o;
  o.k = k;
  std::vector<std::uint8_t> c(k * bytes);
  KMeansReport report;
  ASSERT_TRUE(kmeans_bits(x.data(), 1, bytes, bits, o, c.data(), &report).is_ok());
  for (std::size_t j = 0; j < k; ++j) EXPECT_EQ(c[j * bytes + 1] & 0x07, 0) << "centre " << j;
}

}  // namespace
}  // namespace vecsim::core

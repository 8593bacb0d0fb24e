// test/unit/neighbor_selection_test.cpp
// The neighbour-selection heuristic (graph/neighbor_selection.h): on points
// of the plane, where the right choice can be worked out by hand, and the
// batched path (Pairs::kBatch4) against one-at-a-time over many random
// candidate sets: the same kept lists, and batching really used.
//
// The batched test's four() calls the same distance function as one(), so
// any difference comes from the order or the early exit of the loop, not
// from float rounding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "graph/neighbor_selection.h"

namespace vecsim::core {
namespace {

struct Point {
  float x, y;
};

float squared_distance(const Point& a, const Point& b) {
  return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y);
}

// Candidates for base `base` among points (all but base), nearest first.
std::vector<Candidate> sorted_candidates(const std::vector<Point>& points, std::uint32_t base) {
  std::vector<Candidate> out;
  for (std::uint32_t i = 0; i < points.size(); ++i) {
    if (i != base) out.push_back(Candidate{squared_distance(points[base], points[i]), i});
  }
  std::sort(out.begin(), out.end(), Closer{});
  return out;
}

struct CountingPairs {
  static constexpr bool kBatch4 = true;
  const std::vector<Point>* points;
  int* ones;
  int* fours;
  float one(std::uint32_t a, std::uint32_t b) {
    ++*ones;
    return squared_distance((*points)[a], (*points)[b]);
  }
  void four(std::uint32_t a, const std::uint32_t* b, float* out) {
    ++*fours;
    for (int i = 0; i < 4; ++i) out[i] = squared_distance((*points)[a], (*points)[b[i]]);
  }
};

std::vector<std::uint32_t> nodes(const std::vector<Candidate>& kept) {
  std::vector<std::uint32_t> out;
  for (const Candidate& c : kept) out.push_back(c.node);
  return out;
}

// The nodes the heuristic keeps for sorted, one distance at a time.
std::vector<std::uint32_t> select_one_at_a_time(const std::vector<Point>& points,
                                                const std::vector<Candidate>& sorted, int m,
                                                bool fill) {
  std::vector<Candidate> kept;
  select_diverse(sorted, m,
                 one_at_a_time([&](std::uint32_t a, std::uint32_t b) {
                   return squared_distance(points[a], points[b]);
                 }),
                 &kept, fill);
  return nodes(kept);
}

// Base at the origin; two points east (the farther one behind the nearer
// one), one north, one west.
const std::vector<Point> kCompass = {{0, 0}, {1, 0}, {2, 0.1f}, {0, 1.5f}, {-2, 0}};

TEST(NeighborSelection, KeepsOneNodePerDirection) {
  EXPECT_EQ(select_one_at_a_time(kCompass, sorted_candidates(kCompass, 0), 4, false),
            (std::vector<std::uint32_t>{1, 3, 4}));
}

TEST(NeighborSelection, FillTopsUpWithTheNearestPassedOver) {
  EXPECT_EQ(select_one_at_a_time(kCompass, sorted_candidates(kCompass, 0), 4, true),
            (std::vector<std::uint32_t>{1, 3, 4, 2}));
}

TEST(NeighborSelection, BatchedChoosesExactlyWhatOneAtATimeChooses) {
  std::mt19937 rng(7);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  int batched_calls = 0;
  for (int trial = 0; trial < 300; ++trial) {
    // Clustered points, so that some candidates survive many kept ones and
    // some are rejected early; a few exact duplicates exercise the cap.
    std::vector<Point> points;
    for (int c = 0; c < 6; ++c) {
      Point centre{gauss(rng) * 5, gauss(rng) * 5};
      for (int i = 0; i < 12; ++i) points.push_back({centre.x + gauss(rng), centre.y + gauss(rng)});
    }
    for (int i = 0; i < 6; ++i) points.push_back(points[static_cast<std::size_t>(i * 7)]);
    const std::uint32_t base = static_cast<std::uint32_t>(trial % points.size());
    std::vector<Candidate> sorted = sorted_candidates(points, base);
    for (int m : {4, 16, 32}) {
      for (bool fill : {false, true}) {
        std::vector<Candidate> batched;
        int ones = 0, fours = 0;
        select_diverse(sorted, m, CountingPairs{&points, &ones, &fours}, &batched, fill);
        ASSERT_EQ(select_one_at_a_time(points, sorted, m, fill), nodes(batched))
            << "trial " << trial << " m " << m;
        batched_calls += fours;
      }
    }
  }
  EXPECT_GT(batched_calls, 100);  // in the plane few lists keep more than five
}

}  // namespace
}  // namespace vecsim::core

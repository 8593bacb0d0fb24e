// test/unit/neighbor_selection_test.cpp
// The neighbour-selection heuristic (graph/neighbor_selection.h): on points
// of the plane, where the right choice can be worked out by hand, and the
// batched path (Pairs::kBatch4) against one-at-a-time over many random
// candidate sets: the same kept lists, and batching really used.
//
// The shortcut for adding one candidate to a list the heuristic made
// (add_to_selected_list) against the full heuristic over random lists.
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

// add_to_selected_list against the full heuristic: a list select_diverse
// made (with fill) plus one more candidate gives, whenever the shortcut
// decides, exactly what select_diverse over the list and the candidate
// gives (the same links in the same order, the same heuristic part), for
// lists short and full, candidates near and far, and duplicates; and it
// decides most cases.
TEST(NeighborSelection, AddingToASelectedListMatchesTheFullHeuristic) {
  std::mt19937 rng(11);
  std::normal_distribution<float> gauss(0.0f, 1.0f);
  auto distance = [](const std::vector<Point>& points) {
    return [&points](std::uint32_t a, std::uint32_t b) { return squared_distance(points[a], points[b]); };
  };
  int decided = 0, undecided = 0, refused = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    // Clusters (the heuristic keeps few), or a ring around the base (it
    // keeps most: full lists with no fill).
    std::vector<Point> points;
    std::uint32_t base = 0;
    if (trial % 2 == 0) {
      for (int c = 0; c < 5; ++c) {
        Point centre{gauss(rng) * 4, gauss(rng) * 4};
        for (int i = 0; i < 10; ++i) points.push_back({centre.x + gauss(rng), centre.y + gauss(rng)});
      }
      base = static_cast<std::uint32_t>(trial % points.size());
    } else {
      points.push_back({0, 0});
      for (int i = 0; i < 24; ++i) {
        float angle = 6.2831853f * static_cast<float>(rng() % 10000) / 10000.0f;
        float radius = 1.0f + static_cast<float>(rng() % 1000) / 1000.0f;
        points.push_back({radius * std::cos(angle), radius * std::sin(angle)});
      }
    }
    if (trial % 5 == 0) points.push_back(points[3]);  // a duplicate
    if (trial % 10 == 3) {
      for (int i = 0; i < 4; ++i) points.push_back(points[base]);  // more of the base than the equal cap
    }
    std::vector<Candidate> all = sorted_candidates(points, base);
    const int cap = 2 + trial % 15;
    // The list: select_diverse over a random subset of the candidates.
    std::shuffle(all.begin(), all.end(), rng);
    Candidate c = all.back();
    all.pop_back();
    std::size_t take = std::min<std::size_t>(all.size(), 1 + rng() % (2 * cap));
    std::vector<Candidate> subset(all.begin(), all.begin() + static_cast<long>(take));
    std::sort(subset.begin(), subset.end(), Closer{});
    std::vector<Candidate> list;
    int kept = 0;
    select_diverse(subset, cap, one_at_a_time(distance(points)), &list, true, &kept);
    // The full heuristic over the list and c.
    std::vector<Candidate> merged = list;
    merged.push_back(c);
    std::sort(merged.begin(), merged.end(), Closer{});
    std::vector<Candidate> want;
    int want_kept = 0;
    select_diverse(merged, cap, one_at_a_time(distance(points)), &want, true, &want_kept);
    // The shortcut, on arrays with room for one more.
    std::vector<std::uint32_t> ids(static_cast<std::size_t>(cap) + 1);
    std::vector<float> dist(static_cast<std::size_t>(cap) + 1);
    for (std::size_t i = 0; i < list.size(); ++i) {
      ids[i] = list[i].node;
      dist[i] = list[i].distance;
    }
    int len = static_cast<int>(list.size());
    const bool refuse = trial % 7 == 0;  // may_leave says no: nothing may change
    ListEdit edit = add_to_selected_list(ids.data(), dist.data(), &len, &kept, cap, c, Closer{},
                                         distance(points), [&](std::uint32_t, bool) { return !refuse; });
    if (!edit.decided) {
      ++undecided;
      refused += refuse;
      ASSERT_EQ(len, static_cast<int>(list.size()));
      for (std::size_t i = 0; i < list.size(); ++i) ASSERT_EQ(ids[i], list[i].node);
      continue;
    }
    ++decided;
    ASSERT_EQ(len, static_cast<int>(want.size())) << "trial " << trial;
    ASSERT_EQ(kept, want_kept) << "trial " << trial;
    for (int i = 0; i < len; ++i) {
      ASSERT_EQ(ids[static_cast<std::size_t>(i)], want[static_cast<std::size_t>(i)].node) << "trial " << trial;
      ASSERT_EQ(dist[static_cast<std::size_t>(i)], want[static_cast<std::size_t>(i)].distance);
    }
    const bool c_in = std::any_of(want.begin(), want.end(), [&](const Candidate& w) { return w.node == c.node; });
    ASSERT_EQ(edit.c_in, c_in);
    std::uint32_t left = ListEdit{}.left;
    for (const Candidate& l : list) {
      if (std::none_of(want.begin(), want.end(), [&](const Candidate& w) { return w.node == l.node; })) left = l.node;
    }
    ASSERT_EQ(edit.left, left);
  }
  EXPECT_GT(decided, 2 * undecided);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace vecsim::core

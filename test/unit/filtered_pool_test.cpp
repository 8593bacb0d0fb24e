// test/unit/filtered_pool_test.cpp
// The working set of a filtered walk (graph/filtered_pool.h): the walk's
// bound is the farther of the list's (ef nearest of any kind) and the
// floor's (nearest passing), and no bound while either is short; its
// results are the passing elements held; each passing element that
// leaves both heaps is released exactly once, and holds() agrees with
// what is released; an element an earlier batch expanded never enters
// the frontier.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "graph/filtered_pool.h"

namespace vecsim::core {
namespace {

std::vector<std::uint32_t> nodes_of(const std::vector<Candidate>& cs) {
  std::vector<std::uint32_t> out;
  for (const Candidate& c : cs) out.push_back(c.node);
  return out;
}

// Where few pass, the floor sets the bound: the walk goes past the ef
// nearest until it has met `floor` passing elements.
TEST(FilteredPoolTest, TheFloorOfPassingElementsExtendsTheBound) {
  FilteredPool pool;
  pool.reset(2, 2);
  std::set<std::uint32_t> passing = {3, 4};
  std::vector<std::uint32_t> released;
  const auto release = [&](const Candidate& c) { released.push_back(c.node); };
  pool.add(Candidate{1.0f, 1}, false, false, release);
  pool.add(Candidate{2.0f, 2}, false, false, release);
  EXPECT_TRUE(pool.admits(Candidate{9.0f, 9}));  // the floor is short: no bound yet
  pool.add(Candidate{5.0f, 3}, true, false, release);
  EXPECT_TRUE(pool.admits(Candidate{9.0f, 9}));
  pool.add(Candidate{6.0f, 4}, true, false, release);
  // the list holds 1 and 2; the floor 3 and 4: the bound is 4's distance
  EXPECT_TRUE(pool.admits(Candidate{5.5f, 10}));
  EXPECT_FALSE(pool.admits(Candidate{6.5f, 11}));
  std::vector<std::uint32_t> expanded;
  Candidate c;
  while (pool.next(&c)) expanded.push_back(c.node);
  EXPECT_EQ(expanded, (std::vector<std::uint32_t>{1, 2, 3, 4}));
  std::vector<Candidate> results;
  pool.sorted_results(&results, [&](const Candidate& r) { return passing.count(r.node) > 0; });
  EXPECT_EQ(nodes_of(results), (std::vector<std::uint32_t>{3, 4}));
  EXPECT_TRUE(released.empty());
}

// Where many pass, the list sets the bound, and its passing elements are
// the results; one an earlier batch expanded joins the heaps only.
TEST(FilteredPoolTest, TheListBoundsTheWalkWhereManyPass) {
  FilteredPool pool;
  pool.reset(3, 1);
  std::vector<std::uint32_t> released;
  const auto release = [&](const Candidate& c) { released.push_back(c.node); };
  pool.add(Candidate{1.0f, 1}, true, false, release);
  pool.add(Candidate{3.0f, 2}, false, false, release);
  pool.add(Candidate{4.0f, 3}, true, false, release);
  EXPECT_FALSE(pool.admits(Candidate{5.0f, 4}));
  pool.add(Candidate{2.0f, 5}, true, /*expanded=*/true, release);
  EXPECT_EQ(released, (std::vector<std::uint32_t>{3}));  // out of the list, and the floor holds 1
  Candidate c;
  ASSERT_TRUE(pool.next(&c));
  EXPECT_EQ(c.node, 1u);
  ASSERT_TRUE(pool.next(&c));
  EXPECT_EQ(c.node, 2u);        // the farthest of the list is expanded too
  EXPECT_FALSE(pool.next(&c));  // 3 is beyond the bound
  std::vector<std::uint32_t> left;
  pool.drain_frontier([&](const Candidate& f) { left.push_back(f.node); });
  EXPECT_EQ(left, (std::vector<std::uint32_t>{3}));
  std::vector<Candidate> results;
  pool.sorted_results(&results, [](const Candidate& r) { return r.node != 2; });
  EXPECT_EQ(nodes_of(results), (std::vector<std::uint32_t>{1, 5}));
}

// Random offers against a model: the results are exactly the passing
// elements within the bound, every passing element added and not among
// them was released once, none that is among them was, and holds() says
// so for each.
TEST(FilteredPoolTest, ReleasesEachPassingElementItLetsGoOnce) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    const std::size_t ef = 1 + rng() % 8, floor = 1 + rng() % 8;
    FilteredPool pool;
    pool.reset(ef, floor);
    std::vector<Candidate> added;
    std::vector<bool> pass_of(400);
    std::multiset<std::uint32_t> released;
    const auto release = [&](const Candidate& c) { released.insert(c.node); };
    for (std::uint32_t node = 0; node < 400; ++node) {
      const Candidate c{static_cast<float>(rng() % 50), node};  // ties broken by node
      pass_of[node] = rng() % 4 == 0;
      if (!pool.admits(c)) continue;
      added.push_back(c);
      pool.add(c, pass_of[node], rng() % 3 == 0, release);
    }
    const auto passes = [&](const Candidate& c) { return static_cast<bool>(pass_of[c.node]); };
    std::vector<Candidate> results;
    pool.sorted_results(&results, passes);
    // the model: the ef nearest added, the floor nearest passing added
    std::vector<Candidate> all = added, pass;
    std::sort(all.begin(), all.end(), Closer{});
    for (const Candidate& c : all) {
      if (passes(c)) pass.push_back(c);
    }
    std::set<std::uint32_t> want;
    for (std::size_t i = 0; i < all.size() && i < ef; ++i) {
      if (passes(all[i])) want.insert(all[i].node);
    }
    for (std::size_t i = 0; i < pass.size() && i < floor; ++i) want.insert(pass[i].node);
    const std::vector<std::uint32_t> got = nodes_of(results);
    ASSERT_EQ(std::set<std::uint32_t>(got.begin(), got.end()), want) << "round " << round;
    ASSERT_EQ(got.size(), want.size());
    ASSERT_TRUE(std::is_sorted(results.begin(), results.end(), Closer{}));
    for (const Candidate& c : pass) {
      const bool held = want.count(c.node) > 0;
      ASSERT_EQ(pool.holds(c), held) << "round " << round << " node " << c.node;
      ASSERT_EQ(released.count(c.node), held ? 0u : 1u) << "round " << round << " node " << c.node;
    }
  }
}

}  // namespace
}  // namespace vecsim::core

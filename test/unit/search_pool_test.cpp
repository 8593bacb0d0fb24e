// test/unit/search_pool_test.cpp
// The working set of a graph search (graph/search_pool.h): it keeps the ef
// nearest offers sorted, next() hands out the nearest unexpanded entry
// once, including one offered after nearer entries were expanded, and
// peek() names what next() would return without taking it.
#include <gtest/gtest.h>

#include <vector>

#include "graph/search_pool.h"

namespace vecsim::core {
namespace {

TEST(SearchPool, KeepsTheEfNearestSorted) {
  SearchPool pool;
  pool.reset(3);
  for (float d : {5.0f, 1.0f, 4.0f, 2.0f, 3.0f}) pool.offer(Candidate{d, static_cast<std::uint32_t>(d)});
  std::vector<std::uint32_t> nodes;
  for (const Candidate& c : pool.sorted()) nodes.push_back(c.node);
  EXPECT_EQ(nodes, (std::vector<std::uint32_t>{1, 2, 3}));
}

TEST(SearchPool, NextExpandsNearestFirstAndPeekAgrees) {
  SearchPool pool;
  pool.reset(8);
  pool.offer(Candidate{2.0f, 2});
  pool.offer(Candidate{1.0f, 1});
  std::uint32_t peeked = 0;
  Candidate c;
  ASSERT_TRUE(pool.peek(&peeked));
  ASSERT_TRUE(pool.next(&c));
  EXPECT_EQ(peeked, 1u);
  EXPECT_EQ(c.node, 1u);
  // An offer nearer than everything unexpanded comes next, though the
  // cursor has passed its place.
  pool.offer(Candidate{0.5f, 5});
  ASSERT_TRUE(pool.peek(&peeked));
  EXPECT_EQ(peeked, 5u);
  ASSERT_TRUE(pool.next(&c));
  EXPECT_EQ(c.node, 5u);
  ASSERT_TRUE(pool.next(&c));
  EXPECT_EQ(c.node, 2u);
  EXPECT_FALSE(pool.peek(&peeked));
  EXPECT_FALSE(pool.next(&c));
}

}  // namespace
}  // namespace vecsim::core

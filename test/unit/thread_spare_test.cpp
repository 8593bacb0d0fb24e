// test/unit/thread_spare_test.cpp
// ThreadSpare: what one object gives back, the next one on the thread
// takes; too large or smaller than the spare is not kept; another thread
// never sees it.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "util/thread_spare.h"

namespace vecsim::core {
namespace {

struct TestKind {};
using Spare = ThreadSpare<std::vector<int>, TestKind>;
std::size_t bytes(const std::vector<int>& v) { return v.capacity() * sizeof(int); }

TEST(ThreadSpare, HandsAGivenBufferToTheNextTakerOnTheThread) {
  EXPECT_EQ(Spare::take().capacity(), 0u);
  std::vector<int> v(1000, 7);
  const int* storage = v.data();
  Spare::give(std::move(v), 1 << 20, bytes);
  std::thread([] { EXPECT_EQ(Spare::take().capacity(), 0u); }).join();
  std::vector<int> again = Spare::take();
  EXPECT_EQ(again.data(), storage);  // the same storage, not a copy
  EXPECT_EQ(Spare::take().capacity(), 0u);  // taken once
}

TEST(ThreadSpare, KeepsOnlyTheLargerBufferWithinTheBound) {
  Spare::give(std::vector<int>(100), 1 << 20, bytes);
  Spare::give(std::vector<int>(50), 1 << 20, bytes);  // smaller: dropped
  EXPECT_EQ(Spare::take().size(), 100u);
  Spare::give(std::vector<int>(1 << 20), 1 << 20, bytes);  // 4 MiB > 1 MiB: dropped
  EXPECT_EQ(Spare::take().capacity(), 0u);
}

}  // namespace
}  // namespace vecsim::core

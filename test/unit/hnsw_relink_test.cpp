// test/unit/hnsw_relink_test.cpp
// Vacuum's re-link last resort (hnsw_page_relink.h): an unreachable
// element o whose own list is full goes into the nearest list P in place
// of P's farthest link X, where X has no other way in. o must take X
// first (in place of o's own farthest link), and only then P take o: a
// cancel or a crash between the two writes then leaves every element
// that was reachable still reachable. The test cuts the step short at
// every store operation (MemPageStore::fail_after) and checks, after
// each cut, that nothing but o is unreachable, and X never is.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "../support/clustered_data.h"
#include "../support/hnsw_page_helpers.h"
#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_lists.h"

namespace vecsim::core {
namespace {

constexpr int kD = 8;
constexpr int kM = 4;
constexpr std::uint32_t kRows = 200;

// A written index, and direct access to its elements' layer-0 lists
// (every element's value has kD floats, so its list is at one offset).
struct Lists {
  std::vector<float> rows = testdata::ClusteredModel(kD, 20, 42).sample_rows(kRows, 1);
  MemPageStore store;
  HnswElementLayout layout{kM};
  std::size_t at = layout.links_offset(sizeof(float) * kD, 0);
  std::vector<HnswRef> refs;  // refs[row]

  Lists() {
    write_rows(rows, kD, kM, 64, &store);
    // The writer gives row r the heap TID (r / 100 + 1, r % 100 + 1):
    // find each row's element by it.
    refs.assign(kRows, kNoRef);
    for (std::uint32_t block = 1; block < store.page_count(); ++block) {
      EXPECT_TRUE(store.read_all_items(block, [&](std::uint16_t offset, const unsigned char* p, std::size_t n) {
        HnswElementHeader h;
        if (n < sizeof h) return;
        std::memcpy(&h, p, sizeof h);
        const std::uint32_t row = (h.heap_block - 1) * 100 + h.heap_offset - 1;
        if (row < kRows) refs[row] = make_ref(block, offset);
      }).is_ok());
    }
  }

  std::vector<HnswRef> list(HnswRef r) {
    std::vector<HnswRef> out(static_cast<std::size_t>(layout.capacity(0)));
    EXPECT_TRUE(store.read_item(ref_block(r), ref_offset(r), [&](const unsigned char* p, std::size_t) {
      std::memcpy(out.data(), p + at, sizeof(HnswRef) * out.size());
    }).is_ok());
    out.erase(std::remove(out.begin(), out.end(), kNoRef), out.end());
    return out;
  }
  void set_list(HnswRef r, std::vector<HnswRef> links) {
    links.resize(static_cast<std::size_t>(layout.capacity(0)), kNoRef);
    ASSERT_TRUE(store.write_item(ref_block(r), ref_offset(r), at, links.data(), sizeof(HnswRef) * links.size())
                    .is_ok());
  }
  // Takes x out of every list but keep's (kNoRef: every list).
  void unlink_everywhere(HnswRef x, HnswRef keep) {
    for (HnswRef r : refs) {
      if (r == keep) continue;
      std::vector<HnswRef> l = list(r);
      l.erase(std::remove(l.begin(), l.end(), x), l.end());
      set_list(r, l);
    }
  }
  // The elements layer-0 links reach from the entry point.
  std::unordered_set<HnswRef> reached() {
    PageIndex index(&store, l2_metric());
    EXPECT_TRUE(index.open().is_ok());
    std::unordered_set<HnswRef> seen{index.meta().entry};
    std::vector<HnswRef> queue{index.meta().entry};
    for (std::size_t i = 0; i < queue.size(); ++i) {
      for (HnswRef l : list(queue[i])) {
        if (seen.insert(l).second) queue.push_back(l);
      }
    }
    return seen;
  }
  float distance(std::uint32_t a, std::uint32_t b) const {
    return kernels().f32.l2sq(&rows[a * kD], &rows[b * kD], kD);
  }
};

// The setup: o = row 5, out of every list, its own list full; P = the
// row nearest o whose list is full and whose farthest link X is not in
// o's list; X then taken out of every list but P's.
struct LastResort {
  Lists lists;
  std::uint32_t o = 5, p = 0, x = 0;

  LastResort() {
    lists.unlink_everywhere(lists.refs[o], kNoRef);
    EXPECT_EQ(static_cast<int>(lists.list(lists.refs[o]).size()), lists.layout.capacity(0)) << "o is not full";
    std::vector<std::uint32_t> by_distance;
    for (std::uint32_t r = 0; r < kRows; ++r) {
      if (r != o) by_distance.push_back(r);
    }
    std::sort(by_distance.begin(), by_distance.end(),
              [&](std::uint32_t a, std::uint32_t b) { return lists.distance(a, o) < lists.distance(b, o); });
    const std::vector<HnswRef> own = lists.list(lists.refs[o]);
    for (std::uint32_t candidate : by_distance) {
      const std::vector<HnswRef> l = lists.list(lists.refs[candidate]);
      if (static_cast<int>(l.size()) < lists.layout.capacity(0)) continue;
      std::uint32_t far = kRows;
      for (HnswRef link : l) {
        const auto row = static_cast<std::uint32_t>(std::find(lists.refs.begin(), lists.refs.end(), link) -
                                                    lists.refs.begin());
        if (far == kRows || lists.distance(candidate, row) > lists.distance(candidate, far)) far = row;
      }
      if (std::find(own.begin(), own.end(), lists.refs[far]) != own.end() || far == o) continue;
      p = candidate;
      x = far;
      break;
    }
    EXPECT_NE(p, x);
    lists.unlink_everywhere(lists.refs[x], lists.refs[p]);
  }

  // Runs the last resort's step with the store failing at its n-th
  // operation (0: not at all); returns whether the step completed.
  bool run(int fail_at, bool with_adopter = true) {
    HnswPageContext<MemPageStore> ctx(&lists.store, l2_metric(), true);
    EXPECT_TRUE(ctx.open().is_ok());
    HnswElementReader<MemPageStore> reader(ctx);
    HnswPageLists<MemPageStore> page_lists(ctx, reader);
    const HnswAdopter evicting{lists.refs[o], sizeof(float) * kD, true};
    lists.store.fail_after(fail_at);
    bool replaced = false;
    const Status st = page_lists.replace_farthest(Candidate{lists.distance(p, o), lists.refs[p]}, lists.refs[o],
                                                  with_adopter ? &evicting : nullptr,
                                                  [](HnswRef) { return true; }, nullptr, &replaced);
    lists.store.fail_after(0);
    return st.is_ok() && replaced;
  }
};

// The setup is sharp: P's farthest link is X, and X's only way in; without
// the adoption, P taking o drops X.
TEST(HnswRelinkLastResort, WithoutTheAdoptionTheEvictedLinkIsLost) {
  LastResort t;
  ASSERT_EQ(t.lists.reached().count(t.lists.refs[t.o]), 0u);
  ASSERT_EQ(t.lists.reached().count(t.lists.refs[t.x]), 1u);
  ASSERT_TRUE(t.run(0, /*with_adopter=*/false));
  EXPECT_EQ(t.lists.reached().count(t.lists.refs[t.o]), 1u);
  EXPECT_EQ(t.lists.reached().count(t.lists.refs[t.x]), 0u);
}

// With the evicting adoption, a cut at any store operation leaves every
// element but o reachable (X above all), and the completed step leaves
// all of them reachable, o and X included.
TEST(HnswRelinkLastResort, ACutAtAnyPointLosesNoReachedElement) {
  bool completed = false;
  for (int cut = 1; cut < 64 && !completed; ++cut) {
    LastResort t;
    const std::unordered_set<HnswRef> before = t.lists.reached();
    ASSERT_EQ(before.size(), kRows - 1);
    completed = t.run(cut);
    const std::unordered_set<HnswRef> after = t.lists.reached();
    for (HnswRef r : before) EXPECT_EQ(after.count(r), 1u) << "cut at operation " << cut << " lost an element";
    EXPECT_EQ(after.count(t.lists.refs[t.x]), 1u) << "cut at operation " << cut;
    if (completed) {
      EXPECT_EQ(after.size(), kRows) << "o is reachable once the step completes";
      const std::vector<HnswRef> own = t.lists.list(t.lists.refs[t.o]);
      EXPECT_NE(std::find(own.begin(), own.end(), t.lists.refs[t.x]), own.end()) << "o adopted X";
      EXPECT_GT(cut, 2) << "the step completed before any cut landed inside it";
    }
  }
  EXPECT_TRUE(completed);
}

}  // namespace
}  // namespace vecsim::core

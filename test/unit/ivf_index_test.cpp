// test/unit/ivf_index_test.cpp
// The ivfflat page layout on MemPageStore: a built index scans back every
// entry with the metric's distance; appends extend chains under the list
// lock only when a page is full; vacuum removes the dead and the space is
// reused; the verifier counts what is there; and a store failure at any
// point of an append leaves an index that verifies with every entry
// appended before it. The same for values wider than a page (held in
// chunks): packed by the build, on pages of their own for inserts, and a
// broken chain is found by the verifier.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "index/scorer.h"
#include "ivf/ivf_index.h"
#include "ivf/ivf_scan.h"
#include "ivf/ivf_verify.h"
#include "storage/mem_page_store.h"

namespace vecsim::core {
namespace {

constexpr std::size_t kDims = 8;
constexpr std::uint32_t kLists = 5;
const IndexOpclass kL2{ValueKind::kVector, IndexMetric::kL2};

using Tid = std::pair<std::uint32_t, std::uint16_t>;

struct Fixture {
  std::size_t dims;
  MemPageStore store;
  IvfIndex<MemPageStore> built{&store, any_metric_of(kL2)};
  // Appends go through the index the build created (it packs wide values'
  // chunks) or, as inserts do, through one opened afterwards.
  IvfIndex<MemPageStore> opened{&store, any_metric_of(kL2)};
  IvfIndex<MemPageStore>& index;
  std::vector<float> centres;
  std::map<Tid, std::vector<float>> rows;
  int locks = 0;
  IvfHooks hooks{[](void* arg, std::uint32_t) {
                   ++static_cast<Fixture*>(arg)->locks;
                   return Status::ok();
                 },
                 [](void*, std::uint32_t) {}, this};
  std::mt19937 rng{5};

  explicit Fixture(std::size_t d = kDims, bool as_inserts = false) : dims(d), index(as_inserts ? opened : built) {
    std::normal_distribution<float> g;
    centres.resize(kLists * dims);
    for (float& x : centres) x = g(rng);
    IvfMeta meta{};
    meta.kind = static_cast<std::uint8_t>(ValueKind::kVector);
    meta.metric = static_cast<std::uint8_t>(IndexMetric::kL2);
    meta.dims = static_cast<std::uint32_t>(dims);
    meta.lists = kLists;
    meta.value_bytes = static_cast<std::uint32_t>(dims * sizeof(float));
    EXPECT_TRUE(built.create(meta, reinterpret_cast<const unsigned char*>(centres.data())).is_ok());
    if (as_inserts) {
      EXPECT_TRUE(opened.open().is_ok());
    }
  }

  Status add(std::uint32_t i) {
    std::normal_distribution<float> g;
    std::vector<float> v(dims);
    for (float& x : v) x = g(rng);
    std::vector<float> scratch;
    std::uint32_t list = 0;
    float d = 0;
    ValueRef value{reinterpret_cast<const unsigned char*>(v.data()), dims * sizeof(float)};
    VECSIM_RETURN_IF_ERROR(index.nearest_list(value, &scratch, &list, &d));
    const Tid tid{i / 100, static_cast<std::uint16_t>(i % 100 + 1)};
    VECSIM_RETURN_IF_ERROR(index.append(list, value, tid.first, tid.second, &hooks));
    rows[tid] = v;
    return Status::ok();
  }

  // Every entry, through scans of each list with a query at the origin.
  std::map<Tid, float> scan_all() {
    std::map<Tid, float> out;
    std::vector<float> origin(dims, 0.0f);
    ValueRef q{reinterpret_cast<const unsigned char*>(origin.data()), dims * sizeof(float)};
    for (std::uint32_t l = 0; l < kLists; ++l) {
      EXPECT_TRUE(index.scan_list(l, q, [&](float d, std::uint32_t b, std::uint16_t o) {
        EXPECT_TRUE(out.emplace(Tid{b, o}, d).second) << "entry twice";
      }).is_ok());
    }
    return out;
  }

  template <class P>
  std::set<Tid> rows_where(P&& pick) const {
    std::set<Tid> out;
    for (auto& [tid, v] : rows) {
      if (pick(tid)) out.insert(tid);
    }
    return out;
  }

  // Vacuums every list, dead naming the rows to remove.
  IvfVacuumStats vacuum(const std::set<Tid>& dead) {
    IvfVacuumStats stats;
    for (std::uint32_t l = 0; l < kLists; ++l) {
      EXPECT_TRUE(index.vacuum_list(l, [](std::uint32_t b, std::uint16_t o, void* arg) {
        return static_cast<const std::set<Tid>*>(arg)->count(Tid{b, o}) > 0;
      }, const_cast<std::set<Tid>*>(&dead), &stats).is_ok());
    }
    return stats;
  }

  // Each scanned distance is the squared norm of its row.
  void expect_norms(const std::map<Tid, float>& all) {
    for (auto& [tid, d] : all) {
      double want = 0;
      for (float x : rows.at(tid)) want += double(x) * x;
      EXPECT_NEAR(d, want, 1e-4 * (1 + want));
    }
  }

  IvfVerifyReport verify() {
    IvfVerifyReport r;
    EXPECT_TRUE(verify_ivf_index(&store, any_metric_of(kL2), &r, [](std::uint32_t, std::uint32_t, std::uint16_t) {})
                    .is_ok());
    return r;
  }
};

// Adds n rows to a new index; they scan back with their distances and the
// index verifies with nothing else in it.
IvfVerifyReport add_and_check(Fixture& f, std::uint32_t n) {
  for (std::uint32_t i = 0; i < n; ++i) EXPECT_TRUE(f.add(i).is_ok());
  auto all = f.scan_all();
  EXPECT_EQ(all.size(), f.rows.size());
  f.expect_norms(all);
  IvfVerifyReport r = f.verify();
  EXPECT_EQ(r.violations, 0u) << r.first;
  EXPECT_EQ(r.entries, n);
  EXPECT_EQ(r.orphan_pages, 0u);
  return r;
}

TEST(IvfIndex, ScansBackEveryEntryWithItsDistance) {
  Fixture f;
  IvfVerifyReport r = add_and_check(f, 3000);
  // A page holds ~200 entries of 40 bytes: the lock is taken once per page added.
  EXPECT_EQ(static_cast<std::uint64_t>(f.locks), r.pages);
}

TEST(IvfIndex, VacuumRemovesTheDeadAndTheirSpaceIsReused) {
  Fixture f;
  for (std::uint32_t i = 0; i < 3000; ++i) ASSERT_TRUE(f.add(i).is_ok());
  const std::uint32_t pages_before = f.store.page_count();
  std::set<Tid> dead = f.rows_where([](const Tid& t) { return t.second % 3 == 0; });
  IvfVacuumStats stats = f.vacuum(dead);
  EXPECT_EQ(stats.removed, dead.size());
  EXPECT_EQ(stats.live, 3000 - dead.size());
  for (const Tid& t : dead) f.rows.erase(t);
  auto all = f.scan_all();
  EXPECT_EQ(all.size(), f.rows.size());
  for (const Tid& t : dead) EXPECT_EQ(all.count(t), 0u);
  // As many rows again as died fit in the space vacuum freed.
  for (std::uint32_t i = 0; i < dead.size() * 9 / 10; ++i) ASSERT_TRUE(f.add(100000 + i).is_ok());
  EXPECT_EQ(f.store.page_count(), pages_before);
  IvfVerifyReport r = f.verify();
  EXPECT_EQ(r.violations, 0u) << r.first;
  EXPECT_EQ(r.entries, f.rows.size());
}

TEST(IvfIndex, AnEmptyListScansNothing) {
  Fixture f;
  std::vector<float> q(kDims, 0.0f);
  int calls = 0;
  ASSERT_TRUE(f.index.scan_list(2, ValueRef{reinterpret_cast<const unsigned char*>(q.data()), q.size() * 4},
                                [&](float, std::uint32_t, std::uint16_t) { ++calls; }).is_ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(f.verify().violations, 0u);
}

TEST(IvfScan, HandsOutEveryEntryOnceInOrderWithFewCandidatesKept) {
  // 16 candidates at a time over 3,000 entries: each batch is read again
  // and again for the keys after the last one returned; ties too (every
  // value three times).
  Fixture f;
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(f.add(i).is_ok());
  const auto first = f.rows;
  for (const auto& [tid, v] : first) {
    for (std::uint32_t copy = 1; copy <= 2; ++copy) {
      ValueRef value{reinterpret_cast<const unsigned char*>(v.data()), kDims * sizeof(float)};
      std::vector<float> scratch;
      std::uint32_t list = 0;
      float d = 0;
      ASSERT_TRUE(f.index.nearest_list(value, &scratch, &list, &d).is_ok());
      const Tid t{tid.first + 1000 * copy, tid.second};
      ASSERT_TRUE(f.index.append(list, value, t.first, t.second, &f.hooks).is_ok());
      f.rows[t] = v;
    }
  }
  std::vector<float> q(kDims, 0.25f);
  for (std::size_t probes : {std::size_t{1}, std::size_t{2}, std::size_t{kLists}}) {
    IvfScan<MemPageStore> scan(&f.index);
    ASSERT_TRUE(scan.begin(ValueRef{reinterpret_cast<const unsigned char*>(q.data()), q.size() * 4}, probes,
                           kLists, 16).is_ok());
    std::set<Tid> seen;
    IvfHit hit, last{-1e30f, 0, 0};
    bool found = true;
    while (true) {
      ASSERT_TRUE(scan.next(&hit, &found).is_ok());
      if (!found) break;
      EXPECT_TRUE(seen.insert(Tid{hit.heap_block, hit.heap_offset}).second) << "returned twice";
      if (probes == kLists) {
        EXPECT_FALSE(hit < last) << "out of order within the one batch";
      }
      last = hit;
    }
    EXPECT_EQ(seen.size(), f.rows.size()) << "probes " << probes << " (max_lists covers every list)";
  }
}

// The store fails at its n-th operation of an append, for n in 1 ..
// fail_points, after `before` rows: the index still verifies, holds every
// row appended before, and takes `after` more.
void check_failure_at_each_point(std::size_t dims, bool as_inserts, std::uint32_t before, int fail_points,
                                 std::uint32_t after) {
  for (int fail = 1; fail <= fail_points; ++fail) {
    Fixture f(dims, as_inserts);
    for (std::uint32_t i = 0; i < before; ++i) ASSERT_TRUE(f.add(i).is_ok());
    f.store.fail_after(fail);
    std::uint32_t i = before;
    while (f.add(i).is_ok()) ++i;
    f.store.fail_after(0);
    IvfVerifyReport r = f.verify();
    EXPECT_EQ(r.violations, 0u) << "fail " << fail << ": " << r.first;
    auto all = f.scan_all();
    EXPECT_EQ(all.size(), f.rows.size()) << "fail " << fail;
    f.expect_norms(all);
    for (std::uint32_t j = 0; j < after; ++j) ASSERT_TRUE(f.add(50000 + j).is_ok());
    EXPECT_EQ(f.verify().violations, 0u);
  }
}

TEST(IvfIndex, AFailureAnywhereInAnAppendLeavesAValidIndex) {
  check_failure_at_each_point(kDims, false, 1000, 40, 300);
}

// 3,072 dims: 12,288 bytes a value, wider than a page.
constexpr std::size_t kWide = 3072;

TEST(IvfWideValues, TheBuildPacksChunksAndScansBackEveryEntry) {
  Fixture f(kWide);
  ASSERT_TRUE(f.index.chunked());
  IvfVerifyReport r = add_and_check(f, 300);
  // 310 values (rows and centres) of 12,288 bytes: packed, within 2% of
  // their bytes in pages, plus the metapage, a centre page and list pages.
  const double value_pages = 310.0 * kWide * 4 / f.store.page_capacity();
  EXPECT_LE(f.store.page_count(), value_pages * 1.02 + 2 + r.pages);
}

TEST(IvfWideValues, InsertsVacuumAndReuseTheListPages) {
  Fixture f(kWide, /*as_inserts=*/true);
  for (std::uint32_t i = 0; i < 200; ++i) ASSERT_TRUE(f.add(i).is_ok());
  f.expect_norms(f.scan_all());
  std::set<Tid> dead = f.rows_where([](const Tid& t) { return t.second % 2 == 0; });
  IvfVacuumStats stats = f.vacuum(dead);
  EXPECT_EQ(stats.removed, dead.size());
  for (const Tid& t : dead) f.rows.erase(t);
  auto all = f.scan_all();
  EXPECT_EQ(all.size(), f.rows.size());
  f.expect_norms(all);
  IvfVerifyReport r = f.verify();
  EXPECT_EQ(r.violations, 0u) << r.first;
  EXPECT_EQ(r.entries, f.rows.size());
  // The removed entries' chunks stay until a REINDEX: pages no one names.
  EXPECT_GT(r.orphan_pages, 0u);
}

TEST(IvfWideValues, AFailureAnywhereInAnAppendLeavesAValidIndex) {
  check_failure_at_each_point(kWide, /*as_inserts=*/true, 20, 12, 10);
}

TEST(IvfWideValues, TheVerifierFindsABrokenChain) {
  Fixture f(kWide);
  for (std::uint32_t i = 0; i < 20; ++i) ASSERT_TRUE(f.add(i).is_ok());
  ASSERT_EQ(f.verify().violations, 0u);
  // The centres' chains come first (block 1 on): cut the first chunk
  // there that has a successor.
  std::uint32_t block = 1;
  for (;; ++block) {
    ASSERT_LT(block, 10u);
    ValueChunkHeader c{};
    bool chunk = false;
    ASSERT_TRUE(f.store.read_item(block, 1, [&](const unsigned char* p, std::size_t n) {
      chunk = decode_chunk(p, n, &c);
    }).is_ok());
    if (chunk && c.next != kNoRef) break;
  }
  const ItemRef cut = kNoRef;
  ASSERT_TRUE(f.store.write_item(block, 1, offsetof(ValueChunkHeader, next), &cut, sizeof cut).is_ok());
  IvfVerifyReport r = f.verify();
  EXPECT_GT(r.violations, 0u);
  EXPECT_NE(r.first.find("value chunks"), std::string::npos) << r.first;
  // And a scan reports the corruption rather than reading past it.
  std::vector<float> q(kWide, 0.0f);
  Status st = f.index.score_centres(ValueRef{reinterpret_cast<const unsigned char*>(q.data()), q.size() * 4},
                                    std::vector<float>(kLists).data());
  EXPECT_FALSE(st.is_ok());
}

}  // namespace
}  // namespace vecsim::core

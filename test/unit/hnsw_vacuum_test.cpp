// test/unit/hnsw_vacuum_test.cpp
// Vacuum beside inserts, on MemPageStore: the hooks through which the
// server's vacuum waits for inserts are where this test inserts, and so
// does a hook called between every two units of vacuum's work (a page, a
// repair), so inserts land at every point of a pass. Afterwards the index
// verifies clean, every live row (old and new) is found, no dead row is
// returned, and recall holds; a pass cut short at any point beside the
// inserts leaves a valid index whose dying elements are never returned
// and which the next pass finishes.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "../support/clustered_data.h"
#include "../support/hnsw_page_helpers.h"

namespace vecsim::core {
namespace {

constexpr int kD = 16;
constexpr std::uint32_t kBuilt = 2000;
constexpr std::uint32_t kMaxNew = 1200;

std::uint32_t row_of(std::uint32_t block, std::uint16_t offset) { return (block - 1) * 100 + offset - 1; }

// An index of kBuilt rows written by the build, and a second handle on the
// same store that inserts rows kBuilt, kBuilt + 1, ... whenever vacuum
// calls one of its hooks: as a concurrent insert would, between two of
// vacuum's steps.
struct Beside {
  testdata::ClusteredModel model{kD, 20, 42};
  std::vector<float> rows = model.sample_rows(kBuilt + kMaxNew, 1);
  MemPageStore store;
  PageIndex vacuum{&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f}};
  PageIndex inserter{&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f}};
  std::uint32_t next = kBuilt;
  std::uint32_t insert_until = kBuilt + kMaxNew;
  HnswVacuumHooks hooks;

  Beside() {
    std::vector<float> built(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(kBuilt) * kD);
    write_rows(built, kD, 8, 32, &store);
    EXPECT_TRUE(vacuum.open().is_ok());
    EXPECT_TRUE(inserter.open().is_ok());
    hooks.arg = this;
    hooks.wait_for_writers = [](void* arg) { return static_cast<Beside*>(arg)->insert_one(); };
    hooks.between_steps = [](void* arg) { return static_cast<Beside*>(arg)->insert_one(); };
    // Taking the writers' lock waits out the inserts running then, which
    // read the metapage before the entry point's write: one finishes here.
    hooks.exclude_writers = [](void* arg, bool hold) {
      return hold ? static_cast<Beside*>(arg)->insert_one() : Status::ok();
    };
  }

  // Inserts the next row, beyond the reach of a failure armed for vacuum.
  Status insert_one() {
    if (next == kBuilt + kMaxNew || next == insert_until) return Status::ok();
    const int armed = store.failure_armed();
    store.fail_after(0);
    HnswRef ref;
    Status st = inserter.insert(vref(&rows[static_cast<std::size_t>(next) * kD], kD), next / 100 + 1,
                                static_cast<std::uint16_t>(next % 100 + 1), &ref);
    store.fail_after(armed);
    EXPECT_TRUE(st.is_ok()) << st.message();
    next += st.is_ok();
    return Status::ok();
  }

  // The rows of the elements flagged dying.
  std::vector<std::uint32_t> dying_rows() {
    std::vector<std::uint32_t> out;
    for (std::uint32_t b = 1; b < store.page_count(); ++b) {
      for (std::uint16_t o = 1; o <= store.items_on(b); ++o) {
        EXPECT_TRUE(store.read_item(b, o, [&](const unsigned char* p, std::size_t n) {
          HnswElementHeader h;
          if (n < sizeof h || (p[offsetof(HnswElementHeader, flags)] & kValueChunk)) return;
          std::memcpy(&h, p, sizeof h);
          if (h.flags & kElementDying) out.push_back(row_of(h.heap_block, h.heap_offset));
        }).is_ok());
      }
    }
    return out;
  }

  // Every row an exhaustive search returns, through a handle opened now
  // (from the metapage as it is, as a new scan would).
  std::set<std::uint32_t> found() {
    std::vector<HnswHit> got;
    PageIndex reader(&store, l2_metric());
    EXPECT_TRUE(reader.open().is_ok());
    EXPECT_TRUE(reader.search(vref(&rows[0], kD), static_cast<int>(kBuilt + kMaxNew), 5000, &got).is_ok());
    std::set<std::uint32_t> out;
    for (const HnswHit& h : got) out.insert(row_of(h.heap_block, h.heap_offset));
    return out;
  }
};

bool dead_row(std::uint32_t r) { return r < kBuilt && r % 3 == 0; }

// After a pass with inserts beside it: the index verifies clean, every row
// below t.next that dead(r) keeps is found once and no other row, and
// recall over them holds.
template <class Dead>
void expect_intact(Beside& t, Dead&& dead, const char* what) {
  HnswVerifyReport report = verify(&t.store);
  EXPECT_EQ(report.violations, 0u) << what << ": " << report.first;
  EXPECT_EQ(report.unreachable, 0u) << what;
  EXPECT_TRUE(report.count_matches) << what;
  std::set<std::uint32_t> found = t.found();
  for (std::uint32_t r = 0; r < t.next; ++r) {
    EXPECT_EQ(found.count(r), dead(r) ? 0u : 1u) << what << ": row " << r;
  }
  std::vector<float> queries = t.model.sample_rows(100, 2);
  EXPECT_GE(recall_among_live(&t.vacuum, t.rows, t.next, queries, kD, [&](std::uint32_t r) { return !dead(r); }),
            0.9) << what;
}

// Two passes, inserts at every step of each; the second finds the slots
// the first freed, which its inserts reuse while it runs.
TEST(HnswVacuum, InsertsAtEveryStepOfAPassLoseNothing) {
  Beside t;
  t.insert_until = kBuilt + kMaxNew / 2;
  HnswVacuumStats stats;
  ASSERT_TRUE(t.vacuum.bulk_delete([](std::uint32_t b, std::uint16_t o) { return dead_row(row_of(b, o)); },
                                   t.hooks, &stats).is_ok());
  EXPECT_GT(t.next, kBuilt + 50) << "inserts ran beside the pass";
  EXPECT_EQ(stats.deleted, (kBuilt + 2) / 3);
  expect_intact(t, dead_row, "first pass");

  auto dead_again = [](std::uint32_t r) { return r < kBuilt && r % 3 != 2; };
  const std::uint32_t before = t.next;
  t.insert_until = kBuilt + kMaxNew;
  ASSERT_TRUE(t.vacuum.bulk_delete([&](std::uint32_t b, std::uint16_t o) { return dead_again(row_of(b, o)); },
                                   t.hooks, &stats).is_ok());
  EXPECT_GT(t.next, before + 50);
  expect_intact(t, dead_again, "second pass, freed slots reused meanwhile");
}

// Every row of the build dies while rows are inserted: the inserts find
// only dying neighbours, and at the start of the pass no live element
// can be the entry point. Every inserted row must be found afterwards.
TEST(HnswVacuum, DeletingEverythingWhileInsertingLosesNoNewRow) {
  Beside t;
  auto all_built = [](std::uint32_t r) { return r < kBuilt; };
  HnswVacuumStats stats;
  ASSERT_TRUE(t.vacuum.bulk_delete([&](std::uint32_t b, std::uint16_t o) { return all_built(row_of(b, o)); },
                                   t.hooks, &stats).is_ok());
  EXPECT_GT(t.next, kBuilt + 50);
  expect_intact(t, all_built, "everything deleted");
}

// The store fails at vacuum's n-th call from the start of a pass (the
// inserts beside it do not fail): the index verifies and no row flagged dying is
// returned; the next pass deletes every dead row and leaves every live row
// found.
TEST(HnswVacuum, APassCutShortBesideInsertsIsFinishedByTheNext) {
  int cut_with_dying = 0, cut = 0;
  for (int n = 1;; n += n < 40 ? 3 : n / 3) {
    Beside t;
    t.store.fail_after(n);
    HnswVacuumStats stats;
    Status st = t.vacuum.bulk_delete([](std::uint32_t b, std::uint16_t o) { return dead_row(row_of(b, o)); },
                                     t.hooks, &stats);
    t.store.fail_after(0);
    HnswVerifyReport report = verify(&t.store);
    EXPECT_EQ(report.violations, 0u) << "n " << n << ": " << report.first;
    std::set<std::uint32_t> found = t.found();
    cut += !st.is_ok();
    cut_with_dying += !st.is_ok() && !t.dying_rows().empty();
    for (std::uint32_t r : t.dying_rows()) {
      EXPECT_EQ(found.count(r), 0u) << "n " << n << ": dying row " << r << " returned";
    }
    HnswVacuumStats again;
    ASSERT_TRUE(t.vacuum.bulk_delete([](std::uint32_t b, std::uint16_t o) { return dead_row(row_of(b, o)); },
                                     t.hooks, &again).is_ok()) << n;
    report = verify(&t.store);
    EXPECT_EQ(report.violations, 0u) << "n " << n << ": " << report.first;
    EXPECT_EQ(report.unreachable, 0u) << "n " << n;
    found = t.found();
    std::size_t dead_left = 0;
    for (std::uint32_t r = 0; r < t.next; ++r) {
      if (dead_row(r)) {
        dead_left += found.count(r);
      } else {
        EXPECT_EQ(found.count(r), 1u) << "n " << n << ": live row " << r << " lost";
      }
    }
    EXPECT_EQ(dead_left, 0u) << "n " << n;
    if (st.is_ok()) break;  // the pass ran to its end: later n change nothing
  }
  EXPECT_GT(cut_with_dying, 10) << "of " << cut << " passes cut short";
}

// Cut short at vacuum's n-th store call, with rows inserted beside the
// pass, every committed live row must be found at once, before any later
// pass: rows of the build it does not delete, and every inserted row, also
// when every row of the build dies and the inserts find only dying
// neighbours (the state an autovacuum cancelled by a lock request leaves).
TEST(HnswVacuum, APassCutShortLeavesEveryLiveRowFound) {
  auto all_built = [](std::uint32_t r) { return r < kBuilt; };
  for (bool everything : {false, true}) {
    int cut = 0;
    for (int n = 1;; n += n < 40 ? 3 : n / 3) {
      Beside t;
      t.store.fail_after(n);
      HnswVacuumStats stats;
      const Status st = t.vacuum.bulk_delete(
          [&](std::uint32_t b, std::uint16_t o) {
            const std::uint32_t r = row_of(b, o);
            return everything ? all_built(r) : dead_row(r);
          },
          t.hooks, &stats);
      t.store.fail_after(0);
      cut += !st.is_ok();
      const std::set<std::uint32_t> found = t.found();
      for (std::uint32_t r = 0; r < t.next; ++r) {
        if (everything ? all_built(r) : dead_row(r)) continue;
        EXPECT_EQ(found.count(r), 1u) << (everything ? "everything deleted" : "a third deleted") << ", cut at " << n
                                      << ": live row " << r << " not found";
      }
      if (st.is_ok()) break;
    }
    EXPECT_GT(cut, 10);
  }
}

// Every row of the build dies, and the only insert is one that read the
// metapage before vacuum wrote the new entry point (it finishes while
// vacuum takes the writers' lock for that write): it meets only dying
// elements, so the dying old entry point takes it. Wherever the pass is cut
// from then on, the new row must be found.
TEST(HnswVacuum, AnInsertThatMetOnlyDyingElementsIsFoundAfterAnyCut) {
  int cut = 0;
  for (int n = 1;; n += n < 40 ? 2 : n / 4) {
    Beside t;
    t.hooks.between_steps = nullptr;
    t.hooks.wait_for_writers = nullptr;
    t.insert_until = kBuilt + 1;
    t.store.fail_after(n);
    HnswVacuumStats stats;
    const Status st =
        t.vacuum.bulk_delete([&](std::uint32_t b, std::uint16_t o) { return row_of(b, o) < kBuilt; }, t.hooks, &stats);
    t.store.fail_after(0);
    cut += !st.is_ok();
    if (t.next > kBuilt) {
      EXPECT_EQ(t.found().count(kBuilt), 1u) << "cut at " << n << ": the new row is lost";
    }
    if (st.is_ok()) {
      EXPECT_EQ(t.next, kBuilt + 1) << "the insert ran";
      break;
    }
  }
  EXPECT_GT(cut, 10);
}

}  // namespace
}  // namespace vecsim::core

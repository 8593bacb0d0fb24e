// src/pg/hnsw/vacuum.cpp
// VACUUM of an hnsw index (docs/reference.md 8.8): ambulkdelete has core remove the
// elements whose heap tuples are dead, beside running inserts and scans
// (core/graph/hnsw_page_vacuum.h): flagging them dying, repairing the
// lists that linked them and the entry point, and flagging them deleted
// last. Its hooks wait out running inserts (after the dying flags, and
// before the dying elements' links are cleared), hold inserts off for the
// one write of a new entry point, and wait out running searches before
// the links are cleared (a search that started at the old entry point
// must not walk into one) and once more after the flags (see there).
// amvacuumcleanup reports the sizes.
//
// INVARIANTS
//   Inserts wait for vacuum only at those moments (and before each sweep),
//   each as short as the inserts then running (hnsw_am.h, LOCKS). Every page change is one
//   generic WAL record, and a cancel (checked on every page read) leaves a
//   valid index that the next vacuum finishes.
#include "bridge/pg_call.h"
#include "hnsw/handle_slot.h"
#include "hnsw/hnsw_am.h"
#include "index/am_common.h"
#include "page/pg_page_store.h"
#include "index/value_datum.h"

#include "pg.h"

extern "C" {
#include "utils/rel.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

// What core's bulk delete calls back with: the dead TIDs first (so
// heap_tid_is_dead can take it), and the index whose scans to wait for.
struct DeadCheck {
  DeadTids dead;
  Relation index;
};

// Waits for whoever holds lock page `page` now: scans (kScanLockPage)
// that may have started from the old entry point, or inserts
// (kWriterLockPage) that may not have seen a dying flag. A heavyweight
// lock wait can error, so through pg_call.
core::Status wait_for_holders(void* arg, BlockNumber page) {
  Relation index = static_cast<DeadCheck*>(arg)->index;
  return pg_call([&]() noexcept {
    LockPage(index, page, ExclusiveLock);
    UnlockPage(index, page, ExclusiveLock);
  });
}
core::Status wait_for_scans(void* arg) { return wait_for_holders(arg, kScanLockPage); }
core::Status wait_for_writers(void* arg) { return wait_for_holders(arg, kWriterLockPage); }

// Holds inserts off (hold) or lets them go on, around the entry point's write.
core::Status exclude_writers(void* arg, bool hold) {
  Relation index = static_cast<DeadCheck*>(arg)->index;
  return pg_call([&]() noexcept {
    if (hold) {
      LockPage(index, kWriterLockPage, ExclusiveLock);
    } else {
      UnlockPage(index, kWriterLockPage, ExclusiveLock);
    }
  });
}

// Through pg_call: besides VACUUM's lookup, CREATE INDEX CONCURRENTLY's
// validation passes a callback that feeds a tuplesort, which can raise an
// error (a temp file limit). That error is parked, this says "not dead"
// (nothing is removed on its account), and the store's next call fails at
// once, ending the pass; the shim then raises the parked error.
bool is_dead(std::uint32_t block, std::uint16_t offset, void* arg) {
  bool dead = false;
  core::Status st = pg_call([&]() noexcept {
    dead = heap_tid_is_dead(block, offset, &static_cast<DeadCheck*>(arg)->dead);
  });
  return st.is_ok() && dead;
}

}  // namespace

IndexBulkDeleteResult* hnsw_bulk_delete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                        IndexBulkDeleteCallback callback, void* callback_state) {
  Relation index = info->index;
  stats = bulk_delete_result(stats);
  if (skip_foreign_index(info, stats, kHnswPageFormat)) return stats;
  core::IndexOpclass opclass = hnsw_opclass_of(index);
  MemoryContext context =
      AllocSetContextCreate(CurrentMemoryContext, "vecsim hnsw vacuum", ALLOCSET_DEFAULT_SIZES);
  auto* store = static_cast<PgPageStore*>(MemoryContextAlloc(context, sizeof(PgPageStore)));
  new (store) PgPageStore(index, MAIN_FORKNUM, PgPageStore::Mode::kLogged, kHnswPageFormat);
  store->set_vacuum(true);
  HnswIndexHandle* handle = new_index_slot(context, opclass, store)->handle;

  DeadCheck check{{callback, callback_state}, index};
  core::HnswVacuumHooks hooks;
  hooks.wait_for_writers = wait_for_writers;
  hooks.exclude_writers = exclude_writers;
  hooks.wait_for_scans = wait_for_scans;
  hooks.arg = &check;
  core::HnswVacuumStats result;
  LockPage(index, kVacuumLockPage, ExclusiveLock);
  core::Status st = store->refresh_page_count();
  if (st.is_ok()) st = handle->bulk_delete(is_dead, hooks, &result);
  UnlockPage(index, kVacuumLockPage, ExclusiveLock);
  raise_pending_or(st);

  // Searches running while the flags were written finish before this
  // returns. (Not what makes the heap's reuse of a TID safe for a scan
  // that hands the TID out later, from what its search read: its MVCC
  // snapshot does that, docs/hnsw.md 4.4.)
  LockPage(index, kScanLockPage, ExclusiveLock);
  UnlockPage(index, kScanLockPage, ExclusiveLock);

  // Rows, as PostgreSQL counts index tuples: an element holds up to ten.
  stats->tuples_removed += static_cast<double>(result.rows_removed);
  stats->num_index_tuples = static_cast<double>(result.live_rows);
  MemoryContextDelete(context);
  return stats;
}


}  // namespace vecsim::pg

// src/pg/ivfflat/vacuum.cpp
// VACUUM of an ivfflat index (docs/ivfflat.md, "Vacuum"): ambulkdelete
// removes the entries whose heap tuples are dead, list by list and page by
// page, each page one generic WAL record, and points each list's insert
// page at its first page with room, so inserts reuse the space.
// amvacuumcleanup reports the sizes.
//
// INVARIANTS
//   No lock beyond one page's buffer lock at a time: inserts and scans run
//   on. A cancel (checked with the cost-based delay before every page)
//   leaves every page either cleaned or not; the next vacuum finishes.
//   Scans may hand out a TID they read before its entry was removed: their
//   MVCC snapshot hides whatever row the heap later puts at that TID.
#include "bridge/pg_call.h"
#include "index/am_common.h"
#include "ivfflat/ivf_handle.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "storage/bufmgr.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {

IndexBulkDeleteResult* ivfflat_bulk_delete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                           IndexBulkDeleteCallback callback, void* callback_state) {
  Relation index = info->index;
  stats = bulk_delete_result(stats);
  if (skip_foreign_index(info, stats, kIvfflatPageFormat)) return stats;
  MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "vecsim ivfflat vacuum", ALLOCSET_DEFAULT_SIZES);
  IvfHandle* h = new_ivf_handle(context, index, MAIN_FORKNUM, PgPageStore::Mode::kLogged, ivfflat_opclass_of(index));
  h->store.set_vacuum(true);
  raise_pending_or(h->store.refresh_page_count());
  raise_pending_or(h->index.open());
  DeadTids dead{callback, callback_state};
  core::IvfVacuumStats result;
  for (std::uint32_t list = 0; list < h->index.meta().lists; ++list) {
    raise_pending_or(h->index.vacuum_list(list, heap_tid_is_dead, &dead, &result));
  }
  stats->tuples_removed += static_cast<double>(result.removed);
  stats->num_index_tuples = static_cast<double>(result.live);
  MemoryContextDelete(context);
  return stats;
}

}  // namespace vecsim::pg

// src/pg/hnsw/hnsw_am.h
// The hnsw access method's callbacks, one file per concern:
//   handler.cpp  hnswhandler, reloptions, validate, build phase names
//   opclass.cpp  the type-descriptor support functions; hnsw_opclass_of
//   build.cpp    ambuild, ambuildempty
//   insert.cpp   aminsert
//   scan.cpp     ambeginscan, amrescan, amgettuple, amendscan
//   vacuum.cpp   ambulkdelete (amvacuumcleanup: index/am_common.h)
//   cost.cpp     amcostestimate
//   verify.cpp   vecsim_hnsw_verify(regclass)
//
// LOCKS (docs/hnsw.md, "Locking")
//   Writers take a heavyweight lock on the index's lock page
//   kWriterLockPage: inserts in ShareLock, so they run concurrently (core
//   makes each shared write a read-check-write under the buffer lock),
//   except an insert that would move the entry point, which retries in
//   ExclusiveLock; verify in ExclusiveLock. Vacuum runs beside inserts:
//   it takes kWriterLockPage in ExclusiveLock only for a moment, to wait
//   out the inserts running (after it flags the dying elements, and
//   before it clears their links) and to write a new entry point. It
//   holds kVacuumLockPage in ExclusiveLock for its whole pass, and verify
//   in ShareLock (before the writers' lock), so verify sees no vacuum
//   half done. A scan holds kScanLockPage in ShareLock while it searches
//   the graph (its first amgettuple, which reads the metapage under it,
//   and any further batch of an iterative scan; rows the searches kept
//   are handed out without it); vacuum takes it in ExclusiveLock, briefly,
//   before it clears the links of the elements it removes (waiting out
//   searches that started from the old entry point) and again after
//   flagging them. Order: vacuum lock, writers lock, scans lock.
//   Buffer locks are taken one at a time, inside the page store.
#pragma once

#include <cstdint>

#include "index/value_kind.h"
#include "page/pg_page_store.h"
#include "storage/hnsw_format.h"

#include "pg.h"

extern "C" {
#include "access/amapi.h"
#include "access/genam.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

// hnsw's pages: an 8-byte special space {page id 0xFF95, flags 0, 0},
// and at most as many items as a reference's offset field can name.
constexpr PageFormat kHnswPageFormat{0xFF95, 8, static_cast<std::uint16_t>(core::kMaxRefOffset), "hnsw"};

// Lock "pages" (heavyweight lock tags, not real blocks).
constexpr BlockNumber kWriterLockPage = 0;
constexpr BlockNumber kScanLockPage = 1;
constexpr BlockNumber kVacuumLockPage = 2;

// Progress phase of the build after "initializing" (docs/reference.md 8.3).
constexpr int kHnswPhaseLoad = 2;

struct HnswOptions {
  int32 vl_len_;
  int m;
  int ef_construction;
};

// The opclass of an hnsw index (support functions 1, 2 and 3; docs/reference.md 8.1).
core::IndexOpclass hnsw_opclass_of(Relation index);

void define_hnsw_options();
int hnsw_option_m(Relation index);
int hnsw_option_ef_construction(Relation index);

IndexBuildResult* hnsw_build(Relation heap, Relation index, IndexInfo* info);
void hnsw_build_empty(Relation index);
bool hnsw_insert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                 IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo* info);
IndexScanDesc hnsw_begin_scan(Relation index, int nkeys, int norderbys);
void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool hnsw_get_tuple(IndexScanDesc scan, ScanDirection direction);
void hnsw_end_scan(IndexScanDesc scan);
IndexBulkDeleteResult* hnsw_bulk_delete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                        IndexBulkDeleteCallback callback, void* callback_state);
void hnsw_cost_estimate(PlannerInfo* root, IndexPath* path, double loop_count,
                        Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                        double* correlation, double* pages);

}  // namespace vecsim::pg

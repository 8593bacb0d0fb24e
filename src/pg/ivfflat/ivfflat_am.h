// src/pg/ivfflat/ivfflat_am.h
// The ivfflat access method's callbacks, one file per concern:
//   handler.cpp  ivfflathandler, the lists reloption, validate, phase names
//   opclass.cpp  the type-descriptor support functions; ivfflat_opclass_of
//   ivf_handle.* the core index (ivf/ivf_index.h) over a PgPageStore
//   build.cpp    ambuild, ambuildempty (sampling, k-means, assignment)
//   insert.cpp   aminsert
//   scan.cpp     ambeginscan, amrescan, amgettuple, amendscan
//   vacuum.cpp   ambulkdelete (amvacuumcleanup: index/am_common.h)
//   cost.cpp     amcostestimate
//   verify.cpp   vecsim_ivfflat_verify(regclass), vecsim_ivfflat_lists(regclass)
//
// LOCKS (docs/ivfflat.md, "Locking")
//   Buffer locks only, one page at a time, except that extending a list's
//   chain holds a heavyweight lock on the "page" list_lock_tag(list) of
//   the index (not a real block) in ExclusiveLock, and the extension's
//   last record locks the old last page and the header's page together
//   (in block order). Inserts, scans and vacuum otherwise never wait for
//   each other beyond a page.
#pragma once

#include <cstdint>

#include "index/value_kind.h"
#include "page/pg_page_store.h"
#include "storage/ivf_format.h"

#include "pg.h"

extern "C" {
#include "access/amapi.h"
#include "access/genam.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

// ivfflat's pages: an 8-byte special space {page id 0xFF96, 0, 0}.
constexpr PageFormat kIvfflatPageFormat{0xFF96, 8, 1024, "ivfflat"};

// The heavyweight lock that serializes extensions of one list's chain.
constexpr BlockNumber list_lock_tag(std::uint32_t list) { return list; }

// Progress phases after "initializing" (docs/reference.md 9.3).
constexpr int kIvfflatPhaseKMeans = 2;
constexpr int kIvfflatPhaseAssign = 3;
constexpr int kIvfflatPhaseLoad = 4;

struct IvfflatOptions {
  int32 vl_len_;
  int lists;
};

// The opclass of an ivfflat index (support functions 1, 2 and 5).
core::IndexOpclass ivfflat_opclass_of(Relation index);
// Whether the opclass has function 4, the k-means norm (ip and cosine).
bool ivfflat_spherical(Relation index);

void define_ivfflat_options();
int ivfflat_option_lists(Relation index);

IndexBuildResult* ivfflat_build(Relation heap, Relation index, IndexInfo* info);
void ivfflat_build_empty(Relation index);
bool ivfflat_insert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                    IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo* info);
IndexScanDesc ivfflat_begin_scan(Relation index, int nkeys, int norderbys);
void ivfflat_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool ivfflat_get_tuple(IndexScanDesc scan, ScanDirection direction);
void ivfflat_end_scan(IndexScanDesc scan);
IndexBulkDeleteResult* ivfflat_bulk_delete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                           IndexBulkDeleteCallback callback, void* callback_state);
void ivfflat_cost_estimate(PlannerInfo* root, IndexPath* path, double loop_count,
                           Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                           double* correlation, double* pages);

}  // namespace vecsim::pg

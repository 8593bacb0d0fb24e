// src/pg/index/am_common.h
// What the hnsw and ivfflat access methods do alike at PostgreSQL's
// boundary, written once: the properties of an ordering-only vector AM,
// the edges of a build (an empty relation to start; every page WAL-logged
// once at the end), rescans, the infinite cost of a scan without ORDER
// BY, and vacuum's liveness callback and cleanup.
//
// INVARIANTS
//   PG zone only. Nothing here knows an AM's pages.
#pragma once

#include <cstdint>

#include "page/pg_page_store.h"

#include "pg.h"

extern "C" {
#include "access/amapi.h"
#include "access/genam.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

// An IndexAmRoutine with the properties both AMs share (docs/reference.md
// 7.2: ORDER BY operators only, one column, no unique, no parallel scan,
// parallel bulk delete) and amsupport support functions; the callbacks are
// the caller's to set.
IndexAmRoutine* new_vector_am_routine(int amsupport);

// ambuild's frame: the relation must be empty; the result carries counts.
void require_empty_index(Relation index);
IndexBuildResult* build_result(double heap_tuples, double index_tuples);

// After a build wrote fork through shared buffers without WAL: every page
// logged once (always for the init fork of an unlogged index).
void log_built_fork(Relation index, ForkNumber fork);

// amrescan's part every AM has: the new keys and order-by values.
void copy_scan_keys(IndexScanDesc scan, ScanKey keys, ScanKey orderbys);

// amcostestimate without an ORDER BY: infinite cost (the index is never
// chosen); true when that was the case.
bool price_out_unordered(IndexPath* path, Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                         double* correlation, double* pages);

// The heap TIDs vacuum found dead: PostgreSQL's callback, which only looks
// the TID up in vacuum's dead-TID store (PG15: vac_tid_reaped, a binary
// search) and raises no error, so core calls it directly, even under a
// buffer lock.
struct DeadTids {
  IndexBulkDeleteCallback callback;
  void* state;
};
bool heap_tid_is_dead(std::uint32_t block, std::uint16_t offset, void* dead_tids);

// stats, or a zeroed result when ambulkdelete is the first to report.
IndexBulkDeleteResult* bulk_delete_result(IndexBulkDeleteResult* stats);

// ambulkdelete on an index whose pages are not format's (another
// extension's, such as pgvector's after pg_upgrade): a VACUUM that failed
// here would fail on every run and leave the table to bloat, while the
// index is unused (scans and inserts refuse it) until a REINDEX rebuilds
// it, so vacuum warns, counts the heap's rows for it and leaves it alone.
// True when so.
bool skip_foreign_index(IndexVacuumInfo* info, IndexBulkDeleteResult* stats, const PageFormat& format);

// amvacuumcleanup of both AMs: the sizes (the heap's count when no bulk
// delete ran).
IndexBulkDeleteResult* vector_vacuum_cleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats);

}  // namespace vecsim::pg

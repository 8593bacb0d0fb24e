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

// An infinite cost: the planner never chooses the path.
void price_out(Cost* startup_cost, Cost* total_cost, Selectivity* selectivity, double* correlation, double* pages);

// amcostestimate without an ORDER BY: infinite cost (the index is never
// chosen); true when that was the case.
bool price_out_unordered(IndexPath* path, Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                         double* correlation, double* pages);

// amcostestimate's result for an ordering scan that reads `ratio` of the
// whole index (index keys narrow nothing) before its first row (docs/reference.md 8.7, 9.5), from
// PostgreSQL's generic estimate: sequential_share of the index's page
// cost is priced as sequential first (ivfflat reads its lists in order:
// half); the startup cost is the total times ratio; when ratio < 0.5 and
// the pages read first outnumber the heap's, the rest of their cost is
// priced as sequential (they are cached like the heap), and no more of
// them than the heap has. price_out adds disable_cost (scan_falls_short,
// or ivfflat's probes >= lists).
void ordered_scan_costs(PlannerInfo* root, IndexPath* path, double loop_count, double ratio,
                        double sequential_share, bool price_out, Cost* startup_cost, Cost* total_cost,
                        Selectivity* selectivity, double* correlation, double* pages);

// A scan that cannot fill its LIMIT: an approximate index scan returns at
// most `reachable` rows (hnsw: ef_search, or max_scan_tuples when
// iterative; ivfflat: the rows of the lists it reads); of those only the
// fraction passing the query's other conditions (the index's
// indrestrictinfo: clauses a partial index's predicate implies are not
// counted) comes out. (An hnsw scan with keys on filter columns returns
// every row they pass: its caller does not ask.) True when that is expected to be fewer rows than an
// exact plan returns (the LIMIT, or every passing row of the table), so
// the caller prices the index out (disable_cost) and the planner's exact
// plan returns what the user asked for. Only decided where the LIMIT is
// known: a single-table query planned with a constant LIMIT, the scan not
// repeated as the inner side of a join (loop_count 1); a generic plan of
// a prepared statement with a parameter LIMIT keeps the index.
bool scan_falls_short(PlannerInfo* root, IndexPath* path, double loop_count, double reachable);

// The selectivity of the path's index keys (1 without any).
Selectivity index_key_selectivity(PlannerInfo* root, IndexPath* path);

// The heap TIDs vacuum found dead: PostgreSQL's callback. VACUUM's only
// looks the TID up (PG15: vac_tid_reaped, a binary search), but CREATE
// INDEX CONCURRENTLY's validation feeds a tuplesort, which can raise an
// error: call it inside pg_call (ivfflat: within remove_items_if's; hnsw:
// its vacuum.cpp wraps it).
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

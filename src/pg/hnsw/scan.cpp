// src/pg/hnsw/scan.cpp
// Index scans (docs/reference.md 8.4, 8.6): ORDER BY col <op> query LIMIT n,
// with keys on the index's filter columns if it has any (filter_columns.h;
// core's hnsw_page_scan.h, FILTERED SCANS). The
// first amgettuple searches the graph with hnsw.ef_search candidates; with
// hnsw.iterative_scan on, later calls search on from the candidates left
// over until the scan runs out of them or of its budget
// (hnsw.max_scan_tuples, work_mem x hnsw.scan_mem_multiplier).
//
// INVARIANTS
//   The scan state lives in a memory context of its own, a child of the
//   one the executor began the scan in; amendscan deletes it, and so does
//   the abort of an erroring or cancelled query (the slot's reset callback
//   destroys the core handle either way). The executor trusts the order
//   (no recheck); the distances it shows are recomputed by the operator.
//   A NULL query searches from a zero value, so rows come in an arbitrary
//   order; a query of other dimensions is 22000, as from the operator.
#include "bridge/pg_call.h"
#include "hnsw/filter_columns.h"
#include "hnsw/handle_slot.h"
#include "hnsw/hnsw_am.h"
#include "page/pg_page_store.h"
#include "index/am_common.h"
#include "index/value_datum.h"
#include "index_settings.h"

#include "pg.h"

extern "C" {
#include "access/relscan.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

namespace vecsim::pg {
namespace {

struct ScanState {
  core::IndexOpclass opclass;
  core::HnswAttrSchema attrs;   // the filter columns, from the catalogue
  bool recheck;                 // a key is answered by a hash: the executor rechecks
  PgPageStore store;
  HnswSlot<HnswIndexHandle>* slot;
  MemoryContext context;        // the scan's: this state, the handle
  MemoryContext query_context;  // the current query value; reset by rescan
  bool started;
};

ScanState* scan_state(IndexScanDesc scan) { return static_cast<ScanState*>(scan->opaque); }

HnswScanOrder scan_order() {
  switch (static_cast<IterativeScan>(g_hnsw_settings.iterative_scan)) {
    case IterativeScan::kRelaxedOrder:
      return HnswScanOrder::kRelaxed;
    case IterativeScan::kStrictOrder:
      return HnswScanOrder::kStrict;
    case IterativeScan::kOff:
      break;
  }
  return HnswScanOrder::kOff;
}

// The first search of a scan: the query value (or a zero one for NULL),
// checked against the index's dimensions. The metapage is read under the
// scans lock, which vacuum takes before it clears the links of elements it
// removes (a dying old entry point).
void start(IndexScanDesc scan, ScanState* state) {
  if (!IsMVCCSnapshot(scan->xs_snapshot)) {
    elog(ERROR, "non-MVCC snapshots are not supported with hnsw");
  }
  HnswIndexHandle* handle = state->slot->handle;
  LockPage(scan->indexRelation, kScanLockPage, ShareLock);
  raise_pending_or(handle->open());
  const core::HnswMeta& meta = handle->meta();
  if (handle->attrs() != state->attrs) {
    ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
                    errmsg("hnsw index \"%s\" describes filter columns other than its definition's",
                           RelationGetRelationName(scan->indexRelation))));
  }
  // The keys as core's filter: none (or only IS NOT NULL on the vector)
  // leaves it empty, and the scan unfiltered.
  if (scan->numberOfKeys > 0) {
    MemoryContext caller = MemoryContextSwitchTo(state->query_context);
    compile_hnsw_filter(state->attrs, scan, &handle->filter(), &state->recheck);
    MemoryContextSwitchTo(caller);
  }
  const bool filtered = !handle->filter().empty();
  if (filtered) {
    // An exact pass reads every page (core's hnsw_page_scan.h).
    raise_pending_or(state->store.refresh_page_count());
  }

  MemoryContext caller = MemoryContextSwitchTo(state->query_context);
  core::ValueRef query;
  const ScanKey key = scan->numberOfOrderBys > 0 ? &scan->orderByData[0] : nullptr;
  if (key == nullptr || (key->sk_flags & SK_ISNULL)) {
    query = value_of(state->opclass.kind,
                     zero_datum(state->opclass.kind, static_cast<std::int32_t>(meta.dims)));
  } else {
    const void* datum = PG_DETOAST_DATUM(key->sk_argument);
    if (meta.entry != core::kNoRef) check_dims_match(state->opclass.kind, meta.dims, datum);
    if (!index_value_of(state->opclass, key->sk_argument, nullptr, &query)) {
      // A zero query under cosine: every distance counts alike.
      query = value_of(state->opclass.kind, datum);
    }
  }
  MemoryContextSwitchTo(caller);

  double budget = static_cast<double>(work_mem) * 1024.0 * g_hnsw_settings.scan_mem_multiplier;
  HnswScanLimits limits{static_cast<std::size_t>(g_hnsw_settings.max_scan_tuples),
                        static_cast<std::size_t>(budget)};
  core::Status st = handle->begin_scan(query, g_hnsw_settings.ef_search, scan_order(), limits, filtered);
  UnlockPage(scan->indexRelation, kScanLockPage, ShareLock);
  raise_pending_or(st);
  state->started = true;
}

}  // namespace

IndexScanDesc hnsw_begin_scan(Relation index, int nkeys, int norderbys) {
  require_own_index(index, kHnswPageFormat);
  IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
  MemoryContext context =
      AllocSetContextCreate(CurrentMemoryContext, "vecsim hnsw scan", ALLOCSET_DEFAULT_SIZES);
  auto* state = static_cast<ScanState*>(MemoryContextAllocZero(context, sizeof(ScanState)));
  state->opclass = hnsw_opclass_of(index);
  state->attrs = hnsw_attr_schema(index);
  new (&state->store) PgPageStore(index, MAIN_FORKNUM, PgPageStore::Mode::kRead, kHnswPageFormat);
  state->context = context;
  state->query_context = AllocSetContextCreate(context, "vecsim hnsw query", ALLOCSET_SMALL_SIZES);
  state->slot = new_index_slot(context, state->opclass, &state->store);
  scan->opaque = state;
  return scan;
}

void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys) {
  ScanState* state = scan_state(scan);
  state->started = false;
  MemoryContextReset(state->query_context);
  copy_scan_keys(scan, keys, orderbys);
}

bool hnsw_get_tuple(IndexScanDesc scan, ScanDirection direction) {
  ScanState* state = scan_state(scan);
  if (!state->started) {
    // Counted once per scan, as PostgreSQL's own AMs do.
    pgstat_count_index_scan(scan->indexRelation);
    start(scan, state);
  }
  // Most rows come from what the searches kept, with no page to read and
  // so no need of the scans lock (a heavyweight lock: worth avoiding).
  HnswIndexHandle* handle = state->slot->handle;
  core::HnswHit hit;
  bool found = false;
  core::Status st;
  if (handle->next_reads_pages()) {
    LockPage(scan->indexRelation, kScanLockPage, ShareLock);
    st = handle->next(&hit, &found);
    UnlockPage(scan->indexRelation, kScanLockPage, ShareLock);
  } else {
    st = handle->next(&hit, &found);
  }
  raise_pending_or(st);
  if (!found) return false;
  ItemPointerSet(&scan->xs_heaptid, hit.heap_block, hit.heap_offset);
  scan->xs_recheck = state->recheck;
  scan->xs_recheckorderby = false;
  return true;
}

void hnsw_end_scan(IndexScanDesc scan) {
  ScanState* state = scan_state(scan);
  MemoryContextDelete(state->context);
  scan->opaque = nullptr;
}

}  // namespace vecsim::pg

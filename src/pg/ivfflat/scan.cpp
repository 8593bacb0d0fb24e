// src/pg/ivfflat/scan.cpp
// Index scans (docs/reference.md 9.4; docs/ivfflat.md 5):
// ORDER BY col <op> query LIMIT n reads the ivfflat.probes lists whose
// centres are nearest the query, scoring each list page's values in
// batches, and returns their rows in exact distance order (core's
// IvfScan). With ivfflat.iterative_scan = relaxed_order it goes on to the
// next probes lists when those run out, up to ivfflat.max_probes lists.
//
// INVARIANTS
//   The scan state lives in a memory context of its own (core's objects in
//   slots destroyed with it), deleted by amendscan or by the abort of an
//   erroring or cancelled query. Candidates are bounded by work_mem. The
//   executor trusts the order (no recheck); the distances it shows are
//   recomputed by the operator. A NULL query scores like a zero vector, so
//   rows come in an arbitrary order; a query of other dimensions is 22000.
#include <algorithm>

#include "bridge/pg_call.h"
#include "index/handle_slot.h"
#include "index/am_common.h"
#include "index/value_datum.h"
#include "index_settings.h"
#include "ivf/ivf_scan.h"
#include "ivfflat/ivf_handle.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "access/relscan.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

namespace vecsim::pg {
namespace {

using IvfPgScan = core::IvfScan<PgPageStore>;

struct ScanState {
  IvfHandle* handle;
  IvfPgScan* scan;
  MemoryContext context;        // the scan's: this state, the handle, the scan
  MemoryContext query_context;  // the current query value; reset by rescan
  bool started;
};

ScanState* scan_state(IndexScanDesc scan) { return static_cast<ScanState*>(scan->opaque); }

void start(IndexScanDesc scan, ScanState* state) {
  if (!IsMVCCSnapshot(scan->xs_snapshot)) {
    elog(ERROR, "non-MVCC snapshots are not supported with ivfflat");
  }
  IvfHandle* h = state->handle;
  raise_pending_or(h->store.refresh_page_count());
  raise_pending_or(h->index.open());
  const core::IvfMeta& meta = h->index.meta();
  const core::ValueKind kind = h->opclass.kind;

  MemoryContext caller = MemoryContextSwitchTo(state->query_context);
  core::ValueRef query;
  const ScanKey key = scan->numberOfOrderBys > 0 ? &scan->orderByData[0] : nullptr;
  if (key == nullptr || (key->sk_flags & SK_ISNULL)) {
    query = value_of(kind, zero_datum(kind, static_cast<std::int32_t>(meta.dims)));
  } else {
    const void* datum = PG_DETOAST_DATUM(key->sk_argument);
    check_dims_match(kind, meta.dims, datum);
    if (!index_value_of(h->opclass, key->sk_argument, nullptr, &query)) {
      // A zero query under cosine: every distance counts alike.
      query = value_of(kind, datum);
    }
  }
  MemoryContextSwitchTo(caller);

  const IvfflatSettings& s = g_ivfflat_settings;
  const std::size_t probes = static_cast<std::size_t>(s.probes);
  const bool iterative = static_cast<IterativeScan>(s.iterative_scan) == IterativeScan::kRelaxedOrder;
  const std::size_t max_lists = iterative ? std::max<std::size_t>(s.max_probes, probes) : probes;
  const std::size_t max_candidates = static_cast<std::size_t>(work_mem) * 1024 / sizeof(core::IvfHit);
  raise_pending_or(state->scan->begin(query, probes, max_lists, max_candidates));
  state->started = true;
}

}  // namespace

IndexScanDesc ivfflat_begin_scan(Relation index, int nkeys, int norderbys) {
  require_own_index(index, kIvfflatPageFormat);
  IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
  MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "vecsim ivfflat scan", ALLOCSET_DEFAULT_SIZES);
  auto* state = static_cast<ScanState*>(MemoryContextAllocZero(context, sizeof(ScanState)));
  state->context = context;
  state->handle = new_ivf_handle(context, index, MAIN_FORKNUM, PgPageStore::Mode::kRead, ivfflat_opclass_of(index));
  state->scan = new_owned<IvfPgScan>(context, &state->handle->index);
  state->query_context = AllocSetContextCreate(context, "vecsim ivfflat query", ALLOCSET_SMALL_SIZES);
  scan->opaque = state;
  return scan;
}

void ivfflat_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys) {
  ScanState* state = scan_state(scan);
  state->started = false;
  MemoryContextReset(state->query_context);
  copy_scan_keys(scan, keys, orderbys);
}

bool ivfflat_get_tuple(IndexScanDesc scan, ScanDirection direction) {
  ScanState* state = scan_state(scan);
  if (!state->started) {
    pgstat_count_index_scan(scan->indexRelation);
    start(scan, state);
  }
  core::IvfHit hit;
  bool found = false;
  raise_pending_or(state->scan->next(&hit, &found));
  if (!found) return false;
  ItemPointerSet(&scan->xs_heaptid, hit.heap_block, hit.heap_offset);
  scan->xs_recheck = false;
  scan->xs_recheckorderby = false;
  return true;
}

void ivfflat_end_scan(IndexScanDesc scan) {
  ScanState* state = scan_state(scan);
  MemoryContextDelete(state->context);
  scan->opaque = nullptr;
}

}  // namespace vecsim::pg

// src/pg/hnsw/verify.cpp
// vecsim_hnsw_verify(index regclass): checks an hnsw index against the
// invariants of docs/hnsw.md (core's hnsw_verify.h), in the spirit of
// contrib/amcheck. Returns what it counted; a broken invariant is an
// index_corrupted error (XX002) naming the first one.
//
//   elements       elements on the pages (deleted ones included)
//   violations     broken invariants M1, M2, E1, T1, C1, L1, L2, L3, G1
//                  and, for an index with filter columns, A1: the
//                  attributes each live element holds are those of its
//                  rows in the heap, as an MVCC scan of the table sees
//                  them before the check (then XX002)
//   unreachable    live elements no search can reach (G2). An insert cut
//                  short by a crash can leave one whose heap tuple never
//                  committed, and a vacuum cut short ones whose rows it
//                  found dead (unlinked, not yet flagged); a live heap
//                  tuple's element must be reachable.
//   above_entry    live elements above the entry point's level (likewise)
//   count_matches  whether the metapage counts the live elements
//
// INVARIANTS
//   Holds the writers' lock in exclusive mode (inserts hold it shared), so
//   no insert or vacuum runs while the index is checked; scans may.
#include <algorithm>
#include <cstdlib>

#include "bridge/fmgr_glue.h"
#include "bridge/pg_call.h"
#include "hnsw/filter_columns.h"
#include "hnsw/hnsw_am.h"
#include "hnsw/hnsw_handles.h"
#include "util/no_throw.h"
#include "page/pg_page_store.h"

#include "pg.h"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "commands/defrem.h"
#include "utils/snapmgr.h"
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "funcapi.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

// A1's view of the heap: (heap TID as block << 16 | offset, fingerprint
// of the row's attribute block) for every row an MVCC scan of the table
// sees, sorted. Built in PostgreSQL memory; read by core without calls
// back into PostgreSQL.
struct HeapRow {
  std::uint64_t row;
  std::uint64_t fingerprint;
};

class HeapRows final : public core::HnswRowAttrs {
 public:
  HeapRows(const HeapRow* rows, std::size_t n) : rows_(rows), n_(n) {}
  bool fingerprint_of(std::uint64_t row, std::uint64_t* fingerprint) const override {
    const HeapRow* end = rows_ + n_;
    const HeapRow* at = std::lower_bound(rows_, end, row, [](const HeapRow& r, std::uint64_t k) { return r.row < k; });
    if (at == end || at->row != row) return false;
    *fingerprint = at->fingerprint;
    return true;
  }

 private:
  const HeapRow* rows_;
  std::size_t n_;
};

struct HeapScanState {
  HnswAttrRows attrs;
  MemoryContext row_context;  // a row's detoasted values; reset after each
  HeapRow* rows;
  std::size_t count, capacity;
};

void add_heap_row(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool alive, void* arg) {
  auto* state = static_cast<HeapScanState*>(arg);
  if (isnull[0]) return;  // not indexed
  MemoryContext caller = MemoryContextSwitchTo(state->row_context);
  const core::ValueRef block = hnsw_attr_row(&state->attrs, index, values, isnull);
  MemoryContextSwitchTo(caller);
  MemoryContextReset(state->row_context);
  if (state->count == state->capacity) {
    state->capacity *= 2;
    state->rows = static_cast<HeapRow*>(repalloc_huge(state->rows, state->capacity * sizeof(HeapRow)));
  }
  state->rows[state->count++] = HeapRow{
      static_cast<std::uint64_t>(ItemPointerGetBlockNumber(tid)) << 16 | ItemPointerGetOffsetNumber(tid),
      core::attr_fingerprint(block.bytes, block.size)};
}

int compare_heap_rows(const void* a, const void* b) {
  const std::uint64_t x = static_cast<const HeapRow*>(a)->row, y = static_cast<const HeapRow*>(b)->row;
  return x < y ? -1 : x > y;
}

// The rows of the index's table under a fresh MVCC snapshot, as
// amcheck's heapallindexed scans them (expressions and a partial index's
// predicate applied), with their attribute blocks' fingerprints.
HeapScanState scan_heap_rows(Relation index) {
  HeapScanState state{};
  init_hnsw_attr_rows(&state.attrs, index);
  state.row_context = AllocSetContextCreate(CurrentMemoryContext, "vecsim hnsw verify row", ALLOCSET_SMALL_SIZES);
  state.capacity = 1024;
  state.rows = static_cast<HeapRow*>(palloc(state.capacity * sizeof(HeapRow)));
  Relation heap = table_open(index->rd_index->indrelid, AccessShareLock);
  IndexInfo* info = BuildIndexInfo(index);
  info->ii_Concurrent = true;  // the snapshot's rows, without waiting on writers
  Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
  TableScanDesc scan = table_beginscan_strat(heap, snapshot, 0, nullptr, true, false);
  table_index_build_scan(heap, index, info, true, false, add_heap_row, &state, scan);
  UnregisterSnapshot(snapshot);
  table_close(heap, AccessShareLock);
  MemoryContextDelete(state.row_context);
  qsort(state.rows, state.count, sizeof(HeapRow), compare_heap_rows);
  return state;
}

struct Counts {
  std::size_t elements, violations, unreachable, above_entry;
  bool count_matches;
  char first[160];
};

// Body: the report, copied out into trivially destructible Counts.
core::Status verify_into(PgPageStore* store, const core::HnswRowAttrs* heap, Counts* counts) noexcept {
  return core::no_throw([&] {
    core::HnswVerifyReport report;
    VECSIM_RETURN_IF_ERROR(verify_hnsw_index(store, &report, heap));
    counts->elements = report.elements;
    counts->violations = report.violations;
    counts->unreachable = report.unreachable;
    counts->above_entry = report.above_entry;
    counts->count_matches = report.count_matches;
    snprintf(counts->first, sizeof counts->first, "%s", report.first.c_str());
    return core::Status::ok();
  });
}

Datum hnsw_verify(FunctionCallInfo fcinfo) {
  Oid index_oid = PG_GETARG_OID(0);
  Relation index = index_open(index_oid, AccessShareLock);
  if (index->rd_rel->relam != get_index_am_oid("hnsw", false)) {
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                    errmsg("\"%s\" is not an hnsw index", RelationGetRelationName(index))));
  }
  TupleDesc desc;
  if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
    elog(ERROR, "return type must be a row type");
  }
  require_own_index(index, kHnswPageFormat);
  PgPageStore store(index, MAIN_FORKNUM, PgPageStore::Mode::kRead, kHnswPageFormat);
  const core::HnswAttrSchema schema = hnsw_attr_schema(index);
  HeapScanState heap_rows{};
  if (schema.count() > 0) heap_rows = scan_heap_rows(index);
  const HeapRows heap(heap_rows.rows, heap_rows.count);
  Counts counts;
  LockPage(index, kVacuumLockPage, ShareLock);
  LockPage(index, kWriterLockPage, ExclusiveLock);
  core::Status st = verify_into(&store, schema.count() > 0 ? &heap : nullptr, &counts);
  UnlockPage(index, kWriterLockPage, ExclusiveLock);
  UnlockPage(index, kVacuumLockPage, ShareLock);
  raise_pending_or(st);
  if (counts.violations > 0) {
    ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
                    errmsg("hnsw index \"%s\" breaks %zu invariant(s)",
                           RelationGetRelationName(index), counts.violations),
                    errdetail("First: %s.", counts.first)));
  }
  index_close(index, AccessShareLock);

  Datum values[5] = {Int64GetDatum(static_cast<int64>(counts.elements)),
                     Int64GetDatum(static_cast<int64>(counts.violations)),
                     Int64GetDatum(static_cast<int64>(counts.unreachable)),
                     Int64GetDatum(static_cast<int64>(counts.above_entry)),
                     BoolGetDatum(counts.count_matches)};
  bool nulls[5] = {false, false, false, false, false};
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

}  // namespace
}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_hnsw_verify, vecsim::pg::hnsw_verify)

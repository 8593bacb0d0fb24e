// src/pg/ivfflat/verify.cpp
// Two vecsim additions (pgvector has neither), in the spirit of
// contrib/amcheck:
//
// vecsim_ivfflat_verify(index): checks the layout's invariants
// (storage/ivf_format.h; a broken one is an index_corrupted error, XX002,
// naming the first) and that every row of the table the index should hold
// is in exactly one list. Returns:
//   lists         centres (lists of the build)
//   entries       entries on the lists' pages
//   missing       rows visible to this transaction that the index should
//                 hold and does not (a correct index has none)
//   duplicates    heap TIDs with more than one entry (likewise none)
//   stale         entries whose row is not visible (dead rows a vacuum
//                 has not removed yet, or rows of later transactions)
//   orphan_pages  pages on no list (left by an insert a crash cut short)
//
// vecsim_ivfflat_lists(index): per list, its rows and the mean operator
// distance of its rows to its centre now, beside the same at build time.
// Inserts go to the nearest centre of the build; when the data drifts,
// lists grow uneven and the mean distance grows: a REINDEX retrains.
//
// INVARIANTS
//   Reads only, under AccessShareLock: inserts, scans and vacuum run on.
//   The table is read with one registered MVCC snapshot taken before the
//   index is walked, so no row visible to it can lose its entry meanwhile
//   (vacuum cannot remove what the snapshot still sees).
#include <algorithm>
#include <vector>

#include "bridge/fmgr_glue.h"
#include "bridge/pg_call.h"
#include "index/handle_slot.h"
#include "index/value_datum.h"
#include "ivf/ivf_verify.h"
#include "ivfflat/ivf_handle.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"
}

namespace vecsim::pg {
namespace {

std::uint64_t tid_key(std::uint32_t block, std::uint16_t offset) {
  return (static_cast<std::uint64_t>(block) << 16) | offset;
}

Relation open_ivfflat(Oid index_oid) {
  Relation index = index_open(index_oid, AccessShareLock);
  if (index->rd_rel->relam != get_index_am_oid("ivfflat", false)) {
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                    errmsg("\"%s\" is not an ivfflat index", RelationGetRelationName(index))));
  }
  require_own_index(index, kIvfflatPageFormat);
  return index;
}

// The heap TIDs of the rows the index should hold (palloc'd, growing).
struct HeapRows {
  core::IndexOpclass opclass;
  MemoryContext row_context;  // reset after every row
  std::uint64_t* keys;
  std::size_t count, cap;
};

void heap_row(Relation, ItemPointer tid, Datum* values, bool* isnull, bool alive, void* arg) {
  auto* rows = static_cast<HeapRows*>(arg);
  if (isnull[0] || !alive) return;
  core::ValueRef value;
  MemoryContext caller = MemoryContextSwitchTo(rows->row_context);
  const bool indexed = index_value_of(rows->opclass, values[0], nullptr, &value);
  MemoryContextSwitchTo(caller);
  MemoryContextReset(rows->row_context);
  if (!indexed) return;
  if (rows->count == rows->cap) {
    rows->cap *= 2;
    rows->keys = static_cast<std::uint64_t*>(repalloc_huge(rows->keys, rows->cap * sizeof(std::uint64_t)));
  }
  rows->keys[rows->count++] = tid_key(ItemPointerGetBlockNumber(tid), ItemPointerGetOffsetNumber(tid));
}

struct IndexWalk {
  core::IvfVerifyReport report;
  std::vector<std::uint64_t> keys;
};

Datum ivfflat_verify(FunctionCallInfo fcinfo) {
  Relation index = open_ivfflat(PG_GETARG_OID(0));
  TupleDesc desc;
  if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE) {
    elog(ERROR, "return type must be a row type");
  }
  if (!index->rd_index->indisvalid) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("cannot verify index \"%s\"", RelationGetRelationName(index)),
                    errdetail("Index is not valid (a failed CREATE INDEX CONCURRENTLY?).")));
  }
  Relation heap = table_open(index->rd_index->indrelid, AccessShareLock);
  MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "vecsim ivfflat verify", ALLOCSET_DEFAULT_SIZES);
  MemoryContext caller = MemoryContextSwitchTo(context);
  const core::IndexOpclass opclass = ivfflat_opclass_of(index);

  Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
  HeapRows rows{opclass, AllocSetContextCreate(context, "vecsim ivfflat verify row", ALLOCSET_DEFAULT_SIZES),
                static_cast<std::uint64_t*>(palloc(1024 * sizeof(std::uint64_t))), 0, 1024};
  IndexInfo* info = BuildIndexInfo(index);
  info->ii_Concurrent = true;
  TableScanDesc scan = table_beginscan_strat(heap, snapshot, 0, nullptr, true, false);
  table_index_build_scan(heap, index, info, true, false, heap_row, &rows, scan);

  IvfHandle* h = new_ivf_handle(context, index, MAIN_FORKNUM, PgPageStore::Mode::kRead, opclass);
  IndexWalk* walk = new_owned<IndexWalk>(context);
  raise_pending_or(core::no_throw([&] {
    return core::verify_ivf_index(&h->store, core::any_metric_of(opclass), &walk->report,
                                  [&](std::uint32_t, std::uint32_t block, std::uint16_t offset) {
                                    walk->keys.push_back(tid_key(block, offset));
                                  });
  }));
  UnregisterSnapshot(snapshot);
  if (walk->report.violations > 0) {
    ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
                    errmsg("ivfflat index \"%s\" breaks %llu invariant(s)", RelationGetRelationName(index),
                           static_cast<unsigned long long>(walk->report.violations)),
                    errdetail("First: %s.", walk->report.first.c_str())));
  }
  std::sort(walk->keys.begin(), walk->keys.end());
  std::sort(rows.keys, rows.keys + rows.count);
  std::int64_t duplicates = 0, missing = 0, stale = 0;
  for (std::size_t i = 1; i < walk->keys.size(); ++i) duplicates += walk->keys[i] == walk->keys[i - 1];
  std::size_t a = 0, b = 0;  // a merge of the two sorted lists
  const std::vector<std::uint64_t>& keys = walk->keys;
  while (a < rows.count || b < keys.size()) {
    if (b == keys.size() || (a < rows.count && rows.keys[a] < keys[b])) {
      ++missing;
      ++a;
    } else if (a == rows.count || keys[b] < rows.keys[a]) {
      ++stale;
      ++b;
    } else {
      const std::uint64_t k = keys[b];
      ++a;
      while (b < keys.size() && keys[b] == k) ++b;
    }
  }
  Datum values[6] = {Int64GetDatum(static_cast<int64>(walk->report.lists)),
                     Int64GetDatum(static_cast<int64>(walk->report.entries)),
                     Int64GetDatum(missing),
                     Int64GetDatum(duplicates),
                     Int64GetDatum(stale),
                     Int64GetDatum(static_cast<int64>(walk->report.orphan_pages))};
  bool nulls[6] = {false, false, false, false, false, false};
  MemoryContextSwitchTo(caller);
  HeapTuple tuple = heap_form_tuple(BlessTupleDesc(desc), values, nulls);
  MemoryContextDelete(context);
  table_close(heap, AccessShareLock);
  index_close(index, AccessShareLock);
  PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

Datum ivfflat_lists(FunctionCallInfo fcinfo) {
  Relation index = open_ivfflat(PG_GETARG_OID(0));
  InitMaterializedSRF(fcinfo, 0);
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  MemoryContext context = AllocSetContextCreate(CurrentMemoryContext, "vecsim ivfflat lists", ALLOCSET_DEFAULT_SIZES);
  IvfHandle* h = new_ivf_handle(context, index, MAIN_FORKNUM, PgPageStore::Mode::kRead, ivfflat_opclass_of(index));
  raise_pending_or(h->store.refresh_page_count());
  raise_pending_or(h->index.open());
  for (std::uint32_t list = 0; list < h->index.meta().lists; ++list) {
    CHECK_FOR_INTERRUPTS();
    core::IvfListHeader header;
    std::uint64_t rows = 0;
    double distance = 0;
    raise_pending_or(h->index.read_header(list, &header));
    raise_pending_or(h->index.list_stats(list, &rows, &distance));
    Datum values[5] = {Int32GetDatum(static_cast<int32>(list)), Int64GetDatum(static_cast<int64>(rows)),
                       Float8GetDatum(rows > 0 ? distance / rows : 0.0),
                       Int64GetDatum(static_cast<int64>(header.build_rows)),
                       Float8GetDatum(header.build_rows > 0 ? header.build_distance_sum / header.build_rows : 0.0)};
    bool nulls[5] = {false, false, rows == 0, false, header.build_rows == 0};
    tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
  }
  MemoryContextDelete(context);
  index_close(index, AccessShareLock);
  return static_cast<Datum>(0);
}

}  // namespace
}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_ivfflat_verify, vecsim::pg::ivfflat_verify)
VECSIM_FUNCTION(vecsim_ivfflat_lists, vecsim::pg::ivfflat_lists)

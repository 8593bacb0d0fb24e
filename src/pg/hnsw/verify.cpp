// src/pg/hnsw/verify.cpp
// vecsim_hnsw_verify(index regclass): checks an hnsw index against the
// invariants of docs/hnsw.md (core's hnsw_verify.h), in the spirit of
// contrib/amcheck. Returns what it counted; a broken invariant is an
// index_corrupted error (XX002) naming the first one.
//
//   elements       elements on the pages (deleted ones included)
//   violations     broken invariants M1, E1, L1, L2, L3, G1 (then XX002)
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
#include "bridge/fmgr_glue.h"
#include "bridge/pg_call.h"
#include "hnsw/hnsw_am.h"
#include "hnsw/hnsw_handles.h"
#include "util/no_throw.h"
#include "page/pg_page_store.h"

#include "pg.h"

extern "C" {
#include "commands/defrem.h"
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "funcapi.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

struct Counts {
  std::size_t elements, violations, unreachable, above_entry;
  bool count_matches;
  char first[160];
};

// Body: the report, copied out into trivially destructible Counts.
core::Status verify_into(PgPageStore* store, Counts* counts) noexcept {
  return core::no_throw([&] {
    core::HnswVerifyReport report;
    VECSIM_RETURN_IF_ERROR(verify_hnsw_index(store, &report));
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
  Counts counts;
  LockPage(index, kVacuumLockPage, ShareLock);
  LockPage(index, kWriterLockPage, ExclusiveLock);
  core::Status st = verify_into(&store, &counts);
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

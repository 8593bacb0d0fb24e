// src/pg/index/build_workers.cpp
// How many helper threads an index build may use (index/build_workers.h).
#include "index/build_workers.h"

#include <cstring>

#include "pg.h"

extern "C" {
#include "catalog/pg_type.h"
#include "miscadmin.h"
}

extern "C" {
#include "access/table.h"
#include "catalog/index.h"
#include "optimizer/paths.h"
#include "optimizer/optimizer.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

// Helper threads for building heap's index: plan_create_index_workers'
// answer, unless it is 0 only because the heap is small. PostgreSQL sizes
// a table by its main fork, and vectors wider than about 2 kB (a 768-dim
// vector is 3 kB) live in its TOAST table: 100,000 of them are 6 MB of
// heap, below min_parallel_table_scan_size, and 400 MB of TOAST, while
// the graph build is work per row. So when nothing else (the settings,
// the table's parallel_workers) holds the count at 0, PostgreSQL's own
// rule (compute_parallel_worker) is applied to the heap and TOAST pages
// together. The threads touch no relation, so what else can hold
// PostgreSQL's workers back (temporary tables, parallel-unsafe index
// expressions: the expressions run in this backend's heap scan) does not
// concern them.
int build_helper_threads(Relation heap, Relation index) {
  int helpers = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
  if (helpers > 0 || max_parallel_maintenance_workers == 0 ||
      RelationGetParallelWorkers(heap, -1) != -1 || !OidIsValid(heap->rd_rel->reltoastrelid)) {
    return helpers;
  }
  Relation toast = table_open(heap->rd_rel->reltoastrelid, AccessShareLock);
  double pages = static_cast<double>(RelationGetNumberOfBlocks(heap)) +
                 static_cast<double>(RelationGetNumberOfBlocks(toast));
  table_close(toast, AccessShareLock);
  RelOptInfo sized;
  std::memset(&sized, 0, sizeof sized);
  sized.rel_parallel_workers = -1;
  return compute_parallel_worker(&sized, pages, -1, max_parallel_maintenance_workers);
}

int start_build_threads(Relation heap, Relation index) {
  const int helpers = build_helper_threads(heap, index);
  if (helpers > 0) ereport(DEBUG1, (errmsg_internal("using %d parallel workers", helpers)));
  return helpers + 1;
}

bool build_stop_requested(void*) { return QueryCancelPending || ProcDiePending; }

std::int32_t checked_index_dims(Relation index, core::ValueKind kind, const char* am, std::int64_t limit,
                                const char* limit_detail) {
  Form_pg_attribute attribute = TupleDescAttr(RelationGetDescr(index), 0);
  if (kind == core::ValueKind::kBit && attribute->atttypid == VARBITOID) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("type not supported for %s index", am)));
  }
  const std::int32_t dims = attribute->atttypmod;
  if (dims < 0) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("column does not have dimensions")));
  }
  if (dims > limit) {
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("column cannot have more than %lld dimensions for %s index",
                           static_cast<long long>(limit), am),
                    errdetail_internal(limit_detail, core::value_kind_name(kind))));
  }
  return dims;
}

}  // namespace vecsim::pg

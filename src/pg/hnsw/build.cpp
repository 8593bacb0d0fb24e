// src/pg/hnsw/build.cpp
// CREATE INDEX / REINDEX for hnsw (docs/reference.md 7.4, 8.3): checks the indexed
// type's dimensions and the options, then feeds every heap row to core's
// HnswBuilder, which builds the graph in memory within
// maintenance_work_mem and writes it to pages (spilling to page inserts,
// with a NOTICE, when it no longer fits). The finished pages are WAL-logged
// once each. ambuildempty writes an empty index to the init fork.
//
// INVARIANTS
//   The builder lives in the build's own memory context, destroyed by its
//   reset callback: a cancel or error anywhere (the heap scan checks for
//   interrupts on every row) frees it, and the half-written relation is
//   dropped with the aborted transaction.
//
// PARALLEL BUILD
//   With the workers PostgreSQL allows (plan_create_index_workers: the
//   table's size, parallel_workers and max_parallel_maintenance_workers;
//   the size counted with the table's TOAST, see build_helpers), the
//   graph is built by this backend and that many helper threads of
//   core's (HnswGraph::build_parallel). The threads never call PostgreSQL
//   and block all signals; this thread polls for a cancel between its own
//   inserts. Rows are read by the one heap scan, as in a serial build. NULLs and zero vectors under
//   cosine are not indexed (docs/reference.md 7.5).
#include <cstdint>

#include "bridge/pg_call.h"
#include "hnsw/filter_columns.h"
#include "hnsw/handle_slot.h"
#include "hnsw/hnsw_am.h"
#include "page/pg_page_store.h"
#include "index/am_common.h"
#include "index/build_workers.h"
#include "index/value_datum.h"

#include "pg.h"

extern "C" {
#include "storage/bufmgr.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "pgstat.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

using core::ValueKind;

struct BuildState {
  core::IndexOpclass opclass;
  HnswAttrRows* attrs;  // the filter columns'
  PgPageStore* store;
  HnswSlot<HnswBuildHandle>* slot;
  MemoryContext row_context;  // reset after every row
  double heap_tuples;
  double indexed;
  bool noticed_spill;
};

// The most dimensions an index of this kind can hold with m: a layer-0
// element must fit one page, whole or spilled (core/storage/hnsw_spill.h),
// which comes down to the value's size limit, kMaxValueBytes.
std::int64_t page_dims_limit(ValueKind kind, int m, std::size_t attr_bytes, const PgPageStore& store) {
  if (kind == ValueKind::kSparse) return 1000000000;  // limited by nnz instead
  const core::HnswElementLayout layout{m, attr_bytes};
  return largest_fitting_dims(static_cast<std::int64_t>(store.page_capacity()) * 8, [&](std::int64_t dims) {
    return core::hnsw_max_level_fitting(store, layout, core::value_bytes_for_dims(kind, dims)) >= 0;
  });
}

void check_options(int m, int ef_construction) {
  if (ef_construction < 2 * m) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("ef_construction must be greater than or equal to 2 * m")));
  }
}

void add_row(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool alive,
             void* arg) {
  auto* state = static_cast<BuildState*>(arg);
  state->heap_tuples += 1;
  if (isnull[0]) return;
  MemoryContext caller = MemoryContextSwitchTo(state->row_context);
  core::ValueRef value;
  bool indexed = index_value_of(state->opclass, values[0], &core::kHnswValueLimits, &value);
  core::Status st;
  if (indexed) {
    const core::ValueRef attrs = hnsw_attr_row(state->attrs, index, values, isnull);
    st = state->slot->handle->add(value, attrs, ItemPointerGetBlockNumber(tid),
                                  ItemPointerGetOffsetNumber(tid));
  }
  MemoryContextSwitchTo(caller);
  raise_pending_or(st);  // before the reset: nothing raised may live in row_context
  MemoryContextReset(state->row_context);
  if (!indexed) return;
  state->indexed += 1;
  pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(state->indexed));
  if (!state->noticed_spill && state->slot->handle->spilled()) {
    state->noticed_spill = true;
    ereport(NOTICE, (errmsg("hnsw graph no longer fits into maintenance_work_mem after %zu tuples",
                            state->slot->handle->spilled_at()),
                     errdetail("Building will take significantly more time."),
                     errhint("Increase maintenance_work_mem to speed up builds.")));
  }
}

// Builds the index on fork from the heap (heap null: an empty index).
void build_fork(Relation heap, Relation index, IndexInfo* info, ForkNumber fork,
                BuildState* state) {
  const int m = hnsw_option_m(index);
  const int ef_construction = hnsw_option_ef_construction(index);
  check_options(m, ef_construction);
  state->opclass = hnsw_opclass_of(index);

  MemoryContext build_context =
      AllocSetContextCreate(CurrentMemoryContext, "vecsim hnsw build", ALLOCSET_DEFAULT_SIZES);
  MemoryContext caller = MemoryContextSwitchTo(build_context);
  state->store = static_cast<PgPageStore*>(palloc(sizeof(PgPageStore)));
  new (state->store) PgPageStore(index, fork, PgPageStore::Mode::kBuild, kHnswPageFormat);
  char detail[96];
  snprintf(detail, sizeof detail, "An hnsw element holds a %%s value of at most %zu bytes.", core::kMaxValueBytes);
  state->attrs = static_cast<HnswAttrRows*>(palloc(sizeof(HnswAttrRows)));
  init_hnsw_attr_rows(state->attrs, index);
  std::int32_t dims = checked_index_dims(
      index, state->opclass.kind, "hnsw",
      page_dims_limit(state->opclass.kind, m, state->attrs->schema.block_bytes(), *state->store), detail);
  state->row_context =
      AllocSetContextCreate(build_context, "vecsim hnsw build row", ALLOCSET_DEFAULT_SIZES);
  state->slot = new_handle_slot<HnswBuildHandle, kHnswHandleBytes>(build_context);
  MemoryContextSwitchTo(caller);

  core::HnswParams params{m, ef_construction, VECSIM_RANDOM_U64()};
  std::size_t budget = static_cast<std::size_t>(maintenance_work_mem) * 1024;
  HnswBuildHandle* handle = nullptr;
  core::Status st = make_hnsw_build(state->opclass, state->attrs->schema, state->store, params,
                                    static_cast<std::uint32_t>(dims), budget, state->slot->storage,
                                    &handle);
  raise_pending_or(st);
  state->slot->handle = handle;
  if (heap != nullptr) {
    handle->set_parallel(start_build_threads(heap, index), build_stop_requested, nullptr);
  }

  if (heap != nullptr) {
    pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kHnswPhaseLoad);
    state->heap_tuples = table_index_build_scan(heap, index, info, true, true, add_row, state, nullptr);
  }
  raise_pending_or(handle->finish());
  log_built_fork(index, fork);
  MemoryContextDelete(build_context);
}

}  // namespace

IndexBuildResult* hnsw_build(Relation heap, Relation index, IndexInfo* info) {
  require_empty_index(index);
  BuildState state{};
  build_fork(heap, index, info, MAIN_FORKNUM, &state);
  return build_result(state.heap_tuples, state.indexed);
}

void hnsw_build_empty(Relation index) {
  BuildState state{};
  build_fork(nullptr, index, nullptr, INIT_FORKNUM, &state);
}

}  // namespace vecsim::pg

// src/pg/hnsw/handler.cpp
// hnswhandler: the access method's properties (docs/reference.md 7.2; unlike
// ivfflat, several key columns: the vector, then filter columns), its
// reloptions m and ef_construction (8.2), amvalidate and the build's phase
// names.
//
// INVARIANTS
//   The reloption kind is registered once, from _PG_init. Options are
//   range-checked by PostgreSQL (22023 names the range); the rule
//   ef_construction >= 2 * m is checked when an index is built.
#include "bridge/am_guard.h"
#include "bridge/fmgr_glue.h"
#include "index/am_common.h"
#include "hnsw/filter_columns.h"
#include "hnsw/hnsw_am.h"
#include "index/opclass_validate.h"

#include "pg.h"

extern "C" {
#include "access/reloptions.h"
#include "access/stratnum.h"
#include "commands/progress.h"
}

namespace vecsim::pg {
namespace {

relopt_kind g_hnsw_relopt_kind;

constexpr int kDefaultM = 16;
constexpr int kDefaultEfConstruction = 64;

bytea* hnsw_options(Datum reloptions, bool validate) {
  static const relopt_parse_elt kTable[] = {
      {"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
      {"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
  };
  return static_cast<bytea*>(build_reloptions(reloptions, validate, g_hnsw_relopt_kind,
                                              sizeof(HnswOptions), kTable, lengthof(kTable)));
}

char* hnsw_phase_name(int64 phase) {
  switch (phase) {
    case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
      return const_cast<char*>("initializing");
    case kHnswPhaseLoad:
      return const_cast<char*>("loading tuples");
  }
  return nullptr;
}

// The vector column's classes order; the filter columns' search.
bool hnsw_validate(Oid opclass_oid) {
  if (opclass_orders(opclass_oid)) return validate_order_opclass(opclass_oid, "hnsw", 3);
  return validate_search_opclass(opclass_oid, "hnsw", hnsw_filter_strategy_allowed);
}

Datum hnsw_handler(FunctionCallInfo fcinfo) {
  IndexAmRoutine* am = new_vector_am_routine(3);
  // Filter columns after the vector (docs/hnsw_filtering.md), with
  // = ANY(array) keys.
  am->amcanmulticol = true;
  am->amsearcharray = true;
  am->amsearchnulls = true;  // IS [NOT] NULL on filter columns (docs/hnsw_filtering.md)
  am->ambuild = VECSIM_AM_GUARD(hnsw_build);
  am->ambuildempty = VECSIM_AM_GUARD(hnsw_build_empty);
  am->aminsert = VECSIM_AM_GUARD(hnsw_insert);
  am->ambulkdelete = VECSIM_AM_GUARD(hnsw_bulk_delete);
  am->amvacuumcleanup = VECSIM_AM_GUARD(vector_vacuum_cleanup);
  am->amcostestimate = VECSIM_AM_GUARD(hnsw_cost_estimate);
  am->amoptions = VECSIM_AM_GUARD(hnsw_options);
  am->ambuildphasename = VECSIM_AM_GUARD(hnsw_phase_name);
  am->amvalidate = VECSIM_AM_GUARD(hnsw_validate);
  am->ambeginscan = VECSIM_AM_GUARD(hnsw_begin_scan);
  am->amrescan = VECSIM_AM_GUARD(hnsw_rescan);
  am->amgettuple = VECSIM_AM_GUARD(hnsw_get_tuple);
  am->amendscan = VECSIM_AM_GUARD(hnsw_end_scan);
  PG_RETURN_POINTER(am);
}

const HnswOptions* options_of(Relation index) {
  return reinterpret_cast<const HnswOptions*>(index->rd_options);
}

}  // namespace

void define_hnsw_options() {
  g_hnsw_relopt_kind = add_reloption_kind();
  add_int_reloption(g_hnsw_relopt_kind, "m", "Neighbours an element keeps per layer (twice as many on layer 0)", kDefaultM, 2, 100,
                    AccessExclusiveLock);
  add_int_reloption(g_hnsw_relopt_kind, "ef_construction", "Candidates considered when an element is inserted",
                    kDefaultEfConstruction, 4, 1000, AccessExclusiveLock);
}

int hnsw_option_m(Relation index) {
  const HnswOptions* options = options_of(index);
  return options ? options->m : kDefaultM;
}

int hnsw_option_ef_construction(Relation index) {
  const HnswOptions* options = options_of(index);
  return options ? options->ef_construction : kDefaultEfConstruction;
}

}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_hnswhandler, vecsim::pg::hnsw_handler)

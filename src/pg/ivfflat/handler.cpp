// src/pg/ivfflat/handler.cpp
// ivfflathandler: the access method's properties (docs/reference.md 7.2), its
// reloption lists (9.2), amvalidate and the build's phase names.
//
// INVARIANTS
//   The reloption kind is registered once, from _PG_init. lists is
//   range-checked by PostgreSQL (22023 names the range 1 .. 32768).
#include "bridge/am_guard.h"
#include "bridge/fmgr_glue.h"
#include "index/am_common.h"
#include "index/opclass_validate.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "access/reloptions.h"
#include "commands/progress.h"
}

namespace vecsim::pg {
namespace {

relopt_kind g_ivfflat_relopt_kind;

constexpr int kDefaultLists = 100;

bytea* ivfflat_options(Datum reloptions, bool validate) {
  static const relopt_parse_elt kTable[] = {
      {"lists", RELOPT_TYPE_INT, offsetof(IvfflatOptions, lists)},
  };
  return static_cast<bytea*>(build_reloptions(reloptions, validate, g_ivfflat_relopt_kind,
                                              sizeof(IvfflatOptions), kTable, lengthof(kTable)));
}

char* ivfflat_phase_name(int64 phase) {
  switch (phase) {
    case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
      return const_cast<char*>("initializing");
    case kIvfflatPhaseKMeans:
      return const_cast<char*>("performing k-means");
    case kIvfflatPhaseAssign:
      return const_cast<char*>("assigning tuples");
    case kIvfflatPhaseLoad:
      return const_cast<char*>("loading tuples");
  }
  return nullptr;
}

bool ivfflat_validate(Oid opclass_oid) { return validate_order_opclass(opclass_oid, "ivfflat", 5); }

Datum ivfflat_handler(FunctionCallInfo fcinfo) {
  IndexAmRoutine* am = new_vector_am_routine(5);
  am->ambuild = VECSIM_AM_GUARD(ivfflat_build);
  am->ambuildempty = VECSIM_AM_GUARD(ivfflat_build_empty);
  am->aminsert = VECSIM_AM_GUARD(ivfflat_insert);
  am->ambulkdelete = VECSIM_AM_GUARD(ivfflat_bulk_delete);
  am->amvacuumcleanup = VECSIM_AM_GUARD(vector_vacuum_cleanup);
  am->amcostestimate = VECSIM_AM_GUARD(ivfflat_cost_estimate);
  am->amoptions = VECSIM_AM_GUARD(ivfflat_options);
  am->ambuildphasename = VECSIM_AM_GUARD(ivfflat_phase_name);
  am->amvalidate = VECSIM_AM_GUARD(ivfflat_validate);
  am->ambeginscan = VECSIM_AM_GUARD(ivfflat_begin_scan);
  am->amrescan = VECSIM_AM_GUARD(ivfflat_rescan);
  am->amgettuple = VECSIM_AM_GUARD(ivfflat_get_tuple);
  am->amendscan = VECSIM_AM_GUARD(ivfflat_end_scan);
  PG_RETURN_POINTER(am);
}

}  // namespace

void define_ivfflat_options() {
  g_ivfflat_relopt_kind = add_reloption_kind();
  add_int_reloption(g_ivfflat_relopt_kind, "lists", "Number of inverted lists (k-means centres)", kDefaultLists, 1,
                    static_cast<int>(core::kIvfMaxLists), AccessExclusiveLock);
}

int ivfflat_option_lists(Relation index) {
  const auto* options = reinterpret_cast<const IvfflatOptions*>(index->rd_options);
  return options ? options->lists : kDefaultLists;
}

}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_ivfflathandler, vecsim::pg::ivfflat_handler)

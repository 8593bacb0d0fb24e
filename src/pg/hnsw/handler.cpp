// src/pg/hnsw/handler.cpp
// hnswhandler: the access method's properties (docs/reference.md 7.2), its
// reloptions m and ef_construction (8.2), amvalidate and the build's phase
// names.
//
// INVARIANTS
//   The reloption kind is registered once, from _PG_init. Options are
//   range-checked by PostgreSQL (22023 names the range); the rule
//   ef_construction >= 2 * m is checked when an index is built.
#include "bridge/am_guard.h"
#include "bridge/fmgr_glue.h"
#include "hnsw/hnsw_am.h"

#include "pg.h"

extern "C" {
#include "access/htup_details.h"
#include "access/reloptions.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "utils/catcache.h"
#include "utils/syscache.h"
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

// Each member of the opclass's family: operators are ORDER BY operators
// of strategy 1, support functions are numbered 1 to 3, and function 1 is
// there. Problems are reported as INFO, as the built-in AMs do.
bool hnsw_validate(Oid opclass_oid) {
  HeapTuple opclass = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass_oid));
  if (!HeapTupleIsValid(opclass)) elog(ERROR, "cache lookup failed for operator class %u", opclass_oid);
  auto* form = reinterpret_cast<Form_pg_opclass>(GETSTRUCT(opclass));
  Oid family = form->opcfamily;
  Oid type = form->opcintype;
  const char* name = NameStr(form->opcname);
  bool ok = true;

  CatCList* procs = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(family));
  bool has_distance = false;
  for (int i = 0; i < procs->n_members; ++i) {
    auto* proc = reinterpret_cast<Form_pg_amproc>(GETSTRUCT(&procs->members[i]->tuple));
    if (proc->amprocnum < 1 || proc->amprocnum > 3) {
      ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                     errmsg("hnsw operator class \"%s\" has support function number %d, "
                            "which is not 1, 2 or 3", name, proc->amprocnum)));
      ok = false;
    }
    has_distance |= proc->amprocnum == 1 && proc->amproclefttype == type;
  }
  ReleaseCatCacheList(procs);
  if (!has_distance) {
    ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                   errmsg("hnsw operator class \"%s\" has no support function 1", name)));
    ok = false;
  }

  CatCList* ops = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(family));
  for (int i = 0; i < ops->n_members; ++i) {
    auto* op = reinterpret_cast<Form_pg_amop>(GETSTRUCT(&ops->members[i]->tuple));
    if (op->amopstrategy != 1 || op->amoppurpose != AMOP_ORDER) {
      ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                     errmsg("hnsw operator class \"%s\" has an operator that is not "
                            "an ORDER BY operator of strategy 1", name)));
      ok = false;
    }
  }
  ReleaseCatCacheList(ops);
  ReleaseSysCache(opclass);
  return ok;
}

Datum hnsw_handler(FunctionCallInfo fcinfo) {
  IndexAmRoutine* am = makeNode(IndexAmRoutine);
  am->amstrategies = 0;
  am->amsupport = 3;
  am->amoptsprocnum = 0;
  am->amcanorder = false;
  am->amcanorderbyop = true;
  am->amcanbackward = false;
  am->amcanunique = false;
  am->amcanmulticol = false;
  am->amoptionalkey = true;
  am->amsearcharray = false;
  am->amsearchnulls = false;
  am->amstorage = false;
  am->amclusterable = false;
  am->ampredlocks = false;
  am->amcanparallel = false;
  am->amcaninclude = false;
  am->amusemaintenanceworkmem = false;
  am->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
  am->amkeytype = InvalidOid;

  am->ambuild = VECSIM_AM_GUARD(hnsw_build);
  am->ambuildempty = VECSIM_AM_GUARD(hnsw_build_empty);
  am->aminsert = VECSIM_AM_GUARD(hnsw_insert);
  am->ambulkdelete = VECSIM_AM_GUARD(hnsw_bulk_delete);
  am->amvacuumcleanup = VECSIM_AM_GUARD(hnsw_vacuum_cleanup);
  am->amcanreturn = nullptr;
  am->amcostestimate = VECSIM_AM_GUARD(hnsw_cost_estimate);
  am->amoptions = VECSIM_AM_GUARD(hnsw_options);
  am->amproperty = nullptr;
  am->ambuildphasename = VECSIM_AM_GUARD(hnsw_phase_name);
  am->amvalidate = VECSIM_AM_GUARD(hnsw_validate);
  am->amadjustmembers = nullptr;
  am->ambeginscan = VECSIM_AM_GUARD(hnsw_begin_scan);
  am->amrescan = VECSIM_AM_GUARD(hnsw_rescan);
  am->amgettuple = VECSIM_AM_GUARD(hnsw_get_tuple);
  am->amgetbitmap = nullptr;
  am->amendscan = VECSIM_AM_GUARD(hnsw_end_scan);
  am->ammarkpos = nullptr;
  am->amrestrpos = nullptr;
  am->amestimateparallelscan = nullptr;
  am->aminitparallelscan = nullptr;
  am->amparallelrescan = nullptr;
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

// src/pg/index/opclass_validate.cpp
// amvalidate of both access methods (index/opclass_validate.h).
#include "index/opclass_validate.h"

#include "pg.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/syscache.h"
}

namespace vecsim::pg {

bool validate_order_opclass(Oid opclass_oid, const char* am, int max_support) {
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
    if (proc->amprocnum < 1 || proc->amprocnum > max_support) {
      ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                     errmsg("%s operator class \"%s\" has support function number %d, "
                            "which is not between 1 and %d", am, name, proc->amprocnum, max_support)));
      ok = false;
    }
    has_distance |= proc->amprocnum == 1 && proc->amproclefttype == type;
  }
  ReleaseCatCacheList(procs);
  if (!has_distance) {
    ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                   errmsg("%s operator class \"%s\" has no support function 1", am, name)));
    ok = false;
  }

  CatCList* ops = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(family));
  for (int i = 0; i < ops->n_members; ++i) {
    auto* op = reinterpret_cast<Form_pg_amop>(GETSTRUCT(&ops->members[i]->tuple));
    if (op->amopstrategy != 1 || op->amoppurpose != AMOP_ORDER) {
      ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                     errmsg("%s operator class \"%s\" has an operator that is not "
                            "an ORDER BY operator of strategy 1", am, name)));
      ok = false;
    }
  }
  ReleaseCatCacheList(ops);
  ReleaseSysCache(opclass);
  return ok;
}

namespace {

// f(form) for every operator of the opclass's family; the opclass's name.
template <class F>
void for_each_operator(Oid opclass_oid, F&& f) {
  HeapTuple opclass = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass_oid));
  if (!HeapTupleIsValid(opclass)) elog(ERROR, "cache lookup failed for operator class %u", opclass_oid);
  auto* form = reinterpret_cast<Form_pg_opclass>(GETSTRUCT(opclass));
  CatCList* ops = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(form->opcfamily));
  for (int i = 0; i < ops->n_members; ++i) {
    f(reinterpret_cast<Form_pg_amop>(GETSTRUCT(&ops->members[i]->tuple)), NameStr(form->opcname));
  }
  ReleaseCatCacheList(ops);
  ReleaseSysCache(opclass);
}

}  // namespace

bool opclass_orders(Oid opclass_oid) {
  bool orders = false;
  for_each_operator(opclass_oid, [&](Form_pg_amop op, const char*) { orders |= op->amoppurpose == AMOP_ORDER; });
  return orders;
}

bool validate_search_opclass(Oid opclass_oid, const char* am, bool (*allowed)(Oid left_type, int strategy)) {
  bool ok = true;
  for_each_operator(opclass_oid, [&](Form_pg_amop op, const char* name) {
    if (op->amoppurpose != AMOP_SEARCH || !allowed(op->amoplefttype, op->amopstrategy) ||
        get_op_rettype(op->amopopr) != BOOLOID) {
      ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                     errmsg("%s operator class \"%s\" has an operator that is not a boolean search "
                            "operator of a strategy its type takes (strategy %d on %s)", am, name,
                            op->amopstrategy, format_type_be(op->amoplefttype))));
      ok = false;
    }
  });
  HeapTuple opclass = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclass_oid));
  if (!HeapTupleIsValid(opclass)) elog(ERROR, "cache lookup failed for operator class %u", opclass_oid);
  auto* form = reinterpret_cast<Form_pg_opclass>(GETSTRUCT(opclass));
  CatCList* procs = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(form->opcfamily));
  if (procs->n_members > 0) {
    ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
                   errmsg("%s operator class \"%s\" has support functions, which filter columns do not use", am,
                          NameStr(form->opcname))));
    ok = false;
  }
  ReleaseCatCacheList(procs);
  ReleaseSysCache(opclass);
  return ok;
}

}  // namespace vecsim::pg

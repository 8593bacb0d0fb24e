// src/pg/hnsw/opclass.cpp
// hnsw's operator-class support: function 3 of the halfvec, sparsevec and
// bit opclasses hands out the AM-neutral type descriptor
// (index/value_datum.h), and hnsw_opclass_of reads an index's opclass
// through functions 1 (distance), 2 (normalization) and 3.
#include "bridge/fmgr_glue.h"
#include "hnsw/hnsw_am.h"
#include "index/value_datum.h"

#include "pg.h"

extern "C" {
#include "access/genam.h"
}

namespace vecsim::pg {
namespace {

constexpr AmSupportNumbers kHnswSupport{1, 2, 3, "hnsw"};

template <core::ValueKind Kind>
Datum type_support(FunctionCallInfo) {
  return PointerGetDatum(index_type_descriptor(Kind));
}

}  // namespace

core::IndexOpclass hnsw_opclass_of(Relation index) {
  // A filter column's class has no distance: the vector must come first.
  if (!OidIsValid(index_getprocid(index, 1, kHnswSupport.distance))) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("the first column of hnsw index \"%s\" is not a vector column",
                           RelationGetRelationName(index)),
                    errhint("Put the vector column first, and filter columns after it.")));
  }
  return index_opclass_of(index, kHnswSupport);
}

}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_hnsw_halfvec_support, vecsim::pg::type_support<vecsim::core::ValueKind::kHalfvec>)
VECSIM_FUNCTION(vecsim_hnsw_sparsevec_support, vecsim::pg::type_support<vecsim::core::ValueKind::kSparse>)
VECSIM_FUNCTION(vecsim_hnsw_bit_support, vecsim::pg::type_support<vecsim::core::ValueKind::kBit>)

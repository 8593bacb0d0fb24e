// src/pg/ivfflat/opclass.cpp
// ivfflat's operator-class support: function 5 of the halfvec and bit
// opclasses hands out the AM-neutral type descriptor
// (index/value_datum.h); ivfflat_opclass_of reads an index's opclass
// through functions 1 (distance), 2 (normalization) and 5; function 4
// (the k-means norm) makes k-means spherical.
#include "bridge/fmgr_glue.h"
#include "index/value_datum.h"
#include "ivfflat/ivfflat_am.h"

namespace vecsim::pg {
namespace {

constexpr AmSupportNumbers kIvfflatSupport{1, 2, 5, "ivfflat"};
constexpr int kKMeansNormSupport = 4;

template <core::ValueKind Kind>
Datum type_support(FunctionCallInfo) {
  return PointerGetDatum(index_type_descriptor(Kind));
}

}  // namespace

core::IndexOpclass ivfflat_opclass_of(Relation index) { return index_opclass_of(index, kIvfflatSupport); }

bool ivfflat_spherical(Relation index) {
  return OidIsValid(index_getprocid(index, 1, kKMeansNormSupport));
}

}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_ivfflat_halfvec_support, vecsim::pg::type_support<vecsim::core::ValueKind::kHalfvec>)
VECSIM_FUNCTION(vecsim_ivfflat_bit_support, vecsim::pg::type_support<vecsim::core::ValueKind::kBit>)

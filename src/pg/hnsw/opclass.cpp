// src/pg/hnsw/opclass.cpp
// Reading an index's opclass and the values of its type (see opclass.h).
#include "hnsw/opclass.h"

#include <cstring>

#include "bridge/error.h"
#include "bridge/fmgr_glue.h"
#include "types/dense_layout.h"
#include "types/sparse_layout.h"

#include "pg.h"

extern "C" {
#include "access/genam.h"

Datum vecsim_vector_l2_squared_distance(PG_FUNCTION_ARGS);
Datum vecsim_vector_negative_inner_product(PG_FUNCTION_ARGS);
Datum vecsim_vector_l1_distance(PG_FUNCTION_ARGS);
Datum vecsim_halfvec_l2_squared_distance(PG_FUNCTION_ARGS);
Datum vecsim_halfvec_negative_inner_product(PG_FUNCTION_ARGS);
Datum vecsim_halfvec_l1_distance(PG_FUNCTION_ARGS);
Datum vecsim_sparsevec_l2_squared_distance(PG_FUNCTION_ARGS);
Datum vecsim_sparsevec_negative_inner_product(PG_FUNCTION_ARGS);
Datum vecsim_sparsevec_l1_distance(PG_FUNCTION_ARGS);
Datum vecsim_bit_hamming_distance(PG_FUNCTION_ARGS);
Datum vecsim_bit_jaccard_distance(PG_FUNCTION_ARGS);
}

namespace vecsim::pg {
namespace {

using core::HnswMetric;
using core::HnswValueKind;

struct KnownDistance {
  PGFunction fn;
  HnswValueKind kind;
  HnswMetric metric;  // kInnerProduct becomes kCosine with support function 2
};

const KnownDistance kKnownDistances[] = {
    {vecsim_vector_l2_squared_distance, HnswValueKind::kVector, HnswMetric::kL2},
    {vecsim_vector_negative_inner_product, HnswValueKind::kVector, HnswMetric::kInnerProduct},
    {vecsim_vector_l1_distance, HnswValueKind::kVector, HnswMetric::kL1},
    {vecsim_halfvec_l2_squared_distance, HnswValueKind::kHalfvec, HnswMetric::kL2},
    {vecsim_halfvec_negative_inner_product, HnswValueKind::kHalfvec, HnswMetric::kInnerProduct},
    {vecsim_halfvec_l1_distance, HnswValueKind::kHalfvec, HnswMetric::kL1},
    {vecsim_sparsevec_l2_squared_distance, HnswValueKind::kSparse, HnswMetric::kL2},
    {vecsim_sparsevec_negative_inner_product, HnswValueKind::kSparse, HnswMetric::kInnerProduct},
    {vecsim_sparsevec_l1_distance, HnswValueKind::kSparse, HnswMetric::kL1},
    {vecsim_bit_hamming_distance, HnswValueKind::kBit, HnswMetric::kHamming},
    {vecsim_bit_jaccard_distance, HnswValueKind::kBit, HnswMetric::kJaccard},
};

const HnswTypeDescriptor kHalfvecDescriptor{HnswValueKind::kHalfvec};
const HnswTypeDescriptor kSparsevecDescriptor{HnswValueKind::kSparse};
const HnswTypeDescriptor kBitDescriptor{HnswValueKind::kBit};

Datum halfvec_support(FunctionCallInfo) { return PointerGetDatum(&kHalfvecDescriptor); }
Datum sparsevec_support(FunctionCallInfo) { return PointerGetDatum(&kSparsevecDescriptor); }
Datum bit_support(FunctionCallInfo) { return PointerGetDatum(&kBitDescriptor); }

}  // namespace

core::HnswOpclass hnsw_opclass_of(Relation index) {
  FmgrInfo* distance = index_getprocinfo(index, 1, 1);
  HnswValueKind kind = HnswValueKind::kVector;
  if (OidIsValid(index_getprocid(index, 1, 3))) {
    FmgrInfo* support = index_getprocinfo(index, 1, 3);
    kind = reinterpret_cast<const HnswTypeDescriptor*>(
               DatumGetPointer(FunctionCall1(support, PointerGetDatum(nullptr))))
               ->kind;
  }
  for (const KnownDistance& known : kKnownDistances) {
    if (known.fn != distance->fn_addr) continue;
    if (known.kind != kind) break;
    HnswMetric metric = known.metric;
    if (OidIsValid(index_getprocid(index, 1, 2))) {
      if (metric != HnswMetric::kInnerProduct) break;
      metric = HnswMetric::kCosine;
    }
    return core::HnswOpclass{kind, metric};
  }
  ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                  errmsg("hnsw index \"%s\" uses an operator class vecsim does not know",
                         RelationGetRelationName(index)),
                  errhint("Use one of the hnsw operator classes vecsim defines.")));
  pg_unreachable();
}

const char* type_name(HnswValueKind kind) {
  switch (kind) {
    case HnswValueKind::kVector:
      return "vector";
    case HnswValueKind::kHalfvec:
      return "halfvec";
    case HnswValueKind::kSparse:
      return "sparsevec";
    case HnswValueKind::kBit:
      break;
  }
  return "bit";
}

std::int32_t value_dims(HnswValueKind kind, const void* detoasted) {
  switch (kind) {
    case HnswValueKind::kVector:
    case HnswValueKind::kHalfvec:
      return static_cast<const core::DenseHeader*>(detoasted)->dims;
    case HnswValueKind::kSparse:
      return static_cast<const core::SparseHeader*>(detoasted)->dims;
    case HnswValueKind::kBit:
      break;
  }
  return VARBITLEN(static_cast<const VarBit*>(detoasted));
}

core::ValueRef value_of(HnswValueKind kind, const void* detoasted) {
  const auto* bytes = static_cast<const unsigned char*>(detoasted);
  switch (kind) {
    case HnswValueKind::kVector:
    case HnswValueKind::kHalfvec:
      return core::ValueRef{bytes + sizeof(core::DenseHeader),
                            VARSIZE_ANY(detoasted) - sizeof(core::DenseHeader)};
    case HnswValueKind::kSparse:
      return core::ValueRef{bytes + VARHDRSZ, VARSIZE_ANY(detoasted) - VARHDRSZ};
    case HnswValueKind::kBit:
      break;
  }
  const auto* bits = static_cast<const VarBit*>(detoasted);
  return core::ValueRef{reinterpret_cast<const unsigned char*>(VARBITS(bits)),
                        static_cast<std::size_t>(VARBITBYTES(bits))};
}

bool index_value_of(core::HnswOpclass opclass, Datum datum, bool check_nnz, core::ValueRef* out) {
  core::ValueRef raw = value_of(opclass.kind, PG_DETOAST_DATUM(datum));
  // Only cosine writes a normalized copy; the other metrics use the datum.
  auto* buffer = opclass.metric == core::HnswMetric::kCosine
                     ? static_cast<unsigned char*>(palloc(raw.size + sizeof(float)))
                     : nullptr;
  bool indexed = false;
  raise_if_error(core::prepare_hnsw_value(opclass, raw, check_nnz, buffer, out, &indexed));
  return indexed;
}

const void* zero_datum(HnswValueKind kind, std::int32_t dims) {
  std::size_t size = 0;
  switch (kind) {
    case HnswValueKind::kVector:
      size = sizeof(core::DenseHeader) + sizeof(float) * dims;
      break;
    case HnswValueKind::kHalfvec:
      size = sizeof(core::DenseHeader) + 2 * static_cast<std::size_t>(dims);
      break;
    case HnswValueKind::kSparse:
      size = sizeof(core::SparseHeader);
      break;
    case HnswValueKind::kBit:
      size = VARBITTOTALLEN(dims);
      break;
  }
  void* datum = palloc0(size);
  SET_VARSIZE(datum, size);
  if (kind == HnswValueKind::kVector || kind == HnswValueKind::kHalfvec) {
    static_cast<core::DenseHeader*>(datum)->dims = static_cast<std::int16_t>(dims);
  } else if (kind == HnswValueKind::kSparse) {
    static_cast<core::SparseHeader*>(datum)->dims = dims;
  } else {
    VARBITLEN(static_cast<VarBit*>(datum)) = dims;
  }
  return datum;
}

}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_hnsw_halfvec_support, vecsim::pg::halfvec_support)
VECSIM_FUNCTION(vecsim_hnsw_sparsevec_support, vecsim::pg::sparsevec_support)
VECSIM_FUNCTION(vecsim_hnsw_bit_support, vecsim::pg::bit_support)

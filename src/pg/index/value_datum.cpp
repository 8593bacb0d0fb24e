// src/pg/index/value_datum.cpp
// Reading an index's opclass and the values of its type (see value_datum.h).
#include "index/value_datum.h"

#include <cstring>

#include "bridge/error.h"
#include "types/dense_layout.h"
#include "types/sparse_layout.h"

#include "pg.h"

extern "C" {
#include "access/genam.h"
#include "utils/varbit.h"

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

using core::IndexMetric;
using core::ValueKind;

struct KnownDistance {
  PGFunction fn;
  ValueKind kind;
  IndexMetric metric;  // kInnerProduct becomes kCosine with a normalization function
};

const KnownDistance kKnownDistances[] = {
    {vecsim_vector_l2_squared_distance, ValueKind::kVector, IndexMetric::kL2},
    {vecsim_vector_negative_inner_product, ValueKind::kVector, IndexMetric::kInnerProduct},
    {vecsim_vector_l1_distance, ValueKind::kVector, IndexMetric::kL1},
    {vecsim_halfvec_l2_squared_distance, ValueKind::kHalfvec, IndexMetric::kL2},
    {vecsim_halfvec_negative_inner_product, ValueKind::kHalfvec, IndexMetric::kInnerProduct},
    {vecsim_halfvec_l1_distance, ValueKind::kHalfvec, IndexMetric::kL1},
    {vecsim_sparsevec_l2_squared_distance, ValueKind::kSparse, IndexMetric::kL2},
    {vecsim_sparsevec_negative_inner_product, ValueKind::kSparse, IndexMetric::kInnerProduct},
    {vecsim_sparsevec_l1_distance, ValueKind::kSparse, IndexMetric::kL1},
    {vecsim_bit_hamming_distance, ValueKind::kBit, IndexMetric::kHamming},
    {vecsim_bit_jaccard_distance, ValueKind::kBit, IndexMetric::kJaccard},
};

// In ValueKind order.
const IndexTypeDescriptor kTypeDescriptors[] = {
    {ValueKind::kVector}, {ValueKind::kHalfvec}, {ValueKind::kSparse}, {ValueKind::kBit}};
static_assert(static_cast<int>(ValueKind::kBit) == 3 && sizeof kTypeDescriptors / sizeof kTypeDescriptors[0] == 4);

// The datum side of a value kind: where its dims and index value are in a
// detoasted datum, and how a zero value of n dims is made.
template <class Kind>
struct KindDatum;

template <class Elem, class Traits, ValueKind K>
struct KindDatum<core::DenseKind<Elem, Traits, K>> {
  static std::int32_t dims(const void* d) { return static_cast<const core::DenseHeader*>(d)->dims; }
  static core::ValueRef value(const void* d) {
    return core::ValueRef{static_cast<const unsigned char*>(d) + sizeof(core::DenseHeader),
                          VARSIZE_ANY(d) - sizeof(core::DenseHeader)};
  }
  static void* zero(std::int32_t dims) {
    std::size_t size = core::dense_datum_size<Traits>(dims);
    void* datum = palloc0(size);
    SET_VARSIZE(datum, size);
    static_cast<core::DenseHeader*>(datum)->dims = static_cast<std::int16_t>(dims);
    return datum;
  }
};

template <>
struct KindDatum<core::SparseKind> {
  static std::int32_t dims(const void* d) { return static_cast<const core::SparseHeader*>(d)->dims; }
  static core::ValueRef value(const void* d) {
    return core::ValueRef{static_cast<const unsigned char*>(d) + VARHDRSZ, VARSIZE_ANY(d) - VARHDRSZ};
  }
  static void* zero(std::int32_t dims) {
    void* datum = palloc0(sizeof(core::SparseHeader));
    SET_VARSIZE(datum, sizeof(core::SparseHeader));
    static_cast<core::SparseHeader*>(datum)->dims = dims;
    return datum;
  }
};

template <>
struct KindDatum<core::BitKind> {
  static std::int32_t dims(const void* d) { return VARBITLEN(static_cast<const VarBit*>(d)); }
  static core::ValueRef value(const void* d) {
    const auto* bits = static_cast<const VarBit*>(d);
    return core::ValueRef{reinterpret_cast<const unsigned char*>(VARBITS(bits)),
                          static_cast<std::size_t>(VARBITBYTES(bits))};
  }
  static void* zero(std::int32_t dims) {
    std::size_t size = VARBITTOTALLEN(dims);
    void* datum = palloc0(size);
    SET_VARSIZE(datum, size);
    VARBITLEN(static_cast<VarBit*>(datum)) = dims;
    return datum;
  }
};

}  // namespace

core::IndexOpclass index_opclass_of(Relation index, const AmSupportNumbers& numbers) {
  FmgrInfo* distance = index_getprocinfo(index, 1, numbers.distance);
  ValueKind kind = ValueKind::kVector;
  if (OidIsValid(index_getprocid(index, 1, numbers.type_descriptor))) {
    FmgrInfo* support = index_getprocinfo(index, 1, numbers.type_descriptor);
    kind = reinterpret_cast<const IndexTypeDescriptor*>(
               DatumGetPointer(FunctionCall1(support, PointerGetDatum(nullptr))))
               ->kind;
  }
  for (const KnownDistance& known : kKnownDistances) {
    if (known.fn != distance->fn_addr) continue;
    if (known.kind != kind) break;
    IndexMetric metric = known.metric;
    if (OidIsValid(index_getprocid(index, 1, numbers.normalize))) {
      if (metric != IndexMetric::kInnerProduct) break;
      metric = IndexMetric::kCosine;
    }
    return core::IndexOpclass{kind, metric};
  }
  ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                  errmsg("%s index \"%s\" uses an operator class vecsim does not know",
                         numbers.am_name, RelationGetRelationName(index)),
                  errhint("Use one of the %s operator classes vecsim defines.", numbers.am_name)));
  pg_unreachable();
}

const IndexTypeDescriptor* index_type_descriptor(ValueKind kind) {
  return &kTypeDescriptors[static_cast<int>(kind)];
}

std::int32_t value_dims(ValueKind kind, const void* detoasted) {
  return core::visit_value_kind(kind, [&](auto k) { return KindDatum<decltype(k)>::dims(detoasted); });
}

core::ValueRef value_of(ValueKind kind, const void* detoasted) {
  return core::visit_value_kind(kind, [&](auto k) { return KindDatum<decltype(k)>::value(detoasted); });
}

bool index_value_of(core::IndexOpclass opclass, Datum datum, const core::ValueLimits* limits,
                    core::ValueRef* out) {
  core::ValueRef raw = value_of(opclass.kind, PG_DETOAST_DATUM(datum));
  // Only cosine writes a normalized copy; the other metrics use the datum.
  auto* buffer = opclass.metric == IndexMetric::kCosine
                     ? static_cast<unsigned char*>(palloc(raw.size + sizeof(float)))
                     : nullptr;
  bool indexed = false;
  raise_if_error(core::prepare_index_value(opclass, raw, limits, buffer, out, &indexed));
  return indexed;
}

const void* zero_datum(ValueKind kind, std::int32_t dims) {
  return core::visit_value_kind(kind, [&](auto k) -> const void* { return KindDatum<decltype(k)>::zero(dims); });
}

void check_dims_match(core::ValueKind kind, std::uint32_t index_dims, const void* detoasted) {
  const std::int32_t dims = value_dims(kind, detoasted);
  if (dims == static_cast<std::int32_t>(index_dims)) return;
  if (kind == core::ValueKind::kBit) {
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("different bit lengths %u and %d", index_dims, dims)));
  }
  ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                  errmsg("different %s dimensions %u and %d", core::value_kind_name(kind), index_dims, dims)));
}

}  // namespace vecsim::pg

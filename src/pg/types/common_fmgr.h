// src/pg/types/common_fmgr.h
// fmgr templates shared by every vector type (vector, halfvec, sparsevec),
// over a type policy (type_policy.h) or element traits: distances,
// ordering, norm, the typmod-coercion cast and the typmod input function.
#pragma once

#include "bridge/error.h"
#include "types/dense_checks.h"
#include "types/type_policy.h"

#include "pg.h"

namespace vecsim::pg {

// l2_distance, inner_product, ... : Metric over two equal-dims values.
template <class Type, class Metric>
Datum type_distance(PG_FUNCTION_ARGS) {
  const auto* a = Type::arg(fcinfo, 0);
  const auto* b = Type::arg(fcinfo, 1);
  raise_if_error(core::check_same_dims(Type::kTypeName, Type::dims(a), Type::dims(b)));
  PG_RETURN_FLOAT8(Type::template distance<Metric>(a, b));
}

// Ordering: Verdict maps compare()'s -1/0/1 to the function's result.
struct CmpVerdict {
  static Datum of(int c) { return Int32GetDatum(c); }
};
#define VECSIM_BOOL_VERDICT(Name, test) \
  struct Name {                         \
    static Datum of(int c) { return BoolGetDatum(test); } \
  };
VECSIM_BOOL_VERDICT(LtVerdict, c < 0)
VECSIM_BOOL_VERDICT(LeVerdict, c <= 0)
VECSIM_BOOL_VERDICT(EqVerdict, c == 0)
VECSIM_BOOL_VERDICT(NeVerdict, c != 0)
VECSIM_BOOL_VERDICT(GeVerdict, c >= 0)
VECSIM_BOOL_VERDICT(GtVerdict, c > 0)
#undef VECSIM_BOOL_VERDICT

// Frees detoasted copies: btree sorts call these many times in one context.
template <class Type, class Verdict>
Datum type_compare(PG_FUNCTION_ARGS) {
  const auto* a = Type::arg(fcinfo, 0);
  const auto* b = Type::arg(fcinfo, 1);
  int c = Type::compare(a, b);
  free_if_copy(fcinfo, a, 0);
  free_if_copy(fcinfo, b, 1);
  return Verdict::of(c);
}

// vector_norm(vector), l2_norm(halfvec), l2_norm(sparsevec).
template <class Type>
Datum type_norm(PG_FUNCTION_ARGS) {
  PG_RETURN_FLOAT8(Type::norm(Type::arg(fcinfo, 0)));
}

// vector(vector, integer, boolean) and its kin: a typmod check only.
template <class Type>
Datum type_typmod_cast(PG_FUNCTION_ARGS) {
  const auto* value = Type::arg(fcinfo, 0);
  raise_if_error(core::check_typmod(Type::dims(value), PG_GETARG_INT32(1)));
  PG_RETURN_POINTER(value);
}

// vector_typmod_in(cstring[]) and its kin: exactly one integer, 1 .. max.
template <class Traits>
Datum type_typmod_in(PG_FUNCTION_ARGS) {
  ArrayType* list = PG_GETARG_ARRAYTYPE_P(0);
  int count = 0;
  int32* values = ArrayGetIntegerTypmods(list, &count);
  raise_if_error(core::check_typmod_list<Traits>(count, count > 0 ? values[0] : 0));
  PG_RETURN_INT32(values[0]);
}

}  // namespace vecsim::pg

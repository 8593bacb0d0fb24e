// src/pg/types/dense_aggregate_fmgr.h
// The avg() aggregate's support functions over dense types (docs/reference.md 6.6):
// *_accum, *_combine and *_avg over a double precision[] state
// {n, s1 .. sdims}, where '{0}' is the empty state.
//
// MEMORY
//   Called as an aggregate (AggCheckCallContext), accum and combine update
//   their first argument in place, as PostgreSQL's own float8_accum does: no
//   allocation per row once the state has its final size. Called directly,
//   they return a new array and leave their arguments alone.
#pragma once

#include <cstring>

#include "bridge/error.h"
#include "types/dense_avg.h"
#include "types/dense_checks.h"
#include "types/dense_datum.h"

#include "pg.h"

namespace vecsim::pg {

// The state's values, after checking it is a 1-D float8 array of at least
// one element without NULLs (XX000 otherwise, docs/reference.md 6.6).
// `type_name` and `role` name the calling function, e.g. vector_accum.
inline float8* checked_state(ArrayType* state, const char* type_name, const char* role,
                             int* dims) {
  if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 || ARR_HASNULL(state) ||
      ARR_ELEMTYPE(state) != FLOAT8OID) {
    elog(ERROR, "%s_%s: expected state array", type_name, role);
  }
  *dims = ARR_DIMS(state)[0] - 1;
  return flat_array_data<float8>(state);
}

// The state to write into: the argument itself under an aggregate (whose
// states this file makes, with lower bound 1), else a copy. Either way the
// result has lower bound 1, whatever the argument had (docs/reference.md
// 6.6: '[0:1]={1,2}' accumulates into '{2,11}').
inline ArrayType* copy_with_lower_bound_one(ArrayType* state) {
  auto* copy = static_cast<ArrayType*>(palloc(VARSIZE(state)));
  std::memcpy(copy, state, VARSIZE(state));
  ARR_LBOUND(copy)[0] = 1;
  return copy;
}

inline ArrayType* writable_state(FunctionCallInfo fcinfo, ArrayType* state) {
  if (AggCheckCallContext(fcinfo, nullptr) && ARR_LBOUND(state)[0] == 1) return state;
  return copy_with_lower_bound_one(state);
}

// state, or a copy of it with lower bound 1 if it has another.
inline ArrayType* with_lower_bound_one(ArrayType* state) {
  return ARR_LBOUND(state)[0] == 1 ? state : copy_with_lower_bound_one(state);
}

template <class Traits>
Datum dense_accum(PG_FUNCTION_ARGS) {
  ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
  const DenseHeader* value = dense_arg(fcinfo, 1);
  const auto* elems = core::dense_elements<Traits>(value);
  int state_dims = 0;
  float8 count = checked_state(state, Traits::kTypeName, "accum", &state_dims)[0];

  ArrayType* result;
  if (state_dims == 0) {  // the first row fixes the dims
    result = new_flat_array<float8>(FLOAT8OID, value->dims + 1);
    core::clear_sums(flat_array_data<float8>(result) + 1, value->dims);
  } else {
    raise_if_error(core::check_same_dims(Traits::kTypeName, state_dims, value->dims));
    result = writable_state(fcinfo, state);
  }
  float8* sums = flat_array_data<float8>(result);
  sums[0] = count + 1;
  raise_if_error(core::accumulate_sums<Traits>(sums + 1, elems, value->dims));
  PG_RETURN_ARRAYTYPE_P(result);
}

template <class Traits>
Datum dense_combine(PG_FUNCTION_ARGS) {
  ArrayType* left = PG_GETARG_ARRAYTYPE_P(0);
  ArrayType* right = PG_GETARG_ARRAYTYPE_P(1);
  int left_dims = 0;
  int right_dims = 0;
  const float8* lv = checked_state(left, Traits::kTypeName, "combine", &left_dims);
  const float8* rv = checked_state(right, Traits::kTypeName, "combine", &right_dims);

  // A state wider than the type cannot come from accum; refuse it as any
  // over-long value is refused (54000), also when it would only be copied.
  int widest = left_dims > right_dims ? left_dims : right_dims;
  if (widest > Traits::kMaxDims) raise_if_error(core::check_dim_count<Traits>(widest));
  if (lv[0] == 0.0) PG_RETURN_ARRAYTYPE_P(with_lower_bound_one(right));
  if (rv[0] == 0.0) PG_RETURN_ARRAYTYPE_P(with_lower_bound_one(left));
  raise_if_error(core::check_same_dims(Traits::kTypeName, left_dims, right_dims));

  ArrayType* result = writable_state(fcinfo, left);
  float8* sums = flat_array_data<float8>(result);
  sums[0] = lv[0] + rv[0];
  raise_if_error(core::combine_sums(sums + 1, rv + 1, left_dims));
  PG_RETURN_ARRAYTYPE_P(result);
}

template <class Traits>
Datum dense_avg(PG_FUNCTION_ARGS) {
  ArrayType* state = PG_GETARG_ARRAYTYPE_P(0);
  int dims = 0;
  const float8* values = checked_state(state, Traits::kTypeName, "avg", &dims);
  if (values[0] == 0.0) PG_RETURN_NULL();
  raise_if_error(core::check_dim_count<Traits>(dims));
  DenseHeader* result = new_dense<Traits>(dims);
  raise_if_error(core::average_sums<Traits>(values + 1, values[0], dims,
                                            core::dense_elements<Traits>(result)));
  PG_RETURN_POINTER(result);
}

}  // namespace vecsim::pg

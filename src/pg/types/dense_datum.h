// src/pg/types/dense_datum.h
// Reading and making dense datums (vector, halfvec) and flat PostgreSQL
// arrays in the shim.
//
// INVARIANTS
//   PG zone only: these call palloc and detoast, which may ereport.
//   new_dense() returns a datum with the varlena size, dims and unused = 0
//   set and the elements uninitialised: every caller writes all of them. Results live in
//   CurrentMemoryContext.
#pragma once

#include <cstring>

#include "types/dense_layout.h"

#include "pg.h"

namespace vecsim::pg {

using core::DenseHeader;

inline const DenseHeader* dense_arg(FunctionCallInfo fcinfo, int n) {
  return reinterpret_cast<const DenseHeader*>(PG_DETOAST_DATUM(PG_GETARG_DATUM(n)));
}

// PG_FREE_IF_COPY for a detoasted argument held through a const pointer.
inline void free_if_copy(FunctionCallInfo fcinfo, const void* detoasted, int n) {
  if (detoasted != DatumGetPointer(PG_GETARG_DATUM(n))) pfree(const_cast<void*>(detoasted));
}

template <class Traits>
DenseHeader* new_dense(int dims) {
  Size size = core::dense_datum_size<Traits>(dims);
  auto* result = static_cast<DenseHeader*>(palloc(size));
  SET_VARSIZE(result, size);
  result->dims = static_cast<int16>(dims);
  result->unused = 0;
  return result;
}

// Shrinks a datum made by new_dense() to its first `dims` elements.
template <class Traits>
void set_dense_dims(DenseHeader* datum, int dims) {
  SET_VARSIZE(datum, core::dense_datum_size<Traits>(dims));
  datum->dims = static_cast<int16>(dims);
}

// A 1-D array with lower bound 1, no NULLs and n uninitialised elements of a
// fixed-width, by-value-aligned type (float4, float8).
template <class Elem>
ArrayType* new_flat_array(Oid elem_type, int n) {
  Size size = ARR_OVERHEAD_NONULLS(1) + sizeof(Elem) * static_cast<Size>(n);
  auto* array = static_cast<ArrayType*>(palloc0(size));
  SET_VARSIZE(array, size);
  array->ndim = 1;
  array->dataoffset = 0;
  array->elemtype = elem_type;
  ARR_DIMS(array)[0] = n;
  ARR_LBOUND(array)[0] = 1;
  return array;
}

template <class Elem>
Elem* flat_array_data(ArrayType* array) {
  return reinterpret_cast<Elem*>(ARR_DATA_PTR(array));
}

}  // namespace vecsim::pg

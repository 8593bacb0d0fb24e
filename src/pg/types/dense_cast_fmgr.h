// src/pg/types/dense_cast_fmgr.h
// Casts into and out of the dense types (docs/reference.md 4): numeric arrays to the
// type, the type to real[], and between vector and halfvec.
//
// INVARIANTS
//   Array input is checked in pgvector's order: more than one dimension
//   (22000), NULL elements (22004), length 0 or above the maximum (22000 /
//   54000), length against the typmod (22000); then every element is
//   converted to float32 (numeric keeps PostgreSQL's own conversion and its
//   22003) and narrowed to the element type (22003 for a finite value it
//   cannot hold); only then is each checked for NaN or infinity (22000).
#pragma once

#include <type_traits>

#include "bridge/error.h"
#include "types/dense_checks.h"
#include "types/dense_datum.h"

#include "pg.h"

namespace vecsim::pg {

// The elements of a 1-D array without NULLs, as float32, into out[0 .. n).
// PG zone: the numeric conversion may ereport.
inline void array_elements_to_float(ArrayType* array, int n, float* out) {
  switch (ARR_ELEMTYPE(array)) {
    case INT4OID: {
      const int32* src = reinterpret_cast<const int32*>(ARR_DATA_PTR(array));
      for (int i = 0; i < n; ++i) out[i] = static_cast<float>(src[i]);
      return;
    }
    case FLOAT4OID: {
      const float4* src = reinterpret_cast<const float4*>(ARR_DATA_PTR(array));
      for (int i = 0; i < n; ++i) out[i] = src[i];
      return;
    }
    case FLOAT8OID: {
      const float8* src = reinterpret_cast<const float8*>(ARR_DATA_PTR(array));
      for (int i = 0; i < n; ++i) out[i] = static_cast<float>(src[i]);
      return;
    }
    case NUMERICOID: {
      Datum* elems = nullptr;
      int count = 0;
      deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT, &elems, nullptr, &count);
      for (int i = 0; i < n; ++i) {
        out[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
      }
      pfree(elems);
      return;
    }
    default:
      ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                      errmsg("unsupported array element type %s",
                             format_type_be(ARR_ELEMTYPE(array)))));
  }
}

// Checks an array against rules 1-4 of docs/reference.md 4 (1-D, no NULLs, length in
// 1 .. the type's maximum, length = typmod) and returns its length.
template <class Traits>
int checked_array_length(ArrayType* array, int32 typmod) {
  if (ARR_NDIM(array) > 1) {
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
  }
  if (array_contains_nulls(array)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
  }
  int n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
  raise_if_error(core::check_dim_count<Traits>(n));
  raise_if_error(core::check_typmod(n, typmod));
  return n;
}

// array_to_vector(integer[] | real[] | double precision[] | numeric[], integer, boolean).
template <class Traits>
Datum array_to_dense(PG_FUNCTION_ARGS) {
  using Storage = typename Traits::Storage;
  ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
  int n = checked_array_length<Traits>(array, PG_GETARG_INT32(1));
  DenseHeader* result = new_dense<Traits>(n);
  Storage* out = core::dense_elements<Traits>(result);
  float* staging;
  if constexpr (std::is_same_v<Storage, float>) {
    staging = out;  // converted in place, then checked
  } else {
    staging = static_cast<float*>(palloc(sizeof(float) * static_cast<Size>(n)));
  }
  array_elements_to_float(array, n, staging);
  raise_if_error(core::narrow_elements<Traits>(staging, n, out));
  PG_RETURN_POINTER(result);
}

// vector_to_halfvec, halfvec_to_vector: typmod check, then each element
// widened exactly and narrowed with the target's rules (22003 for a finite
// value it cannot hold).
template <class From, class To>
Datum dense_convert(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  raise_if_error(core::check_typmod(value->dims, PG_GETARG_INT32(1)));
  DenseHeader* result = new_dense<To>(value->dims);
  const auto* in = core::dense_elements<From>(value);
  auto* out = core::dense_elements<To>(result);
  for (int i = 0; i < value->dims; ++i) {
    raise_if_error(core::narrow_element<To>(From::to_float(in[i]), &out[i]));
  }
  PG_RETURN_POINTER(result);
}

// vector_to_float4(vector, integer, boolean): exact widening into real[].
template <class Traits>
Datum dense_to_float4_array(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  const auto* elems = core::dense_elements<Traits>(value);
  ArrayType* array = new_flat_array<float4>(FLOAT4OID, value->dims);
  float4* out = flat_array_data<float4>(array);
  for (int i = 0; i < value->dims; ++i) out[i] = Traits::to_float(elems[i]);
  PG_RETURN_ARRAYTYPE_P(array);
}

}  // namespace vecsim::pg

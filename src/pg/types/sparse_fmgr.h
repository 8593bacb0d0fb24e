// src/pg/types/sparse_fmgr.h
// sparsevec's own fmgr templates: normalisation and the casts between
// sparsevec and the dense types and arrays (docs/reference.md 4, 6.1). Distances,
// ordering, norm and the typmod cast are shared (common_fmgr.h).
//
// INVARIANTS
//   Results never store a 0 value. Array input follows the dense array
//   rules (dense_cast_fmgr.h) with sparsevec's limits: length up to 1e9,
//   then the non-zero count against 16000 (54000), then each stored value
//   finite (22000).
#pragma once

#include <cstring>

#include "bridge/error.h"
#include "types/dense_checks.h"
#include "types/element_traits.h"
#include "types/sparse_layout.h"
#include "types/sparse_binary.h"
#include "types/sparse_ops.h"
#include "types/dense_cast_fmgr.h"
#include "types/dense_datum.h"
#include "types/sparse_datum.h"

#include "pg.h"

namespace vecsim::pg {

inline Datum sparse_normalize(PG_FUNCTION_ARGS) {
  const SparseHeader* value = sparse_arg(fcinfo, 0);
  SparseHeader* result = new_sparse(value->dims, value->nnz);
  int nnz = 0;
  raise_if_error(core::sparse_normalize(core::sparse_span(value), core::sparse_indices(result),
                                        core::sparse_values(result), &nnz));
  set_sparse_nnz(result, nnz);
  PG_RETURN_POINTER(result);
}

// vector_to_sparsevec, halfvec_to_sparsevec: the non-zero elements.
template <class Traits>
Datum dense_to_sparse(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  raise_if_error(core::check_typmod(value->dims, PG_GETARG_INT32(1)));
  const auto* elems = core::dense_elements<Traits>(value);
  SparseHeader* result = new_sparse(value->dims, core::count_nonzero<Traits>(elems, value->dims));
  core::dense_to_sparse<Traits>(elems, value->dims, core::sparse_indices(result),
                                core::sparse_values(result));
  PG_RETURN_POINTER(result);
}

// sparsevec_to_vector, sparsevec_to_halfvec: the dense expansion.
template <class Traits>
Datum sparse_to_dense(PG_FUNCTION_ARGS) {
  const SparseHeader* value = sparse_arg(fcinfo, 0);
  raise_if_error(core::check_dim_count<Traits>(value->dims));
  raise_if_error(core::check_typmod(value->dims, PG_GETARG_INT32(1)));
  DenseHeader* result = new_dense<Traits>(value->dims);
  raise_if_error(core::sparse_to_dense<Traits>(core::sparse_span(value), value->dims,
                                               core::dense_elements<Traits>(result)));
  PG_RETURN_POINTER(result);
}

// array_to_sparsevec(integer[] | real[] | double precision[] | numeric[], integer, boolean).
inline Datum array_to_sparse(PG_FUNCTION_ARGS) {
  using core::SparseTraits;
  ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
  int n = checked_array_length<SparseTraits>(array, PG_GETARG_INT32(1));
  auto* staging = static_cast<float*>(palloc(sizeof(float) * static_cast<Size>(n)));
  array_elements_to_float(array, n, staging);
  int nnz = core::count_nonzero<SparseTraits>(staging, n);
  raise_if_error(core::check_nnz(nnz, n));
  SparseHeader* result = new_sparse(n, nnz);
  core::dense_to_sparse<SparseTraits>(staging, n, core::sparse_indices(result),
                                      core::sparse_values(result));
  const float* values = core::sparse_values(result);
  for (int i = 0; i < nnz; ++i) raise_if_error(core::check_finite<SparseTraits>(values[i]));
  pfree(staging);
  PG_RETURN_POINTER(result);
}

}  // namespace vecsim::pg

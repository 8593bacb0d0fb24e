// src/pg/types/sparse_datum.h
// Reading and making sparsevec datums in the shim.
//
// INVARIANTS
//   PG zone only: these call palloc and detoast, which may ereport.
//   new_sparse() returns a datum with the varlena size, dims, nnz and
//   unused = 0 set, indices and values uninitialised: every caller writes
//   all of them. Results live in CurrentMemoryContext.
#pragma once

#include "types/sparse_layout.h"

#include "pg.h"

namespace vecsim::pg {

using core::SparseHeader;

inline const SparseHeader* sparse_arg(FunctionCallInfo fcinfo, int n) {
  return reinterpret_cast<const SparseHeader*>(PG_DETOAST_DATUM(PG_GETARG_DATUM(n)));
}

inline SparseHeader* new_sparse(int dims, int nnz) {
  Size size = core::sparse_datum_size(nnz);
  auto* result = static_cast<SparseHeader*>(palloc(size));
  SET_VARSIZE(result, size);
  result->dims = dims;
  result->nnz = nnz;
  result->unused = 0;
  return result;
}

// Shrinks a datum made by new_sparse() to its first `nnz` entries, moving
// the values down to follow the shorter index array.
inline void set_sparse_nnz(SparseHeader* datum, int nnz) {
  const float* old_values = core::sparse_values(datum);
  float* new_values = reinterpret_cast<float*>(core::sparse_indices(datum) + nnz);
  memmove(new_values, old_values, sizeof(float) * static_cast<Size>(nnz));
  datum->nnz = nnz;
  SET_VARSIZE(datum, core::sparse_datum_size(nnz));
}

}  // namespace vecsim::pg

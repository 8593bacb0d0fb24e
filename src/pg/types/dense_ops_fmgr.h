// src/pg/types/dense_ops_fmgr.h
// Operators and functions of the dense types only (vector, halfvec), as fmgr
// templates over element traits: arithmetic, concatenation, dims,
// normalisation, subvector and binary quantisation. Distances, ordering and
// norms are shared with sparsevec (common_fmgr.h).
//
// The numeric work is core's (types/dense_ops.h); these templates read
// arguments, size results and raise core's Status.
#pragma once

#include <cstring>

#include "bridge/error.h"
#include "types/dense_checks.h"
#include "types/dense_ops.h"
#include "types/dense_datum.h"

#include "pg.h"

namespace vecsim::pg {

// + - * element by element.
template <class Traits, class Op>
Datum dense_arithmetic(PG_FUNCTION_ARGS) {
  const DenseHeader* a = dense_arg(fcinfo, 0);
  const DenseHeader* b = dense_arg(fcinfo, 1);
  raise_if_error(core::check_same_dims(Traits::kTypeName, a->dims, b->dims));
  DenseHeader* result = new_dense<Traits>(a->dims);
  raise_if_error(core::elementwise<Traits, Op>(core::dense_elements<Traits>(a),
                                               core::dense_elements<Traits>(b),
                                               core::dense_elements<Traits>(result), a->dims));
  PG_RETURN_POINTER(result);
}

// a || b.
template <class Traits>
Datum dense_concat(PG_FUNCTION_ARGS) {
  const DenseHeader* a = dense_arg(fcinfo, 0);
  const DenseHeader* b = dense_arg(fcinfo, 1);
  int dims = a->dims + b->dims;
  raise_if_error(core::check_dim_count<Traits>(dims));
  DenseHeader* result = new_dense<Traits>(dims);
  auto* out = core::dense_elements<Traits>(result);
  std::memcpy(out, core::dense_elements<Traits>(a), sizeof(*out) * a->dims);
  std::memcpy(out + a->dims, core::dense_elements<Traits>(b), sizeof(*out) * b->dims);
  PG_RETURN_POINTER(result);
}

template <class Traits>
// Reads only the dims field: a plain in-line value is read where it is;
// for a value stored out of line, fetching the slice that holds dims reads
// the first TOAST chunk instead of the whole value (64 kB for 16,000 dims).
Datum dense_dims(PG_FUNCTION_ARGS) {
  static_assert(offsetof(DenseHeader, dims) == VARHDRSZ, "dims is the first field after the length");
  Datum arg = PG_GETARG_DATUM(0);
  if (!VARATT_IS_EXTENDED(DatumGetPointer(arg))) {
    PG_RETURN_INT32(reinterpret_cast<const DenseHeader*>(DatumGetPointer(arg))->dims);
  }
  struct varlena* head = PG_DETOAST_DATUM_SLICE(arg, 0, sizeof(int16));
  int16 dims;
  std::memcpy(&dims, VARDATA_ANY(head), sizeof dims);
  PG_RETURN_INT32(dims);
}

template <class Traits>
Datum dense_normalize(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  DenseHeader* result = new_dense<Traits>(value->dims);
  raise_if_error(core::l2_normalize<Traits>(core::dense_elements<Traits>(value), value->dims,
                                            core::dense_elements<Traits>(result)));
  PG_RETURN_POINTER(result);
}

// subvector(v, start, count), 1-based.
template <class Traits>
Datum dense_subvector(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  int first = 0;
  int len = 0;
  raise_if_error(core::subvector_range(Traits::kTypeName, value->dims, PG_GETARG_INT32(1),
                                       PG_GETARG_INT32(2), &first, &len));
  DenseHeader* result = new_dense<Traits>(len);
  std::memcpy(core::dense_elements<Traits>(result), core::dense_elements<Traits>(value) + first,
              sizeof(typename Traits::Storage) * len);
  PG_RETURN_POINTER(result);
}

// binary_quantize(v) -> bit(dims).
template <class Traits>
Datum dense_binary_quantize(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  Size size = VARBITTOTALLEN(value->dims);
  auto* result = static_cast<VarBit*>(palloc0(size));
  SET_VARSIZE(result, size);
  VARBITLEN(result) = value->dims;
  core::binary_quantize<Traits>(core::dense_elements<Traits>(value), value->dims, VARBITS(result));
  PG_RETURN_VARBIT_P(result);
}

}  // namespace vecsim::pg

// src/pg/types/dense_ops_fmgr.h
// Operators and functions on the dense types, as fmgr templates over element
// traits: distances, arithmetic, concatenation, ordering, dims, norm,
// normalisation, subvector and binary quantisation.
//
// The numeric work is core's (types/dense_ops.h, kernels/distance.h); these
// templates read arguments, size results and raise core's Status.
#pragma once

#include <cstring>

#include "bridge/error.h"
#include "kernels/distance.h"
#include "types/dense_checks.h"
#include "types/dense_ops.h"
#include "types/dense_datum.h"

#include "pg.h"

namespace vecsim::pg {

// l2_distance, inner_product, ... : Metric::eval over two equal-dims values.
template <class Traits, class Metric>
Datum dense_distance(PG_FUNCTION_ARGS) {
  const DenseHeader* a = dense_arg(fcinfo, 0);
  const DenseHeader* b = dense_arg(fcinfo, 1);
  raise_if_error(core::check_same_dims(a->dims, b->dims));
  PG_RETURN_FLOAT8(Metric::template eval<Traits>(core::dense_elements<Traits>(a),
                                                 core::dense_elements<Traits>(b),
                                                 static_cast<std::size_t>(a->dims)));
}

// + - * element by element.
template <class Traits, class Op>
Datum dense_arithmetic(PG_FUNCTION_ARGS) {
  const DenseHeader* a = dense_arg(fcinfo, 0);
  const DenseHeader* b = dense_arg(fcinfo, 1);
  raise_if_error(core::check_same_dims(a->dims, b->dims));
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

// Ordering: Verdict maps compare_dense's -1/0/1 to the function's result.
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
template <class Traits, class Verdict>
Datum dense_compare(PG_FUNCTION_ARGS) {
  const DenseHeader* a = dense_arg(fcinfo, 0);
  const DenseHeader* b = dense_arg(fcinfo, 1);
  int c = core::compare_dense<Traits>(core::dense_elements<Traits>(a), a->dims,
                                      core::dense_elements<Traits>(b), b->dims);
  free_if_copy(fcinfo, a, 0);
  free_if_copy(fcinfo, b, 1);
  return Verdict::of(c);
}

template <class Traits>
Datum dense_dims(PG_FUNCTION_ARGS) {
  PG_RETURN_INT32(dense_arg(fcinfo, 0)->dims);
}

template <class Traits>
Datum dense_norm(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  PG_RETURN_FLOAT8(core::l2_norm_f64<Traits>(core::dense_elements<Traits>(value), value->dims));
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

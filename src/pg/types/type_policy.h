// src/pg/types/type_policy.h
// What the fmgr templates shared by every vector type need to know of one
// type: how to read an argument, its dims, its distance kernels, its order
// and its norm. DenseType<Traits> serves vector and halfvec, SparseType
// serves sparsevec; common_fmgr.h is written against this interface only.
//
//   Value                      the detoasted datum type
//   arg(fcinfo, n)             argument n, detoasted (PG zone)
//   dims(v)                    number of dimensions
//   distance<Metric>(a, b)     Metric (kernels/distance.h) over equal dims
//   compare(a, b)              -1 / 0 / 1 (docs/reference.md 6.5)
//   norm(v)                    Euclidean norm in float64
#pragma once

#include <cstddef>

#include "kernels/distance.h"
#include "kernels/elem_kernels.h"
#include "types/dense_layout.h"
#include "types/dense_ops.h"
#include "types/element_traits.h"
#include "types/sparse_layout.h"
#include "types/sparse_ops.h"
#include "types/dense_datum.h"
#include "types/sparse_datum.h"

#include "pg.h"

namespace vecsim::pg {

template <class Traits>
struct DenseType {
  using Value = DenseHeader;
  static constexpr const char* kTypeName = Traits::kTypeName;

  static const Value* arg(FunctionCallInfo fcinfo, int n) { return dense_arg(fcinfo, n); }
  static int dims(const Value* v) { return v->dims; }
  template <class Metric>
  static double distance(const Value* a, const Value* b) {
    return Metric::template eval<core::ElemKernels<Traits>>(
        core::dense_elements<Traits>(a), core::dense_elements<Traits>(b),
        static_cast<std::size_t>(a->dims));
  }
  static int compare(const Value* a, const Value* b) {
    return core::compare_dense<Traits>(core::dense_elements<Traits>(a), a->dims,
                                       core::dense_elements<Traits>(b), b->dims);
  }
  static double norm(const Value* v) {
    return core::l2_norm_f64<Traits>(core::dense_elements<Traits>(v), v->dims);
  }
};

struct SparseType {
  using Value = SparseHeader;
  static constexpr const char* kTypeName = core::SparseTraits::kTypeName;

  static const Value* arg(FunctionCallInfo fcinfo, int n) { return sparse_arg(fcinfo, n); }
  static int dims(const Value* v) { return v->dims; }
  template <class Metric>
  static double distance(const Value* a, const Value* b) {
    return Metric::template eval<core::SparseSpanKernels>(core::sparse_span(a),
                                                          core::sparse_span(b));
  }
  static int compare(const Value* a, const Value* b) {
    return core::compare_sparse(core::sparse_span(a), a->dims, core::sparse_span(b), b->dims);
  }
  static double norm(const Value* v) {
    return core::l2_norm_f64<core::SparseTraits>(core::sparse_values(v), v->nnz);
  }
};

}  // namespace vecsim::pg

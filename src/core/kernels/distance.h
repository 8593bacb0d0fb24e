// src/core/kernels/distance.h
// How the SQL-visible distances are formed from kernel sums (docs/reference.md 6.2):
// float32 sums are widened to float64 for sqrt, division and negation.
//
// INVARIANTS
//   cosine_from_terms clamps the similarity to [-1, 1] but lets NaN through:
//   a zero norm (0/0) or overflowing norms (inf/inf) give NaN, as pgvector
//   does. spherical_from_dot assumes unit-length inputs.
//   Each Metric::eval<K>(operands...) below is the float8 result of the SQL
//   function named beside it, for any kernel set K (ElemKernels<Traits> with
//   operands (a, b, n), SparseSpanKernels with operands (a, b)).
#pragma once

#include <cmath>
#include <cstddef>

#include "kernels/elem_kernels.h"
#include "kernels/kernel_table.h"

namespace vecsim::core {

inline double clamp_unit(double x) noexcept {
  if (x > 1.0) return 1.0;
  if (x < -1.0) return -1.0;
  return x;  // NaN stays NaN
}

inline double l2_from_l2sq(float l2sq) noexcept { return std::sqrt(static_cast<double>(l2sq)); }

inline double cosine_from_terms(CosineTerms t) noexcept {
  double similarity = static_cast<double>(t.dot) /
                      std::sqrt(static_cast<double>(t.norm_a) * static_cast<double>(t.norm_b));
  return 1.0 - clamp_unit(similarity);
}

inline double spherical_from_dot(float dot) noexcept {
  return std::acos(clamp_unit(static_cast<double>(dot))) / M_PI;
}

// An inner product as pgvector gives it: ±Infinity when the sum overflows
// float32, never NaN. The kernels' float32 sums (several partial sums at
// once) can hold +Infinity in one and -Infinity in another, or overflow a
// product, and meet as NaN; values are finite, so a NaN can only come from
// such an overflow, and the sum is then taken again in float64 and
// rounded to float32 (±Infinity, or the finite sum when the float64 one
// fits). NaN sorts after every number and -Infinity before, so this
// decides where such a row falls in ORDER BY v <#> q.
template <class K, class... Operands>
float finite_dot(Operands... x) noexcept {
  const float dot = K::dot(x...);
  return std::isnan(dot) ? static_cast<float>(K::dot_f64(x...)) : dot;
}

#define VECSIM_METRIC(Name, expr)                         \
  struct Name {                                           \
    template <class K, class... Operands>                 \
    static double eval(Operands... x) noexcept {          \
      return expr;                                        \
    }                                                     \
  };

VECSIM_METRIC(L2Metric, l2_from_l2sq(K::l2sq(x...)))                           // l2_distance
VECSIM_METRIC(L2SquaredMetric, static_cast<double>(K::l2sq(x...)))             // *_l2_squared_distance
VECSIM_METRIC(InnerProductMetric, static_cast<double>(finite_dot<K>(x...)))           // inner_product
VECSIM_METRIC(NegativeInnerProductMetric, -static_cast<double>(finite_dot<K>(x...)))  // *_negative_inner_product
VECSIM_METRIC(CosineMetric, cosine_from_terms(K::cosine(x...)))                // cosine_distance
VECSIM_METRIC(L1Metric, static_cast<double>(K::l1(x...)))                      // l1_distance
VECSIM_METRIC(SphericalMetric, spherical_from_dot(K::dot(x...)))               // *_spherical_distance

#undef VECSIM_METRIC

}  // namespace vecsim::core

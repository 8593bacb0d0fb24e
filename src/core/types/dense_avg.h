// src/core/types/dense_avg.h
// Arithmetic of the avg() aggregate over dense types (docs/reference.md 6.6). The
// aggregate state is {n, s1 .. sdims}: a row count and float64 running sums;
// its array packaging is the shim's business, the numbers are here.
//
// INVARIANTS
//   A running sum that becomes infinite is 22003. The final value is
//   float32(s_i / n), then narrowed to the element type: a finite value that
//   does not fit is 22003, a NaN or infinity 22000.
#pragma once

#include <cmath>

#include "types/dense_checks.h"
#include "types/dense_ops.h"
#include "util/status.h"

namespace vecsim::core {

// Empty sums for n elements. They start at -0.0, the identity of IEEE
// addition (0.0 is not: 0.0 + -0.0 = 0.0), so a first row added to them is
// kept exactly, signed zeros included.
inline void clear_sums(double* sums, int n) noexcept {
  for (int i = 0; i < n; ++i) sums[i] = -0.0;
}

// sums[i] += x[i].
template <class Traits>
Status accumulate_sums(double* sums, const typename Traits::Storage* x, int n) noexcept {
  bool overflow = false;
  for (int i = 0; i < n; ++i) {
    sums[i] += Traits::to_float(x[i]);
    overflow |= std::isinf(sums[i]);
  }
  return overflow ? overflow_error() : Status::ok();
}

// into[i] += from[i].
inline Status combine_sums(double* into, const double* from, int n) noexcept {
  bool overflow = false;
  for (int i = 0; i < n; ++i) {
    into[i] += from[i];
    overflow |= std::isinf(into[i]);
  }
  return overflow ? overflow_error() : Status::ok();
}

// out[i] = sums[i] / count, rounded to the element type. count > 0.
template <class Traits>
Status average_sums(const double* sums, double count, int n,
                    typename Traits::Storage* out) noexcept {
  for (int i = 0; i < n; ++i) {
    VECSIM_RETURN_IF_ERROR(narrow_element<Traits>(static_cast<float>(sums[i] / count), &out[i]));
  }
  return Status::ok();
}

}  // namespace vecsim::core

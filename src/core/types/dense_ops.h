// src/core/types/dense_ops.h
// Element-wise arithmetic, ordering, norms, normalisation, sub-ranges and
// binary quantisation of the dense types (docs/reference.md 6.1, 6.4, 6.5).
//
// INVARIANTS
//   Arithmetic is computed in float32 and then narrowed to the element type,
//   so halfvec gets the results of native half arithmetic. Any infinite
//   result is 22003 (overflow); for `*` a zero result from two non-zero
//   operands is 22003 (underflow). Norms accumulate in float64.
//   Ordering compares by float value (-0 = 0) over the common prefix, then by
//   dims. No function here allocates; outputs go to caller-sized buffers.
#pragma once

#include <cmath>
#include <cstdint>

#include "types/dense_checks.h"
#include "util/status.h"

namespace vecsim::core {

struct AddOp {
  static constexpr bool kCanUnderflow = false;
  static float apply(float a, float b) noexcept { return a + b; }
};
struct SubOp {
  static constexpr bool kCanUnderflow = false;
  static float apply(float a, float b) noexcept { return a - b; }
};
struct MulOp {
  static constexpr bool kCanUnderflow = true;
  static float apply(float a, float b) noexcept { return a * b; }
};

inline Status overflow_error() noexcept {
  return Status::error(ErrorCode::kOutOfRange, "value out of range: overflow");
}
inline Status underflow_error() noexcept {
  return Status::error(ErrorCode::kOutOfRange, "value out of range: underflow");
}

// out[i] = a[i] op b[i] for i < n. The loop has no early exit so that it
// vectorises; the verdict is taken once at the end.
template <class Traits, class Op>
Status elementwise(const typename Traits::Storage* a, const typename Traits::Storage* b,
                   typename Traits::Storage* out, int n) noexcept {
  bool overflow = false;
  bool underflow = false;
  for (int i = 0; i < n; ++i) {
    float x = Traits::to_float(a[i]);
    float y = Traits::to_float(b[i]);
    float r = Op::apply(x, y);
    overflow |= std::isinf(r) || !Traits::from_float(r, &out[i]);
    if constexpr (Op::kCanUnderflow) {
      underflow |= (Traits::to_float(out[i]) == 0.0f) & (x != 0.0f) & (y != 0.0f);
    }
  }
  if (overflow) return overflow_error();
  if (underflow) return underflow_error();
  return Status::ok();
}

// -1, 0 or 1: element by element over the common prefix, then fewer dims first.
template <class Traits>
int compare_dense(const typename Traits::Storage* a, int na, const typename Traits::Storage* b,
                  int nb) noexcept {
  int n = na < nb ? na : nb;
  for (int i = 0; i < n; ++i) {
    float x = Traits::to_float(a[i]);
    float y = Traits::to_float(b[i]);
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return (na > nb) - (na < nb);
}

// Euclidean norm accumulated in float64.
template <class Traits>
double l2_norm_f64(const typename Traits::Storage* x, int n) noexcept {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    double v = Traits::to_float(x[i]);
    sum += v * v;
  }
  return std::sqrt(sum);
}

// out = x / ||x||, each element rounded to the type. A zero vector gives a
// zero vector; an element that becomes infinite is 22003.
template <class Traits>
Status l2_normalize(const typename Traits::Storage* x, int n,
                    typename Traits::Storage* out) noexcept {
  double norm = l2_norm_f64<Traits>(x, n);
  bool overflow = false;
  for (int i = 0; i < n; ++i) {
    if (norm == 0.0) {  // a zero vector gives +0 everywhere, as a fresh zeroed result
      Traits::from_float(0.0f, &out[i]);
      continue;
    }
    float r = static_cast<float>(Traits::to_float(x[i]) / norm);
    overflow |= std::isinf(r) || !Traits::from_float(r, &out[i]);
  }
  return overflow ? overflow_error() : Status::ok();
}

// The range subvector(v, start, count) selects, 1-based like substring():
// count < 1, start > dims or an empty result is 22000; start < 1 is clamped.
// On success elements [*first, *first + *len) are selected (0-based).
inline Status subvector_range(const char* type_name, int dims, std::int32_t start,
                              std::int32_t count, int* first, int* len) noexcept {
  Status empty = Status::error(ErrorCode::kDataException, "%s must have at least 1 dimension",
                               type_name);
  if (count < 1) return empty;
  std::int64_t end = static_cast<std::int64_t>(start) + count;  // cannot overflow in 64 bits
  std::int64_t from = start < 1 ? 1 : start;
  if (from > dims) return empty;
  if (end > static_cast<std::int64_t>(dims) + 1) end = static_cast<std::int64_t>(dims) + 1;
  if (end <= from) return empty;
  *first = static_cast<int>(from - 1);
  *len = static_cast<int>(end - from);
  return Status::ok();
}

// Bit i of the result (MSB first, as PostgreSQL's bit type stores it) is 1
// exactly when x[i] > 0. Writes (n + 7) / 8 bytes; unused low bits are 0.
template <class Traits>
void binary_quantize(const typename Traits::Storage* x, int n, unsigned char* bits) noexcept {
  for (int byte = 0; byte * 8 < n; ++byte) {
    unsigned char b = 0;
    for (int bit = 0; bit < 8 && byte * 8 + bit < n; ++bit) {
      b |= static_cast<unsigned char>((Traits::to_float(x[byte * 8 + bit]) > 0.0f) << (7 - bit));
    }
    bits[byte] = b;
  }
}

}  // namespace vecsim::core

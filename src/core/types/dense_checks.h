// src/core/types/dense_checks.h
// The value checks every path into a dense type shares (text, binary, array
// and cast input, arithmetic results), with the SQLSTATEs of docs/reference.md 11.
//
// INVARIANTS
//   Each check returns Status::ok() or an error naming the facts involved
//   (both dimension counts, the type). None allocates.
#pragma once

#include <cmath>

#include "util/status.h"

namespace vecsim::core {

// dims must be in 1 .. Traits::kMaxDims: fewer is 22000, more is 54000.
template <class Traits>
Status check_dim_count(long long dims) noexcept {
  if (dims < 1) {
    return Status::error(ErrorCode::kDataException, "%s must have at least 1 dimension",
                         Traits::kTypeName);
  }
  if (dims > Traits::kMaxDims) {
    return Status::error(ErrorCode::kProgramLimit, "%s cannot have more than %d dimensions",
                         Traits::kTypeName, Traits::kMaxDims);
  }
  return Status::ok();
}

// A typmod of -1 accepts any dims; any other value must equal dims (22000).
inline Status check_typmod(long long dims, int typmod) noexcept {
  if (typmod != -1 && dims != typmod) {
    return Status::error(ErrorCode::kDataException, "expected %d dimensions, not %lld", typmod,
                         dims);
  }
  return Status::ok();
}

// Elements must be finite (22000).
template <class Traits>
Status check_finite(float value) noexcept {
  if (std::isnan(value)) {
    return Status::error(ErrorCode::kDataException, "NaN not allowed in %s", Traits::kTypeName);
  }
  if (std::isinf(value)) {
    return Status::error(ErrorCode::kDataException, "infinite value not allowed in %s",
                         Traits::kTypeName);
  }
  return Status::ok();
}

// Operands of a binary function on `type_name` must agree in dims (22000).
inline Status check_same_dims(const char* type_name, long long a, long long b) noexcept {
  if (a != b) {
    return Status::error(ErrorCode::kDataException, "different %s dimensions %lld and %lld",
                         type_name, a, b);
  }
  return Status::ok();
}

inline Status value_out_of_range(float value, const char* type_name) noexcept {
  return Status::error(ErrorCode::kOutOfRange, "value %.9g is out of range for type %s",
                       static_cast<double>(value), type_name);
}

// Converts a float32 to the element type; a finite value the type cannot
// hold is 22003. NaN and infinity convert (to the type's own), unchecked.
template <class Traits>
Status convert_element(float value, typename Traits::Storage* out) noexcept {
  if (!Traits::from_float(value, out) && std::isfinite(value)) {
    return value_out_of_range(value, Traits::kTypeName);
  }
  return Status::ok();
}

// Narrows a float32 into the element type, then checks finiteness: a finite
// value the type cannot hold is 22003, a NaN or infinity 22000 (range errors
// come first, docs/reference.md 3.4).
template <class Traits>
Status narrow_element(float value, typename Traits::Storage* out) noexcept {
  VECSIM_RETURN_IF_ERROR(convert_element<Traits>(value, out));
  return check_finite<Traits>(value);
}

// Narrows n float32 values into the element type: first every conversion
// (22003 for the first finite value the type cannot hold), then every
// finiteness check (22000), as docs/reference.md 4 orders the array rules. `in` and
// `out` may be the same array when the storage is float.
template <class Traits>
Status narrow_elements(const float* in, int n, typename Traits::Storage* out) noexcept {
  for (int i = 0; i < n; ++i) VECSIM_RETURN_IF_ERROR(convert_element<Traits>(in[i], &out[i]));
  for (int i = 0; i < n; ++i) VECSIM_RETURN_IF_ERROR(check_finite<Traits>(Traits::to_float(out[i])));
  return Status::ok();
}

// A type modifier list must be exactly one integer in 1 .. kMaxDims (22023).
template <class Traits>
Status check_typmod_list(int count, long long value) noexcept {
  if (count != 1) return Status::error(ErrorCode::kInvalidParameter, "invalid type modifier");
  if (value < 1) {
    return Status::error(ErrorCode::kInvalidParameter, "dimensions for type %s must be at least 1",
                         Traits::kTypeName);
  }
  if (value > Traits::kMaxDims) {
    return Status::error(ErrorCode::kInvalidParameter, "dimensions for type %s cannot exceed %d",
                         Traits::kTypeName, Traits::kMaxDims);
  }
  return Status::ok();
}

}  // namespace vecsim::core

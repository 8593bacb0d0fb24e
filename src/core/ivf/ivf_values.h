// src/core/ivf/ivf_values.h
// Between an index's values and k-means' arithmetic: dense values (vector,
// halfvec) are trained on and assigned as float32 rows; centres are
// stored back as values of the index's kind (binary16 rounded to nearest).
// Bit strings need no conversion.
//
// INVARIANTS
//   Allocates nothing. A centre is a mean (or a normalised mean) of values
//   of its kind, so it is within the kind's range; a binary16 overflow is
//   reported all the same (false), never stored as infinity.
#pragma once

#include <cstddef>
#include <cstring>

#include "index/value_kind.h"
#include "types/half.h"

namespace vecsim::core {

// out[0 .. dims) = the dense value's elements as float32.
inline void dense_value_as_floats(ValueKind kind, const unsigned char* value, std::size_t dims, float* out) {
  if (kind == ValueKind::kVector) {
    std::memcpy(out, value, dims * sizeof(float));
    return;
  }
  for (std::size_t i = 0; i < dims; ++i) {
    Half h;
    std::memcpy(&h, value + i * sizeof(Half), sizeof h);
    out[i] = half_to_float(h);
  }
}

// The float32 row as a value of the dense kind (out: value_bytes_for_dims).
inline bool floats_as_dense_value(ValueKind kind, const float* row, std::size_t dims, unsigned char* out) {
  if (kind == ValueKind::kVector) {
    std::memcpy(out, row, dims * sizeof(float));
    return true;
  }
  for (std::size_t i = 0; i < dims; ++i) {
    Half h;
    if (!float_to_half(row[i], &h)) return false;
    std::memcpy(out + i * sizeof(Half), &h, sizeof h);
  }
  return true;
}

}  // namespace vecsim::core

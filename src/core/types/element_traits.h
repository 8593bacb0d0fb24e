// src/core/types/element_traits.h
// Element traits of the dense vector types: how one element is stored, read
// as float32, narrowed from float32, and laid out on the wire.
//
// INVARIANTS
//   Every template in core/types is written against these members only, so
//   that vector (float32) and halfvec (binary16) share one implementation of
//   parsing, binary I/O, checks and arithmetic (docs/architecture.md).
//   to_float() is exact. from_float() rounds to nearest-even and reports
//   false when a finite float32 does not fit the element type.
//   SparseTraits serves the checks and the element codec of sparsevec's
//   stored values; its layout and kernels are its own (sparse_layout.h).
#pragma once

#include <cstdint>
#include <cstring>

#include "types/half.h"

namespace vecsim::core {

struct F32Traits {
  using Storage = float;
  using WireBits = std::uint32_t;  // the element's bit pattern on the wire

  static constexpr const char* kTypeName = "vector";
  static constexpr int kMaxDims = 16000;
  static constexpr bool kRejectUnderflow = false;  // a literal may round to 0

  static float to_float(Storage x) noexcept { return x; }
  static bool from_float(float f, Storage* out) noexcept {
    *out = f;
    return true;
  }
  static WireBits to_bits(Storage x) noexcept {
    WireBits b;
    std::memcpy(&b, &x, sizeof b);
    return b;
  }
  static Storage from_bits(WireBits b) noexcept {
    Storage x;
    std::memcpy(&x, &b, sizeof x);
    return x;
  }
};

struct F16Traits {
  using Storage = Half;
  using WireBits = std::uint16_t;

  static constexpr const char* kTypeName = "halfvec";
  static constexpr int kMaxDims = 16000;
  static constexpr bool kRejectUnderflow = false;

  static float to_float(Storage x) noexcept { return half_to_float(x); }
  static bool from_float(float f, Storage* out) noexcept { return float_to_half(f, out); }
  static WireBits to_bits(Storage x) noexcept { return x.bits; }
  static Storage from_bits(WireBits b) noexcept { return Half{b}; }
};

// The stored values of sparsevec: float32 like vector's elements, but a
// literal that underflows to 0 is an error (0 is never stored), and dims go
// to 1e9 with at most kMaxNnz stored values.
struct SparseTraits {
  using Storage = float;
  using WireBits = std::uint32_t;

  static constexpr const char* kTypeName = "sparsevec";
  static constexpr int kMaxDims = 1000000000;
  static constexpr int kMaxNnz = 16000;
  static constexpr bool kRejectUnderflow = true;

  static float to_float(Storage x) noexcept { return x; }
  static bool from_float(float f, Storage* out) noexcept {
    *out = f;
    return true;
  }
  static WireBits to_bits(Storage x) noexcept { return F32Traits::to_bits(x); }
  static Storage from_bits(WireBits b) noexcept { return F32Traits::from_bits(b); }
};

}  // namespace vecsim::core

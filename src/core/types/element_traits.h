// src/core/types/element_traits.h
// Element traits of the dense vector types: how one element is stored, read
// as float32, narrowed from float32, and laid out on the wire.
//
// INVARIANTS
//   Every template in core/types is written against these members only, so
//   that vector (float32) and halfvec (binary16) share one implementation of
//   parsing, binary I/O, checks and arithmetic (STYLE.md section 3).
//   to_float() is exact. from_float() rounds to nearest-even and reports
//   false when a finite float32 does not fit the element type.
#pragma once

#include <cstdint>
#include <cstring>

namespace vecsim::core {

struct F32Traits {
  using Storage = float;
  using WireBits = std::uint32_t;  // the element's bit pattern on the wire

  static constexpr const char* kTypeName = "vector";
  static constexpr int kMaxDims = 16000;

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

}  // namespace vecsim::core

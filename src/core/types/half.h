// src/core/types/half.h
// IEEE 754 binary16 ("half"), the element of halfvec: exact widening to
// float32 and narrowing from float32 with round-to-nearest-even, portable
// and branch-light (no F16C needed; the kernels use F16C where they may).
//
// INVARIANTS
//   half_to_float is exact for every one of the 65536 patterns (NaN stays
//   NaN, signs kept). float_to_half rounds to nearest-even, keeps the sign
//   of zero, gives subnormals where they apply, and returns false exactly
//   when a finite float32 rounds to infinity (magnitude >= 65520); an
//   infinite or NaN input becomes the matching half and returns true.
#pragma once

#include <cstdint>
#include <cstring>

namespace vecsim::core {

// A binary16 bit pattern. A distinct type, so that a half is never added up
// as an integer by mistake.
struct Half {
  std::uint16_t bits;
};
static_assert(sizeof(Half) == 2 && alignof(Half) == 2);

inline std::uint32_t float_bits(float f) noexcept {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline float bits_float(std::uint32_t u) noexcept {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline float half_to_float(Half h) noexcept {
  std::uint32_t sign = static_cast<std::uint32_t>(h.bits & 0x8000u) << 16;
  std::uint32_t exponent = (h.bits >> 10) & 0x1fu;
  std::uint32_t mantissa = h.bits & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float32.
    float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-08f;
    return bits_float(float_bits(magnitude) | sign);
  }
  if (exponent == 0x1f) return bits_float(sign | 0x7f800000u | (mantissa << 13));
  return bits_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
}

inline bool float_to_half(float f, Half* out) noexcept {
  std::uint32_t u = float_bits(f);
  std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
  std::uint32_t magnitude = u & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) {  // infinity, or NaN made quiet
    std::uint32_t nan_bits = magnitude > 0x7f800000u ? 0x200u | ((magnitude >> 13) & 0x3ffu) : 0u;
    out->bits = static_cast<std::uint16_t>(sign | 0x7c00u | nan_bits);
    return true;
  }
  if (magnitude >= 0x477ff000u) return false;  // 65520 and above round to infinity
  if (magnitude < 0x38800000u) {
    // Below the smallest normal half (2^-14): let the FPU round the value
    // into the subnormal grid (steps of 2^-24) by adding 0.5, whose ulp is
    // exactly 2^-24; the low bits of the sum are the half's mantissa.
    float sum = bits_float(magnitude) + 0.5f;
    out->bits = static_cast<std::uint16_t>(sign | (float_bits(sum) - 0x3f000000u));
    return true;
  }
  // Normal: rebias the exponent (127 -> 15) and round the 13 dropped bits to
  // nearest-even; a carry out of the mantissa correctly bumps the exponent.
  std::uint32_t odd = (magnitude >> 13) & 1u;
  std::uint32_t rounded = magnitude - 0x38000000u + 0xfffu + odd;
  out->bits = static_cast<std::uint16_t>(sign | (rounded >> 13));
  return true;
}

}  // namespace vecsim::core

// test/unit/half_test.cpp
// binary16 conversions against an independent oracle: the compiler's own
// _Float16 (software conversion in libgcc, round-to-nearest-even) for
// narrowing, and the definition of the format for widening.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "types/half.h"

namespace vecsim::core {
namespace {

std::uint16_t oracle_bits(float f) {
  _Float16 h = static_cast<_Float16>(f);
  std::uint16_t b;
  std::memcpy(&b, &h, sizeof b);
  return b;
}

TEST(Half, WideningIsExactForEveryPattern) {
  for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
    Half h{static_cast<std::uint16_t>(bits)};
    float f = half_to_float(h);
    std::uint32_t exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
    double magnitude = exponent == 0 ? std::ldexp(static_cast<double>(mantissa), -24)
                                     : std::ldexp(1.0 + mantissa / 1024.0, static_cast<int>(exponent) - 15);
    if (exponent == 0x1f) {
      EXPECT_TRUE(mantissa ? std::isnan(f) : std::isinf(f)) << bits;
      continue;
    }
    EXPECT_EQ(static_cast<double>(f), (bits & 0x8000) ? -magnitude : magnitude) << bits;
    EXPECT_EQ(std::signbit(f), (bits & 0x8000) != 0) << bits;
    // and back, bit for bit
    Half back;
    ASSERT_TRUE(float_to_half(f, &back));
    EXPECT_EQ(back.bits, bits);
  }
}

TEST(Half, NarrowingMatchesTheOracle) {
  std::mt19937 rng(11);
  auto check = [](float f) {
    Half h;
    bool fits = float_to_half(f, &h);
    std::uint16_t want = oracle_bits(f);
    bool oracle_inf = (want & 0x7fff) == 0x7c00;
    if (std::isfinite(f) && oracle_inf) {
      EXPECT_FALSE(fits) << f;
    } else {
      ASSERT_TRUE(fits) << f;
      if (std::isnan(f)) {
        EXPECT_TRUE(std::isnan(half_to_float(h)));
      } else {
        EXPECT_EQ(h.bits, want) << std::hexfloat << f;
      }
    }
  };
  // Every float32 whose low 13 bits take one of the rounding-relevant
  // shapes (exact, just below/at/above the halfway point), across every
  // exponent and sign; then random patterns.
  for (std::uint32_t high = 0; high < (1u << 19); ++high) {
    for (std::uint32_t low : {0x0000u, 0x0001u, 0x0fffu, 0x1000u, 0x1001u, 0x1fffu}) {
      check(bits_float((high << 13) | low));
    }
  }
  for (int i = 0; i < 1000000; ++i) check(bits_float(static_cast<std::uint32_t>(rng())));
}

TEST(Half, SpecExamples) {
  Half h;
  ASSERT_TRUE(float_to_half(65519.0f, &h));
  EXPECT_EQ(half_to_float(h), 65504.0f);
  EXPECT_FALSE(float_to_half(65520.0f, &h));
  EXPECT_FALSE(float_to_half(-1e30f, &h));
  ASSERT_TRUE(float_to_half(1e-8f, &h));
  EXPECT_EQ(h.bits, 0);
  ASSERT_TRUE(float_to_half(-1e-8f, &h));
  EXPECT_EQ(h.bits, 0x8000);
  ASSERT_TRUE(float_to_half(3e-8f, &h));
  EXPECT_EQ(half_to_float(h), 5.9604645e-08f);
  ASSERT_TRUE(float_to_half(1.23456f, &h));
  EXPECT_EQ(half_to_float(h), 1.234375f);
  ASSERT_TRUE(float_to_half(0.1f, &h));
  EXPECT_EQ(half_to_float(h), 0.099975586f);
}

}  // namespace
}  // namespace vecsim::core

// src/core/kernels/bit_body.h
// Hamming and Jaccard popcounts over 64-bit words, for ISA translation units
// whose flags include the POPCNT instruction (x86-64-v2 and up): each
// __builtin_popcountll then compiles to one instruction. Bytes past the last
// whole word are counted one by one.
//
// INVARIANTS
//   Exact counts, equal to the byte-wise reference. Words are read with
//   memcpy, so any alignment is fine. Internal linkage only (simd_body.h).
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/kernel_table.h"

namespace vecsim::core {
namespace {

inline std::uint64_t load_word(const std::uint8_t* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

std::uint64_t hamming_words(const std::uint8_t* a, const std::uint8_t* b,
                            std::size_t bytes) noexcept {
  std::uint64_t n0 = 0, n1 = 0;
  std::size_t i = 0;
  for (; i + 16 <= bytes; i += 16) {
    n0 += __builtin_popcountll(load_word(a + i) ^ load_word(b + i));
    n1 += __builtin_popcountll(load_word(a + i + 8) ^ load_word(b + i + 8));
  }
  for (; i < bytes; ++i) n0 += __builtin_popcount(static_cast<unsigned>(a[i] ^ b[i]));
  return n0 + n1;
}

JaccardTerms jaccard_words(const std::uint8_t* a, const std::uint8_t* b,
                           std::size_t bytes) noexcept {
  JaccardTerms t{0, 0};
  std::size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    std::uint64_t x = load_word(a + i);
    std::uint64_t y = load_word(b + i);
    t.both += __builtin_popcountll(x & y);
    t.either += __builtin_popcountll(x | y);
  }
  for (; i < bytes; ++i) {
    t.both += __builtin_popcount(static_cast<unsigned>(a[i] & b[i]));
    t.either += __builtin_popcount(static_cast<unsigned>(a[i] | b[i]));
  }
  return t;
}

}  // namespace
}  // namespace vecsim::core

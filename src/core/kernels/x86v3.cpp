// src/core/kernels/x86v3.cpp
// Kernels for x86-64-v3 (AVX2 + FMA + F16C, and POPCNT from v2). Compiled
// with -march=x86-64-v3 and nothing else; only reached after dispatch.cpp
// has seen the CPU support it. binary16 lanes are widened with F16C's
// vcvtph2ps as they are loaded.
#if defined(__x86_64__)
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/bit_body.h"
#include "kernels/isa_table.h"

namespace vecsim::core {
namespace {

// Lane masks for partial loads: kTailMask + 8 - n selects the first n lanes.
alignas(64) constexpr std::int32_t kTailMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                    0,  0,  0,  0,  0,  0,  0,  0};

struct Avx2 {
  using Reg = __m256;
  static constexpr std::size_t kWidth = 8;
  static Reg zero() noexcept { return _mm256_setzero_ps(); }
  static Reg load(const float* p) noexcept { return _mm256_loadu_ps(p); }
  static Reg load(const Half* p) noexcept {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static Reg load_tail(const float* p, std::size_t n) noexcept {
    __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - n));
    return _mm256_maskload_ps(p, mask);
  }
  static Reg load_tail(const Half* p, std::size_t n) noexcept {
    // AVX2 has no 16-bit masked load: stage the n halves in a zeroed block.
    alignas(16) std::uint16_t block[8] = {};
    std::memcpy(block, p, n * sizeof(Half));
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(block)));
  }
  static Reg broadcast(float x) noexcept { return _mm256_set1_ps(x); }
  static void store(float* p, Reg r) noexcept { _mm256_storeu_ps(p, r); }
  static Reg add(Reg a, Reg b) noexcept { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) noexcept { return _mm256_sub_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) noexcept { return _mm256_fmadd_ps(a, b, c); }
  static Reg abs(Reg a) noexcept {
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a);
  }
  // index blocks (sparse_body.h)
  using IReg = __m256i;
  using Hit = __m256i;
  static IReg load_indices(const std::int32_t* p, std::size_t n, std::int32_t pad) noexcept {
    __m256i mask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kTailMask + 8 - n));
    __m256i loaded = _mm256_maskload_epi32(reinterpret_cast<const int*>(p), mask);
    return _mm256_blendv_epi8(_mm256_set1_epi32(pad), loaded, mask);
  }
  static Hit match(IReg indices, std::int32_t key) noexcept {
    return _mm256_cmpeq_epi32(indices, _mm256_set1_epi32(key));
  }
  static bool any(Hit h) noexcept { return !_mm256_testz_si256(h, h); }
  static Reg put(Reg partner, Hit h, float value) noexcept {
    return _mm256_blendv_ps(partner, _mm256_set1_ps(value), _mm256_castsi256_ps(h));
  }
  static float reduce_add(Reg a) noexcept {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace

const KernelTable kX86V3Kernels =
    isa_kernel_table<Avx2>(IsaLevel::kX86V3, "", {hamming_words, jaccard_words});

}  // namespace vecsim::core
#endif

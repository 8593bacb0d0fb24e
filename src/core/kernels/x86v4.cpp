// src/core/kernels/x86v4.cpp
// Kernels for x86-64-v4 (AVX-512 F/BW/CD/DQ/VL). Compiled with
// -march=x86-64-v4 and nothing else; only reached after dispatch.cpp has
// seen the CPU support it. Tails use masked loads, which fault on no lane
// outside the mask.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/simd_body.h"

namespace vecsim::core {
namespace {

struct Avx512F32 {
  using Reg = __m512;
  static constexpr std::size_t kWidth = 16;
  static Reg zero() noexcept { return _mm512_setzero_ps(); }
  static Reg load(const float* p) noexcept { return _mm512_loadu_ps(p); }
  static Reg load_tail(const float* p, std::size_t n) noexcept {
    return _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p);
  }
  static Reg add(Reg a, Reg b) noexcept { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) noexcept { return _mm512_sub_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) noexcept { return _mm512_fmadd_ps(a, b, c); }
  static Reg abs(Reg a) noexcept { return _mm512_abs_ps(a); }
  static float reduce_add(Reg a) noexcept {
    // Written out rather than _mm512_reduce_add_ps, which trips a false
    // -Wuninitialized in GCC 12's headers.
    __m256 s8 = _mm256_add_ps(_mm512_extractf32x8_ps(a, 0), _mm512_extractf32x8_ps(a, 1));
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
    return _mm_cvtss_f32(s4);
  }
};

}  // namespace

const KernelTable kX86V4Kernels = make_kernel_table<Avx512F32>(IsaLevel::kX86V4);

}  // namespace vecsim::core
#endif

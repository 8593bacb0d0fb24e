// src/core/kernels/x86v4.cpp
// Kernels for x86-64-v4 (AVX-512 F/BW/CD/DQ/VL). Compiled with
// -march=x86-64-v4 and nothing else; only reached after dispatch.cpp has
// seen the CPU support it. Tails use masked loads, which fault on no lane
// outside the mask. binary16 lanes are widened with AVX-512F's vcvtph2ps.
//
// Two tables: VPOPCNTDQ is not part of the v4 level (Skylake-X lacks it), so
// the bit kernels that use it are compiled for that extension alone (target
// attribute) and sit in kX86V4PopcntKernels, which dispatch.cpp picks only
// when the CPU reports the extension.
#if defined(__x86_64__)
#include <immintrin.h>

#include "kernels/bit_body.h"
#include "kernels/isa_table.h"

namespace vecsim::core {
namespace {

struct Avx512 {
  using Reg = __m512;
  static constexpr std::size_t kWidth = 16;
  static __mmask16 lanes(std::size_t n) noexcept {
    return static_cast<__mmask16>((1u << n) - 1u);  // n <= 16
  }
  static Reg zero() noexcept { return _mm512_setzero_ps(); }
  static Reg load(const float* p) noexcept { return _mm512_loadu_ps(p); }
  // The maskz form of vcvtph2ps: the plain intrinsic trips GCC 12's false
  // -Wmaybe-uninitialized; with every lane selected the two are the same.
  static Reg load(const Half* p) noexcept {
    return _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static Reg load_tail(const float* p, std::size_t n) noexcept {
    return _mm512_maskz_loadu_ps(lanes(n), p);
  }
  static Reg load_tail(const Half* p, std::size_t n) noexcept {
    return _mm512_maskz_cvtph_ps(0xffff, _mm256_maskz_loadu_epi16(lanes(n), p));
  }
  static Reg broadcast(float x) noexcept { return _mm512_set1_ps(x); }
  static void store(float* p, Reg r) noexcept { _mm512_storeu_ps(p, r); }
  static Reg add(Reg a, Reg b) noexcept { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) noexcept { return _mm512_sub_ps(a, b); }
  static Reg fmadd(Reg a, Reg b, Reg c) noexcept { return _mm512_fmadd_ps(a, b, c); }
  static Reg abs(Reg a) noexcept { return _mm512_abs_ps(a); }
  // index blocks (sparse_body.h)
  using IReg = __m512i;
  using Hit = __mmask16;
  static IReg load_indices(const std::int32_t* p, std::size_t n, std::int32_t pad) noexcept {
    return _mm512_mask_loadu_epi32(_mm512_set1_epi32(pad), lanes(n), p);
  }
  static Hit match(IReg indices, std::int32_t key) noexcept {
    return _mm512_cmpeq_epi32_mask(indices, _mm512_set1_epi32(key));
  }
  static bool any(Hit h) noexcept { return h != 0; }
  static Reg put(Reg partner, Hit h, float value) noexcept {
    return _mm512_mask_mov_ps(partner, h, _mm512_set1_ps(value));
  }
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

// Bit kernels over 64-byte blocks with a per-lane 64-bit popcount; the last
// partial block is a masked load (zero bytes count nothing).
#define VECSIM_VPOPCNT __attribute__((target("avx512vpopcntdq")))

VECSIM_VPOPCNT inline __m512i load_bytes(const std::uint8_t* p, std::size_t n) noexcept {
  return n >= 64 ? _mm512_loadu_si512(p)
                 : _mm512_maskz_loadu_epi8(n == 0 ? 0 : (~0ull >> (64 - n)), p);
}

// Through memory: the extract intrinsics trip GCC 12's false -Wuninitialized.
VECSIM_VPOPCNT inline std::uint64_t sum_lanes(__m512i v) noexcept {
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, v);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

// Below one 64-byte block the masked load costs more than it saves: strings
// that short (up to 511 bits) take the POPCNT word loop.
constexpr std::size_t kVpopcntMinBytes = 64;

VECSIM_VPOPCNT std::uint64_t hamming_vpopcnt(const std::uint8_t* a, const std::uint8_t* b,
                                             std::size_t bytes) noexcept {
  if (bytes < kVpopcntMinBytes) return hamming_words(a, b, bytes);
  __m512i acc = _mm512_setzero_si512();
  for (std::size_t i = 0; i < bytes; i += 64) {
    __m512i x = load_bytes(a + i, bytes - i);
    __m512i y = load_bytes(b + i, bytes - i);
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
  }
  return sum_lanes(acc);
}

VECSIM_VPOPCNT JaccardTerms jaccard_vpopcnt(const std::uint8_t* a, const std::uint8_t* b,
                                            std::size_t bytes) noexcept {
  if (bytes < kVpopcntMinBytes) return jaccard_words(a, b, bytes);
  __m512i both = _mm512_setzero_si512();
  __m512i either = _mm512_setzero_si512();
  for (std::size_t i = 0; i < bytes; i += 64) {
    __m512i x = load_bytes(a + i, bytes - i);
    __m512i y = load_bytes(b + i, bytes - i);
    both = _mm512_add_epi64(both, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
    either = _mm512_add_epi64(either, _mm512_popcnt_epi64(_mm512_or_si512(x, y)));
  }
  return JaccardTerms{sum_lanes(both), sum_lanes(either)};
}

#undef VECSIM_VPOPCNT

}  // namespace

const KernelTable kX86V4Kernels =
    isa_kernel_table<Avx512>(IsaLevel::kX86V4, "", {hamming_words, jaccard_words});

const KernelTable kX86V4PopcntKernels =
    isa_kernel_table<Avx512>(IsaLevel::kX86V4, "VPOPCNTDQ", {hamming_vpopcnt, jaccard_vpopcnt});

}  // namespace vecsim::core
#endif

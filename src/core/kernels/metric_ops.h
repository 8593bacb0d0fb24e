// src/core/kernels/metric_ops.h
// The scalar reference of every kernel: the plain loops that fix what each
// kernel computes. Float metrics take float32 terms (binary16 elements are
// widened first) and sum them in float32 in index order; sparse metrics do
// the same over the union of the two index lists, absent elements being 0;
// bit metrics count bits exactly. SIMD variants must match these within the
// tolerance documented in test/unit/kernels_test.cpp.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "types/half.h"

namespace vecsim::core {

inline float widen(float x) noexcept { return x; }
inline float widen(Half x) noexcept { return half_to_float(x); }

// One term of each metric, for a pair of elements x (from a) and y (from b).
struct L2SqOp {
  static float term(float x, float y) noexcept {
    float d = x - y;
    return d * d;
  }
};
struct DotOp {
  static float term(float x, float y) noexcept { return x * y; }
};
struct L1Op {
  static float term(float x, float y) noexcept { return __builtin_fabsf(x - y); }
};

template <class Op, class Elem>
float dense_reference(const Elem* a, const Elem* b, std::size_t n) noexcept {
  float sum = 0.0f;
  for (std::size_t i = 0; i < n; ++i) sum += Op::term(widen(a[i]), widen(b[i]));
  return sum;
}

template <class Op, class Elem>
void dense_batch4_reference(const Elem* q, const Elem* const* rows, std::size_t n,
                            float* out) noexcept {
  for (int r = 0; r < 4; ++r) out[r] = dense_reference<Op, Elem>(q, rows[r], n);
}

template <class Elem>
CosineTerms dense_cosine_reference(const Elem* a, const Elem* b, std::size_t n) noexcept {
  CosineTerms t{0.0f, 0.0f, 0.0f};
  for (std::size_t i = 0; i < n; ++i) {
    float x = widen(a[i]);
    float y = widen(b[i]);
    t.dot += x * y;
    t.norm_a += x * x;
    t.norm_b += y * y;
  }
  return t;
}

// Calls visit(x, y) for every index stored in a or b, in ascending order,
// with 0 for the side that does not store it.
template <class Visit>
void visit_union(SparseSpan a, SparseSpan b, Visit&& visit) noexcept {
  std::int32_t i = 0;
  std::int32_t j = 0;
  while (i < a.nnz || j < b.nnz) {
    if (j == b.nnz || (i < a.nnz && a.indices[i] < b.indices[j])) {
      visit(a.values[i++], 0.0f);
    } else if (i == a.nnz || b.indices[j] < a.indices[i]) {
      visit(0.0f, b.values[j++]);
    } else {
      visit(a.values[i++], b.values[j++]);
    }
  }
}

template <class Op>
float sparse_reference(SparseSpan a, SparseSpan b) noexcept {
  float sum = 0.0f;
  visit_union(a, b, [&sum](float x, float y) { sum += Op::term(x, y); });
  return sum;
}

inline CosineTerms sparse_cosine_reference(SparseSpan a, SparseSpan b) noexcept {
  CosineTerms t{0.0f, 0.0f, 0.0f};
  visit_union(a, b, [&t](float x, float y) {
    t.dot += x * y;
    t.norm_a += x * x;
    t.norm_b += y * y;
  });
  return t;
}

inline unsigned popcount8(std::uint8_t x) noexcept {
  unsigned n = 0;
  for (; x; x &= static_cast<std::uint8_t>(x - 1)) ++n;
  return n;
}

inline std::uint64_t hamming_reference(const std::uint8_t* a, const std::uint8_t* b,
                                       std::size_t bytes) noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < bytes; ++i) n += popcount8(a[i] ^ b[i]);
  return n;
}

inline JaccardTerms jaccard_reference(const std::uint8_t* a, const std::uint8_t* b,
                                      std::size_t bytes) noexcept {
  JaccardTerms t{0, 0};
  for (std::size_t i = 0; i < bytes; ++i) {
    t.both += popcount8(a[i] & b[i]);
    t.either += popcount8(a[i] | b[i]);
  }
  return t;
}

}  // namespace vecsim::core

// src/core/kernels/metric_ops.h
// The scalar reference of every dense float32 kernel: the plain loop that
// fixes what each kernel computes (float32 terms, float32 sum, in index
// order). SIMD variants must match it within the tolerance documented in
// test/unit/kernels_test.cpp.
#pragma once

#include <cmath>
#include <cstddef>

#include "kernels/kernel_table.h"

namespace vecsim::core {

struct L2SqOp {
  static float apply(const float* a, const float* b, std::size_t n) noexcept {
    float sum = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
      float d = a[i] - b[i];
      sum += d * d;
    }
    return sum;
  }
};

struct DotOp {
  static float apply(const float* a, const float* b, std::size_t n) noexcept {
    float sum = 0.0f;
    for (std::size_t i = 0; i < n; ++i) sum += a[i] * b[i];
    return sum;
  }
};

struct L1Op {
  static float apply(const float* a, const float* b, std::size_t n) noexcept {
    float sum = 0.0f;
    for (std::size_t i = 0; i < n; ++i) sum += std::fabs(a[i] - b[i]);
    return sum;
  }
};

struct CosineOp {
  static CosineTerms apply(const float* a, const float* b, std::size_t n) noexcept {
    CosineTerms t{0.0f, 0.0f, 0.0f};
    for (std::size_t i = 0; i < n; ++i) {
      t.dot += a[i] * b[i];
      t.norm_a += a[i] * a[i];
      t.norm_b += b[i] * b[i];
    }
    return t;
  }
};

}  // namespace vecsim::core

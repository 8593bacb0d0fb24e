// src/core/kernels/scalar.cpp
// The portable kernels: the scalar references themselves, compiled with the
// baseline flags. They serve non-x86 machines and are the oracle of tests.
#include "kernels/kernel_table.h"
#include "kernels/metric_ops.h"

namespace vecsim::core {
namespace {

float l2sq_f32_scalar(const float* a, const float* b, std::size_t n) noexcept {
  return L2SqOp::apply(a, b, n);
}
float dot_f32_scalar(const float* a, const float* b, std::size_t n) noexcept {
  return DotOp::apply(a, b, n);
}
float l1_f32_scalar(const float* a, const float* b, std::size_t n) noexcept {
  return L1Op::apply(a, b, n);
}
CosineTerms cosine_f32_scalar(const float* a, const float* b, std::size_t n) noexcept {
  return CosineOp::apply(a, b, n);
}

}  // namespace

const KernelTable kScalarKernels = {IsaLevel::kScalar, l2sq_f32_scalar, dot_f32_scalar,
                                    l1_f32_scalar, cosine_f32_scalar};

}  // namespace vecsim::core

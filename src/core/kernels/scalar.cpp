// src/core/kernels/scalar.cpp
// The portable kernels: the scalar references themselves, compiled with the
// baseline flags. They serve non-x86 machines and are the oracle of tests.
#include "kernels/kernel_table.h"
#include "kernels/metric_ops.h"

namespace vecsim::core {
namespace {

template <class Elem>
constexpr MetricKernels<const Elem*, const Elem*, std::size_t> dense_scalar() noexcept {
  return {dense_reference<L2SqOp, Elem>, dense_reference<DotOp, Elem>,
          dense_reference<L1Op, Elem>, dense_cosine_reference<Elem>};
}

template <class Elem>
constexpr BatchKernels<Elem> batch4_scalar() noexcept {
  return {dense_batch4_reference<L2SqOp, Elem>, dense_batch4_reference<DotOp, Elem>,
          dense_batch4_reference<L1Op, Elem>};
}

// The matrix product of PanelKernels, one output at a time.
void dot_panel_scalar(const float* a, std::size_t rows, std::size_t d, const float* bt, std::size_t ldb,
                      float* c) noexcept {
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < ldb; ++j) {
      float sum = 0;
      for (std::size_t t = 0; t < d; ++t) sum += a[i * d + t] * bt[t * ldb + j];
      c[i * ldb + j] = sum;
    }
  }
}

}  // namespace

const KernelTable kScalarKernels = {
    IsaLevel::kScalar,
    "",
    dense_scalar<float>(),
    dense_scalar<Half>(),
    batch4_scalar<float>(),
    batch4_scalar<Half>(),
    {sparse_reference<L2SqOp>, sparse_reference<DotOp>, sparse_reference<L1Op>,
     sparse_cosine_reference},
    {hamming_reference, jaccard_reference},
    {dot_panel_scalar},
};

}  // namespace vecsim::core

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
};

}  // namespace vecsim::core

// src/core/index/value_kind.h
// What an operator class of any vecsim access method means to the index:
// the kind of value it stores and the distance it orders by. One
// descriptor per value kind holds everything kind-specific (SQL name,
// element type, kernels, size of a value of n dimensions), and
// visit_value_kind() is the one place that turns a run-time kind into its
// descriptor, so callers write each algorithm once for every kind.
//
//   kind       descriptor     value bytes (what an index stores)
//   kVector    VectorKind     dims float32 elements
//   kHalfvec   HalfvecKind    dims binary16 elements
//   kSparse    SparseKind     SparseValueHeader, indices, values (sparse_layout.h)
//   kBit       BitKind        the bit string's bytes
//
// INVARIANTS
//   Descriptors are empty types with static members only: passing one is
//   free, and a visitor's body is instantiated once per kind. Dense kinds
//   (kDense) share one code path through Elem, Traits and dense_kernels().
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"
#include "types/element_traits.h"
#include "types/sparse_layout.h"

namespace vecsim::core {

enum class ValueKind : std::uint8_t { kVector, kHalfvec, kSparse, kBit };
enum class IndexMetric : std::uint8_t { kL2, kInnerProduct, kCosine, kL1, kHamming, kJaccard };

struct IndexOpclass {
  ValueKind kind;
  IndexMetric metric;
};

template <class Elem, class ElemTraits, ValueKind Kind>
struct DenseKind {
  static constexpr ValueKind kKind = Kind;
  static constexpr bool kDense = true;
  using Element = Elem;
  using Traits = ElemTraits;
  static constexpr const char* kTypeName = ElemTraits::kTypeName;
  static constexpr std::size_t value_bytes(std::int64_t dims) {
    return sizeof(Elem) * static_cast<std::size_t>(dims);
  }
};

using VectorKind = DenseKind<float, F32Traits, ValueKind::kVector>;
using HalfvecKind = DenseKind<Half, F16Traits, ValueKind::kHalfvec>;

struct SparseKind {
  static constexpr ValueKind kKind = ValueKind::kSparse;
  static constexpr bool kDense = false;
  static constexpr const char* kTypeName = SparseTraits::kTypeName;
  // A sparse value's size follows its non-zeros, not its dims.
  static constexpr std::size_t value_bytes(std::int64_t) { return 0; }
};

struct BitKind {
  static constexpr ValueKind kKind = ValueKind::kBit;
  static constexpr bool kDense = false;
  static constexpr const char* kTypeName = "bit";
  static constexpr std::size_t value_bytes(std::int64_t bits) {
    return static_cast<std::size_t>((bits + 7) / 8);
  }
};

// The kernels of a dense kind's element type, single and four at a time.
inline const DenseF32Kernels& dense_kernels(const KernelTable& t, VectorKind) { return t.f32; }
inline const DenseF16Kernels& dense_kernels(const KernelTable& t, HalfvecKind) { return t.f16; }
inline const BatchKernels<float>& dense_batch4(const KernelTable& t, VectorKind) { return t.f32_batch4; }
inline const BatchKernels<Half>& dense_batch4(const KernelTable& t, HalfvecKind) { return t.f16_batch4; }

// Calls f with the descriptor of kind (an empty object of its type).
template <class F>
decltype(auto) visit_value_kind(ValueKind kind, F&& f) {
  switch (kind) {
    case ValueKind::kVector:
      return f(VectorKind{});
    case ValueKind::kHalfvec:
      return f(HalfvecKind{});
    case ValueKind::kSparse:
      return f(SparseKind{});
    case ValueKind::kBit:
      break;
  }
  return f(BitKind{});
}

inline const char* value_kind_name(ValueKind kind) {
  return visit_value_kind(kind, [](auto k) { return decltype(k)::kTypeName; });
}

// The bytes of a value of the kind with dims dimensions (bits for bit);
// 0 for sparsevec, whose size follows its non-zeros.
inline std::size_t value_bytes_for_dims(ValueKind kind, std::int64_t dims) {
  return visit_value_kind(kind, [dims](auto k) { return decltype(k)::value_bytes(dims); });
}

// Whether the graph orders by (negative) dot product: inner product, and
// cosine on normalized values.
constexpr bool orders_by_dot(IndexMetric m) {
  return m == IndexMetric::kInnerProduct || m == IndexMetric::kCosine;
}

}  // namespace vecsim::core

// src/core/index/value_metrics.h
// Distances between index values held as byte strings, one policy per kind
// of value, so that the graph on pages (and ValueSpace in memory) serve
// every opclass with one implementation:
//   DenseMetric<Elem>  vector (float) and halfvec (Half) values: raw
//                      elements; sign -1 turns a dot product into a distance
//   SparseMetric       sparsevec values: the datum without its varlena word
//                      (int32 dims, int32 nnz, int32 unused, indices, values)
//   HammingMetric      bit values: the bit string's bytes
//   JaccardMetric      the same, Jaccard distance
//
// INVARIANTS
//   distance(a, b) is monotone in the SQL distance of the opclass (smaller
//   is nearer) and symmetric. Values are 4-byte aligned where they hold
//   4-byte fields (element items place them so). Policies hold only kernel
//   pointers: copying one is free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/kernel_table.h"
#include "types/sparse_layout.h"

namespace vecsim::core {

struct ValueRef {
  const unsigned char* bytes;
  std::size_t size;
};

template <class Elem>
struct DenseMetric {
  using Kernel = float (*)(const Elem*, const Elem*, std::size_t) noexcept;
  Kernel kernel;
  float sign;
  float distance(ValueRef a, ValueRef b) const {
    return sign * kernel(reinterpret_cast<const Elem*>(a.bytes),
                         reinterpret_cast<const Elem*>(b.bytes), a.size / sizeof(Elem));
  }
};

struct SparseMetric {
  using Kernel = float (*)(SparseSpan, SparseSpan) noexcept;
  Kernel kernel;
  float sign;
  static SparseSpan span_of(ValueRef v) { return sparse_value_span(v.bytes); }
  float distance(ValueRef a, ValueRef b) const { return sign * kernel(span_of(a), span_of(b)); }
};

struct HammingMetric {
  using Kernel = std::uint64_t (*)(const std::uint8_t*, const std::uint8_t*, std::size_t) noexcept;
  Kernel kernel;
  float distance(ValueRef a, ValueRef b) const {
    return static_cast<float>(kernel(a.bytes, b.bytes, a.size));
  }
};

struct JaccardMetric {
  using Kernel = JaccardTerms (*)(const std::uint8_t*, const std::uint8_t*, std::size_t) noexcept;
  Kernel kernel;
  float distance(ValueRef a, ValueRef b) const {
    JaccardTerms t = kernel(a.bytes, b.bytes, a.size);
    return t.both == 0 ? 1.0f
                       : static_cast<float>(1.0 - static_cast<double>(t.both) /
                                                      static_cast<double>(t.either));
  }
};

}  // namespace vecsim::core

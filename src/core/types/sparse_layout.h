// src/core/types/sparse_layout.h
// The datum layout of sparsevec (docs/reference.md 3.2): a varlena length word, int32
// dims, int32 nnz, int32 unused (always 0), then nnz int32 indices (0-based,
// strictly ascending, each < dims) and nnz float32 values (finite, != 0).
//
// INVARIANTS
//   pgvector's layout byte for byte, in native byte order; it is also the
//   on-disk format and must never change. The varlena word is the shim's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/kernel_table.h"

namespace vecsim::core {

struct SparseHeader {
  std::int32_t varlena_word;
  std::int32_t dims;
  std::int32_t nnz;
  std::int32_t unused;
};

static_assert(sizeof(SparseHeader) == 16);
static_assert(offsetof(SparseHeader, dims) == 4);
static_assert(offsetof(SparseHeader, nnz) == 8);
static_assert(offsetof(SparseHeader, unused) == 12);
static_assert(std::is_trivially_copyable_v<SparseHeader>);

constexpr std::size_t sparse_datum_size(int nnz) noexcept {
  return sizeof(SparseHeader) + (sizeof(std::int32_t) + sizeof(float)) * static_cast<std::size_t>(nnz);
}

inline std::int32_t* sparse_indices(SparseHeader* h) noexcept {
  return reinterpret_cast<std::int32_t*>(h + 1);
}
inline const std::int32_t* sparse_indices(const SparseHeader* h) noexcept {
  return reinterpret_cast<const std::int32_t*>(h + 1);
}
inline float* sparse_values(SparseHeader* h) noexcept {
  return reinterpret_cast<float*>(sparse_indices(h) + h->nnz);
}
inline const float* sparse_values(const SparseHeader* h) noexcept {
  return reinterpret_cast<const float*>(sparse_indices(h) + h->nnz);
}

// The stored part, as the kernels take it.
inline SparseSpan sparse_span(const SparseHeader* h) noexcept {
  return SparseSpan{sparse_indices(h), sparse_values(h), h->nnz};
}

// A sparsevec value as an index stores it: the datum without its varlena
// word (dims, nnz, unused, indices, values), 4-byte aligned wherever it is.
struct SparseValueHeader {
  std::int32_t dims;
  std::int32_t nnz;
  std::int32_t unused;
};

static_assert(sizeof(SparseValueHeader) == sizeof(SparseHeader) - offsetof(SparseHeader, dims));
static_assert(offsetof(SparseValueHeader, nnz) == offsetof(SparseHeader, nnz) - offsetof(SparseHeader, dims));
static_assert(std::is_trivially_copyable_v<SparseValueHeader>);

constexpr std::size_t sparse_value_size(std::int32_t nnz) noexcept {
  return sizeof(SparseValueHeader) + (sizeof(std::int32_t) + sizeof(float)) * static_cast<std::size_t>(nnz);
}

// The non-zeros of an index value (bytes as above, at a 4-byte boundary).
inline SparseSpan sparse_value_span(const unsigned char* bytes) noexcept {
  SparseValueHeader h;
  std::memcpy(&h, bytes, sizeof h);
  const auto* indices = reinterpret_cast<const std::int32_t*>(bytes + sizeof h);
  return SparseSpan{indices, reinterpret_cast<const float*>(indices + h.nnz), h.nnz};
}

}  // namespace vecsim::core

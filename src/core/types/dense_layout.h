// src/core/types/dense_layout.h
// The datum layout shared by vector and halfvec (docs/reference.md 3.2): a varlena
// length word, int16 dims, int16 unused (always 0), then dims elements.
//
// INVARIANTS
//   The layout is pgvector's byte for byte, in native byte order; it is also
//   the on-disk format, so it must never change. The varlena word is written
//   by the shim (SET_VARSIZE); core only reads and writes the other fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace vecsim::core {

struct DenseHeader {
  std::int32_t varlena_word;
  std::int16_t dims;
  std::int16_t unused;
};

static_assert(sizeof(DenseHeader) == 8);
static_assert(offsetof(DenseHeader, dims) == 4);
static_assert(offsetof(DenseHeader, unused) == 6);
static_assert(std::is_trivially_copyable_v<DenseHeader>);

template <class Traits>
constexpr std::size_t dense_datum_size(int dims) noexcept {
  return sizeof(DenseHeader) + sizeof(typename Traits::Storage) * static_cast<std::size_t>(dims);
}

template <class Traits>
typename Traits::Storage* dense_elements(DenseHeader* h) noexcept {
  return reinterpret_cast<typename Traits::Storage*>(h + 1);
}

template <class Traits>
const typename Traits::Storage* dense_elements(const DenseHeader* h) noexcept {
  return reinterpret_cast<const typename Traits::Storage*>(h + 1);
}

}  // namespace vecsim::core

// src/core/types/sparse_binary.h
// Binary send/recv format of sparsevec (docs/reference.md 3.7): big-endian int32 dims,
// int32 nnz, int32 unused (0), nnz int32 0-based indices, nnz float32
// values.
//
// INVARIANTS
//   Decoding checks in pgvector's order: dims (22000 below 1, 54000 above
//   1e9), nnz (22000 below 0, 54000 above 16000 or above dims), typmod
//   (22000), unused (22000); then every index in order (outside [0, dims),
//   not above the previous: 22000); then every value (NaN, infinite or zero:
//   22000). A message that ends early is 08P01 where reading reaches its
//   end. Decoding never reads past `len`; encoding writes exactly
//   sparse_wire_size() bytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "types/dense_binary.h"
#include "types/dense_checks.h"
#include "types/element_traits.h"
#include "util/byte_order.h"
#include "util/status.h"

namespace vecsim::core {

constexpr std::size_t kSparseWireHeaderSize = 12;

constexpr std::size_t sparse_wire_size(int nnz) noexcept {
  return kSparseWireHeaderSize + 8 * static_cast<std::size_t>(nnz);
}

inline Status check_nnz(long long nnz, long long dims) noexcept {
  if (nnz < 0) {
    return Status::error(ErrorCode::kDataException, "sparsevec cannot have negative nnz");
  }
  if (nnz > SparseTraits::kMaxNnz) {
    return Status::error(ErrorCode::kProgramLimit,
                         "sparsevec cannot have more than %d non-zero elements",
                         SparseTraits::kMaxNnz);
  }
  if (nnz > dims) {
    return Status::error(ErrorCode::kProgramLimit,
                         "sparsevec cannot have more non-zero elements than dimensions");
  }
  return Status::ok();
}

// Reads and checks the header; on success *dims and *nnz are set.
inline Status decode_sparse_header(const unsigned char* data, std::size_t len, int typmod,
                                   int* dims, int* nnz) noexcept {
  if (len < kSparseWireHeaderSize) return insufficient_data();
  auto d = static_cast<std::int32_t>(load_be<std::uint32_t>(data));
  auto n = static_cast<std::int32_t>(load_be<std::uint32_t>(data + 4));
  auto unused = static_cast<std::int32_t>(load_be<std::uint32_t>(data + 8));
  VECSIM_RETURN_IF_ERROR(check_dim_count<SparseTraits>(d));
  VECSIM_RETURN_IF_ERROR(check_nnz(n, d));
  VECSIM_RETURN_IF_ERROR(check_typmod(d, typmod));
  if (unused != 0) {
    return Status::error(ErrorCode::kDataException, "expected unused to be 0, not %d", unused);
  }
  *dims = d;
  *nnz = n;
  return Status::ok();
}

// Reads nnz indices, then nnz values, from the bytes after the header.
inline Status decode_sparse_entries(const unsigned char* data, std::size_t len, int dims, int nnz,
                                    std::int32_t* indices, float* values) noexcept {
  for (int i = 0; i < nnz; ++i) {
    if (len < 4 * static_cast<std::size_t>(i + 1)) return insufficient_data();
    indices[i] = static_cast<std::int32_t>(load_be<std::uint32_t>(data + 4 * i));
    if (indices[i] < 0 || indices[i] >= dims) {
      return Status::error(ErrorCode::kDataException, "index %d out of bounds", indices[i]);
    }
    if (i > 0 && indices[i] < indices[i - 1]) {
      return Status::error(ErrorCode::kDataException, "indices must be in ascending order");
    }
    if (i > 0 && indices[i] == indices[i - 1]) {
      return Status::error(ErrorCode::kDataException, "indices must not contain duplicates");
    }
  }
  const unsigned char* value_bytes = data + 4 * static_cast<std::size_t>(nnz);
  std::size_t value_len = len - 4 * static_cast<std::size_t>(nnz);
  for (int i = 0; i < nnz; ++i) {
    if (value_len < 4 * static_cast<std::size_t>(i + 1)) return insufficient_data();
    values[i] = SparseTraits::from_bits(load_be<std::uint32_t>(value_bytes + 4 * i));
    VECSIM_RETURN_IF_ERROR(check_finite<SparseTraits>(values[i]));
    if (values[i] == 0.0f) {
      return Status::error(ErrorCode::kDataException,
                           "binary representation of sparsevec cannot contain zero values");
    }
  }
  return Status::ok();
}

// Writes the whole wire image to out.
inline void encode_sparse_binary(int dims, int nnz, int unused, const std::int32_t* indices,
                                 const float* values, unsigned char* out) noexcept {
  store_be<std::uint32_t>(out, static_cast<std::uint32_t>(dims));
  store_be<std::uint32_t>(out + 4, static_cast<std::uint32_t>(nnz));
  store_be<std::uint32_t>(out + 8, static_cast<std::uint32_t>(unused));
  unsigned char* p = out + kSparseWireHeaderSize;
  for (int i = 0; i < nnz; ++i, p += 4) {
    store_be<std::uint32_t>(p, static_cast<std::uint32_t>(indices[i]));
  }
  for (int i = 0; i < nnz; ++i, p += 4) store_be<std::uint32_t>(p, SparseTraits::to_bits(values[i]));
}

}  // namespace vecsim::core

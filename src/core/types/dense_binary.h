// src/core/types/dense_binary.h
// Binary send/recv format of the dense types (docs/reference.md 3.7): big-endian
// uint16 dims, int16 unused (0), then dims element bit patterns.
//
// INVARIANTS
//   Decoding checks in pgvector's order: dims = 0 (22000), dims > max
//   (54000), typmod (22000), unused != 0 (22000), then each element in turn:
//   a message that ends early is 08P01 only where reading reaches its end,
//   so a bad element before the end is reported first, as pgvector does.
//   Decoding never reads past `len`. Encoding writes exactly
//   dense_wire_size() bytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "types/dense_checks.h"
#include "util/byte_order.h"
#include "util/status.h"

namespace vecsim::core {

constexpr std::size_t kDenseWireHeaderSize = 4;

template <class Traits>
constexpr std::size_t dense_wire_size(int dims) noexcept {
  return kDenseWireHeaderSize +
         sizeof(typename Traits::WireBits) * static_cast<std::size_t>(dims);
}

inline Status insufficient_data() noexcept {
  return Status::error(ErrorCode::kProtocolViolation, "insufficient data left in message");
}

// Reads and checks the header; on success *dims is the element count.
template <class Traits>
Status decode_dense_header(const unsigned char* data, std::size_t len, int typmod,
                           int* dims) noexcept {
  if (len < kDenseWireHeaderSize) return insufficient_data();
  // pgvector reads dims as a signed int16: 8000..ffff are negative (22000).
  int count = static_cast<std::int16_t>(load_be<std::uint16_t>(data));
  int unused = static_cast<std::int16_t>(load_be<std::uint16_t>(data + 2));
  VECSIM_RETURN_IF_ERROR(check_dim_count<Traits>(count));
  VECSIM_RETURN_IF_ERROR(check_typmod(count, typmod));
  if (unused != 0) {
    return Status::error(ErrorCode::kDataException, "expected unused to be 0, not %d", unused);
  }
  *dims = count;
  return Status::ok();
}

// Reads dims elements from the bytes after the header into out.
template <class Traits>
Status decode_dense_elements(const unsigned char* data, std::size_t len, int dims,
                             typename Traits::Storage* out) noexcept {
  using Bits = typename Traits::WireBits;
  for (int i = 0; i < dims; ++i) {
    if (len < sizeof(Bits) * static_cast<std::size_t>(i + 1)) return insufficient_data();
    out[i] = Traits::from_bits(load_be<Bits>(data + sizeof(Bits) * i));
    VECSIM_RETURN_IF_ERROR(check_finite<Traits>(Traits::to_float(out[i])));
  }
  return Status::ok();
}

// Writes the whole wire image (header and elements) to out.
template <class Traits>
void encode_dense_binary(const typename Traits::Storage* elems, int dims, int unused,
                         unsigned char* out) noexcept {
  using Bits = typename Traits::WireBits;
  store_be<std::uint16_t>(out, static_cast<std::uint16_t>(dims));
  store_be<std::uint16_t>(out + 2, static_cast<std::uint16_t>(unused));
  unsigned char* p = out + kDenseWireHeaderSize;
  for (int i = 0; i < dims; ++i, p += sizeof(Bits)) store_be<Bits>(p, Traits::to_bits(elems[i]));
}

}  // namespace vecsim::core

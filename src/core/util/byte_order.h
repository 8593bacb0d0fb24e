// src/core/util/byte_order.h
// Big-endian (network order) loads and stores at any alignment, as used by
// the binary send/recv formats.
#pragma once

#include <cstdint>
#include <cstring>

namespace vecsim::core {

template <class UInt>
UInt load_be(const unsigned char* p) noexcept {
  UInt v;
  std::memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if constexpr (sizeof(UInt) == 2) v = __builtin_bswap16(v);
  if constexpr (sizeof(UInt) == 4) v = __builtin_bswap32(v);
#endif
  return v;
}

template <class UInt>
void store_be(unsigned char* p, UInt v) noexcept {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if constexpr (sizeof(UInt) == 2) v = __builtin_bswap16(v);
  if constexpr (sizeof(UInt) == 4) v = __builtin_bswap32(v);
#endif
  std::memcpy(p, &v, sizeof v);
}

}  // namespace vecsim::core

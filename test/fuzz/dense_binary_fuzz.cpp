// test/fuzz/dense_binary_fuzz.cpp
// libFuzzer target for the dense binary decoder (the core of vector_recv
// and halfvec_recv), for both element types.
// Properties: never reads past the message (ASan on an exact-size copy),
// and whatever it accepts re-encodes to exactly the bytes it consumed.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "types/dense_binary.h"
#include "types/element_traits.h"

using namespace vecsim::core;

template <class Traits>
static void check(const std::uint8_t* data, std::size_t size, int typmod) {
  std::vector<unsigned char> message(data, data + size);  // exact size: ASan sees over-reads
  int dims = 0;
  if (!decode_dense_header<Traits>(message.data(), size, typmod, &dims).is_ok()) return;
  if (dims < 1 || dims > Traits::kMaxDims) std::abort();
  std::vector<typename Traits::Storage> out(static_cast<std::size_t>(dims));
  if (!decode_dense_elements<Traits>(message.data() + kDenseWireHeaderSize,
                                     size - kDenseWireHeaderSize, dims, out.data())
           .is_ok()) {
    return;
  }
  std::size_t used = dense_wire_size<Traits>(dims);
  if (used > size) std::abort();
  std::vector<unsigned char> again(used);
  encode_dense_binary<Traits>(out.data(), dims, 0, again.data());
  if (std::memcmp(again.data(), message.data(), used) != 0) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check<F32Traits>(data, size, -1);
  check<F16Traits>(data, size, -1);
  if (size > 0) {
    check<F32Traits>(data + 1, size - 1, data[0] % 8);
    check<F16Traits>(data + 1, size - 1, data[0] % 8);
  }
  return 0;
}

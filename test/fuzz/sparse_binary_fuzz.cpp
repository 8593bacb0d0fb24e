// test/fuzz/sparse_binary_fuzz.cpp
// libFuzzer target for the sparsevec binary decoder (sparsevec_recv's core).
// Properties: never reads past the message (ASan on an exact-size copy);
// whatever it accepts satisfies the datum invariants and re-encodes to
// exactly the bytes it consumed.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "types/sparse_binary.h"

using namespace vecsim::core;

static void check(const std::uint8_t* data, std::size_t size, int typmod) {
  std::vector<unsigned char> message(data, data + size);  // exact size: ASan sees over-reads
  int dims = 0;
  int nnz = 0;
  if (!decode_sparse_header(message.data(), size, typmod, &dims, &nnz).is_ok()) return;
  if (dims < 1 || dims > SparseTraits::kMaxDims || nnz < 0 || nnz > SparseTraits::kMaxNnz ||
      nnz > dims) {
    std::abort();
  }
  std::vector<std::int32_t> indices(static_cast<std::size_t>(nnz));
  std::vector<float> values(static_cast<std::size_t>(nnz));
  if (!decode_sparse_entries(message.data() + kSparseWireHeaderSize, size - kSparseWireHeaderSize,
                             dims, nnz, indices.data(), values.data())
           .is_ok()) {
    return;
  }
  for (int i = 0; i < nnz; ++i) {
    if (indices[i] < 0 || indices[i] >= dims || (i > 0 && indices[i] <= indices[i - 1])) std::abort();
    if (values[i] == 0.0f || !std::isfinite(values[i])) std::abort();
  }
  std::size_t used = sparse_wire_size(nnz);
  if (used > size) std::abort();
  std::vector<unsigned char> again(used);
  encode_sparse_binary(dims, nnz, 0, indices.data(), values.data(), again.data());
  if (std::memcmp(again.data(), message.data(), used) != 0) std::abort();
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  check(data, size, -1);
  if (size > 0) check(data + 1, size - 1, data[0] % 8);
  return 0;
}

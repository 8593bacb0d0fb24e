// test/fuzz/dense_text_fuzz.cpp
// libFuzzer target for the dense text parser (the core of vector_in and
// halfvec_in), for both element types.
// Properties: never reads or writes out of bounds (ASan), never reports
// success with dims outside 1..kMaxDims, and every accepted value prints
// (as %.9g) to text that parses back to the same bits.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "types/dense_text.h"
#include "types/element_traits.h"

using namespace vecsim::core;

template <class Traits>
static void check(const std::string& text) {
  int capacity = dense_text_capacity(text.c_str(), Traits::kMaxDims);
  std::vector<typename Traits::Storage> out(static_cast<std::size_t>(capacity));
  int dims = 0;
  Status st = parse_dense_text<Traits>(text.c_str(), out.data(), capacity, -1, &dims);
  if (!st.is_ok()) {
    if (st.code() == ErrorCode::kInternal) std::abort();
    return;
  }
  if (dims < 1 || dims > Traits::kMaxDims || dims > capacity) std::abort();
  std::string printed = "[";
  char buf[32];
  for (int i = 0; i < dims; ++i) {
    std::snprintf(buf, sizeof buf, "%s%.9g", i ? "," : "", Traits::to_float(out[i]));
    printed += buf;
  }
  printed += "]";
  std::vector<typename Traits::Storage> again(static_cast<std::size_t>(dims));
  int dims2 = 0;
  if (!parse_dense_text<Traits>(printed.c_str(), again.data(), dims, dims, &dims2).is_ok()) std::abort();
  if (dims2 != dims) std::abort();
  for (int i = 0; i < dims; ++i) {
    if (Traits::to_bits(again[i]) != Traits::to_bits(out[i])) std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  text = text.c_str();  // the server hands the parser a NUL-terminated cstring
  check<F32Traits>(text);
  check<F16Traits>(text);
  return 0;
}

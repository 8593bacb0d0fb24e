// test/fuzz/sparse_text_fuzz.cpp
// libFuzzer target for the sparsevec text parser (sparsevec_in's core).
// Properties: never reads or writes out of bounds (ASan), never reports an
// internal error; what it accepts has dims in 1..1e9, nnz within the
// reservation, strictly ascending in-range indices and non-zero finite
// values; and printing it ({i:v}/d with %.9g) parses back to the same
// entries.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "types/sparse_text.h"

using namespace vecsim::core;

static bool parse(const std::string& text, std::vector<SparseEntry>* entries, int* dims) {
  int capacity = 0;
  if (!sparse_text_capacity(text.c_str(), &capacity).is_ok()) return false;
  entries->assign(static_cast<std::size_t>(capacity), SparseEntry{0, 0.0f});
  int nnz = 0;
  Status st = parse_sparse_text(text.c_str(), entries->data(), capacity, -1, &nnz, dims);
  if (st.code() == ErrorCode::kInternal) std::abort();
  if (!st.is_ok()) return false;
  if (nnz < 0 || nnz > capacity) std::abort();
  entries->resize(static_cast<std::size_t>(nnz));
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  text = text.c_str();  // the server hands the parser a NUL-terminated cstring
  std::vector<SparseEntry> entries;
  int dims = 0;
  if (!parse(text, &entries, &dims)) return 0;
  if (dims < 1 || dims > SparseTraits::kMaxDims) std::abort();
  std::string printed = "{";
  char buf[64];
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const SparseEntry& e = entries[i];
    if (e.index < 1 || e.index > dims) std::abort();
    if (i > 0 && e.index <= entries[i - 1].index) std::abort();
    if (e.value == 0.0f || !std::isfinite(e.value)) std::abort();
    std::snprintf(buf, sizeof buf, "%s%lld:%.9g", i ? "," : "", static_cast<long long>(e.index),
                  e.value);
    printed += buf;
  }
  printed += "}/" + std::to_string(dims);
  std::vector<SparseEntry> again;
  int dims2 = 0;
  if (!parse(printed, &again, &dims2) || dims2 != dims || again.size() != entries.size()) {
    std::abort();
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (again[i].index != entries[i].index || again[i].value != entries[i].value) std::abort();
  }
  return 0;
}

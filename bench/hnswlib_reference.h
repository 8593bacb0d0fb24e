// bench/hnswlib_reference.h
// hnswlib (Debian's libhnswlib-dev, header-only) behind a small interface,
// as the in-run reference of bench/hnsw_core_bench. It lives in its own
// translation unit (hnswlib_reference.cpp) so that hnswlib can be compiled
// for the best x86-64 level this CPU has (hnswlib picks its SIMD code at
// compile time) while nothing of vecsim's is compiled with those flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace vecsim::bench {

class HnswlibReference {
 public:
  // L2 space of dims; room for rows elements; hnswlib's seed 100.
  HnswlibReference(std::size_t dims, std::size_t rows, std::size_t m, std::size_t ef_construction);
  ~HnswlibReference();

  void add(const float* row, std::size_t label);
  void set_ef(std::size_t ef);
  // The k nearest labels to query, in no particular order.
  void search(const float* query, std::size_t k, std::vector<std::uint32_t>* labels) const;

  // The -march level this translation unit was compiled for.
  static const char* compiled_for();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vecsim::bench

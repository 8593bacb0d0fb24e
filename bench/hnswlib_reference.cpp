// bench/hnswlib_reference.cpp
// See hnswlib_reference.h. Compiled with $(HNSWLIB_FLAGS) (Makefile): the
// best named x86-64 level the build machine reports (a named level, not "native").
#include "hnswlib_reference.h"

#include <hnswlib/hnswlib.h>

namespace vecsim::bench {

struct HnswlibReference::Impl {
  hnswlib::L2Space space;
  hnswlib::HierarchicalNSW<float> index;
  Impl(std::size_t dims, std::size_t rows, std::size_t m, std::size_t ef_construction)
      : space(dims), index(&space, rows, m, ef_construction, 100) {}
};

HnswlibReference::HnswlibReference(std::size_t dims, std::size_t rows, std::size_t m,
                                   std::size_t ef_construction)
    : impl_(std::make_unique<Impl>(dims, rows, m, ef_construction)) {}

HnswlibReference::~HnswlibReference() = default;

void HnswlibReference::add(const float* row, std::size_t label) { impl_->index.addPoint(row, label); }

void HnswlibReference::set_ef(std::size_t ef) { impl_->index.setEf(ef); }

void HnswlibReference::search(const float* query, std::size_t k,
                              std::vector<std::uint32_t>* labels) const {
  auto result = impl_->index.searchKnn(query, k);
  labels->clear();
  while (!result.empty()) {
    labels->push_back(static_cast<std::uint32_t>(result.top().second));
    result.pop();
  }
}

const char* HnswlibReference::compiled_for() {
#if defined(__AVX512F__)
  return "x86-64-v4 (AVX-512)";
#elif defined(__AVX2__)
  return "x86-64-v3 (AVX2)";
#else
  return "baseline";
#endif
}

}  // namespace vecsim::bench

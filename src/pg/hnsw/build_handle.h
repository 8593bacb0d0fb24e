// src/pg/hnsw/build_handle.h
// The builder behind HnswBuildHandle (hnsw_handles.h), one instantiation
// per flavor: core's in-memory graph is templated over the flavor's space
// (a batched dense kernel is what makes builds fast), so each flavor is its
// own code: vector and halfvec in build_handle_dense.cpp, sparsevec and
// bit together over the run-time metric in build_handle_value.cpp. A
// parallel make compiles them side by side; every other file sees only the
// declarations below. The page graph a builder continues on when its
// memory runs out is compiled once, in hnsw_handles.cpp (the extern
// template declarations below).
//
// LIFETIME
//   As hnsw_handles.h: placed into caller-provided storage of
//   kHnswHandleBytes, destroyed by its owner; destructors only free memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

#include "graph/hnsw_builder.h"
#include "graph/hnsw_flavor.h"
#include "hnsw/hnsw_handles.h"
#include "page/pg_page_store.h"

namespace vecsim::pg {

template <class Flavor>
class BuildHandle final : public HnswBuildHandle {
 public:
  using Builder = core::HnswBuilder<PgPageStore, typename Flavor::Space, typename Flavor::Metric>;

  BuildHandle(PgPageStore* store, const Flavor& flavor, core::HnswParams params,
              std::uint32_t dims, std::size_t budget)
      : builder_(store, flavor.make_space(dims), flavor.metric,
                 core::HnswParams{params.m, params.ef_construction, params.seed},
                 dims, budget) {}

  core::Status add(core::ValueRef value, core::ValueRef attrs, std::uint32_t heap_block,
                   std::uint16_t heap_offset) noexcept override {
    return builder_.add(value, attrs, heap_block, heap_offset);
  }
  void set_attrs(const core::HnswAttrSchema& attrs) override { builder_.set_attrs(attrs); }
  core::Status finish() noexcept override { return builder_.finish(); }
  void set_parallel(int threads, bool (*stop)(void*), void* arg) noexcept override {
    builder_.set_parallel(threads, stop, arg);
  }
  bool spilled() const noexcept override { return builder_.spilled(); }
  std::size_t spilled_at() const noexcept override { return builder_.spilled_at(); }

 private:
  Builder builder_;
};

// A BuildHandle<Flavor> placed in storage (may throw std::bad_alloc: the
// caller runs it under no_throw).
template <class Flavor>
HnswBuildHandle* new_build_handle(void* storage, PgPageStore* store, const Flavor& flavor,
                                  core::HnswParams params, std::uint32_t dims, std::size_t budget) {
  static_assert(sizeof(BuildHandle<Flavor>) <= kHnswHandleBytes);
  return new (storage) BuildHandle<Flavor>(store, flavor, params, dims, budget);
}

#define VECSIM_BUILD_HANDLE_FLAVORS(X)             \
  X(core::DenseFlavor<float>)                      \
  X(core::DenseFlavor<core::Half>)                 \
  X(core::ValueFlavor)

}  // namespace vecsim::pg

namespace vecsim::core {
extern template class HnswElementReader<pg::PgPageStore>;
extern template class HnswPageSearch<pg::PgPageStore>;
extern template class HnswPageLists<pg::PgPageStore>;
extern template class HnswPageInsert<pg::PgPageStore>;
extern template class HnswPageVacuum<pg::PgPageStore>;
extern template class HnswPageScan<pg::PgPageStore>;
extern template class HnswPageGraph<pg::PgPageStore>;
}  // namespace vecsim::core

namespace vecsim::pg {

#define VECSIM_DECLARE_BUILD_HANDLE(F)                                                           \
  extern template HnswBuildHandle* new_build_handle<F>(void*, PgPageStore*, const F&,            \
                                                      core::HnswParams, std::uint32_t, std::size_t);
VECSIM_BUILD_HANDLE_FLAVORS(VECSIM_DECLARE_BUILD_HANDLE)
#undef VECSIM_DECLARE_BUILD_HANDLE

}  // namespace vecsim::pg

#define VECSIM_DEFINE_BUILD_HANDLE(F)                                                          \
  template ::vecsim::pg::HnswBuildHandle* ::vecsim::pg::new_build_handle<F>(                   \
      void*, ::vecsim::pg::PgPageStore*, const F&, ::vecsim::core::HnswParams, std::uint32_t, \
      std::size_t);

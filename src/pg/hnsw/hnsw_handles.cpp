// src/pg/hnsw/hnsw_handles.cpp
// The interfaces of hnsw_handles.h: the page graph (one class for every
// opclass) and the dispatch to the builders, which are instantiated per
// flavor in build_handle_*.cpp.
#include "hnsw/hnsw_handles.h"

#include <new>

#include "hnsw/build_handle.h"
#include "page/pg_page_store.h"
#include "util/no_throw.h"

namespace vecsim::core {
template class HnswElementReader<pg::PgPageStore>;
template class HnswPageSearch<pg::PgPageStore>;
template class HnswPageLists<pg::PgPageStore>;
template class HnswPageInsert<pg::PgPageStore>;
template class HnswPageVacuum<pg::PgPageStore>;
template class HnswPageScan<pg::PgPageStore>;
template class HnswPageGraph<pg::PgPageStore>;
}  // namespace vecsim::core

namespace vecsim::pg {
namespace {

using core::Status;

// One class for every opclass: the page graph takes the opclass's metric
// at run time (core::AnyMetric).
class IndexHandle final : public HnswIndexHandle {
 public:
  using Graph = core::HnswPageGraph<PgPageStore>;

  IndexHandle(PgPageStore* store, core::AnyMetric metric, std::uint64_t seed)
      : graph_(store, metric, seed) {}

  Status open() noexcept override { return core::no_throw([&] { return graph_.open(); }); }
  const core::HnswMeta& meta() const noexcept override { return graph_.meta(); }
  Status begin_scan(core::ValueRef query, int ef, HnswScanOrder order, HnswScanLimits limits,
                    bool filtered) noexcept override {
    return graph_.begin_scan(query, ef, order, limits, filtered ? &filter_ : nullptr);
  }
  core::HnswAttrFilter& filter() noexcept override { return filter_; }
  const core::HnswAttrSchema& attrs() const noexcept override { return graph_.attrs(); }
  Status next(core::HnswHit* hit, bool* found) noexcept override { return graph_.next(hit, found); }
  bool next_reads_pages() noexcept override { return graph_.next_reads_pages(); }
  Status draw_insert_level(std::size_t value_bytes, int* level) noexcept override {
    return graph_.draw_insert_level(value_bytes, level);
  }
  Status insert(core::ValueRef value, core::ValueRef attrs, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                bool may_raise_entry, bool* deferred) noexcept override {
    core::HnswRef ref;
    return graph_.insert(value, attrs, level, heap_block, heap_offset, may_raise_entry, deferred, &ref);
  }
  Status bulk_delete(HnswIsDead is_dead, const core::HnswVacuumHooks& hooks,
                     core::HnswVacuumStats* stats) noexcept override {
    return graph_.bulk_delete(
        [&](std::uint32_t block, std::uint16_t offset) { return is_dead(block, offset, hooks.arg); }, hooks,
        stats);
  }

 private:
  Graph graph_;
  core::HnswAttrFilter filter_;
};

}  // namespace

core::Status make_hnsw_index(core::IndexOpclass opclass, PgPageStore* store, std::uint64_t seed,
                             void* storage, HnswIndexHandle** out) noexcept {
  return core::no_throw([&] {
    static_assert(sizeof(IndexHandle) <= kHnswHandleBytes);
    *out = core::with_hnsw_flavor(opclass, [&](const auto& flavor) -> HnswIndexHandle* {
      return new (storage) IndexHandle(store, flavor.any_metric(), seed);
    });
    return Status::ok();
  });
}

core::Status make_hnsw_build(core::IndexOpclass opclass, const core::HnswAttrSchema& attrs, PgPageStore* store,
                             core::HnswParams params, std::uint32_t dims,
                             std::size_t budget_bytes, void* storage,
                             HnswBuildHandle** out) noexcept {
  return core::no_throw([&] {
    *out = core::with_hnsw_flavor(opclass, [&](const auto& flavor) {
      return new_build_handle(storage, store, flavor, params, dims, budget_bytes);
    });
    (*out)->set_attrs(attrs);
    return Status::ok();
  });
}

core::Status verify_hnsw_index(PgPageStore* store, core::HnswVerifyReport* report,
                               const core::HnswRowAttrs* heap) noexcept {
  return core::no_throw([&] {
    VECSIM_RETURN_IF_ERROR(store->refresh_page_count());
    return core::verify_hnsw(store, report, heap);
  });
}

}  // namespace vecsim::pg

// src/pg/hnsw/hnsw_handles.h
// The graph of core (hnsw_page_graph.h, hnsw_builder.h) for an opclass
// chosen at run time, behind two small interfaces, so the access-method
// callbacks are written once for every opclass: the page graph is one
// class for every opclass (hnsw_handles.cpp); the builders are one per
// flavor (graph/hnsw_flavor.h), in build_handle_*.cpp.
//
// LIFETIME (docs/architecture.md, "Memory")
//   A handle is constructed by placement into caller-provided storage of
//   kHnswHandleBytes (palloc'd, MAXALIGNed) and destroyed by its owner:
//   the callbacks register a memory-context reset callback that runs the
//   destructor, so an error or a cancel frees the handle's heap memory.
//   Destructors only free memory.
//
// INVARIANTS
//   Every method is noexcept and reports failure as a Status; PostgreSQL is
//   reached only through the PgPageStore, hence only through pg_call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "graph/hnsw_graph.h"
#include "graph/hnsw_flavor.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_verify.h"
#include "util/status.h"

namespace vecsim::pg {

class PgPageStore;

using core::HnswScanLimits;
using core::HnswScanOrder;

// Heap-tuple liveness for vacuum: PostgreSQL's bulk-delete callback.
using HnswIsDead = bool (*)(std::uint32_t heap_block, std::uint16_t heap_offset, void* state);

class HnswIndexHandle {
 public:
  virtual ~HnswIndexHandle() = default;
  virtual core::Status open() noexcept = 0;
  virtual const core::HnswMeta& meta() const noexcept = 0;
  // filtered: the scan's searches apply filter() (keys on filter columns).
  virtual core::Status begin_scan(core::ValueRef query, int ef, HnswScanOrder order,
                                  HnswScanLimits limits, bool filtered) noexcept = 0;
  // The filter of the handle's scans, for the shim to fill.
  virtual core::HnswAttrFilter& filter() noexcept = 0;
  // The filter columns as the metapage describes them (after open()).
  virtual const core::HnswAttrSchema& attrs() const noexcept = 0;
  virtual core::Status next(core::HnswHit* hit, bool* found) noexcept = 0;
  virtual bool next_reads_pages() noexcept = 0;
  // HnswPageGraph::draw_insert_level and insert (at a level, perhaps
  // deferred to an exclusive retry).
  virtual core::Status draw_insert_level(std::size_t value_bytes, int* level) noexcept = 0;
  // attrs: the row's attribute block (empty without filter columns).
  virtual core::Status insert(core::ValueRef value, core::ValueRef attrs, int level, std::uint32_t heap_block,
                              std::uint16_t heap_offset, bool may_raise_entry,
                              bool* deferred) noexcept = 0;
  // is_dead(block, offset, hooks.arg); hooks: see HnswPageGraph::bulk_delete.
  virtual core::Status bulk_delete(HnswIsDead is_dead, const core::HnswVacuumHooks& hooks,
                                   core::HnswVacuumStats* stats) noexcept = 0;
};

class HnswBuildHandle {
 public:
  virtual ~HnswBuildHandle() = default;
  // attrs: the row's attribute block (empty without filter columns).
  virtual core::Status add(core::ValueRef value, core::ValueRef attrs, std::uint32_t heap_block,
                           std::uint16_t heap_offset) noexcept = 0;
  virtual core::Status finish() noexcept = 0;
  // HnswBuilder::set_attrs: the filter columns, before the first add.
  virtual void set_attrs(const core::HnswAttrSchema& attrs) = 0;
  // HnswBuilder::set_parallel.
  virtual void set_parallel(int threads, bool (*stop)(void*), void* arg) noexcept = 0;
  virtual bool spilled() const noexcept = 0;
  virtual std::size_t spilled_at() const noexcept = 0;
};

constexpr std::size_t kHnswHandleBytes = 4096;

core::Status make_hnsw_index(core::IndexOpclass opclass, PgPageStore* store, std::uint64_t seed,
                             void* storage, HnswIndexHandle** out) noexcept;

core::Status make_hnsw_build(core::IndexOpclass opclass, const core::HnswAttrSchema& attrs, PgPageStore* store,
                             core::HnswParams params, std::uint32_t dims,
                             std::size_t budget_bytes, void* storage,
                             HnswBuildHandle** out) noexcept;

// The checks of hnsw_verify.h over the whole index (A1 against heap, when
// given).
core::Status verify_hnsw_index(PgPageStore* store, core::HnswVerifyReport* report,
                               const core::HnswRowAttrs* heap) noexcept;

}  // namespace vecsim::pg

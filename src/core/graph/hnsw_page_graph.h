// src/core/graph/hnsw_page_graph.h
// An hnsw index on pages (the format of storage/hnsw_format.h, through a
// PageStore): k-nearest-neighbour search, iterative scans, insertion of one
// element in place, and vacuum. The algorithms are HnswGraph's; here every
// element is read where it lies. This class is the front of parts that
// each keep to one concern and their own scratch, over a small shared
// context:
//
//   HnswPageContext    store, metric, metapage, element layout  hnsw_page_context.h
//   HnswElementReader  element codec: items, spilled values       hnsw_element_reader.h
//   HnswPageSearch     descent, layer search, k-NN search         hnsw_page_search.h
//   HnswPageLists      neighbour selection and list writes        hnsw_page_lists.h
//   HnswPagePlacement  where a new item goes, slot reuse          hnsw_page_place.h
//   HnswPageTids       rows of equal value in one element         hnsw_page_tids.h
//   HnswPagePostings   which elements hold a filter key           hnsw_page_postings.h
//   HnswPageInsert     choosing links, writing, link-back         hnsw_page_insert.h
//   HnswPageVacuum     repair, re-link, removal                   hnsw_page_vacuum.h
//   HnswPageScan       an index scan's batches and rows           hnsw_page_scan.h
//
// Each part reaches the ones below it through their methods only; the
// write orders that make inserts and vacuum crash-safe and safe under
// concurrent inserts are stated where they are implemented.
//
// INVARIANTS
//   On a graph written by write_hnsw a search returns the in-memory graph's
//   result for the same query and ef (same links; only the order in which
//   equal distances are met may differ, as elements are placed by graph
//   locality and read page by page). Deleted elements are
//   traversed but not returned. Every store error is returned unchanged,
//   and the public methods never throw (no_throw turns an exception into a
//   Status); insertion never leaves a link to an element that is not
//   written.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "graph/hnsw_page_insert.h"
#include "graph/hnsw_page_lists.h"
#include "graph/hnsw_page_place.h"
#include "graph/hnsw_page_postings.h"
#include "graph/hnsw_page_scan.h"
#include "graph/hnsw_page_search.h"
#include "graph/hnsw_page_tids.h"
#include "graph/hnsw_page_vacuum.h"
#include "index/scorer.h"
#include "storage/hnsw_format.h"
#include "util/no_throw.h"
#include "util/status.h"

namespace vecsim::core {

// metric: the opclass's distance over values (index/scorer.h). Values are
// the byte strings the elements hold; a query is a value of the same kind.
// The class is compiled once per store for every opclass.
template <class Store>
class HnswPageGraph {
 public:
  static constexpr int kMaxLevel = HnswPageInsert<Store>::kMaxLevel;
  using ScanOrder = HnswScanOrder;
  using ScanLimits = HnswScanLimits;

  // fill_lists: as HnswParams::fill_lists (tests turn it off).
  HnswPageGraph(Store* store, AnyMetric metric, std::uint64_t seed = 0x5eed, bool fill_lists = true)
      : ctx_(store, metric, fill_lists),
        reader_(ctx_),
        search_(ctx_, reader_),
        lists_(ctx_, reader_),
        placement_(ctx_, reader_),
        tids_(ctx_, reader_, placement_),
        postings_(ctx_, reader_),
        insert_(ctx_, reader_, search_, lists_, placement_, tids_, postings_, seed),
        vacuum_(ctx_, reader_, search_, lists_, tids_, postings_),
        scan_(ctx_, search_, postings_) {}
  HnswPageGraph(const HnswPageGraph&) = delete;
  HnswPageGraph& operator=(const HnswPageGraph&) = delete;

  // Reads the metapage; checks its magic and version (XX000 otherwise).
  Status open() { return ctx_.open(); }

  const HnswMeta& meta() const { return ctx_.meta; }
  // The filter columns, as the metapage describes them.
  const HnswAttrSchema& attrs() const { return ctx_.attrs; }

  // The k nearest live elements to query, nearest first.
  Status search(ValueRef query, int k, int ef, std::vector<HnswHit>* out) noexcept {
    return no_throw([&] { return search_.search(query, k, ef, out); });
  }

  // An index scan (hnsw_page_scan.h): between begin_scan and the last
  // next(), call nothing else on this object (the shim opens one object
  // per index scan).
  // filter: keys on the filter columns (null: none); it must outlive the scan.
  Status begin_scan(ValueRef query, int ef, ScanOrder order, ScanLimits limits,
                    const HnswAttrFilter* filter = nullptr) noexcept {
    return no_throw([&] { return scan_.begin(query, ef, order, limits, filter); });
  }

  // The next row; *found is false once the scan is over.
  Status next(HnswHit* hit, bool* found) noexcept {
    return no_throw([&] { return scan_.next(hit, found); });
  }

  bool next_reads_pages() { return scan_.next_reads_pages(); }

  // Memory the scan holds, for its budget (work_mem x multiplier).
  std::size_t scan_memory_bytes() const { return scan_.memory_bytes(); }

  // Inserts value for the heap tuple (heap_block, heap_offset); *ref names
  // the new element, or the element of equal value the row joined.
  // attrs: the row's attribute block in an index with filter columns
  // (storage/hnsw_attrs.h), else empty.
  Status insert(ValueRef value, std::uint32_t heap_block, std::uint16_t heap_offset, HnswRef* ref) noexcept {
    return insert(value, ValueRef{nullptr, 0}, heap_block, heap_offset, ref);
  }
  Status insert(ValueRef value, ValueRef attrs, std::uint32_t heap_block, std::uint16_t heap_offset,
                HnswRef* ref) noexcept {
    int level = 0;
    VECSIM_RETURN_IF_ERROR(draw_insert_level(value.size, &level));
    bool deferred = false;
    return insert(value, attrs, level, heap_block, heap_offset, true, &deferred, ref);
  }

  // *level: the level for a new element with a value of value_bytes, drawn
  // with the index's m (the metapage is read first if this object has not
  // read it yet) and capped at what fits a page (-1 for a value too large
  // to index).
  Status draw_insert_level(std::size_t value_bytes, int* level) noexcept {
    if (ctx_.meta.magic != kHnswMagic) VECSIM_RETURN_IF_ERROR(no_throw([&] { return ctx_.open(); }));
    *level = std::min(insert_.draw_level(), insert_.max_level_fitting(value_bytes));
    return Status::ok();
  }

  // Inserts at level (draw_insert_level). Inserts may run concurrently
  // (hnsw_page_lists.h) as long as none of them moves the entry point:
  // with may_raise_entry false, an insert whose level is above the
  // entry's, or into an empty index, writes nothing and sets *deferred, and
  // the caller runs it again alone with may_raise_entry true.
  Status insert(ValueRef value, ValueRef attrs, int level, std::uint32_t heap_block, std::uint16_t heap_offset,
                bool may_raise_entry, bool* deferred, HnswRef* ref) noexcept {
    return no_throw([&] {
      return insert_.insert(value, attrs, level, heap_block, heap_offset, may_raise_entry, deferred, ref);
    });
  }

  // Removes the elements whose heap tuple is_dead(block, offset) says is
  // gone, repairing the links that pointed at them, beside running
  // inserts and scans (hnsw_page_vacuum.h); hooks: what the host does
  // between vacuum's steps (none for a single-threaded host).
  template <class IsDead>
  Status bulk_delete(IsDead&& is_dead, HnswVacuumStats* stats) noexcept {
    return bulk_delete(is_dead, HnswVacuumHooks{}, stats);
  }
  template <class IsDead>
  Status bulk_delete(IsDead&& is_dead, const HnswVacuumHooks& hooks, HnswVacuumStats* stats) noexcept {
    return no_throw([&] { return vacuum_.bulk_delete(is_dead, hooks, stats); });
  }

 private:
  HnswPageContext<Store> ctx_;
  HnswElementReader<Store> reader_;
  HnswPageSearch<Store> search_;
  HnswPageLists<Store> lists_;
  HnswPagePlacement<Store> placement_;
  HnswPageTids<Store> tids_;
  HnswPagePostings<Store> postings_;
  HnswPageInsert<Store> insert_;
  HnswPageVacuum<Store> vacuum_;
  HnswPageScan<Store> scan_;
};

}  // namespace vecsim::core

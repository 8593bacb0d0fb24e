// src/core/graph/hnsw_builder.h
// An index build within a memory budget: rows go into the in-memory graph
// while the graph and its values fit the budget (maintenance_work_mem in
// the server); when they no longer fit, the graph is written to pages and
// the remaining rows are inserted there, one by one. finish() writes
// whatever is still in memory. The result is a complete index either way;
// spilling only costs time (the server then says so in a NOTICE, as
// pgvector does).
//
// PARALLEL BUILD (set_parallel with threads > 1)
//   Rows are only collected while they fit; the graph is then built over
//   all of them at once by HnswGraph::build_parallel (the caller's thread
//   and threads - 1 helpers), at finish() or when the budget runs out
//   (the rows after that are inserted on pages, one by one, as in a serial
//   build). The budget counts the graph the collected rows will need.
//
// ROWS OF EQUAL VALUE
//   A row whose value (and attribute block: filter columns) an earlier
//   row of the in-memory phase has exactly joins that row's node (up to kHnswTidsPerElement rows a node, then a
//   new node starts), found by hash (value_dedup.h); after a spill, page
//   inserts do the same by their search (hnsw_page_insert.h).
//
// INVARIANTS
//   Every added row ends in exactly one element. Memory is checked after
//   each row, so the in-memory phase exceeds the budget by at most one row
//   and its links. After a spill the in-memory graph and values are freed.
//   Errors (store failures, page limits, out of memory) are returned as
//   Status as they happen, never thrown; the caller discards the partial
//   index.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "graph/hnsw_graph.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_writer.h"
#include "graph/value_dedup.h"
#include "storage/hnsw_tid_list.h"
#include "index/value_metrics.h"
#include "util/no_throw.h"
#include "util/status.h"

namespace vecsim::core {

// Space: DenseSpace<Elem> or ValueSpace<Metric> (with add_value/value);
// Metric: the same distance as a value policy, for the pages.
template <class Store, class Space, class Metric>
class HnswBuilder {
 public:
  HnswBuilder(Store* store, Space space, Metric metric, HnswParams params, std::uint32_t dims,
              std::size_t budget_bytes)
      : store_(store),
        space_(std::make_unique<Space>(std::move(space))),
        metric_(metric),
        params_(params),
        dims_(dims),
        budget_(budget_bytes),
        graph_(std::make_unique<HnswGraph<Space>>(*space_, params)) {}

  // After an error every later call returns it again (the in-memory graph
  // may be gone by then).
  Status add(ValueRef value, std::uint32_t heap_block, std::uint16_t heap_offset) noexcept {
    return add(value, ValueRef{nullptr, 0}, heap_block, heap_offset);
  }
  // The same for an index with filter columns (set_attrs): attrs is the
  // row's attribute block.
  Status add(ValueRef value, ValueRef attrs, std::uint32_t heap_block, std::uint16_t heap_offset) noexcept {
    if (!failed_.is_ok()) return failed_;
    failed_ = no_throw([&] { return add_row(value, attrs, heap_block, heap_offset); });
    return failed_;
  }

  // The index's filter columns (storage/hnsw_attrs.h); before the first add.
  void set_attrs(const HnswAttrSchema& schema) {
    attrs_schema_ = schema;
    layout_.attr_bytes = schema.block_bytes();
  }

  // Writes what is still in memory. Call once, after the last add.
  Status finish() noexcept {
    if (!failed_.is_ok()) return failed_;
    failed_ = no_throw([&] {
      if (pages_) return Status::ok();
      VECSIM_RETURN_IF_ERROR(build_collected());
      return write();
    });
    return failed_;
  }

  // Builds with `threads` threads (1: serially, as rows arrive). stop(arg)
  // is polled by the calling thread during a parallel graph build; true
  // ends the build with kCancelled. It must not throw or call back.
  void set_parallel(int threads, bool (*stop)(void*), void* stop_arg) {
    threads_ = threads < 1 ? 1 : threads;
    stop_ = stop;
    stop_arg_ = stop_arg;
  }

  std::size_t rows() const { return rows_; }
  // Whether the graph left memory, and how many rows fit before it did
  // (0 when the first row did not: pgvector's "after 0 tuples").
  bool spilled() const { return spilled_; }
  std::size_t spilled_at() const { return spilled_at_; }

 private:
  Status add_row(ValueRef value, ValueRef attrs, std::uint32_t heap_block, std::uint16_t heap_offset) {
    if (attrs.size != layout_.attr_bytes) {
      return Status::error(ErrorCode::kInternal, "hnsw row with %zu attribute bytes where the index has %zu",
                           attrs.size, layout_.attr_bytes);
    }
    if (!valid_hnsw_params(params_.m, params_.ef_construction)) {
      return Status::error(ErrorCode::kInvalidParameter,
                           "invalid hnsw options m=%d ef_construction=%d", params_.m,
                           params_.ef_construction);
    }
    if (pages_) {
      HnswRef ref;
      ++rows_;
      return pages_->insert(value, attrs, heap_block, heap_offset, &ref);
    }
    int max_level = hnsw_max_level_fitting(*store_, layout_, value.size);
    if (max_level < 0) {
      return Status::error(ErrorCode::kProgramLimit,
                           "index value of %zu bytes exceeds the %zu bytes an element can hold",
                           value.size, kMaxValueBytes);
    }
    const HeapTid tid{heap_block, heap_offset};
    const std::uint32_t hash = ValueDedup::with_attrs(ValueDedup::hash(value), attrs);
    const auto same_as = [&](std::uint32_t n) {
      return ValueDedup::equal(space_->value(n), value) && ValueDedup::equal(attrs_of(n), attrs);
    };
    const std::uint32_t twin = dedup_.find(hash, same_as);
    ++rows_;
    if (twin == ValueDedup::kNone || !join(twin, tid)) {
      std::uint32_t node = space_->add_value(value);
      tids_.push_back(tid);
      attrs_.insert(attrs_.end(), attrs.bytes, attrs.bytes + attrs.size);
      dedup_.put(hash, node, same_as);
      if (threads_ > 1) {
        max_levels_.push_back(static_cast<std::int8_t>(max_level));
        graph_bytes_ = space_->size() * graph_bytes_per_row() + max_levels_.capacity();
      } else {
        graph_->insert(node, max_level);
        graph_bytes_ = graph_->memory_bytes();
      }
    }
    if (space_->memory_bytes() + graph_bytes_ + tids_.capacity() * sizeof(HeapTid) + dedup_.memory_bytes() +
            shared_bytes_ + attrs_.capacity() >
        budget_) {
      spilled_ = true;
      spilled_at_ = rows_ - 1;  // the row just added is the one that did not fit
      VECSIM_RETURN_IF_ERROR(build_collected());
      VECSIM_RETURN_IF_ERROR(write());
      pages_ = std::make_unique<HnswPageGraph<Store>>(store_, metric_, params_.seed + 1,
                                                              params_.fill_lists);
      std::vector<unsigned char>().swap(attrs_);
      VECSIM_RETURN_IF_ERROR(pages_->open());
    }
    return Status::ok();
  }

  // A node's attribute block (empty without filter columns).
  ValueRef attrs_of(std::uint32_t node) const {
    return ValueRef{attrs_.data() + node * layout_.attr_bytes, layout_.attr_bytes};
  }

  // Row t joins node, unless node holds kHnswTidsPerElement rows already.
  bool join(std::uint32_t node, HeapTid t) {
    std::vector<HeapTid>& rows = shared_[node];
    if (rows.empty()) {
      rows.reserve(kHnswTidsPerElement);
      rows.push_back(tids_[node]);
      // a map node, its vector and its ten rows, about
      shared_bytes_ += 64 + kHnswTidsPerElement * sizeof(HeapTid);
    }
    if (rows.size() >= static_cast<std::size_t>(kHnswTidsPerElement)) return false;
    rows.push_back(t);
    return true;
  }

  // The in-memory graph's bytes per row once built (layer 0 with its
  // distances, level, incoming count, the per-node upper-layer vectors and
  // the upper lists a level drawn with ln(1/m) average).
  std::size_t graph_bytes_per_row() const {
    const std::size_t m = static_cast<std::size_t>(params_.m);
    return (2 * m + 1) * 4 + 2 * m * 4 + 1 + 4 + 2 * 24 + ((m + 1) * 4 + m * 4) / (m - 1) + 1;
  }

  // A parallel build's graph over the rows collected so far.
  Status build_collected() {
    if (threads_ <= 1) return Status::ok();
    using Result = typename HnswGraph<Space>::ParallelResult;
    Result result = graph_->build_parallel(static_cast<std::uint32_t>(space_->size()), max_levels_,
                                           threads_, [this] { return stop_ && stop_(stop_arg_); });
    std::vector<std::int8_t>().swap(max_levels_);
    switch (result) {
      case Result::kDone:
        return Status::ok();
      case Result::kStopped:
        return Status::error(ErrorCode::kCancelled, "hnsw build cancelled");
      case Result::kOutOfMemory:
        return Status::error(ErrorCode::kOutOfMemory, "out of memory in a parallel hnsw build");
      case Result::kFailed:
        break;
    }
    return Status::error(ErrorCode::kInternal, "a parallel hnsw build failed (no thread could be started?)");
  }

  Status write() {
    graph_->ensure_reachable();
    std::vector<HnswRef> refs;
    auto data = [this](std::uint32_t node) {
      ValueRef v = space_->value(node);
      HnswNodeData d{v.bytes, v.size, tids_[node].block, tids_[node].offset};
      d.attrs = attrs_of(node).bytes;
      if (!shared_.empty()) {
        auto rows = shared_.find(node);
        if (rows != shared_.end()) {
          d.tids = rows->second.data();
          d.tid_count = static_cast<int>(rows->second.size());
        }
      }
      return d;
    };
    // An inner-product graph's pages carry the bound its links were chosen
    // under, so that inserts go on choosing them the same way.
    const HnswNormBound bound{space_->norm_bound_sq()};
    Status st = write_hnsw(*graph_, static_cast<std::uint32_t>(space_->size()), data, params_.m,
                           params_.ef_construction, dims_, store_, &refs,
                           space_->reduces_inner_product() ? &bound : nullptr, &attrs_schema_);
    graph_.reset();
    space_.reset();
    std::vector<HeapTid>().swap(tids_);
    std::unordered_map<std::uint32_t, std::vector<HeapTid>>().swap(shared_);
    dedup_.clear();
    return st;
  }

  Store* store_;
  std::unique_ptr<Space> space_;
  Metric metric_;
  HnswParams params_;
  std::uint32_t dims_;
  std::size_t budget_;
  std::unique_ptr<HnswGraph<Space>> graph_;
  std::vector<HeapTid> tids_;  // each node's first row
  // the rows of nodes that hold several (all of them, the first included)
  std::unordered_map<std::uint32_t, std::vector<HeapTid>> shared_;
  std::size_t shared_bytes_ = 0;
  ValueDedup dedup_;
  HnswElementLayout layout_{params_.m};  // for the filter columns' block size
  HnswAttrSchema attrs_schema_;
  std::vector<unsigned char> attrs_;  // each node's attribute block, in node order
  std::unique_ptr<HnswPageGraph<Store>> pages_;
  std::size_t rows_ = 0;
  std::size_t graph_bytes_ = 0;  // the in-memory graph's, as last measured
  bool spilled_ = false;
  std::size_t spilled_at_ = 0;
  int threads_ = 1;
  bool (*stop_)(void*) = nullptr;
  void* stop_arg_ = nullptr;
  std::vector<std::int8_t> max_levels_;  // parallel build: each collected row's level cap
  Status failed_;
};

}  // namespace vecsim::core

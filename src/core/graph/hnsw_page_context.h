// src/core/graph/hnsw_page_context.h
// What the parts of an hnsw index on pages share (hnsw_page_graph.h draws
// the parts): the store, the opclass's metric, the metapage as last read,
// the element layout it implies, whether lists are filled, and for inner
// product the bound of the reduction that links are chosen by
// (graph/norm_slack.h), the filter columns' schema; and AlignedBytes, the buffer a value is copied
// into.
//
// INVARIANTS
//   The context is owned by HnswPageGraph and outlives every part; each
//   part keeps its own scratch and reaches the others only through their
//   methods (the one shared scratch: HnswPageLists::candidates() and
//   expected(), the inputs of its reselect(), which its callers fill). meta and layout change only in open() (and in the writes of
//   insert and vacuum, which keep meta equal to what they wrote).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/norm_slack.h"
#include "index/scorer.h"
#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_postings.h"
#include "util/status.h"

namespace vecsim::core {

// A value copied out of a page, 4-byte aligned (values hold 4-byte
// fields); a spilled element's value is assembled in one piece by piece,
// filled() counting the bytes written so far.
class AlignedBytes {
 public:
  void assign(const unsigned char* bytes, std::size_t n) {
    if (n > 0) std::memcpy(resize(n), bytes, n);
    filled_ = n;
  }
  // Makes room for n bytes, none filled yet, and returns it.
  unsigned char* resize(std::size_t n) {
    words_.resize((n + 3) / 4);
    size_ = n;
    filled_ = 0;
    return mutable_data();
  }
  unsigned char* mutable_data() { return reinterpret_cast<unsigned char*>(words_.data()); }
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(words_.data()); }
  std::size_t size() const { return size_; }
  std::size_t filled() const { return filled_; }
  void set_filled(std::size_t n) { filled_ = n; }

 private:
  std::vector<std::uint32_t> words_;
  std::size_t size_ = 0;
  std::size_t filled_ = 0;
};

template <class Store>
struct HnswPageContext {
  HnswPageContext(Store* s, AnyMetric m, bool fill) : store(s), metric(m), fill_lists(fill) {}

  // Reads the metapage and the items beside it (one read of block 0):
  // for inner product the norm bound (item 2, 4 bytes), for an index with
  // filter columns their descriptor (storage/hnsw_attrs.h) and the
  // postings directory (storage/hnsw_postings.h); checks magic
  // and version (XX000 otherwise).
  Status open() {
    bool found = false;
    bool intact = true;
    bool has_attrs = false;
    postings_item = 0;
    posting_buckets = 0;
    VECSIM_RETURN_IF_ERROR(store->read_page_items(0, [&](const unsigned char* const* items,
                                                         const std::size_t* sizes, std::size_t count) {
      if (count >= 1 && sizes[0] >= sizeof meta) {
        std::memcpy(&meta, items[0], sizeof meta);
        found = true;
      }
      reduces_inner_product = false;
      for (std::size_t i = 1; i < count; ++i) {
        if (is_posting_directory(items[i], sizes[i])) {
          intact &= postings_item == 0 && decode_posting_directory(items[i], sizes[i], &posting_buckets);
          postings_item = static_cast<std::uint16_t>(i + 1);
        } else if (HnswAttrSchema::is_descriptor(items[i], sizes[i])) {
          intact &= !has_attrs && attrs.decode(items[i], sizes[i]);
          has_attrs = true;
        } else if (i + 1 == kHnswNormBoundItem && sizes[i] == sizeof norm_bound) {
          reduces_inner_product = true;
          std::memcpy(&norm_bound, items[i], sizeof norm_bound);
        } else {
          intact = false;
        }
      }
    }));
    if (!has_attrs) attrs = HnswAttrSchema{};
    if (has_attrs && meta.version < kHnswAttrsVersion) intact = false;
    if (postings_item != 0 && (!has_attrs || meta.version < kHnswPostingsVersion)) intact = false;
    if (!found || !intact || !valid_hnsw_meta(meta)) {
      return Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt or of another version");
    }
    layout = HnswElementLayout{meta.m, attrs.block_bytes()};
    return Status::ok();
  }

  // The attribute block of the element item p (of body size body).
  const unsigned char* attrs_of(const unsigned char* p, std::size_t body) const {
    return p + HnswElementLayout::attrs_offset(body);
  }

  // The squared norm a stored value links by under the reduction
  // (LinkQuery's kUserQuery without it): the metric's distance of a value
  // to itself is minus its squared norm for inner product.
  float link_norm_of(ValueRef v) const {
    return reduces_inner_product ? -metric.distance(v, v) : kUserQuery;
  }
  // The distance from query, of link norm query_norm (kUserQuery: a
  // user's query, the metric's distance alone), to value v.
  float distance(ValueRef query, float query_norm, ValueRef v) const {
    const float d = metric.distance(query, v);
    if (!reduces_inner_product || query_norm < 0.0f) return d;
    return d + link_term(norm_bound.bound_sq, query_norm, link_norm_of(v));
  }

  Store* store;
  AnyMetric metric;
  bool fill_lists;  // HnswParams::fill_lists
  HnswMeta meta{};
  HnswElementLayout layout{16};
  bool reduces_inner_product = false;  // block 0 has an HnswNormBound item
  HnswNormBound norm_bound{0.0f};
  HnswAttrSchema attrs;  // the filter columns' (none: count() 0)
  // The postings directory's line pointer in block 0 (0: the index has
  // no postings) and its buckets (storage/hnsw_postings.h).
  std::uint16_t postings_item = 0;
  std::uint16_t posting_buckets = 0;
};

}  // namespace vecsim::core

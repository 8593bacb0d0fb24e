// src/core/graph/hnsw_page_search.h
// k-nearest-neighbour search over an hnsw index on pages (the format of
// storage/hnsw_format.h, through a PageStore): the same best-first search
// as HnswGraph::search, reading elements where they lie.
//
// INVARIANTS
//   Read-only. On a graph written by write_hnsw the result is exactly the
//   in-memory graph's for the same query and ef: the links are the same,
//   and references grow with node ids, so ties break the same way. Deleted
//   elements are traversed but not returned. Every store error is returned
//   unchanged.
#pragma once

#include <cstdint>
#include <cstring>
#include <unordered_set>
#include <vector>

#include "graph/candidate_heap.h"
#include "graph/search_pool.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

struct HnswHit {
  float distance;
  HnswRef ref;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
};

// Elem: the element type of the indexed values; Kernel as in DenseSpace.
template <class Store, class Elem>
class HnswPageSearch {
 public:
  using Kernel = float (*)(const Elem*, const Elem*, std::size_t) noexcept;

  HnswPageSearch(Store* store, Kernel kernel, float sign) : store_(store), kernel_(kernel), sign_(sign) {}

  // Reads the metapage; checks its magic and version (XX000 otherwise).
  Status open() {
    bool found = false;
    VECSIM_RETURN_IF_ERROR(store_->read_item(0, 1, [&](const unsigned char* p, std::size_t n) {
      if (n >= sizeof meta_) {
        std::memcpy(&meta_, p, sizeof meta_);
        found = true;
      }
    }));
    if (!found || meta_.magic != kHnswMagic || meta_.version != kHnswFormatVersion) {
      return Status::error(ErrorCode::kInternal, "hnsw metapage is corrupt or of another version");
    }
    layout_ = HnswElementLayout{meta_.m};
    return Status::ok();
  }

  const HnswMeta& meta() const { return meta_; }

  // The k nearest live elements to query (dims elements), nearest first.
  Status search(const Elem* query, int k, int ef, std::vector<HnswHit>* out) {
    out->clear();
    if (meta_.entry == kNoRef) return Status::ok();
    visited_.clear();
    Candidate nearest{0, meta_.entry};
    VECSIM_RETURN_IF_ERROR(distance(query, meta_.entry, &nearest.distance));
    visited_.insert(meta_.entry);
    for (int layer = meta_.entry_level; layer > 0; --layer) {
      for (bool moved = true; moved;) {
        moved = false;
        VECSIM_RETURN_IF_ERROR(links(nearest.node, layer));
        for (HnswRef r : links_) {
          Candidate c{0, r};
          VECSIM_RETURN_IF_ERROR(distance(query, r, &c.distance));
          if (closer(c, nearest)) {
            nearest = c;
            moved = true;
          }
        }
      }
    }
    visited_.clear();
    pool_.reset(static_cast<std::size_t>(ef > k ? ef : k));
    visited_.insert(nearest.node);
    pool_.offer(nearest);
    Candidate c;
    while (pool_.next(&c)) {
      VECSIM_RETURN_IF_ERROR(links(c.node, 0));
      for (HnswRef r : links_) {
        if (!visited_.insert(r).second) continue;
        Candidate next{0, r};
        VECSIM_RETURN_IF_ERROR(distance(query, r, &next.distance));
        pool_.offer(next);
      }
    }
    for (const Candidate& hit : pool_.sorted()) {
      if (static_cast<int>(out->size()) == k) break;
      HnswElementHeader h;
      VECSIM_RETURN_IF_ERROR(header(hit.node, &h));
      if (h.flags & kElementDeleted) continue;
      out->push_back(HnswHit{hit.distance, hit.node, h.heap_block, h.heap_offset});
    }
    return Status::ok();
  }

 private:
  Status distance(const Elem* query, HnswRef r, float* d) {
    return store_->read_item(ref_block(r), ref_offset(r), [&](const unsigned char* p, std::size_t) {
      *d = sign_ * kernel_(query, reinterpret_cast<const Elem*>(p + HnswElementLayout::value_offset()),
                           meta_.dims);
    });
  }

  Status header(HnswRef r, HnswElementHeader* h) {
    return store_->read_item(ref_block(r), ref_offset(r), [&](const unsigned char* p, std::size_t) {
      std::memcpy(h, p, sizeof *h);
    });
  }

  // The used links of element r on layer into links_.
  Status links(HnswRef r, int layer) {
    links_.clear();
    return store_->read_item(ref_block(r), ref_offset(r), [&](const unsigned char* p, std::size_t) {
      HnswElementHeader h;
      std::memcpy(&h, p, sizeof h);
      if (layer > h.level) return;
      const unsigned char* at = p + layout_.links_offset(h.value_bytes, layer);
      for (int i = 0; i < layout_.capacity(layer); ++i) {
        HnswRef link;
        std::memcpy(&link, at + sizeof link * i, sizeof link);
        if (link == kNoRef) break;
        links_.push_back(link);
      }
    });
  }

  Store* store_;
  Kernel kernel_;
  float sign_;
  HnswMeta meta_{};
  HnswElementLayout layout_{16};
  std::unordered_set<HnswRef> visited_;
  SearchPool pool_;
  std::vector<HnswRef> links_;
};

}  // namespace vecsim::core

// src/core/graph/hnsw_writer.h
// Writes an in-memory HnswGraph to a PageStore in the format of
// storage/hnsw_format.h: the metapage in block 0, then the elements packed
// page by page in node order. This is the last step of an index build.
//
// METHOD
//   Placement comes first, from the store's page arithmetic alone, so every
//   node's reference is known before any page is written; each page is
//   then written once, complete, links already translated to references
//   (a build logs each page once). The metapage item goes last, when the
//   entry's reference is known.
//
// INVARIANTS
//   On success every inserted node has exactly one element and refs[node]
//   names it; the written graph is the in-memory one link for link. Errors
//   (a store failure; more pages than 4-byte references can name: 54000)
//   are returned as they happen; the caller discards a partial index.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/hnsw_graph.h"
#include "storage/hnsw_format.h"
#include "util/status.h"

namespace vecsim::core {

// What the writer needs of each node besides its links.
struct HnswNodeData {
  const void* value;
  std::size_t value_bytes;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
};

// NodeData: HnswNodeData(std::uint32_t node). Nodes 0 .. node_count - 1 must
// all have been inserted into graph.
template <class Store, class Space, class NodeData>
Status write_hnsw(const HnswGraph<Space>& graph, std::uint32_t node_count, NodeData node_data,
                  int m, int ef_construction, std::uint32_t dims, Store* store,
                  std::vector<HnswRef>* refs) {
  if (!valid_hnsw_params(m, ef_construction)) {
    return Status::error(ErrorCode::kInvalidParameter, "invalid hnsw options m=%d ef_construction=%d",
                         m, ef_construction);
  }
  const HnswElementLayout layout{m};
  refs->assign(node_count, kNoRef);

  // 1. placement
  std::vector<std::uint32_t> page_starts;  // first node of each element page
  std::uint32_t block = 1;
  std::size_t used = 0;
  std::uint16_t items = 0;
  for (std::uint32_t node = 0; node < node_count; ++node) {
    std::size_t cost = store->item_cost(layout.item_size(node_data(node).value_bytes, graph.level(node)));
    if (cost > store->page_capacity()) {
      return Status::error(ErrorCode::kProgramLimit, "index element of %zu bytes exceeds a page",
                           cost);
    }
    if (node == 0 || used + cost > store->page_capacity() || items == kMaxRefOffset) {
      if (node > 0) ++block;
      if (block > kMaxRefBlock) {
        return Status::error(ErrorCode::kProgramLimit, "hnsw index would exceed %u pages",
                             kMaxRefBlock);
      }
      page_starts.push_back(node);
      used = 0;
      items = 0;
    }
    used += cost;
    (*refs)[node] = make_ref(block, ++items);
  }

  // 2. pages: block 0 reserved for the metapage, then the elements
  std::uint32_t got = 0;
  VECSIM_RETURN_IF_ERROR(store->new_page(&got));
  std::vector<unsigned char> item;
  for (std::size_t p = 0; p < page_starts.size(); ++p) {
    VECSIM_RETURN_IF_ERROR(store->new_page(&got));
    std::uint32_t end = p + 1 < page_starts.size() ? page_starts[p + 1] : node_count;
    for (std::uint32_t node = page_starts[p]; node < end; ++node) {
      HnswNodeData data = node_data(node);
      int level = graph.level(node);
      item.assign(layout.item_size(data.value_bytes, level), 0);
      HnswElementHeader header{static_cast<std::uint8_t>(level), 0,
                               static_cast<std::uint16_t>(data.value_bytes), data.heap_block,
                               data.heap_offset, 0};
      std::memcpy(item.data(), &header, sizeof header);
      std::memcpy(item.data() + HnswElementLayout::value_offset(), data.value, data.value_bytes);
      for (int layer = 0; layer <= level; ++layer) {
        int n = 0;
        const std::uint32_t* ids = graph.neighbors(node, layer, &n);
        unsigned char* links = item.data() + layout.links_offset(data.value_bytes, layer);
        for (int i = 0; i < layout.capacity(layer); ++i) {
          HnswRef link = i < n ? (*refs)[ids[i]] : kNoRef;
          std::memcpy(links + sizeof link * i, &link, sizeof link);
        }
      }
      std::uint16_t offset = 0;
      VECSIM_RETURN_IF_ERROR(store->add_item(got, item.data(), item.size(), &offset));
      if (make_ref(got, offset) != (*refs)[node]) {
        return Status::error(ErrorCode::kInternal, "hnsw element placed at (%u,%u), planned at %u",
                             got, offset, (*refs)[node]);
      }
    }
  }

  // 3. the metapage
  HnswMeta meta{kHnswMagic,
                kHnswFormatVersion,
                static_cast<std::uint16_t>(m),
                dims,
                static_cast<std::uint16_t>(ef_construction),
                static_cast<std::int16_t>(graph.entry_point() == HnswGraph<Space>::kNone ? -1 : graph.max_level()),
                graph.entry_point() == HnswGraph<Space>::kNone ? kNoRef : (*refs)[graph.entry_point()],
                node_count,
                0};
  std::uint16_t offset = 0;
  return store->add_item(0, &meta, sizeof meta, &offset);
}

}  // namespace vecsim::core

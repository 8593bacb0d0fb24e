// src/core/graph/hnsw_writer.h
// Writes an in-memory HnswGraph to a PageStore in the format of
// storage/hnsw_format.h: the metapage in block 0, then the elements packed
// page by page, neighbours together. This is the last step of an index
// build.
//
// METHOD
//   Placement comes first, from the store's page arithmetic alone, so every
//   node's reference is known before any page is written; each page is
//   then written once, complete, links already translated to references
//   (a build logs each page once). The metapage item goes last, when the
//   entry's reference is known.
//
//   Placement fills each page with a small neighbourhood of the graph: a
//   breadth-first walk over layer-0 links from a seed, nearest links
//   first, until the page is full; the node that did not fit seeds the
//   next page (so consecutive pages are neighbourhoods too), and when a
//   walk runs dry the lowest unplaced node does. A search expanding an
//   element then finds several of its links on one page, which it reads
//   under one pin (HnswPageGraph::expand). Pages close by the same rule as
//   in node order (the next node does not fit), so the order costs no
//   space beyond the different sizes of the nodes that end up together.
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

// Step 1 of write_hnsw (see METHOD): every node's page and reference.
template <class Store, class Space, class NodeData>
Status place_by_locality(const HnswGraph<Space>& graph, std::uint32_t node_count,
                         NodeData& node_data, const HnswElementLayout& layout, Store* store,
                         std::vector<std::uint32_t>* order, std::vector<std::uint32_t>* page_starts,
                         std::vector<HnswRef>* refs) {
  order->clear();
  order->reserve(node_count);
  page_starts->clear();
  std::vector<bool> placed(node_count, false);
  std::vector<std::uint32_t> walk;  // the current page's breadth-first queue
  std::size_t head = 0;
  std::uint32_t lowest_unplaced = 0;
  std::uint32_t block = 0;
  std::size_t used = 0;
  std::uint16_t items = 0;
  while (order->size() < node_count) {
    if (head == walk.size()) {  // the walk ran dry: a new seed
      while (placed[lowest_unplaced]) ++lowest_unplaced;
      walk.assign(1, lowest_unplaced);
      head = 0;
    }
    std::uint32_t node = walk[head++];
    if (placed[node]) continue;
    std::size_t cost = store->item_cost(layout.item_size(node_data(node).value_bytes, graph.level(node)));
    if (cost > store->page_capacity()) {
      return Status::error(ErrorCode::kProgramLimit, "index element of %zu bytes exceeds a page",
                           cost);
    }
    if (block == 0 || used + cost > store->page_capacity() || items == kMaxRefOffset) {
      if (++block > kMaxRefBlock) {
        return Status::error(ErrorCode::kProgramLimit, "hnsw index would exceed %u pages",
                             kMaxRefBlock);
      }
      page_starts->push_back(static_cast<std::uint32_t>(order->size()));
      used = 0;
      items = 0;
      walk.assign(1, node);  // the node that did not fit seeds the new page
      head = 1;
    }
    used += cost;
    (*refs)[node] = make_ref(block, ++items);
    placed[node] = true;
    order->push_back(node);
    int n = 0;
    const std::uint32_t* links = graph.neighbors(node, 0, &n);
    for (int i = 0; i < n; ++i) {
      if (!placed[links[i]]) walk.push_back(links[i]);
    }
  }
  return Status::ok();
}

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
  std::vector<std::uint32_t> order;        // nodes in placement order
  std::vector<std::uint32_t> page_starts;  // index into order of each page's first node
  VECSIM_RETURN_IF_ERROR(place_by_locality(graph, node_count, node_data, layout, store, &order,
                                           &page_starts, refs));

  // 2. pages: block 0 reserved for the metapage, then the elements, each
  // page's items assembled side by side and added in one store call
  std::uint32_t got = 0;
  VECSIM_RETURN_IF_ERROR(store->new_page(&got));
  std::vector<unsigned char> items;
  std::vector<std::size_t> starts, sizes;
  std::vector<const unsigned char*> pointers;
  for (std::size_t p = 0; p < page_starts.size(); ++p) {
    VECSIM_RETURN_IF_ERROR(store->new_page(&got));
    std::uint32_t end = p + 1 < page_starts.size() ? page_starts[p + 1] : node_count;
    items.clear();
    starts.clear();
    sizes.clear();
    for (std::uint32_t i = page_starts[p]; i < end; ++i) {
      std::uint32_t node = order[i];
      HnswNodeData data = node_data(node);
      int level = graph.level(node);
      starts.push_back(items.size());
      sizes.push_back(layout.item_size(data.value_bytes, level));
      items.resize(items.size() + sizes.back(), 0);
      unsigned char* item = items.data() + starts.back();
      HnswElementHeader header{static_cast<std::uint8_t>(level), 0,
                               static_cast<std::uint16_t>(data.value_bytes), data.heap_block,
                               data.heap_offset, 0};
      std::memcpy(item, &header, sizeof header);
      std::memcpy(item + HnswElementLayout::value_offset(), data.value, data.value_bytes);
      for (int layer = 0; layer <= level; ++layer) {
        int n = 0;
        const std::uint32_t* ids = graph.neighbors(node, layer, &n);
        unsigned char* links = item + layout.links_offset(data.value_bytes, layer);
        for (int k = 0; k < layout.capacity(layer); ++k) {
          HnswRef link = k < n ? (*refs)[ids[k]] : kNoRef;
          std::memcpy(links + sizeof link * k, &link, sizeof link);
        }
      }
    }
    pointers.clear();
    for (std::size_t start : starts) pointers.push_back(items.data() + start);
    std::uint16_t first = 0;
    VECSIM_RETURN_IF_ERROR(store->add_items(got, pointers.data(), sizes.data(), sizes.size(), &first));
    HnswRef planned = (*refs)[order[page_starts[p]]];
    if (make_ref(got, first) != planned) {
      return Status::error(ErrorCode::kInternal, "hnsw page placed at (%u,%u), planned at %u", got,
                           first, planned);
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

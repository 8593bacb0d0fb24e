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
//   (a build logs each page once). The postings of equality-keyed filter
//   columns follow the elements (storage/hnsw_postings.h); the
//   metapage item goes last, when the entry's reference is known.
//
//   Placement fills each page with a small neighbourhood of the graph: a
//   breadth-first walk over layer-0 links from a seed, nearest links
//   first, until the page is full; the node that did not fit seeds the
//   next page (so consecutive pages are neighbourhoods too), and when a
//   walk runs dry the lowest unplaced node does. A search expanding an
//   element then finds several of its links on one page, which it reads
//   under one pin (HnswPageGraph::expand). A node of several rows has its
//   TID list right after its element, on the same page. Pages close by the same rule as
//   in node order (the next node does not fit), so the order costs no
//   space beyond the different sizes of the nodes that end up together.
//
// INVARIANTS
//   On success every inserted node has exactly one element and refs[node]
//   names it; the written graph is the in-memory one link for link. Errors
//   (a store failure; more pages than 4-byte references can name: 54000)
//   are returned as they happen; the caller discards a partial index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/hnsw_graph.h"
#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_postings.h"
#include "storage/hnsw_spill.h"
#include "storage/hnsw_tid_list.h"
#include "util/status.h"

namespace vecsim::core {

// What the writer needs of each node besides its links: its value, its
// rows (one, or tid_count > 1 of them at tids: rows of equal value) and,
// in an index with filter columns, its attribute block.
struct HnswNodeData {
  const void* value;
  std::size_t value_bytes;
  std::uint32_t heap_block;
  std::uint16_t heap_offset;
  const HeapTid* tids = nullptr;
  int tid_count = 1;
  const unsigned char* attrs = nullptr;  // layout.attr_bytes of them
};

// One item the writer puts on a page: a node's element, its TID list, or
// one of the value chunks of a spilled node (storage/hnsw_spill.h).
enum class HnswPieceKind : std::uint8_t { kElement, kTidList, kChunk };
struct HnswPiece {
  std::uint32_t node;
  std::uint32_t from;   // the value bytes it holds: [from, from + bytes)
  std::uint32_t bytes;
  HnswPieceKind kind;
  HnswRef ref;          // where it goes
  HnswRef next;         // the element's first chunk, a chunk's next; or kNoRef
  HnswRef tids = kNoRef;  // the element's TID list, if it has one
};

// Step 1 of write_hnsw (see METHOD): every piece's page and reference, in
// page order (*page_starts: the index of each page's first piece), and
// each node's element in refs.
template <class Store, class Space, class NodeData>
Status place_by_locality(const HnswGraph<Space>& graph, std::uint32_t node_count,
                         NodeData& node_data, const HnswElementLayout& layout, Store* store,
                         std::vector<HnswPiece>* pieces, std::vector<std::uint32_t>* page_starts,
                         std::vector<HnswRef>* refs) {
  pieces->clear();
  pieces->reserve(node_count);
  page_starts->clear();
  std::vector<bool> placed(node_count, false);
  std::vector<std::uint32_t> walk;  // the current page's breadth-first queue
  std::size_t head = 0;
  std::uint32_t placed_count = 0;
  std::uint32_t lowest_unplaced = 0;
  std::uint32_t block = 0;
  std::size_t used = 0;
  std::uint16_t items = 0;
  const std::size_t capacity = store->page_capacity();
  const std::size_t chunk_room = chunk_capacity(*store);
  auto next_page = [&]() {
    if (++block > kMaxRefBlock) {
      return Status::error(ErrorCode::kProgramLimit, "index would exceed %u pages", kMaxRefBlock);
    }
    page_starts->push_back(static_cast<std::uint32_t>(pieces->size()));
    used = 0;
    items = 0;
    return Status::ok();
  };
  auto add_piece = [&](HnswPiece piece, std::size_t cost) {
    used += cost;
    piece.ref = make_ref(block, ++items);
    pieces->push_back(piece);
    return piece.ref;
  };
  // The bytes a page has left for `count` more items.
  auto room = [&](int count) {
    return block == 0 || static_cast<std::uint32_t>(items + count) > kMaxRefOffset ? 0 : capacity - used;
  };
  while (placed_count < node_count) {
    if (head == walk.size()) {  // the walk ran dry: a new seed
      while (placed[lowest_unplaced]) ++lowest_unplaced;
      walk.assign(1, lowest_unplaced);
      head = 0;
    }
    std::uint32_t node = walk[head++];
    if (placed[node]) continue;
    const HnswNodeData data = node_data(node);
    const std::size_t value_bytes = data.value_bytes;
    const int level = graph.level(node);
    const auto bytes = static_cast<std::uint32_t>(value_bytes);
    const bool has_list = data.tid_count > 1;
    const int count = has_list ? 2 : 1;
    const std::size_t list_cost = has_list ? store->item_cost(tid_list_item_bytes()) : 0;
    auto room_for_element = [&]() { return room(count) >= list_cost ? room(count) - list_cost : 0; };
    std::size_t element_at = 0;
    std::size_t inline_bytes = value_bytes;
    bool list_beside = has_list;  // whether the list goes on the element's page
    if (hnsw_fits_unspilled(*store, layout, value_bytes, level)) {
      std::size_t cost = store->item_cost(layout.item_size(value_bytes, level));
      // An element that fills a page alone leaves its list for the next.
      list_beside = has_list && cost + list_cost <= capacity;
      if (cost > (list_beside ? room_for_element() : room(1))) {
        VECSIM_RETURN_IF_ERROR(next_page());
        walk.assign(1, node);  // the node that did not fit seeds the new page
        head = 1;
      }
      element_at = pieces->size();
      (*refs)[node] = add_piece(HnswPiece{node, 0, bytes, HnswPieceKind::kElement, kNoRef, kNoRef}, cost);
    } else {
      inline_bytes = hnsw_inline_fitting(*store, layout, value_bytes, level, room_for_element());
      if (inline_bytes < kMinInlineBytes) {
        VECSIM_RETURN_IF_ERROR(next_page());
        walk.assign(1, node);
        head = 1;
        inline_bytes = hnsw_inline_fitting(*store, layout, value_bytes, level, capacity - list_cost);
      }
      if (inline_bytes < kMinInlineBytes) {
        return Status::error(ErrorCode::kProgramLimit,
                             "index value of %zu bytes at level %d does not fit an element", value_bytes,
                             level);
      }
      std::size_t cost = store->item_cost(layout.item_size(HnswElementLayout::spilled_body(inline_bytes), level));
      element_at = pieces->size();
      (*refs)[node] = add_piece(
          HnswPiece{node, 0, static_cast<std::uint32_t>(inline_bytes), HnswPieceKind::kElement, kNoRef, kNoRef},
          cost);
    }
    if (has_list) {
      if (!list_beside && list_cost > room(1)) VECSIM_RETURN_IF_ERROR(next_page());
      const HnswRef list = add_piece(HnswPiece{node, 0, 0, HnswPieceKind::kTidList, kNoRef, kNoRef}, list_cost);
      (*pieces)[element_at].tids = list;
    }
    std::size_t previous = element_at;
    for (std::size_t from = inline_bytes; from < value_bytes; from += chunk_room) {
      const std::size_t n = std::min(chunk_room, value_bytes - from);
      VECSIM_RETURN_IF_ERROR(next_page());
      (*pieces)[previous].next = add_piece(
          HnswPiece{node, static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(n), HnswPieceKind::kChunk,
                    kNoRef, kNoRef},
          store->item_cost(sizeof(ValueChunkHeader) + n));
      previous = pieces->size() - 1;
    }
    placed[node] = true;
    ++placed_count;
    int n = 0;
    const std::uint32_t* links = graph.neighbors(node, 0, &n);
    for (int i = 0; i < n; ++i) {
      if (!placed[links[i]]) walk.push_back(links[i]);
    }
  }
  return Status::ok();
}

// Writes piece's item (an element with its links translated by refs, or a
// chunk) at the end of *items.
template <class Space>
void encode_piece(const HnswGraph<Space>& graph, const HnswPiece& piece, const HnswNodeData& data,
                  const HnswElementLayout& layout, const std::vector<HnswRef>& refs,
                  std::vector<unsigned char>* items) {
  const auto* value = static_cast<const unsigned char*>(data.value);
  const std::size_t start = items->size();
  if (piece.kind == HnswPieceKind::kChunk) {
    items->resize(start + sizeof(ValueChunkHeader) + piece.bytes, 0);
    encode_chunk(items->data() + start, value + piece.from, piece.bytes, piece.next);
    return;
  }
  if (piece.kind == HnswPieceKind::kTidList) {
    items->resize(start + tid_list_item_bytes(), 0);
    encode_tid_list(items->data() + start, refs[piece.node], data.tids, data.tid_count);
    return;
  }
  const int level = graph.level(piece.node);
  const bool spilled = piece.bytes < data.value_bytes;
  const bool listed = piece.tids != kNoRef;
  HnswElementHeader header{static_cast<std::uint8_t>(level),
                           static_cast<std::uint8_t>((spilled ? kElementSpilled : 0) | (listed ? kElementTids : 0)),
                           static_cast<std::uint16_t>(data.value_bytes),
                           listed ? piece.tids : data.heap_block,
                           listed ? std::uint16_t{0} : data.heap_offset,
                           static_cast<std::uint16_t>(spilled ? piece.bytes : 0)};
  const std::size_t body = HnswElementLayout::body_bytes(header);
  items->resize(start + layout.item_size(body, level), 0);
  unsigned char* item = items->data() + start;
  encode_element_head(item, header, value, piece.next);
  if (layout.attr_bytes > 0) std::memcpy(item + layout.attrs_offset(body), data.attrs, layout.attr_bytes);
  for (int layer = 0; layer <= level; ++layer) {
    int n = 0;
    const std::uint32_t* ids = graph.neighbors(piece.node, layer, &n);
    unsigned char* links = item + layout.links_offset(body, layer);
    for (int k = 0; k < layout.capacity(layer); ++k) {
      HnswRef link = k < n ? refs[ids[k]] : kNoRef;
      std::memcpy(links + sizeof link * k, &link, sizeof link);
    }
  }
}

// NodeData: HnswNodeData(std::uint32_t node). Nodes 0 .. node_count - 1 must
// all have been inserted into graph. attrs: the filter columns (none when
// null or empty; else every node has its block).
template <class Store, class Space, class NodeData>
Status write_hnsw(const HnswGraph<Space>& graph, std::uint32_t node_count, NodeData node_data,
                  int m, int ef_construction, std::uint32_t dims, Store* store,
                  std::vector<HnswRef>* refs, const HnswNormBound* norm_bound = nullptr,
                  const HnswAttrSchema* attrs = nullptr) {
  if (!valid_hnsw_params(m, ef_construction)) {
    return Status::error(ErrorCode::kInvalidParameter, "invalid hnsw options m=%d ef_construction=%d",
                         m, ef_construction);
  }
  const HnswElementLayout layout{m, attrs ? attrs->block_bytes() : 0};
  refs->assign(node_count, kNoRef);

  // 1. placement
  std::vector<HnswPiece> pieces;           // items in placement order
  std::vector<std::uint32_t> page_starts;  // index into pieces of each page's first one
  VECSIM_RETURN_IF_ERROR(place_by_locality(graph, node_count, node_data, layout, store, &pieces,
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
    std::size_t end = p + 1 < page_starts.size() ? page_starts[p + 1] : pieces.size();
    items.clear();
    starts.clear();
    sizes.clear();
    for (std::size_t i = page_starts[p]; i < end; ++i) {
      starts.push_back(items.size());
      encode_piece(graph, pieces[i], node_data(pieces[i].node), layout, *refs, &items);
      sizes.push_back(items.size() - starts.back());
    }
    pointers.clear();
    for (std::size_t start : starts) pointers.push_back(items.data() + start);
    std::uint16_t first = 0;
    VECSIM_RETURN_IF_ERROR(store->add_items(got, pointers.data(), sizes.data(), sizes.size(), &first));
    HnswRef planned = pieces[page_starts[p]].ref;
    if (make_ref(got, first) != planned) {
      return Status::error(ErrorCode::kInternal, "hnsw page placed at (%u,%u), planned at %u", got,
                           first, planned);
    }
  }

  // 3. the postings of equality-keyed filter columns (hnsw_page_postings.h)
  const bool postings = attrs != nullptr && has_postings(*attrs);
  const std::vector<unsigned char> descriptor = layout.attr_bytes > 0 ? attrs->descriptor() : std::vector<unsigned char>{};
  std::vector<unsigned char> directory;
  if (postings) {
    std::vector<std::pair<std::uint64_t, HnswRef>> entries;
    for (std::uint32_t node = 0; node < node_count; ++node) {
      for_each_posting_key(*attrs, node_data(node).attrs,
                           [&](std::uint64_t key) { entries.emplace_back(key, (*refs)[node]); });
    }
    const std::size_t used = store->item_cost(sizeof(HnswMeta)) + store->item_cost(descriptor.size()) +
                             (norm_bound ? store->item_cost(sizeof *norm_bound) : 0);
    VECSIM_RETURN_IF_ERROR(write_hnsw_postings(store, &entries, posting_bucket_count(*store, used), &directory));
  }

  // 4. the metapage
  // The oldest version that reads what the index holds (filter columns:
  // 3; postings: 4), so that an older binary still reads every index
  // without them.
  HnswMeta meta{kHnswMagic,
                postings ? kHnswPostingsVersion : layout.attr_bytes > 0 ? kHnswAttrsVersion : kHnswTidListsVersion,
                static_cast<std::uint16_t>(m),
                dims,
                static_cast<std::uint16_t>(ef_construction),
                static_cast<std::int16_t>(graph.entry_point() == HnswGraph<Space>::kNone ? -1 : graph.max_level()),
                graph.entry_point() == HnswGraph<Space>::kNone ? kNoRef : (*refs)[graph.entry_point()],
                node_count,
                0};
  std::uint16_t offset = 0;
  VECSIM_RETURN_IF_ERROR(store->add_item(0, &meta, sizeof meta, &offset));
  if (norm_bound) VECSIM_RETURN_IF_ERROR(store->add_item(0, norm_bound, sizeof *norm_bound, &offset));
  if (layout.attr_bytes > 0) VECSIM_RETURN_IF_ERROR(store->add_item(0, descriptor.data(), descriptor.size(), &offset));
  if (postings) VECSIM_RETURN_IF_ERROR(store->add_item(0, directory.data(), directory.size(), &offset));
  return Status::ok();
}

}  // namespace vecsim::core

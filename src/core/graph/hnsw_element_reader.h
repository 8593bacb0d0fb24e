// src/core/graph/hnsw_element_reader.h
// Reading hnsw elements where they lie on pages (the format of
// storage/hnsw_format.h, spilled values of storage/hnsw_spill.h): the
// element codec every other part of the page graph reads through.
//
// INVARIANTS
//   Every read of an element checks the item's length against its header
//   before anything past the header is read (a prefetch, which reads
//   nothing, may announce any address within the item); a short item, a chunk where
//   an element was expected, or a chunk chain that ends early, runs long or
//   names something else is the element's corruption (XX000). Store errors
//   are returned unchanged. Scratch: one buffer for spilled values measured
//   by distance() and one for read_listed_elements()'s offsets; nothing
//   else is kept between calls.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/hnsw_page_context.h"
#include "index/value_metrics.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_spill.h"
#include "storage/hnsw_tid_list.h"
#include "util/status.h"

namespace vecsim::core {

template <class Store>
class HnswElementReader {
 public:
  explicit HnswElementReader(HnswPageContext<Store>& ctx) : ctx_(ctx) {}

  // Every read of an element goes through here: f(header, item) runs only
  // when the item is as long as its header says (value and links for its
  // level, for this index's m); otherwise the element is corrupt (XX000)
  // and nothing past the item is read.
  template <class F>
  Status read_element(HnswRef r, F&& f) {
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_item(ref_block(r), ref_offset(r),
                                             [&](const unsigned char* p, std::size_t n) {
      HnswElementHeader h;
      intact = parse_element(p, n, &h);
      if (intact) f(h, p);
    }));
    return intact ? Status::ok() : corrupt_element(r);
  }

  // f(ref, header, item, item bytes) for every element on block (chunks
  // and TID lists passed over), in order, in one read of the page; a
  // corrupt item is XX000.
  template <class F>
  Status read_page_elements(std::uint32_t block, F&& f) {
    return read_page_elements(block, f, [](const unsigned char*, std::size_t) {});
  }
  // The same, with other(item, bytes) for every chunk and TID list.
  template <class F, class Other>
  Status read_page_elements(std::uint32_t block, F&& f, Other&& other) {
    HnswRef corrupt = kNoRef;
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_all_items(
        block, [&](std::uint16_t offset, const unsigned char* p, std::size_t n) {
          visit_item(make_ref(block, offset), p, n, f, other, &corrupt);
        }));
    return corrupt == kNoRef ? Status::ok() : corrupt_element(corrupt);
  }

  // read_page_elements for a pass over every page (the exact pass): all of
  // the page's items are announced to the memory system first, each item's
  // first line and the line *at bytes into it (0: none), so that the misses
  // of a page's elements overlap instead of following one another; f may
  // update *at for the items of the next page (an index's dense values are
  // all of one size, so one element's attribute block tells where the next
  // one's is).
  template <class F>
  Status read_page_elements_prefetched(std::uint32_t block, const std::size_t* at, F&& f) {
    HnswRef corrupt = kNoRef;
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_page_items(
        block, [&](const unsigned char* const* items, const std::size_t* sizes, std::size_t count) {
          for (std::size_t i = 0; i < count; ++i) {
            __builtin_prefetch(items[i]);
            if (*at > 0 && *at < sizes[i]) __builtin_prefetch(items[i] + *at);
          }
          for (std::size_t i = 0; i < count; ++i) {
            visit_item(make_ref(block, static_cast<std::uint16_t>(i + 1)), items[i], sizes[i], f,
                       [](const unsigned char*, std::size_t) {}, &corrupt);
          }
        }));
    return corrupt == kNoRef ? Status::ok() : corrupt_element(corrupt);
  }

  // read_page_elements_prefetched's twin for the elements `listed` names
  // (ascending, no repeats: a key's postings) rather than every page: f
  // for each, page by page, and after_page() (-> Status) once a page is
  // released. Each listed element lies on a page of its own, so each is a
  // miss: pages are announced kListedPagesAhead elements ahead, their
  // items (up to the attribute block, *at: where it starts, 0 unknown)
  // kListedItemsAhead ahead. Elements never move, so each reference names
  // an item; one that is not an element is passed over (a posting entry
  // may be stale).
  template <class F, class AfterPage>
  Status read_listed_elements(const std::vector<HnswRef>& listed, const std::size_t* at, F&& f,
                              AfterPage&& after_page) {
    const std::size_t n = listed.size();
    std::size_t page_ahead = 0, item_ahead = 0;
    for (std::size_t i = 0; i < n;) {
      const std::uint32_t block = ref_block(listed[i]);
      listed_offsets_.clear();
      for (; i < n && ref_block(listed[i]) == block; ++i) listed_offsets_.push_back(ref_offset(listed[i]));
      for (; page_ahead < std::min(n, i + kListedPagesAhead); ++page_ahead) {
        ctx_.store->prefetch_page(ref_address(listed[page_ahead]));
      }
      const std::size_t item_bytes = *at > 0 ? *at + ctx_.layout.attr_bytes : 64;
      for (; item_ahead < std::min(n, i + kListedItemsAhead); ++item_ahead) {
        ctx_.store->prefetch_item(ref_address(listed[item_ahead]), item_bytes);
      }
      HnswRef corrupt = kNoRef;
      VECSIM_RETURN_IF_ERROR(ctx_.store->read_items(
          block, listed_offsets_.data(), listed_offsets_.size(),
          [&](std::size_t k, const unsigned char* p, std::size_t bytes) {
            visit_item(make_ref(block, listed_offsets_[k]), p, bytes, f, [](const unsigned char*, std::size_t) {},
                       &corrupt);
          }));
      if (corrupt != kNoRef) return corrupt_element(corrupt);
      VECSIM_RETURN_IF_ERROR(after_page());
    }
    return Status::ok();
  }

  // One item r of a page read: f(r, header, p, n) for an element,
  // other(p, n) for a chunk or TID list; *corrupt = r (the first such) for
  // an element that does not parse.
  template <class F, class Other>
  void visit_item(HnswRef r, const unsigned char* p, std::size_t n, F&& f, Other&& other, HnswRef* corrupt) {
    HnswElementHeader h;
    if (is_not_element(p, n)) {
      other(p, n);
    } else if (parse_element(p, n, &h)) {
      f(r, h, p, n);
    } else if (*corrupt == kNoRef) {
      *corrupt = r;
    }
  }

  // Whether the n bytes at p hold a whole element (not a chunk or a TID
  // list), and its header.
  bool parse_element(const unsigned char* p, std::size_t n, HnswElementHeader* h) const {
    if (n < sizeof *h) return false;
    std::memcpy(h, p, sizeof *h);
    if (h->flags & kNotElement) return false;
    if (HnswElementLayout::spilled(*h) && h->inline_bytes >= h->value_bytes) return false;
    return n >= ctx_.layout.item_size(HnswElementLayout::body_bytes(*h), h->level);
  }

  // A chunk or a TID list (their flags byte is where an element's is).
  static bool is_not_element(const unsigned char* p, std::size_t n) {
    return n >= sizeof(ValueChunkHeader) && (p[offsetof(ValueChunkHeader, flags)] & kNotElement);
  }

  static Status corrupt_element(HnswRef r) {
    return Status::error(ErrorCode::kInternal, "hnsw element (%u,%u) is corrupt", ref_block(r),
                         ref_offset(r));
  }

  // The value of an element that is not spilled, in place.
  static ValueRef value_of(const HnswElementHeader& h, const unsigned char* item) {
    return ValueRef{item + HnswElementLayout::value_offset(h), h.value_bytes};
  }

  // A spilled element's value, begun: *out sized for the whole value and
  // holding its inline part; returns the first chunk (read_chunks reads
  // the rest once the element's page is released).
  static HnswRef begin_spilled_value(const HnswElementHeader& h, const unsigned char* p,
                                     AlignedBytes* out) {
    unsigned char* at = out->resize(h.value_bytes);
    std::memcpy(at, p + HnswElementLayout::value_offset(h), h.inline_bytes);
    out->set_filled(h.inline_bytes);
    return HnswElementLayout::chunk_of(p);
  }

  // Reads the chunks from `chunk` on into *value after its filled bytes,
  // until it is whole. A chain that ends early, runs long or names
  // something other than a chunk is element r's corruption (XX000).
  Status read_chunks(HnswRef r, HnswRef chunk, AlignedBytes* value) {
    bool intact = false;
    VECSIM_RETURN_IF_ERROR(read_value_chunks(ctx_.store, chunk, value->mutable_data(), value->filled(),
                                             value->size(), &intact));
    if (!intact) return corrupt_element(r);
    value->set_filled(value->size());
    return Status::ok();
  }

  // f(ValueRef) with element r's value: in place, or assembled in *buffer
  // when spilled.
  template <class F>
  Status with_value(HnswRef r, AlignedBytes* buffer, F&& f) {
    HnswRef chunk = kNoRef;
    VECSIM_RETURN_IF_ERROR(read_element(r, [&](const HnswElementHeader& h, const unsigned char* p) {
      if (HnswElementLayout::spilled(h)) {
        chunk = begin_spilled_value(h, p, buffer);
      } else {
        f(value_of(h, p));
      }
    }));
    if (chunk == kNoRef) return Status::ok();
    VECSIM_RETURN_IF_ERROR(read_chunks(r, chunk, buffer));
    f(ValueRef{buffer->data(), buffer->size()});
    return Status::ok();
  }

  // The distance from query, of link norm query_norm (kUserQuery for a
  // user's query; a stored value's squared norm when linking it:
  // norm_slack.h), to r.
  Status distance(ValueRef query, float query_norm, HnswRef r, float* d) {
    return with_value(r, &spill_value_, [&](ValueRef v) { *d = ctx_.distance(query, query_norm, v); });
  }

  // The value of element r, copied (4-byte aligned, as values need).
  Status copy_value(HnswRef r, AlignedBytes* out) {
    return with_value(r, out, [&](ValueRef v) {
      if (v.bytes != out->data()) out->assign(v.bytes, v.size);
    });
  }

  // The TIDs of `list`, element r's TID list when r was read, appended to
  // *out; none when the list is no longer r's (r was deleted since: its
  // rows are gone). An item there that is no TID list is r's corruption
  // (XX000).
  Status append_list_tids(HnswRef r, HnswRef list, std::vector<HeapTid>* out) {
    bool intact = false;
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_item(ref_block(list), ref_offset(list),
                                                 [&](const unsigned char* p, std::size_t n) {
      HnswTidListHeader l;
      intact = decode_tid_list(p, n, &l);
      if (!intact || !owns_tid_list(l, r)) return;
      for (int i = 0; i < l.count; ++i) out->push_back(tid_list_at(p, i));
    }));
    return intact ? Status::ok() : corrupt_element(r);
  }

  Status header(HnswRef r, HnswElementHeader* out) {
    return read_element(r, [&](const HnswElementHeader& h, const unsigned char*) { *out = h; });
  }

  // The used links of element r on layer (none when r's level is below
  // layer); *body (if given) the size of r's body (HnswElementLayout).
  Status links(HnswRef r, int layer, std::vector<HnswRef>* out, std::size_t* body) {
    out->clear();
    return read_element(r, [&](const HnswElementHeader& h, const unsigned char* p) {
      if (body) *body = HnswElementLayout::body_bytes(h);
      append_links(h, p, layer, out);
    });
  }

  // Appends the used links of element (h, p) on layer to *out (none when
  // its level is below layer).
  void append_links(const HnswElementHeader& h, const unsigned char* p, int layer,
                    std::vector<HnswRef>* out) const {
    if (layer > h.level) return;
    // One pass to the first free slot, then one copy: this runs for every
    // element a search reaches, and out's stores would otherwise make each
    // slot reload the layout through the context.
    const HnswElementLayout layout = ctx_.layout;
    const int cap = layout.capacity(layer);
    const unsigned char* list = p + layout.links_offset(HnswElementLayout::body_bytes(h), layer);
    int used = 0;
    for (; used < cap; ++used) {
      HnswRef link;
      std::memcpy(&link, list + sizeof link * used, sizeof link);
      if (link == kNoRef) break;
    }
    if (used == 0) return;
    const std::size_t at = out->size();
    out->resize(at + static_cast<std::size_t>(used));
    std::memcpy(out->data() + at, list, sizeof(HnswRef) * static_cast<std::size_t>(used));
  }

 private:
  static constexpr std::size_t kListedPagesAhead = 16;
  static constexpr std::size_t kListedItemsAhead = 6;

  HnswPageContext<Store>& ctx_;
  AlignedBytes spill_value_;  // distance()'s
  std::vector<std::uint16_t> listed_offsets_;  // read_listed_elements()'s, of one page
};

}  // namespace vecsim::core

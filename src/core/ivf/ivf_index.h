// src/core/ivf/ivf_index.h
// An ivfflat index over any PageStore (storage/ivf_format.h): the build's
// layout, nearest lists of a value, appends to a list, scans of a list
// with batched scoring, vacuum of a list, and per-list statistics.
//
// CONCURRENCY (the shim supplies the locks, docs/ivfflat.md)
//   Appends run concurrently: an entry goes onto a page with room under
//   that page's lock (add_item_if_room). Only extending a list's chain
//   takes the list's extension lock (IvfHooks), so that two appenders
//   never both add a last page. Scans read one page at a time. Vacuum
//   removes dead entries one page at a time and takes no list lock: it
//   only ever moves a list's insert page (a hint, I4) to an earlier page
//   of the chain.
//
// CRASH SAFETY
//   Each page change is one record of the store. Extending a chain is
//   three: the new page with its link, the entry on it, then the old last
//   page's link and the list header together (one record over two pages).
//   Before the last, the new page is on no chain (see ivf_format.h).
//
// WIDE VALUES (ivf_format.h): a value's chunks are written before the
//   item that names them, and read after the page holding that item is
//   released (never two pages at once). Vacuum leaves removed entries'
//   chunks where they are: a scan that read an entry before vacuum
//   removed it may still read its chunks.
//
// INVARIANTS
//   Allocates only at open() and create() (its scratch) and in the
//   callers' vectors; every failure is a Status (no_throw at the boundary
//   of each method).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "index/scorer.h"
#include "index/value_kind.h"
#include "storage/ivf_format.h"
#include "storage/page_store.h"
#include "storage/value_chunks.h"
#include "util/no_throw.h"
#include "util/status.h"

namespace vecsim::core {

// The shim's lock of one list's chain, held while it is extended.
struct IvfHooks {
  Status (*lock_list)(void* arg, std::uint32_t list);
  void (*unlock_list)(void* arg, std::uint32_t list);
  void* arg;
};

struct IvfVacuumStats {
  std::uint64_t removed = 0;
  std::uint64_t live = 0;
};

template <class Store>
class IvfIndex {
 public:
  IvfIndex(Store* store, AnyMetric metric) noexcept : store_(store), scorer_(metric) {}

  // Item sizes for values stored in stored_bytes (a value's bytes, or an
  // ItemRef when chunked).
  static std::size_t centre_item_size(std::size_t stored_bytes) { return sizeof(IvfListHeader) + stored_bytes; }
  static std::size_t entry_size(std::size_t stored_bytes) { return sizeof(IvfEntryHeader) + stored_bytes; }
  // Whether a centre (with its header) and an entry of value_bytes fit an
  // empty page whole; if not, the index chunks its values.
  static bool fits_inline(const Store& store, std::size_t value_bytes) {
    return store.item_cost(centre_item_size(value_bytes)) <= store.page_capacity() &&
           store.item_cost(sizeof(IvfPageLink)) + store.item_cost(entry_size(value_bytes)) <=
               store.page_capacity();
  }
  // Whether an index can hold values of value_bytes at all.
  static bool fits(const Store& store, std::size_t value_bytes) {
    return value_bytes <= kIvfMaxValueBytes && (fits_inline(store, value_bytes) || fits_inline(store, sizeof(ItemRef)));
  }

  // Writes the metapage and the centre pages of an empty store (the
  // build). meta's magic, version, first_centre_block, centres_per_page
  // and build_rows are filled in here; centres holds meta.lists values.
  Status create(IvfMeta meta, const unsigned char* centres) noexcept {
    return no_throw([&]() -> Status {
      meta.magic = kIvfMagic;
      meta.version = kIvfVersion;
      meta.flags = fits_inline(*store_, meta.value_bytes) ? 0 : kIvfChunkedValues;
      meta.build_rows = 0;
      meta_ = meta;
      std::uint32_t block = 0;
      VECSIM_RETURN_IF_ERROR(store_->new_page_with_item(&meta, sizeof meta, &block));
      if (block != kIvfMetaBlock) return Status::error(ErrorCode::kInternal, "ivfflat build on a store with pages");
      // Wide centres' chains first: the centre pages that name them must
      // be consecutive (I2).
      std::vector<ItemRef> chains(chunked() ? meta.lists : 0);
      packing_ = chunked();
      for (std::size_t l = 0; l < chains.size(); ++l) {
        VECSIM_RETURN_IF_ERROR(write_value_chunks(store_, centres + l * meta.value_bytes, meta.value_bytes,
                                                  &pack_page_, &chunk_item_, &chains[l]));
      }
      meta.first_centre_block = store_->page_count();
      const std::size_t centre_cost = store_->item_cost(centre_item_size(stored_bytes()));
      meta.centres_per_page = static_cast<std::uint32_t>(store_->page_capacity() / centre_cost);
      if (meta.centres_per_page == 0) return Status::error(ErrorCode::kInternal, "an ivfflat centre does not fit a page");
      std::vector<unsigned char> item(centre_item_size(stored_bytes()));
      const IvfListHeader empty{kIvfNoPage, kIvfNoPage, 0, 0.0};
      std::memcpy(item.data(), &empty, sizeof empty);
      for (std::uint32_t l = 0; l < meta.lists; ++l) {
        const void* stored = chunked() ? static_cast<const void*>(&chains[l])
                                       : centres + static_cast<std::size_t>(l) * meta.value_bytes;
        std::memcpy(item.data() + sizeof empty, stored, stored_bytes());
        std::uint16_t offset = 0;
        if (l % meta.centres_per_page == 0) {
          VECSIM_RETURN_IF_ERROR(store_->new_page_with_item(item.data(), item.size(), &block));
          if (block != meta.first_centre_block + l / meta.centres_per_page) {
            return Status::error(ErrorCode::kInternal, "ivfflat centre pages are not consecutive");
          }
        } else {
          VECSIM_RETURN_IF_ERROR(store_->add_item(block, item.data(), item.size(), &offset));
        }
      }
      VECSIM_RETURN_IF_ERROR(store_->write_item(kIvfMetaBlock, 1, 0, &meta, sizeof meta));
      meta_ = meta;
      return prepare_scratch();
    });
  }

  // The metapage of store, if it is an ivfflat metapage of this version
  // (*valid); allocates nothing (the planner reads it too).
  static Status read_meta(Store* store, IvfMeta* meta, bool* valid) noexcept {
    *valid = false;
    VECSIM_RETURN_IF_ERROR(store->read_item(kIvfMetaBlock, 1, [&](const unsigned char* item, std::size_t n) {
      if (n != sizeof(IvfMeta)) return;
      std::memcpy(meta, item, sizeof *meta);
      *valid = meta->magic == kIvfMagic && meta->version == kIvfVersion && meta->centres_per_page > 0 &&
               (meta->flags & ~kIvfChunkedValues) == 0;
    }));
    return Status::ok();
  }

  // Reads the metapage (XX000 if it is not an ivfflat metapage of this version).
  Status open() noexcept {
    return no_throw([&]() -> Status {
      bool valid = false;
      VECSIM_RETURN_IF_ERROR(read_meta(store_, &meta_, &valid));
      if (!valid) return Status::error(ErrorCode::kInternal, "ivfflat metapage is not valid");
      return prepare_scratch();
    });
  }

  const IvfMeta& meta() const { return meta_; }
  bool chunked() const { return (meta_.flags & kIvfChunkedValues) != 0; }
  // What an entry or centre holds in place of its value.
  std::size_t stored_bytes() const { return chunked() ? sizeof(ItemRef) : meta_.value_bytes; }

  ItemAddress header_address(std::uint32_t list) const {
    return ItemAddress{meta_.first_centre_block + list / meta_.centres_per_page,
                       static_cast<std::uint16_t>(list % meta_.centres_per_page + 1)};
  }

  Status read_header(std::uint32_t list, IvfListHeader* h) noexcept {
    const ItemAddress at = header_address(list);
    bool ok = false;
    VECSIM_RETURN_IF_ERROR(store_->read_item(at.block, at.offset, [&](const unsigned char* item, std::size_t n) {
      ok = n == centre_item_size(stored_bytes());
      if (ok) std::memcpy(h, item, sizeof *h);
    }));
    return ok ? Status::ok() : corrupt("a list header", at.block);
  }

  // The build's counters of a list (after its entries are written).
  Status set_build_stats(std::uint32_t list, std::uint64_t rows, double distance_sum) noexcept {
    const ItemAddress at = header_address(list);
    bool changed = false;
    return store_->update_item(at.block, at.offset, [&](unsigned char* item, std::size_t) {
      IvfListHeader h;
      std::memcpy(&h, item, sizeof h);
      h.build_rows = rows;
      h.build_distance_sum = distance_sum;
      std::memcpy(item, &h, sizeof h);
      return true;
    }, &changed);
  }

  // The metapage's count of the rows the build indexed.
  Status set_build_rows(std::uint64_t rows) noexcept {
    meta_.build_rows = rows;
    return store_->write_item(kIvfMetaBlock, 1, offsetof(IvfMeta, build_rows), &rows, sizeof rows);
  }

  // out[l] = the ordering distance of query to list l's centre, l < lists.
  Status score_centres(ValueRef query, float* out) noexcept {
    return no_throw([&]() -> Status {
      scorer_.prepare(query);
      const std::size_t pages = (meta_.lists + meta_.centres_per_page - 1) / meta_.centres_per_page;
      std::uint32_t list = 0;
      bool ok = true;
      for (std::size_t p = 0; p < pages; ++p) {
        const std::uint32_t block = meta_.first_centre_block + static_cast<std::uint32_t>(p);
        const std::uint32_t first = list;
        VECSIM_RETURN_IF_ERROR(store_->read_page_items(block, [&](const unsigned char* const* items,
                                                                  const std::size_t* sizes, std::size_t count) {
          ValueRef values[kBatch];
          std::size_t pending = 0, from = list;
          for (std::size_t i = 0; i < count && list < meta_.lists; ++i, ++list) {
            ok &= sizes[i] == centre_item_size(stored_bytes());
            if (!ok) return;  // never read past a short item
            const unsigned char* stored = items[i] + sizeof(IvfListHeader);
            if (chunked()) {
              std::memcpy(&wide_refs_[i], stored, sizeof(ItemRef));
              continue;
            }
            values[pending++] = ValueRef{stored, meta_.value_bytes};
            if (pending == kBatch || i + 1 == count || list + 1 == meta_.lists) {
              scorer_.score_batch(values, pending, out + from);
              from += pending;
              pending = 0;
            }
          }
        }));
        if (ok && chunked()) VECSIM_RETURN_IF_ERROR(score_chunked(list - first, out + first));
      }
      if (!ok || list != meta_.lists) return corrupt("the centre pages", meta_.first_centre_block);
      return Status::ok();
    });
  }

  // The nearest list of value, and its distance.
  Status nearest_list(ValueRef value, std::vector<float>* scratch, std::uint32_t* list, float* distance) noexcept {
    return no_throw([&]() -> Status {
      scratch->resize(meta_.lists);
      VECSIM_RETURN_IF_ERROR(score_centres(value, scratch->data()));
      auto best = std::min_element(scratch->begin(), scratch->end());
      *list = static_cast<std::uint32_t>(best - scratch->begin());
      *distance = *best;
      return Status::ok();
    });
  }

  // Adds an entry for (heap_block, heap_offset) with value to list;
  // hooks null in a build (one writer, no locks).
  Status append(std::uint32_t list, ValueRef value, std::uint32_t heap_block, std::uint16_t heap_offset,
                const IvfHooks* hooks) noexcept {
    if (value.size != meta_.value_bytes) return Status::error(ErrorCode::kInternal, "ivfflat value of the wrong size");
    const IvfEntryHeader eh{heap_block, heap_offset, 0};
    std::memcpy(entry_.data(), &eh, sizeof eh);
    if (chunked()) {
      ItemRef chain = kNoRef;
      VECSIM_RETURN_IF_ERROR(no_throw([&] {
        return write_value_chunks(store_, value.bytes, value.size, packing_ ? &pack_page_ : nullptr, &chunk_item_,
                                  &chain);
      }));
      std::memcpy(entry_.data() + sizeof eh, &chain, sizeof chain);
    } else {
      std::memcpy(entry_.data() + sizeof eh, value.bytes, value.size);
    }

    IvfListHeader h;
    VECSIM_RETURN_IF_ERROR(read_header(list, &h));
    Walk walk;
    VECSIM_RETURN_IF_ERROR(add_along_chain(h.insert_page, &walk));
    if (walk.added) return walk.hops > 0 ? move_insert_page(list, h.insert_page, walk.page) : Status::ok();

    if (hooks != nullptr) VECSIM_RETURN_IF_ERROR(hooks->lock_list(hooks->arg, list));
    Status st = extend(list, &walk);
    if (hooks != nullptr) hooks->unlock_list(hooks->arg, list);
    return st;
  }

  // f(distance, heap_block, heap_offset) for every entry of list, in chain
  // order, scored in batches against query.
  template <class F>
  Status scan_list(std::uint32_t list, ValueRef query, F&& f) noexcept {
    return no_throw([&]() -> Status {
      scorer_.prepare(query);
      IvfListHeader h;
      VECSIM_RETURN_IF_ERROR(read_header(list, &h));
      std::size_t page_entries = 0;
      auto on_page = [&](std::uint32_t, const unsigned char* const* items, const std::size_t*, std::size_t count) {
        ValueRef values[kBatch];
        float distances[kBatch];
        const unsigned char* heads[kBatch];
        std::size_t pending = 0;
        page_entries = 0;
        for (std::size_t i = 1; i < count; ++i) {
          if (chunked()) {  // scored once the page is released
            std::memcpy(&wide_heads_[page_entries], items[i], sizeof(IvfEntryHeader));
            std::memcpy(&wide_refs_[page_entries++], items[i] + sizeof(IvfEntryHeader), sizeof(ItemRef));
            continue;
          }
          heads[pending] = items[i];
          values[pending++] = ValueRef{items[i] + sizeof(IvfEntryHeader), meta_.value_bytes};
          if (pending == kBatch || i + 1 == count) {
            scorer_.score_batch(values, pending, distances);
            for (std::size_t j = 0; j < pending; ++j) {
              IvfEntryHeader e;
              std::memcpy(&e, heads[j], sizeof e);
              f(distances[j], e.heap_block, e.heap_offset);
            }
            pending = 0;
          }
        }
      };
      if (!chunked()) return walk_chain(list, h.first_page, on_page);
      return walk_chain(list, h.first_page, on_page, [&]() -> Status {
        VECSIM_RETURN_IF_ERROR(score_chunked(page_entries, wide_distances_.data()));
        for (std::size_t j = 0; j < page_entries; ++j) {
          f(wide_distances_[j], wide_heads_[j].heap_block, wide_heads_[j].heap_offset);
        }
        return Status::ok();
      });
    });
  }

  // The rows of list now and the sum of their operator distances
  // (scorer.h, operator_distance) to its centre.
  Status list_stats(std::uint32_t list, std::uint64_t* rows, double* distance_sum) noexcept {
    return no_throw([&]() -> Status {
      std::vector<unsigned char> centre(meta_.value_bytes);
      VECSIM_RETURN_IF_ERROR(read_centre(list, centre.data()));
      *rows = 0;
      *distance_sum = 0;
      const auto metric = static_cast<IndexMetric>(meta_.metric);
      return scan_list(list, ValueRef{centre.data(), centre.size()}, [&](float d, std::uint32_t, std::uint16_t) {
        ++*rows;
        *distance_sum += operator_distance(metric, d);
      });
    });
  }

  // Removes the entries of list whose heap TIDs is_dead names, page by
  // page, then points the list's insert page at its first page with room
  // for an entry (if that is not where it points).
  Status vacuum_list(std::uint32_t list, bool (*is_dead)(std::uint32_t, std::uint16_t, void*), void* arg,
                     IvfVacuumStats* stats) noexcept {
    return no_throw([&]() -> Status {
      IvfListHeader h;
      VECSIM_RETURN_IF_ERROR(read_header(list, &h));
      std::uint32_t with_room = kIvfNoPage;
      const std::size_t cost = store_->item_cost(entry_size(stored_bytes()));
      std::uint32_t page = h.first_page;
      for (std::size_t hops = 0; page != kIvfNoPage; ++hops) {
        VECSIM_RETURN_IF_ERROR(check_hops(hops, page));
        std::size_t removed = 0;
        VECSIM_RETURN_IF_ERROR(store_->remove_items_if(page, 2, [&](const unsigned char* item, std::size_t n) {
          if (n < sizeof(IvfEntryHeader)) return false;
          IvfEntryHeader e;
          std::memcpy(&e, item, sizeof e);
          return is_dead(e.heap_block, e.heap_offset, arg);
        }, &removed));
        stats->removed += removed;
        IvfPageLink link{};
        bool ok = false;
        VECSIM_RETURN_IF_ERROR(store_->read_page_items(page, [&](const unsigned char* const* items,
                                                                 const std::size_t* sizes, std::size_t count) {
          ok = count >= 1 && sizes[0] == sizeof link;
          if (ok) std::memcpy(&link, items[0], sizeof link);
          if (count > 0) stats->live += count - 1;
        }));
        if (!ok || link.list != list) return corrupt("a list page", page);
        std::size_t room = 0;
        VECSIM_RETURN_IF_ERROR(store_->free_space(page, &room));
        if (with_room == kIvfNoPage && room >= cost) with_room = page;
        page = link.next;
      }
      if (with_room != kIvfNoPage && with_room != h.insert_page) {
        const ItemAddress at = header_address(list);
        bool changed = false;
        VECSIM_RETURN_IF_ERROR(store_->update_item(at.block, at.offset, [&](unsigned char* item, std::size_t) {
          IvfListHeader now;
          std::memcpy(&now, item, sizeof now);
          now.insert_page = with_room;
          std::memcpy(item, &now, sizeof now);
          return true;
        }, &changed));
      }
      return Status::ok();
    });
  }

  // f(page, items, sizes, count) for each page of the chain from first
  // (items[0] is the page's link, checked to name list), then after() once
  // the page is released.
  template <class F, class After>
  Status walk_chain(std::uint32_t list, std::uint32_t first, F&& f, After&& after) {
    std::uint32_t page = first;
    for (std::size_t hops = 0; page != kIvfNoPage; ++hops) {
      VECSIM_RETURN_IF_ERROR(check_hops(hops, page));
      IvfPageLink link{};
      bool ok = false;
      VECSIM_RETURN_IF_ERROR(store_->read_page_items(page, [&](const unsigned char* const* items,
                                                               const std::size_t* sizes, std::size_t count) {
        ok = count >= 1 && sizes[0] == sizeof link;
        for (std::size_t i = 1; ok && i < count; ++i) ok = sizes[i] == entry_size(stored_bytes());
        ok = ok && (!chunked() || count - 1 <= wide_heads_.size());  // scan_list's scratch
        if (!ok) return;
        std::memcpy(&link, items[0], sizeof link);
        ok = link.list == list;
        if (ok) f(page, items, sizes, count);
      }));
      if (!ok) return corrupt("a list page", page);
      VECSIM_RETURN_IF_ERROR(after());
      page = link.next;
    }
    return Status::ok();
  }
  template <class F>
  Status walk_chain(std::uint32_t list, std::uint32_t first, F&& f) {
    return walk_chain(list, first, f, [] { return Status::ok(); });
  }

  // What list l's centre item holds after its header (stored_bytes():
  // the centre, or the reference of its chain) into out.
  Status read_centre_stored(std::uint32_t list, unsigned char* out) {
    const ItemAddress at = header_address(list);
    bool ok = false;
    VECSIM_RETURN_IF_ERROR(store_->read_item(at.block, at.offset, [&](const unsigned char* item, std::size_t n) {
      ok = n == centre_item_size(stored_bytes());
      if (ok) std::memcpy(out, item + sizeof(IvfListHeader), stored_bytes());
    }));
    return ok ? Status::ok() : corrupt("a list header", at.block);
  }

  // List l's centre into out (value_bytes).
  Status read_centre(std::uint32_t list, unsigned char* out) {
    if (!chunked()) return read_centre_stored(list, out);
    ItemRef chain = kNoRef;
    VECSIM_RETURN_IF_ERROR(read_centre_stored(list, reinterpret_cast<unsigned char*>(&chain)));
    return read_chain(chain, out);
  }

 private:
  static constexpr std::size_t kBatch = 64;
  // Chunked values are assembled this many at a time (at most 256 kB).
  std::size_t wide_batch() const { return std::clamp<std::size_t>((256u << 10) / meta_.value_bytes, 1, kBatch); }

  // Scratch for entries and, when chunked, for the refs and headers of
  // one page's items (a page holds fewer items than it has bytes) and the
  // values being assembled.
  Status prepare_scratch() {
    entry_.assign(entry_size(stored_bytes()), 0);
    const std::size_t per_page = store_->page_capacity() / store_->item_cost(entry_size(stored_bytes())) + 1;
    const std::size_t refs = std::max<std::size_t>(per_page, meta_.centres_per_page);
    if (chunked()) {
      wide_heads_.resize(refs);
      wide_refs_.resize(refs);
      wide_distances_.resize(refs);
      wide_values_.resize((wide_batch() * meta_.value_bytes + 3) / 4);
    }
    return Status::ok();
  }

  Status read_chain(ItemRef chain, unsigned char* out) {
    bool intact = false;
    VECSIM_RETURN_IF_ERROR(read_value_chunks(store_, chain, out, 0, meta_.value_bytes, &intact));
    return intact ? Status::ok() : corrupt("a value's chunks", ref_block(chain));
  }

  // out[0 .. n) = distances of the query to the values wide_refs_[0 .. n)
  // name, assembled wide_batch() at a time.
  Status score_chunked(std::size_t n, float* out) {
    const std::size_t batch = wide_batch();
    auto* buffer = reinterpret_cast<unsigned char*>(wide_values_.data());
    ValueRef values[kBatch];
    for (std::size_t from = 0; from < n; from += batch) {
      const std::size_t count = std::min(batch, n - from);
      for (std::size_t j = 0; j < count; ++j) {
        unsigned char* at = buffer + j * meta_.value_bytes;
        VECSIM_RETURN_IF_ERROR(read_chain(wide_refs_[from + j], at));
        values[j] = ValueRef{at, meta_.value_bytes};
      }
      scorer_.score_batch(values, count, out + from);
    }
    return Status::ok();
  }

  struct Walk {
    bool added = false;
    std::size_t hops = 0;
    std::uint32_t page = kIvfNoPage;  // where the entry went, or the chain's last page
  };

  // Tries every page from `from` to the end of its chain.
  Status add_along_chain(std::uint32_t from, Walk* walk) {
    *walk = Walk{};
    for (std::uint32_t page = from; page != kIvfNoPage; ++walk->hops) {
      VECSIM_RETURN_IF_ERROR(check_hops(walk->hops, page));
      std::uint16_t offset = 0;
      walk->page = page;
      VECSIM_RETURN_IF_ERROR(store_->add_item_if_room(page, entry_.data(), entry_.size(), &offset, &walk->added));
      if (walk->added) return Status::ok();
      IvfPageLink link{};
      VECSIM_RETURN_IF_ERROR(read_link(page, &link));
      page = link.next;
    }
    return Status::ok();
  }

  // Under the list's lock: tries the chain again from the list's insert
  // page (another appender may have extended it), else adds a page.
  Status extend(std::uint32_t list, Walk* walk) {
    IvfListHeader h;
    VECSIM_RETURN_IF_ERROR(read_header(list, &h));
    VECSIM_RETURN_IF_ERROR(add_along_chain(h.insert_page, walk));
    if (walk->added) return walk->hops > 0 ? move_insert_page(list, h.insert_page, walk->page) : Status::ok();
    const std::uint32_t last = walk->page;
    const IvfPageLink fresh{list, kIvfNoPage};
    std::uint32_t page = 0;
    std::uint16_t offset = 0;
    VECSIM_RETURN_IF_ERROR(store_->new_page_with_item(&fresh, sizeof fresh, &page));
    VECSIM_RETURN_IF_ERROR(store_->add_item(page, entry_.data(), entry_.size(), &offset));
    const ItemAddress header = header_address(list);
    bool changed = false;
    if (last == kIvfNoPage) {
      VECSIM_RETURN_IF_ERROR(store_->update_item(header.block, header.offset, [&](unsigned char* item, std::size_t) {
        IvfListHeader now;
        std::memcpy(&now, item, sizeof now);
        if (now.first_page != kIvfNoPage) return false;
        now.first_page = now.insert_page = page;
        std::memcpy(item, &now, sizeof now);
        return true;
      }, &changed));
      return changed ? Status::ok() : corrupt("a list header changed under its lock", header.block);
    }
    const ItemAddress both[2] = {ItemAddress{last, 1}, header};
    VECSIM_RETURN_IF_ERROR(store_->update_items(both, 2, [&](unsigned char* const* items, const std::size_t* sizes) {
      IvfPageLink link;
      if (sizes[0] != sizeof link) return false;
      std::memcpy(&link, items[0], sizeof link);
      if (link.next != kIvfNoPage || link.list != list) return false;
      link.next = page;
      std::memcpy(items[0], &link, sizeof link);
      IvfListHeader now;
      std::memcpy(&now, items[1], sizeof now);
      now.insert_page = page;
      std::memcpy(items[1], &now, sizeof now);
      return true;
    }, &changed));
    return changed ? Status::ok() : corrupt("a list's last page changed under its lock", last);
  }

  // After an append walked past full pages: later appends start at `to`,
  // unless someone moved the insert page meanwhile.
  Status move_insert_page(std::uint32_t list, std::uint32_t from, std::uint32_t to) {
    const ItemAddress at = header_address(list);
    bool changed = false;
    return store_->update_item(at.block, at.offset, [&](unsigned char* item, std::size_t) {
      IvfListHeader now;
      std::memcpy(&now, item, sizeof now);
      if (now.insert_page != from) return false;
      now.insert_page = to;
      std::memcpy(item, &now, sizeof now);
      return true;
    }, &changed);
  }

  Status read_link(std::uint32_t page, IvfPageLink* link) {
    bool ok = false;
    VECSIM_RETURN_IF_ERROR(store_->read_item(page, 1, [&](const unsigned char* item, std::size_t n) {
      ok = n == sizeof *link;
      if (ok) std::memcpy(link, item, sizeof *link);
    }));
    return ok ? Status::ok() : corrupt("a list page", page);
  }

  // A chain longer than the relation has pages loops (I3).
  Status check_hops(std::size_t hops, std::uint32_t page) {
    if (hops < store_->page_count() && page < store_->page_count()) return Status::ok();
    VECSIM_RETURN_IF_ERROR(store_->refresh_page_count());
    if (hops < store_->page_count() && page < store_->page_count()) return Status::ok();
    return corrupt("a list chain that loops or leaves the index", page);
  }

  static Status corrupt(const char* what, std::uint32_t block) {
    return Status::error(ErrorCode::kInternal, "ivfflat index is corrupt: %s (block %u)", what, block);
  }

  Store* store_;
  Scorer scorer_;
  IvfMeta meta_{};
  std::vector<unsigned char> entry_;
  // WIDE VALUES: the build packs its chains' first chunks (create() sets
  // packing_); scratch for a page's entries and the values assembled.
  bool packing_ = false;
  std::uint32_t pack_page_ = kNoPackPage;
  std::vector<unsigned char> chunk_item_;
  std::vector<ItemRef> wide_refs_;
  std::vector<IvfEntryHeader> wide_heads_;
  std::vector<float> wide_distances_;
  std::vector<std::uint32_t> wide_values_;
};

}  // namespace vecsim::core

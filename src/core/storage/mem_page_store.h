// src/core/storage/mem_page_store.h
// MemPageStore: the PageStore concept (page_store.h) over pages in memory,
// with PostgreSQL's arithmetic for 8 kB pages (24-byte header, 8-byte
// special space, 4-byte line pointers, 8-byte item alignment, and at most
// 511 items a page, as hnsw's page format allows), so that what
// fits on a page here fits on a page in the server. Fault injection: the Nth
// operation from now can be made to fail, to rehearse error paths; and
// update_item can be made to lose every race on chosen pages (as if
// another writer always changed the item first), to rehearse what inserts
// do when concurrent ones never let them write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "storage/page_store.h"
#include "util/status.h"

namespace vecsim::core {

class MemPageStore {
 public:
  static constexpr std::size_t kPageSize = 8192;
  static constexpr std::size_t kHeaderSize = 24;
  static constexpr std::size_t kSpecialSize = 8;
  static constexpr std::size_t kLinePointerSize = 4;
  static constexpr std::size_t kMaxItemsPerPage = 511;

  std::size_t page_capacity() const { return kPageSize - kHeaderSize - kSpecialSize; }
  std::size_t item_cost(std::size_t n) const { return (n + 7) / 8 * 8 + kLinePointerSize; }
  std::uint32_t page_count() const { return static_cast<std::uint32_t>(pages_.size()); }
  // Bytes an add_item on block could still use (an item costs item_cost(n)).
  Status free_space(std::uint32_t block, std::size_t* bytes) const {
    *bytes = room(block);
    return Status::ok();
  }

  // The next `n`-th call of new_page/add_item(s)/read_item(s)/write_item fails (1 =
  // the next one); 0 disarms.
  void fail_after(int n) { fail_after_ = n; }
  // The calls left before the armed failure (0: none armed).
  int failure_armed() const { return fail_after_; }
  // The calls of those kinds so far: what a search reads, for tests that
  // compare the work of two searches (a page read under one pin per call).
  std::size_t operations() const { return operations_; }

  // update_item on blocks >= from (0 disarms) reports the item changed by
  // someone else: f is not called and *changed is false.
  void lose_update_races_from(std::uint32_t from) { lose_races_from_ = from; }
  // The next n update_items calls (several items in one change) report
  // their items changed by someone else; races_armed() says how many are
  // left.
  void lose_next_multi_item_races(int n) { lose_multi_ = n; }
  int races_armed() const { return lose_multi_; }

  Status new_page(std::uint32_t* block) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    pages_.emplace_back();
    *block = static_cast<std::uint32_t>(pages_.size() - 1);
    return Status::ok();
  }

  // One operation (for fail_after); all the items or none.
  Status add_items(std::uint32_t block, const unsigned char* const* items, const std::size_t* sizes,
                   std::size_t count, std::uint16_t* first) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (block >= pages_.size()) return no_such("block");
    std::size_t cost = 0;
    for (std::size_t i = 0; i < count; ++i) cost += item_cost(sizes[i]);
    Page& p = pages_[block];
    if (p.used + cost > page_capacity() || p.items.size() + count > kMaxItemsPerPage) {
      return Status::error(ErrorCode::kInternal, "items of %zu bytes do not fit block %u", cost, block);
    }
    *first = static_cast<std::uint16_t>(p.items.size() + 1);
    for (std::size_t i = 0; i < count; ++i) p.items.emplace_back(items[i], items[i] + sizes[i]);
    p.used += cost;
    return Status::ok();
  }

  Status add_item(std::uint32_t block, const void* item, std::size_t n, std::uint16_t* offset) {
    const auto* bytes = static_cast<const unsigned char*>(item);
    return add_items(block, &bytes, &n, 1, offset);
  }

  // One operation (for fail_after).
  Status new_page_with_item(const void* item, std::size_t n, std::uint32_t* block) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (item_cost(n) > page_capacity()) return Status::error(ErrorCode::kInternal, "item exceeds a page");
    pages_.emplace_back();
    *block = static_cast<std::uint32_t>(pages_.size() - 1);
    const auto* bytes = static_cast<const unsigned char*>(item);
    pages_.back().items.emplace_back(bytes, bytes + n);
    pages_.back().used = item_cost(n);
    return Status::ok();
  }

  // One operation (for fail_after).
  Status add_item_if_room(std::uint32_t block, const void* item, std::size_t n,
                          std::uint16_t* offset, bool* added) {
    *added = false;
    if (block < pages_.size() && item_cost(n) > room(block)) return maybe_fail();
    VECSIM_RETURN_IF_ERROR(add_item(block, item, n, offset));
    *added = true;
    return Status::ok();
  }

  // One operation (for fail_after): f(item, n) -> bool on the item itself;
  // false leaves it as it was.
  template <class F>
  Status update_item(std::uint32_t block, std::uint16_t offset, F&& f, bool* changed) {
    const ItemAddress at{block, offset};
    return update_items(&at, 1, [&](unsigned char* const* items, const std::size_t* sizes) {
      return f(items[0], sizes[0]);
    }, changed);
  }

  // One operation (for fail_after), all the items or none: false from f,
  // or a lost race on any of their blocks, leaves every item as it was.
  template <class F>
  Status update_items(const ItemAddress* items, std::size_t count, F&& f, bool* changed) {
    *changed = false;
    if (count == 0) return Status::ok();  // as the server's store: nothing to change
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (count > kMaxItemsPerChange) return Status::error(ErrorCode::kInternal, "change has too many items");
    std::uint32_t blocks[kMaxPagesPerChange];
    int pages = 0;
    unsigned char* at[kMaxItemsPerChange];
    std::size_t sizes[kMaxItemsPerChange];
    bool lost = false;
    for (std::size_t i = 0; i < count; ++i) {
      bool known = false;
      for (int p = 0; p < pages; ++p) known |= blocks[p] == items[i].block;
      if (!known) {
        if (pages == kMaxPagesPerChange) return Status::error(ErrorCode::kInternal, "change spans too many pages");
        blocks[pages++] = items[i].block;
      }
      auto* item = const_cast<std::vector<unsigned char>*>(find(items[i].block, items[i].offset));
      if (!item) return no_such("item");
      at[i] = item->data();
      sizes[i] = item->size();
      lost |= lose_races_from_ != 0 && items[i].block >= lose_races_from_;
    }
    if (lose_multi_ > 0) {
      --lose_multi_;
      lost = true;
    }
    if (lost) return Status::ok();
    std::vector<std::vector<unsigned char>> before;
    for (std::size_t i = 0; i < count; ++i) before.emplace_back(at[i], at[i] + sizes[i]);
    *changed = f(at, sizes);
    if (!*changed) {
      for (std::size_t i = 0; i < count; ++i) std::memcpy(at[i], before[i].data(), sizes[i]);
    }
    return Status::ok();
  }

  // One operation (for fail_after), however many offsets.
  template <class F>
  Status read_items(std::uint32_t block, const std::uint16_t* offsets, std::size_t count, F&& f) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (block >= pages_.size()) return no_such("block");
    for (std::size_t i = 0; i < count; ++i) {
      const std::vector<unsigned char>* item = find(block, offsets[i]);
      if (!item) return no_such("item");
      f(i, item->data(), item->size());
    }
    return Status::ok();
  }

  // One operation (for fail_after).
  template <class F>
  Status read_all_items(std::uint32_t block, F&& f) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (block >= pages_.size()) return no_such("block");
    const auto& items = pages_[block].items;
    for (std::size_t i = 0; i < items.size(); ++i) {
      f(static_cast<std::uint16_t>(i + 1), items[i].data(), items[i].size());
    }
    return Status::ok();
  }

  // One operation (for fail_after).
  template <class F>
  Status read_page_items(std::uint32_t block, F&& f) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (block >= pages_.size()) return no_such("block");
    const auto& items = pages_[block].items;
    std::vector<const unsigned char*> at;
    std::vector<std::size_t> sizes;
    for (const auto& item : items) {
      at.push_back(item.data());
      sizes.push_back(item.size());
    }
    f(at.data(), sizes.data(), items.size());
    return Status::ok();
  }

  // One operation (for fail_after).
  template <class F>
  Status remove_items_if(std::uint32_t block, std::uint16_t from, F&& remove, std::size_t* removed) {
    *removed = 0;
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    if (block >= pages_.size()) return no_such("block");
    Page& p = pages_[block];
    std::vector<std::vector<unsigned char>> kept;
    for (std::size_t i = 0; i < p.items.size(); ++i) {
      if (i + 1 >= from && remove(static_cast<const unsigned char*>(p.items[i].data()), p.items[i].size())) {
        p.used -= item_cost(p.items[i].size());
        ++*removed;
      } else {
        kept.push_back(std::move(p.items[i]));
      }
    }
    p.items.swap(kept);
    return Status::ok();
  }

  template <class F>
  Status read_item(std::uint32_t block, std::uint16_t offset, F&& f) {
    return read_items(block, &offset, 1,
                      [&](std::size_t, const unsigned char* item, std::size_t n) { f(item, n); });
  }

  Status write_item(std::uint32_t block, std::uint16_t offset, std::size_t at, const void* bytes,
                    std::size_t n) {
    VECSIM_RETURN_IF_ERROR(maybe_fail());
    std::vector<unsigned char>* item = const_cast<std::vector<unsigned char>*>(find(block, offset));
    if (!item) return no_such("item");
    if (at + n > item->size()) {
      return Status::error(ErrorCode::kInternal, "write past the end of item (%u,%u)", block, offset);
    }
    std::memcpy(item->data() + at, bytes, n);
    return Status::ok();
  }

  // Always exact here (one writer).
  Status refresh_page_count() { return Status::ok(); }

  // Nothing to prefetch: the pages are ordinary heap memory.
  void prefetch_page(ItemAddress) const {}
  void prefetch_item(ItemAddress, std::size_t) const {}

  Status item_count(std::uint32_t block, std::uint16_t* count) const {
    *count = items_on(block);
    return Status::ok();
  }

  // Items on a page, for tests.
  std::uint16_t items_on(std::uint32_t block) const {
    return block < pages_.size() ? static_cast<std::uint16_t>(pages_[block].items.size()) : 0;
  }

 private:
  struct Page {
    std::vector<std::vector<unsigned char>> items;
    std::size_t used = 0;
  };

  std::size_t room(std::uint32_t block) const {
    if (block >= pages_.size() || pages_[block].items.size() >= kMaxItemsPerPage) return 0;
    return page_capacity() - pages_[block].used;
  }

  const std::vector<unsigned char>* find(std::uint32_t block, std::uint16_t offset) const {
    if (block >= pages_.size() || offset < 1 || offset > pages_[block].items.size()) return nullptr;
    return &pages_[block].items[offset - 1];
  }

  static Status no_such(const char* what) {
    return Status::error(ErrorCode::kInternal, "no such %s", what);
  }

  Status maybe_fail() {
    ++operations_;
    if (fail_after_ > 0 && --fail_after_ == 0) {
      return Status::error(ErrorCode::kInternal, "injected page store failure");
    }
    return Status::ok();
  }

  std::vector<Page> pages_;
  int fail_after_ = 0;
  std::size_t operations_ = 0;
  std::uint32_t lose_races_from_ = 0;
  int lose_multi_ = 0;
};

static_assert(is_page_store_v<MemPageStore>, "MemPageStore must satisfy the PageStore concept");

}  // namespace vecsim::core

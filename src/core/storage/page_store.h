// src/core/storage/page_store.h
// The PageStore concept: a relation of fixed-size slotted pages, as every
// index structure in core needs it. The shim implements it over PostgreSQL
// buffers with generic WAL (src/pg/page/pg_page_store.h); MemPageStore
// (mem_page_store.h) is the test double. Items are named by an
// ItemAddress (block, 1-based line pointer); what an address means inside
// an item is the access method's.
//
//   struct PageStore {
//     std::size_t page_capacity();          // bytes for items on an empty page
//     std::size_t item_cost(std::size_t n); // bytes an item of n bytes uses (aligned, with its line pointer)
//     std::uint32_t page_count();           // may lag other writers' new pages
//     Status refresh_page_count();          // reads it afresh
//     Status free_space(std::uint32_t block, std::size_t* bytes);  // what an add_item there may still use
//     Status item_count(std::uint32_t block, std::uint16_t* count); // line pointers on the page
//     Status new_page(std::uint32_t* block);                              // appends an empty page
//     Status add_item(std::uint32_t block, const void* item, std::size_t n,
//                     std::uint16_t* offset);                            // 1-based line pointer
//     Status add_items(std::uint32_t block, const unsigned char* const* items,
//                      const std::size_t* sizes, std::size_t count,
//                      std::uint16_t* first);  // count items in one page change, at
//                                              // consecutive line pointers from *first
//     template <class F> Status read_item(std::uint32_t block, std::uint16_t offset, F&& f);
//         // calls f(const unsigned char* item, std::size_t n) with the item readable
//     template <class F> Status read_items(std::uint32_t block, const std::uint16_t* offsets,
//                                          std::size_t count, F&& f);
//         // f(i, item, n) for each offsets[i] in turn, the page read once for all
//     template <class F> Status read_all_items(std::uint32_t block, F&& f);
//         // f(offset, item, n) for every item on block, the page read once
//     Status write_item(std::uint32_t block, std::uint16_t offset, std::size_t at,
//                       const void* bytes, std::size_t n);               // overwrites part of an item;
//                                                                        // an error if it would pass the item's end
//     Status new_page_with_item(const void* item, std::size_t n, std::uint32_t* block);
//         // appends a page holding item at line pointer 1, in one page change: no
//         // concurrent writer can take the new page's room first
//     Status add_item_if_room(std::uint32_t block, const void* item, std::size_t n,
//                             std::uint16_t* offset, bool* added);       // add_item, or *added false
//                                                                        // (page unchanged) if no room
//     template <class F> Status update_item(std::uint32_t block, std::uint16_t offset, F&& f,
//                                           bool* changed);
//         // f(unsigned char* item, std::size_t n) -> bool with the page locked against other
//         // writers: true keeps what f wrote (one page change), false leaves the item as it was.
//         // Concurrent writers change shared items only so (read, check, write at once).
//     template <class F> Status update_items(const ItemAddress* items, std::size_t count, F&& f,
//                                            bool* changed);
//         // the same for count items (at most kMaxItemsPerChange, on at most
//         // kMaxPagesPerChange pages), f(unsigned char* const* items, const std::size_t* sizes):
//         // true keeps everything f wrote as one change (one WAL record for all the pages),
//         // false leaves every item as it was. Pages are locked in ascending block order.
//     template <class F> Status read_page_items(std::uint32_t block, F&& f);
//         // f(const unsigned char* const* items, const std::size_t* sizes, std::size_t count):
//         // every item of block at once (items[i] at line pointer i + 1), the page read once
//     template <class F> Status remove_items_if(std::uint32_t block, std::uint16_t from, F&& remove,
//                                               std::size_t* removed);
//         // removes, in one page change, every item at line pointer >= from for which
//         // remove(const unsigned char* item, std::size_t n) -> bool says so (called with the page
//         // locked against writers: it must not call back into the store; the server's store
//         // runs it inside its PostgreSQL barrier, so it may call the host). The items after a
//         // removed one move down: only for items no one holds the address of.
//     void prefetch_page(ItemAddress a);  // hints that a will be read soon: what can be fetched
//     void prefetch_item(ItemAddress a, std::size_t bytes);  // without reading the page, then
//                                         // (later) the item itself, its first `bytes` of it
//                                         // (both may do nothing; never fail)
//   };
//
// is_page_store_v<S> checks a type against this list at compile time (the
// template members with a callable of the documented shape); each store
// asserts it beside its definition, so the double cannot drift from the
// server's store.
//
// INVARIANTS
//   Every method reports failure as a Status and never throws; after a
//   failure the store is unchanged. f passed to a read_* method must not call
//   back into the store. Items never move, except by remove_items_if: a line
//   pointer stays valid until the page is rewritten by a build or an item
//   below it is removed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "util/status.h"

namespace vecsim::core {

struct ItemAddress {
  std::uint32_t block;
  std::uint16_t offset;  // 1-based line pointer
};

// One change of several items spans at most this many pages (PostgreSQL's
// generic WAL records up to 4 buffers) and this many items.
constexpr int kMaxPagesPerChange = 4;
constexpr std::size_t kMaxItemsPerChange = 16;

namespace page_store_detail {

struct ReadFn {
  void operator()(const unsigned char*, std::size_t) const {}
};
struct ReadEachFn {
  void operator()(std::size_t, const unsigned char*, std::size_t) const {}
};
struct ReadAllFn {
  void operator()(std::uint16_t, const unsigned char*, std::size_t) const {}
};
struct UpdateFn {
  bool operator()(unsigned char*, std::size_t) const { return false; }
};
struct ReadPageFn {
  void operator()(const unsigned char* const*, const std::size_t*, std::size_t) const {}
};
struct RemoveFn {
  bool operator()(const unsigned char*, std::size_t) const { return false; }
};
struct UpdateManyFn {
  bool operator()(unsigned char* const*, const std::size_t*) const { return false; }
};

template <class S, class = void>
struct Check : std::false_type {};

template <class S>
struct Check<S, std::void_t<
    decltype(std::size_t{std::declval<const S&>().page_capacity()}),
    decltype(std::size_t{std::declval<const S&>().item_cost(std::size_t{})}),
    decltype(std::uint32_t{std::declval<const S&>().page_count()}),
    decltype(Status{std::declval<S&>().refresh_page_count()}),
    decltype(Status{std::declval<S&>().free_space(std::uint32_t{}, std::declval<std::size_t*>())}),
    decltype(Status{std::declval<S&>().item_count(std::uint32_t{}, std::declval<std::uint16_t*>())}),
    decltype(Status{std::declval<S&>().new_page(std::declval<std::uint32_t*>())}),
    decltype(Status{std::declval<S&>().add_item(std::uint32_t{}, std::declval<const void*>(), std::size_t{},
                                                std::declval<std::uint16_t*>())}),
    decltype(Status{std::declval<S&>().add_items(std::uint32_t{}, std::declval<const unsigned char* const*>(),
                                                 std::declval<const std::size_t*>(), std::size_t{},
                                                 std::declval<std::uint16_t*>())}),
    decltype(Status{std::declval<S&>().read_item(std::uint32_t{}, std::uint16_t{}, ReadFn{})}),
    decltype(Status{std::declval<S&>().read_items(std::uint32_t{}, std::declval<const std::uint16_t*>(),
                                                  std::size_t{}, ReadEachFn{})}),
    decltype(Status{std::declval<S&>().read_all_items(std::uint32_t{}, ReadAllFn{})}),
    decltype(Status{std::declval<S&>().write_item(std::uint32_t{}, std::uint16_t{}, std::size_t{},
                                                  std::declval<const void*>(), std::size_t{})}),
    decltype(Status{std::declval<S&>().new_page_with_item(std::declval<const void*>(), std::size_t{},
                                                          std::declval<std::uint32_t*>())}),
    decltype(Status{std::declval<S&>().add_item_if_room(std::uint32_t{}, std::declval<const void*>(),
                                                        std::size_t{}, std::declval<std::uint16_t*>(),
                                                        std::declval<bool*>())}),
    decltype(Status{std::declval<S&>().update_item(std::uint32_t{}, std::uint16_t{}, UpdateFn{},
                                                   std::declval<bool*>())}),
    decltype(Status{std::declval<S&>().update_items(std::declval<const ItemAddress*>(), std::size_t{},
                                                    UpdateManyFn{}, std::declval<bool*>())}),
    decltype(Status{std::declval<S&>().read_page_items(std::uint32_t{}, ReadPageFn{})}),
    decltype(Status{std::declval<S&>().remove_items_if(std::uint32_t{}, std::uint16_t{}, RemoveFn{},
                                                       std::declval<std::size_t*>())}),
    decltype(std::declval<S&>().prefetch_page(ItemAddress{})),
    decltype(std::declval<S&>().prefetch_item(ItemAddress{}, std::size_t{}))>> : std::true_type {};

}  // namespace page_store_detail

template <class S>
constexpr bool is_page_store_v = page_store_detail::Check<S>::value;

}  // namespace vecsim::core

// src/core/storage/page_store.h
// The PageStore concept: a relation of fixed-size slotted pages, as core
// needs it. The shim implements it over PostgreSQL buffers with generic
// WAL; MemPageStore (mem_page_store.h) is the test double.
//
//   struct PageStore {
//     std::size_t page_capacity();          // bytes for items on an empty page
//     std::size_t item_cost(std::size_t n); // bytes an item of n bytes uses (aligned, with its line pointer)
//     std::uint32_t page_count();           // may lag other writers' new pages
//     Status refresh_page_count();          // reads it afresh
//     std::size_t free_space(std::uint32_t block);  // what an add_item there may still use
//     std::uint16_t item_count(std::uint32_t block); // line pointers on the page
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
//         // Concurrent inserters change shared items only so (read, check, write at once).
//     void prefetch_page(HnswRef r);  // hints that r will be read soon: what can be fetched
//     void prefetch_item(HnswRef r);  // without reading the page, then (later) the item
//                                     // itself (both may do nothing; never fail)
//   };
//
// INVARIANTS
//   Every method reports failure as a Status and never throws; after a
//   failure the store is unchanged. f passed to a read_* method must not call
//   back into the store. Items never move: a line pointer stays valid until
//   the page is rewritten by a build.
#pragma once

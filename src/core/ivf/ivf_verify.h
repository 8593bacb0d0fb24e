// src/core/ivf/ivf_verify.h
// Checks an ivfflat index against the invariants of storage/ivf_format.h
// (I1-I4, I6) and counts what it finds; the shim compares the entries' heap
// TIDs with the table (every indexed row in exactly one list).
//
// INVARIANTS
//   Reads only; inserts may run meanwhile (pages they add are picked up
//   when a chain reaches them). A broken invariant is counted in violations (the first
//   one described); a page no chain reaches and no named chunk is on
//   (orphan_pages) is not one: a crash between an extension's records,
//   or vacuum removing wide entries, leaves such pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "ivf/ivf_index.h"

namespace vecsim::core {

struct IvfVerifyReport {
  std::uint64_t lists = 0;
  std::uint64_t pages = 0;        // list pages on chains
  std::uint64_t entries = 0;
  std::uint64_t violations = 0;
  std::uint64_t orphan_pages = 0;
  std::string first;
};

// on_entry(list, heap_block, heap_offset) for every entry.
template <class Store, class OnEntry>
Status verify_ivf_index(Store* store, AnyMetric metric, IvfVerifyReport* report, OnEntry&& on_entry) noexcept {
  return no_throw([&]() -> Status {
    IvfIndex<Store> index(store, metric);
    VECSIM_RETURN_IF_ERROR(store->refresh_page_count());
    VECSIM_RETURN_IF_ERROR(index.open());
    const IvfMeta& meta = index.meta();
    auto violation = [&](const std::string& what) {
      if (report->violations++ == 0) report->first = what;
    };
    std::uint32_t pages = store->page_count();
    const std::uint32_t centre_pages = (meta.lists + meta.centres_per_page - 1) / meta.centres_per_page;
    std::vector<std::uint8_t> owner(pages, 0);  // 1: meta or centres, 2: on a chain, 3: chunks
    // I6: each chain named (by a centre or an entry) intact and its own.
    std::unordered_set<ItemRef> chunks;
    std::vector<ItemRef> visited;
    std::vector<unsigned char> value(index.chunked() ? meta.value_bytes : 0);
    auto check_chain = [&](const unsigned char* stored, const std::string& whose) -> Status {
      ItemRef chain;
      std::memcpy(&chain, stored, sizeof chain);
      visited.clear();
      bool intact = false;
      VECSIM_RETURN_IF_ERROR(read_value_chunks(store, chain, value.data(), 0, value.size(), &intact, &visited));
      for (ItemRef c : visited) {
        const std::uint32_t block = ref_block(c);
        if (block >= owner.size()) {  // an insert's, written since
          VECSIM_RETURN_IF_ERROR(store->refresh_page_count());
          pages = store->page_count();
          owner.resize(std::max<std::size_t>(pages, owner.size()), 0);
        }
        if (block >= owner.size() || (owner[block] != 0 && owner[block] != 3) || !chunks.insert(c).second) {
          intact = false;
          break;
        }
        owner[block] = 3;
      }
      if (!intact) violation("the value chunks of " + whose + " are broken or shared");
      return Status::ok();
    };
    owner[kIvfMetaBlock] = 1;
    for (std::uint32_t p = 0; p < centre_pages && meta.first_centre_block + p < pages; ++p) {
      owner[meta.first_centre_block + p] = 1;
    }
    if (meta.first_centre_block + centre_pages > pages) violation("the centre pages pass the end of the index");
    report->lists = meta.lists;
    std::vector<ItemRef> entry_chains;
    for (std::uint32_t l = 0; l < meta.lists && report->violations == 0; ++l) {
      IvfListHeader h;
      VECSIM_RETURN_IF_ERROR(index.read_header(l, &h));
      if (index.chunked()) {
        ItemRef centre = kNoRef;
        VECSIM_RETURN_IF_ERROR(index.read_centre_stored(l, reinterpret_cast<unsigned char*>(&centre)));
        VECSIM_RETURN_IF_ERROR(check_chain(reinterpret_cast<const unsigned char*>(&centre),
                                           "the centre of list " + std::to_string(l)));
      }
      bool insert_on_chain = h.insert_page == kIvfNoPage && h.first_page == kIvfNoPage;
      std::uint32_t page = h.first_page;
      while (page != kIvfNoPage) {
        if (page >= pages) {  // a concurrent insert may have added it since
          VECSIM_RETURN_IF_ERROR(store->refresh_page_count());
          pages = store->page_count();
          owner.resize(pages, 0);
        }
        if (page >= pages || owner[page] != 0) {
          violation("list " + std::to_string(l) + " reaches block " + std::to_string(page) +
                    (page >= pages ? ", past the end of the index" : ", which is not its own"));
          break;
        }
        owner[page] = 2;
        ++report->pages;
        insert_on_chain |= page == h.insert_page;
        IvfPageLink link{};
        bool ok = false;
        VECSIM_RETURN_IF_ERROR(store->read_page_items(page, [&](const unsigned char* const* items,
                                                                const std::size_t* sizes, std::size_t count) {
          ok = count >= 1 && sizes[0] == sizeof link;
          if (!ok) return;
          std::memcpy(&link, items[0], sizeof link);
          for (std::size_t i = 1; i < count; ++i) {
            if (sizes[i] != IvfIndex<Store>::entry_size(index.stored_bytes())) {
              ok = false;
              return;
            }
            IvfEntryHeader e;
            std::memcpy(&e, items[i], sizeof e);
            if (index.chunked()) {
              ItemRef chain;
              std::memcpy(&chain, items[i] + sizeof e, sizeof chain);
              entry_chains.push_back(chain);
            }
            ++report->entries;
            on_entry(l, e.heap_block, e.heap_offset);
          }
        }));
        if (!ok || link.list != l) {
          violation("block " + std::to_string(page) + " on list " + std::to_string(l) + " is not a page of that list");
          break;
        }
        for (std::size_t i = 0; i < entry_chains.size() && report->violations == 0; ++i) {
          VECSIM_RETURN_IF_ERROR(check_chain(reinterpret_cast<const unsigned char*>(&entry_chains[i]),
                                             "an entry of list " + std::to_string(l)));
        }
        entry_chains.clear();
        page = link.next;
      }
      if (!insert_on_chain && report->violations == 0) {
        violation("the insert page of list " + std::to_string(l) + " is not on its chain");
      }
    }
    for (std::uint32_t p = 0; p < pages; ++p) report->orphan_pages += owner[p] == 0;
    return Status::ok();
  });
}

}  // namespace vecsim::core

// src/pg/page/pg_page_store.h
// PgPageStore: core's PageStore concept (storage/page_store.h) over one
// fork of an index relation in PostgreSQL's buffer manager, for any
// access method: slotted pages whose special space the AM lays out (a
// PageFormat), items named by (block, offset).
//
// MODES
//   kBuild   an index being built: pages are changed in shared buffers and
//            marked dirty without WAL; the build then logs every page once
//            (log_newpage_range) when it is complete.
//   kLogged  a live index: every change (new page, new item, overwritten
//            bytes) is one generic WAL record, made atomically under the
//            buffer's exclusive lock. The AM orders its writes so that the
//            index is valid after each one (docs/hnsw.md, "Crash safety").
//   kRead    scans: reads only.
//
// LOCKING
//   Each read holds the buffer's share lock only while core's callback
//   reads the item (the callback never calls PostgreSQL); each write holds
//   the exclusive lock for the one change. Only update_items holds more
//   than one buffer lock, up to four, always taken in ascending block
//   order, so buffer locks cannot deadlock. Concurrent writers
//   change shared items only through update_item (a read-check-write under
//   one exclusive lock) and add_item_if_room.
//
// INVARIANTS
//   Every PostgreSQL call goes through pg_call; a failure parks the error
//   (pg_call.h) and is returned as a Status. page_count() is cached: a
//   writer refreshes it after taking the AM's writers' lock; concurrent
//   writers may extend the relation meanwhile, so it can lag (no read
//   depends on it: an older last page is merely a page to try first).
//   Every page the store initialises has the format's special space, its
//   first two bytes the format's page id and the rest zero; a page without
//   them is refused (XX000) wherever one of the AM's pages is expected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "storage/page_store.h"
#include "util/status.h"

#include "pg.h"

extern "C" {
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

// How an access method lays out its pages' special space.
struct PageFormat {
  std::uint16_t page_id;       // the special space's first two bytes
  std::uint16_t special_size;  // the special space's size (the rest is the AM's, zeroed)
  std::uint16_t max_items;     // line pointers a page may hold (the AM's addresses may be narrow)
  const char* am_name;         // for messages
};

class PgPageStore {
 public:
  enum class Mode { kBuild, kLogged, kRead };

  PgPageStore(Relation index, ForkNumber fork, Mode mode, const PageFormat& format) noexcept
      : index_(index), fork_(fork), mode_(mode), format_(format) {}

  // A vacuum's store: every page read first runs vacuum_delay_point(), so
  // cost-based vacuum delay (autovacuum's throttling) applies.
  void set_vacuum(bool vacuum) noexcept { vacuum_ = vacuum; }

  // Re-reads the relation's size (a PG zone call, or through pg_call).
  core::Status refresh_page_count() noexcept;

  std::size_t page_capacity() const noexcept;
  std::size_t item_cost(std::size_t n) const noexcept;
  std::uint32_t page_count() const noexcept { return page_count_; }
  // What an add_item on block could still use (0 when the page is not
  // one of the AM's), and the line pointers on it.
  core::Status free_space(std::uint32_t block, std::size_t* bytes) noexcept;
  core::Status item_count(std::uint32_t block, std::uint16_t* count) noexcept;

  core::Status new_page(std::uint32_t* block) noexcept;
  // A new page holding item at offset 1, initialised and filled under one
  // exclusive lock (one WAL record when logged), so no concurrent inserter
  // can take its room first.
  core::Status new_page_with_item(const void* item, std::size_t n, std::uint32_t* block) noexcept;
  core::Status add_item(std::uint32_t block, const void* item, std::size_t n,
                        std::uint16_t* offset) noexcept;
  // All count items in one page change (one buffer lock; one WAL record
  // when logged), or none if they do not all fit.
  core::Status add_items(std::uint32_t block, const unsigned char* const* items,
                         const std::size_t* sizes, std::size_t count,
                         std::uint16_t* first) noexcept;
  core::Status write_item(std::uint32_t block, std::uint16_t offset, std::size_t at,
                          const void* bytes, std::size_t n) noexcept;
  // add_item, or *added false and the page unchanged when it has no room
  // (another inserter filled it since its free space was read).
  core::Status add_item_if_room(std::uint32_t block, const void* item, std::size_t n,
                                std::uint16_t* offset, bool* added) noexcept;
  // f(item, n) -> bool under the page's exclusive lock, on the item as it
  // is now: true keeps what f wrote into it (one page change: one WAL
  // record when logged), false leaves the page as it was (*changed says
  // which). f must not throw or call PostgreSQL.
  template <class F>
  core::Status update_item(std::uint32_t block, std::uint16_t offset, F&& f, bool* changed) noexcept {
    const core::ItemAddress at{block, offset};
    return update_items(&at, 1, [&](unsigned char* const* items, const std::size_t* sizes) {
      return f(items[0], sizes[0]);
    }, changed);
  }

  // f(items, sizes) -> bool on count items (on at most
  // core::kMaxPagesPerChange pages), with all their pages locked
  // exclusively, in ascending block order (so two such changes cannot
  // deadlock): true keeps everything f wrote as one change (one generic
  // WAL record covering every page when logged), false leaves every page
  // as it was; in a build's store (changed in place, no record to abort)
  // false must mean f wrote nothing. f must not throw or call PostgreSQL.
  template <class F>
  core::Status update_items(const core::ItemAddress* items, std::size_t count, F&& f,
                            bool* changed) noexcept {
    return update_items_with(
        items, count,
        [](void* arg, unsigned char* const* at, const std::size_t* n) { return (*static_cast<F*>(arg))(at, n); },
        &f, changed);
  }

  // CPU hints for an item about to be read, when this backend has read its
  // block before. prefetch_page: the buffer descriptor, page header,
  // special space and line pointer (addresses known without a load).
  // prefetch_item, issued later: the first `bytes` of the item the line
  // pointer points at (one load, of the line pointer). They pin and lock nothing, and may read a
  // page the buffer no longer holds: what they read is used for nothing
  // but addresses to prefetch.
  void prefetch_page(core::ItemAddress item) noexcept;
  void prefetch_item(core::ItemAddress item, std::size_t bytes) noexcept;

  // f(i, item, n) for each offsets[i] on block, all under one pin and
  // share lock, in the order given. An offset with no item on the page is
  // XX000 (reported after the items before it were passed to f).
  template <class F>
  core::Status read_items(std::uint32_t block, const std::uint16_t* offsets, std::size_t count,
                          F&& f) noexcept {
    return with_locked_page(block, /*new_is_empty=*/false, [&](Page page) {
      for (std::size_t i = 0; i < count; ++i) {
        VECSIM_RETURN_IF_ERROR(pass_item(page, block, offsets[i], [&](const unsigned char* item,
                                                                      std::size_t n) { f(i, item, n); }));
      }
      return core::Status::ok();
    });
  }

  // f(offset, item, n) for every item on block, in order, under one pin and
  // share lock (the item count read under the same lock). A page another
  // backend has added but not yet initialised (or a crash left so) holds
  // no items.
  template <class F>
  core::Status read_all_items(std::uint32_t block, F&& f) noexcept {
    return with_locked_page(block, /*new_is_empty=*/true, [&](Page page) {
      if (page == nullptr) return core::Status::ok();
      const OffsetNumber last = PageGetMaxOffsetNumber(page);
      for (OffsetNumber off = FirstOffsetNumber; off <= last; ++off) {
        VECSIM_RETURN_IF_ERROR(pass_item(page, block, off, [&](const unsigned char* item,
                                                               std::size_t n) { f(off, item, n); }));
      }
      return core::Status::ok();
    });
  }

  // f(items, sizes, count) once with every item of block (items[i] at
  // offset i + 1), under one pin and share lock; a new, uninitialised page
  // has no items.
  template <class F>
  core::Status read_page_items(std::uint32_t block, F&& f) noexcept {
    return with_locked_page(block, /*new_is_empty=*/true, [&](Page page) {
      const unsigned char* items[kMaxPageItems];
      std::size_t sizes[kMaxPageItems];
      std::size_t count = 0;
      if (page != nullptr) {
        count = PageGetMaxOffsetNumber(page);
        if (count > kMaxPageItems) return corrupt("has too many items on a page", block, 0);
        for (std::size_t i = 0; i < count; ++i) {
          if (!find_item(page, static_cast<std::uint16_t>(i + 1), &items[i], &sizes[i])) {
            return missing_item(block, static_cast<std::uint16_t>(i + 1));
          }
        }
      }
      f(items, sizes, count);
      return core::Status::ok();
    });
  }

  // Removes the items at offsets >= from for which remove(item, n) is
  // true, under the page's exclusive lock, in one page change (one generic
  // WAL record when logged); the page is compacted, so later items move
  // down. remove must not throw; it runs inside the store's pg_call, so it
  // may call PostgreSQL (ivfflat's vacuum passes the bulk-delete callback,
  // which CREATE INDEX CONCURRENTLY's validation makes a tuplesort).
  // The frames between here and it hold nothing to destroy.
  template <class F>
  core::Status remove_items_if(std::uint32_t block, std::uint16_t from, F&& remove,
                               std::size_t* removed) noexcept {
    return remove_items_with(
        block, from,
        [](void* arg, const unsigned char* item, std::size_t n) { return (*static_cast<F*>(arg))(item, n); },
        &remove, removed);
  }

  template <class F>
  core::Status read_item(std::uint32_t block, std::uint16_t offset, F&& f) noexcept {
    return read_items(block, &offset, 1,
                      [&](std::size_t, const unsigned char* item, std::size_t n) { f(item, n); });
  }

 private:
  // Line pointers a page can hold.
  static constexpr std::size_t kMaxPageItems = MaxOffsetNumber;

  core::Status remove_items_with(std::uint32_t block, std::uint16_t from,
                                 bool (*remove)(void*, const unsigned char*, std::size_t), void* arg,
                                 std::size_t* removed) noexcept;
  core::Status add_items_if_room(std::uint32_t block, const unsigned char* const* items,
                                 const std::size_t* sizes, std::size_t count,
                                 std::uint16_t* first, bool* added) noexcept;
  core::Status update_items_with(const core::ItemAddress* items, std::size_t count,
                                 bool (*change)(void*, unsigned char* const*, const std::size_t*),
                                 void* arg, bool* changed) noexcept;

  // Pins and share-locks block (XX000, with nothing held, if its page is
  // not one of the AM's; but with new_is_empty, a new page, all zeros, is
  // *page nullptr with nothing held).
  core::Status lock_page(std::uint32_t block, bool new_is_empty, Buffer* buffer, Page* page) noexcept;
  // body(page) -> Status on block's page, pinned and share-locked. body may
  // allocate (core's callbacks copy links and values) and so throw: the
  // buffer is released and the failure returned, never propagated out of
  // this noexcept function. UnlockReleaseBuffer only releases (it never
  // raises), so it is called directly.
  template <class Body>
  core::Status with_locked_page(std::uint32_t block, bool new_is_empty, Body&& body) noexcept {
    Buffer buffer = InvalidBuffer;
    Page page = nullptr;
    VECSIM_RETURN_IF_ERROR(lock_page(block, new_is_empty, &buffer, &page));
    if (page == nullptr) return body(page);
    core::Status st;
    try {
      st = body(page);
    } catch (const std::bad_alloc&) {
      st = core::Status::error(core::ErrorCode::kOutOfMemory, "out of memory");
    } catch (...) {
      st = core::Status::error(core::ErrorCode::kInternal,
                               "unexpected C++ exception reading an index page");
    }
    UnlockReleaseBuffer(buffer);
    return st;
  }

  // f(item, n) for the item at offset on a locked page; XX000 if none.
  template <class F>
  core::Status pass_item(Page page, std::uint32_t block, std::uint16_t offset, F&& f) const {
    const unsigned char* item = nullptr;
    std::size_t n = 0;
    if (!find_item(page, offset, &item, &n)) return missing_item(block, offset);
    f(item, n);
    return core::Status::ok();
  }

  // The item at offset on a locked page of the AM's, if there is one.
  static bool find_item(Page page, std::uint16_t offset, const unsigned char** item,
                        std::size_t* n) noexcept;
  core::Status missing_item(std::uint32_t block, std::uint16_t offset) const noexcept;
  core::Status corrupt(const char* what, std::uint32_t block, std::uint16_t offset) const noexcept;
  void init_page(Page page) const noexcept;
  bool is_own_page(Page page) const noexcept;
  const char* remembered_page(std::uint32_t block) const noexcept;

  Relation index_;
  ForkNumber fork_;
  Mode mode_;
  PageFormat format_;
  bool vacuum_ = false;
  std::uint32_t page_count_ = 0;
};

static_assert(core::is_page_store_v<PgPageStore>, "PgPageStore must satisfy the PageStore concept");
// Callers keep one on the stack across raise_pending_or (a longjmp): it
// must have nothing to destroy.
static_assert(std::is_trivially_destructible_v<PgPageStore>);

// PG zone. Whether block 0 of the index is a page of format's (its
// special space's size and page id): an index another extension built,
// such as pgvector's after pg_upgrade, is not, and must be refused
// before anything reads it as ours. report_foreign_index says so at
// elevel (55000, with a HINT to REINDEX; a DETAIL naming pgvector when its
// page ids are found); require_own_index raises it as an ERROR.
bool is_own_index(Relation index, const PageFormat& format);
void report_foreign_index(Relation index, const PageFormat& format, int elevel);
void require_own_index(Relation index, const PageFormat& format);

}  // namespace vecsim::pg

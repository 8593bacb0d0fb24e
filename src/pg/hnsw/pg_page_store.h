// src/pg/hnsw/pg_page_store.h
// PgPageStore: core's PageStore concept (storage/page_store.h) over one
// fork of an index relation in PostgreSQL's buffer manager.
//
// MODES
//   kBuild   an index being built: pages are changed in shared buffers and
//            marked dirty without WAL; the build then logs every page once
//            (log_newpage_range) when it is complete.
//   kLogged  a live index: every change (new page, new item, overwritten
//            bytes) is one generic WAL record, made atomically under the
//            buffer's exclusive lock. Core orders its writes so that the
//            index is valid after each one (docs/hnsw.md, "Crash safety").
//   kRead    scans: reads only.
//
// LOCKING
//   Each read holds the buffer's share lock only while core's callback
//   reads the item (the callback never calls PostgreSQL); each write holds
//   the exclusive lock for the one change. No two buffer locks are ever
//   held at once, so buffer locks cannot deadlock. Writers are serialised
//   by the caller's heavyweight lock (hnsw/locks.h).
//
// INVARIANTS
//   Every PostgreSQL call goes through pg_call; a failure parks the error
//   (pg_call.h) and is returned as a Status. page_count() is cached:
//   exact for the writer that holds the writers' lock (it refreshes it
//   after taking the lock, and only it extends the relation). Pages carry
//   an 8-byte special area {kHnswPageId, flags} that the verifier checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>

#include "util/status.h"

#include "pg.h"

extern "C" {
#include "storage/bufmgr.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

constexpr std::uint16_t kHnswPageId = 0xFF95;

struct HnswPageSpecial {
  std::uint16_t page_id;  // kHnswPageId
  std::uint16_t flags;    // reserved, 0
  std::uint32_t unused;   // 0
};
static_assert(sizeof(HnswPageSpecial) == 8);

class PgPageStore {
 public:
  enum class Mode { kBuild, kLogged, kRead };

  PgPageStore(Relation index, ForkNumber fork, Mode mode) noexcept
      : index_(index), fork_(fork), mode_(mode) {}

  // A vacuum's store: every page read first runs vacuum_delay_point(), so
  // cost-based vacuum delay (autovacuum's throttling) applies.
  void set_vacuum(bool vacuum) noexcept { vacuum_ = vacuum; }

  // Re-reads the relation's size (a PG zone call, or through pg_call).
  core::Status refresh_page_count() noexcept;

  std::size_t page_capacity() const noexcept;
  std::size_t item_cost(std::size_t n) const noexcept;
  std::uint32_t page_count() const noexcept { return page_count_; }
  // On a failure these two return 0 with the error pending (pg_call.h);
  // the entry point's epilogue raises it.
  std::size_t free_space(std::uint32_t block) noexcept;
  std::uint16_t item_count(std::uint32_t block) noexcept;

  core::Status new_page(std::uint32_t* block) noexcept;
  core::Status add_item(std::uint32_t block, const void* item, std::size_t n,
                        std::uint16_t* offset) noexcept;
  core::Status write_item(std::uint32_t block, std::uint16_t offset, std::size_t at,
                          const void* bytes, std::size_t n) noexcept;

  // Prefetches the memory of the items refs name (core's element refs:
  // block << 9 | offset) whose blocks this backend has read before: the
  // buffer descriptors and line pointers first, then the items the line
  // pointers point at. Only a CPU hint: it pins and locks nothing and reads
  // pages it holds no pin on, so what it reads is used for nothing but
  // addresses to prefetch.
  void prefetch(const std::uint32_t* refs, std::size_t n) noexcept;

  template <class F>
  core::Status read_item(std::uint32_t block, std::uint16_t offset, F&& f) noexcept {
    const unsigned char* item = nullptr;
    std::size_t n = 0;
    Buffer buffer = InvalidBuffer;
    VECSIM_RETURN_IF_ERROR(lock_item(block, offset, &buffer, &item, &n));
    // f may allocate (core's callbacks copy links and values) and so throw:
    // the buffer is released and the failure returned, never propagated
    // out of this noexcept function. UnlockReleaseBuffer only releases
    // (STYLE.md 2.4), so it is called directly.
    bool out_of_memory = false;
    bool failed = false;
    try {
      f(item, n);
    } catch (const std::bad_alloc&) {
      out_of_memory = failed = true;
    } catch (...) {
      failed = true;
    }
    UnlockReleaseBuffer(buffer);
    if (failed) {
      return out_of_memory ? core::Status::error(core::ErrorCode::kOutOfMemory, "out of memory")
                           : core::Status::error(core::ErrorCode::kInternal,
                                                 "unexpected C++ exception reading an hnsw page");
    }
    return core::Status::ok();
  }

 private:
  // Pins and share-locks block and finds item offset on it (XX000 if the
  // page or the item is not an hnsw one).
  core::Status lock_item(std::uint32_t block, std::uint16_t offset, Buffer* buffer,
                         const unsigned char** item, std::size_t* n) noexcept;

  Relation index_;
  ForkNumber fork_;
  Mode mode_;
  bool vacuum_ = false;
  std::uint32_t page_count_ = 0;
};

}  // namespace vecsim::pg

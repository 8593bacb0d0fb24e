// src/pg/page/pg_page_store.cpp
// The buffer-manager side of PgPageStore (see the header for modes,
// locking and invariants).
#include "page/pg_page_store.h"

#include <algorithm>
#include <cstring>

#include "bridge/pg_call.h"

#include "pg.h"

extern "C" {
#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "storage/buf_internals.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace vecsim::pg {
namespace {

// Applies change(page) to block under its exclusive lock: in place and
// marked dirty (kBuild), or through one generic WAL record (kLogged). If
// change returns false the page is left as it was and *applied is false.
// In kBuild mode a change that declines must not have touched the page.
template <class Change>
core::Status modify_page(Relation index, ForkNumber fork, bool logged, BlockNumber block,
                         Change&& change, bool* applied) {
  bool ok = true;
  core::Status st = pg_call([&]() noexcept {
    Buffer buffer = ReadBufferExtended(index, fork, block, RBM_NORMAL, nullptr);
    LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    if (logged) {
      GenericXLogState* state = GenericXLogStart(index);
      Page page = GenericXLogRegisterBuffer(state, buffer, 0);
      ok = change(page);
      if (ok) {
        GenericXLogFinish(state);
      } else {
        GenericXLogAbort(state);
      }
    } else {
      ok = change(BufferGetPage(buffer));
      if (ok) MarkBufferDirty(buffer);
    }
    UnlockReleaseBuffer(buffer);
  });
  VECSIM_RETURN_IF_ERROR(st);
  *applied = ok;
  return core::Status::ok();
}

// The buffer each block of an index was last found in, kept on the
// relation (rd_amcache, freed by PostgreSQL whenever the relcache entry is
// rebuilt). ReadRecentBuffer pins a remembered buffer only if it still
// holds that block, so a stale entry costs a normal read and nothing else;
// a hit skips the buffer mapping table's lookup, which perf showed as the
// largest single cost of a scan (18%).
struct RecentBuffers {
  BlockNumber blocks;
  Buffer buffer[FLEXIBLE_ARRAY_MEMBER];
};

RecentBuffers* recent_buffers(Relation index) {
  if (index->rd_amcache == nullptr) {
    BlockNumber blocks = RelationGetNumberOfBlocks(index) + 64;
    auto* recent = static_cast<RecentBuffers*>(MemoryContextAllocZero(
        index->rd_indexcxt, offsetof(RecentBuffers, buffer) + sizeof(Buffer) * blocks));
    recent->blocks = blocks;
    index->rd_amcache = recent;
  }
  return static_cast<RecentBuffers*>(index->rd_amcache);
}

Buffer read_main_fork(Relation index, BlockNumber block) {
  RecentBuffers* recent = recent_buffers(index);
  if (block < recent->blocks) {
    Buffer remembered = recent->buffer[block];
    if (remembered != InvalidBuffer &&
        ReadRecentBuffer(VECSIM_RELATION_FILE(index), MAIN_FORKNUM, block, remembered)) {
      return remembered;
    }
  }
  Buffer buffer = ReadBufferExtended(index, MAIN_FORKNUM, block, RBM_NORMAL, nullptr);
  if (block < recent->blocks) recent->buffer[block] = buffer;
  return buffer;
}

// Whether page is one of format's: the special space's size, and the page
// id at its start.
bool has_format(Page page, const PageFormat& format) {
  if (PageIsNew(page) || PageGetSpecialSize(page) != MAXALIGN(format.special_size)) return false;
  std::uint16_t id;
  std::memcpy(&id, PageGetSpecialPointer(page), sizeof id);
  return id == format.page_id;
}

// What block 0 of an index shows of its format: whether it is format's,
// the special space's size, and the page ids at its start (vecsim's place)
// and at its end (where pgvector and bloom keep theirs).
struct FirstPage {
  bool readable = false;
  bool own = false;
  std::uint16_t special_size = 0;
  std::uint16_t first_id = 0;
  std::uint16_t last_id = 0;
};

FirstPage read_first_page(Relation index, const PageFormat& format) {
  FirstPage first;
  if (RelationGetNumberOfBlocks(index) == 0) return first;
  Buffer buffer = read_main_fork(index, 0);
  LockBuffer(buffer, BUFFER_LOCK_SHARE);
  Page page = BufferGetPage(buffer);
  if (!PageIsNew(page)) {
    first.readable = true;
    first.own = has_format(page, format);
    first.special_size = PageGetSpecialSize(page);
    const char* special = PageGetSpecialPointer(page);
    if (first.special_size >= sizeof(std::uint16_t)) {
      std::memcpy(&first.first_id, special, sizeof first.first_id);
      std::memcpy(&first.last_id, special + first.special_size - sizeof first.last_id, sizeof first.last_id);
    }
  }
  UnlockReleaseBuffer(buffer);
  return first;
}

// pgvector's page ids (the last two bytes of its special space).
constexpr std::uint16_t kPgvectorIvfflatPageId = 0xFF84;
constexpr std::uint16_t kPgvectorHnswPageId = 0xFF90;

}  // namespace

bool is_own_index(Relation index, const PageFormat& format) {
  return read_first_page(index, format).own;
}

void report_foreign_index(Relation index, const PageFormat& format, int elevel) {
  const FirstPage first = read_first_page(index, format);
  const bool pgvector = first.readable && (first.last_id == kPgvectorHnswPageId ||
                                           first.last_id == kPgvectorIvfflatPageId);
  ereport(elevel,
          (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
           errmsg("index \"%s\" was not built by vecsim's %s access method",
                  RelationGetRelationName(index), format.am_name),
           pgvector ? errdetail("Its pages are pgvector's (page id 0x%04X).", first.last_id)
                    : errdetail("Its first page has a special space of %u bytes beginning with 0x%04X; "
                                "vecsim's %s pages have %u bytes beginning with page id 0x%04X.",
                                first.special_size, first.first_id, format.am_name,
                                static_cast<unsigned>(MAXALIGN(format.special_size)), format.page_id),
           errhint("An index built by another extension (pgvector, before pg_upgrade) must be "
                   "rebuilt: REINDEX INDEX %s;",
                   quote_qualified_identifier(get_namespace_name(RelationGetNamespace(index)),
                                              RelationGetRelationName(index)))));
}

void require_own_index(Relation index, const PageFormat& format) {
  if (!is_own_index(index, format)) report_foreign_index(index, format, ERROR);
}

core::Status PgPageStore::corrupt(const char* what, std::uint32_t block,
                                  std::uint16_t offset) const noexcept {
  return core::Status::error(core::ErrorCode::kInternal, "%s index %s at (%u,%u)", format_.am_name,
                             what, block, offset);
}

void PgPageStore::init_page(Page page) const noexcept {
  PageInit(page, BLCKSZ, format_.special_size);
  char* special = PageGetSpecialPointer(page);
  std::memset(special, 0, format_.special_size);
  std::memcpy(special, &format_.page_id, sizeof format_.page_id);
}

bool PgPageStore::is_own_page(Page page) const noexcept { return has_format(page, format_); }

core::Status PgPageStore::refresh_page_count() noexcept {
  return pg_call([&]() noexcept { page_count_ = RelationGetNumberOfBlocksInFork(index_, fork_); });
}

std::size_t PgPageStore::page_capacity() const noexcept {
  return BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(format_.special_size);
}

std::size_t PgPageStore::item_cost(std::size_t n) const noexcept {
  return MAXALIGN(n) + sizeof(ItemIdData);
}

core::Status PgPageStore::free_space(std::uint32_t block, std::size_t* bytes) noexcept {
  *bytes = 0;
  return pg_call([&]() noexcept {
    Buffer buffer = ReadBufferExtended(index_, fork_, block, RBM_NORMAL, nullptr);
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    Page page = BufferGetPage(buffer);
    if (is_own_page(page)) *bytes = PageGetExactFreeSpace(page);
    UnlockReleaseBuffer(buffer);
  });
}

core::Status PgPageStore::item_count(std::uint32_t block, std::uint16_t* count) noexcept {
  *count = 0;
  return pg_call([&]() noexcept {
    Buffer buffer = ReadBufferExtended(index_, fork_, block, RBM_NORMAL, nullptr);
    LockBuffer(buffer, BUFFER_LOCK_SHARE);
    *count = PageGetMaxOffsetNumber(BufferGetPage(buffer));
    UnlockReleaseBuffer(buffer);
  });
}

core::Status PgPageStore::new_page(std::uint32_t* block) noexcept {
  return new_page_with_item(nullptr, 0, block);
}

// Until the new page is initialised under its exclusive lock, another
// backend that finds it (by the relation's size) sees a new page, which
// is no element page: it reads nothing there and adds nothing there.
core::Status PgPageStore::new_page_with_item(const void* item, std::size_t n,
                                             std::uint32_t* block) noexcept {
  if (mode_ == Mode::kRead) return corrupt("read-only store asked for a page", 0, 0);
  if (item != nullptr && item_cost(n) > page_capacity()) return corrupt("item exceeds a page", 0, 0);
  const bool logged = mode_ == Mode::kLogged;
  bool added = true;
  VECSIM_RETURN_IF_ERROR(pg_call([&]() noexcept {
    LockRelationForExtension(index_, ExclusiveLock);
    Buffer buffer = VECSIM_EXTEND_FORK(index_, fork_);
    UnlockRelationForExtension(index_, ExclusiveLock);
    LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    auto fill = [&](Page page) {
      init_page(page);
      if (item != nullptr) {
        added = PageAddItem(page, reinterpret_cast<Item>(const_cast<void*>(item)), n,
                            InvalidOffsetNumber, false, false) == FirstOffsetNumber;
      }
    };
    if (logged) {
      GenericXLogState* state = GenericXLogStart(index_);
      fill(GenericXLogRegisterBuffer(state, buffer, GENERIC_XLOG_FULL_IMAGE));
      GenericXLogFinish(state);
    } else {
      fill(BufferGetPage(buffer));
      MarkBufferDirty(buffer);
    }
    *block = BufferGetBlockNumber(buffer);
    UnlockReleaseBuffer(buffer);
  }));
  page_count_ = std::max(page_count_, *block + 1);
  return added ? core::Status::ok() : corrupt("new page refused its item", *block, 1);
}

core::Status PgPageStore::add_item(std::uint32_t block, const void* item, std::size_t n,
                                   std::uint16_t* offset) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(item);
  return add_items(block, &bytes, &n, 1, offset);
}

core::Status PgPageStore::add_items(std::uint32_t block, const unsigned char* const* items,
                                    const std::size_t* sizes, std::size_t count,
                                    std::uint16_t* first) noexcept {
  bool added = false;
  VECSIM_RETURN_IF_ERROR(add_items_if_room(block, items, sizes, count, first, &added));
  return added ? core::Status::ok() : corrupt("has no room for the items", block, 0);
}

core::Status PgPageStore::add_item_if_room(std::uint32_t block, const void* item, std::size_t n,
                                           std::uint16_t* offset, bool* added) noexcept {
  const auto* bytes = static_cast<const unsigned char*>(item);
  return add_items_if_room(block, &bytes, &n, 1, offset, added);
}

core::Status PgPageStore::add_items_if_room(std::uint32_t block, const unsigned char* const* items,
                                            const std::size_t* sizes, std::size_t count,
                                            std::uint16_t* first, bool* added) noexcept {
  if (mode_ == Mode::kRead) return corrupt("read-only store asked to add an item", block, 0);
  std::size_t cost = 0;
  for (std::size_t i = 0; i < count; ++i) cost += item_cost(sizes[i]);
  bool no_room = false;
  bool applied = false;
  VECSIM_RETURN_IF_ERROR(modify_page(
      index_, fork_, mode_ == Mode::kLogged, block,
      [&](Page page) {
        // Checked first, so that no PageAddItem below can fail (a build's
        // page is changed in place: there is no record to abort).
        if (!is_own_page(page) || PageGetExactFreeSpace(page) < cost ||
            PageGetMaxOffsetNumber(page) + count > format_.max_items) {
          no_room = true;
          return false;
        }
        *first = OffsetNumberNext(PageGetMaxOffsetNumber(page));
        for (std::size_t i = 0; i < count; ++i) {
          OffsetNumber at = PageAddItem(page, reinterpret_cast<Item>(const_cast<unsigned char*>(items[i])),
                                        sizes[i], InvalidOffsetNumber, false, false);
          if (at != *first + i) return false;
        }
        return true;
      },
      &applied));
  if (!applied && !no_room) return corrupt("page refused new items", block, 0);
  *added = applied;
  return core::Status::ok();
}

core::Status PgPageStore::remove_items_with(std::uint32_t block, std::uint16_t from,
                                            bool (*remove)(void*, const unsigned char*, std::size_t),
                                            void* arg, std::size_t* removed) noexcept {
  *removed = 0;
  if (mode_ == Mode::kRead) return corrupt("read-only store asked to write", block, 0);
  const bool logged = mode_ == Mode::kLogged;
  bool own = true;
  std::size_t count = 0;
  VECSIM_RETURN_IF_ERROR(pg_call([&]() noexcept {
    if (vacuum_) VECSIM_VACUUM_DELAY_POINT();
    Buffer buffer = fork_ == MAIN_FORKNUM ? read_main_fork(index_, block)
                                          : ReadBufferExtended(index_, fork_, block, RBM_NORMAL, nullptr);
    LockBuffer(buffer, BUFFER_LOCK_EXCLUSIVE);
    Page page = BufferGetPage(buffer);
    own = is_own_page(page);
    if (own) {
      OffsetNumber dead[MaxOffsetNumber];
      const OffsetNumber last = PageGetMaxOffsetNumber(page);
      for (OffsetNumber off = std::max<OffsetNumber>(from, FirstOffsetNumber); off <= last; ++off) {
        const unsigned char* item = nullptr;
        std::size_t n = 0;
        if (find_item(page, off, &item, &n) && remove(arg, item, n)) dead[count++] = off;
      }
      if (count > 0) {
        GenericXLogState* state = logged ? GenericXLogStart(index_) : nullptr;
        Page target = logged ? GenericXLogRegisterBuffer(state, buffer, 0) : page;
        PageIndexMultiDelete(target, dead, static_cast<int>(count));
        if (logged) {
          GenericXLogFinish(state);
        } else {
          MarkBufferDirty(buffer);
        }
      }
    }
    UnlockReleaseBuffer(buffer);
  }));
  if (!own) return corrupt("has a page that is not its own", block, 0);
  *removed = count;
  return core::Status::ok();
}

core::Status PgPageStore::update_items_with(const core::ItemAddress* items, std::size_t count,
                                            bool (*change)(void*, unsigned char* const*,
                                                           const std::size_t*),
                                            void* arg, bool* changed) noexcept {
  *changed = false;
  if (count == 0) return core::Status::ok();
  if (mode_ == Mode::kRead) return corrupt("read-only store asked to write", items[0].block, items[0].offset);
  // The distinct blocks, ascending: the order their locks are taken in.
  BlockNumber blocks[core::kMaxPagesPerChange];
  int pages = 0;
  for (std::size_t i = 0; i < count; ++i) {
    bool known = false;
    for (int p = 0; p < pages; ++p) known |= blocks[p] == items[i].block;
    if (known) continue;
    if (pages == core::kMaxPagesPerChange) {
      return corrupt("change spans too many pages", items[i].block, items[i].offset);
    }
    blocks[pages++] = items[i].block;
  }
  for (int i = 1; i < pages; ++i) {  // at most four: an insertion sort
    for (int j = i; j > 0 && blocks[j - 1] > blocks[j]; --j) std::swap(blocks[j - 1], blocks[j]);
  }
  static_assert(core::kMaxPagesPerChange <= MAX_GENERIC_XLOG_PAGES);
  unsigned char* at[core::kMaxItemsPerChange];
  std::size_t sizes[core::kMaxItemsPerChange];
  if (count > core::kMaxItemsPerChange) return corrupt("change has too many items", items[0].block, 0);
  const bool logged = mode_ == Mode::kLogged;
  std::size_t missing = count;  // the first item not found, if any
  bool kept = false;
  VECSIM_RETURN_IF_ERROR(pg_call([&]() noexcept {
    Buffer buffers[core::kMaxPagesPerChange];
    Page page_of[core::kMaxPagesPerChange];
    for (int p = 0; p < pages; ++p) {
      buffers[p] = ReadBufferExtended(index_, fork_, blocks[p], RBM_NORMAL, nullptr);
      LockBuffer(buffers[p], BUFFER_LOCK_EXCLUSIVE);
    }
    GenericXLogState* state = logged ? GenericXLogStart(index_) : nullptr;
    for (int p = 0; p < pages; ++p) {
      page_of[p] = logged ? GenericXLogRegisterBuffer(state, buffers[p], 0) : BufferGetPage(buffers[p]);
    }
    for (std::size_t i = 0; i < count && missing == count; ++i) {
      int p = 0;
      while (blocks[p] != items[i].block) ++p;
      const unsigned char* item = nullptr;
      if (!is_own_page(page_of[p]) || !find_item(page_of[p], items[i].offset, &item, &sizes[i])) {
        missing = i;
      } else {
        at[i] = const_cast<unsigned char*>(item);
      }
    }
    kept = missing == count && change(arg, at, sizes);
    if (logged) {
      if (kept) {
        GenericXLogFinish(state);
      } else {
        GenericXLogAbort(state);
      }
    } else if (kept) {
      for (int p = 0; p < pages; ++p) MarkBufferDirty(buffers[p]);
    }
    for (int p = pages; p-- > 0;) UnlockReleaseBuffer(buffers[p]);
  }));
  if (missing != count) return missing_item(items[missing].block, items[missing].offset);
  *changed = kept;
  return core::Status::ok();
}

core::Status PgPageStore::write_item(std::uint32_t block, std::uint16_t offset, std::size_t at,
                                     const void* bytes, std::size_t n) noexcept {
  if (mode_ == Mode::kRead) return corrupt("read-only store asked to write", block, offset);
  bool applied = false;
  VECSIM_RETURN_IF_ERROR(modify_page(index_, fork_, mode_ == Mode::kLogged, block, [&](Page page) {
    if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page)) return false;
    ItemId id = PageGetItemId(page, offset);
    if (!ItemIdIsNormal(id) || at + n > ItemIdGetLength(id)) return false;
    std::memcpy(static_cast<char*>(PageGetItem(page, id)) + at, bytes, n);
    return true;
  }, &applied));
  return applied ? core::Status::ok() : corrupt("page refused a change", block, offset);
}

// The page block was last seen in, if this backend has read it before
// (the buffer may hold another page by now: callers only prefetch from it).
const char* PgPageStore::remembered_page(std::uint32_t block) const noexcept {
  if (fork_ != MAIN_FORKNUM || index_->rd_amcache == nullptr) return nullptr;
  const auto* recent = static_cast<const RecentBuffers*>(index_->rd_amcache);
  if (block >= recent->blocks || recent->buffer[block] == InvalidBuffer) return nullptr;
  Buffer buffer = recent->buffer[block];
  // its descriptor (header spinlock, pin count, content lock: written to
  // when lock_page() pins and locks it)
  if (!BufferIsLocal(buffer)) __builtin_prefetch(VECSIM_BUFFER_DESCRIPTOR(buffer), 1);
  return static_cast<const char*>(BufferGetPage(buffer));
}

void PgPageStore::prefetch_page(core::ItemAddress item) noexcept {
  const char* page = remembered_page(item.block);
  if (page == nullptr || item.offset == 0) return;
  // the header and special space lock_page() checks, and the item's line pointer
  __builtin_prefetch(page);
  __builtin_prefetch(page + BLCKSZ - MAXALIGN(format_.special_size));
  __builtin_prefetch(page + SizeOfPageHeaderData + sizeof(ItemIdData) * (item.offset - 1));
}

void PgPageStore::prefetch_item(core::ItemAddress item, std::size_t bytes) noexcept {
  const char* page = remembered_page(item.block);
  if (page == nullptr || item.offset == 0) return;
  ItemIdData id;
  std::memcpy(&id, page + SizeOfPageHeaderData + sizeof(ItemIdData) * (item.offset - 1), sizeof id);
  std::size_t at = ItemIdGetOffset(&id);
  if (at < SizeOfPageHeaderData || at >= BLCKSZ) return;
  std::size_t end = std::min<std::size_t>(at + std::min<std::size_t>(ItemIdGetLength(&id), bytes), BLCKSZ);
  for (std::size_t line = at & ~std::size_t{63}; line < end; line += 64) __builtin_prefetch(page + line);
}

core::Status PgPageStore::lock_page(std::uint32_t block, bool new_is_empty, Buffer* buffer,
                                    Page* page) noexcept {
  bool ok = false;
  VECSIM_RETURN_IF_ERROR(pg_call([&]() noexcept {
    if (vacuum_) VECSIM_VACUUM_DELAY_POINT();
    *buffer = fork_ == MAIN_FORKNUM ? read_main_fork(index_, block)
                                    : ReadBufferExtended(index_, fork_, block, RBM_NORMAL, nullptr);
    LockBuffer(*buffer, BUFFER_LOCK_SHARE);
    *page = BufferGetPage(*buffer);
    ok = is_own_page(*page);
    if (!ok && new_is_empty && PageIsNew(*page)) {
      ok = true;
      *page = nullptr;
    }
    if (!ok || *page == nullptr) UnlockReleaseBuffer(*buffer);
  }));
  return ok ? core::Status::ok() : corrupt("has a page that is not its own", block, 0);
}

bool PgPageStore::find_item(Page page, std::uint16_t offset, const unsigned char** item,
                            std::size_t* n) noexcept {
  if (offset < FirstOffsetNumber || offset > PageGetMaxOffsetNumber(page)) return false;
  ItemId id = PageGetItemId(page, offset);
  if (!ItemIdIsNormal(id)) return false;
  *item = reinterpret_cast<const unsigned char*>(PageGetItem(page, id));
  *n = ItemIdGetLength(id);
  return true;
}

core::Status PgPageStore::missing_item(std::uint32_t block, std::uint16_t offset) const noexcept {
  return corrupt("has no item", block, offset);
}

}  // namespace vecsim::pg

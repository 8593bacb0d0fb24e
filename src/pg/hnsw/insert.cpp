// src/pg/hnsw/insert.cpp
// aminsert: one row into a live index (docs/reference.md 8.8). The value is
// prepared as the build prepares it; then, under the writers' lock in
// share mode (inserts run concurrently with each other, not with vacuum),
// core inserts the element and links it in, each page change one generic
// WAL record, in the order that keeps the index valid after every record.
// An insert that would move the entry point (its level above the entry's,
// about 1 in m^(entry level)) writes nothing there and runs again under
// the lock in exclusive mode, alone, at the same level.
//
// INVARIANTS
//   The open index handle is cached for the statement in
//   IndexInfo->ii_AmCache (in ii_Context, destroyed with it by the slot's
//   reset callback). Each insert re-reads the metapage under the lock, so
//   another session's vacuum, or entry point move, is always seen. Levels are drawn
//   from a generator seeded from PostgreSQL's, different per statement.
#include "bridge/pg_call.h"
#include "hnsw/filter_columns.h"
#include "hnsw/handle_slot.h"
#include "hnsw/hnsw_am.h"
#include "page/pg_page_store.h"
#include "index/value_datum.h"

#include "pg.h"

extern "C" {
#include "nodes/execnodes.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

struct InsertCache {
  core::IndexOpclass opclass;
  HnswAttrRows attrs;  // the filter columns'
  PgPageStore store;
  HnswSlot<HnswIndexHandle>* slot;
  MemoryContext row_context;
};

InsertCache* insert_cache(Relation index, IndexInfo* info) {
  if (info->ii_AmCache != nullptr) return static_cast<InsertCache*>(info->ii_AmCache);
  require_own_index(index, kHnswPageFormat);
  MemoryContext caller = MemoryContextSwitchTo(info->ii_Context);
  auto* cache = static_cast<InsertCache*>(palloc(sizeof(InsertCache)));
  cache->opclass = hnsw_opclass_of(index);
  init_hnsw_attr_rows(&cache->attrs, index);
  new (&cache->store) PgPageStore(index, MAIN_FORKNUM, PgPageStore::Mode::kLogged, kHnswPageFormat);
  cache->row_context =
      AllocSetContextCreate(info->ii_Context, "vecsim hnsw insert", ALLOCSET_SMALL_SIZES);
  MemoryContextSwitchTo(caller);
  cache->slot = new_index_slot(info->ii_Context, cache->opclass, &cache->store);
  info->ii_AmCache = cache;
  return cache;
}

}  // namespace

bool hnsw_insert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                 IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo* info) {
  if (isnull[0]) return false;
  InsertCache* cache = insert_cache(index, info);
  MemoryContext caller = MemoryContextSwitchTo(cache->row_context);
  core::ValueRef value;
  if (index_value_of(cache->opclass, values[0], &core::kHnswValueLimits, &value)) {
    HnswIndexHandle* handle = cache->slot->handle;
    const core::ValueRef attrs = hnsw_attr_row(&cache->attrs, index, values, isnull);
    int level = 0;
    raise_pending_or(handle->draw_insert_level(value.size, &level));
    bool deferred = true;
    for (LOCKMODE mode : {ShareLock, ExclusiveLock}) {
      if (!deferred) break;
      LockPage(index, kWriterLockPage, mode);
      core::Status st = cache->store.refresh_page_count();
      if (st.is_ok()) {
        st = handle->insert(value, attrs, level, ItemPointerGetBlockNumber(heap_tid),
                            ItemPointerGetOffsetNumber(heap_tid), mode == ExclusiveLock, &deferred);
      }
      UnlockPage(index, kWriterLockPage, mode);
      raise_pending_or(st);
    }
  }
  MemoryContextSwitchTo(caller);
  MemoryContextReset(cache->row_context);
  return false;
}

}  // namespace vecsim::pg

// src/pg/ivfflat/insert.cpp
// aminsert: one row into a live index (docs/ivfflat.md, "Insert"). The
// value is prepared as the build prepares it and appended to the list of
// its nearest centre (the centres never change after the build; REINDEX
// retrains). Appends run concurrently; extending a list's chain takes
// that list's lock (ivfflat_am.h).
//
// INVARIANTS
//   The open index is cached for the statement in IndexInfo->ii_AmCache (in
//   ii_Context, destroyed with it). The metapage is read once per
//   statement: it never changes after the build. Every page change is one
//   generic WAL record.
#include "bridge/pg_call.h"
#include "index/value_datum.h"
#include "ivfflat/ivf_handle.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "nodes/execnodes.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

struct InsertCache {
  IvfHandle* handle;
  core::IvfHooks locks;
  MemoryContext row_context;
};

InsertCache* insert_cache(Relation index, IndexInfo* info) {
  if (info->ii_AmCache != nullptr) return static_cast<InsertCache*>(info->ii_AmCache);
  require_own_index(index, kIvfflatPageFormat);
  MemoryContext caller = MemoryContextSwitchTo(info->ii_Context);
  auto* cache = static_cast<InsertCache*>(palloc(sizeof(InsertCache)));
  cache->handle = new_ivf_handle(info->ii_Context, index, MAIN_FORKNUM, PgPageStore::Mode::kLogged,
                                 ivfflat_opclass_of(index));
  cache->locks = ivf_list_locks(index);
  cache->row_context = AllocSetContextCreate(info->ii_Context, "vecsim ivfflat insert", ALLOCSET_SMALL_SIZES);
  MemoryContextSwitchTo(caller);
  raise_pending_or(cache->handle->store.refresh_page_count());
  raise_pending_or(cache->handle->index.open());
  info->ii_AmCache = cache;
  return cache;
}

}  // namespace

bool ivfflat_insert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                    IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo* info) {
  if (isnull[0]) return false;
  InsertCache* cache = insert_cache(index, info);
  IvfHandle* h = cache->handle;
  MemoryContext caller = MemoryContextSwitchTo(cache->row_context);
  core::ValueRef value;
  if (index_value_of(h->opclass, values[0], nullptr, &value)) {
    if (value.size != h->index.meta().value_bytes) {
      check_dims_match(h->opclass.kind, h->index.meta().dims, PG_DETOAST_DATUM(values[0]));
    }
    std::uint32_t list = 0;
    float distance = 0;
    // No page count refresh: a chain that reaches a page past the cached
    // count refreshes it (IvfIndex::check_hops).
    core::Status st = h->index.nearest_list(value, &h->scratch, &list, &distance);
    if (st.is_ok()) {
      st = h->index.append(list, value, ItemPointerGetBlockNumber(heap_tid), ItemPointerGetOffsetNumber(heap_tid),
                           &cache->locks);
    }
    raise_pending_or(st);
  }
  MemoryContextSwitchTo(caller);
  MemoryContextReset(cache->row_context);
  return false;
}

}  // namespace vecsim::pg

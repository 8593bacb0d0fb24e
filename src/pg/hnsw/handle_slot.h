// src/pg/hnsw/handle_slot.h
// Cross-call ownership of a core handle (docs/architecture.md, "Memory"): storage for one
// HnswIndexHandle or HnswBuildHandle in a memory context, with a reset
// callback that destroys the handle when the context is reset or deleted,
// whether by the owner at the end of its work or by an aborting
// transaction after an error or a cancel.
//
// INVARIANTS
//   slot->handle is null or a live handle constructed in slot->storage.
//   The callback only runs the destructor, which only frees memory.
#pragma once

#include <new>

#include "bridge/pg_call.h"
#include "hnsw/hnsw_handles.h"

#include "pg.h"

namespace vecsim::pg {

template <class Handle>
struct HandleSlot {
  Handle* handle;
  MemoryContextCallback on_reset;
  alignas(MAXIMUM_ALIGNOF) unsigned char storage[kHnswHandleBytes];

  static void destroy(void* arg) {
    auto* slot = static_cast<HandleSlot*>(arg);
    if (slot->handle != nullptr) {
      slot->handle->~Handle();
      slot->handle = nullptr;
    }
  }
};

// PG zone: allocates an empty slot in context.
template <class Handle>
HandleSlot<Handle>* new_handle_slot(MemoryContext context) {
  auto* slot = static_cast<HandleSlot<Handle>*>(
      MemoryContextAllocZero(context, sizeof(HandleSlot<Handle>)));
  slot->on_reset.func = &HandleSlot<Handle>::destroy;
  slot->on_reset.arg = slot;
  MemoryContextRegisterResetCallback(context, &slot->on_reset);
  return slot;
}

// PG zone: a slot in context holding a new index handle for opclass over
// store, its level generator seeded from PostgreSQL's.
inline HandleSlot<HnswIndexHandle>* new_index_slot(MemoryContext context,
                                                   core::IndexOpclass opclass, PgPageStore* store) {
  HandleSlot<HnswIndexHandle>* slot = new_handle_slot<HnswIndexHandle>(context);
  HnswIndexHandle* handle = nullptr;
  raise_pending_or(make_hnsw_index(opclass, store, VECSIM_RANDOM_U64(),
                                   slot->storage, &handle));
  slot->handle = handle;
  return slot;
}

}  // namespace vecsim::pg

// src/pg/hnsw/handle_slot.h
// hnsw's handles in slots of index/handle_slot.h: the handles are opaque
// (compiled in hnsw_handles.cpp and build_handle_*.cpp), so their slots
// have the fixed size kHnswHandleBytes.
#pragma once

#include <new>

#include "bridge/pg_call.h"
#include "hnsw/hnsw_handles.h"
#include "index/handle_slot.h"

#include "pg.h"

namespace vecsim::pg {

template <class Handle>
using HnswSlot = HandleSlot<Handle, kHnswHandleBytes>;

// PG zone: a slot in context holding a new index handle for opclass over
// store, its level generator seeded from PostgreSQL's.
inline HnswSlot<HnswIndexHandle>* new_index_slot(MemoryContext context,
                                                 core::IndexOpclass opclass, PgPageStore* store) {
  HnswSlot<HnswIndexHandle>* slot = new_handle_slot<HnswIndexHandle, kHnswHandleBytes>(context);
  HnswIndexHandle* handle = nullptr;
  raise_pending_or(make_hnsw_index(opclass, store, VECSIM_RANDOM_U64(),
                                   slot->storage, &handle));
  slot->handle = handle;
  return slot;
}

}  // namespace vecsim::pg

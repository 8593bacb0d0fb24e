// src/pg/index/handle_slot.h
// Cross-call ownership of a C++ object of core's (docs/architecture.md,
// "Memory"), for every access method: storage for one Handle in a memory
// context, with a reset callback that destroys it when the context is
// reset or deleted, whether by the owner at the end of its work or by an
// aborting transaction after an error or a cancel. C++ memory the handle
// owns (its vectors) is freed so; nothing leaks across queries.
//
// INVARIANTS
//   slot->handle is null or a live Handle constructed in slot->storage.
//   The callback only runs the destructor, which only frees memory.
#pragma once

#include <cstddef>
#include <new>
#include <utility>

#include "pg.h"

extern "C" {
#include "utils/memutils.h"
}

namespace vecsim::pg {

template <class Handle, std::size_t Bytes = sizeof(Handle)>
struct HandleSlot {
  Handle* handle;
  MemoryContextCallback on_reset;
  alignas(MAXIMUM_ALIGNOF) alignas(Handle) unsigned char storage[Bytes];

  static void destroy(void* arg) {
    auto* slot = static_cast<HandleSlot*>(arg);
    if (slot->handle != nullptr) {
      slot->handle->~Handle();
      slot->handle = nullptr;
    }
  }
};

// PG zone: allocates an empty slot in context.
template <class Handle, std::size_t Bytes = sizeof(Handle)>
HandleSlot<Handle, Bytes>* new_handle_slot(MemoryContext context) {
  using Slot = HandleSlot<Handle, Bytes>;
  auto* slot = static_cast<Slot*>(MemoryContextAllocZero(context, sizeof(Slot)));
  slot->on_reset.func = &Slot::destroy;
  slot->on_reset.arg = slot;
  MemoryContextRegisterResetCallback(context, &slot->on_reset);
  return slot;
}

// PG zone: a slot in context holding Handle(args...). The constructor
// must not throw (core's handles allocate later, behind a Status).
template <class Handle, class... Args>
Handle* new_owned(MemoryContext context, Args&&... args) {
  static_assert(std::is_nothrow_constructible_v<Handle, Args...>);
  HandleSlot<Handle>* slot = new_handle_slot<Handle>(context);
  slot->handle = new (slot->storage) Handle(std::forward<Args>(args)...);
  return slot->handle;
}

}  // namespace vecsim::pg

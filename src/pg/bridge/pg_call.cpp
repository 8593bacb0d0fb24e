// src/pg/bridge/pg_call.cpp
// The sigsetjmp barrier of pg_call.h and the pending-error slot.
#include "bridge/pg_call.h"

#include "bridge/error.h"

#include "pg.h"

namespace vecsim::pg {
namespace {

// The backend's one parked error (PostgreSQL backends are single-threaded).
// It is copied into the caller's memory context, which the transaction's
// abort cleans up after the re-raise.
ErrorData* g_pending = nullptr;

}  // namespace

core::Status pg_call_raw(void (*fn)(void*), void* arg) noexcept {
  if (g_pending != nullptr) {
    return core::Status::error(core::ErrorCode::kInternal, "an earlier PostgreSQL call failed");
  }
  MemoryContext volatile caller_context = CurrentMemoryContext;
  volatile bool failed = false;
  PG_TRY();
  {
    CHECK_FOR_INTERRUPTS();
    fn(arg);
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller_context);
    g_pending = CopyErrorData();
    FlushErrorState();
    failed = true;
  }
  PG_END_TRY();
  if (failed) return core::Status::error(core::ErrorCode::kInternal, "a PostgreSQL call failed");
  return core::Status::ok();
}

bool pg_error_pending() noexcept { return g_pending != nullptr; }

void forget_pending_error() noexcept {
  if (g_pending != nullptr) {
    FreeErrorData(g_pending);
    g_pending = nullptr;
  }
}

void raise_pending_or(const core::Status& status) {
  if (g_pending != nullptr) {
    ErrorData* error = g_pending;
    g_pending = nullptr;
    ReThrowError(error);
  }
  if (status.code() == core::ErrorCode::kCancelled) CHECK_FOR_INTERRUPTS();
  raise_if_error(status);
}

}  // namespace vecsim::pg

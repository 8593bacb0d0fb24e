// src/pg/bridge/pg_call.cpp
// The sigsetjmp barrier of pg_call.h and the pending-error slot.
#include "bridge/pg_call.h"

#include "bridge/error.h"

#include "pg.h"

extern "C" {
#include "access/xact.h"
#include "utils/memutils.h"
}

namespace vecsim::pg {
namespace {

// The backend's one parked error (PostgreSQL backends are single-threaded).
// It is copied into TopTransactionContext (TopMemoryContext outside a
// transaction), which outlives whatever context the failed call ran in:
// the caller may reset its own context before it re-raises. The abort
// that follows the re-raise (or any abort) forgets it.
ErrorData* g_pending = nullptr;

void forget_on_abort(XactEvent event, void*) {
  if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT) g_pending = nullptr;
}

void forget_on_subabort(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  if (event == SUBXACT_EVENT_ABORT_SUB) g_pending = nullptr;
}

}  // namespace

core::Status pg_call_raw(void (*fn)(void*), void* arg) noexcept {
  if (g_pending != nullptr) {
    return core::Status::error(core::ErrorCode::kInternal, "an earlier PostgreSQL call failed");
  }
  MemoryContext volatile caller_context = CurrentMemoryContext;
  // errfinish() zeroes the holdoff counts on ERROR (PostgreSQL expects the
  // longjmp to end the section); this barrier returns to the section
  // instead, whose RESUME_INTERRUPTS() must find them as they were.
  const uint32 interrupt_holdoff = InterruptHoldoffCount;
  const uint32 cancel_holdoff = QueryCancelHoldoffCount;
  const uint32 crit_section = CritSectionCount;
  volatile bool failed = false;
  PG_TRY();
  {
    CHECK_FOR_INTERRUPTS();
    fn(arg);
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(TopTransactionContext ? TopTransactionContext : TopMemoryContext);
    g_pending = CopyErrorData();
    MemoryContextSwitchTo(caller_context);
    FlushErrorState();
    InterruptHoldoffCount = interrupt_holdoff;
    QueryCancelHoldoffCount = cancel_holdoff;
    CritSectionCount = crit_section;
    failed = true;
  }
  PG_END_TRY();
  if (failed) return core::Status::error(core::ErrorCode::kInternal, "a PostgreSQL call failed");
  return core::Status::ok();
}

void register_pg_call_callbacks() {
  RegisterXactCallback(forget_on_abort, nullptr);
  RegisterSubXactCallback(forget_on_subabort, nullptr);
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

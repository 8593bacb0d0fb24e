// src/pg/bridge/pg_call.h
// The vecsim -> PostgreSQL half of the error boundary (docs/architecture.md,
// "The error boundary"): core code that must call PostgreSQL (a page store
// reading a buffer) does it through pg_call, which puts a sigsetjmp barrier
// around that one call.
//
//   core::Status st = pg_call([&]() noexcept { buf = ReadBuffer(rel, block); });
//
// If PostgreSQL raises an error inside, pg_call restores the memory
// context, copies the error into the backend's one pending-error slot,
// flushes the error state and returns a failed Status; core unwinds as
// from any other failure. The entry point's epilogue then calls
// raise_pending_or(status), which re-raises the parked error with its
// SQLSTATE, detail and hint intact.
//
// INVARIANTS
//   While an error is pending, every pg_call fails at once without
//   entering PostgreSQL, so nothing new happens between the error and its
//   re-raise. The trampoline's frame owns nothing with a destructor, and the
//   callable is noexcept (checked at compile time): it runs PostgreSQL code
//   only. Never call pg_call from a destructor. Every pg_call also checks
//   for interrupts first, so long core loops over pages honour query cancel.
#pragma once

#include <type_traits>

#include "util/status.h"

namespace vecsim::pg {

// Runs fn(arg) behind the barrier (see above).
core::Status pg_call_raw(void (*fn)(void*), void* arg) noexcept;

// f must be declared noexcept (a lambda: [&]() noexcept { ... }): it runs
// PostgreSQL code only, and an exception thrown through the sigsetjmp
// frame would skip the barrier's clean-up.
template <class F>
core::Status pg_call(F&& f) noexcept {
  static_assert(std::is_nothrow_invocable_v<F&>, "pg_call runs only noexcept callables");
  return pg_call_raw([](void* p) { (*static_cast<F*>(p))(); }, const_cast<void*>(static_cast<const void*>(&f)));
}

// Epilogue of an entry point that used pg_call (PG zone): re-raises the
// pending PostgreSQL error if there is one, else raises status if it is an
// error (a kCancelled status runs CHECK_FOR_INTERRUPTS first).
void raise_pending_or(const core::Status& status);

// From _PG_init: forget a pending error when a (sub)transaction aborts.
void register_pg_call_callbacks();

}  // namespace vecsim::pg

// src/pg/bridge/error.h
// The C++ -> PostgreSQL half of the error boundary (docs/architecture.md, "The error boundary").
//
// Every SQL-callable function is written in three zones:
//   (a) prologue, PG zone: read and detoast arguments, palloc outputs; only
//       trivially destructible locals;
//   (b) body: core work through core's noexcept API, which reports failure
//       as a Status (trivially destructible, see util/status.h);
//   (c) epilogue, PG zone: raise_if_error(status), then return the Datum.
// So ereport() only ever runs in frames that own nothing with a destructor.
// Any C++ exception that still escapes a body is caught by the entry guard
// (fmgr_glue.h for SQL-callable functions, am_guard.h for access-method
// callbacks) and raised after the C++ stack has unwound.
#pragma once

#include "util/status.h"

namespace vecsim::pg {

// Raises status as ereport(ERROR) with its SQLSTATE, message, detail and
// hint. Only call from a PG zone.
[[noreturn]] void raise_error(const core::Status& status);

inline void raise_if_error(const core::Status& status) {
  if (!status.is_ok()) raise_error(status);
}

// What an entry guard raises once a C++ exception it caught is gone:
// 53200 for std::bad_alloc, XX000 for anything else.
[[noreturn]] void raise_escaped_exception(bool out_of_memory);

}  // namespace vecsim::pg

// src/pg/bridge/error.h
// The C++ -> PostgreSQL half of the error boundary (STYLE.md section 2).
//
// Every SQL-callable function is written in three zones:
//   (a) prologue, PG zone: read and detoast arguments, palloc outputs; only
//       trivially destructible locals;
//   (b) body: core work, called through core_call() when it returns a
//       Status; every object with a destructor is born and dies inside it;
//   (c) epilogue, PG zone: raise_if_error(status), then return the Datum.
// So ereport() only ever runs in frames that own nothing with a destructor,
// and no C++ exception can leave an extern "C" function.
//
// Core kernels that return plain values (distances) are noexcept and cannot
// fail; they are called directly, without core_call.
#pragma once

#include <new>

#include "util/status.h"

namespace vecsim::pg {

// Runs a core body and returns its Status. Core's API is noexcept; this
// catch is the second line of defence for bodies written in the shim.
template <class Body>
core::Status core_call(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return core::Status::error(core::ErrorCode::kOutOfMemory, "out of memory");
  } catch (...) {
    return core::Status::error(core::ErrorCode::kInternal, "unexpected C++ exception in vecsim");
  }
}

// Raises status as ereport(ERROR) with its SQLSTATE, message, detail and
// hint. Only call from a PG zone.
[[noreturn]] void raise_error(const core::Status& status);

inline void raise_if_error(const core::Status& status) {
  if (!status.is_ok()) raise_error(status);
}

}  // namespace vecsim::pg

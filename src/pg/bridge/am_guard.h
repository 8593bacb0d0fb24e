// src/pg/bridge/am_guard.h
// The entry guard for access-method callbacks, the counterpart of
// fmgr_glue.h's for SQL-callable functions: PostgreSQL calls an AM through
// the function pointers of its IndexAmRoutine, and each pointer is set to
// the guarded version of the callback,
//
//   am->ambuild = VECSIM_AM_GUARD(hnsw_build);
//
// which runs the callback inside try/catch. A C++ exception that escapes
// it is caught, its catch block ends (so the exception object is gone and
// the C++ runtime's state is clean), and then the error is raised from this
// frame, which holds nothing with a destructor; a PostgreSQL error raised
// inside the callback longjmps through the same frame untouched.
//
// INVARIANTS
//   The guarded function has the callback's exact signature (it is
//   stamped out from it), so the IndexAmRoutine assignment type-checks.
//   Zero-cost exception handling: nothing is paid on the normal path.
#pragma once

#include <new>

#include "bridge/error.h"

namespace vecsim::pg {

template <auto Callback>
struct AmGuard;

template <class R, class... Args, R (*Callback)(Args...)>
struct AmGuard<Callback> {
  static R call(Args... args) {
    bool out_of_memory = false;
    try {
      return Callback(args...);
    } catch (const std::bad_alloc&) {
      out_of_memory = true;
    } catch (...) {
    }
    raise_escaped_exception(out_of_memory);
  }
};

}  // namespace vecsim::pg

#define VECSIM_AM_GUARD(callback) (&::vecsim::pg::AmGuard<&(callback)>::call)

// src/pg/bridge/fmgr_glue.h
// Stamps out one SQL-callable C function from a template instance, behind
// the entry guard.
//
//   VECSIM_FUNCTION(vecsim_vector_in, dense_in<core::F32Traits>)
//
// defines the extern "C" symbol vecsim_vector_in and its pg_finfo record (V1
// calling convention). The SQL script names the symbol in CREATE FUNCTION
// ... AS 'MODULE_PATHNAME', 'vecsim_vector_in'.
//
// THE GUARD (docs/architecture.md, "The error boundary")
//   guarded<F> runs F inside try/catch. A C++ exception is caught, its catch
//   block only records which kind it was and ends (so the exception object
//   is destroyed and the C++ runtime's state is clean), and then the error
//   is raised from a frame that holds nothing with a destructor. A PostgreSQL error raised inside F longjmps out through this
//   frame, which owns nothing with a destructor either. Zero-cost exception
//   handling means the guard costs nothing on the normal path.
#pragma once

#include <new>

#include "bridge/error.h"
#include "util/status.h"

#include "pg.h"

namespace vecsim::pg {

using FmgrBody = Datum (*)(FunctionCallInfo);

template <FmgrBody Body>
Datum guarded(FunctionCallInfo fcinfo) {
  bool out_of_memory = false;
  try {
    return Body(fcinfo);
  } catch (const std::bad_alloc&) {
    out_of_memory = true;
  } catch (...) {
  }
  raise_escaped_exception(out_of_memory);
}

}  // namespace vecsim::pg

#define VECSIM_FUNCTION(symbol, ...)                                     \
  extern "C" {                                                           \
  VECSIM_EXPORT Datum symbol(PG_FUNCTION_ARGS);                          \
  PG_FUNCTION_INFO_V1(symbol);                                           \
  Datum symbol(PG_FUNCTION_ARGS) {                                       \
    return ::vecsim::pg::guarded<__VA_ARGS__>(fcinfo);                   \
  }                                                                      \
  }

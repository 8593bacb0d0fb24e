// src/pg/bridge/fmgr_glue.h
// Stamps out one SQL-callable C function from a template instance.
//
//   VECSIM_FUNCTION(vecsim_vector_in, (dense_in<core::F32Traits>))
//
// defines the extern "C" symbol vecsim_vector_in, its pg_finfo record (V1
// calling convention), and forwards to the template. The SQL script names
// the symbol in CREATE FUNCTION ... AS 'MODULE_PATHNAME', 'vecsim_vector_in'.
#pragma once

#include "pg.h"

#define VECSIM_FUNCTION(symbol, impl)                                     \
  extern "C" {                                                            \
  VECSIM_EXPORT Datum symbol(PG_FUNCTION_ARGS);                           \
  PG_FUNCTION_INFO_V1(symbol);                                            \
  Datum symbol(PG_FUNCTION_ARGS) { return impl(fcinfo); }                 \
  }

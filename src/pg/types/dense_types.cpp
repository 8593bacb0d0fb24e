// src/pg/types/dense_types.cpp
// The SQL-callable C functions of `vector` and `halfvec`: one table of the
// functions every dense type has, stamped out once per element type, plus
// the common table (function_table.h). The SQL declarations are generated
// from src/pg/sql/{type_io,common,dense}.sql.in with the same names.
// Core headers first, PostgreSQL's (through the shim headers) last: docs/architecture.md, "What each layer may include" (the last paragraph).
#include "kernels/distance.h"
#include "types/dense_avg.h"
#include "types/dense_binary.h"
#include "types/dense_checks.h"
#include "types/dense_layout.h"
#include "types/dense_ops.h"
#include "types/dense_text.h"
#include "types/element_traits.h"
#include "util/status.h"

#include "bridge/fmgr_glue.h"
#include "types/dense_aggregate_fmgr.h"
#include "types/dense_cast_fmgr.h"
#include "types/dense_io_fmgr.h"
#include "types/dense_ops_fmgr.h"
#include "types/function_table.h"

using namespace vecsim::pg;
using namespace vecsim::core;

// clang-format off
#define VECSIM_DENSE_FUNCTIONS(name, Traits)                                                        \
  VECSIM_COMMON_FUNCTIONS(name, DenseType<Traits>, Traits)                                         \
  VECSIM_FUNCTION(vecsim_##name##_in, dense_in<Traits>)                                             \
  VECSIM_FUNCTION(vecsim_##name##_out, dense_out<Traits>)                                           \
  VECSIM_FUNCTION(vecsim_##name##_recv, dense_recv<Traits>)                                         \
  VECSIM_FUNCTION(vecsim_##name##_send, dense_send<Traits>)                                         \
  VECSIM_FUNCTION(vecsim_##name##_from_array, array_to_dense<Traits>)                               \
  VECSIM_FUNCTION(vecsim_##name##_to_float4, dense_to_float4_array<Traits>)                         \
  VECSIM_FUNCTION(vecsim_##name##_spherical_distance, type_distance<DenseType<Traits>, SphericalMetric>) \
  VECSIM_FUNCTION(vecsim_##name##_add, dense_arithmetic<Traits, AddOp>)                             \
  VECSIM_FUNCTION(vecsim_##name##_sub, dense_arithmetic<Traits, SubOp>)                             \
  VECSIM_FUNCTION(vecsim_##name##_mul, dense_arithmetic<Traits, MulOp>)                             \
  VECSIM_FUNCTION(vecsim_##name##_concat, dense_concat<Traits>)                                     \
  VECSIM_FUNCTION(vecsim_##name##_dims, dense_dims<Traits>)                                         \
  VECSIM_FUNCTION(vecsim_##name##_l2_normalize, dense_normalize<Traits>)                            \
  VECSIM_FUNCTION(vecsim_##name##_subvector, dense_subvector<Traits>)                               \
  VECSIM_FUNCTION(vecsim_##name##_binary_quantize, dense_binary_quantize<Traits>)                   \
  VECSIM_FUNCTION(vecsim_##name##_accum, dense_accum<Traits>)                                       \
  VECSIM_FUNCTION(vecsim_##name##_combine, dense_combine<Traits>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_avg, dense_avg<Traits>)
// clang-format on

VECSIM_DENSE_FUNCTIONS(vector, F32Traits)
VECSIM_DENSE_FUNCTIONS(halfvec, F16Traits)

// src/pg/types/vector.cpp
// The SQL-callable functions of the `vector` type: one line per C symbol,
// each an instance of the templates shared by all dense types. The SQL
// declarations are beside this file, in vector.sql.
// Core headers first, PostgreSQL's (through the shim headers) last: STYLE.md 1.
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

namespace vecsim::pg {
using V = core::F32Traits;
}  // namespace vecsim::pg

using namespace vecsim::pg;
using namespace vecsim::core;

// I/O
VECSIM_FUNCTION(vecsim_vector_in, dense_in<V>)
VECSIM_FUNCTION(vecsim_vector_out, dense_out<V>)
VECSIM_FUNCTION(vecsim_vector_typmod_in, dense_typmod_in<V>)
VECSIM_FUNCTION(vecsim_vector_recv, dense_recv<V>)
VECSIM_FUNCTION(vecsim_vector_send, dense_send<V>)

// Casts
VECSIM_FUNCTION(vecsim_vector, dense_typmod_cast<V>)
VECSIM_FUNCTION(vecsim_array_to_vector, array_to_dense<V>)
VECSIM_FUNCTION(vecsim_vector_to_float4, dense_to_float4_array<V>)

// Distances
VECSIM_FUNCTION(vecsim_vector_l2_distance, dense_distance<V, L2Metric>)
VECSIM_FUNCTION(vecsim_vector_l2_squared_distance, dense_distance<V, L2SquaredMetric>)
VECSIM_FUNCTION(vecsim_vector_inner_product, dense_distance<V, InnerProductMetric>)
VECSIM_FUNCTION(vecsim_vector_negative_inner_product, dense_distance<V, NegativeInnerProductMetric>)
VECSIM_FUNCTION(vecsim_vector_cosine_distance, dense_distance<V, CosineMetric>)
VECSIM_FUNCTION(vecsim_vector_l1_distance, dense_distance<V, L1Metric>)
VECSIM_FUNCTION(vecsim_vector_spherical_distance, dense_distance<V, SphericalMetric>)

// Arithmetic
VECSIM_FUNCTION(vecsim_vector_add, dense_arithmetic<V, AddOp>)
VECSIM_FUNCTION(vecsim_vector_sub, dense_arithmetic<V, SubOp>)
VECSIM_FUNCTION(vecsim_vector_mul, dense_arithmetic<V, MulOp>)
VECSIM_FUNCTION(vecsim_vector_concat, dense_concat<V>)

// Ordering
VECSIM_FUNCTION(vecsim_vector_lt, dense_compare<V, LtVerdict>)
VECSIM_FUNCTION(vecsim_vector_le, dense_compare<V, LeVerdict>)
VECSIM_FUNCTION(vecsim_vector_eq, dense_compare<V, EqVerdict>)
VECSIM_FUNCTION(vecsim_vector_ne, dense_compare<V, NeVerdict>)
VECSIM_FUNCTION(vecsim_vector_ge, dense_compare<V, GeVerdict>)
VECSIM_FUNCTION(vecsim_vector_gt, dense_compare<V, GtVerdict>)
VECSIM_FUNCTION(vecsim_vector_cmp, dense_compare<V, CmpVerdict>)

// Other functions
VECSIM_FUNCTION(vecsim_vector_dims, dense_dims<V>)
VECSIM_FUNCTION(vecsim_vector_norm, dense_norm<V>)
VECSIM_FUNCTION(vecsim_vector_l2_normalize, dense_normalize<V>)
VECSIM_FUNCTION(vecsim_vector_subvector, dense_subvector<V>)
VECSIM_FUNCTION(vecsim_vector_binary_quantize, dense_binary_quantize<V>)

// avg() support
VECSIM_FUNCTION(vecsim_vector_accum, dense_accum<V>)
VECSIM_FUNCTION(vecsim_vector_combine, dense_combine<V>)
VECSIM_FUNCTION(vecsim_vector_avg, dense_avg<V>)

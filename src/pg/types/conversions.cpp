// src/pg/types/conversions.cpp
// The cast functions between the three vector types (docs/reference.md 4).
// Core headers first, PostgreSQL's (through the shim headers) last: docs/architecture.md, "What each layer may include" (the last paragraph).
#include "types/element_traits.h"
#include "types/sparse_ops.h"

#include "bridge/fmgr_glue.h"
#include "types/dense_cast_fmgr.h"
#include "types/sparse_fmgr.h"

using namespace vecsim::pg;
using namespace vecsim::core;

VECSIM_FUNCTION(vecsim_vector_to_halfvec, dense_convert<F32Traits, F16Traits>)
VECSIM_FUNCTION(vecsim_halfvec_to_vector, dense_convert<F16Traits, F32Traits>)
VECSIM_FUNCTION(vecsim_vector_to_sparsevec, dense_to_sparse<F32Traits>)
VECSIM_FUNCTION(vecsim_halfvec_to_sparsevec, dense_to_sparse<F16Traits>)
VECSIM_FUNCTION(vecsim_sparsevec_to_vector, sparse_to_dense<F32Traits>)
VECSIM_FUNCTION(vecsim_sparsevec_to_halfvec, sparse_to_dense<F16Traits>)

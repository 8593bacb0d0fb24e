// src/pg/types/sparsevec.cpp
// The SQL-callable C functions of `sparsevec`: the common table
// (function_table.h) over SparseType, its I/O and its own functions.
// Core headers first, PostgreSQL's (through the shim headers) last: docs/architecture.md, "What each layer may include" (the last paragraph).
#include "kernels/distance.h"
#include "types/element_traits.h"
#include "types/sparse_binary.h"
#include "types/sparse_layout.h"
#include "types/sparse_ops.h"
#include "types/sparse_text.h"
#include "util/status.h"

#include "bridge/fmgr_glue.h"
#include "types/function_table.h"
#include "types/sparse_fmgr.h"
#include "types/sparse_io_fmgr.h"

using namespace vecsim::pg;
using namespace vecsim::core;

VECSIM_COMMON_FUNCTIONS(sparsevec, SparseType, SparseTraits)
VECSIM_FUNCTION(vecsim_sparsevec_in, sparse_in)
VECSIM_FUNCTION(vecsim_sparsevec_out, sparse_out)
VECSIM_FUNCTION(vecsim_sparsevec_recv, sparse_recv)
VECSIM_FUNCTION(vecsim_sparsevec_send, sparse_send)
VECSIM_FUNCTION(vecsim_sparsevec_from_array, array_to_sparse)
VECSIM_FUNCTION(vecsim_sparsevec_l2_normalize, sparse_normalize)

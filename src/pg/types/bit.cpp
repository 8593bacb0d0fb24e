// src/pg/types/bit.cpp
// The SQL-callable distances on PostgreSQL's bit type (docs/reference.md 3.8); the
// SQL declarations are src/pg/sql/bit.sql.
// Core headers first, PostgreSQL's (through the shim headers) last: docs/architecture.md, "What each layer may include" (the last paragraph).
#include "kernels/kernel_table.h"

#include "bridge/fmgr_glue.h"
#include "types/bit_fmgr.h"

using namespace vecsim::pg;

VECSIM_FUNCTION(vecsim_bit_hamming_distance, bit_hamming)
VECSIM_FUNCTION(vecsim_bit_jaccard_distance, bit_jaccard)

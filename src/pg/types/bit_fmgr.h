// src/pg/types/bit_fmgr.h
// hamming_distance and jaccard_distance on PostgreSQL's bit type
// (docs/reference.md 3.8, 7.2), through the popcount kernels of the active table.
//
// INVARIANTS
//   Both operands must have the same bit length (22000). PostgreSQL keeps
//   the unused low bits of the last byte zero, so counting whole bytes is
//   exact. Jaccard is 1 - |a AND b| / |a OR b|, and 1 when |a AND b| = 0
//   (also for two empty or all-zero strings).
#pragma once

#include "bridge/error.h"
#include "kernels/kernel_table.h"
#include "types/dense_checks.h"

#include "pg.h"

namespace vecsim::pg {

inline void bit_operands(FunctionCallInfo fcinfo, VarBit** a, VarBit** b) {
  *a = PG_GETARG_VARBIT_P(0);
  *b = PG_GETARG_VARBIT_P(1);
  if (VARBITLEN(*a) != VARBITLEN(*b)) {
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("different bit lengths %d and %d", VARBITLEN(*a), VARBITLEN(*b))));
  }
}

inline Datum bit_hamming(PG_FUNCTION_ARGS) {
  VarBit* a = nullptr;
  VarBit* b = nullptr;
  bit_operands(fcinfo, &a, &b);
  std::uint64_t n = core::kernels().bit.hamming(VARBITS(a), VARBITS(b), VARBITBYTES(a));
  PG_RETURN_FLOAT8(static_cast<double>(n));
}

inline Datum bit_jaccard(PG_FUNCTION_ARGS) {
  VarBit* a = nullptr;
  VarBit* b = nullptr;
  bit_operands(fcinfo, &a, &b);
  core::JaccardTerms t = core::kernels().bit.jaccard(VARBITS(a), VARBITS(b), VARBITBYTES(a));
  if (t.both == 0) PG_RETURN_FLOAT8(1.0);
  PG_RETURN_FLOAT8(1.0 - static_cast<double>(t.both) / static_cast<double>(t.either));
}

}  // namespace vecsim::pg

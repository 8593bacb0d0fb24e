// src/pg/pg.h
// The one door to PostgreSQL's headers for the shim.
//
// INVARIANTS
//   Include it last in every shim .cpp, after the standard and core headers:
//   PostgreSQL's headers rename the printf family and define Min, Max and
//   Assert, which must not leak into core code parsed after them.
//   Everything PostgreSQL declares is given C linkage here.
#pragma once

#include "compat.h"

extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/pg_prng.h"
#include "common/shortest_dec.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/varbit.h"
}

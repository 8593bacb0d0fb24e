// src/pg/index/build_workers.h
// What the two access methods' builds share before they differ:
//   - the helper threads (hnsw's graph, ivfflat's k-means and assignment):
//     as many as PostgreSQL would give the build as parallel workers
//     (plan_create_index_workers), counting the table's TOAST pages too;
//     the threads belong to this backend and never call PostgreSQL;
//   - the column's dimensions checked against what the AM's pages hold
//     (docs/reference.md 7.4).
#pragma once

#include <cstdint>

#include "index/value_kind.h"

#include "pg.h"

extern "C" {
#include "utils/rel.h"
}

namespace vecsim::pg {

// PG zone. The number of helpers besides the calling thread (0: serial).
int build_helper_threads(Relation heap, Relation index);

// PG zone. The threads of heap's build, this one included (1: serial),
// logged at DEBUG1 in pgvector's words ("using N parallel workers", N the
// helpers), which tools grep for.
int start_build_threads(Relation heap, Relation index);

// Polled by a build's calling thread while helpers run: a cancel or
// termination is pending (raised by CHECK_FOR_INTERRUPTS once the helpers
// have stopped).
bool build_stop_requested(void*);

// The most dimensions (bits for bit) for which fits(dims) holds, searched
// down from start (a geometric step, then one at a time back up).
template <class Fits>
std::int64_t largest_fitting_dims(std::int64_t start, Fits&& fits) {
  std::int64_t dims = start;
  while (dims > 0 && !fits(dims)) dims = dims * 31 / 32;  // below the limit
  while (fits(dims + 1)) ++dims;                           // then up to it
  return dims;
}

// PG zone. The dimensions of the indexed column or expression: 0A000 for
// varbit, 22023 without a type modifier, 54000 above limit (with
// limit_detail, a format taking the kind's type name). am: for messages.
std::int32_t checked_index_dims(Relation index, core::ValueKind kind, const char* am, std::int64_t limit,
                                const char* limit_detail);

}  // namespace vecsim::pg

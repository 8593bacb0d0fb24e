// src/pg/index/build_workers.h
// The helper threads of an index build (hnsw's graph, ivfflat's k-means
// and assignment): as many as PostgreSQL would give the build as parallel
// workers (plan_create_index_workers), counting the table's TOAST pages
// too. The threads belong to this backend and never call PostgreSQL.
#pragma once

#include "pg.h"

extern "C" {
#include "utils/rel.h"
}

namespace vecsim::pg {

// PG zone. The number of helpers besides the calling thread (0: serial).
int build_helper_threads(Relation heap, Relation index);

}  // namespace vecsim::pg

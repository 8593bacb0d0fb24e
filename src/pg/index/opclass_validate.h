// src/pg/index/opclass_validate.h
// amvalidate for an access method whose operator classes hold one ORDER
// BY operator (strategy 1) and support functions 1 .. max_support, with
// function 1 (the distance) required: hnsw (3) and ivfflat (5). Problems
// are reported as INFO, as PostgreSQL's own access methods do.
#pragma once

#include "pg.h"

namespace vecsim::pg {

// PG zone.
bool validate_order_opclass(Oid opclass_oid, const char* am, int max_support);

}  // namespace vecsim::pg

// src/pg/index/opclass_validate.h
// amvalidate for an access method whose operator classes hold one ORDER
// BY operator (strategy 1) and support functions 1 .. max_support, with
// function 1 (the distance) required: hnsw (3) and ivfflat (5); and for
// hnsw's filter columns, whose classes hold search operators only.
// Problems are reported as INFO, as PostgreSQL's own access methods do.
#pragma once

#include "pg.h"

namespace vecsim::pg {

// PG zone.
bool validate_order_opclass(Oid opclass_oid, const char* am, int max_support);

// amvalidate for an operator class of search operators only (hnsw's filter
// columns): each a boolean search operator of a strategy allowed(its left
// type, strategy) accepts, and no support functions.
bool validate_search_opclass(Oid opclass_oid, const char* am, bool (*allowed)(Oid left_type, int strategy));

// Whether the operator class's family holds an ORDER BY operator.
bool opclass_orders(Oid opclass_oid);

}  // namespace vecsim::pg

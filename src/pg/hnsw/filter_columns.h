// src/pg/hnsw/filter_columns.h
// Filter columns of an hnsw index (docs/hnsw_filtering.md): the key
// columns after the vector. What each column's type becomes in the
// attribute block (core's storage/hnsw_attrs.h), a row's block from its
// datums, and a scan's keys as core's filter.
//
// TYPES
//   int2, int4, int8, date, timestamp, timestamptz and bool: an ordered
//   8-byte key (the integers compare across their widths: one operator
//   family); uuid: an ordered 16-byte key (its bytes); text (and varchar)
//   under a deterministic collation: an 8-byte hash, equality only, so a
//   scan with a key on it asks the executor to recheck. Arrays of int2,
//   int4, int8, text or varchar (one operator class, for anyarray): a
//   128-bit signature of the elements, answering &&, @> and <@ with
//   recheck; an element's hash is the same for an integer of any width.
//
// INVARIANTS
//   PG zone. A column of any other type, a vector column after the first,
//   or text under a nondeterministic collation is refused when the index
//   is built (0A000), so every index these functions meet has a schema.
#pragma once

#include "index/value_metrics.h"
#include "storage/hnsw_attrs.h"

#include "pg.h"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "utils/rel.h"
}

namespace vecsim::pg {

// The strategies of the filter-column operator classes: btree's 1 to 5 for
// scalars, and these for arrays.
constexpr StrategyNumber kHnswOverlapsStrategy = 6;     // &&
constexpr StrategyNumber kHnswContainsStrategy = 7;     // @>
constexpr StrategyNumber kHnswContainedByStrategy = 8;  // <@

// Whether a filter-column operator class may hold an operator of this
// strategy with this left type: arrays (anyarray) 6 to 8, text 3 (its key
// is a hash), every other type 1 to 5.
bool hnsw_filter_strategy_allowed(Oid left_type, int strategy);

// The schema of index's filter columns (count 0: none); 0A000 for a column
// vecsim cannot filter on.
core::HnswAttrSchema hnsw_attr_schema(Relation index);

// The attribute block of a row (values and isnull of every key column,
// the vector first) into block (schema.block_bytes() bytes).
void encode_hnsw_attrs(const core::HnswAttrSchema& schema, Relation index, const Datum* values,
                       const bool* isnull, unsigned char* block);

// An index's filter columns and a block to encode its rows into, reused
// row after row (build, insert and verify each keep one).
struct HnswAttrRows {
  core::HnswAttrSchema schema;
  unsigned char* block;  // palloc'd in the context current at init
};
void init_hnsw_attr_rows(HnswAttrRows* rows, Relation index);
// A row's block (empty for an index without filter columns); valid until
// the next row.
core::ValueRef hnsw_attr_row(HnswAttrRows* rows, Relation index, const Datum* values, const bool* isnull);

// The scan's keys (scan->keyData: conditions on filter columns, and NULL
// tests on any column) as a filter; *recheck when one of them is answered
// by a hash or a signature. IS NOT NULL on the vector passes every element
// (NULL vectors are not indexed); IS NULL on it passes none.
void compile_hnsw_filter(const core::HnswAttrSchema& schema, IndexScanDesc scan, core::HnswAttrFilter* filter,
                         bool* recheck);

}  // namespace vecsim::pg

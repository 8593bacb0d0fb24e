// src/pg/hnsw/opclass.h
// Which hnsw opclass an index uses, read from its support functions
// (SPEC.md 6.3): function 1 names the distance (recognised by its C entry
// point, so distances are computed by direct kernel calls, never through
// the function manager), function 2 (cosine only) asks for normalization,
// function 3 is the type descriptor (absent for vector).
//
// Also the bridge between datums and index values: value_of() gives the
// bytes an index compares for a datum of the opclass's type.
//
// INVARIANTS
//   PG zone only (these read the catalogue and detoast). An index whose
//   function 1 is not one of vecsim's distances is refused with 0A000
//   rather than searched with a distance the graph does not know.
#pragma once

#include <cstdint>

#include "graph/hnsw_opclass.h"
#include "graph/value_metrics.h"

#include "pg.h"

extern "C" {
#include "utils/rel.h"
}

namespace vecsim::pg {

// What hnsw_*_support returns: the type descriptor of SPEC.md 6.3.
struct HnswTypeDescriptor {
  core::HnswValueKind kind;
};

core::HnswOpclass hnsw_opclass_of(Relation index);

// The SQL name of the kind's type.
const char* type_name(core::HnswValueKind kind);

// The dimensions of a value of the opclass's type (bits for bit).
std::int32_t value_dims(core::HnswValueKind kind, const void* detoasted);

// The index value of a detoasted datum (it points into the datum).
core::ValueRef value_of(core::HnswValueKind kind, const void* detoasted);

// The value the index stores (check_nnz) or searches for, for a datum of
// the opclass's type: detoasted and prepared (hnsw_opclass.h) in
// CurrentMemoryContext. False when the value is not indexed (a zero
// vector under cosine); errors (54000 for sparse nnz) are raised.
bool index_value_of(core::HnswOpclass opclass, Datum datum, bool check_nnz, core::ValueRef* out);

// A zero value of the kind with dims dimensions, palloc'd: what a NULL
// query searches for (every distance then counts alike).
const void* zero_datum(core::HnswValueKind kind, std::int32_t dims);

}  // namespace vecsim::pg

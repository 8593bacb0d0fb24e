// src/pg/index/value_datum.h
// The bridge between an index's operator class and its datums, for every
// access method: which opclass an index uses (read from its support
// functions), and the bytes an index compares for a datum of the
// opclass's type.
//
// An opclass is recognised by its distance support function's C entry
// point (so distances are computed by direct kernel calls, never through
// the function manager), its normalization function (cosine only), and
// its type-descriptor function (absent for vector), whose numbers each AM
// names in an AmSupportNumbers.
//
// INVARIANTS
//   PG zone only (these read the catalogue, detoast and palloc). An index
//   whose distance function is not one of vecsim's is refused with 0A000
//   rather than searched with a distance the index does not know. Every
//   kind-specific step goes through the descriptors of core's
//   index/value_kind.h: there is no switch on the kind here.
#pragma once

#include <cstdint>

#include "index/index_value.h"
#include "index/value_kind.h"
#include "index/value_metrics.h"

#include "pg.h"

extern "C" {
#include "utils/rel.h"
}

namespace vecsim::pg {

// What an AM's type-descriptor support function returns (hnsw: function 3,
// ivfflat: function 5).
struct IndexTypeDescriptor {
  core::ValueKind kind;
};

// The support-function numbers of one AM, and its name for messages.
struct AmSupportNumbers {
  int distance;
  int normalize;
  int type_descriptor;
  const char* am_name;
};

core::IndexOpclass index_opclass_of(Relation index, const AmSupportNumbers& numbers);

// The static descriptor a type-descriptor support function returns.
const IndexTypeDescriptor* index_type_descriptor(core::ValueKind kind);

// The dimensions of a detoasted value of the kind (bits for bit).
std::int32_t value_dims(core::ValueKind kind, const void* detoasted);

// The index value of a detoasted datum (it points into the datum).
core::ValueRef value_of(core::ValueKind kind, const void* detoasted);

// The value an index stores (limits given) or searches for (limits null),
// for a datum of the opclass's type: detoasted and prepared
// (index/index_value.h) in CurrentMemoryContext. False when the value is
// not indexed (a zero vector under cosine); errors (54000) are raised.
bool index_value_of(core::IndexOpclass opclass, Datum datum, const core::ValueLimits* limits,
                    core::ValueRef* out);

// 22000, with the operators' wording, when a detoasted value's dimensions
// (bits for bit) are not the index's.
void check_dims_match(core::ValueKind kind, std::uint32_t index_dims, const void* detoasted);

// A zero value of the kind with dims dimensions, palloc'd: what a NULL
// query searches for (every distance then counts alike).
const void* zero_datum(core::ValueKind kind, std::int32_t dims);

}  // namespace vecsim::pg

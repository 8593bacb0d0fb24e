// src/pg/hnsw/filter_columns.cpp
// Filter columns of an hnsw index (hnsw/filter_columns.h).
#include "hnsw/filter_columns.h"

#include <algorithm>

#include "bridge/pg_call.h"
#include "util/no_throw.h"

#include "pg.h"

extern "C" {
#include "access/stratnum.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/arrayaccess.h"
#include "utils/lsyscache.h"
#include "utils/date.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"
}

namespace vecsim::pg {
namespace {

using core::AttrKey;
using core::AttrKind;
using core::AttrOp;

bool is_ordered8_type(Oid type) {
  switch (type) {
    case INT2OID:
    case INT4OID:
    case INT8OID:
    case DATEOID:
    case TIMESTAMPOID:
    case TIMESTAMPTZOID:
    case BOOLOID:
      return true;
  }
  return false;
}

// The key a datum of type becomes (a text one: the hash of its bytes).
AttrKey key_of(Oid type, Datum d) {
  switch (type) {
    case INT2OID:
      return core::int_key(DatumGetInt16(d));
    case INT4OID:
      return core::int_key(DatumGetInt32(d));
    case INT8OID:
      return core::int_key(DatumGetInt64(d));
    case DATEOID:
      return core::int_key(DatumGetDateADT(d));
    case TIMESTAMPOID:
    case TIMESTAMPTZOID:
      return core::int_key(DatumGetTimestamp(d));
    case BOOLOID:
      return core::int_key(DatumGetBool(d) ? 1 : 0);
    case UUIDOID: {
      const pg_uuid_t* u = DatumGetUUIDP(d);
      return AttrKey{core::load_be64(u->data), core::load_be64(u->data + 8)};
    }
    case TEXTOID:
    case VARCHAROID: {
      const text* t = DatumGetTextPP(d);
      return AttrKey{hash_bytes_extended(reinterpret_cast<const unsigned char*>(VARDATA_ANY(t)),
                                         static_cast<int>(VARSIZE_ANY_EXHDR(t)), 0),
                     0};
    }
  }
  elog(ERROR, "hnsw filter key of unexpected type %u", type);
  pg_unreachable();
}

bool is_array_element_type(Oid type) {
  switch (type) {
    case INT2OID:
    case INT4OID:
    case INT8OID:
    case TEXTOID:
    case VARCHAROID:
      return true;
  }
  return false;
}

// An array element's hash: an integer's from its int64 value (so the
// widths agree), a string's from its bytes.
std::uint64_t element_hash(Oid type, Datum d) {
  std::int64_t v;
  switch (type) {
    case INT2OID:
      v = DatumGetInt16(d);
      break;
    case INT4OID:
      v = DatumGetInt32(d);
      break;
    case INT8OID:
      v = DatumGetInt64(d);
      break;
    case TEXTOID:
    case VARCHAROID: {
      const text* t = DatumGetTextPP(d);
      return hash_bytes_extended(reinterpret_cast<const unsigned char*>(VARDATA_ANY(t)),
                                 static_cast<int>(VARSIZE_ANY_EXHDR(t)), 0);
    }
    default:
      elog(ERROR, "hnsw filter array of unexpected element type %u", type);
  }
  return hash_bytes_extended(reinterpret_cast<const unsigned char*>(&v), sizeof v, 0);
}

// f(element type, datum) for each non-null element of array, in order,
// reading the array in place (nothing allocated: build and insert run this
// for every row); whether any element is NULL.
template <class F>
bool for_each_element(ArrayType* array, F&& f) {
  const Oid type = ARR_ELEMTYPE(array);
  int16 len;
  bool byval;
  char align;
  get_typlenbyvalalign(type, &len, &byval, &align);
  const int n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
  array_iter it;
  array_iter_setup(&it, reinterpret_cast<AnyArrayType*>(array));
  bool has_null = false;
  for (int i = 0; i < n; ++i) {
    bool isnull = false;
    const Datum d = array_iter_next(&it, &isnull, i, len, byval, align);
    if (isnull) {
      has_null = true;
    } else {
      f(type, d);
    }
  }
  return has_null;
}

// An array's non-null elements as keys (key(element type, datum) of each),
// in keys[0 .. count), palloc'd (a scan's keys, once a scan).
struct ArrayKeys {
  AttrKey* keys;
  std::size_t count;
};
template <class KeyOf>
ArrayKeys array_keys(ArrayType* array, KeyOf key) {
  const int n = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
  ArrayKeys out{static_cast<AttrKey*>(palloc(sizeof(AttrKey) * static_cast<std::size_t>(n + 1))), 0};
  for_each_element(array, [&](Oid type, Datum d) { out.keys[out.count++] = key(type, d); });
  return out;
}

AttrKey element_bits(Oid type, Datum d) { return core::signature_bits(element_hash(type, d)); }

// The signature of an array: the union of its elements' bits; *has_null
// (if given) whether an element is NULL.
AttrKey array_signature(ArrayType* array, bool* has_null) {
  AttrKey signature;
  const bool nulls = for_each_element(
      array, [&](Oid type, Datum d) { signature = core::signature_union(signature, element_bits(type, d)); });
  if (has_null != nullptr) *has_null = nulls;
  return signature;
}

AttrOp op_of(StrategyNumber strategy) {
  switch (strategy) {
    case BTLessStrategyNumber:
      return AttrOp::kLess;
    case BTLessEqualStrategyNumber:
      return AttrOp::kLessEqual;
    case BTEqualStrategyNumber:
      return AttrOp::kEqual;
    case BTGreaterEqualStrategyNumber:
      return AttrOp::kGreaterEqual;
    case BTGreaterStrategyNumber:
      return AttrOp::kGreater;
    case kHnswOverlapsStrategy:
      return AttrOp::kOverlaps;
    case kHnswContainsStrategy:
      return AttrOp::kContains;
    case kHnswContainedByStrategy:
      return AttrOp::kContainedBy;
  }
  elog(ERROR, "hnsw filter key of unexpected strategy %d", strategy);
  pg_unreachable();
}

// Runs a change of core's filter (which allocates) as PostgreSQL code
// must: an exception becomes an error raised here.
template <class F>
void change_filter(F&& f) {
  raise_pending_or(core::no_throw([&] {
    f();
    return core::Status::ok();
  }));
}

// key <op> ANY(array): the set of its non-null elements for =; for an
// order, the one element that decides (< and <= the largest, > and >=
// the smallest). No element: nothing passes.
void add_array_key(int column, AttrOp op, ArrayType* array, core::HnswAttrFilter* filter) {
  const ArrayKeys elements = array_keys(array, key_of);
  const AttrKey* keys = elements.keys;
  const std::size_t count = elements.count;
  if (count == 0) {
    filter->set_never();
  } else if (op == AttrOp::kEqual) {
    change_filter([&] { filter->add_any_of(column, keys, count); });
  } else if (op == AttrOp::kLess || op == AttrOp::kLessEqual) {
    const AttrKey key = *std::max_element(keys, keys + count);
    change_filter([&] { filter->add_compare(column, op, key); });
  } else {
    const AttrKey key = *std::min_element(keys, keys + count);
    change_filter([&] { filter->add_compare(column, op, key); });
  }
  pfree(elements.keys);
}

// An array column's key: && passes a signature that has all the bits of
// one of the operand's elements (none: nothing passes); @> one that has
// all the operand's bits (an operand with a NULL element: nothing passes,
// as NULL is in no array); <@ one within the operand's bits.
void add_signature_key(int column, AttrOp op, ArrayType* array, core::HnswAttrFilter* filter) {
  if (op == AttrOp::kOverlaps) {
    const ArrayKeys elements = array_keys(array, element_bits);
    change_filter([&] { filter->add_overlaps(column, elements.keys, elements.count); });
    pfree(elements.keys);
    return;
  }
  if (op != AttrOp::kContains && op != AttrOp::kContainedBy) {
    elog(ERROR, "hnsw array filter key of unexpected operator %d", static_cast<int>(op));
  }
  bool has_null = false;
  const AttrKey signature = array_signature(array, &has_null);
  if (op == AttrOp::kContains && has_null) {
    filter->set_never();
  } else {
    change_filter([&] { filter->add_compare(column, op, signature); });
  }
}

// Refuses text under a nondeterministic collation (its keys hash bytes).
void check_deterministic(Relation index, int i) {
  const Oid collation = index->rd_indcollation[i];
  if (OidIsValid(collation) && !get_collation_isdeterministic(collation)) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("hnsw filter column %d uses a nondeterministic collation", i + 1),
                    errhint("Index the column with a deterministic collation, such as \"C\".")));
  }
}

}  // namespace

bool hnsw_filter_strategy_allowed(Oid left_type, int strategy) {
  if (left_type == ANYARRAYOID) return strategy >= kHnswOverlapsStrategy && strategy <= kHnswContainedByStrategy;
  if (left_type == TEXTOID) return strategy == BTEqualStrategyNumber;
  return strategy >= BTLessStrategyNumber && strategy <= BTGreaterStrategyNumber;
}

core::HnswAttrSchema hnsw_attr_schema(Relation index) {
  core::HnswAttrSchema schema;
  const int columns = IndexRelationGetNumberOfKeyAttributes(index);
  for (int i = 1; i < columns; ++i) {
    const Oid type = index->rd_opcintype[i];
    if (is_ordered8_type(type)) {
      schema.add(AttrKind::kOrdered8);
    } else if (type == UUIDOID) {
      schema.add(AttrKind::kOrdered16);
    } else if (type == TEXTOID) {
      check_deterministic(index, i);
      schema.add(AttrKind::kHash8);
    } else if (type == ANYARRAYOID &&  // a domain over an array too: its base type's elements
               is_array_element_type(
                   get_element_type(getBaseType(TupleDescAttr(RelationGetDescr(index), i)->atttypid)))) {
      check_deterministic(index, i);
      schema.add(AttrKind::kSignature16);
    } else {
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("column %d of hnsw index \"%s\" cannot be a filter column", i + 1,
                             RelationGetRelationName(index)),
                      errdetail("Only the first column of an hnsw index is a vector; filter columns are of "
                                "types int2, int4, int8, bool, date, timestamp, timestamptz, uuid and text, "
                                "or arrays of int2, int4, int8, text or varchar.")));
    }
  }
  return schema;
}

void encode_hnsw_attrs(const core::HnswAttrSchema& schema, Relation index, const Datum* values,
                       const bool* isnull, unsigned char* block) {
  bool nulls[core::kMaxAttrColumns];
  AttrKey keys[core::kMaxAttrColumns];
  for (int i = 0; i < schema.count(); ++i) {
    nulls[i] = isnull[i + 1];
    if (nulls[i]) continue;
    if (schema.kind(i) == AttrKind::kSignature16) {
      keys[i] = array_signature(DatumGetArrayTypeP(values[i + 1]), nullptr);
    } else {
      keys[i] = key_of(index->rd_opcintype[i + 1], values[i + 1]);
    }
  }
  schema.encode(nulls, keys, block);
}

void init_hnsw_attr_rows(HnswAttrRows* rows, Relation index) {
  rows->schema = hnsw_attr_schema(index);
  rows->block = static_cast<unsigned char*>(palloc0(rows->schema.block_bytes() + 1));
}

core::ValueRef hnsw_attr_row(HnswAttrRows* rows, Relation index, const Datum* values, const bool* isnull) {
  const std::size_t bytes = rows->schema.block_bytes();
  if (bytes > 0) encode_hnsw_attrs(rows->schema, index, values, isnull, rows->block);
  return core::ValueRef{rows->block, bytes};
}

void compile_hnsw_filter(const core::HnswAttrSchema& schema, IndexScanDesc scan, core::HnswAttrFilter* filter,
                         bool* recheck) {
  change_filter([&] { filter->clear(); });
  *recheck = false;
  for (int k = 0; k < scan->numberOfKeys; ++k) {
    const ScanKey key = &scan->keyData[k];
    const int column = key->sk_attno - 2;  // -1: the vector
    if (column < -1 || column >= schema.count()) {
      elog(ERROR, "hnsw scan key on column %d, which the index does not have", key->sk_attno);
    }
    if (key->sk_flags & (SK_SEARCHNULL | SK_SEARCHNOTNULL)) {
      const bool is_null = key->sk_flags & SK_SEARCHNULL;
      if (column >= 0) {
        change_filter([&] { filter->add_null_test(column, is_null); });
      } else if (is_null) {  // the index holds no row whose vector is NULL
        filter->set_never();
      }
      continue;
    }
    if (column < 0) elog(ERROR, "hnsw scan key on the vector column other than a NULL test");
    if (key->sk_flags & SK_ISNULL) {  // a comparison with NULL holds for no row
      filter->set_never();
      continue;
    }
    const AttrOp op = op_of(key->sk_strategy);
    if (schema.kind(column) == AttrKind::kSignature16) {
      *recheck = true;
      add_signature_key(column, op, DatumGetArrayTypeP(key->sk_argument), filter);
      continue;
    }
    if (op > AttrOp::kAnyOf) elog(ERROR, "hnsw array filter key on column %d, which is not an array", key->sk_attno);
    if (schema.kind(column) == AttrKind::kHash8) {
      if (op != AttrOp::kEqual) elog(ERROR, "hnsw text filter key of strategy %d", key->sk_strategy);
      *recheck = true;
    }
    if (key->sk_flags & SK_SEARCHARRAY) {
      add_array_key(column, op, DatumGetArrayTypeP(key->sk_argument), filter);
      continue;
    }
    const Oid type = OidIsValid(key->sk_subtype) ? key->sk_subtype : scan->indexRelation->rd_opcintype[key->sk_attno - 1];
    const AttrKey operand = key_of(type, key->sk_argument);
    change_filter([&] { filter->add_compare(column, op, operand); });
  }
}

}  // namespace vecsim::pg

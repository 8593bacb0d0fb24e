// src/pg/types/sparse_io_fmgr.h
// Type I/O of sparsevec: text in/out and binary recv/send. Parsing and
// decoding are core's (types/sparse_text.h, types/sparse_binary.h); numbers
// print with PostgreSQL's shortest-exact float4 formatting, as for vector.
#pragma once

#include "bridge/error.h"
#include "types/sparse_binary.h"
#include "types/sparse_layout.h"
#include "types/sparse_text.h"
#include "types/sparse_datum.h"
#include "types/wire_message.h"

#include "pg.h"

namespace vecsim::pg {

inline Datum sparse_in(PG_FUNCTION_ARGS) {
  const char* text = PG_GETARG_CSTRING(0);
  int32 typmod = PG_GETARG_INT32(2);
  int capacity = 0;
  raise_if_error(core::sparse_text_capacity(text, &capacity));
  auto* entries = static_cast<core::SparseEntry*>(palloc(sizeof(core::SparseEntry) * capacity));
  int nnz = 0;
  int dims = 0;
  raise_if_error(core::parse_sparse_text(text, entries, capacity, typmod, &nnz, &dims));
  SparseHeader* result = new_sparse(dims, nnz);
  int32* indices = core::sparse_indices(result);
  float* values = core::sparse_values(result);
  for (int i = 0; i < nnz; ++i) {
    indices[i] = static_cast<int32>(entries[i].index - 1);
    values[i] = entries[i].value;
  }
  pfree(entries);
  PG_RETURN_POINTER(result);
}

inline Datum sparse_out(PG_FUNCTION_ARGS) {
  const SparseHeader* value = sparse_arg(fcinfo, 0);
  const int32* indices = core::sparse_indices(value);
  const float* values = core::sparse_values(value);
  // Per entry: a 10-digit index, ':', a float and ','; then "{}/", the dims
  // and the terminator.
  Size per_entry = 10 + 1 + FLOAT_SHORTEST_DECIMAL_LEN + 1;
  char* text = static_cast<char*>(palloc(per_entry * static_cast<Size>(value->nnz) + 16));
  char* p = text;
  *p++ = '{';
  for (int i = 0; i < value->nnz; ++i) {
    if (i > 0) *p++ = ',';
    p += pg_ltoa(indices[i] + 1, p);
    *p++ = ':';
    p += float_to_shortest_decimal_bufn(values[i], p);
  }
  *p++ = '}';
  *p++ = '/';
  p += pg_ltoa(value->dims, p);
  *p = '\0';
  PG_RETURN_CSTRING(text);
}

inline Datum sparse_recv(PG_FUNCTION_ARGS) {
  StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  WireInput in = unread_bytes(message);
  int dims = 0;
  int nnz = 0;
  raise_if_error(core::decode_sparse_header(in.data, in.len, PG_GETARG_INT32(2), &dims, &nnz));
  SparseHeader* result = new_sparse(dims, nnz);
  raise_if_error(core::decode_sparse_entries(in.data + core::kSparseWireHeaderSize,
                                             in.len - core::kSparseWireHeaderSize, dims, nnz,
                                             core::sparse_indices(result),
                                             core::sparse_values(result)));
  consume_bytes(message, core::sparse_wire_size(nnz));
  PG_RETURN_POINTER(result);
}

inline Datum sparse_send(PG_FUNCTION_ARGS) {
  const SparseHeader* value = sparse_arg(fcinfo, 0);
  PG_RETURN_BYTEA_P(wire_image(core::sparse_wire_size(value->nnz), [value](unsigned char* out) {
    core::encode_sparse_binary(value->dims, value->nnz, value->unused,
                               core::sparse_indices(value), core::sparse_values(value), out);
  }));
}

}  // namespace vecsim::pg

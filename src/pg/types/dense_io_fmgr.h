// src/pg/types/dense_io_fmgr.h
// Type I/O of the dense types, as fmgr templates over element traits:
// text in/out and binary recv/send (the typmod input function, shared with
// sparsevec, is in common_fmgr.h).
//
// Each function follows the three zones of bridge/error.h. Parsing and
// decoding are core's (types/dense_text.h, types/dense_binary.h); text output
// is PostgreSQL's shortest-exact float4 formatting, so it is byte-identical
// to float4out with extra_float_digits >= 1, whatever the session setting.
#pragma once

#include "bridge/error.h"
#include "types/dense_binary.h"
#include "types/dense_checks.h"
#include "types/dense_text.h"
#include "types/dense_datum.h"
#include "types/wire_message.h"

#include "pg.h"

namespace vecsim::pg {

template <class Traits>
Datum dense_in(PG_FUNCTION_ARGS) {
  const char* text = PG_GETARG_CSTRING(0);
  int32 typmod = PG_GETARG_INT32(2);
  int capacity = core::dense_text_capacity(text, Traits::kMaxDims);
  DenseHeader* result = new_dense<Traits>(capacity);
  int dims = 0;
  raise_if_error(core::parse_dense_text<Traits>(text, core::dense_elements<Traits>(result),
                                                capacity, typmod, &dims));
  set_dense_dims<Traits>(result, dims);
  PG_RETURN_POINTER(result);
}

template <class Traits>
Datum dense_out(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  const auto* elems = core::dense_elements<Traits>(value);
  int dims = value->dims;
  // Each element takes at most FLOAT_SHORTEST_DECIMAL_LEN - 1 characters plus
  // a separator; then the brackets and the terminator.
  char* text = static_cast<char*>(palloc(FLOAT_SHORTEST_DECIMAL_LEN * static_cast<Size>(dims) + 3));
  char* p = text;
  *p++ = '[';
  for (int i = 0; i < dims; ++i) {
    if (i > 0) *p++ = ',';
    p += float_to_shortest_decimal_bufn(Traits::to_float(elems[i]), p);
  }
  *p++ = ']';
  *p = '\0';
  PG_RETURN_CSTRING(text);
}

template <class Traits>
Datum dense_recv(PG_FUNCTION_ARGS) {
  StringInfo message = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  WireInput in = unread_bytes(message);
  int dims = 0;
  raise_if_error(core::decode_dense_header<Traits>(in.data, in.len, PG_GETARG_INT32(2), &dims));
  DenseHeader* result = new_dense<Traits>(dims);
  raise_if_error(core::decode_dense_elements<Traits>(in.data + core::kDenseWireHeaderSize,
                                                     in.len - core::kDenseWireHeaderSize, dims,
                                                     core::dense_elements<Traits>(result)));
  consume_bytes(message, core::dense_wire_size<Traits>(dims));
  PG_RETURN_POINTER(result);
}

template <class Traits>
Datum dense_send(PG_FUNCTION_ARGS) {
  const DenseHeader* value = dense_arg(fcinfo, 0);
  PG_RETURN_BYTEA_P(wire_image(core::dense_wire_size<Traits>(value->dims), [value](unsigned char* out) {
    core::encode_dense_binary<Traits>(core::dense_elements<Traits>(value), value->dims,
                                      value->unused, out);
  }));
}

}  // namespace vecsim::pg

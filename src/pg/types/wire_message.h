// src/pg/types/wire_message.h
// The StringInfo side of binary I/O, shared by every recv/send function:
// the unread bytes of a received message, and the building of a send
// result of known size. What the bytes mean is core's business.
#pragma once

#include "pg.h"

namespace vecsim::pg {

struct WireInput {
  const unsigned char* data;
  Size len;
};

// The bytes of the message not read yet.
inline WireInput unread_bytes(StringInfo message) {
  return WireInput{reinterpret_cast<const unsigned char*>(message->data + message->cursor),
                   static_cast<Size>(message->len - message->cursor)};
}

// Marks n bytes as read; PostgreSQL reports any left over (22P03).
inline void consume_bytes(StringInfo message, Size n) { message->cursor += static_cast<int>(n); }

// A bytea of exactly `size` bytes written by encode(unsigned char* out).
template <class Encode>
bytea* wire_image(Size size, Encode encode) {
  StringInfoData message;
  pq_begintypsend(&message);
  enlargeStringInfo(&message, static_cast<int>(size));
  encode(reinterpret_cast<unsigned char*>(message.data + message.len));
  message.len += static_cast<int>(size);
  message.data[message.len] = '\0';
  return pq_endtypsend(&message);
}

}  // namespace vecsim::pg

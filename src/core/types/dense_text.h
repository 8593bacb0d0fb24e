// src/core/types/dense_text.h
// Text input of the dense types (docs/reference.md 3.4):
//   ws* '[' ws* NUM ( ws* ',' ws* NUM )* ws* ']' ws*
// where NUM is what C strtof accepts in the C locale.
//
// INVARIANTS
//   Checks run in pgvector's order: syntax and per-element checks left to
//   right (range 22003 before NaN/infinity 22000, the 16001st element 54000),
//   then, after the closing bracket and trailing blanks, dims >= 1 and the
//   typmod (22000). The caller reserves dense_text_capacity() elements; the
//   parser never writes past them.
//   Output is not here: it uses PostgreSQL's shortest-exact float formatting
//   and lives in the shim.
#pragma once

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "types/dense_checks.h"
#include "util/status.h"

namespace vecsim::core {

inline bool is_text_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

inline const char* skip_blanks(const char* p) noexcept {
  while (is_text_blank(*p)) ++p;
  return p;
}

// Elements to reserve before parsing `text`: one more than its commas (each
// element after the first follows a comma), capped at max_dims.
inline int dense_text_capacity(const char* text, int max_dims) noexcept {
  long long commas = 0;
  for (const char* p = text; *p; ++p) commas += (*p == ',');
  return commas + 1 < max_dims ? static_cast<int>(commas + 1) : max_dims;
}

inline Status text_syntax_error(const char* type_name, const char* text) noexcept {
  return Status::error(ErrorCode::kInvalidText, "invalid input syntax for type %s: \"%s\"",
                       type_name, text);
}

// The number at p as C strtof reads it in the C locale: its value, where
// it ends (p if there is none) and whether strtof reports a range error.
// std::from_chars reads a plain decimal number several times faster, and
// rounds it alike (both round correctly to nearest); it is taken only for
// a token that starts as one and that it reads whole, up to the next
// comma, bracket, brace, blank or end, with no range error. Everything else (a
// '+' sign, hex, a range error, a number running into other text) goes to
// strtof, so values, errors and where a number ends stay strtof's.
inline float read_float(const char* p, const char** stop, bool* range_error) noexcept {
  *range_error = false;
  if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '.') {
    const char* token_end = p;
    while (*token_end != '\0' && *token_end != ',' && *token_end != ']' && *token_end != '}' &&
           !is_text_blank(*token_end)) {
      ++token_end;
    }
    float value = 0.0f;
    const std::from_chars_result read = std::from_chars(p, token_end, value);
    if (read.ec == std::errc() && read.ptr == token_end) {
      *stop = token_end;
      return value;
    }
  }
  char* end = nullptr;
  errno = 0;
  const float value = std::strtof(p, &end);
  *stop = end;
  *range_error = errno == ERANGE;
  return value;
}

// Parses one NUM at p into *out; *end is set past it. Errors: no number
// (22P02), float32 overflow (22003), underflow of a non-zero literal to 0
// where the type rejects it (22003), then the element type's narrowing and
// finiteness checks.
template <class Traits>
Status parse_element(const char* type_name, const char* text, const char* p, const char** end,
                     typename Traits::Storage* out) noexcept {
  const char* stop = nullptr;
  bool range_error = false;
  float value = read_float(p, &stop, &range_error);
  if (stop == p) return text_syntax_error(type_name, text);
  if (range_error && (std::isinf(value) || (Traits::kRejectUnderflow && value == 0.0f))) {
    return Status::error(ErrorCode::kOutOfRange, "\"%.*s\" is out of range for type %s",
                         static_cast<int>(stop - p), p, type_name);
  }
  *end = stop;
  if (!convert_element<Traits>(value, out).is_ok()) {  // say it with the literal as written
    return Status::error(ErrorCode::kOutOfRange, "\"%.*s\" is out of range for type %s",
                         static_cast<int>(stop - p), p, type_name);
  }
  return check_finite<Traits>(value);
}

template <class Traits>
Status parse_dense_text(const char* text, typename Traits::Storage* out, int capacity, int typmod,
                        int* dims_out) noexcept {
  const char* name = Traits::kTypeName;
  const char* p = skip_blanks(text);
  if (*p != '[') return text_syntax_error(name, text);
  p = skip_blanks(p + 1);

  int dims = 0;
  if (*p == ']') {  // an empty list is 22000 at once, whatever follows it
    return check_dim_count<Traits>(0);
  } else {
    for (;;) {
      if (dims == Traits::kMaxDims) {
        return Status::error(ErrorCode::kProgramLimit, "%s cannot have more than %d dimensions",
                             name, Traits::kMaxDims);
      }
      if (dims == capacity) {
        return Status::error(ErrorCode::kInternal, "%s parser ran out of reserved space", name);
      }
      const char* end = p;
      VECSIM_RETURN_IF_ERROR(parse_element<Traits>(name, text, p, &end, &out[dims]));
      ++dims;
      p = skip_blanks(end);
      if (*p == ',') {
        p = skip_blanks(p + 1);
      } else if (*p == ']') {
        ++p;
        break;
      } else {
        return text_syntax_error(name, text);
      }
    }
  }
  if (*skip_blanks(p) != '\0') return text_syntax_error(name, text);

  VECSIM_RETURN_IF_ERROR(check_dim_count<Traits>(dims));
  VECSIM_RETURN_IF_ERROR(check_typmod(dims, typmod));
  *dims_out = dims;
  return Status::ok();
}

}  // namespace vecsim::core

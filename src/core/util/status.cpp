// src/core/util/status.cpp
// Formatting of Status texts into their fixed buffers (see status.h).
#include "util/status.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace vecsim::core {
namespace {

// vsnprintf into buf; a text that does not fit ends in "...".
void format_into(char* buf, std::size_t size, const char* fmt, va_list ap) noexcept {
  int n = std::vsnprintf(buf, size, fmt, ap);
  if (n < 0) {
    buf[0] = '\0';
  } else if (static_cast<std::size_t>(n) >= size && size > 4) {
    std::memcpy(buf + size - 4, "...", 4);
  }
}

}  // namespace

Status Status::error(ErrorCode code, const char* fmt, ...) noexcept {
  Status s;
  s.code_ = code;
  va_list ap;
  va_start(ap, fmt);
  format_into(s.message_, kMessageSize, fmt, ap);
  va_end(ap);
  return s;
}

Status& Status::with_detail(const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  format_into(detail_, kDetailSize, fmt, ap);
  va_end(ap);
  return *this;
}

Status& Status::with_hint(const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  format_into(hint_, kHintSize, fmt, ap);
  va_end(ap);
  return *this;
}

}  // namespace vecsim::core

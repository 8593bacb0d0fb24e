// src/core/util/status.h
// The error value of vecsim's core: a code (which maps 1:1 to a SQLSTATE in
// the shim) plus a message, and optionally a detail and a hint.
//
// INVARIANTS
//   Status is trivially copyable and trivially destructible. That is what
//   lets the shim hold one in a frame and then ereport(ERROR) from that very
//   frame: the longjmp skips no destructor (docs/architecture.md, "The error boundary"). So it owns
//   fixed-size buffers, never heap memory; texts longer than a buffer are cut
//   and end in "...".
//   A Status whose code is kOk carries no text; accessors then return "".
#pragma once

#include <cstddef>
#include <type_traits>

namespace vecsim::core {

// One value per SQLSTATE that core can report. The mapping lives in the shim
// (src/pg/bridge/error.cpp); the SQLSTATE is named beside each value.
enum class ErrorCode : unsigned char {
  kOk = 0,
  kInvalidText,         // 22P02 invalid_text_representation
  kDataException,       // 22000 data_exception
  kOutOfRange,          // 22003 numeric_value_out_of_range
  kNullValue,           // 22004 null_value_not_allowed
  kInvalidParameter,    // 22023 invalid_parameter_value
  kProgramLimit,        // 54000 program_limit_exceeded
  kProtocolViolation,   // 08P01 protocol_violation
  kOutOfMemory,         // 53200 out_of_memory
  kCancelled,           // 57014 query_canceled
  kSerializationFailure,  // 40001 serialization_failure (retry the transaction)
  kInternal,            // XX000 internal_error
};

class Status {
 public:
  static constexpr std::size_t kMessageSize = 256;
  static constexpr std::size_t kDetailSize = 256;
  static constexpr std::size_t kHintSize = 128;

  Status() noexcept { message_[0] = detail_[0] = hint_[0] = '\0'; }
  static Status ok() noexcept { return Status(); }

  // printf-style constructor of an error. code must not be kOk.
  static Status error(ErrorCode code, const char* fmt, ...) noexcept
      __attribute__((format(printf, 2, 3)));

  Status& with_detail(const char* fmt, ...) noexcept
      __attribute__((format(printf, 2, 3)));
  Status& with_hint(const char* fmt, ...) noexcept
      __attribute__((format(printf, 2, 3)));

  bool is_ok() const noexcept { return code_ == ErrorCode::kOk; }
  ErrorCode code() const noexcept { return code_; }
  const char* message() const noexcept { return message_; }
  const char* detail() const noexcept { return detail_; }
  const char* hint() const noexcept { return hint_; }
  bool has_detail() const noexcept { return detail_[0] != '\0'; }
  bool has_hint() const noexcept { return hint_[0] != '\0'; }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  char message_[kMessageSize];
  char detail_[kDetailSize];
  char hint_[kHintSize];
};

static_assert(std::is_trivially_destructible_v<Status>,
              "Status must be safe to hold across ereport(ERROR)");
static_assert(std::is_trivially_copyable_v<Status>);

// Propagates a failed Status out of the calling function.
#define VECSIM_RETURN_IF_ERROR(expr)                    \
  do {                                                  \
    ::vecsim::core::Status vecsim_status_ = (expr);     \
    if (!vecsim_status_.is_ok()) return vecsim_status_; \
  } while (0)

}  // namespace vecsim::core

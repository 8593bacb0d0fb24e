// src/pg/bridge/error.cpp
// Turns a core Status into a PostgreSQL error with the matching SQLSTATE.
#include "bridge/error.h"

#include "pg.h"

namespace vecsim::pg {
namespace {

int sqlstate_of(core::ErrorCode code) {
  using core::ErrorCode;
  switch (code) {
    case ErrorCode::kInvalidText:
      return ERRCODE_INVALID_TEXT_REPRESENTATION;
    case ErrorCode::kDataException:
      return ERRCODE_DATA_EXCEPTION;
    case ErrorCode::kOutOfRange:
      return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    case ErrorCode::kNullValue:
      return ERRCODE_NULL_VALUE_NOT_ALLOWED;
    case ErrorCode::kInvalidParameter:
      return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorCode::kProgramLimit:
      return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    case ErrorCode::kProtocolViolation:
      return ERRCODE_PROTOCOL_VIOLATION;
    case ErrorCode::kOutOfMemory:
      return ERRCODE_OUT_OF_MEMORY;
    case ErrorCode::kCancelled:
      return ERRCODE_QUERY_CANCELED;
    case ErrorCode::kSerializationFailure:
      return ERRCODE_T_R_SERIALIZATION_FAILURE;
    case ErrorCode::kOk:
    case ErrorCode::kInternal:
      break;
  }
  return ERRCODE_INTERNAL_ERROR;
}

}  // namespace

void raise_error(const core::Status& status) {
  ereport(ERROR, (errcode(sqlstate_of(status.code())), errmsg_internal("%s", status.message()),
                  status.has_detail() ? errdetail_internal("%s", status.detail()) : 0,
                  status.has_hint() ? errhint("%s", status.hint()) : 0));
  pg_unreachable();
}

void raise_escaped_exception(bool out_of_memory) {
  raise_error(out_of_memory ? core::Status::error(core::ErrorCode::kOutOfMemory, "out of memory")
                            : core::Status::error(core::ErrorCode::kInternal,
                                                  "unexpected C++ exception in vecsim"));
}

}  // namespace vecsim::pg

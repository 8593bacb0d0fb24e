// src/core/util/no_throw.h
// The second line of defence of core's public API (docs/architecture.md, "The error boundary"): runs a
// body that returns Status and turns any C++ exception it lets escape
// (std::bad_alloc from a container above all) into a Status, so that no
// exception ever reaches the shim's C frames.
#pragma once

#include <new>

#include "util/status.h"

namespace vecsim::core {

template <class Body>
Status no_throw(Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Status::error(ErrorCode::kOutOfMemory, "out of memory");
  } catch (...) {
    return Status::error(ErrorCode::kInternal, "unexpected C++ exception in vecsim core");
  }
}

}  // namespace vecsim::core

// src/pg/hnsw/build_handle_dense.cpp
// The builders of the vector and halfvec opclasses (see build_handle.h).
#include "hnsw/build_handle.h"

namespace vecsim::pg {
VECSIM_DEFINE_BUILD_HANDLE(core::DenseFlavor<float>)
VECSIM_DEFINE_BUILD_HANDLE(core::DenseFlavor<core::Half>)
}  // namespace vecsim::pg

// src/pg/hnsw/build_handle_dense.cpp
// The builders of the vector and halfvec opclasses (see build_handle.h).
#include "hnsw/build_handle.h"

namespace vecsim::pg {
using namespace core;
VECSIM_DEFINE_BUILD_HANDLE(DenseFlavor<float>)
VECSIM_DEFINE_BUILD_HANDLE(DenseFlavor<Half>)
}  // namespace vecsim::pg

// src/pg/hnsw/build_handle_value.cpp
// The builder of the sparsevec and bit opclasses (see build_handle.h).
#include "hnsw/build_handle.h"

namespace vecsim::pg {
VECSIM_DEFINE_BUILD_HANDLE(core::ValueFlavor)
}  // namespace vecsim::pg

// src/pg/hnsw/build_handle_value.cpp
// The builders of the sparsevec and bit opclasses (see build_handle.h).
#include "hnsw/build_handle.h"

namespace vecsim::pg {
using namespace core;
VECSIM_DEFINE_BUILD_HANDLE(ValueFlavor<SparseMetric>)
VECSIM_DEFINE_BUILD_HANDLE(ValueFlavor<HammingMetric>)
VECSIM_DEFINE_BUILD_HANDLE(ValueFlavor<JaccardMetric>)
}  // namespace vecsim::pg

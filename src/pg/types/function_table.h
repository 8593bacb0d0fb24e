// src/pg/types/function_table.h
// The SQL-callable C functions every vector type has, as one table: each
// line stamps out the C symbol vecsim_<type>_<function> from a template of
// common_fmgr.h over the type's policy (type_policy.h). The SQL side is
// src/pg/sql/common.sql.in, instantiated per type with the same names.
//
//   VECSIM_COMMON_FUNCTIONS(halfvec, DenseType<F16Traits>, F16Traits)
#pragma once

#include "bridge/fmgr_glue.h"
#include "types/common_fmgr.h"
#include "types/type_policy.h"

// clang-format off
#define VECSIM_COMMON_FUNCTIONS(name, Type, Traits)                                                     \
  VECSIM_FUNCTION(vecsim_##name##_typmod_in, type_typmod_in<Traits>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_typmod_cast, type_typmod_cast<Type>)                                 \
  VECSIM_FUNCTION(vecsim_##name##_l2_distance, type_distance<Type, ::vecsim::core::L2Metric>)                    \
  VECSIM_FUNCTION(vecsim_##name##_l2_squared_distance, type_distance<Type, ::vecsim::core::L2SquaredMetric>)     \
  VECSIM_FUNCTION(vecsim_##name##_inner_product, type_distance<Type, ::vecsim::core::InnerProductMetric>)        \
  VECSIM_FUNCTION(vecsim_##name##_negative_inner_product,                                              \
                  type_distance<Type, ::vecsim::core::NegativeInnerProductMetric>)                               \
  VECSIM_FUNCTION(vecsim_##name##_cosine_distance, type_distance<Type, ::vecsim::core::CosineMetric>)            \
  VECSIM_FUNCTION(vecsim_##name##_l1_distance, type_distance<Type, ::vecsim::core::L1Metric>)                    \
  VECSIM_FUNCTION(vecsim_##name##_norm, type_norm<Type>)                                               \
  VECSIM_FUNCTION(vecsim_##name##_lt, type_compare<Type, LtVerdict>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_le, type_compare<Type, LeVerdict>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_eq, type_compare<Type, EqVerdict>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_ne, type_compare<Type, NeVerdict>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_ge, type_compare<Type, GeVerdict>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_gt, type_compare<Type, GtVerdict>)                                   \
  VECSIM_FUNCTION(vecsim_##name##_cmp, type_compare<Type, CmpVerdict>)
// clang-format on

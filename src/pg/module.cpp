// src/pg/module.cpp
// The library's entry: PG_MODULE_MAGIC, _PG_init (kernel selection, the
// vecsim.simd_level setting, the index settings of index_settings.h) and
// vecsim_simd_info().
//
// INVARIANTS
//   _PG_init installs the best kernel table the CPU supports before any
//   vecsim function can run. vecsim.simd_level can only lower the level
//   (for testing and for comparing variants); its check hook rejects a level
//   the CPU lacks, so no unsupported instruction is ever reached.
#include "kernels/kernel_table.h"

#include "bridge/fmgr_glue.h"
#include "bridge/pg_call.h"
#include "hnsw/hnsw_am.h"
#include "ivfflat/ivfflat_am.h"
#include "index_settings.h"

extern "C" {
#include "utils/guc.h"
}

namespace vecsim::pg {
namespace {

const config_enum_entry kSimdLevels[] = {
    {"scalar", static_cast<int>(core::IsaLevel::kScalar), false},
    {"x86-64-v3", static_cast<int>(core::IsaLevel::kX86V3), false},
    {"x86-64-v4", static_cast<int>(core::IsaLevel::kX86V4), false},
    {nullptr, 0, false},
};

int g_simd_level = static_cast<int>(core::IsaLevel::kScalar);

bool check_simd_level(int* level, void** /*extra*/, GucSource /*source*/) {
  if (*level > static_cast<int>(core::detect_isa_level())) {
    GUC_check_errdetail("This CPU supports at most %s.", core::isa_name(core::detect_isa_level()));
    return false;
  }
  return true;
}

void assign_simd_level(int level, void* /*extra*/) {
  core::install_kernels(static_cast<core::IsaLevel>(level));
}

// vecsim_simd_info() -> text, e.g. 'x86-64-v4 (AVX-512) + VPOPCNTDQ'.
Datum simd_info(PG_FUNCTION_ARGS) {
  const core::KernelTable& table = core::kernels();
  const char* level = core::isa_name(table.level);
  PG_RETURN_TEXT_P(cstring_to_text(
      table.extras[0] == '\0' ? level : psprintf("%s + %s", level, table.extras)));
}

}  // namespace
}  // namespace vecsim::pg

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void _PG_init(void) {
  using namespace vecsim;
  int best = static_cast<int>(core::detect_isa_level());
  core::install_kernels(static_cast<core::IsaLevel>(best));
  DefineCustomEnumVariable("vecsim.simd_level",
                           "SIMD level of vecsim's distance kernels.",
                           "Defaults to the best level the CPU supports; may only be lowered.",
                           &pg::g_simd_level, best, pg::kSimdLevels, PGC_SUSET, 0,
                           pg::check_simd_level, pg::assign_simd_level, nullptr);
  VECSIM_RESERVE_GUC_PREFIX("vecsim");
  pg::define_index_settings();
  pg::define_hnsw_options();
  pg::define_ivfflat_options();
  pg::register_pg_call_callbacks();
}
}

VECSIM_FUNCTION(vecsim_simd_info, vecsim::pg::simd_info)

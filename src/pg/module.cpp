// src/pg/module.cpp
// The library's entry: PG_MODULE_MAGIC, _PG_init (kernel selection) and
// vecsim_simd_info(), which names the kernel level in use.
//
// INVARIANTS
//   _PG_init installs the kernel table exactly once per process, before any
//   vecsim function can run; nothing here can raise an error.
#include "kernels/kernel_table.h"

#include "bridge/fmgr_glue.h"

extern "C" {
PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void _PG_init(void) {
  vecsim::core::install_kernels(vecsim::core::detect_isa_level());
}
}

namespace vecsim::pg {

// vecsim_simd_info() -> text, e.g. 'x86-64-v4 (AVX-512)'.
Datum simd_info(PG_FUNCTION_ARGS) {
  PG_RETURN_TEXT_P(cstring_to_text(core::isa_name(core::kernels().level)));
}

}  // namespace vecsim::pg

VECSIM_FUNCTION(vecsim_simd_info, vecsim::pg::simd_info)

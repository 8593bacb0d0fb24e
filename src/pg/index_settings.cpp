// src/pg/index_settings.cpp
// Defines hnsw.* and ivfflat.* (docs/reference.md 2, 10) and reserves both prefixes, so
// that after the library is loaded a misspelt setting (SET hnsw.ef_serch)
// fails with 42602 instead of silently creating a placeholder. A value set
// as a placeholder before the library loaded is checked at load: an
// invalid one gives PostgreSQL's WARNING and the default stays.
#include <climits>

#include "index_settings.h"

#include "pg.h"

extern "C" {
#include "utils/guc.h"
}

namespace vecsim::pg {

HnswSettings g_hnsw_settings = {40, static_cast<int>(IterativeScan::kOff), 20000, 1.0};
IvfflatSettings g_ivfflat_settings = {1, static_cast<int>(IterativeScan::kOff), 32768};

namespace {

const config_enum_entry kHnswIterativeScan[] = {
    {"off", static_cast<int>(IterativeScan::kOff), false},
    {"relaxed_order", static_cast<int>(IterativeScan::kRelaxedOrder), false},
    {"strict_order", static_cast<int>(IterativeScan::kStrictOrder), false},
    {nullptr, 0, false},
};

// ivfflat has no strict order: its batches are only roughly ordered.
const config_enum_entry kIvfflatIterativeScan[] = {
    {"off", static_cast<int>(IterativeScan::kOff), false},
    {"relaxed_order", static_cast<int>(IterativeScan::kRelaxedOrder), false},
    {nullptr, 0, false},
};

}  // namespace

void define_index_settings() {
  HnswSettings& h = g_hnsw_settings;
  DefineCustomIntVariable("hnsw.ef_search", "Size of the candidate list of an hnsw search.",
                          "Larger finds more true neighbours and is slower; also the most rows "
                          "a search without iterative scan returns.",
                          &h.ef_search, 40, 1, 1000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable("hnsw.iterative_scan",
                           "Whether an hnsw scan goes on searching when its rows run out.",
                           "relaxed_order may return rows slightly out of distance order; "
                           "strict_order never does, at the cost of skipping some.",
                           &h.iterative_scan, static_cast<int>(IterativeScan::kOff),
                           kHnswIterativeScan, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("hnsw.max_scan_tuples",
                          "Tuples an iterative hnsw scan visits before it stops searching.",
                          "Approximate; the first search always completes.", &h.max_scan_tuples,
                          20000, 1, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomRealVariable("hnsw.scan_mem_multiplier",
                           "Memory of an iterative hnsw scan, as a multiple of work_mem.", nullptr,
                           &h.scan_mem_multiplier, 1.0, 1.0, 1000.0, PGC_USERSET, 0, nullptr,
                           nullptr, nullptr);
  VECSIM_RESERVE_GUC_PREFIX("hnsw");

  IvfflatSettings& v = g_ivfflat_settings;
  DefineCustomIntVariable("ivfflat.probes", "Inverted lists an ivfflat scan reads per batch.",
                          "Values above the index's lists act as lists.", &v.probes, 1, 1, 32768,
                          PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomEnumVariable("ivfflat.iterative_scan",
                           "Whether an ivfflat scan reads more lists when its rows run out.",
                           nullptr, &v.iterative_scan, static_cast<int>(IterativeScan::kOff),
                           kIvfflatIterativeScan, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("ivfflat.max_probes",
                          "Most inverted lists an iterative ivfflat scan reads.",
                          "When below ivfflat.probes, probes applies.", &v.max_probes, 32768, 1,
                          32768, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  VECSIM_RESERVE_GUC_PREFIX("ivfflat");
}

}  // namespace vecsim::pg

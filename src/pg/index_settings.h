// src/pg/index_settings.h
// The settings of the two index access methods (docs/reference.md 10): hnsw.* and
// ivfflat.*, defined when the library loads, with their prefixes reserved.
//
// INVARIANTS
//   define_index_settings() runs once, from _PG_init. The variables below
//   always hold a value within pgvector's range (PostgreSQL rejects others
//   with 22023 before assigning). The access methods read them at plan and
//   scan time; nothing else writes them.
#pragma once

namespace vecsim::pg {

enum class IterativeScan : int { kOff = 0, kRelaxedOrder = 1, kStrictOrder = 2 };

struct HnswSettings {
  int ef_search;
  int iterative_scan;  // an IterativeScan
  int max_scan_tuples;
  double scan_mem_multiplier;
};

struct IvfflatSettings {
  int probes;
  int iterative_scan;  // kOff or kRelaxedOrder
  int max_probes;
};

extern HnswSettings g_hnsw_settings;
extern IvfflatSettings g_ivfflat_settings;

void define_index_settings();

}  // namespace vecsim::pg

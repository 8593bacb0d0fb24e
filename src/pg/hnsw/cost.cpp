// src/pg/hnsw/cost.cpp
// amcostestimate for hnsw (docs/reference.md 8.7). A scan reads only part of the
// index before its first row: the fraction
//   ratio = (L * m + 2 * m * ef_search * s) / N, at most 1,
//   L = floor(ln N / ln m), s = 0.55 * ln N / (ln m * (1 + ln ef_search)),
// (the upper-layer descent, then about s expansions of 2m neighbours per
// candidate on layer 0). The whole search happens before the first row,
// so the startup cost is that fraction of PostgreSQL's generic estimate
// for the full index. Without an ORDER BY the index is never chosen.
//
// INVARIANTS
//   Reads hnsw.ef_search at plan time and m from the index's options.
#include <cmath>

#include "hnsw/hnsw_am.h"
#include "index/am_common.h"
#include "index_settings.h"

#include "pg.h"

extern "C" {
#include "utils/float.h"
#include "access/relation.h"
#include "optimizer/optimizer.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
}

namespace vecsim::pg {

void hnsw_cost_estimate(PlannerInfo* root, IndexPath* path, double loop_count,
                        Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                        double* correlation, double* pages) {
  if (price_out_unordered(path, startup_cost, total_cost, selectivity, correlation, pages)) return;
  GenericCosts costs;
  MemSet(&costs, 0, sizeof costs);
  genericcostestimate(root, path, loop_count, &costs);

  Relation index = index_open(path->indexinfo->indexoid, NoLock);
  const double m = hnsw_option_m(index);
  index_close(index, NoLock);

  const double n = path->indexinfo->tuples;
  const double ef = g_hnsw_settings.ef_search;
  double ratio = 1.0;
  if (n > 1) {
    double layers = std::floor(std::log(n) / std::log(m));
    double s = 0.55 * std::log(n) / (std::log(m) * (1.0 + std::log(ef)));
    ratio = std::min(1.0, (layers * m + 2.0 * m * ef * s) / n);
  }

  double startup = costs.indexTotalCost * ratio;
  const double heap_pages = path->indexinfo->rel->pages;
  const double first_pages = costs.numIndexPages * ratio;
  if (ratio < 0.5 && first_pages > heap_pages) {
    // The pages read before the first row are mostly read once each, in
    // no useful order, but cached like the heap: price them as
    // sequential, and no more of them than the heap has.
    double random_cost, seq_cost;
    get_tablespace_page_costs(path->indexinfo->reltablespace, &random_cost, &seq_cost);
    startup -= first_pages * (random_cost - seq_cost);
    startup -= (first_pages - heap_pages) * seq_cost;
  }
  *startup_cost = std::max(0.0, startup);
  *total_cost = std::max(*startup_cost, costs.indexTotalCost);
  *selectivity = costs.indexSelectivity;
  *correlation = 0;
  *pages = costs.numIndexPages;
}

}  // namespace vecsim::pg

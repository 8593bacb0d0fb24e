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
// A LIMIT the scan cannot fill (index/am_common.h, scan_falls_short): a
// search returns about ef_search rows (max_scan_tuples when iterative);
// when too few of them are expected to pass the query's other conditions,
// the index is priced out and the planner's exact plan returns every row
// asked for (a selective WHERE c = $1 ... LIMIT 20 over 10,000 rows, c of
// 50 values: 40 rows x 1/50 passing, 0.8 rows, where pgvector's planner
// also goes exact); WHERE c <> $1 keeps the index.
//
// Keys on filter columns (docs/hnsw_filtering.md) divide the layer-0
// part by their selectivity (the walk passes over the elements that fail
// them), capped at the whole index (what the exact pass reads); such a
// scan returns every row they pass, so it never falls short of a LIMIT.
//
// INVARIANTS
//   Reads hnsw.ef_search at plan time and m from the index's options.
#include <cmath>

#include "hnsw/hnsw_am.h"
#include "index/am_common.h"
#include "index_settings.h"

#include "pg.h"

extern "C" {
#include "access/relation.h"
}

namespace vecsim::pg {
namespace {

// The rows a scan can return: about ef_search (one search), or up to
// max_scan_tuples with an iterative scan.
double reachable_rows() {
  const HnswSettings& s = g_hnsw_settings;
  if (static_cast<IterativeScan>(s.iterative_scan) != IterativeScan::kOff) {
    return std::max<double>(s.max_scan_tuples, s.ef_search);
  }
  return s.ef_search;
}

// What the index clauses ask: a condition on a filter column (any column
// after the vector), or IS NULL of the vector, which no hnsw index holds
// (the scan would return nothing where a sequential scan returns those
// rows).
struct ClauseKinds {
  bool filter_keys = false;
  bool null_vector = false;
};
ClauseKinds clause_kinds(IndexPath* path) {
  ClauseKinds kinds;
  ListCell* lc;
  foreach (lc, path->indexclauses) {
    const auto* clause = static_cast<IndexClause*>(lfirst(lc));
    if (clause->indexcol > 0) {
      kinds.filter_keys = true;
    } else if (IsA(clause->rinfo->clause, NullTest) &&
               reinterpret_cast<NullTest*>(clause->rinfo->clause)->nulltesttype == IS_NULL) {
      kinds.null_vector = true;
    }
  }
  return kinds;
}

}  // namespace

void hnsw_cost_estimate(PlannerInfo* root, IndexPath* path, double loop_count,
                        Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                        double* correlation, double* pages) {
  if (price_out_unordered(path, startup_cost, total_cost, selectivity, correlation, pages)) return;
  const ClauseKinds clauses = clause_kinds(path);
  if (clauses.null_vector) {
    price_out(startup_cost, total_cost, selectivity, correlation, pages);
    return;
  }
  Relation index = index_open(path->indexinfo->indexoid, NoLock);
  const double m = hnsw_option_m(index);
  index_close(index, NoLock);

  const double n = path->indexinfo->tuples;
  const double ef = g_hnsw_settings.ef_search;
  // Keys on filter columns: the walk visits about 1 / keys elements for
  // each one that passes, and the scan goes on until every passing row
  // is out (hnsw_page_scan.h, FILTERED SCANS).
  const double keys = clauses.filter_keys ? std::max(index_key_selectivity(root, path), 1e-9) : 1.0;
  double ratio = 1.0;
  if (n > 1) {
    double layers = std::floor(std::log(n) / std::log(m));
    double s = 0.55 * std::log(n) / (std::log(m) * (1.0 + std::log(ef)));
    ratio = std::min(1.0, (layers * m + 2.0 * m * ef * s / keys) / n);
  }
  // A scan with keys hands out every row they pass: it cannot fall short.
  const bool short_of_limit = !clauses.filter_keys && scan_falls_short(root, path, loop_count, reachable_rows());
  // The pages read before the first row are mostly read once each, in no
  // useful order: none priced as sequential up front (ordered_scan_costs).
  ordered_scan_costs(root, path, loop_count, ratio, 0.0, short_of_limit, startup_cost, total_cost, selectivity,
                     correlation, pages);
}

}  // namespace vecsim::pg

// src/pg/ivfflat/cost.cpp
// amcostestimate for ivfflat (docs/reference.md 9.5). A scan reads the
// probes lists nearest the query before its first row, a fraction
//   ratio = probes / lists (at most 1)
// of the index, and reads it mostly in order, so half of PostgreSQL's
// generic page cost is priced as sequential; the startup cost is that
// fraction of the whole. When ratio < 0.5 and those pages outnumber the
// heap's, they are priced as sequential and no more of them than the
// heap has (they are cached alike). Without an ORDER BY the index is
// never chosen.
//
// With probes >= lists the scan reads every list: an exact scan with an
// index's I/O, never better than the table's own scan and sort, so the
// index is priced out (disable_cost; still usable if the planner is told
// to avoid sequential scans).
//
// A LIMIT the scan cannot fill (index/am_common.h, scan_falls_short): a
// scan returns only the rows of the lists it reads (probes of them, or up
// to max_probes with an iterative scan); when too few of them are
// expected to pass the query's other conditions, the index is priced out,
// so the planner takes the exact plan a pgvector user expects rather than
// return too few rows.
//
// INVARIANTS
//   Reads ivfflat.probes (and the iterative settings) at plan time and the
//   built list count from the metapage (the reloption if it cannot).
#include <algorithm>
#include <cmath>

#include "index/am_common.h"
#include "index_settings.h"
#include "ivfflat/ivf_handle.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "access/relation.h"
}

namespace vecsim::pg {
namespace {

double built_lists(Oid index_oid) {
  Relation index = index_open(index_oid, NoLock);
  core::IvfMeta meta;
  double lists = read_ivf_meta(index, &meta) ? meta.lists : ivfflat_option_lists(index);
  index_close(index, NoLock);
  return std::max(lists, 1.0);
}

// The rows the scan can return before it stops: those of the lists it
// reads (probes, or max_probes with an iterative scan).
double reachable_rows(const IndexPath* path, double lists) {
  const IvfflatSettings& s = g_ivfflat_settings;
  double read = std::min<double>(s.probes, lists);
  if (static_cast<IterativeScan>(s.iterative_scan) == IterativeScan::kRelaxedOrder) {
    read = std::min<double>(std::max(s.max_probes, s.probes), lists);
  }
  return path->indexinfo->tuples * (read / lists);
}

}  // namespace

void ivfflat_cost_estimate(PlannerInfo* root, IndexPath* path, double loop_count,
                           Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                           double* correlation, double* pages) {
  if (price_out_unordered(path, startup_cost, total_cost, selectivity, correlation, pages)) return;
  const double lists = built_lists(path->indexinfo->indexoid);
  const double ratio = std::min(1.0, g_ivfflat_settings.probes / lists);
  // Reading every list is an exact scan with more I/O than the table's own.
  const bool price_out = ratio >= 1 || scan_falls_short(root, path, loop_count, reachable_rows(path, lists));
  // Lists are read in order: half the page cost is sequential from the start.
  ordered_scan_costs(root, path, loop_count, ratio, 0.5, price_out, startup_cost, total_cost, selectivity,
                     correlation, pages);
}

}  // namespace vecsim::pg

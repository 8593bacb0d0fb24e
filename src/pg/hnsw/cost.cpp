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
// Keys on filter columns (docs/hnsw_filtering.md) scale the layer-0 part
// by the walk's region: an unfiltered search's, or as far as it takes to
// meet its floor of passing elements (graph/filtered_pool.h), passing
// over the elements that fail; capped at the whole index (what the exact
// pass reads); such a
// scan returns every row they pass, so it never falls short of a LIMIT.
// A `column = value` key selective enough for the scan to read its
// postings instead (hnsw_page_scan.h, choose_postings: at most
// sqrt(4 ef_search N) rows) reads the elements of those rows in block
// order before the first row is handed out, priced as PostgreSQL prices
// a bitmap heap scan's pages (between random_page_cost and seq_page_cost
// by the share of the index they are), plus a tuple and a distance each.
//
// INVARIANTS
//   Reads hnsw.ef_search at plan time and m from the index's options.
#include <cmath>

#include "bridge/pg_call.h"
#include "graph/filtered_pool.h"
#include "hnsw/hnsw_am.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_postings.h"
#include "index/am_common.h"
#include "index_settings.h"
#include "page/pg_page_store.h"

#include "pg.h"

extern "C" {
#include "access/relation.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/spccache.h"
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

// The smallest selectivity among the index clauses that are `column =
// value` keys on filter columns (kNoEqualityKey if there are none).
constexpr Selectivity kNoEqualityKey = 2.0;
Selectivity equality_key_selectivity(PlannerInfo* root, IndexPath* path) {
  Selectivity best = kNoEqualityKey;
  ListCell* lc;
  foreach (lc, path->indexclauses) {
    const auto* clause = static_cast<IndexClause*>(lfirst(lc));
    if (clause->indexcol == 0) continue;
    ListCell* q;
    foreach (q, clause->indexquals) {
      auto* rinfo = static_cast<RestrictInfo*>(lfirst(q));
      if (!IsA(rinfo->clause, OpExpr)) continue;
      const Oid opno = reinterpret_cast<OpExpr*>(rinfo->clause)->opno;
      if (get_op_opfamily_strategy(opno, path->indexinfo->opfamily[clause->indexcol]) != BTEqualStrategyNumber) {
        continue;
      }
      best = std::min(best, clause_selectivity(root, reinterpret_cast<Node*>(rinfo), 0, JOIN_INNER, nullptr));
    }
  }
  return best;
}

// The cost of reading `listed` elements in block order, and the chain of
// their postings' bucket (which holds every key of that bucket: about
// N x filter columns / buckets entries): the whole scan, before its
// first row.
Cost postings_cost(PlannerInfo* root, IndexPath* path, double listed) {
  const double index_pages = std::max<double>(1.0, path->indexinfo->pages);
  const double fetched = index_pages_fetched(listed, index_pages, index_pages, root);
  double random_cost, seq_cost;
  get_tablespace_page_costs(path->indexinfo->reltablespace, &random_cost, &seq_cost);
  const double per_page = random_cost - (random_cost - seq_cost) * std::sqrt(fetched / index_pages);
  const double chain_entries = path->indexinfo->tuples * (path->indexinfo->nkeycolumns - 1) / core::kHnswPostingBuckets;
  const double posting_pages = 1.0 + chain_entries * sizeof(core::HnswPostingEntry) / BLCKSZ;
  return posting_pages * random_cost + fetched * per_page + listed * (cpu_index_tuple_cost + cpu_operator_cost);
}

// Whether the index has postings (format 4: its metapage says so; not
// an index of another format, such as pgvector's after pg_upgrade).
bool index_has_postings(Relation index) {
  if (!is_own_index(index, kHnswPageFormat)) return false;
  PgPageStore store(index, MAIN_FORKNUM, PgPageStore::Mode::kRead, kHnswPageFormat);
  core::HnswMeta meta;
  bool valid = false;
  raise_pending_or(store.refresh_page_count());
  raise_pending_or(core::read_hnsw_meta(&store, &meta, &valid));
  return valid && meta.version >= core::kHnswPostingsVersion;
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
  const bool postings = clauses.filter_keys && index_has_postings(index);
  index_close(index, NoLock);

  const double n = path->indexinfo->tuples;
  const double ef = g_hnsw_settings.ef_search;
  // Keys on filter columns: the walk explores the region of an unfiltered
  // search, or, where fewer than its floor (ef / 2) pass there, about 1 /
  // keys elements for each of the floor's; the scan goes on until every
  // passing row is out (hnsw_page_scan.h, FILTERED SCANS).
  const double keys = clauses.filter_keys ? std::max(index_key_selectivity(root, path), 1e-9) : 1.0;
  const double floor_share = static_cast<double>(core::filtered_walk_floor(static_cast<int>(ef))) / ef;
  const double region = clauses.filter_keys ? std::max(1.0, floor_share / keys) : 1.0;
  double ratio = 1.0;
  if (n > 1) {
    double layers = std::floor(std::log(n) / std::log(m));
    double s = 0.55 * std::log(n) / (std::log(m) * (1.0 + std::log(ef)));
    ratio = std::min(1.0, (layers * m + 2.0 * m * ef * s * region) / n);
  }
  // The rows of the most selective `=` key, if the scan reads its postings.
  const Selectivity equality = postings ? equality_key_selectivity(root, path) : kNoEqualityKey;
  const double listed = equality * n;
  const bool reads_postings = equality <= 1.0 && listed <= core::posting_cap(ef, n);
  // A scan with keys hands out every row they pass: it cannot fall short.
  const bool short_of_limit = !clauses.filter_keys && scan_falls_short(root, path, loop_count, reachable_rows());
  // The pages read before the first row are mostly read once each, in no
  // useful order: none priced as sequential up front (ordered_scan_costs).
  ordered_scan_costs(root, path, loop_count, ratio, 0.0, short_of_limit, startup_cost, total_cost, selectivity,
                     correlation, pages);
  if (reads_postings) {
    *startup_cost = *total_cost = postings_cost(root, path, std::max(1.0, listed));
  }
}

}  // namespace vecsim::pg

// src/pg/index/am_common.cpp
// The access methods' shared glue (index/am_common.h).
#include "index/am_common.h"

#include <algorithm>

#include "pg.h"

extern "C" {
#include "access/relscan.h"
#include "access/xloginsert.h"
#include "commands/vacuum.h"
#include "storage/bufmgr.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
#include "utils/float.h"
}

namespace vecsim::pg {

IndexAmRoutine* new_vector_am_routine(int amsupport) {
  IndexAmRoutine* am = makeNode(IndexAmRoutine);
  am->amstrategies = 0;
  am->amsupport = static_cast<uint16>(amsupport);
  am->amoptsprocnum = 0;
  am->amcanorder = false;
  am->amcanorderbyop = true;
  am->amcanbackward = false;
  am->amcanunique = false;
  am->amcanmulticol = false;
  am->amoptionalkey = true;
  am->amsearcharray = false;
  am->amsearchnulls = false;
  am->amstorage = false;
  am->amclusterable = false;
  am->ampredlocks = false;
  am->amcanparallel = false;
  am->amcaninclude = false;
  am->amusemaintenanceworkmem = false;
  am->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
  am->amkeytype = InvalidOid;
  // makeNode zeroes the rest: no amcanreturn, amproperty, amadjustmembers,
  // amgetbitmap, mark/restore or parallel-scan callbacks.
  return am;
}

void require_empty_index(Relation index) {
  if (RelationGetNumberOfBlocks(index) != 0) {
    elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
  }
}

IndexBuildResult* build_result(double heap_tuples, double index_tuples) {
  auto* result = static_cast<IndexBuildResult*>(palloc(sizeof(IndexBuildResult)));
  result->heap_tuples = heap_tuples;
  result->index_tuples = index_tuples;
  return result;
}

void log_built_fork(Relation index, ForkNumber fork) {
  if (fork == INIT_FORKNUM || RelationNeedsWAL(index)) {
    log_newpage_range(index, fork, 0, RelationGetNumberOfBlocksInFork(index, fork), true);
  }
}

void copy_scan_keys(IndexScanDesc scan, ScanKey keys, ScanKey orderbys) {
  if (keys != nullptr && scan->numberOfKeys > 0) {
    memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
  }
  if (orderbys != nullptr && scan->numberOfOrderBys > 0) {
    memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
  }
}

void price_out(Cost* startup_cost, Cost* total_cost, Selectivity* selectivity, double* correlation, double* pages) {
  *startup_cost = get_float8_infinity();
  *total_cost = get_float8_infinity();
  *selectivity = 0;
  *correlation = 0;
  *pages = 0;
}

bool price_out_unordered(IndexPath* path, Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                         double* correlation, double* pages) {
  if (path->indexorderbys != NIL) return false;
  price_out(startup_cost, total_cost, selectivity, correlation, pages);
  return true;
}

void ordered_scan_costs(PlannerInfo* root, IndexPath* path, double loop_count, double ratio,
                        double sequential_share, bool price_out, Cost* startup_cost, Cost* total_cost,
                        Selectivity* selectivity, double* correlation, double* pages) {
  GenericCosts costs;
  MemSet(&costs, 0, sizeof costs);
  // Index keys (hnsw's filter columns) do not narrow the part of the index
  // a scan reads, as a btree's do: the whole index is the base that ratio
  // takes a part of.
  if (path->indexclauses != NIL) costs.numIndexTuples = path->indexinfo->tuples;
  genericcostestimate(root, path, loop_count, &costs);
  double random_cost, seq_cost;
  get_tablespace_page_costs(path->indexinfo->reltablespace, &random_cost, &seq_cost);
  const double to_sequential = random_cost - seq_cost;
  costs.indexTotalCost -= costs.numIndexPages * to_sequential * sequential_share;

  double startup = costs.indexTotalCost * ratio;
  const double heap_pages = path->indexinfo->rel->pages;
  const double first_pages = costs.numIndexPages * ratio;
  if (ratio < 0.5 && first_pages > heap_pages) {
    startup -= first_pages * to_sequential * (1.0 - sequential_share);
    startup -= (first_pages - heap_pages) * seq_cost;
  }
  *startup_cost = std::max(0.0, startup);
  *total_cost = std::max(*startup_cost, costs.indexTotalCost);
  if (price_out) {
    *startup_cost += disable_cost;
    *total_cost += disable_cost;
  }
  *selectivity = costs.indexSelectivity;
  *correlation = 0;
  *pages = costs.numIndexPages;
}

bool scan_falls_short(PlannerInfo* root, IndexPath* path, double loop_count, double reachable) {
  if (!(root->limit_tuples > 0) || loop_count > 1 || bms_membership(root->all_baserels) != BMS_SINGLETON) {
    return false;
  }
  const IndexOptInfo* info = path->indexinfo;
  const Selectivity passing =
      clauselist_selectivity(root, info->indrestrictinfo, info->rel->relid, JOIN_INNER, nullptr);
  const double exact = std::min(root->limit_tuples, info->tuples * passing);
  return std::min(reachable, info->tuples) * passing < exact;
}

Selectivity index_key_selectivity(PlannerInfo* root, IndexPath* path) {
  List* keys = NIL;
  ListCell* lc;
  foreach (lc, path->indexclauses) keys = lappend(keys, static_cast<IndexClause*>(lfirst(lc))->rinfo);
  const Selectivity s = clauselist_selectivity(root, keys, path->indexinfo->rel->relid, JOIN_INNER, nullptr);
  list_free(keys);
  return s;
}

bool heap_tid_is_dead(std::uint32_t block, std::uint16_t offset, void* dead_tids) {
  auto* dead = static_cast<DeadTids*>(dead_tids);
  ItemPointerData tid;
  ItemPointerSet(&tid, block, offset);
  return dead->callback(&tid, dead->state);
}

IndexBulkDeleteResult* bulk_delete_result(IndexBulkDeleteResult* stats) {
  if (stats != nullptr) return stats;
  return static_cast<IndexBulkDeleteResult*>(palloc0(sizeof(IndexBulkDeleteResult)));
}

bool skip_foreign_index(IndexVacuumInfo* info, IndexBulkDeleteResult* stats, const PageFormat& format) {
  if (is_own_index(info->index, format)) return false;
  report_foreign_index(info->index, format, WARNING);
  stats->num_index_tuples = info->num_heap_tuples;
  stats->estimated_count = true;
  return true;
}

IndexBulkDeleteResult* vector_vacuum_cleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats) {
  if (info->analyze_only) return stats;
  if (stats == nullptr) {
    stats = bulk_delete_result(stats);
    stats->num_index_tuples = info->num_heap_tuples;
    stats->estimated_count = info->estimated_count;
  }
  stats->num_pages = RelationGetNumberOfBlocks(info->index);
  return stats;
}

}  // namespace vecsim::pg

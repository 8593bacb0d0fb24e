// src/pg/ivfflat/build.cpp
// CREATE INDEX / REINDEX for ivfflat (docs/ivfflat.md, "Build"):
//   1 initializing       checks the column's dimensions and the opclass
//   2 performing k-means samples rows as ANALYZE does (a block sample,
//                        then a reservoir over the rows of those blocks),
//                        max(50 x lists, 10,000) of them within
//                        maintenance_work_mem, and trains lists centres
//                        (ivf/kmeans.h); spherical for ip and cosine
//   3 assigning tuples   scans the table, assigning rows to their nearest
//                        centre a batch at a time (a matrix product for
//                        dense values) on the build's helper threads
//   4 loading tuples     writes each batch list by list
// Phases 3 and 4 alternate when the rows exceed one batch. ambuildempty
// writes an index with random centres to the init fork (without the
// low-data notice, which is about the table's rows).
//
// INVARIANTS
//   Everything lives in the build's memory context (core's objects in
//   slots destroyed with it), so an error or cancel anywhere frees it all
//   and the half-written relation goes with the aborted transaction.
//   Memory: the sample, centres, k-means work areas and the batch stay
//   within maintenance_work_mem: the sample shrinks to fit, and when not
//   even the centres and k-means areas fit the build fails with 54000 in
//   pgvector's words.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "bridge/pg_call.h"
#include "index/am_common.h"
#include "index/build_workers.h"
#include "index/handle_slot.h"
#include "index/value_datum.h"
#include "ivf/ivf_values.h"
#include "ivf/kmeans.h"
#include "ivfflat/ivf_handle.h"
#include "ivfflat/ivfflat_am.h"

#include "pg.h"

extern "C" {
#include "access/tableam.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/sampling.h"
}

namespace vecsim::pg {
namespace {

using core::ValueKind;

constexpr std::size_t kMinSamples = 10000;
constexpr std::size_t kSamplesPerList = 50;
constexpr int kMaxIterations = 200;
constexpr std::size_t kMaxBatchRows = 1 << 20;

struct BuildState {
  core::IndexOpclass opclass;
  bool spherical;
  bool bits;
  bool init_fork;  // the empty index of an unlogged table: no notice
  std::size_t dims;         // bits for bit
  std::size_t value_bytes;  // of a stored value
  std::size_t row_bytes;    // of a sample row: dims floats, or value_bytes
  std::uint32_t lists;
  int threads;
  IvfHandle* handle;
  MemoryContext row_context;

  // The sample (phase 2).
  unsigned char* sample;
  float* sample_row;  // the row being offered
  std::size_t sample_cap, sample_count;
  double sample_seen, rows_to_skip;
  ReservoirStateData reservoir;

  // Centres as stored, and as float rows for the assigner (dense).
  unsigned char* centres;
  float* centre_rows;
  core::DenseAssigner* assigner;

  // The batch (phases 3 and 4).
  std::size_t batch_cap, batch_count;
  unsigned char* batch_values;
  ItemPointerData* batch_tids;
  float* batch_rows;
  std::uint32_t* batch_list;
  std::uint32_t* batch_order;
  std::uint32_t* list_fill;

  std::uint64_t* list_rows;
  double* list_distance;
  double heap_tuples;
  double indexed;
  double tuples_total;  // reported to pg_stat_progress_create_index
};

core::KMeansOptions parallel_options(const BuildState* s) {
  core::KMeansOptions o;
  o.k = s->lists;
  o.max_iterations = kMaxIterations;
  o.spherical = s->spherical;
  o.seed = VECSIM_RANDOM_U64();
  o.threads = s->threads;
  o.stop = build_stop_requested;
  return o;
}

// docs/reference.md 7.4 (checked_index_dims), up to the widest value an
// index takes (wider than a page is stored in chunks, ivf_format.h); and
// ip and cosine need two dimensions.
std::int32_t checked_dims(Relation index, const BuildState& s, const PgPageStore& store) {
  const ValueKind kind = s.opclass.kind;
  const std::int64_t limit = largest_fitting_dims(static_cast<std::int64_t>(core::kIvfMaxValueBytes) * 8,
                                                  [&](std::int64_t d) {
    return core::IvfIndex<PgPageStore>::fits(store, core::value_bytes_for_dims(kind, d));
  });
  char detail[96];
  snprintf(detail, sizeof detail, "An ivfflat index holds %%s values of at most %zu bytes.", core::kIvfMaxValueBytes);
  const std::int32_t dims = checked_index_dims(index, kind, "ivfflat", limit, detail);
  if (s.spherical && dims == 1) {
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("dimensions must be greater than one for this opclass")));
  }
  return dims;
}

void* alloc_huge(std::size_t bytes) {
  return MemoryContextAllocHuge(CurrentMemoryContext, std::max<std::size_t>(bytes, 1));
}

// Sizes the sample within maintenance_work_mem beside what must fit
// whatever the sample: centres, k-means work areas for the smallest
// sample, counters (54000, in pgvector's words, when that alone does not).
void plan_memory(BuildState* s) {
  const std::size_t budget = static_cast<std::size_t>(maintenance_work_mem) * 1024;
  const std::size_t want = std::max(kMinSamples, kSamplesPerList * s->lists);
  const std::size_t width = s->bits ? s->value_bytes : s->dims;
  // Per list: the centre as stored and as floats, the counters, and the
  // assigner's transposed copy (dims floats); then the assigner's panels
  // (threads x 64 rows of one product per list).
  const std::size_t fixed = s->lists * (s->value_bytes + (s->bits ? 0 : 2 * s->dims * 4) + 24) +
                            (s->bits ? 0 : static_cast<std::size_t>(s->threads) * 64 * (s->lists + 16) * 4);
  auto needed = [&](std::size_t samples) {
    return fixed + samples * s->row_bytes + core::kmeans_work_bytes(samples, width, s->lists, s->threads, s->bits);
  };
  std::size_t cap = want;
  while (cap > s->lists && needed(cap) > budget) cap = std::max<std::size_t>(s->lists, cap * 7 / 8);
  if (needed(cap) > budget) {
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("memory required is %zu MB, maintenance_work_mem is %d MB",
                           (needed(want) + (1 << 20) - 1) >> 20, maintenance_work_mem / 1024)));
  }
  s->sample_cap = cap;
  // The batch takes what the sample leaves (it is freed before the batch
  // is made), at least 1,024 rows.
  const std::size_t per_row = s->value_bytes + sizeof(ItemPointerData) + 12 + (s->bits ? 0 : s->dims * 4);
  const std::size_t left = budget > fixed ? budget - fixed : 0;
  s->batch_cap = std::clamp<std::size_t>(left / per_row, 1024, kMaxBatchRows);
}

// One row offered to the sample: prepared as the index would store it
// (skipping NULL and zero vectors under cosine), as float32 (normalised
// for spherical k-means, where zero vectors are not sampled), into the
// reservoir.
void sample_row(Relation, ItemPointer, Datum* values, bool* isnull, bool, void* arg) {
  auto* s = static_cast<BuildState*>(arg);
  if (isnull[0]) return;
  MemoryContext caller = MemoryContextSwitchTo(s->row_context);
  core::ValueRef value;
  bool indexed = index_value_of(s->opclass, values[0], nullptr, &value);
  MemoryContextSwitchTo(caller);
  if (indexed) {
    float* row = s->sample_row;
    if (s->bits) {
      std::memcpy(row, value.bytes, s->value_bytes);
    } else {
      core::dense_value_as_floats(s->opclass.kind, value.bytes, s->dims, row);
      if (s->spherical) {
        double norm = 0;
        for (std::size_t i = 0; i < s->dims; ++i) norm += static_cast<double>(row[i]) * row[i];
        if (norm > 0) {
          for (std::size_t i = 0; i < s->dims; ++i) row[i] = static_cast<float>(row[i] / std::sqrt(norm));
        }
        indexed = norm > 0;
      }
    }
    std::size_t slot = s->sample_cap;
    if (indexed && s->sample_count < s->sample_cap) {
      slot = s->sample_count++;
    } else if (indexed) {
      if (s->rows_to_skip < 0) s->rows_to_skip = reservoir_get_next_S(&s->reservoir, s->sample_seen, s->sample_cap);
      if (s->rows_to_skip <= 0) {
        slot = static_cast<std::size_t>(s->sample_cap * sampler_random_fract(&s->reservoir.randstate));
      }
      s->rows_to_skip -= 1;
    }
    if (indexed) s->sample_seen += 1;
    if (slot < s->sample_cap) std::memcpy(s->sample + slot * s->row_bytes, row, s->row_bytes);
  }
  MemoryContextReset(s->row_context);
}

void take_sample(Relation heap, Relation index, IndexInfo* info, BuildState* s) {
  s->sample = static_cast<unsigned char*>(alloc_huge(s->sample_cap * s->row_bytes));
  s->sample_row = static_cast<float*>(palloc(s->row_bytes));
  s->rows_to_skip = -1;
  reservoir_init_selection_state(&s->reservoir, static_cast<int>(s->sample_cap));
  BlockSamplerData blocks;
  BlockSampler_Init(&blocks, RelationGetNumberOfBlocks(heap), static_cast<int>(s->sample_cap),
                    pg_prng_uint32(&pg_global_prng_state));
  while (BlockSampler_HasMore(&blocks)) {
    BlockNumber block = BlockSampler_Next(&blocks);
    table_index_build_range_scan(heap, index, info, false, false, false, block, 1, sample_row, s, nullptr);
  }
}

// Trains the centres and stores them as values of the index's kind.
void train(BuildState* s) {
  if (s->sample_count < s->lists && !s->init_fork) {
    ereport(NOTICE, (errmsg("ivfflat index created with little data"),
                     errdetail("This will cause low recall."),
                     errhint("Drop the index until the table has more data.")));
  }
  core::KMeansOptions o = parallel_options(s);
  core::KMeansReport report;
  s->centres = static_cast<unsigned char*>(alloc_huge(s->lists * s->value_bytes));
  if (s->bits) {
    raise_pending_or(core::kmeans_bits(s->sample, s->sample_count, s->value_bytes, s->dims, o, s->centres, &report));
  } else {
    s->centre_rows = static_cast<float*>(alloc_huge(s->lists * s->dims * sizeof(float)));
    raise_pending_or(core::kmeans_dense(reinterpret_cast<const float*>(s->sample), s->sample_count, s->dims, o,
                                          s->centre_rows, &report));
    for (std::size_t l = 0; l < s->lists; ++l) {
      float* row = s->centre_rows + l * s->dims;
      if (!core::floats_as_dense_value(s->opclass.kind, row, s->dims, s->centres + l * s->value_bytes)) {
        elog(ERROR, "an ivfflat centre is out of range for %s", core::value_kind_name(s->opclass.kind));
      }
      // Assign by the centres as stored (rounded), as inserts will.
      core::dense_value_as_floats(s->opclass.kind, s->centres + l * s->value_bytes, s->dims, row);
    }
    s->assigner = new_owned<core::DenseAssigner>(CurrentMemoryContext);
    raise_pending_or(s->assigner->prepare(s->centre_rows, s->lists, s->dims, s->spherical));
  }
  ereport(DEBUG2, (errmsg_internal("ivfflat k-means: %zu samples, %d iterations, %zu empty clusters re-seeded",
                                   s->sample_count, report.iterations, report.reseeded)));
  pfree(s->sample);
  s->sample = nullptr;
}

// Assigns the batch to lists, then appends it list by list.
void flush_batch(BuildState* s) {
  if (s->batch_count == 0) return;
  const std::size_t n = s->batch_count;
  core::KMeansOptions o = parallel_options(s);
  if (s->bits) {
    raise_pending_or(core::assign_bits(s->centres, s->lists, s->value_bytes, s->batch_values, n, s->batch_list,
                                         nullptr, o));
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      core::dense_value_as_floats(s->opclass.kind, s->batch_values + i * s->value_bytes, s->dims,
                                  s->batch_rows + i * s->dims);
    }
    raise_pending_or(s->assigner->assign(s->batch_rows, n, s->batch_list, nullptr, o));
  }
  // A counting sort by list: the batch's entries of a list go out together.
  std::memset(s->list_fill, 0, (s->lists + 1) * sizeof(std::uint32_t));
  for (std::size_t i = 0; i < n; ++i) ++s->list_fill[s->batch_list[i] + 1];
  for (std::size_t l = 0; l < s->lists; ++l) s->list_fill[l + 1] += s->list_fill[l];
  for (std::size_t i = 0; i < n; ++i) s->batch_order[s->list_fill[s->batch_list[i]]++] = static_cast<std::uint32_t>(i);

  // tuples_total: the table's estimate, or the rows seen so far if more.
  s->tuples_total = std::max(s->tuples_total, s->indexed + static_cast<double>(n));
  const int index[] = {PROGRESS_CREATEIDX_SUBPHASE, PROGRESS_CREATEIDX_TUPLES_TOTAL};
  const int64 values[] = {kIvfflatPhaseLoad, static_cast<int64>(s->tuples_total)};
  pgstat_progress_update_multi_param(2, index, values);
  const core::AnyMetric metric = core::any_metric_of(s->opclass);
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint32_t i = s->batch_order[k];
    const std::uint32_t list = s->batch_list[i];
    const core::ValueRef value{s->batch_values + i * s->value_bytes, s->value_bytes};
    const core::ValueRef centre{s->centres + list * s->value_bytes, s->value_bytes};
    ItemPointer tid = &s->batch_tids[i];
    raise_pending_or(s->handle->index.append(list, value, ItemPointerGetBlockNumber(tid),
                                             ItemPointerGetOffsetNumber(tid), nullptr));
    s->list_rows[list] += 1;
    s->list_distance[list] += core::operator_distance(s->opclass.metric, metric.distance(value, centre));
    s->indexed += 1;
    if (k % 256 == 0) {
      CHECK_FOR_INTERRUPTS();
      pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(s->indexed));
    }
  }
  pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, static_cast<int64>(s->indexed));
  pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfflatPhaseAssign);
  s->batch_count = 0;
}

void collect_row(Relation, ItemPointer tid, Datum* values, bool* isnull, bool, void* arg) {
  auto* s = static_cast<BuildState*>(arg);
  s->heap_tuples += 1;
  if (isnull[0]) return;
  MemoryContext caller = MemoryContextSwitchTo(s->row_context);
  core::ValueRef value;
  bool indexed = index_value_of(s->opclass, values[0], nullptr, &value);
  MemoryContextSwitchTo(caller);
  if (indexed) {
    std::memcpy(s->batch_values + s->batch_count * s->value_bytes, value.bytes, s->value_bytes);
    s->batch_tids[s->batch_count++] = *tid;
  }
  MemoryContextReset(s->row_context);
  if (s->batch_count == s->batch_cap) flush_batch(s);
}

void assign_rows(Relation heap, Relation index, IndexInfo* info, BuildState* s) {
  s->batch_values = static_cast<unsigned char*>(alloc_huge(s->batch_cap * s->value_bytes));
  s->batch_tids = static_cast<ItemPointerData*>(alloc_huge(s->batch_cap * sizeof(ItemPointerData)));
  s->batch_list = static_cast<std::uint32_t*>(alloc_huge(s->batch_cap * sizeof(std::uint32_t)));
  s->batch_order = static_cast<std::uint32_t*>(alloc_huge(s->batch_cap * sizeof(std::uint32_t)));
  if (!s->bits) s->batch_rows = static_cast<float*>(alloc_huge(s->batch_cap * s->dims * sizeof(float)));
  s->list_fill = static_cast<std::uint32_t*>(alloc_huge((s->lists + 1) * sizeof(std::uint32_t)));
  pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfflatPhaseAssign);
  s->tuples_total = std::max(0.0, static_cast<double>(heap->rd_rel->reltuples));
  s->heap_tuples = table_index_build_scan(heap, index, info, true, true, collect_row, s, nullptr);
  flush_batch(s);
}

// Builds the index on fork (heap null: an empty index, random centres).
void build_fork(Relation heap, Relation index, IndexInfo* info, ForkNumber fork, BuildState* s) {
  s->init_fork = fork == INIT_FORKNUM;
  s->opclass = ivfflat_opclass_of(index);
  if (s->opclass.kind == ValueKind::kSparse) {
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("type not supported for ivfflat index")));
  }
  s->spherical = ivfflat_spherical(index);
  s->bits = s->opclass.kind == ValueKind::kBit;
  s->lists = static_cast<std::uint32_t>(ivfflat_option_lists(index));

  MemoryContext build_context =
      AllocSetContextCreate(CurrentMemoryContext, "vecsim ivfflat build", ALLOCSET_DEFAULT_SIZES);
  MemoryContext caller = MemoryContextSwitchTo(build_context);
  s->handle = new_ivf_handle(build_context, index, fork, PgPageStore::Mode::kBuild, s->opclass);
  s->dims = static_cast<std::size_t>(checked_dims(index, *s, s->handle->store));
  s->value_bytes = core::value_bytes_for_dims(s->opclass.kind, static_cast<std::int64_t>(s->dims));
  s->row_bytes = s->bits ? s->value_bytes : s->dims * sizeof(float);
  s->row_context = AllocSetContextCreate(build_context, "vecsim ivfflat build row", ALLOCSET_DEFAULT_SIZES);
  s->threads = heap != nullptr ? start_build_threads(heap, index) : 1;
  plan_memory(s);
  s->list_rows = static_cast<std::uint64_t*>(MemoryContextAllocExtended(build_context, s->lists * sizeof(std::uint64_t), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));
  s->list_distance = static_cast<double*>(MemoryContextAllocExtended(build_context, s->lists * sizeof(double), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO));

  pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, kIvfflatPhaseKMeans);  // sampling is part of it
  if (heap != nullptr) {
    take_sample(heap, index, info, s);
  } else {
    s->sample = static_cast<unsigned char*>(alloc_huge(0));
  }
  train(s);

  core::IvfMeta meta{};
  meta.kind = static_cast<std::uint8_t>(s->opclass.kind);
  meta.metric = static_cast<std::uint8_t>(s->opclass.metric);
  meta.dims = static_cast<std::uint32_t>(s->dims);
  meta.lists = s->lists;
  meta.value_bytes = static_cast<std::uint32_t>(s->value_bytes);
  raise_pending_or(s->handle->index.create(meta, s->centres));
  if (heap != nullptr) assign_rows(heap, index, info, s);
  for (std::uint32_t l = 0; l < s->lists; ++l) {
    if (s->list_rows[l] == 0) continue;
    raise_pending_or(s->handle->index.set_build_stats(l, s->list_rows[l], s->list_distance[l]));
  }
  raise_pending_or(s->handle->index.set_build_rows(static_cast<std::uint64_t>(s->indexed)));
  MemoryContextSwitchTo(caller);
  log_built_fork(index, fork);
  MemoryContextDelete(build_context);
}

}  // namespace

IndexBuildResult* ivfflat_build(Relation heap, Relation index, IndexInfo* info) {
  require_empty_index(index);
  BuildState state{};
  build_fork(heap, index, info, MAIN_FORKNUM, &state);
  return build_result(state.heap_tuples, state.indexed);
}

void ivfflat_build_empty(Relation index) {
  BuildState state{};
  build_fork(nullptr, index, nullptr, INIT_FORKNUM, &state);
}

}  // namespace vecsim::pg

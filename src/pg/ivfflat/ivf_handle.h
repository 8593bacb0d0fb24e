// src/pg/ivfflat/ivf_handle.h
// core's ivfflat index over one fork of an index relation, with the
// scratch its callers reuse, owned through a HandleSlot (its vectors are
// freed when the owning memory context goes, also on error or cancel).
// The index is compiled once, in ivf_handle.cpp.
//
// INVARIANTS
//   PgPageStore reaches PostgreSQL only through pg_call, so every method of
//   the core index returns a Status and never longjmps through C++ frames.
#pragma once

#include <vector>

#include "index/scorer.h"
#include "ivf/ivf_index.h"
#include "page/pg_page_store.h"
#include "ivfflat/ivfflat_am.h"

namespace vecsim::pg {

struct IvfHandle {
  IvfHandle(Relation index, ForkNumber fork, PgPageStore::Mode mode, core::IndexOpclass opclass) noexcept
      : opclass(opclass),
        store(index, fork, mode, kIvfflatPageFormat),
        index(&store, core::any_metric_of(opclass)) {}

  core::IndexOpclass opclass;
  PgPageStore store;
  core::IvfIndex<PgPageStore> index;
  std::vector<float> scratch;  // distances to the centres
};

// PG zone: a handle in context (destroyed with it).
IvfHandle* new_ivf_handle(MemoryContext context, Relation index, ForkNumber fork, PgPageStore::Mode mode,
                          core::IndexOpclass opclass);

// PG zone: the metapage of an index of vecsim's ivfflat (false for any
// other index, such as pgvector's after pg_upgrade, or a bad metapage).
bool read_ivf_meta(Relation index, core::IvfMeta* meta);

// The extension lock of a list (ivfflat_am.h, LOCKS), for IvfIndex::append.
core::IvfHooks ivf_list_locks(Relation index);

}  // namespace vecsim::pg

extern template class vecsim::core::IvfIndex<vecsim::pg::PgPageStore>;

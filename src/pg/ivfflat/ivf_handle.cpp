// src/pg/ivfflat/ivf_handle.cpp
// The one instantiation of core's IvfIndex over PgPageStore, and the
// list locks inserts take to extend a chain.
#include "ivfflat/ivf_handle.h"

#include "bridge/pg_call.h"
#include "index/handle_slot.h"

#include "pg.h"

extern "C" {
#include "miscadmin.h"
#include "storage/lmgr.h"
}

template class vecsim::core::IvfIndex<vecsim::pg::PgPageStore>;

namespace vecsim::pg {

IvfHandle* new_ivf_handle(MemoryContext context, Relation index, ForkNumber fork, PgPageStore::Mode mode,
                          core::IndexOpclass opclass) {
  return new_owned<IvfHandle>(context, index, fork, mode, opclass);
}

bool read_ivf_meta(Relation index, core::IvfMeta* meta) {
  if (!is_own_index(index, kIvfflatPageFormat)) return false;
  PgPageStore store(index, MAIN_FORKNUM, PgPageStore::Mode::kRead, kIvfflatPageFormat);
  bool valid = false;
  raise_pending_or(core::IvfIndex<PgPageStore>::read_meta(&store, meta, &valid));
  return valid;
}

// While a list is locked for an extension, interrupts are held: a cancel
// between its three records would leave a page on no chain (wasted until
// a REINDEX); it is served right after the unlock. An error still can,
// as a crash can (docs/ivfflat.md 8).
core::IvfHooks ivf_list_locks(Relation index) {
  return core::IvfHooks{
      [](void* arg, std::uint32_t list) {
        core::Status st = pg_call([&]() noexcept {
          LockPage(static_cast<Relation>(arg), list_lock_tag(list), ExclusiveLock);
        });
        if (st.is_ok()) HOLD_INTERRUPTS();
        return st;
      },
      [](void* arg, std::uint32_t list) {
        RESUME_INTERRUPTS();
        // UnlockPage only releases a lock this backend holds (it raises
        // nothing for one it holds), so it is called directly.
        UnlockPage(static_cast<Relation>(arg), list_lock_tag(list), ExclusiveLock);
      },
      index};
}

}  // namespace vecsim::pg

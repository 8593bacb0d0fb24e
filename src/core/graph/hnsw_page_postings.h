// src/core/graph/hnsw_page_postings.h
// The postings of an hnsw index on pages (format: storage/hnsw_postings.h):
// appending an element's entries (inserts), reading a key's entries
// (scans) and removing stale ones (vacuum); the build writes them all at
// once (storage/hnsw_postings.h, write_hnsw_postings).
//
// CONCURRENCY
//   An append is one page change: into the bucket's room page or its tail
//   if either has a free entry (checked under the page lock), else into a
//   new page that joins the chain in one change with the tail's `next`
//   and the directory (block 0, the tail, the new page: locked in that
//   ascending order), which checks that the tail is still the last. A lost
//   race leaves the new page empty and unlinked; this object keeps it for
//   the next chain it extends.
//   Readers follow `next` from the head one page at a time: a page added
//   or an entry appended meanwhile may be missed, which only an insert
//   not yet committed can have written (one the reader's snapshot does
//   not see). Vacuum removes entries in place, each found stale first and
//   removed only as often as it saw it (an equal entry appended since, for
//   a slot reused by a row of the same key, stays).
//
// INVARIANTS
//   See storage/hnsw_postings.h. Every method returns store errors
//   unchanged; a failed append leaves no entry (the insert's transaction
//   aborts; its row is dead).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "graph/hnsw_element_reader.h"
#include "graph/hnsw_page_context.h"
#include "storage/hnsw_postings.h"
#include "util/status.h"

namespace vecsim::core {

template <class Store>
class HnswPagePostings {
 public:
  HnswPagePostings(HnswPageContext<Store>& ctx, HnswElementReader<Store>& reader) : ctx_(ctx), reader_(reader) {}

  // Whether the index has postings (a directory in block 0).
  bool enabled() const { return ctx_.postings_item != 0; }

  // Appends element r's entries (attrs: its attribute block).
  Status add(HnswRef r, const unsigned char* attrs) {
    if (!enabled()) return Status::ok();
    keys_.clear();
    for_each_posting_key(ctx_.attrs, attrs, [&](std::uint64_t key) { keys_.push_back(key); });
    for (std::uint64_t key : keys_) VECSIM_RETURN_IF_ERROR(append(key, r));
    return Status::ok();
  }

  // The elements with an entry of key, appended to *out (unsorted,
  // possibly repeated); stops with *over once more than cap were found.
  Status lookup(std::uint64_t key, std::size_t cap, std::vector<HnswRef>* out, bool* over) {
    *over = false;
    HnswPostingBucket b{};
    VECSIM_RETURN_IF_ERROR(read_bucket(posting_bucket(key, ctx_.posting_buckets), &b));
    const std::uint32_t tag = posting_tag(key);
    const std::size_t start = out->size();
    std::uint32_t hops = 0;
    for (std::uint32_t page = b.head; page != 0;) {
      VECSIM_RETURN_IF_ERROR(count_hop(&hops, page));
      bool intact = true;
      std::uint32_t next = 0;
      VECSIM_RETURN_IF_ERROR(ctx_.store->read_item(page, 1, [&](const unsigned char* p, std::size_t n) {
        HnswPostingPage h;
        if (!(intact = decode_posting_page(p, n, &h))) return;
        next = h.next;
        for (std::size_t i = 0; i < h.count; ++i) {
          const HnswPostingEntry e = posting_entry_at(p, i);
          if (e.tag == tag) out->push_back(e.ref);
        }
      }));
      if (!intact) return corrupt_chain(page);
      if (out->size() - start > cap) {
        *over = true;
        return Status::ok();
      }
      page = next;
    }
    return Status::ok();
  }

  // Vacuum: removes from every chain the entries of elements that
  // maybe_stale(ref) names and that are gone when judged (deleted, or no
  // element any more) or hold no key of the entry's tag in its bucket,
  // and the repeats of an entry on one page but one (all of them if it
  // is stale); points each bucket's room at its first page with a free
  // entry. between(): what the host does between pages (an interrupt
  // check).
  template <class MaybeStale, class Between>
  Status remove_stale(MaybeStale&& maybe_stale, Between&& between, std::size_t* removed) {
    *removed = 0;
    if (!enabled()) return Status::ok();
    for (std::uint32_t b = 0; b < ctx_.posting_buckets; ++b) {
      HnswPostingBucket bucket{};
      VECSIM_RETURN_IF_ERROR(read_bucket(b, &bucket));
      std::uint32_t first_room = 0;
      std::uint32_t hops = 0;
      for (std::uint32_t page = bucket.head; page != 0;) {
        VECSIM_RETURN_IF_ERROR(count_hop(&hops, page));
        std::uint32_t next = 0;
        bool has_room = false;
        VECSIM_RETURN_IF_ERROR(clean_page(page, b, maybe_stale, &next, &has_room, removed));
        if (has_room && first_room == 0) first_room = page;
        VECSIM_RETURN_IF_ERROR(between());
        page = next;
      }
      if (first_room != 0 && first_room != bucket.room) VECSIM_RETURN_IF_ERROR(set_room(b, bucket.room, first_room));
    }
    return Status::ok();
  }

 private:
  Status read_bucket(std::uint32_t b, HnswPostingBucket* out) {
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_item(0, ctx_.postings_item, [&](const unsigned char* p, std::size_t n) {
      std::uint16_t count = 0;
      if (!(intact = decode_posting_directory(p, n, &count) && b < count)) return;
      *out = posting_bucket_at(p, b);
    }));
    return intact ? Status::ok() : Status::error(ErrorCode::kInternal, "hnsw postings directory is corrupt");
  }

  // Appends (key's tag, r) as CONCURRENCY says.
  Status append(std::uint64_t key, HnswRef r) {
    const std::uint32_t b = posting_bucket(key, ctx_.posting_buckets);
    const HnswPostingEntry entry{posting_tag(key), r};
    for (int attempt = 0; attempt < kAppendAttempts; ++attempt) {
      HnswPostingBucket bucket{};
      VECSIM_RETURN_IF_ERROR(read_bucket(b, &bucket));
      bool added = false;
      if (bucket.room != 0 && bucket.room != bucket.tail) {
        std::uint32_t next = 0;
        VECSIM_RETURN_IF_ERROR(append_to(bucket.room, b, entry, &added, &next));
        if (added) return Status::ok();
        // Full: the room hint moves on along the chain.
        VECSIM_RETURN_IF_ERROR(set_room(b, bucket.room, next != 0 ? next : bucket.tail));
      }
      if (bucket.tail != 0) {
        std::uint32_t next = 0;
        VECSIM_RETURN_IF_ERROR(append_to(bucket.tail, b, entry, &added, &next));
        if (added) return Status::ok();
        if (next != 0) continue;  // another insert extended the chain: read it again
      }
      if (spare_ == 0) {
        const std::vector<unsigned char> page = empty_page(b);
        VECSIM_RETURN_IF_ERROR(new_page_for_ref(ctx_.store, page.data(), page.size(), &spare_));
      }
      bool fresh_taken = false;  // spare_ is linked now, or was not a spare page
      VECSIM_RETURN_IF_ERROR(extend(b, bucket.tail, spare_, entry, &added, &fresh_taken));
      if (fresh_taken) spare_ = 0;
      if (added) return Status::ok();
    }
    return Status::error(ErrorCode::kSerializationFailure,
                         "could not add to hnsw postings after %d attempts under concurrent inserts",
                         kAppendAttempts);
  }

  // Appends entry to page (of bucket b) if it has a free entry (*added);
  // else *next is its next page.
  Status append_to(std::uint32_t page, std::uint32_t b, const HnswPostingEntry& entry, bool* added,
                   std::uint32_t* next) {
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(page, 1, [&](unsigned char* p, std::size_t n) {
      HnswPostingPage h;
      if (!(intact = decode_posting_page(p, n, &h) && h.bucket == b)) return false;
      *next = h.next;
      if (h.count == h.capacity) return false;
      set_posting_entry(p, h.count, entry);
      ++h.count;
      set_posting_header(p, h);
      return true;
    }, added));
    return intact ? Status::ok() : corrupt_chain(page);
  }

  // Links page `fresh` (empty and in no chain: this object's spare) after
  // `tail` (0: the chain is empty), into bucket b, with entry in it, if
  // tail is still the chain's last page (*added; *taken when fresh is no
  // spare any more: linked, or found not to be an empty posting page).
  Status extend(std::uint32_t b, std::uint32_t tail, std::uint32_t fresh, const HnswPostingEntry& entry,
                bool* added, bool* taken) {
    ItemAddress items[3] = {{0, ctx_.postings_item}, {tail, 1}, {fresh, 1}};
    const bool has_tail = tail != 0;
    if (!has_tail) items[1] = items[2];
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_items(items, has_tail ? 3 : 2,
        [&](unsigned char* const* p, const std::size_t* n) {
          std::uint16_t count = 0;
          if (!(intact = decode_posting_directory(p[0], n[0], &count) && b < count)) return false;
          HnswPostingBucket bucket = posting_bucket_at(p[0], b);
          if (bucket.tail != tail) return false;
          unsigned char* page = p[has_tail ? 2 : 1];
          HnswPostingPage h;
          if (!decode_posting_page(page, n[has_tail ? 2 : 1], &h) || h.count != 0 || h.next != 0) {
            *taken = true;  // not a spare page (never so, short of a bug): a new one is made
            return false;
          }
          if (has_tail) {
            HnswPostingPage t;
            if (!(intact = decode_posting_page(p[1], n[1], &t) && t.bucket == b)) return false;
            if (t.next != 0) return false;
            t.next = fresh;
            set_posting_header(p[1], t);
          } else {
            bucket.head = fresh;
          }
          set_posting_entry(page, 0, entry);
          h.count = 1;
          h.bucket = b;
          set_posting_header(page, h);
          *taken = true;
          // the room hint moves to the new page unless it names another
          // page with room (vacuum's)
          if (bucket.room == 0 || bucket.room == tail) bucket.room = fresh;
          bucket.tail = fresh;
          set_posting_bucket(p[0], b, bucket);
          return true;
        }, added));
    return intact ? Status::ok() : corrupt_chain(fresh);
  }

  // The directory's room for bucket b becomes `to` if it is still `from`.
  Status set_room(std::uint32_t b, std::uint32_t from, std::uint32_t to) {
    bool changed = false;
    return ctx_.store->update_item(0, ctx_.postings_item, [&](unsigned char* p, std::size_t n) {
      std::uint16_t count = 0;
      if (!decode_posting_directory(p, n, &count) || b >= count) return false;
      HnswPostingBucket bucket = posting_bucket_at(p, b);
      if (bucket.room != from) return false;
      bucket.room = to;
      set_posting_bucket(p, b, bucket);
      return true;
    }, &changed);
  }

  std::vector<unsigned char> empty_page(std::uint32_t b) const {
    const std::uint16_t cap = posting_page_capacity(*ctx_.store);
    std::vector<unsigned char> page(sizeof(HnswPostingPage) + std::size_t{cap} * sizeof(HnswPostingEntry), 0);
    set_posting_header(page.data(), HnswPostingPage{0, kPostingItem, 0, 0, b, cap, 0});
    return page;
  }

  // remove_stale() for one page: its entries read, their elements judged,
  // then the stale ones removed (as many of each as were judged so).
  template <class MaybeStale>
  Status clean_page(std::uint32_t page, std::uint32_t b, MaybeStale& maybe_stale, std::uint32_t* next,
                    bool* has_room, std::size_t* removed) {
    page_entries_.clear();
    bool intact = true;
    VECSIM_RETURN_IF_ERROR(ctx_.store->read_item(page, 1, [&](const unsigned char* p, std::size_t n) {
      HnswPostingPage h;
      if (!(intact = decode_posting_page(p, n, &h) && h.bucket == b)) return;
      *next = h.next;
      *has_room = h.count < h.capacity;
      for (std::size_t i = 0; i < h.count; ++i) page_entries_.push_back(posting_entry_at(p, i));
    }));
    if (!intact) return corrupt_chain(page);
    // stale_: (tag, ref, copies to remove): every copy of a stale entry,
    // and all but one of a live entry's repeats on the page (rows that
    // joined its element each added one)
    std::sort(page_entries_.begin(), page_entries_.end(), entry_less);
    stale_.clear();
    for (std::size_t i = 0; i < page_entries_.size();) {
      std::size_t j = i;
      while (j < page_entries_.size() && !entry_less(page_entries_[i], page_entries_[j])) ++j;
      bool holds = true;
      if (j - i > 1 || maybe_stale(page_entries_[i].ref)) {
        VECSIM_RETURN_IF_ERROR(element_holds(page_entries_[i].ref, b, page_entries_[i].tag, &holds));
      }
      const std::size_t copies = holds ? j - i - 1 : j - i;
      if (copies > 0) stale_.push_back(Stale{page_entries_[i], copies});
      i = j;
    }
    if (stale_.empty()) return Status::ok();
    bool changed = false;
    VECSIM_RETURN_IF_ERROR(ctx_.store->update_item(page, 1, [&](unsigned char* p, std::size_t n) {
      HnswPostingPage h;
      if (!decode_posting_page(p, n, &h) || h.bucket != b) return false;
      std::size_t kept = 0;
      std::size_t gone = 0;
      for (std::size_t i = 0; i < h.count; ++i) {
        const HnswPostingEntry e = posting_entry_at(p, i);
        auto s = std::lower_bound(stale_.begin(), stale_.end(), e,
                                  [](const Stale& x, const HnswPostingEntry& y) { return entry_less(x.entry, y); });
        if (s != stale_.end() && !entry_less(e, s->entry) && s->copies > 0) {
          --s->copies;
          ++gone;
          continue;
        }
        set_posting_entry(p, kept++, e);
      }
      if (gone == 0) return false;
      h.count = static_cast<std::uint16_t>(kept);
      set_posting_header(p, h);
      *removed += gone;
      *has_room = true;
      return true;
    }, &changed));
    return Status::ok();
  }

  // Whether r is an element not flagged deleted (a dying one is still
  // judged by its key: vacuum deletes it later) that holds a key whose
  // entry in bucket b has this tag.
  Status element_holds(HnswRef r, std::uint32_t b, std::uint32_t tag, bool* holds) {
    // A reference this store cannot read yet (a page count that lags) is
    // kept: only what is judged stale is removed.
    *holds = true;
    if (ref_block(r) == 0 || ref_block(r) >= ctx_.store->page_count()) return Status::ok();
    std::uint16_t items = 0;
    VECSIM_RETURN_IF_ERROR(ctx_.store->item_count(ref_block(r), &items));
    if (ref_offset(r) == 0 || ref_offset(r) > items) return Status::ok();
    *holds = false;
    return ctx_.store->read_item(ref_block(r), ref_offset(r), [&](const unsigned char* p, std::size_t n) {
      HnswElementHeader h;
      if (!reader_.parse_element(p, n, &h) || (h.flags & kElementDeleted)) return;
      for_each_posting_key(ctx_.attrs, ctx_.attrs_of(p, HnswElementLayout::body_bytes(h)), [&](std::uint64_t key) {
        *holds |= posting_bucket(key, ctx_.posting_buckets) == b && posting_tag(key) == tag;
      });
    });
  }

  struct Stale {
    HnswPostingEntry entry;
    std::size_t copies;
  };
  static bool entry_less(const HnswPostingEntry& a, const HnswPostingEntry& b) {
    return a.ref < b.ref || (a.ref == b.ref && a.tag < b.tag);
  }
  // A chain longer than the index has pages is a cycle (the count read
  // afresh first: it may lag other writers' new pages).
  Status count_hop(std::uint32_t* hops, std::uint32_t page) {
    if (++*hops <= ctx_.store->page_count()) return Status::ok();
    VECSIM_RETURN_IF_ERROR(ctx_.store->refresh_page_count());
    return *hops <= ctx_.store->page_count() ? Status::ok() : corrupt_chain(page);
  }
  static Status corrupt_chain(std::uint32_t page) {
    return Status::error(ErrorCode::kInternal, "hnsw posting page %u is corrupt", page);
  }

  static constexpr int kAppendAttempts = 64;

  HnswPageContext<Store>& ctx_;
  HnswElementReader<Store>& reader_;
  // A posting page this object appended for a chain and lost the race to
  // link: the next chain that needs a page takes it (pages a backend
  // leaves so when it ends, or when an append fails, stay empty and
  // unlinked; verify allows them).
  std::uint32_t spare_ = 0;
  std::vector<std::uint64_t> keys_;
  std::vector<HnswPostingEntry> page_entries_;
  std::vector<Stale> stale_;
};

}  // namespace vecsim::core

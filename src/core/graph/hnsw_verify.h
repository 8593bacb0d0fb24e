// src/core/graph/hnsw_verify.h
// The checker of an hnsw index on pages, in the spirit of contrib/amcheck:
// it reads every element and reports each broken invariant. The SQL
// function vecsim_hnsw_verify(regclass) calls it; tests call it after
// every build, and every hnsw TAP test ends with it.
//
// INVARIANTS CHECKED (numbered as in docs/hnsw.md)
//   M1  block 0 holds a metapage with this format's magic and version.
//   M2  block 0 holds nothing else but, for inner product, the norm bound
//       (item 2), and the descriptor of the filter columns (version 3)
//       of graph/norm_slack.h, finite and not negative. (That it covers
//       every value is not checked: the checker does not know the type.)
//   E1  every element item is as long as its header says (value bytes,
//       level, the index's m); an element that is not spilled has
//       inline_bytes 0, a spilled one fewer inline bytes than its value.
//   T1  an element flagged kElementTids that is not deleted names a TID
//       list item whose owner it is, that is not flagged deleted, holds 1
//       .. kHnswTidsPerElement TIDs, none twice, and that no other element
//       names; TID list items are exactly tid_list_item_bytes() long; no
//       heap TID is a row of two live elements; a version 1 index has no
//       TID lists. (Lists no element names are allowed: an insert cut
//       short, or a lost race.)
//   C1  a spilled element's chunk chain holds exactly the rest of its
//       value: every reference names a chunk item no other chain names,
//       and the last one's next is kNoRef. (Chunks no element names are
//       allowed: an insert cut short, or a deleted element overwritten.)
//   L1  every link names an existing element, never its owner, and appears
//       once in its list; used links come before unused ones.
//   L2  a link on layer l names an element of level >= l.
//   L3  no element that is not deleted links a deleted one (vacuum
//       repairs the links before it flags an element deleted). Dying
//       elements (a vacuum cut short) are not deleted: they still route.
//   G1  the entry point exists, is live, and has the level the metapage
//       says; no live element is above it (reported apart: an insert cut
//       short between writing a higher element and the metapage).
//   G2  every live element (neither deleted nor dying) is reachable from
//       the entry point on layer 0 (so every indexed heap tuple can be
//       found).
//   A1  (given the heap's rows: HnswRowAttrs) every row of a live element
//       whose heap tuple the caller found has the attribute block the
//       element holds (filter columns: storage/hnsw_attrs.h).
//   P1 .. P3  the postings (graph/hnsw_verify_postings.h).
// G2 and the metapage's element count are reported apart from the
// structural checks: an insert that fails between writing its element and
// linking it (an error, a crash) leaves an element nothing links to, whose
// heap tuple never became visible; vacuum removes it. On an index no
// insert has failed on, both must be clean.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph/hnsw_verify_postings.h"
#include "storage/hnsw_attrs.h"
#include "storage/hnsw_format.h"
#include "storage/hnsw_tid_list.h"
#include "util/status.h"

namespace vecsim::core {

struct HnswVerifyReport {
  std::size_t elements = 0;
  std::size_t violations = 0;   // M1, M2, E1, T1, C1, L1, L2, L3, G1, A1, P1 .. P3
  std::size_t unreachable = 0;  // G2
  std::size_t above_entry = 0;  // live elements above the entry's level (an insert cut short)
  bool count_matches = true;    // the metapage's element count of live elements
  std::string first;            // the first violation, for the error message

  void fail(const char* what, HnswRef r) {
    if (violations++ == 0) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s at element (%u,%u)", what, ref_block(r), ref_offset(r));
      first = buf;
    }
  }
};

// The attribute blocks of the heap's rows, for A1: the fingerprint
// (attr_fingerprint) of the block the row's heap tuple gives, by heap TID
// (block << 16 | offset); false for a row the caller did not find (dead,
// or inserted after it looked). Must not throw.
class HnswRowAttrs {
 public:
  virtual bool fingerprint_of(std::uint64_t row, std::uint64_t* fingerprint) const = 0;

 protected:
  ~HnswRowAttrs() = default;  // not virtual: implementations stay trivially destructible
};

template <class Store>
Status verify_hnsw(Store* store, HnswVerifyReport* report, const HnswRowAttrs* heap = nullptr) {
  HnswMeta meta{};
  bool meta_found = false;
  std::uint16_t meta_items = 0;
  if (store->page_count() > 0) VECSIM_RETURN_IF_ERROR(store->item_count(0, &meta_items));
  if (meta_items < 1) {
    report->fail("M1 no metapage", make_ref(0, 1));
    return Status::ok();
  }
  VECSIM_RETURN_IF_ERROR(store->read_item(0, 1, [&](const unsigned char* p, std::size_t n) {
    if (n >= sizeof meta) {
      std::memcpy(&meta, p, sizeof meta);
      meta_found = true;
    }
  }));
  if (!meta_found || meta.magic != kHnswMagic || !readable_hnsw_version(meta.version)) {
    report->fail("M1 bad metapage", make_ref(0, 1));
    return Status::ok();
  }
  // M2: beside the metapage, at most a norm bound (item 2) and a
  // descriptor of filter columns (version 3 on), each intact.
  HnswAttrSchema attrs;
  bool has_attrs = false;
  HnswPostingsCheck postings;
  for (std::uint16_t item = kHnswNormBoundItem; item <= meta_items; ++item) {
    VECSIM_RETURN_IF_ERROR(store->read_item(0, item, [&](const unsigned char* p, std::size_t n) {
      if (is_posting_directory(p, n)) {
        if (meta.version < kHnswPostingsVersion || !postings.set_directory(p, n)) {
          report->fail("P1 bad postings directory", make_ref(0, item));
        }
        return;
      }
      if (HnswAttrSchema::is_descriptor(p, n)) {
        if (has_attrs || meta.version < kHnswAttrsVersion || !attrs.decode(p, n)) report->fail("M2 bad filter columns", make_ref(0, item));
        has_attrs = true;
        return;
      }
      HnswNormBound bound;
      if (item != kHnswNormBoundItem || n != sizeof bound) {
        report->fail("M2 more items on the metapage", make_ref(0, item));
        return;
      }
      std::memcpy(&bound, p, sizeof bound);
      if (!std::isfinite(bound.bound_sq) || bound.bound_sq < 0.0f) report->fail("M2 bad norm bound", make_ref(0, item));
    }));
  }
  HnswElementLayout layout{meta.m, attrs.block_bytes()};

  // Pass 1: every element's header and links.
  struct Element {
    int level;
    bool deleted;
    bool dying;
    std::vector<HnswRef> layer0;
    std::uint64_t attrs = 0;  // the attribute block's fingerprint (A1)
  };
  std::unordered_map<HnswRef, Element> elements;
  struct Chunk {
    std::size_t bytes;
    HnswRef next;
    bool named = false;
  };
  std::unordered_map<HnswRef, Chunk> chunks;
  struct Spill {
    HnswRef owner;
    HnswRef first;
    std::size_t rest;  // value bytes the chain must hold
  };
  std::vector<Spill> spills;
  struct TidList {
    HnswTidListHeader header;
    std::vector<HeapTid> tids;
    bool named = false;
  };
  std::unordered_map<HnswRef, TidList> tid_lists;
  struct Listed {
    HnswRef owner;  // an element not deleted
    HnswRef list;
    bool dying;
  };
  std::vector<Listed> listed;
  // (heap TID as block << 16 | offset, element) for every row of a live element
  std::vector<std::pair<std::uint64_t, HnswRef>> rows;
  auto row_key = [](const HeapTid& t) { return static_cast<std::uint64_t>(t.block) << 16 | t.offset; };
  std::vector<std::pair<HnswRef, std::vector<std::pair<int, HnswRef>>>> upper;  // (owner, (layer, link))
  for (std::uint32_t block = 1; block < store->page_count(); ++block) {
    std::uint16_t items = 0;
    VECSIM_RETURN_IF_ERROR(store->item_count(block, &items));
    for (std::uint16_t off = 1; off <= items; ++off) {
      HnswRef r = make_ref(block, off);
      Element e{};
      std::vector<std::pair<int, HnswRef>> links;
      bool sized = true;
      bool chunk = false;
      bool tid_list = false;
      bool posting = false;
      VECSIM_RETURN_IF_ERROR(store->read_item(block, off, [&](const unsigned char* p, std::size_t n) {
        HnswElementHeader h;
        if (n < sizeof h) {
          sized = false;
          return;
        }
        std::memcpy(&h, p, sizeof h);
        if (h.flags & kPostingPageItem) {
          posting = true;
          sized = postings.add_page(block, off, items, p, n);
          return;
        }
        if (h.flags & kValueChunk) {
          ValueChunkHeader c;
          std::memcpy(&c, p, sizeof c);
          chunk = true;
          sized = c.flags == kValueChunk && c.zero == 0 && c.bytes > 0 && n == sizeof c + c.bytes;
          if (sized) chunks.emplace(r, Chunk{c.bytes, c.next});
          return;
        }
        if (h.flags & kTidListItem) {
          TidList l;
          tid_list = true;
          sized = decode_tid_list(p, n, &l.header);
          if (!sized) return;
          for (int i = 0; i < l.header.count; ++i) l.tids.push_back(tid_list_at(p, i));
          tid_lists.emplace(r, std::move(l));
          return;
        }
        e.level = h.level;
        e.deleted = (h.flags & kElementDeleted) != 0;
        e.dying = (h.flags & kElementDying) != 0;
        const bool spilled = HnswElementLayout::spilled(h);
        const std::size_t body = HnswElementLayout::body_bytes(h);
        if (n != layout.item_size(body, h.level) ||
            (spilled ? h.inline_bytes >= h.value_bytes : h.inline_bytes != 0) ||
            (h.flags & ~kElementFlags) != 0 || ((h.flags & kElementTids) && h.heap_offset != 0)) {
          sized = false;
          return;
        }
        if (layout.attr_bytes > 0) e.attrs = attr_fingerprint(p + layout.attrs_offset(body), layout.attr_bytes);
        if (layout.attr_bytes > 0 && !e.deleted && !e.dying) postings.want(attrs, r, p + layout.attrs_offset(body));
        if ((h.flags & kElementTids) && !e.deleted) {
          listed.push_back(Listed{r, h.heap_block, e.dying});
        } else if (!e.deleted && !e.dying) {
          rows.emplace_back(row_key(HeapTid{h.heap_block, h.heap_offset}), r);
        }
        if (spilled) {
          spills.push_back(Spill{r, HnswElementLayout::chunk_of(p),
                                 static_cast<std::size_t>(h.value_bytes - h.inline_bytes)});
        }
        for (int layer = 0; layer <= h.level; ++layer) {
          bool ended = false;
          for (int i = 0; i < layout.capacity(layer); ++i) {
            HnswRef link = layout.link_at(p, body, layer, i);
            if (link == kNoRef) {
              ended = true;
              continue;
            }
            if (ended) links.emplace_back(-1, link);  // a used link after an unused one
            links.emplace_back(layer, link);
          }
        }
      }));
      if (!sized) {
        report->fail(chunk      ? "C1 chunk size or header"
                     : tid_list ? "T1 TID list size or header"
                     : posting  ? "P2 posting page size or header"
                                : "E1 element size or header",
                     r);
        continue;
      }
      if (chunk || tid_list || posting) continue;
      for (const auto& [layer, link] : links) {
        if (layer == 0) e.layer0.push_back(link);
      }
      elements.emplace(r, std::move(e));
      upper.emplace_back(r, std::move(links));
    }
  }
  report->elements = elements.size();

  for (const Spill& spill : spills) {
    std::size_t held = 0;
    HnswRef at = spill.first;
    while (held < spill.rest) {
      auto c = chunks.find(at);
      if (c == chunks.end() || c->second.named) break;
      c->second.named = true;
      held += c->second.bytes;
      at = c->second.next;
    }
    if (held != spill.rest || at != kNoRef) report->fail("C1 broken chunk chain", spill.owner);
  }

  if (meta.version < kHnswTidListsVersion && (!listed.empty() || !tid_lists.empty())) {
    report->fail("T1 TID lists in an index of format version 1", listed.empty() ? tid_lists.begin()->first
                                                                                 : listed.front().owner);
  }
  for (const auto& [owner, list, dying] : listed) {
    auto l = tid_lists.find(list);
    if (l == tid_lists.end() || l->second.named || l->second.header.owner != owner ||
        (l->second.header.flags & kElementDeleted) || l->second.tids.empty()) {
      report->fail("T1 element names no TID list of its own", owner);
      continue;
    }
    l->second.named = true;
    const std::vector<HeapTid>& tids = l->second.tids;
    for (std::size_t i = 0; i < tids.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (tids[i] == tids[j]) report->fail("T1 TID list holds a row twice", owner);
      }
      if (!dying) rows.emplace_back(row_key(tids[i]), owner);
    }
  }
  std::sort(rows.begin(), rows.end());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].first == rows[i - 1].first && rows[i].second != rows[i - 1].second) {
      report->fail("T1 a row in two live elements", rows[i].second);
    }
  }
  // P3 for the elements of rows the heap holds (given the heap: an insert
  // cut short may leave an element of a row that never committed without
  // its entries), else for every live element.
  std::unordered_set<HnswRef> in_heap;
  if (heap != nullptr && layout.attr_bytes > 0) {
    for (const auto& [row, r] : rows) {
      std::uint64_t want = 0;
      if (!heap->fingerprint_of(row, &want)) continue;
      in_heap.insert(r);
      if (want != elements.find(r)->second.attrs) report->fail("A1 attributes other than the heap row's", r);
    }
  }
  const bool postings_expected = meta.version >= kHnswPostingsVersion && has_attrs && has_postings(attrs);
  postings.finish(
      postings_expected, [&](HnswRef r) { return elements.count(r) > 0; },
      [&](HnswRef r) { return heap == nullptr || in_heap.count(r) > 0; },
      [&](const char* what, HnswRef r) { report->fail(what, r); });

  for (const auto& [owner, links] : upper) {
    std::vector<std::pair<int, HnswRef>> seen;
    for (const auto& [layer, link] : links) {
      if (layer < 0) {
        report->fail("L1 used link after an unused one", owner);
        continue;
      }
      auto target = elements.find(link);
      if (target == elements.end() || link == owner) {
        report->fail("L1 link to a missing element or to itself", owner);
        continue;
      }
      for (const auto& s : seen) {
        if (s.first == layer && s.second == link) report->fail("L1 duplicate link", owner);
      }
      seen.emplace_back(layer, link);
      if (target->second.level < layer) report->fail("L2 link to an element below its layer", owner);
      if (target->second.deleted && !elements[owner].deleted) {
        report->fail("L3 live element links a deleted one", owner);
      }
    }
  }
  // G1 over live elements only: deleted ones keep their level but no longer
  // count. An element above the entry's level, or the only ones when the
  // metapage has no entry, can be left by an insert cut short before its
  // last step; reported apart, like G2.
  std::size_t live = 0;
  for (const auto& [r, e] : elements) {
    if (e.deleted) continue;
    ++live;
    if (e.level > meta.entry_level) ++report->above_entry;
  }
  report->count_matches = meta.element_count == live;
  if (meta.entry == kNoRef) {
    report->unreachable += live;
    return Status::ok();
  }
  auto entry = elements.find(meta.entry);
  if (entry == elements.end() || entry->second.deleted || entry->second.level != meta.entry_level) {
    report->fail("G1 entry point missing, deleted or not at the metapage's level", meta.entry);
    return Status::ok();
  }

  // G2: breadth-first over layer 0.
  std::unordered_map<HnswRef, bool> reached;
  std::vector<HnswRef> queue{meta.entry};
  reached[meta.entry] = true;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    for (HnswRef next : elements[queue[i]].layer0) {
      if (elements.count(next) && !reached[next]) {
        reached[next] = true;
        queue.push_back(next);
      }
    }
  }
  for (const auto& [r, e] : elements) {
    if (!e.deleted && !e.dying && !reached[r]) ++report->unreachable;
  }
  return Status::ok();
}

}  // namespace vecsim::core

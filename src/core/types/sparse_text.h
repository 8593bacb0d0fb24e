// src/core/types/sparse_text.h
// Text input of sparsevec (docs/reference.md 3.5):
//   ws* '{' ws* [ ENTRY ( ws* ',' ws* ENTRY )* ] ws* '}' ws* '/' ws* INT ws*
//   ENTRY := INT ws* ':' ws* NUM
// with 1-based indices in any order; INT is strtol base 10, NUM as for the
// dense types (dense_text.h).
//
// INVARIANTS
//   Checks run in pgvector's order: the comma count (54000) before anything;
//   syntax and per-value checks left to right (22P02; 22003 for overflow or
//   a non-zero literal that underflows to 0; 22000 for NaN and infinity);
//   then the dims range (22000 / 54000); then the typmod (22000); then, in
//   ascending index order, bounds and duplicates (22000). Entries whose value
//   is 0 or -0 are dropped before any index check.
//   The caller reserves sparse_text_capacity() entries; the parser never
//   writes past them. On success entries[0 .. nnz) are sorted by index.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "types/dense_checks.h"
#include "types/dense_text.h"
#include "types/element_traits.h"
#include "util/status.h"

namespace vecsim::core {

struct SparseEntry {
  std::int64_t index;  // 1-based, as written
  float value;
};

// Entries to reserve before parsing `text`: one more than its commas. The
// count is checked against the nnz limit first (54000, even if every value
// turns out to be zero), so the reservation is bounded.
inline Status sparse_text_capacity(const char* text, int* capacity) noexcept {
  long long commas = 0;
  for (const char* p = text; *p; ++p) commas += (*p == ',');
  if (commas + 1 > SparseTraits::kMaxNnz) {
    return Status::error(ErrorCode::kProgramLimit,
                         "sparsevec cannot have more than %d non-zero elements",
                         SparseTraits::kMaxNnz);
  }
  *capacity = static_cast<int>(commas + 1);
  return Status::ok();
}

// Parses a base-10 integer at p (strtol: optional blanks and sign); false if
// there are no digits. Values beyond the long range saturate, which every
// later range check rejects.
inline bool parse_sparse_int(const char* p, const char** end, std::int64_t* out) noexcept {
  char* stop = nullptr;
  long value = std::strtol(p, &stop, 10);
  if (stop == p) return false;
  *end = stop;
  *out = value;
  return true;
}

// Sorts the entries and checks bounds and duplicates in ascending order.
inline Status sort_sparse_entries(SparseEntry* entries, int nnz, std::int64_t dims) noexcept {
  std::sort(entries, entries + nnz,
            [](const SparseEntry& a, const SparseEntry& b) { return a.index < b.index; });
  for (int i = 0; i < nnz; ++i) {
    if (entries[i].index < 1 || entries[i].index > dims) {
      return Status::error(ErrorCode::kDataException, "sparsevec index out of bounds: %lld",
                           static_cast<long long>(entries[i].index));
    }
    if (i > 0 && entries[i].index == entries[i - 1].index) {
      return Status::error(ErrorCode::kDataException,
                           "sparsevec indices must not contain duplicates");
    }
  }
  return Status::ok();
}

inline Status parse_sparse_text(const char* text, SparseEntry* entries, int capacity, int typmod,
                                int* nnz_out, int* dims_out) noexcept {
  const char* name = SparseTraits::kTypeName;
  const char* p = skip_blanks(text);
  if (*p != '{') return text_syntax_error(name, text);
  p = skip_blanks(p + 1);

  int nnz = 0;
  int seen = 0;
  if (*p == '}') {
    ++p;
  } else {
    for (;;) {
      if (seen == capacity) {
        return Status::error(ErrorCode::kInternal, "sparsevec parser ran out of reserved space");
      }
      std::int64_t index = 0;
      const char* end = p;
      if (!parse_sparse_int(p, &end, &index)) return text_syntax_error(name, text);
      p = skip_blanks(end);
      if (*p != ':') return text_syntax_error(name, text);
      p = skip_blanks(p + 1);
      float value = 0.0f;
      VECSIM_RETURN_IF_ERROR(parse_element<SparseTraits>(name, text, p, &end, &value));
      ++seen;
      if (value != 0.0f) entries[nnz++] = SparseEntry{index, value};
      p = skip_blanks(end);
      if (*p == ',') {
        p = skip_blanks(p + 1);
      } else if (*p == '}') {
        ++p;
        break;
      } else {
        return text_syntax_error(name, text);
      }
    }
  }
  p = skip_blanks(p);
  if (*p != '/') return text_syntax_error(name, text);
  std::int64_t dims = 0;
  const char* end = p + 1;
  if (!parse_sparse_int(p + 1, &end, &dims)) return text_syntax_error(name, text);
  if (*skip_blanks(end) != '\0') return text_syntax_error(name, text);

  VECSIM_RETURN_IF_ERROR(check_dim_count<SparseTraits>(dims));
  VECSIM_RETURN_IF_ERROR(check_typmod(dims, typmod));
  VECSIM_RETURN_IF_ERROR(sort_sparse_entries(entries, nnz, dims));
  *nnz_out = nnz;
  *dims_out = static_cast<int>(dims);
  return Status::ok();
}

}  // namespace vecsim::core

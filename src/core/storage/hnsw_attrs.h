// src/core/storage/hnsw_attrs.h
// Filter columns of an hnsw index (docs/hnsw_filtering.md): the attribute
// block each element carries, the descriptor of it in block 0, and the
// filter a scan evaluates on it.
//
// BLOCK (the same size in every element of an index)
//   a 4-byte null bitmap (bit i: column i is NULL), then one slot per
//   column, in column order: 8 bytes (kOrdered8, kHash8) or 16 (kOrdered16,
//   kSignature16). A slot holds a key: one big-endian 64-bit word (8 bytes)
//   or two (16), so that keys order as their bytes do; the shim encodes
//   each type so that this order is the type's (a signed integer with its
//   sign bit flipped, a uuid's bytes as they are). kHash8 slots hold a hash
//   and answer only equality, with false positives (the executor
//   rechecks). kSignature16 slots hold an array's elements as a 128-bit
//   signature (each element sets two bits chosen by its hash) and answer
//   overlap, containment and containment-by with false positives only.
//
// DESCRIPTOR
//   An index with filter columns has, in block 0 after the metapage (and
//   the norm bound of an inner-product index), one item HnswAttrDescriptor
//   followed by one kind byte per column. Other indexes have none and
//   blocks of 0 bytes.
//
// INVARIANTS
//   block_bytes() is a multiple of 4 (element items stay 4-byte aligned).
//   A filter's keys are checked in the order they were added; a NULL
//   column passes no key but kIsNull; an empty filter passes everything.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

namespace vecsim::core {

enum class AttrKind : std::uint8_t {
  kOrdered8 = 1,   // an 8-byte key: integers, bool, dates, timestamps
  kOrdered16 = 2,  // a 16-byte key: uuid
  kHash8 = 3,      // an 8-byte hash: text (equality only)
  kSignature16 = 4,  // a 128-bit signature of an array's elements
};

constexpr bool valid_attr_kind(std::uint8_t k) { return k >= 1 && k <= 4; }
constexpr std::size_t attr_slot_bytes(AttrKind k) {
  return k == AttrKind::kOrdered16 || k == AttrKind::kSignature16 ? 16 : 8;
}

// INDEX_MAX_KEYS (32) less the vector column.
constexpr int kMaxAttrColumns = 31;
constexpr std::uint32_t kHnswAttrMagic = 0x52545441;  // "ATTR"

struct HnswAttrDescriptor {
  std::uint32_t magic;
  std::uint16_t count;
  std::uint16_t block_bytes;
  // then count kind bytes
};
static_assert(sizeof(HnswAttrDescriptor) == 8);

// A key as a slot holds it: hi is the first big-endian word, lo the
// second (0 for 8-byte slots).
struct AttrKey {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
};
inline bool operator<(const AttrKey& a, const AttrKey& b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }
inline bool operator==(const AttrKey& a, const AttrKey& b) { return a.hi == b.hi && a.lo == b.lo; }

inline std::uint64_t load_be64(const unsigned char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}
inline void store_be64(unsigned char* p, std::uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

// A signed integer as an 8-byte key (order preserved).
inline AttrKey int_key(std::int64_t v) { return AttrKey{static_cast<std::uint64_t>(v) ^ (1ull << 63), 0}; }

// The columns of an index's attribute block. Trivially copyable (the
// shim keeps one in PostgreSQL memory).
class HnswAttrSchema {
 public:
  int count() const { return count_; }
  AttrKind kind(int column) const { return kinds_[column]; }
  // Adds a column; false when there are kMaxAttrColumns already.
  bool add(AttrKind k) {
    if (count_ == kMaxAttrColumns) return false;
    offsets_[count_] = static_cast<std::uint16_t>(block_bytes_ == 0 ? 4 : block_bytes_);
    block_bytes_ = offsets_[count_] + attr_slot_bytes(k);
    kinds_[count_++] = k;
    return true;
  }
  // 0 for an index without filter columns.
  std::size_t block_bytes() const { return block_bytes_; }
  std::size_t slot_offset(int column) const { return offsets_[column]; }

  static bool is_null(const unsigned char* block, int column) {
    std::uint32_t nulls;
    std::memcpy(&nulls, block, sizeof nulls);
    return (nulls >> column) & 1u;
  }
  AttrKey key(const unsigned char* block, int column) const {
    const unsigned char* p = block + slot_offset(column);
    return AttrKey{load_be64(p), attr_slot_bytes(kind(column)) == 16 ? load_be64(p + 8) : 0};
  }

  // Writes a block: nulls[i] says column i is NULL, keys[i] its key.
  void encode(const bool* nulls, const AttrKey* keys, unsigned char* block) const {
    std::memset(block, 0, block_bytes_);
    std::uint32_t bits = 0;
    for (int i = 0; i < count(); ++i) {
      if (nulls[i]) {
        bits |= 1u << i;
        continue;
      }
      unsigned char* p = block + slot_offset(i);
      store_be64(p, keys[i].hi);
      if (attr_slot_bytes(kind(i)) == 16) store_be64(p + 8, keys[i].lo);
    }
    std::memcpy(block, &bits, sizeof bits);
  }

  // The descriptor item (header and kind bytes).
  std::vector<unsigned char> descriptor() const {
    std::vector<unsigned char> item(sizeof(HnswAttrDescriptor) + static_cast<std::size_t>(count_));
    const HnswAttrDescriptor d{kHnswAttrMagic, static_cast<std::uint16_t>(count()),
                               static_cast<std::uint16_t>(block_bytes_)};
    std::memcpy(item.data(), &d, sizeof d);
    for (int i = 0; i < count_; ++i) item[sizeof d + static_cast<std::size_t>(i)] = static_cast<unsigned char>(kinds_[i]);
    return item;
  }
  // Whether the n bytes at p are a descriptor item.
  static bool is_descriptor(const unsigned char* p, std::size_t n) {
    if (n < sizeof(HnswAttrDescriptor)) return false;
    std::uint32_t magic;
    std::memcpy(&magic, p, sizeof magic);
    return magic == kHnswAttrMagic;
  }
  // The schema a descriptor item describes; false when it is inconsistent.
  bool decode(const unsigned char* p, std::size_t n) {
    *this = HnswAttrSchema{};
    HnswAttrDescriptor d;
    if (n < sizeof d) return false;
    std::memcpy(&d, p, sizeof d);
    if (d.magic != kHnswAttrMagic || d.count < 1 || d.count > kMaxAttrColumns || n < sizeof d + d.count) return false;
    for (int i = 0; i < d.count; ++i) {
      const std::uint8_t k = p[sizeof d + static_cast<std::size_t>(i)];
      if (!valid_attr_kind(k)) return false;
      add(static_cast<AttrKind>(k));
    }
    return block_bytes_ == d.block_bytes;
  }

  bool operator==(const HnswAttrSchema& o) const {
    return count_ == o.count_ && std::equal(kinds_, kinds_ + count_, o.kinds_);
  }
  bool operator!=(const HnswAttrSchema& o) const { return !(*this == o); }

 private:
  int count_ = 0;
  AttrKind kinds_[kMaxAttrColumns] = {};
  std::uint16_t offsets_[kMaxAttrColumns] = {};
  std::size_t block_bytes_ = 0;
};
static_assert(std::is_trivially_copyable_v<HnswAttrSchema>);

// A 64-bit fingerprint of an attribute block (verify compares an
// element's with its heap row's).
inline std::uint64_t attr_fingerprint(const unsigned char* block, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ block[i]) * 0x100000001b3ull;
  return h;
}

// The two bits of a 128-bit signature an array element with this 64-bit
// hash sets (an array's signature is the union over its elements). The
// bits come from the hash's high bits, which a good hash mixes best.
inline AttrKey signature_bits(std::uint64_t element_hash) {
  AttrKey bits;
  for (unsigned shift : {57u, 50u}) {
    const unsigned bit = static_cast<unsigned>(element_hash >> shift) & 127u;
    (bit < 64 ? bits.hi : bits.lo) |= 1ull << (bit & 63u);
  }
  return bits;
}
inline AttrKey signature_union(const AttrKey& a, const AttrKey& b) { return AttrKey{a.hi | b.hi, a.lo | b.lo}; }
// Whether every bit of a is set in b.
inline bool signature_within(const AttrKey& a, const AttrKey& b) {
  return (a.hi & ~b.hi) == 0 && (a.lo & ~b.lo) == 0;
}

// kLess .. kAnyOf: ordered and hashed columns. kOverlaps, kContains and
// kContainedBy: signature columns (the array operators &&, @> and <@),
// each of which may pass a row whose array does not hold (the executor
// rechecks) and never fails one whose array does. kIsNull, kIsNotNull:
// any column (IS NULL, IS NOT NULL).
enum class AttrOp : std::uint8_t {
  kLess,
  kLessEqual,
  kEqual,
  kGreaterEqual,
  kGreater,
  kAnyOf,
  kOverlaps,
  kContains,
  kContainedBy,
  kIsNull,
  kIsNotNull,
};

// The keys of a scan on filter columns, all of which must hold.
class HnswAttrFilter {
 public:
  void clear() {
    conditions_.clear();
    sets_.clear();
    never_ = false;
  }
  // Whether no key was added (every element passes).
  bool empty() const { return conditions_.empty() && !never_; }
  // No element passes (a key compared with NULL, or an empty set).
  void set_never() { never_ = true; }
  bool never() const { return never_; }

  void add_compare(int column, AttrOp op, AttrKey operand) {
    conditions_.push_back(Condition{column, op, operand, 0, 0});
  }
  // column IS NULL (is_null) or IS NOT NULL.
  void add_null_test(int column, bool is_null) {
    conditions_.push_back(Condition{column, is_null ? AttrOp::kIsNull : AttrOp::kIsNotNull, AttrKey{}, 0, 0});
  }
  // column's key is one of keys[0 .. n) (kAnyOf); an empty set passes
  // nothing.
  void add_any_of(int column, const AttrKey* first, std::size_t n) { add_set(column, AttrOp::kAnyOf, first, n); }
  // column's signature has every bit of one of elements[0 .. n) (kOverlaps:
  // the signature_bits of each element of the other array); no element
  // passes nothing.
  void add_overlaps(int column, const AttrKey* elements, std::size_t n) {
    add_set(column, AttrOp::kOverlaps, elements, n);
  }

  // f(column, key) for each `column = key` condition.
  template <class F>
  void for_each_equality(F&& f) const {
    for (const Condition& c : conditions_) {
      if (c.op == AttrOp::kEqual) f(c.column, c.operand);
    }
  }

  bool passes(const HnswAttrSchema& schema, const unsigned char* block) const {
    if (never_) return false;
    for (const Condition& c : conditions_) {
      const bool null = HnswAttrSchema::is_null(block, c.column);
      if (c.op == AttrOp::kIsNull || c.op == AttrOp::kIsNotNull) {
        if (null != (c.op == AttrOp::kIsNull)) return false;
        continue;
      }
      if (null) return false;
      const AttrKey k = schema.key(block, c.column);
      if (!holds(c, k)) return false;
    }
    return true;
  }

 private:
  struct Condition {
    int column;
    AttrOp op;
    AttrKey operand;
    std::size_t first, count;  // kAnyOf: its keys in sets_
  };

  bool holds(const Condition& c, const AttrKey& k) const {
    switch (c.op) {
      case AttrOp::kLess:
        return k < c.operand;
      case AttrOp::kLessEqual:
        return !(c.operand < k);
      case AttrOp::kEqual:
        return k == c.operand;
      case AttrOp::kGreaterEqual:
        return !(k < c.operand);
      case AttrOp::kGreater:
        return c.operand < k;
      case AttrOp::kAnyOf: {
        const auto first = sets_.begin() + static_cast<std::ptrdiff_t>(c.first);
        return std::binary_search(first, first + static_cast<std::ptrdiff_t>(c.count), k);
      }
      case AttrOp::kOverlaps: {
        const auto first = sets_.begin() + static_cast<std::ptrdiff_t>(c.first);
        return std::any_of(first, first + static_cast<std::ptrdiff_t>(c.count),
                           [&](const AttrKey& bits) { return signature_within(bits, k); });
      }
      case AttrOp::kContains:  // the row's array has every element of the operand's
        return signature_within(c.operand, k);
      case AttrOp::kContainedBy:  // every element of the row's array is in the operand's
        return signature_within(k, c.operand);
      case AttrOp::kIsNull:
      case AttrOp::kIsNotNull:
        break;  // passes() answers these from the null bitmap
    }
    return false;
  }

  // A condition on a set of keys, sorted and without repeats.
  void add_set(int column, AttrOp op, const AttrKey* first, std::size_t n) {
    std::vector<AttrKey> keys(first, first + n);
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    if (keys.empty()) {
      set_never();
      return;
    }
    conditions_.push_back(Condition{column, op, AttrKey{}, sets_.size(), keys.size()});
    sets_.insert(sets_.end(), keys.begin(), keys.end());
  }

  std::vector<Condition> conditions_;
  std::vector<AttrKey> sets_;
  bool never_ = false;
};

}  // namespace vecsim::core

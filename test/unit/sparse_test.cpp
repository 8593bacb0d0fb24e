// test/unit/sparse_test.cpp
// sparsevec in core: text input (grammar, every rejection with its code, the
// order of checks), the binary format (byte-exact, each rejection in
// pgvector's order), ordering as dense expansions, normalisation and the
// conversions to and from the dense types.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/metric_ops.h"
#include "types/element_traits.h"
#include "types/sparse_binary.h"
#include "types/sparse_ops.h"
#include "types/sparse_text.h"

namespace vecsim::core {
namespace {

struct Parsed {
  Status status;
  std::vector<SparseEntry> entries;
  int dims = 0;
};

Parsed parse(const std::string& text, int typmod = -1) {
  Parsed p;
  int capacity = 0;
  p.status = sparse_text_capacity(text.c_str(), &capacity);
  if (!p.status.is_ok()) return p;
  p.entries.resize(static_cast<std::size_t>(capacity));
  int nnz = 0;
  p.status = parse_sparse_text(text.c_str(), p.entries.data(), capacity, typmod, &nnz, &p.dims);
  p.entries.resize(p.status.is_ok() ? static_cast<std::size_t>(nnz) : 0);
  return p;
}

TEST(SparseText, AcceptsTheGrammar) {
  for (const char* text : {"{1:1.5,3:3.5}/5", " { 1 : 1.5 ,  3  :  3.5  } / 5 ", "{+1:+1}/+3",
                           "{}/5", "{ }/1", "{0:0}/3", "{5:0}/3", "{1:1e-40}/1"}) {
    EXPECT_TRUE(parse(text).status.is_ok()) << text;
  }
  Parsed p = parse("{2:1,1:-2,4:0}/4");
  ASSERT_TRUE(p.status.is_ok());
  ASSERT_EQ(p.entries.size(), 2u);  // zero dropped, sorted
  EXPECT_EQ(p.entries[0].index, 1);
  EXPECT_EQ(p.entries[0].value, -2.0f);
  EXPECT_EQ(p.entries[1].index, 2);
  EXPECT_EQ(p.dims, 4);
  Parsed dup_zero = parse("{1:0,1:2}/3");
  ASSERT_TRUE(dup_zero.status.is_ok());
  EXPECT_EQ(dup_zero.entries.size(), 1u);
}

TEST(SparseText, RejectsWithTheRightCode) {
  struct Case {
    const char* text;
    ErrorCode code;
  };
  for (Case c : std::vector<Case>{
           {"", ErrorCode::kInvalidText},         {"1:1/2", ErrorCode::kInvalidText},
           {"{", ErrorCode::kInvalidText},        {"{:", ErrorCode::kInvalidText},
           {"{}", ErrorCode::kInvalidText},       {"{}/", ErrorCode::kInvalidText},
           {"{}/1a", ErrorCode::kInvalidText},    {"{}/2.0", ErrorCode::kInvalidText},
           {"{:}/1", ErrorCode::kInvalidText},    {"{,}/1", ErrorCode::kInvalidText},
           {"{1,}/1", ErrorCode::kInvalidText},   {"{:1}/1", ErrorCode::kInvalidText},
           {"{1:}/1", ErrorCode::kInvalidText},   {"{1a:1}/1", ErrorCode::kInvalidText},
           {"{1.0:1}/2", ErrorCode::kInvalidText}, {"{1:1a}/1", ErrorCode::kInvalidText},
           {"{1:1,}/1", ErrorCode::kInvalidText}, {"{1:hello}/1", ErrorCode::kInvalidText},
           {"{1:1}/5,", ErrorCode::kInvalidText}, {"{}/0", ErrorCode::kDataException},
           {"{}/-1", ErrorCode::kDataException},  {"{}/-99999999999999999999", ErrorCode::kDataException},
           {"{}/1000000001", ErrorCode::kProgramLimit},
           {"{}/99999999999999999999", ErrorCode::kProgramLimit},
           {"{0:1}/1", ErrorCode::kDataException}, {"{2:1}/1", ErrorCode::kDataException},
           {"{2147483648:1}/1", ErrorCode::kDataException},
           {"{1:1,1:1}/2", ErrorCode::kDataException},
           {"{1:1,2:1,1:1}/2", ErrorCode::kDataException},
           {"{1:NaN}/1", ErrorCode::kDataException}, {"{1:-inf}/1", ErrorCode::kDataException},
           {"{1:4e38}/1", ErrorCode::kOutOfRange},  {"{1:1e-46}/1", ErrorCode::kOutOfRange},
           {"{1:-1e-50}/1", ErrorCode::kOutOfRange}}) {
    EXPECT_EQ(parse(c.text).status.code(), c.code) << c.text;
  }
}

TEST(SparseText, CheckOrder) {
  // the comma count comes first, even when every value is zero
  std::string many = "{";
  for (int i = 0; i < 16000; ++i) many += "1:0,";
  many += "1:0}/1";
  EXPECT_EQ(parse(many).status.code(), ErrorCode::kProgramLimit);
  // value checks left to right, before the dims
  EXPECT_EQ(parse("{1:NaN,2:4e38}/0").status.code(), ErrorCode::kDataException);
  EXPECT_EQ(parse("{1:4e38,2:NaN}/0").status.code(), ErrorCode::kOutOfRange);
  // dims range, then typmod, then bounds
  EXPECT_EQ(parse("{9:1}/0", 3).status.code(), ErrorCode::kDataException);
  EXPECT_EQ(parse("{9:1}/1000000001", 3).status.code(), ErrorCode::kProgramLimit);
  Parsed typmod = parse("{9:1}/5", 3);
  EXPECT_EQ(typmod.status.code(), ErrorCode::kDataException);
  EXPECT_NE(std::string(typmod.status.message()).find("expected 3 dimensions"), std::string::npos);
}

using Bytes = std::vector<unsigned char>;

Bytes wire(std::int32_t dims, std::int32_t nnz, std::int32_t unused,
           std::vector<std::uint32_t> words) {
  Bytes b;
  auto put = [&b](std::uint32_t w) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(w >> s));
  };
  put(static_cast<std::uint32_t>(dims));
  put(static_cast<std::uint32_t>(nnz));
  put(static_cast<std::uint32_t>(unused));
  for (std::uint32_t w : words) put(w);
  return b;
}

Status decode(const Bytes& b, int typmod = -1) {
  int dims = 0, nnz = 0;
  VECSIM_RETURN_IF_ERROR(decode_sparse_header(b.data(), b.size(), typmod, &dims, &nnz));
  std::vector<std::int32_t> indices(static_cast<std::size_t>(nnz));
  std::vector<float> values(static_cast<std::size_t>(nnz));
  return decode_sparse_entries(b.data() + kSparseWireHeaderSize, b.size() - kSparseWireHeaderSize,
                               dims, nnz, indices.data(), values.data());
}

TEST(SparseBinary, EncodesPgvectorsLayout) {
  std::int32_t indices[2] = {0, 2};
  float values[2] = {1.0f, 2.0f};
  Bytes out(sparse_wire_size(2));
  encode_sparse_binary(5, 2, 0, indices, values, out.data());
  EXPECT_EQ(out, wire(5, 2, 0, {0, 2, 0x3f800000, 0x40000000}));
  EXPECT_TRUE(decode(out).is_ok());
}

TEST(SparseBinary, RejectsInTheSpecsOrder) {
  struct Case {
    Bytes bytes;
    ErrorCode code;
  };
  const std::uint32_t one = 0x3f800000, nan = 0x7fc00000, inf = 0x7f800000;
  for (const Case& c : std::vector<Case>{
           {wire(0, 0, 0, {}), ErrorCode::kDataException},
           {wire(1000000001, 0, 0, {}), ErrorCode::kProgramLimit},
           {wire(5, -1, 0, {}), ErrorCode::kDataException},
           {wire(20000, 16001, 0, {}), ErrorCode::kProgramLimit},
           {wire(1, 2, 0, {}), ErrorCode::kProgramLimit},
           {wire(5, 0, 1, {}), ErrorCode::kDataException},
           {wire(5, 1, 0, {5, one}), ErrorCode::kDataException},
           {wire(5, 1, 0, {0xffffffff, one}), ErrorCode::kDataException},
           {wire(5, 2, 0, {3, 1, one, one}), ErrorCode::kDataException},
           {wire(5, 2, 0, {1, 1, one, one}), ErrorCode::kDataException},
           {wire(5, 1, 0, {1, nan}), ErrorCode::kDataException},
           {wire(5, 1, 0, {1, inf}), ErrorCode::kDataException},
           {wire(5, 1, 0, {1, 0}), ErrorCode::kDataException},
           {wire(5, 1, 0, {1, 0x80000000}), ErrorCode::kDataException},
           {wire(5, 2, 0, {1, 2, one}), ErrorCode::kProtocolViolation},
           {wire(5, 2, 0, {1}), ErrorCode::kProtocolViolation},
           {Bytes{0, 0, 0, 5, 0, 0}, ErrorCode::kProtocolViolation},
           // an index check fails before a missing value is noticed
           {wire(5, 2, 0, {1, 9}), ErrorCode::kDataException}}) {
    EXPECT_EQ(decode(c.bytes).code(), c.code);
  }
  EXPECT_EQ(decode(wire(5, 0, 0, {}), 4).code(), ErrorCode::kDataException);  // typmod
}

struct Sparse {
  std::vector<std::int32_t> indices;
  std::vector<float> values;
  int dims;
  SparseSpan span() const {
    return SparseSpan{indices.data(), values.data(), static_cast<std::int32_t>(indices.size())};
  }
};

int compare(const Sparse& a, const Sparse& b) { return compare_sparse(a.span(), a.dims, b.span(), b.dims); }

TEST(SparseOps, OrdersAsDenseExpansions) {
  Sparse empty3{{}, {}, 3}, ones3{{0, 1, 2}, {1, 1, 1}, 3};
  Sparse a{{0, 1}, {1, 2}, 2}, b{{0, 1, 2}, {1, 2, 3}, 3}, c{{0, 1}, {2, 3}, 2};
  EXPECT_EQ(compare(empty3, ones3), -1);
  EXPECT_EQ(compare(a, b), -1);
  EXPECT_EQ(compare(c, b), 1);
  EXPECT_EQ(compare(b, b), 0);
  // a negative stored value is below an absent (zero) one
  Sparse neg{{1}, {-1}, 3}, gap{{2}, {5}, 3};
  EXPECT_EQ(compare(neg, empty3), -1);
  EXPECT_EQ(compare(gap, empty3), 1);
  EXPECT_EQ(compare(neg, gap), -1);
  // only the common prefix of positions counts, then dims
  Sparse tail{{4}, {9}, 5}, short3{{}, {}, 3};
  EXPECT_EQ(compare(tail, short3), 1);
  EXPECT_EQ(compare(short3, tail), -1);
}

TEST(SparseOps, NormalizeDropsZerosAndCatchesOverflow) {
  Sparse v{{0, 1}, {3e38f, 1e-37f}, 2};
  std::int32_t idx[2];
  float val[2];
  int nnz = -1;
  ASSERT_TRUE(sparse_normalize(v.span(), idx, val, &nnz).is_ok());
  ASSERT_EQ(nnz, 1);
  EXPECT_EQ(idx[0], 0);
  EXPECT_EQ(val[0], 1.0f);
  Sparse empty{{}, {}, 3};
  ASSERT_TRUE(sparse_normalize(empty.span(), idx, val, &nnz).is_ok());
  EXPECT_EQ(nnz, 0);
  Sparse sub{{0}, {1e-45f}, 1};  // norm computed in float64: 1e-45 / 1e-45 = 1
  ASSERT_TRUE(sparse_normalize(sub.span(), idx, val, &nnz).is_ok());
  EXPECT_EQ(val[0], 1.0f);
}

TEST(SparseOps, ConvertsToAndFromDense) {
  float dense[5] = {0, -0.0f, 2, 0, -3};
  ASSERT_EQ(count_nonzero<F32Traits>(dense, 5), 2);
  std::int32_t idx[2];
  float val[2];
  dense_to_sparse<F32Traits>(dense, 5, idx, val);
  EXPECT_EQ(idx[0], 2);
  EXPECT_EQ(idx[1], 4);
  EXPECT_EQ(val[1], -3.0f);
  SparseSpan span{idx, val, 2};
  float back[5];
  ASSERT_TRUE(sparse_to_dense<F32Traits>(span, 5, back).is_ok());
  EXPECT_EQ(back[2], 2.0f);
  EXPECT_EQ(back[3], 0.0f);
  Half halves[5];
  float big = 70000.0f;
  std::int32_t zero = 0;
  EXPECT_EQ(sparse_to_dense<F16Traits>(SparseSpan{&zero, &big, 1}, 5, halves).code(),
            ErrorCode::kOutOfRange);
}

TEST(SparseOps, DistancesMatchTheDenseExpansion) {
  Sparse a{{0, 3}, {1, 2}, 5}, b{{1, 3, 4}, {4, 5, 6}, 5};
  float da[5] = {1, 0, 0, 2, 0}, db[5] = {0, 4, 0, 5, 6};
  EXPECT_EQ(sparse_reference<L2SqOp>(a.span(), b.span()), dense_reference<L2SqOp>(da, db, 5));
  EXPECT_EQ(sparse_reference<DotOp>(a.span(), b.span()), dense_reference<DotOp>(da, db, 5));
  EXPECT_EQ(sparse_reference<L1Op>(a.span(), b.span()), dense_reference<L1Op>(da, db, 5));
}

}  // namespace
}  // namespace vecsim::core

// test/unit/dense_text_test.cpp
// Text input of the dense types: accepted spellings, each rejection with its
// error code, the order of checks, and that the parser stays within the
// capacity it is given. Typed over the element traits.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "types/dense_text.h"
#include "types/element_traits.h"

namespace vecsim::core {
namespace {

template <class Traits>
class DenseTextTest : public ::testing::Test {
 protected:
  using S = typename Traits::Storage;
  // Parses text; returns the status and fills values on success.
  Status parse(const std::string& text, std::vector<float>* values = nullptr, int typmod = -1) {
    int capacity = dense_text_capacity(text.c_str(), Traits::kMaxDims);
    std::vector<S> out(static_cast<std::size_t>(capacity) + 1);
    S sentinel;
    Traits::from_float(1234.0f, &sentinel);
    out[capacity] = sentinel;
    int dims = -1;
    Status st = parse_dense_text<Traits>(text.c_str(), out.data(), capacity, typmod, &dims);
    EXPECT_EQ(Traits::to_float(out[capacity]), 1234.0f) << "wrote past capacity: " << text;
    if (st.is_ok() && values) {
      values->clear();
      for (int i = 0; i < dims; ++i) values->push_back(Traits::to_float(out[i]));
    }
    return st;
  }
};

using DenseTypes = ::testing::Types<F32Traits, F16Traits>;
TYPED_TEST_SUITE(DenseTextTest, DenseTypes);

TYPED_TEST(DenseTextTest, AcceptsTheGrammar) {
  std::vector<float> v;
  for (const char* text : {"[1,2,3]", " [ 1,  2 ,    3  ] ", "[1.,2.,3.]", "\t[\n1\r,\v2\f,3]\n"}) {
    ASSERT_TRUE(this->parse(text, &v).is_ok()) << text;
    EXPECT_EQ(v, (std::vector<float>{1, 2, 3})) << text;
  }
  ASSERT_TRUE(this->parse("[+5,.5,0x1p3,-1.5e0]", &v).is_ok());
  EXPECT_EQ(v, (std::vector<float>{5, 0.5f, 8, -1.5f}));
  ASSERT_TRUE(this->parse("[1e-46,-1e-46]", &v).is_ok());
  EXPECT_FALSE(std::signbit(v[0]));
  EXPECT_TRUE(std::signbit(v[1]));
}

TYPED_TEST(DenseTextTest, RejectsWithTheRightCode) {
  struct Case {
    const char* text;
    ErrorCode code;
  };
  for (Case c : std::vector<Case>{
           {"", ErrorCode::kInvalidText},         {"1,2", ErrorCode::kInvalidText},
           {"[", ErrorCode::kInvalidText},        {"[,]", ErrorCode::kInvalidText},
           {"[1,]", ErrorCode::kInvalidText},     {"[1 2]", ErrorCode::kInvalidText},
           {"[1a]", ErrorCode::kInvalidText},     {"[1,2,3", ErrorCode::kInvalidText},
           {"[1]9", ErrorCode::kInvalidText},     {"[]", ErrorCode::kDataException},
           {"[ ]", ErrorCode::kDataException},    {"[NaN]", ErrorCode::kDataException},
           {"[inf]", ErrorCode::kDataException},  {"[4e38]", ErrorCode::kOutOfRange},
           {"[1e39,NaN]", ErrorCode::kOutOfRange}, {"[NaN,1e39]", ErrorCode::kDataException},
           {"[1e39,x]", ErrorCode::kOutOfRange},  {"[NaN,x]", ErrorCode::kDataException},
       }) {
    EXPECT_EQ(this->parse(c.text).code(), c.code) << c.text;
  }
}

// An empty list is 22000 at once, before anything after its ']' is looked
// at (as pgvector); otherwise syntax errors come before the typmod check.
TYPED_TEST(DenseTextTest, EmptyListBeforeTrailingTextSyntaxBeforeTypmod) {
  EXPECT_EQ(this->parse("[]x").code(), ErrorCode::kDataException);
  EXPECT_EQ(this->parse("[],").code(), ErrorCode::kDataException);
  EXPECT_EQ(this->parse("[ ]1").code(), ErrorCode::kDataException);
  EXPECT_EQ(this->parse("[1,2]x", nullptr, 3).code(), ErrorCode::kInvalidText);
  EXPECT_EQ(this->parse("[1,2]", nullptr, 3).code(), ErrorCode::kDataException);
  EXPECT_TRUE(this->parse("[1,2]", nullptr, 2).is_ok());
}

TYPED_TEST(DenseTextTest, DimsLimit) {
  std::string max = "[";
  for (int i = 0; i < TypeParam::kMaxDims; ++i) max += i ? ",1" : "1";
  std::vector<float> v;
  ASSERT_TRUE(this->parse(max + "]", &v).is_ok());
  EXPECT_EQ(v.size(), static_cast<std::size_t>(TypeParam::kMaxDims));
  EXPECT_EQ(this->parse(max + ",1]").code(), ErrorCode::kProgramLimit);
  EXPECT_EQ(this->parse(max + ",x]").code(), ErrorCode::kProgramLimit);
}

TYPED_TEST(DenseTextTest, MessagesNameTheInput) {
  std::string type = TypeParam::kTypeName;
  Status st = this->parse("[1,,2]");
  EXPECT_EQ(st.message(), "invalid input syntax for type " + type + ": \"[1,,2]\"");
  st = this->parse("[1,4e38]");
  EXPECT_EQ(st.message(), "\"4e38\" is out of range for type " + type);
}

TEST(HalfvecText, RoundsAndChecksRange) {
  Half out[2];
  int dims = 0;
  ASSERT_TRUE(parse_dense_text<F16Traits>("[65519,3e-8]", out, 2, -1, &dims).is_ok());
  EXPECT_EQ(half_to_float(out[0]), 65504.0f);
  EXPECT_EQ(half_to_float(out[1]), 5.9604645e-08f);
  Status st = parse_dense_text<F16Traits>("[65520]", out, 1, -1, &dims);
  EXPECT_EQ(st.code(), ErrorCode::kOutOfRange);
  EXPECT_STREQ(st.message(), "\"65520\" is out of range for type halfvec");
  // range errors come before the NaN check, left to right
  EXPECT_EQ(parse_dense_text<F16Traits>("[1e5,NaN]", out, 2, -1, &dims).code(),
            ErrorCode::kOutOfRange);
}

TEST(StatusTest, LongTextsAreCut) {
  std::string long_text(1000, 'x');
  Status st = Status::error(ErrorCode::kInvalidText, "%s", long_text.c_str());
  EXPECT_EQ(std::string(st.message()).size(), Status::kMessageSize - 1);
  EXPECT_EQ(std::string(st.message()).substr(Status::kMessageSize - 4), "...");
  st.with_detail("d %d", 1).with_hint("h");
  EXPECT_STREQ(st.detail(), "d 1");
  EXPECT_STREQ(st.hint(), "h");
  EXPECT_TRUE(Status::ok().is_ok());
  EXPECT_FALSE(Status::ok().has_detail());
}

// read_float reads every spelling as strtof does: the same value (to the
// bit), the same end, and the same range verdict the parser acts on. The
// spellings: random floats of every magnitude (subnormal, overflowing,
// underflowing to zero) printed in several forms, with a sign, hex, a
// leading or trailing dot, infinity and NaN, then each followed by each
// delimiter or by text that is not one.
TEST(DenseTextReadFloat, ReadsEverySpellingAsStrtofDoes) {
  std::mt19937_64 rng(11);
  std::vector<std::string> numbers = {"0",     "-0",    ".5",    "5.",       "-.5e3", "+1",     "1e",
                                      "1e+",   "1e-50", "1e39",  "-1e39",    "1e-40", "1.5e-45", "inf",
                                      "-inf",  "INF",   "infinity", "infin", "nan",   "NaN(12)", "0x1p3",
                                      "-0x1.8p-2", "00012", "1_0",  ".",     "-",     "e5",     "3.40282357e38",
                                      "3.4028235e38", "1.17549435e-38", "7.006e-46", "123456789012345678901234567890"};
  char buf[64];
  for (int i = 0; i < 3000; ++i) {
    const double magnitude = std::ldexp(1.0, static_cast<int>(rng() % 300) - 160);
    const double v = magnitude * (static_cast<double>(rng() % 2000001) / 1000000.0 - 1.0);
    const char* formats[] = {"%.9g", "%.17g", "%.3e", "%a", "%f", "%+.6g"};
    std::snprintf(buf, sizeof buf, formats[rng() % 6], v);
    numbers.emplace_back(buf);
  }
  const char* tails[] = {"", ",", "]", "}", " ", "\t", "x", "e", "(", "1"};
  for (const std::string& number : numbers) {
    for (const char* tail : tails) {
      const std::string text = number + tail;
      char* want_end = nullptr;
      errno = 0;
      const float want = std::strtof(text.c_str(), &want_end);
      const bool want_range = errno == ERANGE;
      const char* end = nullptr;
      bool range = false;
      const float got = read_float(text.c_str(), &end, &range);
      ASSERT_EQ(end, want_end) << text;
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(got)) << text;
      } else {
        EXPECT_EQ(std::memcmp(&got, &want, sizeof got), 0) << text << ": " << got << " vs " << want;
      }
      const bool acts = range && (std::isinf(got) || got == 0.0f);
      const bool wants_act = want_range && (std::isinf(want) || want == 0.0f);
      EXPECT_EQ(acts, wants_act) << text;
    }
  }
}

}  // namespace
}  // namespace vecsim::core

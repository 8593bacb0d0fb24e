// test/unit/dense_ops_test.cpp
// Arithmetic, ordering, norms, subvector ranges, binary quantisation and the
// avg arithmetic of the dense types, typed over the element traits.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "kernels/distance.h"
#include "types/dense_avg.h"
#include "types/dense_ops.h"
#include "types/element_traits.h"

namespace vecsim::core {
namespace {

template <class Traits>
class DenseOpsTest : public ::testing::Test {
 protected:
  using S = typename Traits::Storage;
  static std::vector<S> make(std::initializer_list<float> values) {
    std::vector<S> out;
    for (float f : values) {
      S s;
      EXPECT_TRUE(Traits::from_float(f, &s));
      out.push_back(s);
    }
    return out;
  }
  template <class Op>
  static Status apply(const std::vector<S>& a, const std::vector<S>& b, std::vector<S>* out) {
    out->assign(a.size(), S{});
    return elementwise<Traits, Op>(a.data(), b.data(), out->data(), static_cast<int>(a.size()));
  }
};

using DenseTypes = ::testing::Types<F32Traits, F16Traits>;
TYPED_TEST_SUITE(DenseOpsTest, DenseTypes);

TYPED_TEST(DenseOpsTest, Arithmetic) {
  std::vector<typename TypeParam::Storage> out;
  auto a = this->make({1, 2, 3}), b = this->make({4, 5, 6});
  ASSERT_TRUE(this->template apply<AddOp>(a, b, &out).is_ok());
  EXPECT_EQ(TypeParam::to_float(out[2]), 9.0f);
  ASSERT_TRUE(this->template apply<SubOp>(a, b, &out).is_ok());
  EXPECT_EQ(TypeParam::to_float(out[0]), -3.0f);
  ASSERT_TRUE(this->template apply<MulOp>(a, b, &out).is_ok());
  EXPECT_EQ(TypeParam::to_float(out[1]), 10.0f);
}

TEST(DenseOpsF32, OverflowAndUnderflow) {
  std::vector<float> out(2);
  float big[2] = {3e38f, 1}, tiny[2] = {1e-37f, 0}, zero[2] = {0, 0};
  EXPECT_EQ((elementwise<F32Traits, AddOp>(big, big, out.data(), 2).code()), ErrorCode::kOutOfRange);
  EXPECT_EQ((elementwise<F32Traits, MulOp>(tiny, tiny, out.data(), 2).code()), ErrorCode::kOutOfRange);
  EXPECT_TRUE((elementwise<F32Traits, MulOp>(tiny, zero, out.data(), 2).is_ok()));
}

TYPED_TEST(DenseOpsTest, Ordering) {
  auto a = this->make({1, 2}), b = this->make({1, 2, 3}), c = this->make({2}),
       z = this->make({0}), nz = this->make({-0.0f});
  EXPECT_EQ(compare_dense<TypeParam>(a.data(), 2, b.data(), 3), -1);
  EXPECT_EQ(compare_dense<TypeParam>(c.data(), 1, b.data(), 3), 1);
  EXPECT_EQ(compare_dense<TypeParam>(b.data(), 3, b.data(), 3), 0);
  EXPECT_EQ(compare_dense<TypeParam>(z.data(), 1, nz.data(), 1), 0);
}

TYPED_TEST(DenseOpsTest, NormAndNormalize) {
  auto v = this->make({3, 4}), zero = this->make({0, 0});
  EXPECT_EQ(l2_norm_f64<TypeParam>(v.data(), 2), 5.0);
  std::vector<typename TypeParam::Storage> out(2);
  ASSERT_TRUE(l2_normalize<TypeParam>(v.data(), 2, out.data()).is_ok());
  EXPECT_EQ(TypeParam::to_float(out[0]), TypeParam::to_float(this->make({0.6f})[0]));
  ASSERT_TRUE(l2_normalize<TypeParam>(zero.data(), 2, out.data()).is_ok());
  EXPECT_EQ(TypeParam::to_float(out[1]), 0.0f);
}

TEST(SubvectorRange, FollowsSubstring) {
  struct Case {
    std::int32_t start, count;
    int first, len;  // len 0: error
  };
  for (Case c : std::vector<Case>{{1, 3, 0, 3},   {3, 2, 2, 2},   {3, 9, 2, 3},
                                  {3, INT32_MAX, 2, 3}, {-1, 3, 0, 1}, {-2147483644, INT32_MAX, 0, 2},
                                  {1, 0, 0, 0},   {3, -1, 0, 0},  {-1, 2, 0, 0},
                                  {6, 1, 0, 0},   {INT32_MAX, 10, 0, 0}, {INT32_MIN, INT32_MIN, 0, 0}}) {
    int first = -1, len = -1;
    Status st = subvector_range("vector", 5, c.start, c.count, &first, &len);
    if (c.len == 0) {
      EXPECT_EQ(st.code(), ErrorCode::kDataException) << c.start << "," << c.count;
    } else {
      ASSERT_TRUE(st.is_ok()) << c.start << "," << c.count;
      EXPECT_EQ(first, c.first);
      EXPECT_EQ(len, c.len);
    }
  }
}

TYPED_TEST(DenseOpsTest, BinaryQuantize) {
  auto v = this->make({1, 0, -1, -0.0f, 2, 3, 4, 5, 6, -1});
  unsigned char bits[2] = {0xAA, 0xAA};
  binary_quantize<TypeParam>(v.data(), 10, bits);
  EXPECT_EQ(bits[0], 0x8F);  // 1000 1111
  EXPECT_EQ(bits[1], 0x80);  // 10, unused bits zero
}

TYPED_TEST(DenseOpsTest, Average) {
  std::vector<double> sums(2, 0.0);
  auto a = this->make({1, 2}), b = this->make({3, 5});
  ASSERT_TRUE(accumulate_sums<TypeParam>(sums.data(), a.data(), 2).is_ok());
  ASSERT_TRUE(accumulate_sums<TypeParam>(sums.data(), b.data(), 2).is_ok());
  std::vector<typename TypeParam::Storage> out(2);
  ASSERT_TRUE(average_sums<TypeParam>(sums.data(), 2.0, 2, out.data()).is_ok());
  EXPECT_EQ(TypeParam::to_float(out[0]), 2.0f);
  EXPECT_EQ(TypeParam::to_float(out[1]), 3.5f);
  std::vector<double> first(2);
  auto signed_zero = this->make({-0.0f, 1});
  clear_sums(first.data(), 2);
  ASSERT_TRUE(accumulate_sums<TypeParam>(first.data(), signed_zero.data(), 2).is_ok());
  EXPECT_TRUE(std::signbit(first[0]));  // a first row is kept exactly
  EXPECT_EQ(first[1], 1.0);
  double huge[1] = {1e300};
  EXPECT_EQ(average_sums<TypeParam>(huge, 1.0, 1, out.data()).code(), ErrorCode::kDataException);
  double big[1] = {1.7e308};
  EXPECT_EQ(combine_sums(big, big, 1).code(), ErrorCode::kOutOfRange);
}

TEST(DistanceSemantics, CosineNaNAndClamp) {
  EXPECT_TRUE(std::isnan(cosine_from_terms({0, 0, 5})));
  EXPECT_TRUE(std::isnan(cosine_from_terms({INFINITY, INFINITY, INFINITY})));
  EXPECT_EQ(cosine_from_terms({2.0000002f, 1, 4}), 0.0);  // similarity above 1 clamps
  EXPECT_EQ(spherical_from_dot(1.5f), 0.0);
  EXPECT_DOUBLE_EQ(spherical_from_dot(0.0f), 0.5);
}

}  // namespace
}  // namespace vecsim::core

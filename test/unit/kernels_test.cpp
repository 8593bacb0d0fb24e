// test/unit/kernels_test.cpp
// Every dense float32 kernel of every ISA level this CPU supports, against
// the scalar reference and against a float64 oracle.
//
// TOLERANCE
//   A float32 sum of n terms, in any order and with or without FMA, differs
//   from the exact sum by at most about n * eps * sum|term| (eps = 2^-24),
//   the classic bound for recursive summation. Each kernel is checked
//   against the float64 sum with tol = 2 * n * eps * sum|term| + 1e-30;
//   SIMD and scalar are then within twice that of each other.
//
// INPUTS
//   dims 1..70, around multiples of 8/16/32/64, and 16000; inputs start at
//   every float offset 0..3 (SIMD-unaligned); and each input ends exactly at
//   a PROT_NONE guard page, so a tail that reads one float too many faults.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/kernel_table.h"
#include "kernels/metric_ops.h"

namespace vecsim::core {
namespace {

std::vector<int> test_dims() {
  std::vector<int> dims;
  for (int d = 1; d <= 70; ++d) dims.push_back(d);
  for (int m : {128, 256, 512, 1024}) {
    for (int d = m - 1; d <= m + 1; ++d) dims.push_back(d);
  }
  dims.push_back(1536);
  dims.push_back(16000);
  return dims;
}

std::vector<IsaLevel> supported_levels() {
  std::vector<IsaLevel> levels;
  for (IsaLevel l : {IsaLevel::kScalar, IsaLevel::kX86V3, IsaLevel::kX86V4}) {
    if (l <= detect_isa_level()) levels.push_back(l);
  }
  return levels;
}

// A buffer of n floats whose last float is the last readable one: the page
// after it is PROT_NONE.
class GuardedFloats {
 public:
  explicit GuardedFloats(std::size_t n) {
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::size_t bytes = n * sizeof(float);
    data_pages_ = (bytes + page - 1) / page * page;
    size_ = data_pages_ + page;
    base_ = static_cast<unsigned char*>(
        mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED) throw std::bad_alloc();
    mprotect(base_ + data_pages_, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(base_ + data_pages_ - bytes);
  }
  ~GuardedFloats() { munmap(base_, size_); }
  GuardedFloats(const GuardedFloats&) = delete;
  GuardedFloats& operator=(const GuardedFloats&) = delete;
  float* data() { return data_; }

 private:
  unsigned char* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t data_pages_ = 0;
  float* data_ = nullptr;
};

struct Exact {
  double value;
  double magnitude;  // sum of |terms|
};

Exact exact_l2sq(const float* a, const float* b, std::size_t n) {
  Exact e{0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    double d = static_cast<double>(a[i]) - b[i];
    e.value += d * d;
    e.magnitude += d * d;
  }
  return e;
}
Exact exact_dot(const float* a, const float* b, std::size_t n) {
  Exact e{0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    double t = static_cast<double>(a[i]) * b[i];
    e.value += t;
    e.magnitude += std::fabs(t);
  }
  return e;
}
Exact exact_l1(const float* a, const float* b, std::size_t n) {
  Exact e{0, 0};
  for (std::size_t i = 0; i < n; ++i) {
    double t = std::fabs(static_cast<double>(a[i]) - b[i]);
    e.value += t;
    e.magnitude += t;
  }
  return e;
}

double tolerance(std::size_t n, double magnitude) {
  return 2.0 * static_cast<double>(n) * std::ldexp(1.0, -24) * magnitude + 1e-30;
}

class KernelTest : public ::testing::TestWithParam<IsaLevel> {};

TEST_P(KernelTest, MatchesReferenceAndExactSums) {
  const KernelTable& k = kernel_table_for(GetParam());
  ASSERT_EQ(k.level, GetParam());
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (int dims : test_dims()) {
    for (int offset = 0; offset < 4; ++offset) {
      std::size_t n = static_cast<std::size_t>(dims);
      GuardedFloats ga(n + offset), gb(n + offset);
      float* a = ga.data() + offset;  // ends at the guard page
      float* b = gb.data() + offset;
      for (std::size_t i = 0; i < n; ++i) {
        a[i] = dist(rng);
        b[i] = dist(rng);
      }
      SCOPED_TRACE(::testing::Message() << isa_name(GetParam()) << " dims=" << dims
                                        << " offset=" << offset);
      Exact l2 = exact_l2sq(a, b, n), dot = exact_dot(a, b, n), l1 = exact_l1(a, b, n);
      EXPECT_NEAR(k.l2sq_f32(a, b, n), l2.value, tolerance(n, l2.magnitude));
      EXPECT_NEAR(k.dot_f32(a, b, n), dot.value, tolerance(n, dot.magnitude));
      EXPECT_NEAR(k.l1_f32(a, b, n), l1.value, tolerance(n, l1.magnitude));
      EXPECT_NEAR(k.l2sq_f32(a, b, n), L2SqOp::apply(a, b, n), 2 * tolerance(n, l2.magnitude));
      EXPECT_NEAR(k.dot_f32(a, b, n), DotOp::apply(a, b, n), 2 * tolerance(n, dot.magnitude));
      EXPECT_NEAR(k.l1_f32(a, b, n), L1Op::apply(a, b, n), 2 * tolerance(n, l1.magnitude));

      CosineTerms t = k.cosine_f32(a, b, n);
      Exact na = exact_dot(a, a, n), nb = exact_dot(b, b, n);
      EXPECT_NEAR(t.dot, dot.value, tolerance(n, dot.magnitude));
      EXPECT_NEAR(t.norm_a, na.value, tolerance(n, na.magnitude));
      EXPECT_NEAR(t.norm_b, nb.value, tolerance(n, nb.magnitude));
    }
  }
}

TEST_P(KernelTest, EmptyInputsGiveZero) {
  const KernelTable& k = kernel_table_for(GetParam());
  float x = 1.0f;
  EXPECT_EQ(k.l2sq_f32(&x, &x, 0), 0.0f);
  EXPECT_EQ(k.dot_f32(&x, &x, 0), 0.0f);
  EXPECT_EQ(k.l1_f32(&x, &x, 0), 0.0f);
  EXPECT_EQ(k.cosine_f32(&x, &x, 0).norm_a, 0.0f);
}

TEST_P(KernelTest, OverflowGivesInfinity) {
  const KernelTable& k = kernel_table_for(GetParam());
  std::vector<float> a(33, 3e38f), b(33, -3e38f);
  EXPECT_TRUE(std::isinf(k.l2sq_f32(a.data(), b.data(), a.size())));
  EXPECT_TRUE(std::isinf(k.l1_f32(a.data(), b.data(), a.size())));
  EXPECT_TRUE(std::isinf(k.dot_f32(a.data(), a.data(), a.size())));
}

INSTANTIATE_TEST_SUITE_P(AllLevels, KernelTest, ::testing::ValuesIn(supported_levels()),
                         [](const ::testing::TestParamInfo<IsaLevel>& info) {
                           return std::string(info.param == IsaLevel::kScalar  ? "scalar"
                                              : info.param == IsaLevel::kX86V3 ? "x86v3"
                                                                               : "x86v4");
                         });

TEST(KernelDispatch, InstallNeverExceedsTheCpu) {
  install_kernels(IsaLevel::kX86V4);
  EXPECT_LE(kernels().level, detect_isa_level());
  install_kernels(IsaLevel::kScalar);
  EXPECT_EQ(kernels().level, IsaLevel::kScalar);
  install_kernels(detect_isa_level());
  EXPECT_EQ(kernels().level, detect_isa_level());
}

}  // namespace
}  // namespace vecsim::core

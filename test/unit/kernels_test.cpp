// test/unit/kernels_test.cpp
// Every kernel of every table this CPU can run (each ISA level, and the
// VPOPCNTDQ variant of x86-64-v4 where present), against the scalar
// reference and against a float64 oracle: dense float32 and binary16 (one
// pair, and one query against four rows), sparse merges, and bit popcounts.
//
// TOLERANCE
//   A float32 sum of n terms, in any order and with or without FMA, differs
//   from the exact sum by at most about n * eps * sum|term| (eps = 2^-24),
//   the classic bound for recursive summation. Each float kernel is checked
//   against the float64 sum with tol = 2 * n * eps * sum|term| + 1e-30
//   (n = number of terms: dims, or the size of the index union); SIMD and
//   scalar are then within twice that of each other. binary16 elements are
//   widened exactly, so the same bound holds on the widened values. Bit
//   kernels must be exact.
//
// INPUTS
//   dims 1..70, around multiples of 8/16/32/64, and 16000; inputs start at
//   every element offset 0..3 (SIMD-unaligned); and each input ends exactly
//   at a PROT_NONE guard page, so a tail that reads one element too many
//   faults. Sparse pairs: nnz 0..200 and 1000, with shared, disjoint and
//   interleaved indices. Bit strings: 0..200 bytes, 192 (1536 bits), 2000.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/kernel_table.h"
#include "kernels/metric_ops.h"
#include "types/half.h"

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

// Every table this CPU can run, scalar first.
std::vector<const KernelTable*> runnable_tables() {
  std::vector<const KernelTable*> tables;
  for (IsaLevel l : {IsaLevel::kScalar, IsaLevel::kX86V3, IsaLevel::kX86V4}) {
    if (l <= detect_isa_level()) tables.push_back(&kernel_table_for(l));
  }
#if defined(__x86_64__)
  // kernel_table_for picks the VPOPCNTDQ table where it can; the plain v4
  // table must work too.
  if (detect_isa_level() == IsaLevel::kX86V4 && tables.back() != &kX86V4Kernels) {
    tables.push_back(&kX86V4Kernels);
  }
#endif
  return tables;
}

std::string table_name(const KernelTable* t) {
  std::string name = t->level == IsaLevel::kScalar  ? "scalar"
                     : t->level == IsaLevel::kX86V3 ? "x86v3"
                                                    : "x86v4";
  if (t->extras[0] != '\0') name += std::string("_") + t->extras;
  return name;
}

// A buffer of n elements whose last one is the last readable byte: the page
// after it is PROT_NONE.
template <class T>
class Guarded {
 public:
  explicit Guarded(std::size_t n) {
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::size_t bytes = n * sizeof(T);
    data_pages_ = (bytes + page - 1) / page * page + page;
    size_ = data_pages_ + page;
    base_ = static_cast<unsigned char*>(
        mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED) throw std::bad_alloc();
    mprotect(base_ + data_pages_, page, PROT_NONE);
    data_ = reinterpret_cast<T*>(base_ + data_pages_ - bytes);
  }
  ~Guarded() { munmap(base_, size_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  T* data() { return data_; }

 private:
  unsigned char* base_ = nullptr;
  std::size_t size_ = 0;
  std::size_t data_pages_ = 0;
  T* data_ = nullptr;
};

// An exact (float64) sum of terms with the sum of their magnitudes.
struct Exact {
  double value = 0;
  double magnitude = 0;
  void add(double t) {
    value += t;
    magnitude += std::fabs(t);
  }
};

struct ExactSums {
  Exact l2sq, dot, l1, norm_a, norm_b;
  std::size_t terms = 0;
  void add(double x, double y) {
    l2sq.add((x - y) * (x - y));
    dot.add(x * y);
    l1.add(std::fabs(x - y));
    norm_a.add(x * x);
    norm_b.add(y * y);
    ++terms;
  }
};

double tolerance(std::size_t n, const Exact& e) {
  return 2.0 * static_cast<double>(n) * std::ldexp(1.0, -24) * e.magnitude + 1e-30;
}

// Checks one metric set on one pair against the exact sums and against the
// scalar reference set `ref`.
template <class Set, class... Operands>
void check_metrics(const Set& k, const Set& ref, const ExactSums& e, Operands... x) {
  std::size_t n = e.terms;
  EXPECT_NEAR(k.l2sq(x...), e.l2sq.value, tolerance(n, e.l2sq));
  EXPECT_NEAR(k.dot(x...), e.dot.value, tolerance(n, e.dot));
  EXPECT_NEAR(k.l1(x...), e.l1.value, tolerance(n, e.l1));
  EXPECT_NEAR(k.l2sq(x...), ref.l2sq(x...), 2 * tolerance(n, e.l2sq));
  EXPECT_NEAR(k.dot(x...), ref.dot(x...), 2 * tolerance(n, e.dot));
  EXPECT_NEAR(k.l1(x...), ref.l1(x...), 2 * tolerance(n, e.l1));
  CosineTerms t = k.cosine(x...);
  EXPECT_NEAR(t.dot, e.dot.value, tolerance(n, e.dot));
  EXPECT_NEAR(t.norm_a, e.norm_a.value, tolerance(n, e.norm_a));
  EXPECT_NEAR(t.norm_b, e.norm_b.value, tolerance(n, e.norm_b));
}

class KernelTest : public ::testing::TestWithParam<const KernelTable*> {};

template <class Elem>
Elem make_element(float f) {
  if constexpr (std::is_same_v<Elem, Half>) {
    Half h;
    float_to_half(f, &h);
    return h;
  } else {
    return f;
  }
}

template <class Elem, class Set>
void check_dense(const Set& k, const Set& ref) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (int dims : test_dims()) {
    for (int offset = 0; offset < 4; ++offset) {
      std::size_t n = static_cast<std::size_t>(dims);
      Guarded<Elem> ga(n + offset), gb(n + offset);
      Elem* a = ga.data() + offset;  // ends at the guard page
      Elem* b = gb.data() + offset;
      ExactSums e;
      for (std::size_t i = 0; i < n; ++i) {
        a[i] = make_element<Elem>(dist(rng));
        b[i] = make_element<Elem>(dist(rng));
        e.add(widen(a[i]), widen(b[i]));
      }
      SCOPED_TRACE(::testing::Message() << "dims=" << dims << " offset=" << offset);
      check_metrics(k, ref, e, static_cast<const Elem*>(a), static_cast<const Elem*>(b), n);
    }
  }
}

TEST_P(KernelTest, DenseF32) { check_dense<float>(GetParam()->f32, kScalarKernels.f32); }

// One query against four rows must give each row's single-pair result,
// within the same summation tolerance.
template <class Elem>
void check_batch4(const BatchKernels<Elem>& batch, const MetricKernels<const Elem*, const Elem*, std::size_t>& single) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (int dims : test_dims()) {
    std::size_t n = static_cast<std::size_t>(dims);
    Guarded<Elem> gq(n), g0(n), g1(n), g2(n), g3(n);
    Elem* bufs[5] = {gq.data(), g0.data(), g1.data(), g2.data(), g3.data()};
    for (Elem* b : bufs) {
      for (std::size_t i = 0; i < n; ++i) b[i] = make_element<Elem>(dist(rng));
    }
    const Elem* rows[4] = {bufs[1], bufs[2], bufs[3], bufs[4]};
    SCOPED_TRACE(::testing::Message() << "dims=" << dims);
    using Fn = typename BatchKernels<Elem>::Fn;
    using Single = float (*)(const Elem*, const Elem*, std::size_t) noexcept;
    const std::pair<Fn, Single> pairs[3] = {
        {batch.l2sq, single.l2sq}, {batch.dot, single.dot}, {batch.l1, single.l1}};
    for (const auto& [many, one] : pairs) {
      float out[4];
      many(bufs[0], rows, n, out);
      for (int r = 0; r < 4; ++r) {
        ExactSums e;
        for (std::size_t i = 0; i < n; ++i) e.add(widen(bufs[0][i]), widen(rows[r][i]));
        double tol = 2 * tolerance(n, e.l2sq) + 2 * tolerance(n, e.dot) + 2 * tolerance(n, e.l1);
        EXPECT_NEAR(out[r], one(bufs[0], rows[r], n), tol);
      }
    }
  }
}

TEST_P(KernelTest, Batch4F32) { check_batch4<float>(GetParam()->f32_batch4, GetParam()->f32); }
TEST_P(KernelTest, Batch4F16) { check_batch4<Half>(GetParam()->f16_batch4, GetParam()->f16); }
TEST_P(KernelTest, DenseF16) { check_dense<Half>(GetParam()->f16, kScalarKernels.f16); }

// A sparse operand owning its arrays; indices ascending.
struct SparseOperand {
  std::vector<std::int32_t> indices;
  std::vector<float> values;
  SparseSpan span() const {
    return SparseSpan{indices.data(), values.data(), static_cast<std::int32_t>(indices.size())};
  }
};

SparseOperand random_sparse(std::mt19937& rng, int nnz, int dims) {
  std::vector<std::int32_t> all(static_cast<std::size_t>(dims));
  for (int i = 0; i < dims; ++i) all[i] = i;
  std::shuffle(all.begin(), all.end(), rng);
  SparseOperand s;
  s.indices.assign(all.begin(), all.begin() + nnz);
  std::sort(s.indices.begin(), s.indices.end());
  std::uniform_real_distribution<float> dist(0.25f, 2.0f);
  for (int i = 0; i < nnz; ++i) s.values.push_back(rng() % 2 ? dist(rng) : -dist(rng));
  return s;
}

ExactSums exact_sparse(const SparseOperand& a, const SparseOperand& b) {
  ExactSums e;
  visit_union(a.span(), b.span(), [&e](float x, float y) { e.add(x, y); });
  return e;
}

TEST_P(KernelTest, Sparse) {
  std::mt19937 rng(7);
  std::vector<int> sizes;
  for (int n = 0; n <= 200; n += 7) sizes.push_back(n);
  sizes.push_back(1000);
  for (int na : sizes) {
    for (int dims_factor : {1, 2, 8}) {  // 1: every index shared; 8: few shared
      int nb = (na * 3 + 5) % 211;
      int dims = std::max({na, nb, 1}) * dims_factor;
      SparseOperand a = random_sparse(rng, na, dims), b = random_sparse(rng, nb, dims);
      SCOPED_TRACE(::testing::Message() << "nnz=" << na << "," << nb << " dims=" << dims);
      check_metrics(GetParam()->sparse, kScalarKernels.sparse, exact_sparse(a, b), a.span(),
                    b.span());
      check_metrics(GetParam()->sparse, kScalarKernels.sparse, exact_sparse(a, a), a.span(),
                    a.span());
    }
  }
}

TEST_P(KernelTest, BitCountsAreExact) {
  const BitKernels& k = GetParam()->bit;
  std::mt19937 rng(3);
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 200; ++n) sizes.push_back(n);
  sizes.push_back(192);
  sizes.push_back(2000);
  for (std::size_t bytes : sizes) {
    Guarded<std::uint8_t> ga(bytes), gb(bytes);
    for (int density : {1, 4, 7}) {  // sparse, balanced and dense bits
      for (std::size_t i = 0; i < bytes; ++i) {
        std::uint8_t x = 0, y = 0;
        for (int bit = 0; bit < 8; ++bit) {
          x |= static_cast<std::uint8_t>((static_cast<int>(rng() % 8) < density) << bit);
          y |= static_cast<std::uint8_t>((static_cast<int>(rng() % 8) < density) << bit);
        }
        ga.data()[i] = x;
        gb.data()[i] = y;
      }
      SCOPED_TRACE(::testing::Message() << "bytes=" << bytes << " density=" << density);
      EXPECT_EQ(k.hamming(ga.data(), gb.data(), bytes), hamming_reference(ga.data(), gb.data(), bytes));
      JaccardTerms got = k.jaccard(ga.data(), gb.data(), bytes);
      JaccardTerms want = jaccard_reference(ga.data(), gb.data(), bytes);
      EXPECT_EQ(got.both, want.both);
      EXPECT_EQ(got.either, want.either);
    }
  }
}

TEST(BitReference, CountsByHand) {
  const std::uint8_t a[] = {0xff, 0x0f, 0x80};
  const std::uint8_t b[] = {0xf0, 0x0f, 0x01};
  EXPECT_EQ(hamming_reference(a, b, 3), 4u + 0u + 2u);
  JaccardTerms t = jaccard_reference(a, b, 3);
  EXPECT_EQ(t.both, 4u + 4u + 0u);
  EXPECT_EQ(t.either, 8u + 4u + 2u);
}

TEST_P(KernelTest, EmptyInputsGiveZero) {
  const KernelTable& k = *GetParam();
  float x = 1.0f;
  Half h{0x3c00};
  EXPECT_EQ(k.f32.l2sq(&x, &x, 0), 0.0f);
  EXPECT_EQ(k.f32.dot(&x, &x, 0), 0.0f);
  EXPECT_EQ(k.f32.l1(&x, &x, 0), 0.0f);
  EXPECT_EQ(k.f32.cosine(&x, &x, 0).norm_a, 0.0f);
  EXPECT_EQ(k.f16.l2sq(&h, &h, 0), 0.0f);
  EXPECT_EQ(k.f16.cosine(&h, &h, 0).norm_b, 0.0f);
  SparseSpan empty{nullptr, nullptr, 0};
  EXPECT_EQ(k.sparse.l2sq(empty, empty), 0.0f);
  EXPECT_EQ(k.sparse.cosine(empty, empty).norm_a, 0.0f);
  EXPECT_EQ(k.bit.hamming(nullptr, nullptr, 0), 0u);
  EXPECT_EQ(k.bit.jaccard(nullptr, nullptr, 0).either, 0u);
}

TEST_P(KernelTest, OverflowGivesInfinity) {
  const KernelTable& k = *GetParam();
  std::vector<float> a(33, 3e38f), b(33, -3e38f);
  EXPECT_TRUE(std::isinf(k.f32.l2sq(a.data(), b.data(), a.size())));
  EXPECT_TRUE(std::isinf(k.f32.l1(a.data(), b.data(), a.size())));
  EXPECT_TRUE(std::isinf(k.f32.dot(a.data(), a.data(), a.size())));
}

INSTANTIATE_TEST_SUITE_P(AllTables, KernelTest, ::testing::ValuesIn(runnable_tables()),
                         [](const ::testing::TestParamInfo<const KernelTable*>& info) {
                           return table_name(info.param);
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

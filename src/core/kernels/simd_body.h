// src/core/kernels/simd_body.h
// The bodies of the dense kernels, written once against a small SIMD
// register interface V and instantiated by each ISA's translation unit
// (x86v3.cpp, x86v4.cpp) with that ISA's compiler flags, for float32 and
// binary16 elements (widened to float32 lanes as they are loaded).
//
// V provides: Reg, kWidth, zero(), load(p) and load_tail(p, n) for p a
// const float* or const Half* (n < kWidth lanes, the rest zero, reading no
// byte past p + n), add, sub, fmadd(a, b, c) = a * b + c, abs, reduce_add,
// broadcast(x) (every lane x) and store(float* p, r) (kWidth lanes).
//
// INVARIANTS
//   Everything here has internal linkage (unnamed namespace), so code built
//   with one ISA's flags can never be picked by the linker for another TU:
//   no ODR-merged inline function carries AVX-512 instructions into the
//   scalar path. Include this header only from an ISA translation unit.
//   Zero-filled tail lanes add nothing to any sum, so tails need no scalar
//   loop and no byte beyond the inputs is read.
#pragma once

#include <cstddef>

#include "kernels/kernel_table.h"
#include "types/half.h"

namespace vecsim::core {
namespace {

struct L2SqStep {
  template <class V>
  static typename V::Reg step(typename V::Reg acc, typename V::Reg a, typename V::Reg b) noexcept {
    typename V::Reg d = V::sub(a, b);
    return V::fmadd(d, d, acc);
  }
};

struct DotStep {
  template <class V>
  static typename V::Reg step(typename V::Reg acc, typename V::Reg a, typename V::Reg b) noexcept {
    return V::fmadd(a, b, acc);
  }
};

struct L1Step {
  template <class V>
  static typename V::Reg step(typename V::Reg acc, typename V::Reg a, typename V::Reg b) noexcept {
    return V::add(acc, V::abs(V::sub(a, b)));
  }
};

// sum over i of Step(a[i], b[i]), with four independent accumulators so that
// the FMA latency is hidden.
template <class V, class Step, class Elem>
float reduce_pair(const Elem* a, const Elem* b, std::size_t n) noexcept {
  constexpr std::size_t W = V::kWidth;
  typename V::Reg acc0 = V::zero(), acc1 = V::zero(), acc2 = V::zero(), acc3 = V::zero();
  std::size_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    acc0 = Step::template step<V>(acc0, V::load(a + i), V::load(b + i));
    acc1 = Step::template step<V>(acc1, V::load(a + i + W), V::load(b + i + W));
    acc2 = Step::template step<V>(acc2, V::load(a + i + 2 * W), V::load(b + i + 2 * W));
    acc3 = Step::template step<V>(acc3, V::load(a + i + 3 * W), V::load(b + i + 3 * W));
  }
  for (; i + W <= n; i += W) acc0 = Step::template step<V>(acc0, V::load(a + i), V::load(b + i));
  if (i < n) {
    acc1 = Step::template step<V>(acc1, V::load_tail(a + i, n - i), V::load_tail(b + i, n - i));
  }
  return V::reduce_add(V::add(V::add(acc0, acc1), V::add(acc2, acc3)));
}

template <class V, class Elem>
CosineTerms cosine_terms(const Elem* a, const Elem* b, std::size_t n) noexcept {
  constexpr std::size_t W = V::kWidth;
  typename V::Reg dot0 = V::zero(), na0 = V::zero(), nb0 = V::zero();
  typename V::Reg dot1 = V::zero(), na1 = V::zero(), nb1 = V::zero();
  std::size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    typename V::Reg x0 = V::load(a + i), y0 = V::load(b + i);
    typename V::Reg x1 = V::load(a + i + W), y1 = V::load(b + i + W);
    dot0 = V::fmadd(x0, y0, dot0);
    na0 = V::fmadd(x0, x0, na0);
    nb0 = V::fmadd(y0, y0, nb0);
    dot1 = V::fmadd(x1, y1, dot1);
    na1 = V::fmadd(x1, x1, na1);
    nb1 = V::fmadd(y1, y1, nb1);
  }
  if (i + W <= n) {
    typename V::Reg x = V::load(a + i), y = V::load(b + i);
    dot0 = V::fmadd(x, y, dot0);
    na0 = V::fmadd(x, x, na0);
    nb0 = V::fmadd(y, y, nb0);
    i += W;
  }
  if (i < n) {
    typename V::Reg x = V::load_tail(a + i, n - i), y = V::load_tail(b + i, n - i);
    dot1 = V::fmadd(x, y, dot1);
    na1 = V::fmadd(x, x, na1);
    nb1 = V::fmadd(y, y, nb1);
  }
  return CosineTerms{V::reduce_add(V::add(dot0, dot1)), V::reduce_add(V::add(na0, na1)),
                     V::reduce_add(V::add(nb0, nb1))};
}

// Step over one query and four rows, one accumulator per row: the query
// is loaded once per step for all four.
template <class V, class Step, class Elem>
void reduce_batch4(const Elem* q, const Elem* const* rows, std::size_t n, float* out) noexcept {
  constexpr std::size_t W = V::kWidth;
  const Elem* r0 = rows[0];
  const Elem* r1 = rows[1];
  const Elem* r2 = rows[2];
  const Elem* r3 = rows[3];
  typename V::Reg acc0 = V::zero(), acc1 = V::zero(), acc2 = V::zero(), acc3 = V::zero();
  std::size_t i = 0;
  for (; i + W <= n; i += W) {
    typename V::Reg x = V::load(q + i);
    acc0 = Step::template step<V>(acc0, x, V::load(r0 + i));
    acc1 = Step::template step<V>(acc1, x, V::load(r1 + i));
    acc2 = Step::template step<V>(acc2, x, V::load(r2 + i));
    acc3 = Step::template step<V>(acc3, x, V::load(r3 + i));
  }
  if (i < n) {
    typename V::Reg x = V::load_tail(q + i, n - i);
    acc0 = Step::template step<V>(acc0, x, V::load_tail(r0 + i, n - i));
    acc1 = Step::template step<V>(acc1, x, V::load_tail(r1 + i, n - i));
    acc2 = Step::template step<V>(acc2, x, V::load_tail(r2 + i, n - i));
    acc3 = Step::template step<V>(acc3, x, V::load_tail(r3 + i, n - i));
  }
  out[0] = V::reduce_add(acc0);
  out[1] = V::reduce_add(acc1);
  out[2] = V::reduce_add(acc2);
  out[3] = V::reduce_add(acc3);
}

template <class V, class Elem>
constexpr BatchKernels<Elem> batch4_kernels() noexcept {
  return {reduce_batch4<V, L2SqStep, Elem>, reduce_batch4<V, DotStep, Elem>,
          reduce_batch4<V, L1Step, Elem>};
}

// PanelKernels::dot_f32 (kernel_table.h): four rows of c at a time, two
// registers wide, so eight accumulators take one broadcast of each row's
// element against two loads of bt per step (a 4 x 2W register tile); a
// last column block one register wide, and the last rows, take narrower
// tiles of the same shape.
template <class V, std::size_t Rows, std::size_t Regs>
void dot_tile(const float* a, std::size_t d, const float* bt, std::size_t ldb, float* c) noexcept {
  constexpr std::size_t W = V::kWidth;
  typename V::Reg acc[Rows][Regs];
  for (std::size_t r = 0; r < Rows; ++r) {
    for (std::size_t g = 0; g < Regs; ++g) acc[r][g] = V::zero();
  }
  for (std::size_t t = 0; t < d; ++t, bt += ldb) {
    typename V::Reg b[Regs];
    for (std::size_t g = 0; g < Regs; ++g) b[g] = V::load(bt + g * W);
    for (std::size_t r = 0; r < Rows; ++r) {
      typename V::Reg x = V::broadcast(a[r * d + t]);
      for (std::size_t g = 0; g < Regs; ++g) acc[r][g] = V::fmadd(x, b[g], acc[r][g]);
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    for (std::size_t g = 0; g < Regs; ++g) V::store(c + r * ldb + g * W, acc[r][g]);
  }
}

template <class V, std::size_t Rows>
void dot_row_block(const float* a, std::size_t d, const float* bt, std::size_t ldb, float* c) noexcept {
  constexpr std::size_t W = V::kWidth;
  static_assert(kPanelColumns % W == 0, "a row of c must tile into registers");
  std::size_t j = 0;
  for (; j + 2 * W <= ldb; j += 2 * W) dot_tile<V, Rows, 2>(a, d, bt + j, ldb, c + j);
  for (; j < ldb; j += W) dot_tile<V, Rows, 1>(a, d, bt + j, ldb, c + j);
}

template <class V>
void dot_panel(const float* a, std::size_t rows, std::size_t d, const float* bt, std::size_t ldb,
               float* c) noexcept {
  std::size_t i = 0;
  for (; i + 4 <= rows; i += 4) dot_row_block<V, 4>(a + i * d, d, bt, ldb, c + i * ldb);
  for (; i < rows; ++i) dot_row_block<V, 1>(a + i * d, d, bt, ldb, c + i * ldb);
}

// The four dense metrics of one ISA over one element type.
template <class V, class Elem>
constexpr MetricKernels<const Elem*, const Elem*, std::size_t> dense_kernels() noexcept {
  return {reduce_pair<V, L2SqStep, Elem>, reduce_pair<V, DotStep, Elem>,
          reduce_pair<V, L1Step, Elem>, cosine_terms<V, Elem>};
}

}  // namespace
}  // namespace vecsim::core

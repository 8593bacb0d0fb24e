// src/core/kernels/kernel_table.h
// The table of distance kernels, one function pointer per (metric, element
// type), filled once for the best ISA level the CPU offers.
//
// INVARIANTS
//   Kernel names follow {metric}_{elem}_{isa}, elem one of f32, f16 (binary16
//   widened to float32), sparse (merge over sorted indices) and bit. Every
//   float variant computes the scalar reference's quantity (metric_ops.h) in
//   float32; only the order of accumulation differs (SIMD reassociation and
//   FMA are allowed, docs/reference.md 1). Bit kernels are exact integer popcounts.
//   Kernels never fail, never allocate, accept any alignment and any n >= 0.
//   The active table is the scalar one until install_kernels() runs: from
//   _PG_init with the CPU's best level, and again whenever a superuser sets
//   vecsim.simd_level (which may only lower the level). Whoever copied a
//   kernel pointer (an open index handle, a build's space) keeps using it
//   after a switch; that is harmless, since every table computes the same
//   quantities within the scalar reference's tolerance.
#pragma once

#include <cstddef>
#include <cstdint>

#include "types/half.h"

namespace vecsim::core {

// x86-64 psABI micro-architecture levels, plus the portable baseline.
enum class IsaLevel : int {
  kScalar = 0,
  kX86V3 = 1,  // AVX2 + FMA + F16C (+ BMI1/2, LZCNT, MOVBE)
  kX86V4 = 2,  // x86-64-v3 + AVX-512 F/BW/CD/DQ/VL
};

const char* isa_name(IsaLevel level) noexcept;

// The best level this CPU and OS support (scalar on non-x86 machines).
IsaLevel detect_isa_level() noexcept;

// Sums of one pass over a pair, from which cosine distance is formed.
struct CosineTerms {
  float dot;
  float norm_a;  // sum of a[i]^2
  float norm_b;  // sum of b[i]^2
};

// A sparse vector's stored part: nnz strictly ascending 0-based indices and
// their values (finite, non-zero). Absent elements are 0.
struct SparseSpan {
  const std::int32_t* indices;
  const float* values;
  std::int32_t nnz;
};

// Popcounts of a pair of bit strings from which Jaccard distance is formed.
struct JaccardTerms {
  std::uint64_t both;    // |a AND b|
  std::uint64_t either;  // |a OR b| = |a| + |b| - |a AND b|
};

// The four float metrics over one element layout; Args are the kernel's
// operands: (a, b, n) for dense elements, (a, b) for sparse spans.
template <class... Args>
struct MetricKernels {
  float (*l2sq)(Args...) noexcept;          // sum (a[i] - b[i])^2
  float (*dot)(Args...) noexcept;           // sum a[i] * b[i]
  float (*l1)(Args...) noexcept;            // sum |a[i] - b[i]|
  CosineTerms (*cosine)(Args...) noexcept;  // dot, sum a[i]^2, sum b[i]^2
};

// One query against four rows at once (out[i] = metric(q, rows[i])): the
// query is loaded once per four rows and the four sums are reduced
// together, which is what a graph search does with a node's neighbours.
template <class Elem>
struct BatchKernels {
  using Fn = void (*)(const Elem* q, const Elem* const* rows, std::size_t n, float* out) noexcept;
  Fn l2sq;
  Fn dot;
  Fn l1;
};

using DenseF32Kernels = MetricKernels<const float*, const float*, std::size_t>;
using DenseF16Kernels = MetricKernels<const Half*, const Half*, std::size_t>;
using SparseKernels = MetricKernels<SparseSpan, SparseSpan>;

// Bit strings of `bytes` bytes (unused low bits of the last byte are 0 in
// both operands, as PostgreSQL's bit type keeps them).
struct BitKernels {
  std::uint64_t (*hamming)(const std::uint8_t* a, const std::uint8_t* b,
                           std::size_t bytes) noexcept;  // |a XOR b|
  JaccardTerms (*jaccard)(const std::uint8_t* a, const std::uint8_t* b,
                          std::size_t bytes) noexcept;
};

// A matrix product for many-to-many distances (k-means, list assignment):
// c[i * ldb + j] = sum over t < d of a[i * d + t] * bt[t * ldb + j], for
// i < rows and j < ldb. a is row-major (rows x d); bt is the other operand
// transposed and zero-padded to ldb columns, ldb a multiple of
// kPanelColumns, so every ISA's registers tile a row of c exactly. Vectors
// run along c's rows (a broadcast of one element of a against a row of
// bt): no horizontal sums, as in a BLAS micro-kernel.
constexpr std::size_t kPanelColumns = 16;
struct PanelKernels {
  void (*dot_f32)(const float* a, std::size_t rows, std::size_t d, const float* bt, std::size_t ldb,
                  float* c) noexcept;
};

struct KernelTable {
  IsaLevel level;
  const char* extras;  // optional features beyond the level that the table uses, or ""
  DenseF32Kernels f32;
  DenseF16Kernels f16;
  BatchKernels<float> f32_batch4;
  BatchKernels<Half> f16_batch4;
  SparseKernels sparse;
  BitKernels bit;
  PanelKernels panel;
};

// The table of one level; level must be <= detect_isa_level().
const KernelTable& kernel_table_for(IsaLevel level) noexcept;

// Makes the table of `level` (clamped to what the CPU supports) the active one.
void install_kernels(IsaLevel level) noexcept;

// The active table.
const KernelTable& kernels() noexcept;

// Per-ISA tables, defined in scalar.cpp, x86v3.cpp and x86v4.cpp. The
// x86-64-v4 level has two: VPOPCNTDQ is not part of the level, so the bit
// kernels that use it live in their own table, chosen when the CPU has it.
extern const KernelTable kScalarKernels;
#if defined(__x86_64__)
extern const KernelTable kX86V3Kernels;
extern const KernelTable kX86V4Kernels;
extern const KernelTable kX86V4PopcntKernels;
#endif

}  // namespace vecsim::core

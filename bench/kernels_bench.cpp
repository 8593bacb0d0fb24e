// bench/kernels_bench.cpp
// Google Benchmark of every distance kernel for every table this CPU can
// run: dense float32 and binary16 at dims 128, 768 and 1536; sparse at nnz
// 100 and 1000 (indices drawn from a 30522-word vocabulary, as SPLADE's);
// bit Hamming and Jaccard at 128, 768 and 1536 bits. Then a table of each
// variant's speed-up over the scalar reference measured in the same run
// (these machines are shared and noisy: compare ratios, not times).
//
//   build/bench/kernels_bench [--benchmark_min_time=0.2]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernels/kernel_table.h"
#include "machine_info.h"
#include "types/half.h"

using namespace vecsim::core;

namespace {

struct TableRef {
  std::string tag;
  const KernelTable* table;
};

std::vector<TableRef> runnable_tables() {
  std::vector<TableRef> out = {{"scalar", &kScalarKernels}};
#if defined(__x86_64__)
  IsaLevel best = detect_isa_level();
  if (best >= IsaLevel::kX86V3) out.push_back({"x86v3", &kX86V3Kernels});
  if (best >= IsaLevel::kX86V4) {
    out.push_back({"x86v4", &kX86V4Kernels});
    const KernelTable& chosen = kernel_table_for(IsaLevel::kX86V4);
    if (&chosen != &kX86V4Kernels) out.push_back({"x86v4+popcnt", &chosen});
  }
#endif
  return out;
}

// Operands of every kind, built once per size.
struct Operands {
  std::vector<float> fa, fb;
  std::vector<Half> ha, hb;
  std::vector<std::int32_t> ia, ib;
  std::vector<float> va, vb;
  std::vector<std::uint8_t> ba, bb;

  static Operands dense(int dims) {
    Operands o;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (int i = 0; i < dims; ++i) {
      o.fa.push_back(u(rng));
      o.fb.push_back(u(rng));
      Half h;
      float_to_half(o.fa.back(), &h);
      o.ha.push_back(h);
      float_to_half(o.fb.back(), &h);
      o.hb.push_back(h);
    }
    return o;
  }
  static std::vector<std::int32_t> indices(std::mt19937& rng, int nnz, int vocabulary) {
    std::vector<std::int32_t> all(static_cast<std::size_t>(vocabulary));
    for (int i = 0; i < vocabulary; ++i) all[i] = i;
    std::shuffle(all.begin(), all.end(), rng);
    std::vector<std::int32_t> out(all.begin(), all.begin() + nnz);
    std::sort(out.begin(), out.end());
    return out;
  }
  static Operands sparse(int nnz) {
    Operands o;
    std::mt19937 rng(11);
    std::uniform_real_distribution<float> u(0.1f, 2.0f);
    o.ia = indices(rng, nnz, 30522);
    o.ib = indices(rng, nnz, 30522);
    for (int i = 0; i < nnz; ++i) {
      o.va.push_back(u(rng));
      o.vb.push_back(u(rng));
    }
    return o;
  }
  static Operands bits(int nbits) {
    Operands o;
    std::mt19937 rng(13);
    for (int i = 0; i < nbits / 8; ++i) {
      o.ba.push_back(static_cast<std::uint8_t>(rng()));
      o.bb.push_back(static_cast<std::uint8_t>(rng()));
    }
    return o;
  }
  SparseSpan span_a() const { return {ia.data(), va.data(), static_cast<std::int32_t>(ia.size())}; }
  SparseSpan span_b() const { return {ib.data(), vb.data(), static_cast<std::int32_t>(ib.size())}; }
};

// One row of the ratio table: a kernel at one size, runnable on any table.
struct Case {
  std::string kernel;
  int size;
  std::function<Operands(int)> make;
  std::function<double(const KernelTable&, const Operands&)> call;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (int d : {128, 768, 1536}) {
    auto dense = [](int n) { return Operands::dense(n); };
    out.push_back({"l2sq_f32", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f32.l2sq(o.fa.data(), o.fb.data(), o.fa.size());
                   }});
    out.push_back({"dot_f32", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f32.dot(o.fa.data(), o.fb.data(), o.fa.size());
                   }});
    out.push_back({"cosine_f32", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f32.cosine(o.fa.data(), o.fb.data(), o.fa.size()).dot;
                   }});
    out.push_back({"l2sq_f16", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f16.l2sq(o.ha.data(), o.hb.data(), o.ha.size());
                   }});
    out.push_back({"dot_f16", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f16.dot(o.ha.data(), o.hb.data(), o.ha.size());
                   }});
    out.push_back({"l1_f16", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f16.l1(o.ha.data(), o.hb.data(), o.ha.size());
                   }});
    out.push_back({"cosine_f16", d, dense, [](const KernelTable& t, const Operands& o) {
                     return t.f16.cosine(o.ha.data(), o.hb.data(), o.ha.size()).dot;
                   }});
  }
  for (int nnz : {100, 1000}) {
    auto sparse = [](int n) { return Operands::sparse(n); };
    out.push_back({"l2sq_sparse", nnz, sparse, [](const KernelTable& t, const Operands& o) {
                     return t.sparse.l2sq(o.span_a(), o.span_b());
                   }});
    out.push_back({"dot_sparse", nnz, sparse, [](const KernelTable& t, const Operands& o) {
                     return t.sparse.dot(o.span_a(), o.span_b());
                   }});
    out.push_back({"cosine_sparse", nnz, sparse, [](const KernelTable& t, const Operands& o) {
                     return t.sparse.cosine(o.span_a(), o.span_b()).dot;
                   }});
  }
  for (int bits : {128, 768, 1536}) {
    auto make = [](int n) { return Operands::bits(n); };
    out.push_back({"hamming_bit", bits, make, [](const KernelTable& t, const Operands& o) {
                     return static_cast<double>(t.bit.hamming(o.ba.data(), o.bb.data(), o.ba.size()));
                   }});
    out.push_back({"jaccard_bit", bits, make, [](const KernelTable& t, const Operands& o) {
                     return static_cast<double>(t.bit.jaccard(o.ba.data(), o.bb.data(), o.ba.size()).both);
                   }});
  }
  return out;
}

std::string bench_name(const Case& c, const TableRef& t) {
  return c.kernel + "/" + std::to_string(c.size) + "/" + t.tag;
}

// Collects real time per benchmark name while printing as usual.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> ns;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) ns[r.benchmark_name()] = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
};


}  // namespace

int main(int argc, char** argv) {
  std::vector<TableRef> tables = runnable_tables();
  std::vector<Case> all = cases();
  for (const Case& c : all) {
    auto operands = std::make_shared<Operands>(c.make(c.size));
    for (const TableRef& t : tables) {
      benchmark::RegisterBenchmark(bench_name(c, t).c_str(),
                                   [c, t, operands](benchmark::State& s) {
                                     for (auto _ : s) {
                                       benchmark::DoNotOptimize(c.call(*t.table, *operands));
                                       benchmark::ClobberMemory();
                                     }
                                   });
    }
  }
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\nCPU: %s; best level: %s\n", vecsim::bench::cpu_model().c_str(),
              isa_name(detect_isa_level()));
  std::printf("%-14s %6s %11s", "kernel", "size", "scalar ns");
  for (std::size_t i = 1; i < tables.size(); ++i) std::printf(" %14s", (tables[i].tag + " x").c_str());
  std::printf("\n");
  for (const Case& c : all) {
    double scalar = reporter.ns[bench_name(c, tables[0])];
    if (scalar <= 0) continue;  // filtered out by --benchmark_filter
    std::printf("%-14s %6d %11.1f", c.kernel.c_str(), c.size, scalar);
    for (std::size_t i = 1; i < tables.size(); ++i) {
      double v = reporter.ns[bench_name(c, tables[i])];
      std::printf(" %13.1fx", v > 0 ? scalar / v : 0.0);
    }
    std::printf("\n");
  }
  benchmark::Shutdown();
  return 0;
}

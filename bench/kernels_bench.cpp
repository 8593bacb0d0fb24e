// bench/kernels_bench.cpp
// Google Benchmark of the dense float32 distance kernels: every kernel at
// dims 128, 768 and 1536 for every ISA level this CPU supports, then a table
// of each variant's speed-up over the scalar reference measured in the same
// run (these machines are shared and noisy: compare ratios, not times).
//
//   build/bench/kernels_bench [--benchmark_min_time=0.2]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernels/kernel_table.h"

using namespace vecsim::core;

namespace {

const int kDims[] = {128, 768, 1536};
const IsaLevel kLevels[] = {IsaLevel::kScalar, IsaLevel::kX86V3, IsaLevel::kX86V4};
const char* kLevelTags[] = {"scalar", "x86v3", "x86v4"};

struct Inputs {
  std::vector<float> a, b;
  explicit Inputs(int dims) : a(dims), b(dims) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    for (int i = 0; i < dims; ++i) {
      a[i] = u(rng);
      b[i] = u(rng);
    }
  }
};

template <class Call>
void run(benchmark::State& state, int dims, Call call) {
  Inputs in(dims);
  for (auto _ : state) {
    benchmark::DoNotOptimize(call(in.a.data(), in.b.data(), static_cast<std::size_t>(dims)));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
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

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  const char* kernels_names[] = {"l2sq_f32", "dot_f32", "l1_f32", "cosine_f32"};
  IsaLevel best = detect_isa_level();
  for (int li = 0; li < 3; ++li) {
    if (kLevels[li] > best) continue;
    const KernelTable& t = kernel_table_for(kLevels[li]);
    for (int d : kDims) {
      std::string suffix = std::string("_") + kLevelTags[li] + "/" + std::to_string(d);
      benchmark::RegisterBenchmark(("l2sq_f32" + suffix).c_str(),
                                   [&t, d](benchmark::State& s) { run(s, d, t.l2sq_f32); });
      benchmark::RegisterBenchmark(("dot_f32" + suffix).c_str(),
                                   [&t, d](benchmark::State& s) { run(s, d, t.dot_f32); });
      benchmark::RegisterBenchmark(("l1_f32" + suffix).c_str(),
                                   [&t, d](benchmark::State& s) { run(s, d, t.l1_f32); });
      benchmark::RegisterBenchmark(("cosine_f32" + suffix).c_str(), [&t, d](benchmark::State& s) {
        run(s, d, [&t](const float* a, const float* b, std::size_t n) {
          return t.cosine_f32(a, b, n).dot;
        });
      });
    }
  }
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);

  std::printf("\nCPU: %s; best level: %s\n", cpu_model().c_str(), isa_name(best));
  std::printf("%-12s %6s %12s", "kernel", "dims", "scalar ns");
  for (int li = 1; li < 3; ++li) {
    if (kLevels[li] <= best) std::printf(" %10s ns %8s", kLevelTags[li], "speedup");
  }
  std::printf("\n");
  for (const char* k : kernels_names) {
    for (int d : kDims) {
      auto name = [&](int li) {
        return std::string(k) + "_" + kLevelTags[li] + "/" + std::to_string(d);
      };
      double scalar = reporter.ns[name(0)];
      std::printf("%-12s %6d %12.1f", k, d, scalar);
      for (int li = 1; li < 3; ++li) {
        if (kLevels[li] > best) continue;
        double v = reporter.ns[name(li)];
        std::printf(" %13.1f %7.1fx", v, v > 0 ? scalar / v : 0.0);
      }
      std::printf("\n");
    }
  }
  benchmark::Shutdown();
  return 0;
}

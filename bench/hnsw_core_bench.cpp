// bench/hnsw_core_bench.cpp
// The in-memory HNSW graph of src/core against hnswlib, in one process and
// one run, on the same clustered data with the same m and ef_construction,
// both single-threaded. Prints build times, recall@10 and QPS over ef_search,
// and the ratios the hnsw issue sets targets for (build time, QPS at
// recall 0.95, recall at ef 40). The two builds are interleaved slice by
// slice so that load from other processes affects both alike. This
// measures the graph alone; the index access method adds page I/O on top,
// and the SQL-level benchmark measures that.
//
//   build/bench/hnsw_core_bench [--rows 100000] [--dims 128] [--queries 1000]
//                               [--m 16] [--ef-construction 64] [--data DIR]
//                               [--seed 7]
//
// --data DIR reads base.npy and queries.npy (float32, C order) from DIR
// instead of generating data: e.g. a set made by another project's
// generator, to set the figures beside that project's own.
//
// hnswlib is compiled in its own translation unit (hnswlib_reference.cpp)
// for the best x86-64 level this CPU reports, so that it takes its own best
// SIMD path: the reference is as strong as this CPU allows. vecsim's
// kernels are the dispatched ones of the extension.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../test/support/clustered_data.h"
#include "graph/dense_space.h"
#include "graph/hnsw_graph.h"
#include "graph/hnsw_page_graph.h"
#include "graph/hnsw_verify.h"
#include "graph/hnsw_writer.h"
#include "storage/mem_page_store.h"
#include "kernels/kernel_table.h"
#include "hnswlib_reference.h"
#include "machine_info.h"

using namespace vecsim::core;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::size_t rows = 100000;
  int dims = 128;
  int queries = 1000;
  int m = 16;
  int ef_construction = 64;
  std::string data;  // a directory with base.npy and queries.npy, or empty
  long seed = 7;     // vecsim's level draws
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--data") {
      o.data = argv[i + 1];
      continue;
    }
    long v = std::atol(argv[i + 1]);
    if (k == "--rows") o.rows = static_cast<std::size_t>(v);
    else if (k == "--dims") o.dims = static_cast<int>(v);
    else if (k == "--queries") o.queries = static_cast<int>(v);
    else if (k == "--m") o.m = static_cast<int>(v);
    else if (k == "--ef-construction") o.ef_construction = static_cast<int>(v);
    else if (k == "--seed") o.seed = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

// A float32, C-order, two-dimensional .npy file (format 1.0 or 2.0) into
// rows (n x d, row-major); exits on anything else.
std::vector<float> read_npy(const std::string& path, std::size_t* n, std::size_t* d) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  auto fail = [&path](const char* why) {
    std::fprintf(stderr, "%s: %s\n", path.c_str(), why);
    std::exit(2);
  };
  if (!f) fail("cannot open");
  unsigned char magic[10];
  if (std::fread(magic, 1, 8, f) != 8 || std::memcmp(magic, "\x93NUMPY", 6) != 0) fail("not .npy");
  std::size_t header_len = 0;
  if (magic[6] == 1) {
    unsigned char len[2];
    if (std::fread(len, 1, 2, f) != 2) fail("short header");
    header_len = len[0] | (len[1] << 8);
  } else {
    unsigned char len[4];
    if (std::fread(len, 1, 4, f) != 4) fail("short header");
    header_len = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<std::size_t>(len[3]) << 24);
  }
  std::string header(header_len, '\0');
  if (std::fread(&header[0], 1, header_len, f) != header_len) fail("short header");
  if (header.find("'<f4'") == std::string::npos || header.find("'fortran_order': False") == std::string::npos) {
    fail("not float32 in C order");
  }
  std::size_t shape = header.find("'shape': (");
  if (shape == std::string::npos || std::sscanf(header.c_str() + shape + 10, "%zu, %zu", n, d) != 2) {
    fail("not two-dimensional");
  }
  std::vector<float> out(*n * *d);
  if (std::fread(out.data(), sizeof(float), out.size(), f) != out.size()) fail("short data");
  std::fclose(f);
  return out;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

constexpr int kK = 10;
const int kEfs[] = {10, 20, 40, 80, 120, 200, 400};

struct Point {
  int ef;
  double recall;
  double qps;
};

// QPS at a recall level, interpolated linearly between the two measured
// points around it (0 when the curve never reaches it).
double qps_at(const std::vector<Point>& curve, double target) {
  for (std::size_t i = 0; i < curve.size(); ++i) {
    if (curve[i].recall >= target) {
      if (i == 0) return curve[0].qps;
      const Point& a = curve[i - 1];
      const Point& b = curve[i];
      double t = (target - a.recall) / (b.recall - a.recall);
      return a.qps + t * (b.qps - a.qps);
    }
  }
  return 0.0;
}


}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  install_kernels(detect_isa_level());
  std::vector<float> rows, queries;
  if (o.data.empty()) {
    vecsim::testdata::ClusteredModel model(o.dims, 100, 42);
    rows = model.sample_rows(o.rows, 1);
    queries = model.sample_rows(static_cast<std::size_t>(o.queries), 2);
  } else {
    std::size_t n = 0, dims = 0, nq = 0, qdims = 0;
    rows = read_npy(o.data + "/base.npy", &n, &dims);
    queries = read_npy(o.data + "/queries.npy", &nq, &qdims);
    if (qdims != dims) {
      std::fprintf(stderr, "queries have %zu dims, rows %zu\n", qdims, dims);
      return 2;
    }
    o.rows = std::min(o.rows, n);
    o.queries = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(o.queries), nq));
    o.dims = static_cast<int>(dims);
  }
  const std::size_t d = static_cast<std::size_t>(o.dims);
  std::printf("data: %zu x %d %s, %d held-out queries; m=%d ef_construction=%d\n", o.rows, o.dims,
              o.data.empty() ? "clustered" : o.data.c_str(), o.queries, o.m, o.ef_construction);
  std::printf("CPU: %s; vecsim kernels: %s; hnswlib compiled for %s\n",
              vecsim::bench::cpu_model().c_str(), isa_name(kernels().level),
              vecsim::bench::HnswlibReference::compiled_for());

  // exact top-k by brute force
  std::vector<std::vector<std::uint32_t>> truth(static_cast<std::size_t>(o.queries));
  {
    std::vector<Candidate> all(o.rows);
    for (int q = 0; q < o.queries; ++q) {
      const float* query = &queries[q * d];
      for (std::uint32_t id = 0; id < o.rows; ++id) {
        all[id] = Candidate{kernels().f32.l2sq(query, &rows[id * d], d), id};
      }
      std::partial_sort(all.begin(), all.begin() + kK, all.end(), Closer());
      for (int i = 0; i < kK; ++i) truth[q].push_back(all[i].node);
    }
  }
  auto recall_of = [&truth](int q, const std::vector<std::uint32_t>& got) {
    int hits = 0;
    for (std::uint32_t id : got) hits += std::count(truth[q].begin(), truth[q].end(), id) > 0;
    return hits;
  };

  // vecsim
  DenseSpace<float> space(d, kernels().f32.l2sq, kernels().f32_batch4.l2sq, 1.0f);
  space.reserve(o.rows);
  for (std::size_t r = 0; r < o.rows; ++r) space.add(&rows[r * d]);
  HnswGraph<DenseSpace<float>> graph(space, HnswParams{o.m, o.ef_construction, static_cast<std::uint64_t>(o.seed)});
  graph.reserve(o.rows);
  vecsim::bench::HnswlibReference reference(d, o.rows, static_cast<std::size_t>(o.m),
                                            static_cast<std::size_t>(o.ef_construction));

  // Both graphs grow together, a slice at a time, each slice timed for each
  // side: load on this shared machine then falls on both alike.
  double vecsim_build = 0, hnswlib_build = 0;
  constexpr std::size_t kSlice = 2000;
  for (std::size_t from = 0; from < o.rows; from += kSlice) {
    std::size_t to = std::min(o.rows, from + kSlice);
    Clock::time_point t0 = Clock::now();
    for (std::size_t id = from; id < to; ++id) graph.insert(static_cast<std::uint32_t>(id));
    vecsim_build += seconds_since(t0);
    t0 = Clock::now();
    for (std::size_t r = from; r < to; ++r) reference.add(&rows[r * d], r);
    hnswlib_build += seconds_since(t0);
  }

  std::printf("\nbuild seconds: vecsim %.2f, hnswlib %.2f, ratio %.2f (target <= 0.8)\n",
              vecsim_build, hnswlib_build, vecsim_build / hnswlib_build);
  std::printf("graph memory: vecsim %.1f MiB (+ %.1f MiB vectors)\n",
              graph.memory_bytes() / 1048576.0, space.memory_bytes() / 1048576.0);

  // vecsim's graph in the index's page format: size against the issue's
  // allowance, and the verifier's verdict (reachability included).
  {
    MemPageStore store;
    std::vector<HnswRef> refs;
    auto data = [&space, d](std::uint32_t node) {
      return HnswNodeData{space.row(node), sizeof(float) * d, node / 100 + 1,
                          static_cast<std::uint16_t>(node % 100 + 1)};
    };
    Status st = write_hnsw(graph, static_cast<std::uint32_t>(o.rows), data, o.m, o.ef_construction,
                           static_cast<std::uint32_t>(d), &store, &refs);
    HnswVerifyReport report;
    if (st.is_ok()) {
      st = verify_hnsw(&store, &report);
    }
    double bytes = static_cast<double>(store.page_count()) * MemPageStore::kPageSize;
    double allowance = 1.15 * static_cast<double>(o.rows) * (4.0 * o.dims + 8.0 * o.m);
    std::printf("index on 8 kB pages: %u pages, %.1f MiB; allowance 1.15 x rows x (4 dims + 8 m) = "
                "%.1f MiB; ratio %.3f of rows x (4 dims + 8 m)\n",
                store.page_count(), bytes / 1048576.0, allowance / 1048576.0,
                bytes / (allowance / 1.15));
    std::printf("verifier: %s, %zu elements, %zu violations%s%s, %zu unreachable\n",
                st.is_ok() ? "ran" : st.message(), report.elements, report.violations,
                report.violations ? ": " : "", report.first.c_str(), report.unreachable);

    // The same queries searched on the pages (in memory here: this is the
    // cost of the page format and the store interface, not of I/O).
    HnswPageGraph<MemPageStore> on_pages(&store, DenseMetric<float>{kernels().f32.l2sq, 1.0f});
    std::vector<HnswHit> hits;
    std::vector<Candidate> in_memory;
    if (on_pages.open().is_ok()) {
      // Each timed twice, the second time counting (the first warms caches).
      double page_s = 0, memory_s = 0;
      for (int round = 0; round < 2; ++round) {
        Clock::time_point t = Clock::now();
        for (int q = 0; q < o.queries; ++q) {
          on_pages.search(ValueRef{reinterpret_cast<const unsigned char*>(&queries[q * d]),
                                   d * sizeof(float)},
                          kK, 40, &hits);
        }
        page_s = seconds_since(t);
        t = Clock::now();
        for (int q = 0; q < o.queries; ++q) graph.search(&queries[q * d], kK, 40, &in_memory);
        memory_s = seconds_since(t);
      }
      std::printf("search at ef 40 on pages: %.0f QPS; in memory: %.0f QPS (ratio %.2f)\n",
                  o.queries / page_s, o.queries / memory_s, memory_s / page_s);
    }
  }

  Clock::time_point t0;
  std::vector<Point> ours, theirs;
  std::printf("\n%6s %14s %12s %14s %12s\n", "ef", "vecsim recall", "vecsim QPS", "hnswlib recall",
              "hnswlib QPS");
  std::vector<Candidate> found;
  std::vector<std::uint32_t> ids;
  for (int ef : kEfs) {
    int hits = 0;
    t0 = Clock::now();
    for (int q = 0; q < o.queries; ++q) {
      graph.search(&queries[q * d], kK, ef, &found);
      ids.clear();
      for (const Candidate& c : found) ids.push_back(c.node);
      hits += recall_of(q, ids);
    }
    double ours_s = seconds_since(t0);
    ours.push_back({ef, hits / double(o.queries * kK), o.queries / ours_s});

    reference.set_ef(static_cast<std::size_t>(ef));
    hits = 0;
    t0 = Clock::now();
    for (int q = 0; q < o.queries; ++q) {
      reference.search(&queries[q * d], kK, &ids);
      hits += recall_of(q, ids);
    }
    double theirs_s = seconds_since(t0);
    theirs.push_back({ef, hits / double(o.queries * kK), o.queries / theirs_s});
    std::printf("%6d %14.4f %12.0f %14.4f %12.0f\n", ef, ours.back().recall, ours.back().qps,
                theirs.back().recall, theirs.back().qps);
  }
  double ours95 = qps_at(ours, 0.95), theirs95 = qps_at(theirs, 0.95);
  std::printf("\nQPS at recall@10 = 0.95: vecsim %.0f, hnswlib %.0f, ratio %.2f (target >= 0.4)\n",
              ours95, theirs95, theirs95 > 0 ? ours95 / theirs95 : 0.0);
  std::printf("recall@10 at ef 40: vecsim %.4f, hnswlib %.4f, difference %+.4f (target >= -0.01)\n",
              ours[2].recall, theirs[2].recall, ours[2].recall - theirs[2].recall);
  return 0;
}

// src/core/ivf/kmeans.cpp
// k-means of ivf/kmeans.h. The assignment step dominates: n samples
// against k centres, n x k x d multiply-adds per iteration, done as a
// matrix product of a block of samples with the packed, transposed centres
// (kernels' PanelKernels::dot_f32, compiled per ISA level like every
// kernel), followed by one pass over each row of products.
//
// STOPPING
//   Lloyd iterations end when an assignment moves at most n /
//   kSettledDivisor samples (none, for samples of fewer than that many
//   rows: the build's 10,000 to 1.6 million), or at the caller's cap.
//   pgvector runs its k-means to convergence too; stopping earlier (at
//   one sample in 1,000) saved about 10% of a 100-list build and changed
//   recall by less than the spread between builds.
#include "ivf/kmeans.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <random>
#include <vector>

#include "kernels/kernel_table.h"
#include "util/no_throw.h"
#include "util/parallel.h"

namespace vecsim::core {
namespace {

constexpr std::size_t kBlockRows = 64;        // rows per matrix product
constexpr std::size_t kSeedBlockRows = 4096;  // rows per task when seeding
constexpr std::size_t kSettledDivisor = 100000;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

Status status_of(ParallelResult r, const char* what) {
  switch (r) {
    case ParallelResult::kDone:
      return Status::ok();
    case ParallelResult::kStopped:
      return Status::error(ErrorCode::kCancelled, "%s cancelled", what);
    case ParallelResult::kOutOfMemory:
      return Status::error(ErrorCode::kOutOfMemory, "out of memory in %s", what);
    case ParallelResult::kFailed:
      break;
  }
  return Status::error(ErrorCode::kInternal, "%s failed (no thread could be started?)", what);
}

template <class Task>
Status run_blocks(const KMeansOptions& o, std::size_t n, std::size_t block, Task&& task, const char* what) {
  const std::size_t blocks = (n + block - 1) / block;
  ParallelResult r = parallel_tasks(
      o.threads, blocks,
      [&](int worker, std::size_t b) {
        const std::size_t first = b * block;
        task(worker, first, std::min(n, first + block));
      },
      [&] { return o.stop != nullptr && o.stop(o.stop_arg); });
  return status_of(r, what);
}

bool stopped(const KMeansOptions& o) { return o.stop != nullptr && o.stop(o.stop_arg); }

// Index of a sample drawn with probability weight[i] / total, where
// block_total[b] sums the weights of block b (kSeedBlockRows samples):
// the block is found over the block totals, the sample within it (any
// sample, if all weights are 0).
std::size_t draw_weighted(const std::vector<double>& weight, const std::vector<double>& block_total, double total,
                          std::mt19937_64& rng) {
  if (!(total > 0)) return std::uniform_int_distribution<std::size_t>(0, weight.size() - 1)(rng);
  double r = std::uniform_real_distribution<double>(0, total)(rng);
  std::size_t b = 0;
  for (; b + 1 < block_total.size() && r >= block_total[b]; ++b) r -= block_total[b];
  const std::size_t first = b * kSeedBlockRows, last = std::min(weight.size(), first + kSeedBlockRows);
  for (std::size_t i = first; i < last; ++i) {
    r -= weight[i];
    if (r < 0) return i;
  }
  return last - 1;  // rounding left r just short of the block's end
}

// Candidates weighed at each step of the seeding: 2 + floor(ln k), the
// number scikit-learn takes after Arthur and Vassilvitskii, up to 4. More
// buys little, and each costs a pass over the samples per centre: on the
// data of ivfflat_recall.sql, a numpy model of this seeding left no build
// of 1,000 below 0.95 recall already with 2 candidates (4: the same, at a
// mean of 0.998 against 0.997; plain k-means++: 4 builds, 0.93 at worst).
std::size_t seeding_trials(std::size_t k) {
  const std::size_t wanted = 2 + static_cast<std::size_t>(std::log(static_cast<double>(std::max<std::size_t>(k, 1))));
  return std::min<std::size_t>(wanted, 4);
}

// Greedy k-means++ (Arthur and Vassilvitskii, section 6): each next centre
// is the best of seeding_trials(k) samples drawn with probability
// proportional to the squared distance to the nearest centre so far, the
// one that leaves the smallest sum of those distances. After plain
// k-means++ (one draw), Lloyd's iterations more often end in a poor local
// optimum (kmeans_test: a third of the seeds on a mixture made like the
// regression tests', against 1 in 300 with greedy seeding). With the
// 20-cluster 16-dim data of ivfflat_recall.sql and 20 lists,
// vector_ip_ops recall@10 at 4 probes fell below 0.95 in 2 builds of 200
// (0.935 at worst); with the greedy choice, in none of 300 (0.965 at
// worst). Seeding then costs trials + 1 passes of dist2 over the samples
// per centre: in a 1,000-list build of 100,000 x 128 rows (50,000
// samples) about 3 s against 0.5 s, beside 0.33 s for each of Lloyd's
// 38-80 iterations (builds of 16-28 s either way; the iterations vary
// more than that). dist2(i, j) is the squared distance of samples i and
// j. Partial sums are added in block order, so the choice does not depend
// on the thread count.
template <class Dist2, class CopyCentre>
Status seed_plus_plus(const KMeansOptions& o, std::size_t n, Dist2&& dist2, CopyCentre&& copy_centre,
                      std::mt19937_64& rng) {
  const std::size_t trials = seeding_trials(o.k);
  const std::size_t blocks = (n + kSeedBlockRows - 1) / kSeedBlockRows;
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  std::vector<double> block_nearest(blocks);  // the sum of nearest over each block
  std::vector<std::size_t> candidate(trials);
  std::vector<double> block_sums(blocks * trials);
  std::size_t chosen = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  for (std::size_t c = 0; c < o.k; ++c) {
    copy_centre(c, chosen);
    if (c + 1 == o.k) break;
    VECSIM_RETURN_IF_ERROR(run_blocks(o, n, kSeedBlockRows, [&](int, std::size_t first, std::size_t last) {
      double sum = 0;
      for (std::size_t i = first; i < last; ++i) {
        nearest[i] = std::min(nearest[i], dist2(i, chosen));
        sum += nearest[i];
      }
      block_nearest[first / kSeedBlockRows] = sum;
    }, "k-means seeding"));
    double total = 0;
    for (double b : block_nearest) total += b;
    for (std::size_t t = 0; t < trials; ++t) candidate[t] = draw_weighted(nearest, block_nearest, total, rng);
    VECSIM_RETURN_IF_ERROR(run_blocks(o, n, kSeedBlockRows, [&](int, std::size_t first, std::size_t last) {
      double* sums = block_sums.data() + first / kSeedBlockRows * trials;
      std::fill(sums, sums + trials, 0.0);
      for (std::size_t i = first; i < last; ++i) {
        for (std::size_t t = 0; t < trials; ++t) sums[t] += std::min(nearest[i], dist2(i, candidate[t]));
      }
    }, "k-means seeding"));
    double best = std::numeric_limits<double>::infinity();
    chosen = candidate[0];
    for (std::size_t t = 0; t < trials; ++t) {
      double sum = 0;
      for (std::size_t b = 0; b < blocks; ++b) sum += block_sums[b * trials + t];
      if (sum < best) {
        best = sum;
        chosen = candidate[t];
      }
    }
  }
  return Status::ok();
}

void random_unit_or_box(float* centre, std::size_t d, bool spherical, std::mt19937_64& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  double norm = 0;
  for (std::size_t t = 0; t < d; ++t) {
    centre[t] = normal(rng);
    norm += static_cast<double>(centre[t]) * centre[t];
  }
  if (spherical && norm > 0) {
    const float inv = static_cast<float>(1.0 / std::sqrt(norm));
    for (std::size_t t = 0; t < d; ++t) centre[t] *= inv;
  }
}

void normalize(float* v, std::size_t d) {
  double norm = 0;
  for (std::size_t t = 0; t < d; ++t) norm += static_cast<double>(v[t]) * v[t];
  if (norm > 0) {
    const double inv = 1.0 / std::sqrt(norm);
    for (std::size_t t = 0; t < d; ++t) v[t] = static_cast<float>(v[t] * inv);
  }
}

std::uint8_t last_byte_mask(std::size_t bits) {
  return bits % 8 == 0 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits % 8));
}

// The samples farthest from their centres (largest far[i]) become the
// centres of the empty clusters; each sample serves once.
template <class SetCentre>
std::size_t reseed_empty(const std::vector<std::size_t>& counts, std::vector<double>& far,
                         SetCentre&& set_centre) {
  std::size_t reseeded = 0;
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] != 0) continue;
    auto it = std::max_element(far.begin(), far.end());
    if (it == far.end() || !(*it > -std::numeric_limits<double>::infinity())) break;
    set_centre(c, static_cast<std::size_t>(it - far.begin()));
    *it = -std::numeric_limits<double>::infinity();
    ++reseeded;
  }
  return reseeded;
}

}  // namespace

struct DenseAssigner::Impl {
  std::size_t k = 0, d = 0, ldb = 0;
  float factor = 2;                 // key = bias - factor * dot
  std::vector<float> bt;            // d x ldb, centres transposed, zero-padded
  std::vector<float> bias;          // ldb: |c|^2 (L2) or 0; padding +inf
  std::vector<std::vector<float>> panels;  // per worker, kBlockRows x ldb
};

DenseAssigner::~DenseAssigner() { delete impl_; }

Status DenseAssigner::prepare(const float* centres, std::size_t k, std::size_t d, bool spherical) noexcept {
  return no_throw([&] {
    if (impl_ == nullptr) impl_ = new Impl;
    Impl& s = *impl_;
    s.k = k;
    s.d = d;
    s.ldb = round_up(std::max<std::size_t>(k, 1), kPanelColumns);
    s.factor = spherical ? 1.0f : 2.0f;
    s.bt.assign(d * s.ldb, 0.0f);
    s.bias.assign(s.ldb, std::numeric_limits<float>::infinity());
    for (std::size_t j = 0; j < k; ++j) {
      const float* c = centres + j * d;
      double norm = 0;
      for (std::size_t t = 0; t < d; ++t) {
        s.bt[t * s.ldb + j] = c[t];
        norm += static_cast<double>(c[t]) * c[t];
      }
      s.bias[j] = spherical ? 0.0f : static_cast<float>(norm);
    }
    return Status::ok();
  });
}

Status DenseAssigner::assign(const float* rows, std::size_t n, std::uint32_t* list, float* score,
                             const KMeansOptions& parallel) noexcept {
  return no_throw([&] {
    Impl& s = *impl_;
    const int threads = std::max(parallel.threads, 1);
    if (s.panels.size() < static_cast<std::size_t>(threads)) s.panels.resize(threads);
    for (auto& p : s.panels) p.resize(kBlockRows * s.ldb);
    const auto dot = kernels().panel.dot_f32;
    return run_blocks(parallel, n, kBlockRows, [&](int worker, std::size_t first, std::size_t last) {
      float* panel = s.panels[worker].data();
      dot(rows + first * s.d, last - first, s.d, s.bt.data(), s.ldb, panel);
      for (std::size_t i = first; i < last; ++i) {
        const float* p = panel + (i - first) * s.ldb;
        std::uint32_t best = 0;
        float best_key = std::numeric_limits<float>::infinity();
        for (std::size_t j = 0; j < s.k; ++j) {
          const float key = s.bias[j] - s.factor * p[j];
          if (key < best_key) {
            best_key = key;
            best = static_cast<std::uint32_t>(j);
          }
        }
        list[i] = best;
        if (score != nullptr) score[i] = best_key;
      }
    }, "ivfflat list assignment");
  });
}

std::size_t kmeans_work_bytes(std::size_t n, std::size_t dims_or_bytes, std::size_t k, int threads,
                              bool bits) {
  const std::size_t t = static_cast<std::size_t>(std::max(threads, 1));
  const std::size_t per_sample = 4 + 4 + 4 + 8;  // list, previous list, score, seeding distance
  // block sums per candidate and of nearest, the candidates
  const std::size_t seeding = (n / kSeedBlockRows + 2) * (seeding_trials(k) + 1) * 8;
  if (bits) return n * per_sample + seeding + k * dims_or_bytes * 8 * sizeof(std::uint32_t) + k * 8;
  const std::size_t ldb = round_up(std::max<std::size_t>(k, 1), kPanelColumns);
  return n * per_sample + seeding + dims_or_bytes * ldb * 4 + ldb * 4 + t * kBlockRows * ldb * 4 +
         k * dims_or_bytes * 8 + k * 8;
}

Status kmeans_dense(const float* samples, std::size_t n, std::size_t d, const KMeansOptions& o,
                    float* centres, KMeansReport* report) noexcept {
  return no_throw([&]() -> Status {
    *report = KMeansReport{};
    std::mt19937_64 rng(o.seed);
    if (n < o.k || n == 0) {
      std::memcpy(centres, samples, n * d * sizeof(float));
      for (std::size_t c = n; c < o.k; ++c) random_unit_or_box(centres + c * d, d, o.spherical, rng);
      return Status::ok();
    }
    const auto l2sq = kernels().f32.l2sq;
    VECSIM_RETURN_IF_ERROR(seed_plus_plus(
        o, n, [&](std::size_t i, std::size_t j) { return static_cast<double>(l2sq(samples + i * d, samples + j * d, d)); },
        [&](std::size_t c, std::size_t i) { std::memcpy(centres + c * d, samples + i * d, d * sizeof(float)); },
        rng));

    DenseAssigner assigner;
    std::vector<std::uint32_t> list(n, 0), previous(n, 0);
    std::vector<float> score(n);
    std::vector<double> sums(o.k * d), far(n);
    std::vector<std::size_t> counts(o.k);
    std::vector<double> norm2(o.spherical ? 0 : n);
    for (std::size_t i = 0; i < norm2.size(); ++i) {
      for (std::size_t t = 0; t < d; ++t) norm2[i] += static_cast<double>(samples[i * d + t]) * samples[i * d + t];
    }
    for (int it = 0; it < o.max_iterations; ++it) {
      if (stopped(o)) return Status::error(ErrorCode::kCancelled, "k-means cancelled");
      VECSIM_RETURN_IF_ERROR(assigner.prepare(centres, o.k, d, o.spherical));
      VECSIM_RETURN_IF_ERROR(assigner.assign(samples, n, list.data(), score.data(), o));
      report->iterations = it + 1;
      std::size_t moved = 0;
      for (std::size_t i = 0; i < n; ++i) moved += list[i] != previous[i];
      if (it > 0 && moved * kSettledDivisor <= n) break;
      previous.swap(list);

      std::fill(sums.begin(), sums.end(), 0.0);
      std::fill(counts.begin(), counts.end(), 0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t c = previous[i];
        const float* x = samples + i * d;
        double* sum = sums.data() + c * d;
        for (std::size_t t = 0; t < d; ++t) sum[t] += x[t];
        ++counts[c];
        // The true distance's order: squared L2 = key + |x|^2; spherical: -dot.
        far[i] = o.spherical ? score[i] : score[i] + norm2[i];
      }
      for (std::size_t c = 0; c < o.k; ++c) {
        if (counts[c] == 0) continue;
        float* centre = centres + c * d;
        for (std::size_t t = 0; t < d; ++t) centre[t] = static_cast<float>(sums[c * d + t] / counts[c]);
        if (o.spherical) normalize(centre, d);
      }
      report->reseeded += reseed_empty(counts, far, [&](std::size_t c, std::size_t i) {
        std::memcpy(centres + c * d, samples + i * d, d * sizeof(float));
      });
    }
    return Status::ok();
  });
}

Status assign_bits(const std::uint8_t* centres, std::size_t k, std::size_t bytes, const std::uint8_t* rows,
                   std::size_t n, std::uint32_t* list, std::uint32_t* distance,
                   const KMeansOptions& parallel) noexcept {
  return no_throw([&] {
    const auto hamming = kernels().bit.hamming;
    return run_blocks(parallel, n, kBlockRows, [&](int, std::size_t first, std::size_t last) {
      for (std::size_t i = first; i < last; ++i) {
        std::uint64_t best = std::numeric_limits<std::uint64_t>::max();
        std::uint32_t best_c = 0;
        for (std::size_t c = 0; c < k; ++c) {
          const std::uint64_t h = hamming(rows + i * bytes, centres + c * bytes, bytes);
          if (h < best) {
            best = h;
            best_c = static_cast<std::uint32_t>(c);
          }
        }
        list[i] = best_c;
        if (distance != nullptr) distance[i] = static_cast<std::uint32_t>(best);
      }
    }, "ivfflat list assignment");
  });
}

Status kmeans_bits(const std::uint8_t* samples, std::size_t n, std::size_t bytes, std::size_t bits,
                   const KMeansOptions& o, std::uint8_t* centres, KMeansReport* report) noexcept {
  return no_throw([&]() -> Status {
    *report = KMeansReport{};
    std::mt19937_64 rng(o.seed);
    const std::uint8_t mask = last_byte_mask(bits);
    if (n < o.k || n == 0) {
      std::memcpy(centres, samples, n * bytes);
      for (std::size_t c = n; c < o.k; ++c) {
        for (std::size_t b = 0; b < bytes; ++b) centres[c * bytes + b] = static_cast<std::uint8_t>(rng());
        if (bytes > 0) centres[c * bytes + bytes - 1] &= mask;
      }
      return Status::ok();
    }
    const auto hamming = kernels().bit.hamming;
    VECSIM_RETURN_IF_ERROR(seed_plus_plus(
        o, n,
        [&](std::size_t i, std::size_t j) {
          const double h = static_cast<double>(hamming(samples + i * bytes, samples + j * bytes, bytes));
          return h * h;
        },
        [&](std::size_t c, std::size_t i) { std::memcpy(centres + c * bytes, samples + i * bytes, bytes); },
        rng));

    std::vector<std::uint32_t> list(n, 0), previous(n, 0), distance(n);
    std::vector<std::uint32_t> ones(o.k * bits);
    std::vector<std::size_t> counts(o.k);
    std::vector<double> far(n);
    for (int it = 0; it < o.max_iterations; ++it) {
      if (stopped(o)) return Status::error(ErrorCode::kCancelled, "k-means cancelled");
      VECSIM_RETURN_IF_ERROR(assign_bits(centres, o.k, bytes, samples, n, list.data(), distance.data(), o));
      report->iterations = it + 1;
      std::size_t moved = 0;
      for (std::size_t i = 0; i < n; ++i) moved += list[i] != previous[i];
      if (it > 0 && moved * kSettledDivisor <= n) break;
      previous.swap(list);

      std::fill(ones.begin(), ones.end(), 0);
      std::fill(counts.begin(), counts.end(), 0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* x = samples + i * bytes;
        std::uint32_t* one = ones.data() + previous[i] * bits;
        for (std::size_t b = 0; b < bits; ++b) one[b] += (x[b / 8] >> (7 - b % 8)) & 1u;
        ++counts[previous[i]];
        far[i] = distance[i];
      }
      for (std::size_t c = 0; c < o.k; ++c) {
        if (counts[c] == 0) continue;
        std::uint8_t* centre = centres + c * bytes;
        std::memset(centre, 0, bytes);
        for (std::size_t b = 0; b < bits; ++b) {
          if (2 * ones[c * bits + b] > counts[c]) centre[b / 8] |= static_cast<std::uint8_t>(0x80u >> (b % 8));
        }
      }
      report->reseeded += reseed_empty(counts, far, [&](std::size_t c, std::size_t i) {
        std::memcpy(centres + c * bytes, samples + i * bytes, bytes);
      });
    }
    return Status::ok();
  });
}

}  // namespace vecsim::core

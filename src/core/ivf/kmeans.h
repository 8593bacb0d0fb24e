// src/core/ivf/kmeans.h
// k-means for the ivfflat build: greedy k-means++ seeding, then Lloyd
// iterations until no sample changes cluster (or few enough, see
// kmeans.cpp) or the iteration cap, over a sample of the table's rows.
//
//   kmeans_dense  float32 samples under squared L2, or spherical (samples
//                 of norm 1, centres renormalised after every update, the
//                 nearest centre the one of largest dot product): the
//                 assignment of a block of samples to every centre is one
//                 matrix product (kernels' PanelKernels) plus norms.
//   kmeans_bits   bit strings under Hamming distance; a centre is the
//                 bitwise majority of its members.
//   DenseAssigner the same nearest-centre rule for rows after training
//                 (the build's assignment of every row, in blocks).
//
// An empty cluster is re-seeded with the sample farthest from its centre
// (the worst-served point), so every centre ends with members when there
// are at least k distinct samples. With fewer samples than k, the samples
// are the first centres and the rest are random (unit vectors when
// spherical, random bits for bit strings): ivfflat's low-data case.
//
// INVARIANTS
//   Deterministic for a seed and thread count. Never calls the host; work
//   is shared with parallel_tasks (util/parallel.h), whose stop callback
//   the calling thread polls between blocks. Memory is what
//   kmeans_work_bytes() says beyond the caller's samples and centres.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/status.h"

namespace vecsim::core {

struct KMeansOptions {
  std::size_t k = 1;
  int max_iterations = 50;
  bool spherical = false;  // dense only: samples have norm 1 (or 0)
  std::uint64_t seed = 1;
  int threads = 1;
  bool (*stop)(void*) = nullptr;  // polled by the calling thread; true cancels
  void* stop_arg = nullptr;
};

struct KMeansReport {
  int iterations = 0;
  std::size_t reseeded = 0;  // empty clusters given a new centre
};

// Bytes kmeans_dense / kmeans_bits use besides samples and centres.
std::size_t kmeans_work_bytes(std::size_t n, std::size_t dims_or_bytes, std::size_t k, int threads,
                              bool bits);

// samples: n x d row-major; centres: k x d, written. kCancelled when stop
// said so; kOutOfMemory.
Status kmeans_dense(const float* samples, std::size_t n, std::size_t d, const KMeansOptions& options,
                    float* centres, KMeansReport* report) noexcept;

// samples: n strings of `bytes` bytes (bits of them used; unused trailing
// bits are 0 and stay 0 in the centres); centres: k x bytes, written.
Status kmeans_bits(const std::uint8_t* samples, std::size_t n, std::size_t bytes, std::size_t bits,
                   const KMeansOptions& options, std::uint8_t* centres, KMeansReport* report) noexcept;

// Nearest centre of float rows (least squared L2, or for spherical
// centres largest dot product), blocks of rows at a time through the
// matrix product, on `threads` threads. One assigner per caller.
class DenseAssigner {
 public:
  DenseAssigner() = default;
  ~DenseAssigner();
  DenseAssigner(const DenseAssigner&) = delete;
  DenseAssigner& operator=(const DenseAssigner&) = delete;

  // Packs centres (k x d) for assign(); the assigner keeps its own copy.
  Status prepare(const float* centres, std::size_t k, std::size_t d, bool spherical) noexcept;
  // list[i] = the nearest centre of rows[i] and, when score is not null,
  // score[i] its ordering key (squared L2 minus |row|^2, or minus the dot
  // product), for i < n.
  Status assign(const float* rows, std::size_t n, std::uint32_t* list, float* score,
                const KMeansOptions& parallel) noexcept;

 private:
  struct Impl;
  Impl* impl_ = nullptr;
};

// Nearest centre (Hamming) of bit strings of `bytes` bytes.
Status assign_bits(const std::uint8_t* centres, std::size_t k, std::size_t bytes, const std::uint8_t* rows,
                   std::size_t n, std::uint32_t* list, std::uint32_t* distance,
                   const KMeansOptions& parallel) noexcept;

}  // namespace vecsim::core

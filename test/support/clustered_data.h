// test/support/clustered_data.h
// Clustered synthetic vectors for recall tests and benchmarks: a Gaussian
// mixture in a random 16-dimensional subspace, lifted to `dims` dimensions,
// plus isotropic noise, so neighbourhoods have the structure of real
// embeddings rather than of uniform noise. The model (centres and subspace)
// is fixed by its seed; points drawn with different sampling seeds come
// from the same mixture, which is how held-out queries are made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace vecsim::testdata {

class ClusteredModel {
 public:
  static constexpr int kSubspace = 16;

  ClusteredModel(int dims, int clusters, std::uint64_t model_seed)
      : dims_(dims),
        clusters_(clusters),
        basis_(static_cast<std::size_t>(dims) * kSubspace),
        centres_(static_cast<std::size_t>(clusters) * kSubspace) {
    std::mt19937_64 rng(model_seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (float& x : basis_) x = normal(rng) / 4.0f;  // 1/sqrt(16)
    for (float& x : centres_) x = 2.0f * normal(rng);
  }

  int dims() const { return dims_; }

  // Draws one point into out[0 .. dims).
  void sample(std::mt19937_64& rng, float* out) const {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<int> pick(0, clusters_ - 1);
    float latent[kSubspace];
    const float* c = &centres_[static_cast<std::size_t>(pick(rng)) * kSubspace];
    for (int j = 0; j < kSubspace; ++j) latent[j] = c[j] + normal(rng);
    for (int i = 0; i < dims_; ++i) {
      float x = 0.1f * normal(rng);
      const float* row = &basis_[static_cast<std::size_t>(i) * kSubspace];
      for (int j = 0; j < kSubspace; ++j) x += row[j] * latent[j];
      out[i] = x;
    }
  }

  // n points, row-major.
  std::vector<float> sample_rows(std::size_t n, std::uint64_t seed) const {
    std::mt19937_64 rng(seed);
    std::vector<float> rows(n * static_cast<std::size_t>(dims_));
    for (std::size_t r = 0; r < n; ++r) sample(rng, &rows[r * dims_]);
    return rows;
  }

 private:
  int dims_;
  int clusters_;
  std::vector<float> basis_;
  std::vector<float> centres_;
};

}  // namespace vecsim::testdata

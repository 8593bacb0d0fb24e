// src/core/graph/hnsw_levels.h
// The level of a new hnsw element, drawn the same way by the in-memory
// graph (builds) and the graph on pages (inserts): floor(-ln(U) * scale)
// for U uniform in (0, 1] and scale = 1 / ln(m), so that a fraction of
// about 1/m of the elements of each layer reaches the next; capped at
// kHnswMaxLevel.
#pragma once

#include <cmath>
#include <random>

namespace vecsim::core {

constexpr int kHnswMaxLevel = 31;

inline double hnsw_level_scale(int m) { return 1.0 / std::log(static_cast<double>(m)); }

inline int draw_hnsw_level(std::mt19937_64& rng, double level_scale) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double u = 1.0 - uniform(rng);  // in (0, 1]
  const double level = -std::log(u) * level_scale;
  return level >= kHnswMaxLevel ? kHnswMaxLevel : static_cast<int>(level);
}

}  // namespace vecsim::core

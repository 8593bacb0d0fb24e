// src/core/graph/hnsw_levels.h
// The level of a new hnsw element, drawn the same way by the in-memory
// graph (builds) and the graph on pages (inserts): floor(-ln(U) * scale)
// for U uniform in (0, 1] and scale = 1 / ln(m), so that a fraction of
// about 1/m of the elements of each layer reaches the next; capped at
// kHnswMaxLevel.
//
// The graph on pages draws with LevelRng, SplitMix64 (Steele, Lea and
// Flood, 2014): 8 bytes of state and no seeding work. An index scan
// constructs a page graph per query, and std::mt19937_64 cost 2.5 kB and
// the seeding of 312 words there, for a generator scans never use. The
// in-memory build graph keeps std::mt19937_64 (one per build), so a build
// that fits its memory draws the same levels for the same seed as before;
// rows a build adds on pages after its memory runs out, like every insert,
// draw from LevelRng (a different sequence, the same distribution).
//
// Where a search of a layer starts (hnsw_start_width): not at the one
// element the greedy descent ends on, but at the min(ef, m) nearest of
// the layer above, found by a best-first search there. The layer above
// holds about 1/m of the elements, so that search is cheap, and a search
// that starts among several near elements rather than one finds more of
// the true neighbours at small ef (100k x 128 clustered: recall@10 at ef
// 10 0.828 -> 0.838) and builds a slightly better graph. A query's
// start (hnsw_query_start_width) narrows as its ef grows past m: the
// layer-0 search then finds those neighbours itself, and the start's
// search is a fixed cost (at ef 40, width 16 cost a sixth of a query's
// time in the server for +0.001 recall). Its width is m * m / ef, within
// [m / 2, min(ef, m)]: up to ef = m as before, 12 nodes at ef 20 and
// m / 2 from ef 29 on (m 16): 4-11% more queries per second at ef 30-40;
// no narrower, as 3 nodes at ef 80 cost 0.0006 of recall on 50,000 x 768
// for no measurable speed.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace vecsim::core {

constexpr int kHnswMaxLevel = 31;

class LevelRng {
 public:
  using result_type = std::uint64_t;
  explicit LevelRng(std::uint64_t seed) : state_(seed) {}
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

inline int hnsw_start_width(int m, int ef) { return ef < m ? ef : m; }

inline int hnsw_query_start_width(int m, int ef) {
  const int shrunk = std::max(m / 2, ef > 0 ? m * m / ef : m);
  return std::max(1, std::min(hnsw_start_width(m, ef), shrunk));
}

inline double hnsw_level_scale(int m) { return 1.0 / std::log(static_cast<double>(m)); }

// Rng: a uniform random bit generator (LevelRng, std::mt19937_64).
template <class Rng>
int draw_hnsw_level(Rng& rng, double level_scale) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double u = 1.0 - uniform(rng);  // in (0, 1]
  const double level = -std::log(u) * level_scale;
  return level >= kHnswMaxLevel ? kHnswMaxLevel : static_cast<int>(level);
}

}  // namespace vecsim::core

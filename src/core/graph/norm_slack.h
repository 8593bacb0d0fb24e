// src/core/graph/norm_slack.h
// How an hnsw graph for inner product links its nodes: the reduction of
// maximum-inner-product search to nearest-neighbour search (Bachrach et
// al., "Speeding up the Xbox recommender system using a euclidean
// transformation for inner-product spaces", 2014).
//
// Negative inner product is no metric: a value of large norm is "nearer"
// to everything than anything else is, so a graph linked by it gives every
// node the same few large-norm neighbours and leaves most values linked by
// no one (on 10,000 3-dim values with components random() * random(),
// four in five); keeping those reachable fills the large-norm nodes' lists
// with them, and searches lose their way (recall@20 0.75 at ef 40).
//
// The reduction appends to each stored value x the coordinate
// sqrt(B - |x|^2), with B >= every |x|^2: all values then have norm
// sqrt(B), and the lifted values' L2 distance, 2B - 2(<x, y> + s(x) s(y)),
// is a metric whose order for a query (q, 0) is exactly the operator's.
// vecsim lifts by half: s(x) = sqrt(kLiftShare (B - |x|^2)) and links
// are chosen by the negative dot product of the lifted values,
// -<x, y> - s(x) s(y), less the constant kLiftShare B (link_term: the
// product s(x) s(y) is about kLiftShare B, and computed as it stands in
// float it would drown the inner products when one outlier makes B large;
// the difference is computed from the squared norms, in double, without
// cancellation). kLiftShare 1 is the exact reduction; 0 is
// plain negative inner product. Measured (recall@k at ef 40, in memory
// and in SQL): the exact reduction takes the skewed 3-dim set from 0.75 to
// 0.997, but on clustered 16-dim data with queries like the rows, where
// plain inner product finds 0.997 (SQL: 1.0), it finds 0.984 (SQL:
// 0.92-0.99): links among values of similar norm make a search climb the
// norms step by step. Half the lift keeps both: 0.9998 and 0.995 (SQL:
// 1.0 and 1.0). Searches always rank by -<q, x> (a user's query has no
// norm, LinkQuery); a search made to link a stored value x passes x's
// squared norm, as a search for the lifted x would. Values of norm 1 (normalised embeddings) all get
// the same slack, which changes no order: such indexes link as before.
//
// B grows with headroom (kNormBoundGrowth) when a larger value arrives
// (values whose squared norm is not finite leave it as it is: they count
// as lying on the bound); values linked under a smaller B keep their
// links (B shapes the graph, never what a search returns for it). The
// in-memory graph refreshes the distances it keeps beside its lists when
// B changes (HnswGraph::refresh_link_distances).
//
// NodeNorms keeps |x|^2 per node for the in-memory graph; the graph on
// pages keeps B on the metapage (HnswNormBound) and computes |x|^2 from
// each value it reads.
#pragma once

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vecsim::core {

constexpr double kLiftShare = 0.5;

// What the link distance adds to -<x, y>, for squared norms a and b
// under bound B: -(s(x) s(y) - kLiftShare B), that is
// -kLiftShare (sqrt((B - a)(B - b)) - B), computed as
// -kLiftShare (ab - B(a + b)) / (sqrt((B - a)(B - b)) + B). Norms above
// the bound count as on it; no bound (B <= 0), no term.
inline float link_term(float bound_sq, float a, float b) {
  if (!(bound_sq > 0)) return 0.0f;
  const double big = bound_sq;
  const double x = std::min<double>(a, big);  // also a NaN-free clamp of +Inf
  const double y = std::min<double>(b, big);
  const double room = (big - x) * (big - y);
  const double term = (x * y - big * (x + y)) / (std::sqrt(room) + big);
  return static_cast<float>(-kLiftShare * term);
}

// A new bound when a value of squared norm norm_sq exceeds the old one:
// 10% headroom on the norm, so that values growing in order (a table
// sorted by norm) raise it only a logarithmic number of times; a norm
// that is not finite raises nothing, and the bound stays finite.
constexpr float kNormBoundGrowth = 1.21f;
inline float raised_norm_bound(float bound_sq, float norm_sq) {
  if (!(norm_sq > bound_sq) || !std::isfinite(norm_sq)) return bound_sq;
  const float raised = norm_sq * kNormBoundGrowth;
  return std::isfinite(raised) ? raised : FLT_MAX;
}

// The link norm of a user's query: none (link_term adds nothing for it).
constexpr float kUserQuery = -1.0f;

// A query of a space that links by the reduction: a value, and its
// squared norm when the search is made to link a stored value (a user's
// query has none: kUserQuery).
template <class Value>
struct LinkQuery {
  LinkQuery(Value v) : value(v) {}  // NOLINT: a plain value is a user's query
  LinkQuery(Value v, float n) : value(v), norm_sq(n) {}
  bool linking() const { return norm_sq >= 0.0f; }
  Value value;
  float norm_sq = kUserQuery;
};

// Per-node squared norms and the bound of an in-memory space, off unless
// enable() was called (inner product).
class NodeNorms {
 public:
  void enable() { enabled_ = true; }
  bool enabled() const { return enabled_; }
  float bound_sq() const { return bound_sq_; }

  // Appends the next node's squared norm, raising the bound if it exceeds it.
  void add(float norm_sq) {
    norm_sq_.push_back(norm_sq);
    bound_sq_ = raised_norm_bound(bound_sq_, norm_sq);
  }
  // The query a stored node makes when the graph links it.
  float of(std::uint32_t node) const { return enabled_ ? norm_sq_[node] : kUserQuery; }
  // link_term between a query of squared norm q (kUserQuery: none) and node.
  float term(float q, std::uint32_t node) const {
    return enabled_ && q >= 0.0f ? link_term(bound_sq_, q, norm_sq_[node]) : 0.0f;
  }

  std::size_t memory_bytes() const { return norm_sq_.capacity() * sizeof(float); }

 private:
  bool enabled_ = false;
  float bound_sq_ = 0.0f;
  std::vector<float> norm_sq_;
};

}  // namespace vecsim::core

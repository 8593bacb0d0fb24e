// test/support/filtered_index.h
// The fixture of the unit tests of filter columns on pages
// (hnsw_filter_test.cpp, hnsw_postings_test.cpp): clustered rows of
// kFilteredDims dims, an index built from the first `built` rows with the
// derived test's columns (row_attrs) and grown by inserts to `rows`, then
// verified; a filtered scan's rows; the exact answer.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "hnsw_page_helpers.h"
#include "storage/hnsw_attrs.h"

namespace vecsim::core {

constexpr int kFilteredDims = 8;

class FilteredIndexTest : public ::testing::Test {
 protected:
  using Index = HnswPageGraph<MemPageStore>;

  // Row r's columns (nulls and keys, one each per column of kinds()).
  virtual void row_attrs(int r, bool* nulls, AttrKey* keys) const = 0;

  // The index of rows 0 .. rows - 1 (built: the first `built` of them;
  // `spare` more rows are drawn for the test to insert later).
  void build(const std::vector<AttrKind>& kinds, int rows, int built, int spare = 0) {
    testdata::ClusteredModel model(kFilteredDims, 20, 11);
    rows_ = model.sample_rows(static_cast<std::size_t>(rows + spare), 1);
    queries_ = model.sample_rows(5, 2);
    for (AttrKind k : kinds) schema_.add(k);
    DenseBuilder builder = dense_builder(&store_, kFilteredDims, HnswParams{8, 32, 5});
    builder.set_attrs(schema_);
    for (int r = 0; r < built; ++r) {
      ASSERT_TRUE(builder.add(value(r), attrs(r), RowTids::block(r), RowTids::offset(r)).is_ok());
    }
    ASSERT_TRUE(builder.finish().is_ok());
    index_ = std::make_unique<Index>(&store_, l2_metric(), 3);
    ASSERT_TRUE(index_->open().is_ok());
    for (int r = built; r < rows; ++r) ASSERT_TRUE(insert(r).is_ok());
    expect_clean();
  }

  Status insert(int r) {
    HnswRef ref;
    return index_->insert(value(r), attrs(r), RowTids::block(r), RowTids::offset(r), &ref);
  }
  void expect_clean(const HnswRowAttrs* heap = nullptr) {
    HnswVerifyReport report;
    ASSERT_TRUE(verify_hnsw(&store_, &report, heap).is_ok());
    EXPECT_EQ(report.violations, 0u) << report.first;
    EXPECT_EQ(report.unreachable, 0u);
  }

  ValueRef value(int r) const { return row_value(rows_, r, kFilteredDims); }
  ValueRef attrs(int r) {
    block_.resize(schema_.block_bytes());
    bool nulls[kMaxAttrColumns] = {};
    AttrKey keys[kMaxAttrColumns] = {};
    row_attrs(r, nulls, keys);
    schema_.encode(nulls, keys, block_.data());
    return ValueRef{block_.data(), block_.size()};
  }
  ValueRef query(int q) const { return row_value(queries_, q, kFilteredDims); }

  // The scan's rows for query q under filter f, in the order handed out
  // (the distances to *distances, if given).
  std::vector<int> scan(int q, const HnswAttrFilter& f, Index::ScanOrder order, int ef, std::size_t max_rows,
                        std::size_t max_bytes = std::size_t{64} << 20, std::vector<float>* distances = nullptr) {
    EXPECT_TRUE(index_->begin_scan(query(q), ef, order, Index::ScanLimits{20000, max_bytes}, &f).is_ok());
    std::vector<int> out;
    HnswHit hit;
    bool found = true;
    while (out.size() < max_rows) {
      EXPECT_TRUE(index_->next(&hit, &found).is_ok());
      if (!found) break;
      out.push_back(RowTids::row_of(hit.heap_block, hit.heap_offset));
      if (distances) distances->push_back(hit.distance);
    }
    return out;
  }

  // Rows 0 .. rows - 1 passing `passes`, nearest to query q first.
  template <class Passes>
  std::vector<int> exact(int q, int rows, Passes&& passes) const {
    std::vector<std::pair<float, int>> all;
    for (int r = 0; r < rows; ++r) {
      if (!passes(r)) continue;
      all.emplace_back(kernels().f32.l2sq(&rows_[static_cast<std::size_t>(r) * kFilteredDims],
                                          &queries_[static_cast<std::size_t>(q) * kFilteredDims], kFilteredDims),
                       r);
    }
    std::sort(all.begin(), all.end());
    std::vector<int> out;
    for (const auto& p : all) out.push_back(p.second);
    return out;
  }

  MemPageStore store_;
  std::vector<float> rows_, queries_;
  HnswAttrSchema schema_;
  std::vector<unsigned char> block_;
  std::unique_ptr<Index> index_;
};

}  // namespace vecsim::core

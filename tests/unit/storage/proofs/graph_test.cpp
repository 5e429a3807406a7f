#include "storage/proofs/graph.h"

#include <gtest/gtest.h>

#include <vector>

namespace depin::storage::proofs {
namespace {

TEST(StackedGraph, DrgParentsPrecedeTheNodeAndIncludeItsPredecessor) {
  const StackedGraph graph(SectorSize::Size8MiB());
  for (uint64_t v : {2u, 3u, 10u, 1000u, 123456u, 262143u}) {
    NodeParents p = graph.Parents(v);
    EXPECT_EQ(p[0], v - 1);
    for (size_t k = 0; k < kDrgDegree; ++k) EXPECT_LT(p[k], v) << v;
  }
  NodeParents first = graph.Parents(1);
  for (size_t k = 0; k < kDrgDegree; ++k) EXPECT_EQ(first[k], 0u);
}

TEST(StackedGraph, DrgParentsReachFarBack) {
  // Bucket sampling draws distances from every power-of-two scale; a graph
  // whose parents were all near i-1 would not be depth-robust.
  const StackedGraph graph(SectorSize::Size8MiB());
  size_t far = 0, near = 0;
  for (uint64_t v = 100000; v < 101000; ++v) {
    NodeParents p = graph.Parents(v);
    for (size_t k = 1; k < kDrgDegree; ++k) {
      if (v - p[k] > 10000) ++far;
      if (v - p[k] < 100) ++near;
    }
  }
  EXPECT_GT(far, 500u);
  EXPECT_GT(near, 500u);
}

TEST(StackedGraph, ExpanderParentsComeFromAPermutation) {
  // P is a permutation of [0, 8N), so each node of the layer below is an
  // expander parent exactly 8 times over the whole layer.
  const StackedGraph graph(SectorSize::Size2KiB());
  std::vector<int> uses(graph.nodes());
  for (uint64_t v = 0; v < graph.nodes(); ++v) {
    NodeParents p = graph.Parents(v);
    for (size_t k = kDrgDegree; k < kParentCount; ++k) {
      ASSERT_LT(p[k], graph.nodes());
      ++uses[p[k]];
    }
  }
  for (int u : uses) EXPECT_EQ(u, 8);
}

TEST(StackedGraph, DependsOnTheSectorSize) {
  EXPECT_NE(GraphSeed(SectorSize::Size2KiB()), GraphSeed(SectorSize::Size8MiB()));
  const StackedGraph a(SectorSize::Size2KiB()), b(SectorSize::Size2KiB());
  EXPECT_EQ(a.Parents(40), b.Parents(40));
  EXPECT_EQ(a.ConstructionDigest(), b.ConstructionDigest());
  EXPECT_NE(a.ConstructionDigest(), StackedGraph(SectorSize::Size8MiB()).ConstructionDigest());
}

}  // namespace
}  // namespace depin::storage::proofs

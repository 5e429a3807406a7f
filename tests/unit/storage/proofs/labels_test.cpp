#include "storage/proofs/labels.h"

#include <gtest/gtest.h>

#include <cstring>

#include "crypto/sha256.h"
#include "proofs_test_util.h"

namespace depin::storage::proofs {
namespace {

using testing::HashOf;

// The label of `v` in `layer` hashed the slow way, following the byte layout
// written in labels.h and docs/proofs.md.
Hash256 SpecLabel(const StackedGraph& graph, const Hash256& replica_id, uint32_t layer, uint64_t v,
                  const Bytes& this_layer, const Bytes& below) {
  crypto::Sha256 h;
  uint8_t prefix[64] = {};
  std::memcpy(prefix, replica_id.data(), 32);
  WriteBE32(prefix + 32, layer);
  h.Write(prefix, 64);
  NodeParents p = graph.Parents(v);
  for (size_t k = 0; k < kDrgDegree; ++k) h.Write(&this_layer[p[k] * 32], 32);
  if (layer > 1) {
    for (size_t k = kDrgDegree; k < kParentCount; ++k) h.Write(&below[p[k] * 32], 32);
  }
  uint8_t index[8];
  WriteBE64(index, v);
  h.Write(index, 8);
  return h.Finalize();
}

TEST(Labels, LayerLabelsFollowTheDocumentedLayout) {
  const StackedGraph graph(SectorSize::Size2KiB());
  const ParentCache cache(graph, 1);
  const Hash256 replica_id = HashOf(0x42);
  Bytes layer1(2048), layer2(2048);
  LabelLayer(cache, replica_id, 1, nullptr, layer1.data());
  LabelLayer(cache, replica_id, 2, layer1.data(), layer2.data());
  for (uint64_t v = 1; v < 64; ++v) {
    EXPECT_EQ(Hash256(&layer1[v * 32]), SpecLabel(graph, replica_id, 1, v, layer1, {})) << v;
    EXPECT_EQ(Hash256(&layer2[v * 32]), SpecLabel(graph, replica_id, 2, v, layer2, layer1)) << v;
  }
  // Node 0 has no earlier node: its DRG parent labels are zero.
  Bytes zeros(2048, 0);
  EXPECT_EQ(Hash256(&layer1[0]), SpecLabel(graph, replica_id, 1, 0, zeros, {}));
  EXPECT_EQ(Hash256(&layer2[0]), SpecLabel(graph, replica_id, 2, 0, zeros, layer1));

  uint8_t msg[LabelMessageSize(2)];
  Bytes drg(kDrgDegree * 32), exp(kExpanderDegree * 32);
  NodeParents p = graph.Parents(9);
  for (size_t k = 0; k < kDrgDegree; ++k) std::memcpy(&drg[k * 32], &layer2[p[k] * 32], 32);
  for (size_t k = 0; k < kExpanderDegree; ++k) {
    std::memcpy(&exp[k * 32], &layer1[p[kDrgDegree + k] * 32], 32);
  }
  WriteLabelMessage(replica_id, 2, 9, drg.data(), exp.data(), msg);
  EXPECT_EQ(crypto::Sha256Hash(ByteSpan(msg, sizeof(msg))), Hash256(&layer2[9 * 32]));
  EXPECT_EQ(LabelMessageSize(1), 264u);
  EXPECT_EQ(LabelMessageSize(2), 520u);
  EXPECT_EQ(LabelBlocks(1), 5u);
  EXPECT_EQ(LabelBlocks(2), 9u);
  EXPECT_EQ(LabelSequentialBlocks(2), 8u);
}

TEST(Labels, ColumnHashIsTheHashOfTheNodesLabels) {
  Bytes l1 = testing::PatternData(2048, 1), l2 = testing::PatternData(2048, 2);
  const uint8_t* layers[] = {l1.data(), l2.data()};
  Bytes out(10 * 32);
  ColumnHashes(layers, 2, 20, 30, out.data());
  for (uint64_t v = 20; v < 30; ++v) {
    crypto::Sha256 h;
    h.Write(&l1[v * 32], 32);
    h.Write(&l2[v * 32], 32);
    EXPECT_EQ(Hash256(&out[(v - 20) * 32]), h.Finalize());
  }
}

TEST(Labels, ReplicaIdBindsEveryInput) {
  ProviderAddress provider;
  provider.bytes.fill(1);
  const Hash256 base = ReplicaId(provider, 1, HashOf(2), HashOf(3), SectorSize::Size2KiB());
  ProviderAddress other = provider;
  other[0] = 9;
  EXPECT_NE(base, ReplicaId(other, 1, HashOf(2), HashOf(3), SectorSize::Size2KiB()));
  EXPECT_NE(base, ReplicaId(provider, 2, HashOf(2), HashOf(3), SectorSize::Size2KiB()));
  EXPECT_NE(base, ReplicaId(provider, 1, HashOf(4), HashOf(3), SectorSize::Size2KiB()));
  EXPECT_NE(base, ReplicaId(provider, 1, HashOf(2), HashOf(4), SectorSize::Size2KiB()));
  EXPECT_NE(base, ReplicaId(provider, 1, HashOf(2), HashOf(3), SectorSize::Size8MiB()));
}

}  // namespace
}  // namespace depin::storage::proofs

// Known-answer vectors: values of the construction generated once and
// committed in tests/data/proofs/kat.txt, so that any change to the graph,
// labels, trees, challenge derivation or encodings fails here loudly. After
// an intended change of the construction, regenerate with
//   DEPIN_WRITE_PROOFS_KAT=1 unit_storage_proofs --gtest_filter='ProofsKat.*'
// and say why in the commit.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "crypto/sha256.h"
#include "proofs_test_util.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/graph.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"

namespace depin::storage::proofs {
namespace {

using testing::HashOf;
using testing::PatternData;
using testing::ScratchDir;
using testing::TestInputs;

const std::string kKatPath = std::string(DEPIN_SOURCE_DIR) + "/tests/data/proofs/kat.txt";

template <typename Range>
std::string Join(const Range& values) {
  std::string out;
  for (auto v : values) {
    if (!out.empty()) out += ',';
    out += std::to_string(v);
  }
  return out;
}

std::string ParentsText(const StackedGraph& graph, uint64_t node) {
  return Join(graph.Parents(node));
}

// Everything the vectors pin, computed now.
std::vector<std::pair<std::string, std::string>> Compute() {
  std::vector<std::pair<std::string, std::string>> kv;
  const StackedGraph g2k(SectorSize::Size2KiB()), g8m(SectorSize::Size8MiB());
  kv.emplace_back("graph_seed_2kib", GraphSeed(SectorSize::Size2KiB()).Hex());
  for (uint64_t v : {1u, 2u, 37u, 63u}) {
    kv.emplace_back("parents_2kib_" + std::to_string(v), ParentsText(g2k, v));
  }
  for (uint64_t v : {100000u, 262143u}) {
    kv.emplace_back("parents_8mib_" + std::to_string(v), ParentsText(g8m, v));
  }
  Bytes piece = PatternData(1 << 20, 4);
  kv.emplace_back("comm_d_8mib_1mib_piece", CommD(piece, SectorSize::Size8MiB())->Hex());

  ScratchDir dir;
  SectorStore store = *SectorStore::Open(dir.Sub("s"));
  Bytes data = PatternData(2048, 1);
  SealOutput out = *SealSector(TestInputs(SectorSize::Size2KiB(), data), store);
  kv.emplace_back("seal_2kib_comm_d", out.comm_d.Hex());
  kv.emplace_back("seal_2kib_replica_id", out.replica_id.Hex());
  kv.emplace_back("seal_2kib_comm_c", out.comm_c.Hex());
  kv.emplace_back("seal_2kib_comm_r_last", out.comm_r_last.Hex());
  kv.emplace_back("seal_2kib_comm_r", out.comm_r.Hex());
  kv.emplace_back("seal_2kib_label_l1_n5", store.ReadNode(LayerFileName(1), 5)->Hex());
  kv.emplace_back("seal_2kib_label_l2_n63", store.ReadNode(LayerFileName(2), 63)->Hex());
  Bytes porep = EncodePoRepProof(*GeneratePoRep(store, HashOf(0x5e), /*partition=*/1));
  kv.emplace_back("porep_2kib_challenges", Join(PoRepChallenges(out.replica_id, HashOf(0x5e),
                                                                SectorSize::Size2KiB(), 0, 8)));
  kv.emplace_back("porep_2kib_proof_sha256", crypto::Sha256Hash(porep).Hex());
  const SectorStore* stores[] = {&store};
  Bytes post = EncodePoStProof(GeneratePoSt(HashOf(0xd0), stores).proof);
  kv.emplace_back("post_2kib_proof_sha256", crypto::Sha256Hash(post).Hex());
  return kv;
}

TEST(ProofsKat, ConstructionMatchesCommittedVectors) {
  const auto computed = Compute();
  if (std::getenv("DEPIN_WRITE_PROOFS_KAT") != nullptr) {
    std::ofstream f(kKatPath);
    f << "# Known-answer vectors of the depin storage proofs (tests/unit/storage/proofs/"
         "kat_test.cpp).\n";
    for (const auto& [k, v] : computed) f << k << " " << v << "\n";
    GTEST_SKIP() << "wrote " << kKatPath;
  }
  std::ifstream f(kKatPath);
  ASSERT_TRUE(f.good()) << "missing " << kKatPath;
  std::map<std::string, std::string> committed;
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string k, v;
    in >> k >> v;
    committed[k] = v;
  }
  EXPECT_EQ(committed.size(), computed.size());
  for (const auto& [k, v] : computed) EXPECT_EQ(committed[k], v) << k;
}

TEST(ProofsKat, EverySha256BackendGivesTheSameConstruction) {
  const auto reference = Compute();
  for (crypto::Sha256Impl impl :
       {crypto::Sha256Impl::kPortable, crypto::Sha256Impl::kShaNi, crypto::Sha256Impl::kAvx2}) {
    if (!crypto::Sha256ForceImpl(impl)) continue;
    EXPECT_EQ(Compute(), reference)
        << crypto::Sha256ImplName() << "/" << crypto::Sha256BatchImplName();
  }
  crypto::Sha256ResetImpl();
}

}  // namespace
}  // namespace depin::storage::proofs

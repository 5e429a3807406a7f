#include "storage/proofs/batch_verifier.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <variant>

#include "crypto/sha256.h"
#include "storage/proofs/graph.h"
#include "storage/proofs/labels.h"
#include "storage/proofs/parallel.h"

namespace depin::storage::proofs {

struct BatchVerifier::Item {
  std::variant<std::pair<PoRepPublicInputs, PoRepProof>, std::pair<PoStPublicInputs, PoStProof>>
      body;
};

namespace {

// The order in which failed rules are reported when a proof breaks several:
// structure first, then the cheapest explanation.
enum class Rule : int {
  kStructure = 0,
  kCommR,
  kEncoding,
  kDataPath,
  kReplicaPath,
  kColumnPath,
  kLabel,
};

struct Failure {
  Rule rule;
  uint64_t item;  // position within the proof, for a stable choice
  std::string code;
  std::string message;
  bool Before(const Failure& o) const {
    return rule != o.rule ? static_cast<int>(rule) < static_cast<int>(o.rule) : item < o.item;
  }
};

// Verdicts under construction: the first failure per proof in Rule order.
class Verdicts {
 public:
  explicit Verdicts(size_t n) : first_(n) {}
  void Fail(size_t proof, Failure f) {
    auto& slot = first_[proof];
    if (!slot || f.Before(*slot)) slot = std::move(f);
  }
  bool Failed(size_t proof) const { return first_[proof].has_value(); }
  std::vector<Status> Take() {
    std::vector<Status> out;
    out.reserve(first_.size());
    for (auto& f : first_) {
      out.push_back(f ? Status::Error(f->code, f->message) : Status::Ok());
    }
    return out;
  }

 private:
  std::vector<std::optional<Failure>> first_;
};

// What a failed hash or path check reports.
struct Tag {
  size_t proof;
  Rule rule;
  uint64_t item;
  const char* code;
  uint64_t detail;  // challenge node or sector number, for the message
};

// Equal-length messages whose digests are compared with an expected value or
// fed to a path as its leaf.
struct MessageBatch {
  size_t msg_len = 0;
  Bytes messages;
  Bytes digests;
  std::vector<Hash256> expected;  // compared when compare[i]
  std::vector<bool> compare;
  std::vector<Tag> tags;
  size_t count() const { return tags.size(); }
};

struct PathJob {
  Hash256 leaf;
  // When set, the leaf is digest `leaf_digest` of message batch `leaf_batch`.
  MessageBatch* leaf_batch = nullptr;
  size_t leaf_digest = 0;
  uint64_t index = 0;
  const Hash256* siblings = nullptr;
  uint32_t height = 0;
  Hash256 root;
  Tag tag;
};

std::string Describe(const Tag& t) {
  return std::string(t.code) + " at " + std::to_string(t.detail);
}

class Run {
 public:
  Run(size_t proofs, size_t threads, const crypto::HashBackend& hash)
      : verdicts_(proofs), threads_(threads), hash_(hash) {}

  void AddPoRep(size_t p, const PoRepPublicInputs& in, const PoRepProof& proof);
  void AddPoSt(size_t p, const PoStPublicInputs& in, const PoStProof& proof);
  std::vector<Status> Finish(BatchVerifierStats& stats);

 private:
  MessageBatch& BatchFor(size_t msg_len) {
    auto& b = batches_[msg_len];
    if (!b) {
      b = std::make_unique<MessageBatch>();
      b->msg_len = msg_len;
    }
    return *b;
  }
  const StackedGraph& GraphFor(SectorSize size) {
    auto& g = graphs_[size.log2_bytes()];
    if (!g) g = std::make_unique<StackedGraph>(size);
    return *g;
  }
  void Fail(const Tag& t, std::string message) {
    verdicts_.Fail(t.proof, Failure{t.rule, t.item, t.code, std::move(message)});
  }
  void HashMessages();
  // The paths on a device backend in one job; false: not done there.
  bool VerifyPathsOnDevice(std::vector<uint8_t>& ok);
  void ClimbPaths(size_t begin, size_t end, std::vector<uint8_t>& ok);

  Verdicts verdicts_;
  size_t threads_;
  const crypto::HashBackend& hash_;
  std::map<size_t, std::unique_ptr<MessageBatch>> batches_;
  std::map<uint32_t, std::unique_ptr<StackedGraph>> graphs_;
  std::vector<PathJob> paths_;
};

void Run::AddPoRep(size_t p, const PoRepPublicInputs& in, const PoRepProof& proof) {
  auto structure = [&](const char* code, std::string message) {
    verdicts_.Fail(p, Failure{Rule::kStructure, 0, code, std::move(message)});
  };
  const ProofParams params = ParamsFor(in.size);
  const uint32_t height = in.size.tree_height();
  if (proof.size != in.size)
    return structure("porep-wrong-sector-size", "proof is for another size");
  if (proof.layers != params.layers) {
    return structure("porep-wrong-layer-count", std::to_string(proof.layers) + " layers");
  }
  if (in.partition >= params.porep_partitions || proof.partition != in.partition) {
    return structure("porep-wrong-partition", "proof answers partition " +
                                                  std::to_string(proof.partition) + ", expected " +
                                                  std::to_string(in.partition));
  }
  if (proof.challenges.size() != PoRepChallengesPerPartition(params)) {
    return structure("porep-wrong-challenge-count",
                     std::to_string(proof.challenges.size()) + " challenges, expected " +
                         std::to_string(PoRepChallengesPerPartition(params)));
  }
  const std::vector<uint64_t> expected =
      PoRepPartitionChallenges(in.replica_id, in.seed, in.size, in.partition);
  for (size_t j = 0; j < expected.size(); ++j) {
    const PoRepChallengeProof& c = proof.challenges[j];
    if (c.node != expected[j]) {
      return structure("porep-wrong-challenge", "challenge " + std::to_string(j) + " opens node " +
                                                    std::to_string(c.node) + ", expected " +
                                                    std::to_string(expected[j]));
    }
    bool heights =
        c.data_path.siblings.size() == height && c.replica_path.siblings.size() == height;
    for (const ColumnOpening& col : c.columns) {
      heights = heights && col.path.siblings.size() == height;
      if (col.labels.size() != params.layers) {
        return structure("porep-wrong-layer-count",
                         "column with " + std::to_string(col.labels.size()) + " labels");
      }
    }
    if (!heights) return structure("porep-wrong-tree-height", "path of the wrong length");
  }
  if (crypto::Sha256Pair(proof.comm_c, proof.comm_r_last) != in.comm_r) {
    verdicts_.Fail(p, Failure{Rule::kCommR, 0, "porep-bad-comm-r",
                              "H(CommC || CommRLast) differs from CommR"});
    return;
  }

  const StackedGraph& graph = GraphFor(in.size);
  const uint32_t layers = params.layers;
  MessageBatch& columns = BatchFor(size_t{layers} * kNodeSize);
  for (size_t j = 0; j < proof.challenges.size(); ++j) {
    const PoRepChallengeProof& c = proof.challenges[j];
    const uint64_t item = j;
    // Encoding: replica = data XOR key, the key being the last layer label.
    const Hash256& key = c.columns[0].labels[layers - 1];
    for (size_t b = 0; b < kNodeSize; ++b) {
      if ((c.data_leaf[b] ^ key[b]) != c.replica_leaf[b]) {
        Fail(Tag{p, Rule::kEncoding, item, "porep-bad-encoding", c.node},
             "replica node is not data XOR key at node " + std::to_string(c.node));
        break;
      }
    }
    paths_.push_back(PathJob{c.data_leaf, nullptr, 0, c.node, c.data_path.siblings.data(), height,
                             in.comm_d,
                             Tag{p, Rule::kDataPath, item, "porep-bad-data-path", c.node}});
    paths_.push_back(PathJob{c.replica_leaf, nullptr, 0, c.node, c.replica_path.siblings.data(),
                             height, proof.comm_r_last,
                             Tag{p, Rule::kReplicaPath, item, "porep-bad-replica-path", c.node}});
    const NodeParents parents = graph.Parents(c.node);
    for (size_t k = 0; k < kColumnsPerChallenge; ++k) {
      const ColumnOpening& col = c.columns[k];
      const uint64_t node = k == 0 ? c.node : parents[k - 1];
      Tag tag{p, Rule::kColumnPath, item * kColumnsPerChallenge + k, "porep-bad-column-path", node};
      size_t at = columns.messages.size();
      columns.messages.resize(at + columns.msg_len);
      for (uint32_t l = 0; l < layers; ++l) {
        std::memcpy(&columns.messages[at + l * kNodeSize], col.labels[l].data(), kNodeSize);
      }
      columns.expected.emplace_back();
      columns.compare.push_back(false);
      columns.tags.push_back(tag);
      paths_.push_back(PathJob{Hash256(), &columns, columns.count() - 1, node,
                               col.path.siblings.data(), height, proof.comm_c, tag});
    }
    // Every layer's label of the challenged node, from its parents' columns.
    uint8_t drg[kDrgDegree * kNodeSize];
    uint8_t exp[kExpanderDegree * kNodeSize];
    for (uint32_t layer = 1; layer <= layers; ++layer) {
      for (size_t k = 0; k < kDrgDegree; ++k) {
        std::memcpy(drg + k * kNodeSize, c.columns[1 + k].labels[layer - 1].data(), kNodeSize);
      }
      if (layer > 1) {
        for (size_t k = 0; k < kExpanderDegree; ++k) {
          std::memcpy(exp + k * kNodeSize, c.columns[1 + kDrgDegree + k].labels[layer - 2].data(),
                      kNodeSize);
        }
      }
      MessageBatch& labels = BatchFor(LabelMessageSize(layer));
      size_t at = labels.messages.size();
      labels.messages.resize(at + labels.msg_len);
      WriteLabelMessage(in.replica_id, layer, c.node, drg, exp, &labels.messages[at]);
      labels.expected.push_back(c.columns[0].labels[layer - 1]);
      labels.compare.push_back(true);
      labels.tags.push_back(Tag{p, Rule::kLabel, item * layers + layer, "porep-bad-label", c.node});
    }
  }
}

void Run::AddPoSt(size_t p, const PoStPublicInputs& in, const PoStProof& proof) {
  if (proof.sectors.size() != in.sectors.size()) {
    verdicts_.Fail(p, Failure{Rule::kStructure, 0, "post-sector-count-mismatch",
                              std::to_string(proof.sectors.size()) + " sectors proven, " +
                                  std::to_string(in.sectors.size()) + " expected"});
    return;
  }
  for (size_t i = 0; i < in.sectors.size(); ++i) {
    const PoStSectorInfo& info = in.sectors[i];
    const PoStSectorProof& s = proof.sectors[i];
    const std::string where = "sector " + std::to_string(info.sector_number);
    auto structure = [&](const char* code, const std::string& message) {
      verdicts_.Fail(p, Failure{Rule::kStructure, i, code, where + ": " + message});
    };
    const ProofParams params = ParamsFor(info.size);
    const uint32_t height = info.size.tree_height();
    if (s.sector_number != info.sector_number) {
      structure("post-wrong-sector", "proof is for sector " + std::to_string(s.sector_number));
      continue;
    }
    if (s.size != info.size) {
      structure("post-wrong-sector-size", "proof is for another size");
      continue;
    }
    if (s.leaves.size() != params.post_challenges || s.paths.size() != params.post_challenges) {
      structure("post-wrong-challenge-count", std::to_string(s.leaves.size()) + " challenges");
      continue;
    }
    if (std::any_of(s.paths.begin(), s.paths.end(),
                    [&](const MerklePath& m) { return m.siblings.size() != height; })) {
      structure("post-wrong-tree-height", "path of the wrong length");
      continue;
    }
    if (crypto::Sha256Pair(s.comm_c, s.comm_r_last) != info.comm_r) {
      verdicts_.Fail(p, Failure{Rule::kCommR, i, "post-bad-comm-r",
                                where + ": H(CommC || CommRLast) differs from CommR"});
      continue;
    }
    const std::vector<uint64_t> leaves =
        PoStChallenges(in.randomness, info.sector_number, info.size, params.post_challenges);
    for (size_t j = 0; j < leaves.size(); ++j) {
      paths_.push_back(PathJob{s.leaves[j], nullptr, 0, leaves[j], s.paths[j].siblings.data(),
                               height, s.comm_r_last,
                               Tag{p, Rule::kReplicaPath, i * params.post_challenges + j,
                                   "post-bad-replica-path", info.sector_number}});
    }
  }
}

void Run::HashMessages() {
  for (auto& [len, batch] : batches_) {
    MessageBatch& b = *batch;
    b.digests.resize(b.count() * kNodeSize);
    if (b.count() >= hash_.MinDeviceBatch()) {
      // A device takes the whole batch in one call (and redoes it on the
      // CPU itself should it fail).
      hash_.Sha256Batch(b.messages.data(), b.msg_len, b.count(), b.digests.data());
      continue;
    }
    ParallelFor(b.count(), threads_, 64, [&](size_t begin, size_t end) {
      hash_.Sha256Batch(b.messages.data() + begin * b.msg_len, b.msg_len, end - begin,
                        b.digests.data() + begin * kNodeSize);
    });
  }
}

bool Run::VerifyPathsOnDevice(std::vector<uint8_t>& ok) {
  static_assert(sizeof(Hash256) == kNodeSize, "siblings are copied as one run of nodes");
  const size_t n = paths_.size();
  Bytes leaves(n * kNodeSize), roots(n * kNodeSize);
  std::vector<uint64_t> indices(n), offsets(n);
  std::vector<uint32_t> heights(n);
  uint64_t sibling_nodes = 0;
  for (size_t i = 0; i < n; ++i) sibling_nodes += paths_[i].height;
  Bytes siblings(sibling_nodes * kNodeSize);
  uint64_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    const PathJob& job = paths_[i];
    const uint8_t* leaf =
        job.leaf_batch ? &job.leaf_batch->digests[job.leaf_digest * kNodeSize] : job.leaf.data();
    std::memcpy(&leaves[i * kNodeSize], leaf, kNodeSize);
    std::memcpy(&roots[i * kNodeSize], job.root.data(), kNodeSize);
    indices[i] = job.index;
    heights[i] = job.height;
    offsets[i] = at;
    if (job.height > 0) {
      std::memcpy(&siblings[at * kNodeSize], job.siblings[0].data(), job.height * kNodeSize);
    }
    at += job.height;
  }
  crypto::MerklePathBatch batch;
  batch.count = n;
  batch.leaves = leaves.data();
  batch.indices = indices.data();
  batch.heights = heights.data();
  batch.sibling_offsets = offsets.data();
  batch.siblings = siblings.data();
  batch.sibling_nodes = sibling_nodes;
  batch.roots = roots.data();
  return hash_.VerifyMerklePaths(batch, ok.data());
}

void Run::ClimbPaths(size_t begin, size_t end, std::vector<uint8_t>& ok) {
  // Level by level costs a device one round trip per level: a device
  // backend's paths climb here only when its whole-batch job was not done
  // (a small batch, or the device failed), and then on the CPU.
  const crypto::HashBackend& hash =
      hash_.MinDeviceBatch() == SIZE_MAX ? hash_ : crypto::CpuHashBackend();
  const size_t n = end - begin;
  Bytes nodes(n * kNodeSize), pairs(n * 2 * kNodeSize);
  std::vector<size_t> active(n);
  uint32_t max_height = 0;
  for (size_t i = 0; i < n; ++i) {
    const PathJob& job = paths_[begin + i];
    const uint8_t* leaf =
        job.leaf_batch ? &job.leaf_batch->digests[job.leaf_digest * kNodeSize] : job.leaf.data();
    std::memcpy(&nodes[i * kNodeSize], leaf, kNodeSize);
    max_height = std::max(max_height, job.height);
  }
  for (uint32_t level = 0; level < max_height; ++level) {
    size_t m = 0;
    for (size_t i = 0; i < n; ++i) {
      const PathJob& job = paths_[begin + i];
      if (job.height <= level) continue;
      const bool right = (job.index >> level) & 1;
      uint8_t* pair = &pairs[m * 2 * kNodeSize];
      std::memcpy(pair + (right ? kNodeSize : 0), &nodes[i * kNodeSize], kNodeSize);
      std::memcpy(pair + (right ? 0 : kNodeSize), job.siblings[level].data(), kNodeSize);
      active[m++] = i;
    }
    hash.Sha256PairBatch(pairs.data(), pairs.data(), m);
    for (size_t a = 0; a < m; ++a) {
      std::memcpy(&nodes[active[a] * kNodeSize], &pairs[a * kNodeSize], kNodeSize);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    ok[begin + i] =
        std::memcmp(&nodes[i * kNodeSize], paths_[begin + i].root.data(), kNodeSize) == 0;
  }
}

std::vector<Status> Run::Finish(BatchVerifierStats& stats) {
  HashMessages();
  for (auto& [len, batch] : batches_) {
    stats.message_hashes += batch->count();
    stats.message_blocks += batch->count() * ((len + 8) / 64 + 1);
    for (size_t i = 0; i < batch->count(); ++i) {
      if (batch->compare[i] &&
          std::memcmp(&batch->digests[i * kNodeSize], batch->expected[i].data(), kNodeSize) != 0) {
        Fail(batch->tags[i],
             "recomputed label differs from the column: " + Describe(batch->tags[i]));
      }
    }
  }
  std::vector<uint8_t> ok(paths_.size());
  if (paths_.empty() || paths_.size() < hash_.MinDeviceBatch() || !VerifyPathsOnDevice(ok)) {
    ParallelFor(paths_.size(), threads_, 256,
                [&](size_t begin, size_t end) { ClimbPaths(begin, end, ok); });
  }
  for (size_t i = 0; i < paths_.size(); ++i) {
    stats.pair_hashes += paths_[i].height;
    if (!ok[i]) Fail(paths_[i].tag, "path does not reach the root: " + Describe(paths_[i].tag));
  }
  return verdicts_.Take();
}

}  // namespace

BatchVerifier::BatchVerifier(BatchVerifierOptions options) : options_(options) {}
BatchVerifier::~BatchVerifier() = default;

size_t BatchVerifier::size() const { return items_.size(); }

size_t BatchVerifier::AddPoRep(PoRepPublicInputs inputs, PoRepProof proof) {
  items_.push_back(Item{std::make_pair(std::move(inputs), std::move(proof))});
  return items_.size() - 1;
}

size_t BatchVerifier::AddPoSt(PoStPublicInputs inputs, PoStProof proof) {
  items_.push_back(Item{std::make_pair(std::move(inputs), std::move(proof))});
  return items_.size() - 1;
}

std::vector<Status> BatchVerifier::Verify() {
  const size_t threads = options_.threads == 0 ? HardwareThreads() : options_.threads;
  stats_ = BatchVerifierStats{};
  Run run(items_.size(), threads, crypto::HashBackendOrCpu(options_.hash));
  for (size_t p = 0; p < items_.size(); ++p) {
    if (auto* porep = std::get_if<0>(&items_[p].body)) {
      run.AddPoRep(p, porep->first, porep->second);
    } else {
      auto& post = std::get<1>(items_[p].body);
      run.AddPoSt(p, post.first, post.second);
    }
  }
  std::vector<Status> verdicts = run.Finish(stats_);
  items_.clear();
  return verdicts;
}

std::vector<Status> VerifyEncodedPoSts(std::span<const EncodedPoSt> items,
                                       BatchVerifierOptions options) {
  std::vector<Status> verdicts(items.size());
  std::vector<std::pair<size_t, size_t>> slots;  // (item, index in the batch)
  BatchVerifier verifier(options);
  for (size_t i = 0; i < items.size(); ++i) {
    auto inputs = DecodePoStPublicInputs(items[i].inputs);
    if (!inputs.ok()) {
      verdicts[i] = inputs.status();
      continue;
    }
    auto proof = DecodePoStProof(items[i].proof);
    if (!proof.ok()) {
      verdicts[i] = proof.status();
      continue;
    }
    slots.emplace_back(i, verifier.AddPoSt(std::move(inputs).value(), std::move(proof).value()));
  }
  if (slots.empty()) return verdicts;
  std::vector<Status> batch = verifier.Verify();
  for (const auto& [item, index] : slots) verdicts[item] = batch[index];
  return verdicts;
}

}  // namespace depin::storage::proofs

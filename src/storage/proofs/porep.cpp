#include "storage/proofs/porep.h"

#include <cstring>

#include "crypto/sha256.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/codec.h"
#include "storage/proofs/graph.h"

namespace depin::storage::proofs {
namespace {

constexpr uint8_t kPoRepVersion = 1;
constexpr uint64_t kHeaderBytes = 1 + 1 + 1 + 1 + 1 + 2 + 32 + 32;

uint64_t ChallengeBytes(uint32_t layers, uint32_t height) {
  const uint64_t path = uint64_t{height} * kNodeSize;
  return 8 + 2 * (kNodeSize + path) + kColumnsPerChallenge * (uint64_t{layers} * kNodeSize + path);
}

Status ReadColumn(const SectorStore& store, const SectorMeta& meta, uint64_t node,
                  ColumnOpening& out) {
  out.labels.resize(meta.layers);
  for (uint32_t l = 0; l < meta.layers; ++l) {
    auto label = store.ReadNode(LayerFileName(l + 1), node);
    if (!label) return label.status();
    out.labels[l] = *label;
  }
  auto path = store.ReadPath(kColumnsFile, kTreeCFile, meta.size.nodes(), node);
  if (!path) return path.status();
  out.path = std::move(*path);
  return Status::Ok();
}

}  // namespace

std::vector<uint64_t> PoRepChallenges(const Hash256& replica_id, const Hash256& seed,
                                      SectorSize size, uint32_t first, uint32_t count) {
  std::vector<uint64_t> out(count);
  uint8_t msg[32 + 32 + 4];
  std::memcpy(msg, replica_id.data(), 32);
  std::memcpy(msg + 32, seed.data(), 32);
  for (uint32_t j = 0; j < count; ++j) {
    WriteBE32(msg + 64, first + j);
    Hash256 h = crypto::Sha256Hash(ByteSpan(msg, sizeof(msg)));
    out[j] = 1 + ReadBE64(h.data()) % (size.nodes() - 1);
  }
  return out;
}

std::vector<uint64_t> PoRepPartitionChallenges(const Hash256& replica_id, const Hash256& seed,
                                               SectorSize size, uint32_t partition) {
  const uint32_t per = PoRepChallengesPerPartition(ParamsFor(size));
  return PoRepChallenges(replica_id, seed, size, partition * per, per);
}

Result<PoRepProof> GeneratePoRep(const SectorStore& store, const Hash256& seed,
                                 uint32_t partition) {
  auto meta = store.ReadMeta();
  if (!meta) return meta.status();
  if (!meta->sealed) return Status::Error("store-not-sealed", "sector is not sealed yet");
  if (meta->sealing_files_removed) {
    return Status::Error("porep-sealing-files-removed", "layers and tree_c are gone");
  }
  const ProofParams params = ParamsFor(meta->size);
  if (partition >= params.porep_partitions) {
    return Status::Error(
        "porep-bad-partition",
        "sector size has " + std::to_string(params.porep_partitions) + " partitions");
  }
  const uint64_t n = meta->size.nodes();
  const StackedGraph graph(meta->size);
  PoRepProof proof;
  proof.size = meta->size;
  proof.layers = meta->layers;
  proof.partition = partition;
  proof.comm_c = meta->comm_c;
  proof.comm_r_last = meta->comm_r_last;
  for (uint64_t node : PoRepPartitionChallenges(meta->replica_id, seed, meta->size, partition)) {
    PoRepChallengeProof c;
    c.node = node;
    auto data_leaf = store.ReadNode(kUnsealedFile, node);
    if (!data_leaf) return data_leaf.status();
    c.data_leaf = *data_leaf;
    auto data_path = store.ReadPath(kUnsealedFile, kTreeDFile, n, node);
    if (!data_path) return data_path.status();
    c.data_path = std::move(*data_path);
    auto replica_leaf = store.ReadNode(kReplicaFile, node);
    if (!replica_leaf) return replica_leaf.status();
    c.replica_leaf = *replica_leaf;
    auto replica_path = store.ReadPath(kReplicaFile, kTreeRFile, n, node);
    if (!replica_path) return replica_path.status();
    c.replica_path = std::move(*replica_path);
    DEPIN_RETURN_IF_ERROR(ReadColumn(store, *meta, node, c.columns[0]));
    const NodeParents parents = graph.Parents(node);
    for (size_t k = 0; k < kParentCount; ++k) {
      DEPIN_RETURN_IF_ERROR(ReadColumn(store, *meta, parents[k], c.columns[k + 1]));
    }
    proof.challenges.push_back(std::move(c));
  }
  return proof;
}

Status VerifyPoRep(const PoRepPublicInputs& inputs, const PoRepProof& proof) {
  BatchVerifier verifier(BatchVerifierOptions{/*threads=*/1});
  verifier.AddPoRep(inputs, proof);
  return verifier.Verify().front();
}

Bytes EncodePoRepPublicInputs(const PoRepPublicInputs& inputs) {
  ByteWriter w(2 + 4 * 32 + 4);
  w.U8(kPoRepVersion);
  w.U8(static_cast<uint8_t>(inputs.size.log2_bytes()));
  w.Node(inputs.replica_id);
  w.Node(inputs.seed);
  w.Node(inputs.comm_d);
  w.Node(inputs.comm_r);
  w.U32(inputs.partition);
  return w.Take();
}

Result<PoRepPublicInputs> DecodePoRepPublicInputs(ByteSpan encoded) {
  ByteReader r(encoded, "porep-inputs");
  const uint8_t version = r.U8();
  const uint8_t log2_bytes = r.U8();
  PoRepPublicInputs inputs;
  inputs.replica_id = r.Node();
  inputs.seed = r.Node();
  inputs.comm_d = r.Node();
  inputs.comm_r = r.Node();
  inputs.partition = r.U32();
  if (!r.ok()) return r.status();
  if (version != kPoRepVersion) {
    return Status::Error("porep-inputs-decode-bad-version",
                         "unknown version " + std::to_string(version));
  }
  auto size = SectorSize::FromLog2(log2_bytes);
  if (!size) return Status::Error("porep-inputs-decode-bad-sector-size", "unknown sector size");
  inputs.size = *size;
  if (r.remaining() != 0) {
    return Status::Error("porep-inputs-decode-trailing-bytes", "bytes after the partition");
  }
  return inputs;
}

uint64_t PoRepProofBytes(SectorSize size) {
  const ProofParams params = ParamsFor(size);
  return kHeaderBytes +
         PoRepChallengesPerPartition(params) * ChallengeBytes(params.layers, size.tree_height());
}

Bytes EncodePoRepProof(const PoRepProof& proof) {
  const uint32_t height = proof.size.tree_height();
  ByteWriter w(kHeaderBytes + proof.challenges.size() * ChallengeBytes(proof.layers, height));
  w.U8(kPoRepVersion);
  w.U8(static_cast<uint8_t>(proof.size.log2_bytes()));
  w.U8(static_cast<uint8_t>(proof.layers));
  w.U8(static_cast<uint8_t>(height));
  w.U8(static_cast<uint8_t>(proof.partition));
  w.U16(static_cast<uint16_t>(proof.challenges.size()));
  w.Node(proof.comm_c);
  w.Node(proof.comm_r_last);
  for (const PoRepChallengeProof& c : proof.challenges) {
    w.U64(c.node);
    w.Node(c.data_leaf);
    for (const Hash256& s : c.data_path.siblings) w.Node(s);
    w.Node(c.replica_leaf);
    for (const Hash256& s : c.replica_path.siblings) w.Node(s);
    for (const ColumnOpening& col : c.columns) {
      for (const Hash256& l : col.labels) w.Node(l);
      for (const Hash256& s : col.path.siblings) w.Node(s);
    }
  }
  return w.Take();
}

Result<PoRepProof> DecodePoRepProof(ByteSpan encoded) {
  ByteReader r(encoded, "porep");
  const uint8_t version = r.U8();
  const uint8_t log2_bytes = r.U8();
  const uint8_t layers = r.U8();
  const uint8_t height = r.U8();
  const uint8_t partition = r.U8();
  const uint16_t count = r.U16();
  if (!r.ok()) return r.status();
  if (version != kPoRepVersion) {
    return Status::Error("porep-decode-bad-version", "unknown version " + std::to_string(version));
  }
  auto size = SectorSize::FromLog2(log2_bytes);
  if (!size) return Status::Error("porep-decode-bad-sector-size", "unknown sector size");
  const ProofParams params = ParamsFor(*size);
  if (layers != params.layers) {
    return Status::Error("porep-decode-bad-layers", std::to_string(layers) + " layers, expected " +
                                                        std::to_string(params.layers));
  }
  if (height != size->tree_height()) {
    return Status::Error("porep-wrong-tree-height", "tree height " + std::to_string(height) +
                                                        ", expected " +
                                                        std::to_string(size->tree_height()));
  }
  if (partition >= params.porep_partitions) {
    return Status::Error("porep-decode-bad-partition", "partition " + std::to_string(partition) +
                                                           " of " +
                                                           std::to_string(params.porep_partitions));
  }
  if (count != PoRepChallengesPerPartition(params)) {
    return Status::Error("porep-decode-bad-challenge-count",
                         std::to_string(count) + " challenges, expected " +
                             std::to_string(PoRepChallengesPerPartition(params)));
  }
  // Check the length before allocating anything sized by the input.
  const uint64_t expected = kHeaderBytes + count * ChallengeBytes(layers, height);
  if (encoded.size() < expected)
    return Status::Error("porep-decode-truncated", "encoding ends early");
  if (encoded.size() > expected) {
    return Status::Error("porep-decode-trailing-bytes",
                         std::to_string(encoded.size() - expected) + " bytes after the proof");
  }
  PoRepProof proof;
  proof.size = *size;
  proof.layers = layers;
  proof.partition = partition;
  proof.comm_c = r.Node();
  proof.comm_r_last = r.Node();
  auto read_path = [&](MerklePath& p) {
    p.siblings.resize(height);
    for (Hash256& s : p.siblings) s = r.Node();
  };
  proof.challenges.resize(count);
  for (PoRepChallengeProof& c : proof.challenges) {
    c.node = r.U64();
    c.data_leaf = r.Node();
    read_path(c.data_path);
    c.replica_leaf = r.Node();
    read_path(c.replica_path);
    for (ColumnOpening& col : c.columns) {
      col.labels.resize(layers);
      for (Hash256& l : col.labels) l = r.Node();
      read_path(col.path);
    }
  }
  if (!r.ok()) return r.status();
  return proof;
}

}  // namespace depin::storage::proofs

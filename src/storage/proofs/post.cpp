#include "storage/proofs/post.h"

#include <cstring>

#include "crypto/sha256.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/codec.h"

namespace depin::storage::proofs {
namespace {

constexpr uint8_t kPoStVersion = 1;
constexpr uint64_t kHeaderBytes = 1 + 4;
constexpr uint64_t kSectorHeaderBytes = 8 + 1 + 1 + 2 + 32 + 32;

uint64_t SectorBytes(uint32_t height, uint32_t challenges) {
  return kSectorHeaderBytes + uint64_t{challenges} * (kNodeSize + uint64_t{height} * kNodeSize);
}

}  // namespace

std::vector<uint64_t> PoStChallenges(const Hash256& randomness, uint64_t sector_number,
                                     SectorSize size, uint32_t count) {
  std::vector<uint64_t> out(count);
  uint8_t msg[32 + 8 + 4];
  std::memcpy(msg, randomness.data(), 32);
  WriteBE64(msg + 32, sector_number);
  for (uint32_t j = 0; j < count; ++j) {
    WriteBE32(msg + 40, j);
    Hash256 h = crypto::Sha256Hash(ByteSpan(msg, sizeof(msg)));
    out[j] = ReadBE64(h.data()) % size.nodes();
  }
  return out;
}

Result<PoStSectorProof> GeneratePoStSector(const SectorStore& store, const Hash256& randomness) {
  auto meta = store.ReadMeta();
  if (!meta) return meta.status();
  if (!meta->sealed) return Status::Error("store-not-sealed", "sector is not sealed yet");
  const ProofParams params = ParamsFor(meta->size);
  PoStSectorProof out;
  out.sector_number = meta->sector_number;
  out.size = meta->size;
  out.comm_c = meta->comm_c;
  out.comm_r_last = meta->comm_r_last;
  auto faulty = [&](uint64_t leaf, const std::string& why) {
    return Status::Error("post-sector-faulty", "sector " + std::to_string(meta->sector_number) +
                                                   " leaf " + std::to_string(leaf) + ": " + why);
  };
  for (uint64_t leaf :
       PoStChallenges(randomness, meta->sector_number, meta->size, params.post_challenges)) {
    auto node = store.ReadNode(kReplicaFile, leaf);
    if (!node) return faulty(leaf, node.status().ToString());
    auto path = store.ReadPath(kReplicaFile, kTreeRFile, meta->size.nodes(), leaf);
    if (!path) return faulty(leaf, path.status().ToString());
    if (RootFromPath(*node, leaf, *path) != meta->comm_r_last) {
      return faulty(leaf, "replica does not match CommRLast");
    }
    out.leaves.push_back(*node);
    out.paths.push_back(std::move(*path));
  }
  return out;
}

PoStGeneration GeneratePoSt(const Hash256& randomness, std::span<const SectorStore* const> stores) {
  PoStGeneration gen;
  for (const SectorStore* store : stores) {
    auto sector = GeneratePoStSector(*store, randomness);
    if (sector) {
      gen.proof.sectors.push_back(std::move(*sector));
      continue;
    }
    auto meta = store->ReadMeta();
    gen.faults.push_back(PoStFault{meta ? meta->sector_number : 0, sector.status()});
  }
  return gen;
}

Status VerifyPoSt(const PoStPublicInputs& inputs, const PoStProof& proof) {
  BatchVerifier verifier(BatchVerifierOptions{/*threads=*/1});
  verifier.AddPoSt(inputs, proof);
  return verifier.Verify().front();
}

uint64_t PoStProofBytesPerSector(SectorSize size) {
  return SectorBytes(size.tree_height(), ParamsFor(size).post_challenges);
}

Bytes EncodePoStPublicInputs(const PoStPublicInputs& inputs) {
  ByteWriter w(1 + 32 + 4 + inputs.sectors.size() * (8 + 1 + 32));
  w.U8(kPoStVersion);
  w.Node(inputs.randomness);
  w.U32(static_cast<uint32_t>(inputs.sectors.size()));
  for (const PoStSectorInfo& s : inputs.sectors) {
    w.U64(s.sector_number);
    w.U8(static_cast<uint8_t>(s.size.log2_bytes()));
    w.Node(s.comm_r);
  }
  return w.Take();
}

Result<PoStPublicInputs> DecodePoStPublicInputs(ByteSpan encoded) {
  constexpr uint64_t kSectorInfoBytes = 8 + 1 + 32;
  ByteReader r(encoded, "post-inputs");
  const uint8_t version = r.U8();
  PoStPublicInputs inputs;
  inputs.randomness = r.Node();
  const uint32_t count = r.U32();
  if (!r.ok()) return r.status();
  if (version != kPoStVersion) {
    return Status::Error("post-inputs-decode-bad-version",
                         "unknown version " + std::to_string(version));
  }
  // Bounds the count before anything is allocated from it.
  if (uint64_t{count} * kSectorInfoBytes > r.remaining()) {
    return Status::Error("post-inputs-decode-truncated", "encoding ends early");
  }
  inputs.sectors.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    PoStSectorInfo s;
    s.sector_number = r.U64();
    const uint8_t log2_bytes = r.U8();
    s.comm_r = r.Node();
    if (!r.ok()) return r.status();
    auto size = SectorSize::FromLog2(log2_bytes);
    if (!size) return Status::Error("post-inputs-decode-bad-sector-size", "unknown sector size");
    s.size = *size;
    inputs.sectors.push_back(s);
  }
  if (r.remaining() != 0) {
    return Status::Error("post-inputs-decode-trailing-bytes", "bytes after the last sector");
  }
  return inputs;
}

Bytes EncodePoStProof(const PoStProof& proof) {
  uint64_t total = kHeaderBytes;
  for (const auto& s : proof.sectors) {
    total += SectorBytes(s.size.tree_height(), static_cast<uint32_t>(s.leaves.size()));
  }
  ByteWriter w(total);
  w.U8(kPoStVersion);
  w.U32(static_cast<uint32_t>(proof.sectors.size()));
  for (const PoStSectorProof& s : proof.sectors) {
    w.U64(s.sector_number);
    w.U8(static_cast<uint8_t>(s.size.log2_bytes()));
    w.U8(static_cast<uint8_t>(s.size.tree_height()));
    w.U16(static_cast<uint16_t>(s.leaves.size()));
    w.Node(s.comm_c);
    w.Node(s.comm_r_last);
    for (size_t j = 0; j < s.leaves.size(); ++j) {
      w.Node(s.leaves[j]);
      for (const Hash256& sib : s.paths[j].siblings) w.Node(sib);
    }
  }
  return w.Take();
}

Result<PoStProof> DecodePoStProof(ByteSpan encoded) {
  ByteReader r(encoded, "post");
  const uint8_t version = r.U8();
  const uint32_t count = r.U32();
  if (!r.ok()) return r.status();
  if (version != kPoStVersion) {
    return Status::Error("post-decode-bad-version", "unknown version " + std::to_string(version));
  }
  // Every sector takes at least its header, which bounds the count before
  // anything is allocated from it.
  if (uint64_t{count} * kSectorHeaderBytes > r.remaining()) {
    return Status::Error("post-decode-truncated", "encoding ends early");
  }
  PoStProof proof;
  proof.sectors.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    PoStSectorProof s;
    s.sector_number = r.U64();
    const uint8_t log2_bytes = r.U8();
    const uint8_t height = r.U8();
    const uint16_t challenges = r.U16();
    if (!r.ok()) return r.status();
    auto size = SectorSize::FromLog2(log2_bytes);
    if (!size) return Status::Error("post-decode-bad-sector-size", "unknown sector size");
    if (height != size->tree_height()) {
      return Status::Error("post-wrong-tree-height", "tree height " + std::to_string(height) +
                                                         ", expected " +
                                                         std::to_string(size->tree_height()));
    }
    if (challenges != ParamsFor(*size).post_challenges) {
      return Status::Error(
          "post-decode-bad-challenge-count",
          std::to_string(challenges) + " challenges for sector " + std::to_string(s.sector_number));
    }
    if (r.remaining() < SectorBytes(height, challenges) - 12) {
      return Status::Error("post-decode-truncated", "encoding ends early");
    }
    s.size = *size;
    s.comm_c = r.Node();
    s.comm_r_last = r.Node();
    s.leaves.resize(challenges);
    s.paths.resize(challenges);
    for (uint16_t j = 0; j < challenges; ++j) {
      s.leaves[j] = r.Node();
      s.paths[j].siblings.resize(height);
      for (Hash256& sib : s.paths[j].siblings) sib = r.Node();
    }
    proof.sectors.push_back(std::move(s));
  }
  if (!r.ok()) return r.status();
  if (r.remaining() != 0) {
    return Status::Error("post-decode-trailing-bytes",
                         std::to_string(r.remaining()) + " bytes after the proof");
  }
  return proof;
}

}  // namespace depin::storage::proofs

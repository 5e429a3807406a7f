#include "storage/proofs/graph.h"

#include <bit>
#include <cstring>

#include "crypto/sha256.h"

namespace depin::storage::proofs {
namespace {

constexpr size_t kDrgMessageSize = 40;  // graph seed || node (LE64)
constexpr uint32_t kFeistelRounds = 4;

// SplitMix64: expands a node's 64-bit hash-derived seed into the few draws
// the bucket sampler needs. The graph is public, so the draws only need to
// be well spread, not secret.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void DrgMessage(const Hash256& seed, uint64_t node, uint8_t* out) {
  std::memcpy(out, seed.data(), 32);
  WriteLE64(out + 32, node);
}

}  // namespace

StackedGraph::StackedGraph(SectorSize size) : size_(size), seed_(GraphSeed(size)) {
  // The permutation domain is 8N = 2^(h+3); a balanced Feistel network needs
  // an even bit count, so odd widths use one more bit and cycle-walk.
  uint32_t bits = size.tree_height() + 3;
  feistel_half_bits_ = (bits + 1) / 2;
  for (uint32_t r = 0; r < kFeistelRounds; ++r) {
    uint8_t msg[32 + 9];
    std::memcpy(msg, seed_.data(), 32);
    std::memcpy(msg + 32, "expander", 8);
    msg[40] = static_cast<uint8_t>(r);
    Hash256 k = crypto::Sha256Hash(ByteSpan(msg, sizeof(msg)));
    feistel_keys_[r] = ReadLE64(k.data());
  }
}

void StackedGraph::DrgFromDigest(uint64_t node, const uint8_t* digest, uint32_t* out) const {
  if (node < 2) {
    for (size_t k = 0; k < kDrgDegree; ++k) out[k] = 0;
    return;
  }
  out[0] = static_cast<uint32_t>(node - 1);
  uint64_t state = ReadLE64(digest);
  constexpr uint64_t kMeta = kDrgDegree - 1;
  for (uint64_t k = 0; k < kMeta; ++k) {
    // Node v owns meta-nodes 5v..5v+4; a meta-edge back by distance >= 5
    // always lands on an earlier node.
    uint64_t w = kMeta * node + k;
    uint32_t log_w = static_cast<uint32_t>(std::bit_width(w)) - 1;  // >= 3 since w >= 10
    uint32_t bucket = 3 + static_cast<uint32_t>(NextRandom(state) % (log_w - 2));
    uint64_t hi = uint64_t{1} << bucket;
    uint64_t lo = std::max<uint64_t>(hi / 2, kMeta);
    uint64_t back = lo + NextRandom(state) % (hi - lo + 1);
    out[k + 1] = static_cast<uint32_t>((w - back) / kMeta);
  }
}

uint64_t StackedGraph::Permute(uint64_t x) const {
  const uint64_t mask = (uint64_t{1} << feistel_half_bits_) - 1;
  uint64_t left = x >> feistel_half_bits_, right = x & mask;
  for (uint32_t r = 0; r < kFeistelRounds; ++r) {
    uint64_t next = left ^ (Mix(right ^ feistel_keys_[r]) & mask);
    left = right;
    right = next;
  }
  return (left << feistel_half_bits_) | right;
}

void StackedGraph::ExpanderParents(uint64_t node, uint32_t* out) const {
  const uint64_t domain = nodes() * kExpanderDegree;
  for (uint64_t k = 0; k < kExpanderDegree; ++k) {
    uint64_t x = node * kExpanderDegree + k;
    do {
      x = Permute(x);
    } while (x >= domain);
    out[k] = static_cast<uint32_t>(x / kExpanderDegree);
  }
}

Hash256 StackedGraph::ConstructionDigest() const {
  static constexpr char kTag[] = "depin-sdr-graph-construction";
  uint8_t fields[32 + 8 + 4 * 4];
  std::memcpy(fields, seed_.data(), 32);
  WriteBE64(fields + 32, nodes());
  WriteBE32(fields + 40, kConstructionVersion);
  WriteBE32(fields + 44, static_cast<uint32_t>(kDrgDegree));
  WriteBE32(fields + 48, static_cast<uint32_t>(kExpanderDegree));
  WriteBE32(fields + 52, kFeistelRounds);
  crypto::Sha256 h;
  h.Write(reinterpret_cast<const uint8_t*>(kTag), sizeof(kTag) - 1);
  h.Write(fields, sizeof(fields));
  return h.Finalize();
}

NodeParents StackedGraph::Parents(uint64_t node) const {
  NodeParents p;
  uint8_t msg[kDrgMessageSize];
  DrgMessage(seed_, node, msg);
  Hash256 digest = crypto::Sha256Hash(ByteSpan(msg, sizeof(msg)));
  DrgFromDigest(node, digest.data(), p.data());
  ExpanderParents(node, p.data() + kDrgDegree);
  return p;
}

void StackedGraph::ParentsRange(uint64_t begin, uint64_t end, uint32_t* out) const {
  constexpr uint64_t kBatch = 1024;
  uint8_t msgs[kBatch * kDrgMessageSize];
  uint8_t digests[kBatch * 32];
  for (uint64_t base = begin; base < end; base += kBatch) {
    uint64_t count = std::min(kBatch, end - base);
    for (uint64_t i = 0; i < count; ++i) DrgMessage(seed_, base + i, msgs + i * kDrgMessageSize);
    crypto::Sha256Batch(msgs, kDrgMessageSize, count, digests);
    for (uint64_t i = 0; i < count; ++i) {
      uint32_t* p = out + (base - begin + i) * kParentCount;
      DrgFromDigest(base + i, digests + i * 32, p);
      ExpanderParents(base + i, p + kDrgDegree);
    }
  }
}

}  // namespace depin::storage::proofs

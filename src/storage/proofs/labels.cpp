#include "storage/proofs/labels.h"

#include <cstring>

#include "crypto/sha256.h"

namespace depin::storage::proofs {
namespace {

// The final block of a message of `len` bytes (a multiple of 64): 0x80, zeros
// and the bit length. Constant per layer, so it is built once per layer.
void PaddingBlock(uint64_t len, uint8_t* block) {
  std::memset(block, 0, 64);
  block[0] = 0x80;
  WriteBE64(block + 56, len * 8);
}

void StateToBytes(const uint32_t* state, uint8_t* out) {
  for (int i = 0; i < 8; ++i) WriteBE32(out + 4 * i, state[i]);
}

}  // namespace

Hash256 ReplicaId(const ProviderAddress& provider, uint64_t sector_number, const Hash256& ticket,
                  const Hash256& comm_d, SectorSize size) {
  uint8_t msg[20 + 8 + 32 + 32 + 8];
  std::memcpy(msg, provider.data(), 20);
  WriteBE64(msg + 20, sector_number);
  std::memcpy(msg + 28, ticket.data(), 32);
  std::memcpy(msg + 60, comm_d.data(), 32);
  WriteBE64(msg + 92, size.bytes());
  return crypto::Sha256Hash(ByteSpan(msg, sizeof(msg)));
}

void WriteLabelMessage(const Hash256& replica_id, uint32_t layer, uint64_t node, const uint8_t* drg,
                       const uint8_t* expander, uint8_t* out) {
  std::memset(out, 0, kLabelPrefixSize);
  std::memcpy(out, replica_id.data(), 32);
  WriteBE32(out + 32, layer);
  WriteBE64(out + 36, node);
  std::memcpy(out + kLabelPrefixSize, drg, kDrgDegree * kNodeSize);
  if (layer > 1) {
    std::memcpy(out + kLabelPrefixSize + kDrgDegree * kNodeSize, expander,
                kExpanderDegree * kNodeSize);
  }
}

void LabelLayer(const ParentCache& parents, const Hash256& replica_id, uint32_t layer,
                const uint8_t* below, uint8_t* out) {
  const uint64_t n = parents.nodes();
  const size_t msg_len = LabelMessageSize(layer);
  const size_t msg_blocks = msg_len / 64;
  alignas(64) uint8_t msg[LabelMessageSize(2)];
  alignas(64) uint8_t pad[64];
  PaddingBlock(msg_len, pad);
  std::memset(msg, 0, kLabelPrefixSize);
  std::memcpy(msg, replica_id.data(), 32);
  WriteBE32(msg + 32, layer);
  // How far ahead to prefetch parent labels: far enough to cover a cache
  // miss, near enough that the lines are still there when used.
  constexpr uint64_t kPrefetchDistance = 8;
  for (uint64_t v = 0; v < n; ++v) {
    if (v + kPrefetchDistance < n) {
      const uint32_t* ahead = parents.Parents(v + kPrefetchDistance);
      for (size_t k = 1; k < kDrgDegree; ++k) __builtin_prefetch(out + ahead[k] * kNodeSize);
      if (layer > 1) {
        for (size_t k = kDrgDegree; k < kParentCount; ++k) {
          __builtin_prefetch(below + ahead[k] * kNodeSize);
        }
      }
    }
    const uint32_t* p = parents.Parents(v);
    WriteBE64(msg + 36, v);
    uint8_t* dst = msg + kLabelPrefixSize;
    for (size_t k = 0; k < kDrgDegree; ++k, dst += kNodeSize) {
      // Node 0 has no earlier node; its DRG slots are zero labels.
      if (v == 0) {
        std::memset(dst, 0, kNodeSize);
      } else {
        std::memcpy(dst, out + uint64_t{p[k]} * kNodeSize, kNodeSize);
      }
    }
    if (layer > 1) {
      for (size_t k = kDrgDegree; k < kParentCount; ++k, dst += kNodeSize) {
        std::memcpy(dst, below + uint64_t{p[k]} * kNodeSize, kNodeSize);
      }
    }
    uint32_t state[8];
    std::memcpy(state, crypto::kSha256InitialState, sizeof(state));
    crypto::Sha256Transform(state, msg, msg_blocks);
    crypto::Sha256Transform(state, pad, 1);
    StateToBytes(state, out + v * kNodeSize);
  }
}

void ColumnHashes(const uint8_t* const* layers, uint32_t num_layers, uint64_t begin, uint64_t end,
                  uint8_t* out) {
  constexpr uint64_t kBatch = 256;
  const size_t msg_len = size_t{num_layers} * kNodeSize;
  Bytes msgs(kBatch * msg_len);
  for (uint64_t base = begin; base < end; base += kBatch) {
    uint64_t count = std::min(kBatch, end - base);
    for (uint64_t i = 0; i < count; ++i) {
      for (uint32_t l = 0; l < num_layers; ++l) {
        std::memcpy(&msgs[i * msg_len + l * kNodeSize], layers[l] + (base + i) * kNodeSize,
                    kNodeSize);
      }
    }
    crypto::Sha256Batch(msgs.data(), msg_len, count, out + (base - begin) * kNodeSize);
  }
}

}  // namespace depin::storage::proofs

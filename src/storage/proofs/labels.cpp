#include "storage/proofs/labels.h"

#include <cstring>

#include "crypto/sha256.h"

namespace depin::storage::proofs {
namespace {

void StateToBytes(const uint32_t* state, uint8_t* out) {
  for (int i = 0; i < 8; ++i) WriteBE32(out + 4 * i, state[i]);
}

void WritePrefix(const Hash256& replica_id, uint32_t layer, uint8_t* out) {
  std::memset(out, 0, kLabelPrefixSize);
  std::memcpy(out, replica_id.data(), 32);
  WriteBE32(out + 32, layer);
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
  WritePrefix(replica_id, layer, out);
  uint8_t* p = out + kLabelPrefixSize;
  std::memcpy(p, drg, kDrgDegree * kNodeSize);
  p += kDrgDegree * kNodeSize;
  if (layer > 1) {
    std::memcpy(p, expander, kExpanderDegree * kNodeSize);
    p += kExpanderDegree * kNodeSize;
  }
  WriteBE64(p, node);
}

void LabelLayer(const ParentCache& parents, const Hash256& replica_id, uint32_t layer,
                const uint8_t* below, uint8_t* out) {
  const uint64_t n = parents.nodes();
  const size_t parent_bytes = (layer == 1 ? kDrgDegree : kParentCount) * kNodeSize;
  // The first block is the same for every node of the layer: compress it
  // once and start each label from that midstate.
  alignas(64) uint8_t prefix[kLabelPrefixSize];
  WritePrefix(replica_id, layer, prefix);
  uint32_t prefix_state[8];
  std::memcpy(prefix_state, crypto::kSha256InitialState, sizeof(prefix_state));
  crypto::Sha256Transform(prefix_state, prefix, 1);
  // The rest of the message: parent labels, then a final block holding the
  // node index and the padding, so each label is one Transform call.
  alignas(64) uint8_t msg[kParentCount * kNodeSize + 64];
  uint8_t* final_block = msg + parent_bytes;
  std::memset(final_block, 0, 64);
  final_block[8] = 0x80;
  WriteBE64(final_block + 56, uint64_t{LabelMessageSize(layer)} * 8);
  const size_t blocks = parent_bytes / 64 + 1;
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
    uint8_t* dst = msg;
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
    WriteBE64(final_block, v);
    uint32_t state[8];
    std::memcpy(state, prefix_state, sizeof(state));
    crypto::Sha256Transform(state, msg, blocks);
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

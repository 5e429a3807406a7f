#include "crypto/hash_backend.h"

#include <cstring>

#include "crypto/sha256.h"

namespace depin::crypto {
namespace {

class CpuBackend final : public HashBackend {
 public:
  std::string_view name() const override { return "cpu"; }
  void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) const override {
    crypto::Sha256Batch(in, msg_len, count, out);
  }
  void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count) const override {
    crypto::Sha256PairBatch(in, out, count);
  }
};

}  // namespace

void VerifyMerklePathsCpu(const MerklePathBatch& batch, uint8_t* ok) {
  for (size_t i = 0; i < batch.count; ++i) {
    uint8_t node[32];
    std::memcpy(node, batch.leaves + 32 * i, 32);
    const uint8_t* siblings = batch.siblings + 32 * batch.sibling_offsets[i];
    for (uint32_t level = 0; level < batch.heights[i]; ++level) {
      if ((batch.indices[i] >> level) & 1) {
        crypto::Sha256Pair(siblings + 32 * level, node, node);
      } else {
        crypto::Sha256Pair(node, siblings + 32 * level, node);
      }
    }
    ok[i] = std::memcmp(node, batch.roots + 32 * i, 32) == 0 ? 1 : 0;
  }
}

const HashBackend& CpuHashBackend() {
  static const CpuBackend kCpu;
  return kCpu;
}

}  // namespace depin::crypto

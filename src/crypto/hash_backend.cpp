#include "crypto/hash_backend.h"

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

const HashBackend& CpuHashBackend() {
  static const CpuBackend kCpu;
  return kCpu;
}

}  // namespace depin::crypto

#include "consensus/proof_check.h"

#include "crypto/sha256.h"

namespace depin::consensus {

Hash256 ProofCheck::Id() const {
  Bytes buf;
  buf.reserve(20 + 8 + public_inputs.size() + proof.size());
  buf.insert(buf.end(), module.begin(), module.end());
  auto be32 = [&buf](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) buf.push_back(static_cast<uint8_t>(v >> shift));
  };
  be32(kind);
  be32(static_cast<uint32_t>(public_inputs.size()));
  buf.insert(buf.end(), public_inputs.begin(), public_inputs.end());
  buf.insert(buf.end(), proof.begin(), proof.end());
  return crypto::Sha256Hash(buf);
}

}  // namespace depin::consensus

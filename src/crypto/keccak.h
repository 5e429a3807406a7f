// Keccak-256 as Ethereum uses it (original Keccak padding 0x01, not SHA3's
// 0x06): tx hashes, signing hashes, addresses, ABI selectors, log blooms.
// Keccak-f[1600] is written here; no Debian C library provides it.
//
// Thread-safety: free functions are reentrant; a Keccak256 object is not shared.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"

namespace depin::crypto {

void KeccakF1600(uint64_t state[25]);

class Keccak256 {
 public:
  static constexpr size_t kRate = 136;
  Keccak256();
  Keccak256& Write(const uint8_t* data, size_t len);
  Keccak256& Write(ByteSpan data) { return Write(data.data(), data.size()); }
  Hash256 Finalize();

 private:
  uint64_t state_[25];
  uint8_t buf_[kRate];
  size_t buf_len_ = 0;
};

Hash256 Keccak256Hash(ByteSpan data);

}  // namespace depin::crypto

// 20-byte account addresses: the last 20 bytes of keccak256 of the 64-byte
// uncompressed public key, shown EIP-55 checksummed.
//
// Thread-safety: plain value type.
#pragma once

#include <string>
#include <string_view>

#include "crypto/secp256k1.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin {

struct Address : FixedBytes<20> {
  Address() = default;
  explicit Address(const FixedBytes<20>& b) : FixedBytes<20>(b) {}
  explicit Address(const uint8_t* p) : FixedBytes<20>(p) {}

  static Address FromPublicKey(const crypto::PublicKey& pub);
  // Accepts 0x + 40 hex digits. All-lower or all-upper digits are accepted
  // as-is; mixed case must carry a valid EIP-55 checksum ("address-bad-checksum").
  static Result<Address> Parse(std::string_view text);
  // EIP-55 mixed-case checksum form, 0x-prefixed.
  std::string ToChecksumHex() const;
};

// The fixed address of a native module: 0x...1000, 0x...2000 and so on.
Address ModuleAddress(uint16_t low16);

}  // namespace depin

// Hierarchical deterministic keys as common Ethereum wallets make them:
// BIP-39 mnemonic -> 64-byte seed, and BIP-32 derivation of secp256k1
// private keys along a path such as "m/44'/60'/0'/0/0", so that a mnemonic
// from MetaMask or Hardhat yields the same accounts here (depin-cli import,
// regtest dev accounts).
//
// Mnemonic word lists and checksums are not checked: the seed depends only on
// the text, and any checksum error would surface as unexpected addresses.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "crypto/secp256k1.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::crypto {

// PBKDF2-HMAC-SHA512(mnemonic, "mnemonic" + passphrase, 2048 iterations).
// BIP-39 normalizes both strings to Unicode NFKD first; that is the identity
// on ASCII, and since there is no normalizer here non-ASCII input is refused
// ("bip39-non-ascii") rather than silently giving another wallet's seed.
// An empty mnemonic is "bip39-empty".
Result<FixedBytes<64>> Bip39Seed(std::string_view mnemonic, std::string_view passphrase);

// Indexes at or above this are hardened (written with ' or h in a path).
inline constexpr uint32_t kBip32Hardened = 0x80000000u;

struct Bip32Node {
  FixedBytes<32> key;  // private key, big-endian, in [1, n-1]
  FixedBytes<32> chain_code;
};

// Master node from a 16..64-byte seed (HMAC-SHA512 keyed "Bitcoin seed").
// Errors: "bip32-bad-seed" for the length or (with negligible probability) an
// invalid master key.
Result<Bip32Node> Bip32Master(ByteSpan seed);
// Private child derivation. Errors: "bip32-invalid-child" in the ~2^-127 case
// the spec says to skip to the next index.
Result<Bip32Node> Bip32Child(const Bip32Node& parent, uint32_t index);

// "m", "m/0", "m/44'/60'/0'/0/0", "m/0h/1H" -> indexes with kBip32Hardened set
// where marked. Errors: "bip32-bad-path".
Result<std::vector<uint32_t>> ParseBip32Path(std::string_view path);

// The private key at `path` below the master node of `seed`.
Result<PrivateKey> DeriveBip32(ByteSpan seed, std::string_view path);
inline Result<PrivateKey> DeriveBip32(const FixedBytes<64>& seed, std::string_view path) {
  return DeriveBip32(seed.span(), path);
}

}  // namespace depin::crypto

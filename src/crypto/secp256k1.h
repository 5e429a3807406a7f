// secp256k1 keys through libsecp256k1: key generation, recoverable ECDSA
// signing (RFC 6979 nonces), public-key recovery with low-s enforcement, and
// ECDH for encrypting lease access details. Addresses are derived from the
// 64-byte public key in primitives/address.h.
//
// Thread-safety: all functions may be called from any thread; they share one
// immutable, randomized libsecp256k1 context created on first use.
#pragma once

#include <cstdint>
#include <optional>

#include "util/bytes.h"
#include "util/status.h"

namespace depin::crypto {

// Uncompressed public key without the 0x04 prefix: X || Y, 64 bytes.
using PublicKey = FixedBytes<64>;

struct RecoverableSignature {
  Hash256 r;          // big-endian
  Hash256 s;          // big-endian, low-s when produced by Sign
  uint8_t recid = 0;  // 0 or 1 (y parity); 2/3 are rejected
};

class PrivateKey {
 public:
  // A fresh key from the OS random source.
  static PrivateKey Generate();
  // Rejects zero and values >= the curve order ("key-invalid").
  static Result<PrivateKey> FromBytes(ByteSpan secret32);

  const FixedBytes<32>& secret() const { return secret_; }
  PublicKey GetPublicKey() const;
  // Deterministic (RFC 6979) signature over a 32-byte digest, normalized to low-s.
  RecoverableSignature Sign(const Hash256& digest) const;
  // ECDH shared secret: SHA-256 of the compressed shared point (libsecp256k1 default).
  Result<Hash256> SharedSecret(const PublicKey& peer) const;

 private:
  explicit PrivateKey(const FixedBytes<32>& s) : secret_(s) {}
  FixedBytes<32> secret_;
};

// Recovers the signer's public key. Errors: "sig-high-s" when s > n/2,
// "sig-invalid" for r or s out of range, a bad recid, or no point.
Result<PublicKey> RecoverPublicKey(const Hash256& digest, const RecoverableSignature& sig);

// s <= n/2 (EIP-2).
bool IsLowS(const Hash256& s);

// Parses a SEC1 public key, compressed (33 bytes) or uncompressed (65 bytes),
// into the 64-byte form. Errors: "pubkey-invalid".
Result<PublicKey> ParsePublicKey(ByteSpan serialized);
// The 33-byte compressed SEC1 form (BIP-32, ECDH peers). Errors: "pubkey-invalid".
Result<FixedBytes<33>> CompressPublicKey(const PublicKey& key);

}  // namespace depin::crypto

// Sealed boxes for lease access details: a compute provider encrypts a
// lease's access details (host, port, credentials) to the tenant's public
// key, the chain stores only the box, and only the tenant's private key opens
// it. The scheme (docs/markets.md, "Access details"):
//   e        = a fresh secp256k1 key per box
//   shared   = PrivateKey::SharedSecret: SHA-256 of the compressed ECDH point
//   key      = HKDF-SHA256(ikm = shared, salt = compressed(e.pub) ||
//                          compressed(tenant), info = "depin-lease-access-v1"), 32 bytes
//   box      = 0x01 || compressed(e.pub) (33) || nonce (12) ||
//              AES-256-GCM(key, nonce, plaintext, aad) || tag (16)
// `aad` binds the box to its context (the market uses the lease id), so a
// box cannot be replayed onto another lease.
//
// Thread-safety: plain functions.
#pragma once

#include <cstddef>

#include "crypto/secp256k1.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::crypto {

inline constexpr uint8_t kAccessBoxVersion = 1;
// Version, ephemeral key, nonce and tag: what a box adds to its plaintext.
inline constexpr size_t kAccessBoxOverhead = 1 + 33 + 12 + 16;

// Encrypts `plaintext` to `recipient` with a fresh ephemeral key and nonce.
// Errors: "pubkey-invalid" (not a curve point).
Result<Bytes> SealAccessBox(const PublicKey& recipient, ByteSpan plaintext, ByteSpan aad);
// The same with the ephemeral key and nonce given (tests, known answers).
Result<Bytes> SealAccessBoxWith(const PublicKey& recipient, ByteSpan plaintext, ByteSpan aad,
                                const PrivateKey& ephemeral, const FixedBytes<12>& nonce);
// Decrypts a box with the recipient's key. Errors: "box-malformed" (short,
// unknown version, bad ephemeral key), "box-auth-failed" (wrong key, wrong
// aad or a changed byte).
Result<Bytes> OpenAccessBox(const PrivateKey& recipient, ByteSpan box, ByteSpan aad);

}  // namespace depin::crypto

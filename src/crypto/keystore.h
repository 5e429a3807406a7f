// Ethereum Web3 Secret Storage (V3 keystore JSON): how keys live on disk, so
// that key files move between this node, geth, MetaMask and ethers.js. A key
// is encrypted with AES-128-CTR under the first half of a password-derived key
// (scrypt when writing; scrypt or PBKDF2-HMAC-SHA256 when reading), and
// authenticated with mac = keccak256(derived_key[16..32] || ciphertext).
//
// Error codes: "keystore-malformed" (JSON shape, field types, lengths),
// "keystore-unsupported-kdf", "keystore-unsupported-cipher",
// "keystore-kdf-too-expensive" (parameters beyond what a node should spend),
// "keystore-bad-password" (MAC mismatch).
//
// Thread-safety: free functions on values, reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/secp256k1.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::crypto {

enum class KeystoreKdf { kScrypt, kPbkdf2 };

struct KeystoreV3 {
  std::string id;       // UUID, e.g. "3198bc9c-6672-5ab3-d995-4942343ae5b6"
  std::string address;  // lower-case hex without 0x; empty when the file has none
  Bytes ciphertext;
  FixedBytes<16> iv;
  KeystoreKdf kdf = KeystoreKdf::kScrypt;
  Bytes salt;
  uint32_t dklen = 32;
  // scrypt
  uint64_t n = 0;
  uint32_t r = 0;
  uint32_t p = 0;
  // pbkdf2 (prf hmac-sha256)
  uint32_t c = 0;
  Hash256 mac;
};

// Scrypt cost for new key files. The default is geth's "standard" setting
// (about 256 MiB and a second of CPU); tests and regtest tooling lower n.
struct ScryptParams {
  uint64_t n = 262144;
  uint32_t r = 8;
  uint32_t p = 1;
};

// scrypt (RFC 7914) with HMAC-SHA256. Written here rather than taken from
// OpenSSL because OpenSSL refuses n >= 2^(16 r), and the published Web3
// Secret Storage vector (and files from some wallets) use r = 1, n = 2^18.
// Errors: "keystore-malformed" (n not a power of two, r or p zero, dklen),
// "keystore-kdf-too-expensive" (more than 1 GiB of memory, or more work than
// n * r * p = 2^23, 4x geth's standard setting: a few seconds of CPU).
Result<Bytes> Scrypt(std::string_view password, ByteSpan salt, uint64_t n, uint32_t r, uint32_t p,
                     size_t dklen);

// Encrypts `key` with a fresh random salt, IV and UUID.
Result<KeystoreV3> EncryptKeystore(const PrivateKey& key, std::string_view password,
                                   const ScryptParams& params = {});
Result<PrivateKey> DecryptKeystore(const KeystoreV3& keystore, std::string_view password);

// The V3 JSON document (geth's field names and layout).
std::string KeystoreToJson(const KeystoreV3& keystore);
Result<KeystoreV3> KeystoreFromJson(std::string_view json);

}  // namespace depin::crypto

#include "crypto/secp256k1.h"

#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace depin::crypto {
namespace {

// The curve order n and n/2, big-endian.
constexpr uint8_t kCurveOrder[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,
    0xBA, 0xAE, 0xDC, 0xE6, 0xAF, 0x48, 0xA0, 0x3B, 0xBF, 0xD2, 0x5E, 0x8C, 0xD0, 0x36, 0x41, 0x41};
constexpr uint8_t kHalfCurveOrder[32] = {
    0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0x5D, 0x57, 0x6E, 0x73, 0x57, 0xA4, 0x50, 0x1D, 0xDF, 0xE9, 0x2F, 0x46, 0x68, 0x1B, 0x20, 0xA0};

void RandomBytes(uint8_t* out, size_t len) {
  // Running without a working OS random source would silently produce weak
  // keys; that is a start-up class failure, not an expected error.
  if (RAND_bytes(out, static_cast<int>(len)) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed: no usable random source");
}

secp256k1_context* CreateContext() {
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (ctx == nullptr) throw std::runtime_error("secp256k1_context_create failed");
  // Blinding protects signing against side channels; it never changes results.
  uint8_t seed[32];
  RandomBytes(seed, sizeof(seed));
  if (!secp256k1_context_randomize(ctx, seed))
    throw std::runtime_error("secp256k1_context_randomize failed");
  return ctx;
}

// Created once, never mutated afterwards, so concurrent use is safe. It lives
// for the whole process on purpose (destroying it at exit would race late users).
const secp256k1_context* Context() {
  static const secp256k1_context* const ctx = CreateContext();
  return ctx;
}

bool IsZero32(const uint8_t* p) {
  uint8_t acc = 0;
  for (int i = 0; i < 32; ++i) acc |= p[i];
  return acc == 0;
}

// Big-endian a < b.
bool Less32(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, 32) < 0; }

Result<secp256k1_pubkey> ParsePeer(const PublicKey& key) {
  uint8_t ser[65];
  ser[0] = 0x04;
  std::memcpy(ser + 1, key.data(), 64);
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_parse(Context(), &pub, ser, sizeof(ser)))
    return Status::Error("pubkey-invalid", "public key is not a point on secp256k1");
  return pub;
}

PublicKey SerializeUncompressed(const secp256k1_pubkey& pub) {
  uint8_t ser[65];
  size_t len = sizeof(ser);
  secp256k1_ec_pubkey_serialize(Context(), ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return PublicKey(ser + 1);
}

}  // namespace

PrivateKey PrivateKey::Generate() {
  FixedBytes<32> s;
  // A uniformly random 32-byte string is a valid key except with probability
  // ~2^-128; loop rather than reduce so the distribution stays uniform.
  do {
    RandomBytes(s.data(), s.size());
  } while (!secp256k1_ec_seckey_verify(Context(), s.data()));
  return PrivateKey(s);
}

Result<PrivateKey> PrivateKey::FromBytes(ByteSpan secret32) {
  if (secret32.size() != 32) return Status::Error("key-invalid", "private key must be 32 bytes");
  if (IsZero32(secret32.data()) || !Less32(secret32.data(), kCurveOrder))
    return Status::Error("key-invalid", "private key must be in [1, n-1]");
  return PrivateKey(FixedBytes<32>(secret32.data()));
}

PublicKey PrivateKey::GetPublicKey() const {
  secp256k1_pubkey pub;
  // Cannot fail: the secret was range-checked on construction.
  if (!secp256k1_ec_pubkey_create(Context(), &pub, secret_.data()))
    throw std::logic_error("secp256k1_ec_pubkey_create rejected a checked key");
  return SerializeUncompressed(pub);
}

RecoverableSignature PrivateKey::Sign(const Hash256& digest) const {
  secp256k1_ecdsa_recoverable_signature sig;
  // The default nonce function is RFC 6979; libsecp256k1 always emits low-s.
  if (!secp256k1_ecdsa_sign_recoverable(Context(), &sig, digest.data(), secret_.data(), nullptr,
                                        nullptr))
    throw std::logic_error("secp256k1_ecdsa_sign_recoverable rejected a checked key");
  uint8_t compact[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), compact, &recid, &sig);
  RecoverableSignature out;
  std::memcpy(out.r.data(), compact, 32);
  std::memcpy(out.s.data(), compact + 32, 32);
  out.recid = static_cast<uint8_t>(recid);
  return out;
}

Result<Hash256> PrivateKey::SharedSecret(const PublicKey& peer) const {
  auto pub = ParsePeer(peer);
  if (!pub) return pub.status();
  Hash256 out;
  if (!secp256k1_ecdh(Context(), out.data(), &*pub, secret_.data(), nullptr, nullptr))
    return Status::Error("ecdh-failed", "ECDH produced the point at infinity");
  return out;
}

bool IsLowS(const Hash256& s) { return std::memcmp(s.data(), kHalfCurveOrder, 32) <= 0; }

Result<PublicKey> RecoverPublicKey(const Hash256& digest, const RecoverableSignature& sig) {
  // Cheap byte checks first so malformed input gets a precise error code and
  // never reaches the curve arithmetic.
  if (sig.recid > 1) return Status::Error("sig-invalid", "recovery id must be 0 or 1");
  if (IsZero32(sig.r.data()) || !Less32(sig.r.data(), kCurveOrder))
    return Status::Error("sig-invalid", "r out of range");
  if (IsZero32(sig.s.data())) return Status::Error("sig-invalid", "s out of range");
  if (!IsLowS(sig.s)) return Status::Error("sig-high-s", "s above n/2 (EIP-2)");

  const secp256k1_context* ctx = Context();
  uint8_t compact[64];
  std::memcpy(compact, sig.r.data(), 32);
  std::memcpy(compact + 32, sig.s.data(), 32);
  secp256k1_ecdsa_recoverable_signature parsed;
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &parsed, compact, sig.recid) ||
      !secp256k1_ecdsa_recover(ctx, &pub, &parsed, digest.data()))
    return Status::Error("sig-invalid", "no public key recovers from this signature");
  uint8_t ser[65];
  size_t len = sizeof(ser);
  secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  return PublicKey(ser + 1);
}

Result<PublicKey> ParsePublicKey(ByteSpan serialized) {
  if (serialized.size() != 33 && serialized.size() != 65)
    return Status::Error("pubkey-invalid", "public key must be 33 or 65 bytes");
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_parse(Context(), &pub, serialized.data(), serialized.size()))
    return Status::Error("pubkey-invalid", "public key is not a point on secp256k1");
  return SerializeUncompressed(pub);
}

Result<FixedBytes<33>> CompressPublicKey(const PublicKey& key) {
  auto pub = ParsePeer(key);
  if (!pub) return pub.status();
  FixedBytes<33> out;
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(Context(), out.data(), &len, &*pub, SECP256K1_EC_COMPRESSED);
  return out;
}

}  // namespace depin::crypto

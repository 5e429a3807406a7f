#include "crypto/hd_wallet.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <secp256k1.h>

#include <cstring>
#include <string>

namespace depin::crypto {
namespace {

FixedBytes<64> HmacSha512(ByteSpan key, ByteSpan data) {
  FixedBytes<64> out;
  unsigned int len = 0;
  HMAC(EVP_sha512(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
       &len);
  return out;
}

bool IsAscii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

Result<Bip32Node> NodeFromHmac(const FixedBytes<64>& i, const char* error_code) {
  Bip32Node node;
  std::memcpy(node.key.data(), i.data(), 32);
  std::memcpy(node.chain_code.data(), i.data() + 32, 32);
  if (!PrivateKey::FromBytes(node.key.span()).ok())
    return Status::Error(error_code, "derived key is zero or not below the curve order");
  return node;
}

}  // namespace

Result<FixedBytes<64>> Bip39Seed(std::string_view mnemonic, std::string_view passphrase) {
  if (mnemonic.empty()) return Status::Error("bip39-empty", "mnemonic is empty");
  if (!IsAscii(mnemonic) || !IsAscii(passphrase))
    return Status::Error("bip39-non-ascii",
                         "non-ASCII mnemonic or passphrase needs NFKD normalization");
  const std::string salt = "mnemonic" + std::string(passphrase);
  FixedBytes<64> seed;
  if (PKCS5_PBKDF2_HMAC(mnemonic.data(), static_cast<int>(mnemonic.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), 2048, EVP_sha512(),
                        static_cast<int>(seed.size()), seed.data()) != 1)
    return Status::Error("bip39-kdf-failed", "PBKDF2 failed");
  return seed;
}

Result<Bip32Node> Bip32Master(ByteSpan seed) {
  if (seed.size() < 16 || seed.size() > 64)
    return Status::Error("bip32-bad-seed", "seed must be 16 to 64 bytes");
  return NodeFromHmac(HmacSha512(AsSpan("Bitcoin seed"), seed), "bip32-bad-seed");
}

Result<Bip32Node> Bip32Child(const Bip32Node& parent, uint32_t index) {
  auto parent_key = PrivateKey::FromBytes(parent.key.span());
  if (!parent_key) return parent_key.status();
  uint8_t data[37];
  if (index >= kBip32Hardened) {
    data[0] = 0;
    std::memcpy(data + 1, parent.key.data(), 32);
  } else {
    auto compressed = CompressPublicKey(parent_key->GetPublicKey());
    if (!compressed) return compressed.status();
    std::memcpy(data, compressed->data(), 33);
  }
  WriteBE32(data + 33, index);
  const FixedBytes<64> i = HmacSha512(parent.chain_code.span(), ByteSpan(data, sizeof(data)));

  Bip32Node child;
  child.key = parent.key;
  std::memcpy(child.chain_code.data(), i.data() + 32, 32);
  // key = IL + k_par (mod n); fails when IL >= n or the sum is zero. Tweaking
  // needs no precomputed tables, so the static context suffices.
  if (!secp256k1_ec_seckey_tweak_add(secp256k1_context_static, child.key.data(), i.data()))
    return Status::Error("bip32-invalid-child", "index " + std::to_string(index) +
                                                    " gives an invalid key; use the next index");
  return child;
}

Result<std::vector<uint32_t>> ParseBip32Path(std::string_view path) {
  auto bad = [&](const char* why) {
    return Status::Error("bip32-bad-path", std::string(why) + ": \"" + std::string(path) + "\"");
  };
  if (path.empty() || path[0] != 'm') return bad("path must start with m");
  std::vector<uint32_t> out;
  size_t pos = 1;
  while (pos < path.size()) {
    if (path[pos] != '/') return bad("expected '/'");
    ++pos;
    uint64_t value = 0;
    size_t digits = 0;
    while (pos < path.size() && path[pos] >= '0' && path[pos] <= '9') {
      value = value * 10 + static_cast<uint64_t>(path[pos] - '0');
      if (value >= kBip32Hardened) return bad("index too large");
      ++pos;
      ++digits;
    }
    if (digits == 0) return bad("missing index");
    if (digits > 1 && path[pos - digits] == '0') return bad("leading zero in index");
    if (pos < path.size() && (path[pos] == '\'' || path[pos] == 'h' || path[pos] == 'H')) {
      value |= kBip32Hardened;
      ++pos;
    }
    out.push_back(static_cast<uint32_t>(value));
  }
  return out;
}

Result<PrivateKey> DeriveBip32(ByteSpan seed, std::string_view path) {
  auto indexes = ParseBip32Path(path);
  if (!indexes) return indexes.status();
  auto node = Bip32Master(seed);
  if (!node) return node.status();
  for (uint32_t index : *indexes) {
    node = Bip32Child(*node, index);
    if (!node) return node.status();
  }
  return PrivateKey::FromBytes(node->key.span());
}

}  // namespace depin::crypto

#include "crypto/access_box.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <string_view>

namespace depin::crypto {
namespace {

constexpr std::string_view kInfo = "depin-lease-access-v1";
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};

// HKDF-SHA256 (RFC 5869), 32 bytes out.
FixedBytes<32> Hkdf(const Hash256& ikm, ByteSpan salt) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  FixedBytes<32> out;
  size_t len = out.size();
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(), static_cast<int>(salt.size())) != 1 ||
      EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.data(), static_cast<int>(ikm.size())) != 1 ||
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<const unsigned char*>(kInfo.data()),
                                  static_cast<int>(kInfo.size())) != 1 ||
      EVP_PKEY_derive(ctx.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("OpenSSL HKDF-SHA256 failed");
  }
  return out;
}

Result<FixedBytes<32>> BoxKey(const PrivateKey& own, const PublicKey& peer,
                              const FixedBytes<33>& ephemeral_pub,
                              const FixedBytes<33>& recipient_pub) {
  auto shared = own.SharedSecret(peer);
  if (!shared.ok()) return shared.status();
  Bytes salt(ephemeral_pub.begin(), ephemeral_pub.end());
  salt.insert(salt.end(), recipient_pub.begin(), recipient_pub.end());
  return Hkdf(*shared, salt);
}

}  // namespace

Result<Bytes> SealAccessBoxWith(const PublicKey& recipient, ByteSpan plaintext, ByteSpan aad,
                                const PrivateKey& ephemeral, const FixedBytes<12>& nonce) {
  auto recipient_c = CompressPublicKey(recipient);
  if (!recipient_c.ok()) return recipient_c.status();
  auto ephemeral_c = CompressPublicKey(ephemeral.GetPublicKey());
  if (!ephemeral_c.ok()) return ephemeral_c.status();
  auto key = BoxKey(ephemeral, recipient, *ephemeral_c, *recipient_c);
  if (!key.ok()) return key.status();

  Bytes box{kAccessBoxVersion};
  box.insert(box.end(), ephemeral_c->begin(), ephemeral_c->end());
  box.insert(box.end(), nonce.begin(), nonce.end());
  const size_t body = box.size();
  box.resize(body + plaintext.size() + kTagBytes);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key->data(), nonce.data()) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                         static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), box.data() + body, &len, plaintext.data(),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), box.data() + body + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes),
                          box.data() + body + plaintext.size()) != 1) {
    throw std::runtime_error("OpenSSL AES-256-GCM encryption failed");
  }
  return box;
}

Result<Bytes> SealAccessBox(const PublicKey& recipient, ByteSpan plaintext, ByteSpan aad) {
  FixedBytes<12> nonce;
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no usable random source");
  }
  return SealAccessBoxWith(recipient, plaintext, aad, PrivateKey::Generate(), nonce);
}

Result<Bytes> OpenAccessBox(const PrivateKey& recipient, ByteSpan box, ByteSpan aad) {
  if (box.size() < kAccessBoxOverhead || box[0] != kAccessBoxVersion) {
    return Status::Error("box-malformed", "not an access box of version 1");
  }
  auto ephemeral = ParsePublicKey(box.subspan(1, 33));
  if (!ephemeral.ok()) return Status::Error("box-malformed", "bad ephemeral public key");
  auto recipient_c = CompressPublicKey(recipient.GetPublicKey());
  if (!recipient_c.ok()) return recipient_c.status();
  FixedBytes<33> ephemeral_c(box.data() + 1);
  auto key = BoxKey(recipient, *ephemeral, ephemeral_c, *recipient_c);
  if (!key.ok()) return key.status();
  const uint8_t* nonce = box.data() + 34;
  const size_t body = 34 + kNonceBytes;
  const size_t n = box.size() - body - kTagBytes;
  Bytes plain(n);
  Bytes tag(box.end() - kTagBytes, box.end());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key->data(), nonce) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data(),
                                         static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(ctx.get(), plain.data(), &len, box.data() + body, static_cast<int>(n)) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes),
                          tag.data()) != 1) {
    throw std::runtime_error("OpenSSL AES-256-GCM decryption failed");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + len, &final_len) != 1) {
    return Status::Error("box-auth-failed", "the box does not open with this key and context");
  }
  return plain;
}

}  // namespace depin::crypto

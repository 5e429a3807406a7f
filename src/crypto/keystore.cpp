#include "crypto/keystore.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include "crypto/keccak.h"

namespace depin::crypto {
namespace {

// A node should never be talked into unbounded work or memory by a key file.
constexpr uint64_t kMaxScryptMemory = uint64_t{1} << 30;  // 1 GiB
// scrypt's time is proportional to n * r * p (p passes of ROMix, each 2n
// BlockMix rounds over r pairs of blocks), and p costs no extra memory, so
// the memory bound alone lets a file ask for hours of CPU. 2^23 is 4x geth's
// "standard" setting (n = 2^18, r = 8, p = 1), a few seconds.
constexpr uint64_t kMaxScryptWork = uint64_t{1} << 23;
constexpr uint32_t kMaxPbkdf2Iterations = 10'000'000;
constexpr uint32_t kMaxDklen = 64;

Status Malformed(const std::string& why) { return Status::Error("keystore-malformed", why); }

void RandomBytes(uint8_t* out, size_t len) {
  if (RAND_bytes(out, static_cast<int>(len)) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed: no usable random source");
}

std::string NewUuid() {
  uint8_t b[16];
  RandomBytes(b, sizeof(b));
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4 (random)
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  const std::string hex = HexEncode(ByteSpan(b, 16), /*prefix=*/false);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

Status CheckScryptParams(uint64_t n, uint32_t r, uint32_t p) {
  if (n < 2 || (n & (n - 1)) != 0) return Malformed("scrypt n must be a power of two >= 2");
  if (r == 0 || p == 0) return Malformed("scrypt r and p must be positive");
  // Memory is about 128 * r * (n + p) bytes; check without overflowing.
  if (n > kMaxScryptMemory / 128 / r || p > kMaxScryptMemory / 128 / r ||
      128 * uint64_t{r} * (n + p) > kMaxScryptMemory)
    return Status::Error("keystore-kdf-too-expensive", "scrypt parameters need more than 1 GiB");
  // n * r fits 2^23 here (the memory bound), so the product cannot overflow.
  if (n * r > kMaxScryptWork / p) {
    return Status::Error("keystore-kdf-too-expensive",
                         "scrypt parameters need more work than n * r * p = 2^23");
  }
  return Status::Ok();
}

inline uint32_t Rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

// Salsa20/8 core (RFC 7914 section 3), in place on 16 words.
void Salsa208(uint32_t b[16]) {
  uint32_t x[16];
  std::memcpy(x, b, sizeof(x));
  for (int i = 0; i < 8; i += 2) {
    x[4] ^= Rotl32(x[0] + x[12], 7);
    x[8] ^= Rotl32(x[4] + x[0], 9);
    x[12] ^= Rotl32(x[8] + x[4], 13);
    x[0] ^= Rotl32(x[12] + x[8], 18);
    x[9] ^= Rotl32(x[5] + x[1], 7);
    x[13] ^= Rotl32(x[9] + x[5], 9);
    x[1] ^= Rotl32(x[13] + x[9], 13);
    x[5] ^= Rotl32(x[1] + x[13], 18);
    x[14] ^= Rotl32(x[10] + x[6], 7);
    x[2] ^= Rotl32(x[14] + x[10], 9);
    x[6] ^= Rotl32(x[2] + x[14], 13);
    x[10] ^= Rotl32(x[6] + x[2], 18);
    x[3] ^= Rotl32(x[15] + x[11], 7);
    x[7] ^= Rotl32(x[3] + x[15], 9);
    x[11] ^= Rotl32(x[7] + x[3], 13);
    x[15] ^= Rotl32(x[11] + x[7], 18);
    x[1] ^= Rotl32(x[0] + x[3], 7);
    x[2] ^= Rotl32(x[1] + x[0], 9);
    x[3] ^= Rotl32(x[2] + x[1], 13);
    x[0] ^= Rotl32(x[3] + x[2], 18);
    x[6] ^= Rotl32(x[5] + x[4], 7);
    x[7] ^= Rotl32(x[6] + x[5], 9);
    x[4] ^= Rotl32(x[7] + x[6], 13);
    x[5] ^= Rotl32(x[4] + x[7], 18);
    x[11] ^= Rotl32(x[10] + x[9], 7);
    x[8] ^= Rotl32(x[11] + x[10], 9);
    x[9] ^= Rotl32(x[8] + x[11], 13);
    x[10] ^= Rotl32(x[9] + x[8], 18);
    x[12] ^= Rotl32(x[15] + x[14], 7);
    x[13] ^= Rotl32(x[12] + x[15], 9);
    x[14] ^= Rotl32(x[13] + x[12], 13);
    x[15] ^= Rotl32(x[14] + x[13], 18);
  }
  for (int i = 0; i < 16; ++i) b[i] += x[i];
}

// scryptBlockMix: `in` and `out` are 2r blocks of 16 words and do not overlap.
void BlockMix(const uint32_t* in, uint32_t* out, uint32_t r) {
  uint32_t x[16];
  std::memcpy(x, in + (2 * r - 1) * 16, sizeof(x));
  for (uint32_t i = 0; i < 2 * r; ++i) {
    for (int k = 0; k < 16; ++k) x[k] ^= in[i * 16 + k];
    Salsa208(x);
    // Even outputs go to the first half, odd ones to the second.
    std::memcpy(out + ((i & 1) * r + i / 2) * 16, x, sizeof(x));
  }
}

// scryptROMix on one 128r-byte chunk of B, in place.
void RoMix(uint8_t* b, uint64_t n, uint32_t r, uint32_t* v, uint32_t* x, uint32_t* y) {
  const size_t words = 32 * size_t{r};
  for (size_t k = 0; k < words; ++k) x[k] = ReadLE32(b + 4 * k);
  for (uint64_t i = 0; i < n; ++i) {
    std::memcpy(v + i * words, x, words * 4);
    BlockMix(x, y, r);
    std::swap(x, y);
  }
  for (uint64_t i = 0; i < n; ++i) {
    // Integerify: the first word of the last 64-byte block; n <= 2^32 here.
    const uint64_t j = x[(2 * r - 1) * 16] & (n - 1);
    const uint32_t* vj = v + j * words;
    for (size_t k = 0; k < words; ++k) x[k] ^= vj[k];
    BlockMix(x, y, r);
    std::swap(x, y);
  }
  for (size_t k = 0; k < words; ++k) WriteLE32(b + 4 * k, x[k]);
}

Result<Bytes> DeriveKey(const KeystoreV3& ks, std::string_view password) {
  if (ks.dklen < 32 || ks.dklen > kMaxDklen) return Malformed("dklen must be 32..64");
  Bytes dk(ks.dklen);
  if (ks.kdf == KeystoreKdf::kScrypt) {
    DEPIN_RETURN_IF_ERROR(CheckScryptParams(ks.n, ks.r, ks.p));
    auto derived = Scrypt(password, ks.salt, ks.n, ks.r, ks.p, ks.dklen);
    if (!derived) return derived.status();
    dk = std::move(*derived);
  } else {
    if (ks.c == 0) return Malformed("pbkdf2 c must be positive");
    if (ks.c > kMaxPbkdf2Iterations)
      return Status::Error("keystore-kdf-too-expensive", "pbkdf2 iteration count too large");
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), ks.salt.data(),
                          static_cast<int>(ks.salt.size()), static_cast<int>(ks.c), EVP_sha256(),
                          static_cast<int>(dk.size()), dk.data()) != 1)
      return Status::Error("keystore-kdf-failed", "PBKDF2 failed");
  }
  return dk;
}

Hash256 ComputeMac(const Bytes& dk, const Bytes& ciphertext) {
  Keccak256 h;
  h.Write(dk.data() + 16, 16);
  h.Write(ciphertext);
  return h.Finalize();
}

// AES-128-CTR is its own inverse.
Result<Bytes> Aes128Ctr(const uint8_t* key16, const FixedBytes<16>& iv, const Bytes& in) {
  Bytes out(in.size() + 16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return Status::Error("keystore-cipher-failed", "out of memory");
  int len = 0, final_len = 0;
  const bool ok =
      EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key16, iv.data()) == 1 &&
      EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), static_cast<int>(in.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, out.data() + len, &final_len) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return Status::Error("keystore-cipher-failed", "AES-128-CTR failed");
  out.resize(static_cast<size_t>(len + final_len));
  return out;
}

std::string AddressOf(const PrivateKey& key) {
  const Hash256 h = Keccak256Hash(key.GetPublicKey().span());
  return HexEncode(ByteSpan(h.data() + 12, 20), /*prefix=*/false);
}

// --- JSON reading helpers: every field is checked for presence and type. ---

using JsonValue = rapidjson::Value;

Result<const JsonValue*> Member(const JsonValue& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) return Malformed(std::string("missing field \"") + name + "\"");
  return &it->value;
}

Result<std::string> StringField(const JsonValue& obj, const char* name) {
  auto v = Member(obj, name);
  if (!v) return v.status();
  if (!(*v)->IsString()) return Malformed(std::string("field \"") + name + "\" must be a string");
  return std::string((*v)->GetString(), (*v)->GetStringLength());
}

Result<Bytes> HexField(const JsonValue& obj, const char* name) {
  auto s = StringField(obj, name);
  if (!s) return s.status();
  auto b = HexDecode(*s);
  if (!b) return Malformed(std::string("field \"") + name + "\" is not hex");
  return *b;
}

Result<uint64_t> UintField(const JsonValue& obj, const char* name) {
  auto v = Member(obj, name);
  if (!v) return v.status();
  if (!(*v)->IsUint64())
    return Malformed(std::string("field \"") + name + "\" must be a non-negative integer");
  return (*v)->GetUint64();
}

Result<uint32_t> Uint32Field(const JsonValue& obj, const char* name) {
  auto v = UintField(obj, name);
  if (!v) return v.status();
  if (*v > UINT32_MAX) return Malformed(std::string("field \"") + name + "\" too large");
  return static_cast<uint32_t>(*v);
}

Result<const JsonValue*> ObjectField(const JsonValue& obj, const char* name) {
  auto v = Member(obj, name);
  if (!v) return v.status();
  if (!(*v)->IsObject()) return Malformed(std::string("field \"") + name + "\" must be an object");
  return *v;
}

}  // namespace

Result<Bytes> Scrypt(std::string_view password, ByteSpan salt, uint64_t n, uint32_t r, uint32_t p,
                     size_t dklen) {
  DEPIN_RETURN_IF_ERROR(CheckScryptParams(n, r, p));
  if (dklen == 0 || dklen > 1024) return Malformed("scrypt dklen must be 1..1024");
  const size_t chunk = 128 * size_t{r};
  Bytes b(chunk * p);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), 1, EVP_sha256(), static_cast<int>(b.size()),
                        b.data()) != 1)
    return Status::Error("keystore-kdf-failed", "PBKDF2 failed");
  // V is written before it is read, so it is left uninitialized.
  auto v = std::make_unique_for_overwrite<uint32_t[]>(n * 32 * r);
  std::vector<uint32_t> xy(64 * size_t{r});
  for (uint32_t i = 0; i < p; ++i)
    RoMix(b.data() + chunk * i, n, r, v.get(), xy.data(), xy.data() + 32 * r);
  OPENSSL_cleanse(v.get(), n * 32 * r * sizeof(uint32_t));
  OPENSSL_cleanse(xy.data(), xy.size() * sizeof(uint32_t));
  Bytes dk(dklen);
  const int ok = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), b.data(),
                                   static_cast<int>(b.size()), 1, EVP_sha256(),
                                   static_cast<int>(dk.size()), dk.data());
  OPENSSL_cleanse(b.data(), b.size());
  if (ok != 1) return Status::Error("keystore-kdf-failed", "PBKDF2 failed");
  return dk;
}

Result<KeystoreV3> EncryptKeystore(const PrivateKey& key, std::string_view password,
                                   const ScryptParams& params) {
  KeystoreV3 ks;
  ks.id = NewUuid();
  ks.address = AddressOf(key);
  ks.kdf = KeystoreKdf::kScrypt;
  ks.n = params.n;
  ks.r = params.r;
  ks.p = params.p;
  ks.dklen = 32;
  ks.salt.resize(32);
  RandomBytes(ks.salt.data(), ks.salt.size());
  RandomBytes(ks.iv.data(), ks.iv.size());
  auto dk = DeriveKey(ks, password);
  if (!dk) return dk.status();
  auto ct = Aes128Ctr(dk->data(), ks.iv, Bytes(key.secret().begin(), key.secret().end()));
  if (!ct) return ct.status();
  ks.ciphertext = std::move(*ct);
  ks.mac = ComputeMac(*dk, ks.ciphertext);
  OPENSSL_cleanse(dk->data(), dk->size());
  return ks;
}

Result<PrivateKey> DecryptKeystore(const KeystoreV3& ks, std::string_view password) {
  auto dk = DeriveKey(ks, password);
  if (!dk) return dk.status();
  const Hash256 mac = ComputeMac(*dk, ks.ciphertext);
  if (CRYPTO_memcmp(mac.data(), ks.mac.data(), mac.size()) != 0) {
    OPENSSL_cleanse(dk->data(), dk->size());
    return Status::Error(StatusKind::kPermissionDenied, "keystore-bad-password",
                         "MAC mismatch: wrong password or corrupt file");
  }
  auto plain = Aes128Ctr(dk->data(), ks.iv, ks.ciphertext);
  OPENSSL_cleanse(dk->data(), dk->size());
  if (!plain) return plain.status();
  auto key = PrivateKey::FromBytes(*plain);
  OPENSSL_cleanse(plain->data(), plain->size());
  if (!key) return Malformed("decrypted data is not a secp256k1 private key");
  return key;
}

std::string KeystoreToJson(const KeystoreV3& ks) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto hex = [](ByteSpan b) { return HexEncode(b, /*prefix=*/false); };
  auto str = [&w](const std::string& s) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  };
  w.StartObject();
  if (!ks.address.empty()) {
    w.Key("address");
    str(ks.address);
  }
  w.Key("crypto");
  w.StartObject();
  w.Key("cipher");
  w.String("aes-128-ctr");
  w.Key("ciphertext");
  str(hex(ks.ciphertext));
  w.Key("cipherparams");
  w.StartObject();
  w.Key("iv");
  str(hex(ks.iv.span()));
  w.EndObject();
  w.Key("kdf");
  w.String(ks.kdf == KeystoreKdf::kScrypt ? "scrypt" : "pbkdf2");
  w.Key("kdfparams");
  w.StartObject();
  if (ks.kdf == KeystoreKdf::kScrypt) {
    w.Key("dklen");
    w.Uint(ks.dklen);
    w.Key("n");
    w.Uint64(ks.n);
    w.Key("p");
    w.Uint(ks.p);
    w.Key("r");
    w.Uint(ks.r);
  } else {
    w.Key("c");
    w.Uint(ks.c);
    w.Key("dklen");
    w.Uint(ks.dklen);
    w.Key("prf");
    w.String("hmac-sha256");
  }
  w.Key("salt");
  str(hex(ks.salt));
  w.EndObject();
  w.Key("mac");
  str(hex(ks.mac.span()));
  w.EndObject();
  w.Key("id");
  str(ks.id);
  w.Key("version");
  w.Uint(3);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<KeystoreV3> KeystoreFromJson(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) return Malformed("not valid JSON");
  if (!doc.IsObject()) return Malformed("top level must be an object");

  auto version = UintField(doc, "version");
  if (!version) return version.status();
  if (*version != 3) return Malformed("only version 3 key files are supported");

  KeystoreV3 ks;
  auto id = StringField(doc, "id");
  if (!id) return id.status();
  ks.id = *id;
  if (doc.HasMember("address")) {
    auto address = HexField(doc, "address");
    if (!address) return address.status();
    if (address->size() != 20) return Malformed("address must be 20 bytes");
    ks.address = HexEncode(*address, /*prefix=*/false);
  }

  // Some older wallets (MyEtherWallet) wrote "Crypto".
  auto crypto = ObjectField(doc, doc.HasMember("crypto") ? "crypto" : "Crypto");
  if (!crypto) return crypto.status();
  const JsonValue& c = **crypto;

  auto cipher = StringField(c, "cipher");
  if (!cipher) return cipher.status();
  if (*cipher != "aes-128-ctr")
    return Status::Error("keystore-unsupported-cipher", "cipher \"" + *cipher + "\"");
  auto ciphertext = HexField(c, "ciphertext");
  if (!ciphertext) return ciphertext.status();
  ks.ciphertext = std::move(*ciphertext);
  auto cipherparams = ObjectField(c, "cipherparams");
  if (!cipherparams) return cipherparams.status();
  auto iv = HexField(**cipherparams, "iv");
  if (!iv) return iv.status();
  if (iv->size() != 16) return Malformed("iv must be 16 bytes");
  ks.iv = FixedBytes<16>(iv->data());
  auto mac = HexField(c, "mac");
  if (!mac) return mac.status();
  if (mac->size() != 32) return Malformed("mac must be 32 bytes");
  ks.mac = Hash256(mac->data());

  auto kdf = StringField(c, "kdf");
  if (!kdf) return kdf.status();
  auto params = ObjectField(c, "kdfparams");
  if (!params) return params.status();
  const JsonValue& kp = **params;
  auto salt = HexField(kp, "salt");
  if (!salt) return salt.status();
  ks.salt = std::move(*salt);
  auto dklen = Uint32Field(kp, "dklen");
  if (!dklen) return dklen.status();
  ks.dklen = *dklen;
  if (*kdf == "scrypt") {
    ks.kdf = KeystoreKdf::kScrypt;
    auto n = UintField(kp, "n");
    if (!n) return n.status();
    auto r = Uint32Field(kp, "r");
    if (!r) return r.status();
    auto p = Uint32Field(kp, "p");
    if (!p) return p.status();
    ks.n = *n;
    ks.r = *r;
    ks.p = *p;
  } else if (*kdf == "pbkdf2") {
    ks.kdf = KeystoreKdf::kPbkdf2;
    auto prf = StringField(kp, "prf");
    if (!prf) return prf.status();
    if (*prf != "hmac-sha256")
      return Status::Error("keystore-unsupported-kdf", "pbkdf2 prf \"" + *prf + "\"");
    auto iterations = Uint32Field(kp, "c");
    if (!iterations) return iterations.status();
    ks.c = *iterations;
  } else {
    return Status::Error("keystore-unsupported-kdf", "kdf \"" + *kdf + "\"");
  }
  if (ks.dklen < 32 || ks.dklen > kMaxDklen) return Malformed("dklen must be 32..64");
  return ks;
}

}  // namespace depin::crypto

#include "crypto/keystore.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <string>

namespace depin::crypto {
namespace {

// Web3 Secret Storage Definition test vectors; password "testpassword".
const char kPbkdf2Vector[] = R"({
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
    "kdf": "pbkdf2",
    "kdfparams": {
      "c": 262144,
      "dklen": 32,
      "prf": "hmac-sha256",
      "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"
    },
    "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
})";

const char kScryptVector[] = R"({
  "crypto": {
    "cipher": "aes-128-ctr",
    "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
    "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
    "kdf": "scrypt",
    "kdfparams": {
      "dklen": 32,
      "n": 262144,
      "p": 8,
      "r": 1,
      "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"
    },
    "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"
  },
  "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
  "version": 3
})";

const char kVectorKey[] = "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";

constexpr ScryptParams kFastScrypt{/*n=*/4096, /*r=*/8, /*p=*/1};

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

// RFC 7914 section 12, first vector.
TEST(Scrypt, Rfc7914Vector) {
  auto dk = Scrypt("", {}, 16, 1, 1, 64);
  ASSERT_TRUE(dk.ok()) << dk.status().ToString();
  EXPECT_EQ(HexEncode(*dk),
            "0x77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a"
            "753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
}

// OpenSSL's scrypt is an independent implementation wherever it accepts the
// parameters (it refuses n >= 2^(16 r)).
TEST(Scrypt, MatchesOpenSsl) {
  struct Case {
    const char* password;
    const char* salt;
    uint64_t n;
    uint32_t r, p;
    size_t dklen;
  };
  const Case cases[] = {{"password", "NaCl", 1024, 8, 16, 64},
                        {"pw", "salt", 2, 1, 1, 32},
                        {"testpassword", "0123456789abcdef", 4096, 8, 1, 32},
                        {"x", "", 256, 3, 2, 17},
                        {"", "s", 32768, 2, 1, 48}};
  for (const Case& c : cases) {
    auto ours = Scrypt(c.password, AsSpan(c.salt), c.n, c.r, c.p, c.dklen);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    Bytes want(c.dklen);
    ASSERT_EQ(EVP_PBE_scrypt(c.password, std::strlen(c.password),
                             reinterpret_cast<const unsigned char*>(c.salt), std::strlen(c.salt),
                             c.n, c.r, c.p, uint64_t{1} << 30, want.data(), want.size()),
              1);
    EXPECT_EQ(*ours, want) << c.password << " n=" << c.n << " r=" << c.r << " p=" << c.p;
  }
}

TEST(Scrypt, RejectsBadParameters) {
  EXPECT_EQ(Scrypt("pw", {}, 1000, 8, 1, 32).status().code(), "keystore-malformed");
  EXPECT_EQ(Scrypt("pw", {}, 1, 8, 1, 32).status().code(), "keystore-malformed");
  EXPECT_EQ(Scrypt("pw", {}, 1024, 0, 1, 32).status().code(), "keystore-malformed");
  EXPECT_EQ(Scrypt("pw", {}, 1024, 8, 0, 32).status().code(), "keystore-malformed");
  EXPECT_EQ(Scrypt("pw", {}, 1024, 8, 1, 0).status().code(), "keystore-malformed");
  EXPECT_EQ(Scrypt("pw", {}, uint64_t{1} << 21, 8, 1, 32).status().code(),
            "keystore-kdf-too-expensive");
  EXPECT_EQ(Scrypt("pw", {}, 1024, 8, 1u << 30, 32).status().code(), "keystore-kdf-too-expensive");
}

TEST(Scrypt, BoundsWorkAsWellAsMemory) {
  // p multiplies the work but not the memory: n = 2^10, r = 8 needs 1 MiB,
  // and p = 2^10 + 1 passes take just over the 2^23 bound on n * r * p.
  EXPECT_EQ(Scrypt("pw", {}, 1024, 8, (1u << 10) + 1, 32).status().code(),
            "keystore-kdf-too-expensive");
  EXPECT_EQ(Scrypt("pw", {}, 2, 1, 1u << 23, 32).status().code(), "keystore-kdf-too-expensive");
  EXPECT_EQ(Scrypt("pw", {}, 1u << 16, 64, 4, 32).status().code(), "keystore-kdf-too-expensive");
  // Within both bounds: computed.
  EXPECT_TRUE(Scrypt("pw", {}, 16, 8, 64, 32).ok());
}

TEST(Keystore, DecryptsPublishedPbkdf2Vector) {
  auto ks = KeystoreFromJson(kPbkdf2Vector);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(ks->kdf, KeystoreKdf::kPbkdf2);
  EXPECT_EQ(ks->c, 262144u);
  EXPECT_EQ(ks->id, "3198bc9c-6672-5ab3-d995-4942343ae5b6");
  auto key = DecryptKeystore(*ks, "testpassword");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->secret().Hex(), kVectorKey);
}

TEST(Keystore, DecryptsPublishedScryptVector) {
  auto ks = KeystoreFromJson(kScryptVector);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(ks->kdf, KeystoreKdf::kScrypt);
  EXPECT_EQ(ks->n, 262144u);
  EXPECT_EQ(ks->r, 1u);
  EXPECT_EQ(ks->p, 8u);
  auto key = DecryptKeystore(*ks, "testpassword");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->secret().Hex(), kVectorKey);
}

TEST(Keystore, WrongPasswordIsBadPassword) {
  auto ks = KeystoreFromJson(kPbkdf2Vector);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(DecryptKeystore(*ks, "testpassword2").status().code(), "keystore-bad-password");
  EXPECT_EQ(DecryptKeystore(*ks, "").status().code(), "keystore-bad-password");
}

TEST(Keystore, TamperedCiphertextOrMacIsRejected) {
  auto ks = KeystoreFromJson(kPbkdf2Vector);
  ASSERT_TRUE(ks.ok());
  KeystoreV3 bad = *ks;
  bad.ciphertext[0] ^= 1;
  EXPECT_EQ(DecryptKeystore(bad, "testpassword").status().code(), "keystore-bad-password");
  bad = *ks;
  bad.mac[31] ^= 1;
  EXPECT_EQ(DecryptKeystore(bad, "testpassword").status().code(), "keystore-bad-password");
}

TEST(Keystore, EncryptDecryptRoundTripThroughJson) {
  const PrivateKey key = PrivateKey::Generate();
  auto ks = EncryptKeystore(key, "hunter2", kFastScrypt);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(ks->id.size(), 36u);
  EXPECT_EQ(ks->id[14], '4');  // UUID version 4
  EXPECT_EQ(ks->address.size(), 40u);
  EXPECT_EQ(ks->salt.size(), 32u);

  const std::string json = KeystoreToJson(*ks);
  auto parsed = KeystoreFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << json;
  EXPECT_EQ(parsed->address, ks->address);
  EXPECT_EQ(parsed->id, ks->id);
  EXPECT_EQ(parsed->n, 4096u);
  EXPECT_EQ(parsed->r, 8u);
  EXPECT_EQ(parsed->p, 1u);
  auto back = DecryptKeystore(*parsed, "hunter2");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->secret(), key.secret());
  EXPECT_EQ(DecryptKeystore(*parsed, "hunter3").status().code(), "keystore-bad-password");
}

TEST(Keystore, FreshSaltAndIvEachTime) {
  const PrivateKey key = PrivateKey::Generate();
  auto a = EncryptKeystore(key, "pw", kFastScrypt);
  auto b = EncryptKeystore(key, "pw", kFastScrypt);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->salt, b->salt);
  EXPECT_NE(a->iv, b->iv);
  EXPECT_NE(a->ciphertext, b->ciphertext);
  EXPECT_NE(a->id, b->id);
}

// geth's standard cost needs ~256 MiB of scrypt memory, above OpenSSL's
// default limit; this checks the limit is raised accordingly.
TEST(Keystore, DefaultScryptParamsWork) {
  const PrivateKey key = PrivateKey::Generate();
  auto ks = EncryptKeystore(key, "pw");
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
  EXPECT_EQ(ks->n, 262144u);
  EXPECT_EQ(ks->r, 8u);
  auto back = DecryptKeystore(*ks, "pw");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->secret(), key.secret());
}

TEST(Keystore, AcceptsLegacyCapitalisedCryptoField) {
  const std::string json = Replace(kPbkdf2Vector, "\"crypto\"", "\"Crypto\"");
  auto ks = KeystoreFromJson(json);
  ASSERT_TRUE(ks.ok()) << ks.status().ToString();
}

TEST(Keystore, MalformedJsonIsRejected) {
  const std::string base = kPbkdf2Vector;
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "{"},
      {"array", "[1,2]"},
      {"truncated", base.substr(0, base.size() / 2)},
      {"version 1", Replace(base, "\"version\": 3", "\"version\": 1")},
      {"version string", Replace(base, "\"version\": 3", "\"version\": \"3\"")},
      {"no id", Replace(base, "\"id\"", "\"uuid\"")},
      {"no crypto", Replace(base, "\"crypto\"", "\"krypto\"")},
      {"crypto not object", Replace(base, "\"crypto\": {", "\"crypto\": 5, \"x\": {")},
      {"bad iv hex",
       Replace(base, "6087dab2f9fdbbfaddc31a909735c1e6", "6087dab2f9fdbbfaddc31a909735c1zz")},
      {"short iv", Replace(base, "6087dab2f9fdbbfaddc31a909735c1e6", "6087dab2")},
      {"odd ciphertext", Replace(base, "5318b4d5", "5318b4d")},
      {"short mac", Replace(base, "517ead924a9d0dc3", "")},
      {"missing salt", Replace(base, "\"salt\"", "\"pepper\"")},
      {"negative c", Replace(base, "\"c\": 262144", "\"c\": -1")},
      {"dklen 16", Replace(base, "\"dklen\": 32", "\"dklen\": 16")},
      {"bad address", Replace(base, "\"id\"", "\"address\": \"xyz\", \"id\"")},
  };
  for (const auto& [what, json] : cases) {
    auto ks = KeystoreFromJson(json);
    ASSERT_FALSE(ks.ok()) << what;
    EXPECT_EQ(ks.status().code(), "keystore-malformed") << what;
  }
}

TEST(Keystore, UnsupportedAlgorithmsAreNamed) {
  const std::string base = kPbkdf2Vector;
  EXPECT_EQ(
      KeystoreFromJson(Replace(base, "\"kdf\": \"pbkdf2\"", "\"kdf\": \"argon2\"")).status().code(),
      "keystore-unsupported-kdf");
  EXPECT_EQ(KeystoreFromJson(Replace(base, "hmac-sha256", "hmac-sha512")).status().code(),
            "keystore-unsupported-kdf");
  EXPECT_EQ(KeystoreFromJson(Replace(base, "aes-128-ctr", "aes-128-cbc")).status().code(),
            "keystore-unsupported-cipher");
}

TEST(Keystore, UnreasonableKdfParametersAreRefused) {
  auto ks = KeystoreFromJson(kScryptVector);
  ASSERT_TRUE(ks.ok());
  KeystoreV3 bad = *ks;
  bad.n = 1000;  // not a power of two
  EXPECT_EQ(DecryptKeystore(bad, "testpassword").status().code(), "keystore-malformed");
  bad.n = uint64_t{1} << 40;
  EXPECT_EQ(DecryptKeystore(bad, "testpassword").status().code(), "keystore-kdf-too-expensive");
  bad = *ks;
  bad.p = 1u << 20;  // little memory, hours of work
  EXPECT_EQ(DecryptKeystore(bad, "testpassword").status().code(), "keystore-kdf-too-expensive");
  bad = *ks;
  bad.r = 0;
  EXPECT_EQ(DecryptKeystore(bad, "testpassword").status().code(), "keystore-malformed");
  auto pb = KeystoreFromJson(kPbkdf2Vector);
  ASSERT_TRUE(pb.ok());
  pb->c = 4'000'000'000u;
  EXPECT_EQ(DecryptKeystore(*pb, "testpassword").status().code(), "keystore-kdf-too-expensive");
  EXPECT_EQ(EncryptKeystore(PrivateKey::Generate(), "pw", ScryptParams{uint64_t{1} << 32, 8, 1})
                .status()
                .code(),
            "keystore-kdf-too-expensive");
}

}  // namespace
}  // namespace depin::crypto

#include "crypto/secp256k1.h"

#include <gtest/gtest.h>

#include "crypto/keccak.h"

namespace depin::crypto {
namespace {

const char kCurveOrderHex[] = "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

template <size_t N>
FixedBytes<N> FromHexOrDie(std::string_view hex) {
  auto r = FixedBytes<N>::FromHex(hex);
  EXPECT_TRUE(r.ok()) << hex;
  return r.ok() ? *r : FixedBytes<N>();
}

PrivateKey KeyOrDie(std::string_view hex) {
  auto r = PrivateKey::FromBytes(FromHexOrDie<32>(hex).span());
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

// n - s, big-endian: the high-s twin of a low-s signature.
Hash256 NegateModN(const Hash256& s) {
  const Hash256 n = FromHexOrDie<32>(kCurveOrderHex);
  Hash256 out;
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - s[i] - borrow;
    borrow = d < 0;
    out[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  return out;
}

std::string AddressHex(const PublicKey& pub) {
  const Hash256 h = Keccak256Hash(pub.span());
  return HexEncode(ByteSpan(h.data() + 12, 20));
}

// EIP-155's worked example: key 0x4646..46 signs a legacy transfer on chain 1.
const char kEip155Key[] = "0x4646464646464646464646464646464646464646464646464646464646464646";
const char kEip155SigningHash[] =
    "0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53";

TEST(Secp256k1, WellKnownKeyGivesEip155Address) {
  EXPECT_EQ(AddressHex(KeyOrDie(kEip155Key).GetPublicKey()),
            "0x9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f");
}

TEST(Secp256k1, SignMatchesEip155VectorDeterministically) {
  const PrivateKey key = KeyOrDie(kEip155Key);
  const RecoverableSignature sig = key.Sign(FromHexOrDie<32>(kEip155SigningHash));
  EXPECT_EQ(sig.r.Hex(), "0x28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276");
  EXPECT_EQ(sig.s.Hex(), "0x67cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83");
  EXPECT_EQ(sig.recid, 0);  // v = 37 = 1 * 2 + 35 + 0
}

TEST(Secp256k1, SignRecoverRoundTrip) {
  for (int i = 0; i < 20; ++i) {
    const PrivateKey key = PrivateKey::Generate();
    const Hash256 digest = Keccak256Hash(key.secret().span());
    const RecoverableSignature sig = key.Sign(digest);
    EXPECT_TRUE(IsLowS(sig.s));
    EXPECT_LE(sig.recid, 1);
    auto pub = RecoverPublicKey(digest, sig);
    ASSERT_TRUE(pub.ok()) << pub.status().ToString();
    EXPECT_EQ(*pub, key.GetPublicKey());
  }
}

TEST(Secp256k1, GenerateGivesDistinctKeys) {
  EXPECT_NE(PrivateKey::Generate().secret(), PrivateKey::Generate().secret());
}

TEST(Secp256k1, HighSIsRejected) {
  const PrivateKey key = KeyOrDie(kEip155Key);
  const Hash256 digest = FromHexOrDie<32>(kEip155SigningHash);
  RecoverableSignature sig = key.Sign(digest);
  sig.s = NegateModN(sig.s);
  sig.recid ^= 1;  // the twin signature for the same key
  EXPECT_FALSE(IsLowS(sig.s));
  auto pub = RecoverPublicKey(digest, sig);
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().code(), "sig-high-s");
}

TEST(Secp256k1, IsLowSBoundary) {
  EXPECT_TRUE(IsLowS(
      FromHexOrDie<32>("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")));
  EXPECT_FALSE(IsLowS(
      FromHexOrDie<32>("0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1")));
}

TEST(Secp256k1, OutOfRangeSignaturesAreInvalid) {
  const PrivateKey key = KeyOrDie(kEip155Key);
  const Hash256 digest = FromHexOrDie<32>(kEip155SigningHash);
  const RecoverableSignature good = key.Sign(digest);

  auto expect_invalid = [&](RecoverableSignature sig, const char* what) {
    auto pub = RecoverPublicKey(digest, sig);
    ASSERT_FALSE(pub.ok()) << what;
    EXPECT_EQ(pub.status().code(), "sig-invalid") << what;
  };
  RecoverableSignature sig = good;
  sig.r = Hash256();
  expect_invalid(sig, "r zero");
  sig = good;
  sig.r = FromHexOrDie<32>(kCurveOrderHex);
  expect_invalid(sig, "r == n");
  sig = good;
  sig.s = Hash256();
  expect_invalid(sig, "s zero");
  sig = good;
  sig.recid = 2;
  expect_invalid(sig, "recid 2");
  sig.recid = 3;
  expect_invalid(sig, "recid 3");
}

TEST(Secp256k1, TamperedSignatureRecoversAnotherKeyOrFails) {
  const PrivateKey key = KeyOrDie(kEip155Key);
  const Hash256 digest = FromHexOrDie<32>(kEip155SigningHash);
  const RecoverableSignature good = key.Sign(digest);
  for (int byte = 0; byte < 32; byte += 5) {
    RecoverableSignature sig = good;
    sig.r[byte] ^= 0x01;
    auto pub = RecoverPublicKey(digest, sig);
    if (pub.ok()) {
      EXPECT_NE(*pub, key.GetPublicKey());
    } else {
      EXPECT_EQ(pub.status().code(), "sig-invalid");
    }
  }
  Hash256 other = digest;
  other[0] ^= 0x80;
  auto pub = RecoverPublicKey(other, good);
  ASSERT_TRUE(pub.ok());
  EXPECT_NE(*pub, key.GetPublicKey());
}

TEST(Secp256k1, FromBytesRejectsOutOfRangeKeys) {
  EXPECT_EQ(PrivateKey::FromBytes(Hash256().span()).status().code(), "key-invalid");
  EXPECT_EQ(PrivateKey::FromBytes(FromHexOrDie<32>(kCurveOrderHex).span()).status().code(),
            "key-invalid");
  EXPECT_EQ(
      PrivateKey::FromBytes(
          FromHexOrDie<32>("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")
              .span())
          .status()
          .code(),
      "key-invalid");
  const uint8_t short_key[31] = {1};
  EXPECT_EQ(PrivateKey::FromBytes(ByteSpan(short_key, 31)).status().code(), "key-invalid");
  // n - 1 is the largest valid key.
  EXPECT_TRUE(
      PrivateKey::FromBytes(
          FromHexOrDie<32>("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140")
              .span())
          .ok());
}

TEST(Secp256k1, SharedSecretIsSymmetric) {
  const PrivateKey a = PrivateKey::Generate();
  const PrivateKey b = PrivateKey::Generate();
  auto ab = a.SharedSecret(b.GetPublicKey());
  auto ba = b.SharedSecret(a.GetPublicKey());
  ASSERT_TRUE(ab.ok());
  ASSERT_TRUE(ba.ok());
  EXPECT_EQ(*ab, *ba);
  EXPECT_FALSE(ab->IsZero());
}

TEST(Secp256k1, SharedSecretRejectsPointOffCurve) {
  PublicKey bogus;
  bogus[63] = 1;  // (0, 1) is not on y^2 = x^3 + 7
  EXPECT_EQ(PrivateKey::Generate().SharedSecret(bogus).status().code(), "pubkey-invalid");
}

TEST(Secp256k1, CompressAndParseRoundTrip) {
  const PublicKey pub = KeyOrDie(kEip155Key).GetPublicKey();
  auto compressed = CompressPublicKey(pub);
  ASSERT_TRUE(compressed.ok());
  EXPECT_TRUE((*compressed)[0] == 0x02 || (*compressed)[0] == 0x03);
  auto parsed = ParsePublicKey(compressed->span());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, pub);

  Bytes uncompressed{0x04};
  uncompressed.insert(uncompressed.end(), pub.begin(), pub.end());
  auto parsed2 = ParsePublicKey(uncompressed);
  ASSERT_TRUE(parsed2.ok());
  EXPECT_EQ(*parsed2, pub);

  EXPECT_EQ(ParsePublicKey(ByteSpan(uncompressed.data(), 64)).status().code(), "pubkey-invalid");
  uncompressed[64] ^= 1;  // y no longer matches x
  EXPECT_EQ(ParsePublicKey(uncompressed).status().code(), "pubkey-invalid");
  PublicKey bogus;
  bogus[63] = 1;
  EXPECT_EQ(CompressPublicKey(bogus).status().code(), "pubkey-invalid");
}

}  // namespace
}  // namespace depin::crypto

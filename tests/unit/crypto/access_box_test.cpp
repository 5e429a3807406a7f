#include "crypto/access_box.h"

#include <gtest/gtest.h>

namespace depin::crypto {
namespace {

Bytes Text(std::string_view s) { return Bytes(s.begin(), s.end()); }

TEST(AccessBox, OnlyTheTenantsKeyOpensIt) {
  const PrivateKey tenant = PrivateKey::Generate();
  const PrivateKey stranger = PrivateKey::Generate();
  const Bytes plain = Text("ssh lease@gpu-7.example.net -p 2201 # token 8f3a");
  const Bytes aad = Text("lease 42");
  auto box = SealAccessBox(tenant.GetPublicKey(), plain, aad);
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  EXPECT_EQ(box->size(), plain.size() + kAccessBoxOverhead);
  auto opened = OpenAccessBox(tenant, *box, aad);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plain);
  EXPECT_EQ(OpenAccessBox(stranger, *box, aad).status().code(), "box-auth-failed");
  // Bound to its lease: the same box under another lease id does not open.
  EXPECT_EQ(OpenAccessBox(tenant, *box, Text("lease 43")).status().code(), "box-auth-failed");
}

TEST(AccessBox, EveryByteIsAuthenticated) {
  const PrivateKey tenant = PrivateKey::Generate();
  auto box = SealAccessBox(tenant.GetPublicKey(), Text("host:port"), {});
  ASSERT_TRUE(box.ok());
  for (size_t i = 34; i < box->size(); ++i) {  // nonce, ciphertext, tag
    Bytes bad = *box;
    bad[i] ^= 0x01;
    EXPECT_EQ(OpenAccessBox(tenant, bad, {}).status().code(), "box-auth-failed") << "byte " << i;
  }
}

TEST(AccessBox, FreshKeysMakeDifferentBoxes) {
  const PrivateKey tenant = PrivateKey::Generate();
  auto a = SealAccessBox(tenant.GetPublicKey(), Text("same"), {});
  auto b = SealAccessBox(tenant.GetPublicKey(), Text("same"), {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  // Deterministic with the ephemeral key and nonce given.
  auto eph = PrivateKey::FromBytes(Bytes(32, 0x11));
  ASSERT_TRUE(eph.ok());
  FixedBytes<12> nonce;
  nonce[0] = 9;
  auto c = SealAccessBoxWith(tenant.GetPublicKey(), Text("same"), {}, *eph, nonce);
  auto d = SealAccessBoxWith(tenant.GetPublicKey(), Text("same"), {}, *eph, nonce);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_EQ(*c, *d);
  EXPECT_EQ(*OpenAccessBox(tenant, *c, {}), Text("same"));
}

TEST(AccessBox, MalformedBoxesAreRefused) {
  const PrivateKey tenant = PrivateKey::Generate();
  EXPECT_EQ(OpenAccessBox(tenant, Bytes(kAccessBoxOverhead - 1, 1), {}).status().code(),
            "box-malformed");
  auto box = SealAccessBox(tenant.GetPublicKey(), Text("x"), {});
  ASSERT_TRUE(box.ok());
  Bytes wrong_version = *box;
  wrong_version[0] = 2;
  EXPECT_EQ(OpenAccessBox(tenant, wrong_version, {}).status().code(), "box-malformed");
  Bytes bad_point = *box;
  bad_point[1] = 0x05;  // not a compressed-point prefix
  EXPECT_EQ(OpenAccessBox(tenant, bad_point, {}).status().code(), "box-malformed");
  PublicKey not_a_point;  // all zero
  EXPECT_EQ(SealAccessBox(not_a_point, Bytes{1}, {}).status().code(), "pubkey-invalid");
}

}  // namespace
}  // namespace depin::crypto

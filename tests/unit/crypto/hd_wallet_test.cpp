#include "crypto/hd_wallet.h"

#include <gtest/gtest.h>

#include "crypto/keccak.h"

namespace depin::crypto {
namespace {

const char kHardhatMnemonic[] = "test test test test test test test test test test test junk";

std::string AddressHex(const PrivateKey& key) {
  const Hash256 h = Keccak256Hash(key.GetPublicKey().span());
  return HexEncode(ByteSpan(h.data() + 12, 20));
}

// BIP-39 published vectors use the passphrase "TREZOR".
TEST(Bip39Seed, PublishedVectors) {
  auto seed = Bip39Seed(
      "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
      "about",
      "TREZOR");
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->Hex(),
            "0xc55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c"
            "1e1c92f2cf141630c7a3c4ab7c81b2f001698e7463b04");
  seed = Bip39Seed("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong", "TREZOR");
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(seed->Hex(),
            "0xac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589"
            "620c6f15b11c61dee327651a14c34e18231052e48c069");
}

TEST(Bip39Seed, PassphraseChangesSeed) {
  EXPECT_NE(*Bip39Seed(kHardhatMnemonic, ""), *Bip39Seed(kHardhatMnemonic, "x"));
}

TEST(Bip39Seed, RejectsEmptyAndNonAscii) {
  EXPECT_EQ(Bip39Seed("", "").status().code(), "bip39-empty");
  EXPECT_EQ(Bip39Seed("caf\xc3\xa9 test", "").status().code(), "bip39-non-ascii");
  EXPECT_EQ(Bip39Seed(kHardhatMnemonic, "p\xc3\xa4ss").status().code(), "bip39-non-ascii");
}

// The default Hardhat / Anvil development accounts.
TEST(DeriveBip32, HardhatAccounts) {
  auto seed = Bip39Seed(kHardhatMnemonic, "");
  ASSERT_TRUE(seed.ok());
  auto key0 = DeriveBip32(*seed, "m/44'/60'/0'/0/0");
  ASSERT_TRUE(key0.ok()) << key0.status().ToString();
  EXPECT_EQ(key0->secret().Hex(),
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  EXPECT_EQ(AddressHex(*key0), "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
  auto key1 = DeriveBip32(*seed, "m/44'/60'/0'/0/1");
  ASSERT_TRUE(key1.ok());
  EXPECT_EQ(key1->secret().Hex(),
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  // 'h' is an accepted spelling of the hardened marker.
  EXPECT_EQ(DeriveBip32(*seed, "m/44h/60H/0'/0/1")->secret(), key1->secret());
}

// BIP-32 test vector 1.
TEST(DeriveBip32, Bip32TestVector1) {
  auto seed = HexDecode("000102030405060708090a0b0c0d0e0f");
  ASSERT_TRUE(seed.ok());
  auto master = Bip32Master(*seed);
  ASSERT_TRUE(master.ok());
  EXPECT_EQ(master->key.Hex(),
            "0xe8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35");
  EXPECT_EQ(master->chain_code.Hex(),
            "0x873dff81c02f525623fd1fe5167eac3a55a049de3d314bb42ee227ffed37d508");
  const std::pair<const char*, const char*> chain[] = {
      {"m/0'", "0xedb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea"},
      {"m/0'/1", "0x3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368"},
      {"m/0'/1/2'", "0xcbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca"},
      {"m/0'/1/2'/2", "0x0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4"},
      {"m/0'/1/2'/2/1000000000",
       "0x471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8"},
  };
  for (const auto& [path, want] : chain) {
    auto key = DeriveBip32(*seed, path);
    ASSERT_TRUE(key.ok()) << path;
    EXPECT_EQ(key->secret().Hex(), want) << path;
  }
  // Chain codes are part of the published vector too.
  auto child = Bip32Child(*master, kBip32Hardened);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->chain_code.Hex(),
            "0x47fdacbd0f1097043b78c63c20c34ef4ed9a111d980047ad16282c7ae6236141");
}

TEST(DeriveBip32, RejectsBadSeedLength) {
  const Bytes short_seed(15, 1), long_seed(65, 1);
  EXPECT_EQ(Bip32Master(short_seed).status().code(), "bip32-bad-seed");
  EXPECT_EQ(Bip32Master(long_seed).status().code(), "bip32-bad-seed");
  EXPECT_EQ(DeriveBip32(ByteSpan(short_seed), "m/0").status().code(), "bip32-bad-seed");
}

TEST(DeriveBip32, ChildOfInvalidParentIsAnError) {
  Bip32Node bad;  // zero key
  EXPECT_EQ(Bip32Child(bad, 0).status().code(), "key-invalid");
}

TEST(ParseBip32Path, AcceptsWellFormedPaths) {
  EXPECT_TRUE(ParseBip32Path("m")->empty());
  EXPECT_EQ(
      *ParseBip32Path("m/44'/60'/0'/0/7"),
      (std::vector<uint32_t>{kBip32Hardened + 44, kBip32Hardened + 60, kBip32Hardened, 0, 7}));
  EXPECT_EQ(*ParseBip32Path("m/2147483647"), (std::vector<uint32_t>{2147483647u}));
  EXPECT_EQ(*ParseBip32Path("m/2147483647h"), (std::vector<uint32_t>{0xffffffffu}));
}

TEST(ParseBip32Path, RejectsMalformedPaths) {
  for (const char* p : {"", "M/0", "0/1", "m/", "m//0", "m/0/", "m/x", "m/0''", "m/-1",
                        "m/2147483648", "m/99999999999", "m/01", "m/0/1 ", " m/0", "m0"}) {
    auto r = ParseBip32Path(p);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), "bip32-bad-path") << p;
  }
}

}  // namespace
}  // namespace depin::crypto

#include "primitives/address.h"

#include <gtest/gtest.h>

#include <cctype>

namespace depin {
namespace {

crypto::PrivateKey Key(std::string_view hex) {
  return *crypto::PrivateKey::FromBytes(*HexDecode(hex));
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The test vectors published in EIP-55.
TEST(Address, Eip55ChecksumVectors) {
  for (const char* expected :
       {"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26"}) {
    auto parsed = Address::Parse(expected);
    ASSERT_TRUE(parsed) << expected;
    EXPECT_EQ(parsed->ToChecksumHex(), expected);
    EXPECT_EQ(parsed->Hex(), Lower(expected));
    // All-lower and all-upper spellings carry no checksum and are accepted.
    EXPECT_EQ(*Address::Parse(Lower(expected)), *parsed);
  }
}

TEST(Address, ParseRejectsBadChecksum) {
  // One letter's case flipped from the EIP-55 vector.
  EXPECT_EQ(Address::Parse("0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed").status().code(),
            "address-bad-checksum");
  EXPECT_EQ(Address::Parse("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").status().code(),
            "address-bad-checksum");
}

TEST(Address, ParseRejectsMalformed) {
  for (const char* bad :
       {"", "0x", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed0",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", "1x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x 5aeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}) {
    EXPECT_EQ(Address::Parse(bad).status().code(), "address-invalid") << bad;
  }
  EXPECT_TRUE(Address::Parse("0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"));
}

TEST(Address, FromPublicKeyKnownKeys) {
  // Private key 1 -> the generator point; its address is widely published.
  auto one = Key("0x0000000000000000000000000000000000000000000000000000000000000001");
  EXPECT_EQ(Address::FromPublicKey(one.GetPublicKey()).ToChecksumHex(),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
  // The key of the EIP-155 example.
  auto k46 = Key("0x4646464646464646464646464646464646464646464646464646464646464646");
  EXPECT_EQ(Address::FromPublicKey(k46.GetPublicKey()).ToChecksumHex(),
            "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F");
}

TEST(Address, ModuleAddresses) {
  EXPECT_EQ(ModuleAddress(0x1000).Hex(), "0x0000000000000000000000000000000000001000");
  EXPECT_EQ(ModuleAddress(0x2000).Hex(), "0x0000000000000000000000000000000000002000");
  EXPECT_EQ(ModuleAddress(0xffff).Hex(), "0x000000000000000000000000000000000000ffff");
}

}  // namespace
}  // namespace depin

#include "cli/tx_builder.h"

#include <gtest/gtest.h>

namespace depin::cli {
namespace {

TEST(TxBuilder, DefaultsForGasAndFees) {
  EXPECT_EQ(DefaultGasLimit({}), 21000u);
  EXPECT_EQ(DefaultGasLimit(Bytes{1}), 200000u);
  // Twice the next base fee plus the tip.
  EXPECT_EQ(DefaultMaxFee(Uint256(7 * kWeiPerGwei), Uint256(kWeiPerGwei)),
            Uint256(15 * kWeiPerGwei));
  EXPECT_EQ(DefaultMaxFee(Uint256::Max(), Uint256(1)), Uint256::Max());  // saturates
}

TEST(TxBuilder, PrivateKeyHexAcceptsKeyFileContents) {
  const char* hex = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
  auto a = ParsePrivateKeyHex(std::string(hex));
  auto b = ParsePrivateKeyHex("  0x" + std::string(hex) + "\r\n");
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->secret(), b->secret());
  EXPECT_EQ(ParsePrivateKeyHex("0x00").status().code(), "key-invalid");
  EXPECT_EQ(ParsePrivateKeyHex(std::string(64, '0')).status().code(), "key-invalid");
  EXPECT_EQ(ParsePrivateKeyHex(std::string(64, 'z')).status().code(), "key-invalid");
}

TEST(TxBuilder, SignedTxRoundTripsThroughTheDecoder) {
  auto key = crypto::PrivateKey::Generate();
  TxRequest request{.chain_id = 1337,
                    .nonce = 3,
                    .to = ModuleAddress(0x2000),
                    .value = Uint256(5),
                    .data = Bytes{0xde, 0xad},
                    .gas_limit = 0,
                    .max_fee_per_gas = Uint256(3 * kWeiPerGwei),
                    .max_priority_fee_per_gas = Uint256(kWeiPerGwei),
                    .legacy = false};
  auto tx = BuildSignedTx(request, key);
  ASSERT_TRUE(tx);
  auto decoded = DecodeTransaction(tx->Encode());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, *tx);
  EXPECT_EQ(decoded->gas_limit, kDefaultCallGas);
  EXPECT_EQ(*decoded->RecoverSender(), Address::FromPublicKey(key.GetPublicKey()));
}

}  // namespace
}  // namespace depin::cli

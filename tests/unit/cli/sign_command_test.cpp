// `depin-cli sign`: offline signing through the whole command.
#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "consensus/params.h"
#include "primitives/transaction.h"

namespace depin::cli {
namespace {

using testing::RunCliWith;
using testing::ScratchDir;

constexpr char kDevKey0[] = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr char kDevAddress0[] = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
constexpr char kRecipient[] = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

Transaction Decode(const std::string& out) {
  EXPECT_FALSE(out.empty());
  auto raw = HexDecode(out.substr(0, out.size() - 1));  // drop the newline
  EXPECT_TRUE(raw);
  auto tx = DecodeTransaction(*raw);
  EXPECT_TRUE(tx) << tx.status().ToString();
  return *tx;
}

TEST(SignCommand, Eip1559TxRecoversToTheKeysAddress) {
  ScratchDir dir;
  std::string key = dir.Write("key", std::string(kDevKey0) + "\n");
  auto run = RunCliWith({"sign", "--key-file", key, "--chain-id", "31337", "--nonce", "4", "--to",
                         kRecipient, "--value", "1.5", "--max-fee", "30", "--tip", "2"});
  ASSERT_EQ(run.code, 0) << run.err;
  Transaction tx = Decode(run.out);
  EXPECT_EQ(tx.type, TxType::kDynamicFee);
  EXPECT_EQ(tx.chain_id, 31337u);
  EXPECT_EQ(tx.nonce, 4u);
  EXPECT_EQ(tx.value, *Uint256::FromDecimal("1500000000000000000"));
  EXPECT_EQ(tx.max_fee_per_gas, Uint256(30 * kWeiPerGwei));
  EXPECT_EQ(tx.max_priority_fee_per_gas, Uint256(2 * kWeiPerGwei));
  EXPECT_EQ(tx.gas_limit, 21000u);
  ASSERT_TRUE(tx.to);
  EXPECT_EQ(tx.to->ToChecksumHex(), kRecipient);
  auto sender = tx.RecoverSender();
  ASSERT_TRUE(sender);
  EXPECT_EQ(sender->ToChecksumHex(), kDevAddress0);
}

TEST(SignCommand, ChainIdDefaultsToTheSelectedNetwork) {
  ScratchDir dir;
  std::string key = dir.Write("key", kDevKey0);
  auto run = RunCliWith({"-regtest", "sign", "--key-file=" + key, "--nonce=0",
                         "--to=" + std::string(kRecipient), "--max-fee=1gwei", "--data=0x1234"});
  ASSERT_EQ(run.code, 0) << run.err;
  Transaction tx = Decode(run.out);
  EXPECT_EQ(tx.chain_id, consensus::RegtestParams().chain_id);
  EXPECT_EQ(tx.data, (Bytes{0x12, 0x34}));
  EXPECT_EQ(tx.gas_limit, 200000u);  // calldata default
  // The default 1 gwei tip fits under a 1 gwei cap.
  EXPECT_EQ(tx.max_priority_fee_per_gas, Uint256(kWeiPerGwei));
}

TEST(SignCommand, LegacyTxUsesEip155) {
  ScratchDir dir;
  std::string key = dir.Write("key", kDevKey0);
  auto run =
      RunCliWith({"sign", "--legacy", "--key-file", key, "--chain-id", "1", "--nonce", "9", "--to",
                  kRecipient, "--value", "2gwei", "--max-fee", "5", "--gas", "30000"});
  ASSERT_EQ(run.code, 0) << run.err;
  Transaction tx = Decode(run.out);
  EXPECT_EQ(tx.type, TxType::kLegacy);
  EXPECT_EQ(tx.chain_id, 1u);
  EXPECT_EQ(tx.gas_limit, 30000u);
  EXPECT_EQ(tx.max_fee_per_gas, Uint256(5 * kWeiPerGwei));
  EXPECT_EQ(tx.value, Uint256(2 * kWeiPerGwei));
  EXPECT_EQ(tx.RecoverSender()->ToChecksumHex(), kDevAddress0);
}

TEST(SignCommand, RefusesIncompleteOrInconsistentRequests) {
  ScratchDir dir;
  std::string key = dir.Write("key", kDevKey0);
  std::vector<std::string> base{"sign", "--key-file", key, "--to", kRecipient};
  auto with = [&base](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCliWith(args);
  };
  EXPECT_NE(with({"--max-fee", "1"}).err.find("--nonce"), std::string::npos);
  EXPECT_NE(with({"--nonce", "0"}).err.find("--max-fee"), std::string::npos);
  EXPECT_NE(with({"--nonce", "0", "--max-fee", "1", "--tip", "2"}).err.find("above the fee cap"),
            std::string::npos);
  EXPECT_NE(with({"--nonce", "0", "--max-fee", "1", "--gas", "100"}).err.find("21000"),
            std::string::npos);
  EXPECT_NE(with({"--nonce", "x", "--max-fee", "1"}).err.find("--nonce"), std::string::npos);
  EXPECT_NE(with({"--nonce", "0", "--max-fee", "1", "--value", "1.5wei"}).err.find("decimal"),
            std::string::npos);
  auto bad_key = RunCliWith({"sign", "--key-file", dir.Write("bad", "0x1234"), "--to", kRecipient,
                             "--nonce", "0", "--max-fee", "1"});
  EXPECT_EQ(bad_key.code, 1);
  EXPECT_NE(bad_key.err.find("64 hex digits"), std::string::npos);
  auto bad_to =
      RunCliWith({"sign", "--key-file", key, "--to", "0x1234", "--nonce", "0", "--max-fee", "1"});
  EXPECT_EQ(bad_to.code, 1);
}

}  // namespace
}  // namespace depin::cli

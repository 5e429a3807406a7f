#include "consensus/tx_validation.h"

#include <gtest/gtest.h>

#include "consensus/gas.h"
#include "consensus/test_module.h"

namespace depin::consensus {
namespace {

constexpr uint64_t kGwei = kWeiPerGwei;

Address PlainAddress() {
  Address a;
  for (auto& b : a.bytes) b = 0x42;
  return a;
}

class TxValidationTest : public ::testing::Test {
 protected:
  TxValidationTest() : params_(RegtestParams()) { modules_.Register(MakeTestModule()); }

  // A valid plain transfer on regtest.
  Transaction Transfer() const {
    Transaction tx;
    tx.chain_id = params_.chain_id;
    tx.nonce = 0;
    tx.max_priority_fee_per_gas = Uint256(1 * kGwei);
    tx.max_fee_per_gas = Uint256(2 * kGwei);
    tx.gas_limit = kTxGas;
    tx.to = PlainAddress();
    tx.value = Uint256(1000);
    return tx;
  }

  // A call to the regtest test module with `data`, gas exactly intrinsic.
  Transaction ModuleCall(Bytes data) const {
    Transaction tx = Transfer();
    tx.to = TestModuleAddress();
    tx.value = Uint256();
    tx.data = std::move(data);
    tx.gas_limit = IntrinsicGas(tx);
    return tx;
  }

  Status Stateless(const Transaction& tx) const {
    return CheckTransactionStateless(tx, params_, modules_);
  }

  ChainParams params_;
  ModuleRegistry modules_;
};

TEST_F(TxValidationTest, ValidTransferPasses) { EXPECT_TRUE(Stateless(Transfer()).ok()); }

TEST_F(TxValidationTest, WrongChainIdFails) {
  Transaction tx = Transfer();
  tx.chain_id = params_.chain_id + 1;
  Status s = Stateless(tx);
  EXPECT_EQ(s.code(), "tx-wrong-chain-id");
  EXPECT_NE(s.message().find("invalid chain id"), std::string::npos) << s.message();
  tx.chain_id = MainParams().chain_id;
  EXPECT_EQ(Stateless(tx).code(), "tx-wrong-chain-id");
  tx.chain_id = 0;
  EXPECT_EQ(Stateless(tx).code(), "tx-wrong-chain-id");
}

TEST_F(TxValidationTest, IntrinsicGasBoundaryForPlainTransfer) {
  Transaction tx = Transfer();
  tx.gas_limit = 21000;
  EXPECT_TRUE(Stateless(tx).ok());
  tx.gas_limit = 20999;
  Status s = Stateless(tx);
  EXPECT_EQ(s.code(), "tx-intrinsic-gas");
  EXPECT_NE(s.message().find("intrinsic gas too low"), std::string::npos) << s.message();
}

TEST_F(TxValidationTest, IntrinsicGasCountsZeroBytesAtFour) {
  Transaction tx = ModuleCall(Bytes(10, 0));
  EXPECT_EQ(tx.gas_limit, 21040u);
  EXPECT_TRUE(Stateless(tx).ok());
  tx.gas_limit = 21039;
  EXPECT_EQ(Stateless(tx).code(), "tx-intrinsic-gas");
}

TEST_F(TxValidationTest, IntrinsicGasCountsNonZeroBytesAtSixteen) {
  Transaction tx = ModuleCall(Bytes(10, 0xab));
  EXPECT_EQ(tx.gas_limit, 21160u);
  EXPECT_TRUE(Stateless(tx).ok());
  tx.gas_limit = 21159;
  EXPECT_EQ(Stateless(tx).code(), "tx-intrinsic-gas");
}

TEST_F(TxValidationTest, IntrinsicGasCountsAccessList) {
  Transaction tx = Transfer();
  tx.access_list.push_back({PlainAddress(), {Hash256(), Hash256()}});
  tx.gas_limit = 21000 + 2400 + 2 * 1900;
  EXPECT_TRUE(Stateless(tx).ok());
  tx.gas_limit -= 1;
  EXPECT_EQ(Stateless(tx).code(), "tx-intrinsic-gas");
}

TEST_F(TxValidationTest, GasLimitAboveBlockGasLimitFails) {
  Transaction tx = Transfer();
  tx.gas_limit = params_.block_gas_limit;
  EXPECT_TRUE(Stateless(tx).ok());
  tx.gas_limit = params_.block_gas_limit + 1;
  Status s = Stateless(tx);
  EXPECT_EQ(s.code(), "tx-gas-limit-too-high");
  EXPECT_NE(s.message().find("exceeds block gas limit"), std::string::npos);
}

TEST_F(TxValidationTest, TipAboveFeeCapFails) {
  Transaction tx = Transfer();
  tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
  EXPECT_TRUE(Stateless(tx).ok());
  tx.max_priority_fee_per_gas = *CheckedAdd(tx.max_fee_per_gas, Uint256(1));
  Status s = Stateless(tx);
  EXPECT_EQ(s.code(), "tx-tip-above-fee-cap");
  EXPECT_NE(s.message().find("max priority fee per gas higher than max fee per gas"),
            std::string::npos);
}

TEST_F(TxValidationTest, ContractCreationFails) {
  Transaction tx = Transfer();
  tx.to.reset();
  Status s = Stateless(tx);
  EXPECT_EQ(s.code(), "tx-contract-creation");
  EXPECT_NE(s.message().find("no EVM"), std::string::npos);
}

TEST_F(TxValidationTest, DataToNonModuleFailsWithHint) {
  Transaction tx = Transfer();
  tx.data = {0xa9, 0x05, 0x9c, 0xbb};
  tx.gas_limit = IntrinsicGas(tx);
  Status s = Stateless(tx);
  EXPECT_EQ(s.code(), "tx-data-to-non-module");
  EXPECT_NE(s.message().find("non-module address"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(PlainAddress().ToChecksumHex()), std::string::npos);
  EXPECT_NE(s.message().find("no EVM"), std::string::npos);
  EXPECT_NE(s.message().find("0x0000000000000000000000000000000000001000"), std::string::npos);
  EXPECT_NE(s.message().find("0x0000000000000000000000000000000000002000"), std::string::npos);
  // A module address that is not registered is a plain address.
  tx.to = ModuleAddress(0x1000);
  EXPECT_EQ(Stateless(tx).code(), "tx-data-to-non-module");
}

TEST_F(TxValidationTest, DataToRegisteredModulePasses) {
  EXPECT_TRUE(Stateless(ModuleCall({0x01, 0x02, 0x03, 0x04})).ok());
}

TEST_F(TxValidationTest, EmptyDataToAnyAddressPasses) {
  Transaction tx = Transfer();
  for (Address to : {PlainAddress(), TestModuleAddress(), ModuleAddress(0x1000), Address()}) {
    tx.to = to;
    EXPECT_TRUE(Stateless(tx).ok()) << to.Hex();
  }
}

TEST_F(TxValidationTest, LegacyTxFollowsTheSameRules) {
  Transaction tx = Transfer();
  tx.type = TxType::kLegacy;
  tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
  EXPECT_TRUE(Stateless(tx).ok());
  tx.chain_id = 1;
  EXPECT_EQ(Stateless(tx).code(), "tx-wrong-chain-id");
}

// --- Checks against the sender's account -----------------------------------

constexpr uint64_t kBaseFee = 1 * kGwei;

Account Funded(const Transaction& tx) { return Account{tx.nonce, *MaxCost(tx)}; }

TEST_F(TxValidationTest, NonceMustEqualAccountNonce) {
  Transaction tx = Transfer();
  tx.nonce = 5;
  Account sender{5, Dpn(1)};
  EXPECT_TRUE(CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee)).ok());
  tx.nonce = 4;
  Status low = CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee));
  EXPECT_EQ(low.code(), "tx-nonce-too-low");
  EXPECT_NE(low.message().find("nonce too low"), std::string::npos);
  tx.nonce = 6;
  Status high = CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee));
  EXPECT_EQ(high.code(), "tx-nonce-too-high");
  EXPECT_NE(high.message().find("nonce too high"), std::string::npos);
}

TEST_F(TxValidationTest, MaxCostIsGasTimesFeeCapPlusValue) {
  Transaction tx = Transfer();
  EXPECT_EQ(*MaxCost(tx), Uint256(21000 * 2 * kGwei + 1000));
}

TEST_F(TxValidationTest, BalanceExactlyMaxCostPasses) {
  Transaction tx = Transfer();
  Account sender = Funded(tx);
  EXPECT_TRUE(CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee)).ok());
  sender.balance = *CheckedSub(sender.balance, Uint256(1));
  Status s = CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee));
  EXPECT_EQ(s.code(), "tx-insufficient-funds");
  EXPECT_NE(s.message().find("insufficient funds for gas * price + value"), std::string::npos);
}

TEST_F(TxValidationTest, FundsCheckUsesFeeCapNotBaseFee) {
  // Paying gas at the base fee would fit, but the rule reserves the fee cap.
  Transaction tx = Transfer();
  Account sender{0, *CheckedAdd(Uint256(21000 * kBaseFee), tx.value)};
  EXPECT_EQ(CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee)).code(),
            "tx-insufficient-funds");
}

TEST_F(TxValidationTest, FeeCapBelowBaseFeeFails) {
  Transaction tx = Transfer();
  tx.max_priority_fee_per_gas = Uint256();
  tx.max_fee_per_gas = Uint256(kBaseFee);
  Account sender = Funded(tx);
  EXPECT_TRUE(CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee)).ok());
  Status s = CheckTransactionAgainstAccount(tx, sender, Uint256(kBaseFee + 1));
  EXPECT_EQ(s.code(), "tx-fee-cap-below-base-fee");
  EXPECT_NE(s.message().find("max fee per gas less than block base fee"), std::string::npos);
}

TEST_F(TxValidationTest, MaxCostOverflowIsInsufficientFunds) {
  Transaction tx = Transfer();
  tx.max_fee_per_gas = Uint256::Max();
  tx.max_priority_fee_per_gas = Uint256();
  EXPECT_FALSE(MaxCost(tx).has_value());
  Account rich{0, Uint256::Max()};
  EXPECT_EQ(CheckTransactionAgainstAccount(tx, rich, Uint256(kBaseFee)).code(),
            "tx-insufficient-funds");

  // Gas cost fits but adding the value overflows.
  tx = Transfer();
  tx.gas_limit = 1;
  tx.max_fee_per_gas = Uint256(1);
  tx.value = Uint256::Max();
  EXPECT_FALSE(MaxCost(tx).has_value());
  tx.value = *CheckedSub(Uint256::Max(), Uint256(1));
  ASSERT_TRUE(MaxCost(tx).has_value());
  EXPECT_EQ(*MaxCost(tx), Uint256::Max());
}

}  // namespace
}  // namespace depin::consensus

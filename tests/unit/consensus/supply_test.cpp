// Supply conservation (DESIGN.md, "Amounts"): under random sequences of
// module operations across blocks (transfers, deposits into the test
// module's escrow, withdrawals that may exceed the deposit, calls that
// revert or run out of gas, deferred work), the sum of every balance, the
// module's escrow included, plus everything burned always equals the
// genesis supply plus the subsidies paid. Balances are unsigned, so a
// balance that would go negative shows up as a broken sum or an invalid
// block.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/gas.h"
#include "consensus/params.h"
#include "consensus/state.h"
#include "consensus/test_module.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

constexpr uint64_t kGwei = kWeiPerGwei;
constexpr int kAccounts = 5;

Address Account(int i) {
  Address a;
  a.data()[19] = static_cast<uint8_t>(0x40 + i);
  return a;
}

Uint256 SumOfBalances(const test_util::MapReader& state) {
  Uint256 sum;
  for (const auto& [key, value] : state.map_) {
    if (key.empty() || key[0] != kAccountPrefix) continue;
    auto account = DecodeAccount(value);
    EXPECT_TRUE(account.ok());
    if (account.ok()) sum = *CheckedAdd(sum, account->balance);
  }
  return sum;
}

class SupplyTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  SupplyTest() : params_(RegtestParams()), rng_(GetParam()) {
    modules_.Register(MakeTestModule());
    for (int i = 0; i < kAccounts; ++i) {
      state_.map_[AccountKey(Account(i))] = EncodeAccount({0, Dpn(100)});
    }
  }

  Uint256 Random(uint64_t max) {
    return Uint256(std::uniform_int_distribution<uint64_t>(0, max)(rng_));
  }

  // One random, intrinsically valid tx of sender `from`.
  TxRef RandomTx(int from, uint64_t height) {
    VerifiedTx v;
    v.sender = Account(from);
    v.tx.chain_id = params_.chain_id;
    v.tx.nonce = nonces_[from]++;
    v.tx.max_fee_per_gas = Uint256(3 * kGwei);
    v.tx.max_priority_fee_per_gas = Uint256(1 + rng_() % (2 * kGwei));
    v.tx.to = TestModuleAddress();
    uint64_t extra_gas = 200'000;
    switch (rng_() % 7) {
      case 0:  // plain transfer, sometimes to a fresh account
        v.tx.to = Account(static_cast<int>(rng_() % (kAccounts + 2)));
        v.tx.value = Random(kWeiPerGwei * 1'000'000);  // up to 0.001 DPN
        extra_gas = 0;
        break;
      case 1:  // deposit into the module's escrow
        v.tx.value = Random(kWeiPerGwei * 1'000'000);
        v.tx.data = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
        break;
      case 2:  // withdraw, often more than was deposited (reverts)
        v.tx.data = abi::Encoder()
                        .Uint(Random(kWeiPerGwei * 2'000'000))
                        .FinishCall(abi::SelectorOf("withdraw(uint256)"));
        break;
      case 3:  // value sent with a reverting call comes back
        v.tx.value = Random(kWeiPerGwei);
        v.tx.data = abi::Encoder().String("no").FinishCall(abi::SelectorOf("fail(string)"));
        break;
      case 4:  // burns gas, sometimes past the allowance
        v.tx.data =
            abi::Encoder().Uint(Random(300'000)).FinishCall(abi::SelectorOf("burnGas(uint256)"));
        break;
      case 5:  // deferred work, prepaid
        v.tx.data = abi::Encoder()
                        .Uint(Uint256(height + 1 + rng_() % 3))
                        .Uint(Random(1'000'000))
                        .Uint(Uint256(20'000 + rng_() % 50'000))
                        .FinishCall(abi::SelectorOf("schedule(uint256,uint256,uint256)"));
        break;
      default:  // state writes without coins
        v.tx.data = abi::Encoder()
                        .Uint(Random(10))
                        .Uint(Random(1000))
                        .FinishCall(abi::SelectorOf("set(uint256,uint256)"));
        break;
    }
    v.tx.gas_limit = IntrinsicGas(v.tx) + extra_gas;
    v.hash = v.tx.Hash();
    v.size = v.tx.Encode().size();
    return std::make_shared<const VerifiedTx>(std::move(v));
  }

  ChainParams params_;
  ModuleRegistry modules_;
  test_util::MapReader state_;
  std::mt19937_64 rng_;
  uint64_t nonces_[kAccounts] = {};
};

TEST_P(SupplyTest, BalancesPlusBurnedEqualGenesisPlusSubsidies) {
  Uint256 expected = SumOfBalances(state_);
  ASSERT_EQ(expected, *CheckedMul(Dpn(100), Uint256(kAccounts)));
  Uint256 burned;
  int reverted = 0;
  for (uint64_t height = 1; height <= 40; ++height) {
    BlockContext block;
    block.height = height;
    block.timestamp = params_.genesis_time + 15 * height;
    block.miner = Account(static_cast<int>(rng_() % kAccounts));
    block.base_fee = Uint256(kGwei);
    block.gas_limit = params_.block_gas_limit;
    block.chain_id = params_.chain_id;
    std::vector<TxRef> txs;
    const int count = static_cast<int>(rng_() % 12);
    for (int i = 0; i < count; ++i) {
      txs.push_back(RandomTx(static_cast<int>(rng_() % kAccounts), height));
    }
    auto exec = ExecuteBlock(state_, block, txs, modules_, params_);
    ASSERT_TRUE(exec.ok()) << "block " << height << ": " << exec.status().ToString();
    for (size_t i = 0; i < txs.size(); ++i) reverted += exec->receipts[i].status == 0;
    state_.Apply(exec->diff);
    burned = *CheckedAdd(burned, exec->burned);
    expected = *CheckedAdd(expected, BlockSubsidy(height, params_));
    ASSERT_EQ(*CheckedAdd(SumOfBalances(state_), burned), expected) << "after block " << height;
  }
  // The sequences exercised the paths that move coins back on failure.
  EXPECT_GT(reverted, 0);
  EXPECT_FALSE(burned.IsZero());
}

INSTANTIATE_TEST_SUITE_P(Seeds, SupplyTest, ::testing::Values(1u, 2u, 3u, 42u, 1234u));

}  // namespace
}  // namespace depin::consensus

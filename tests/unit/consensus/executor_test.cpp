#include "consensus/executor.h"

#include <gtest/gtest.h>

#include <map>

#include "consensus/abi.h"
#include "consensus/gas.h"
#include "consensus/test_module.h"
#include "consensus/tx_validation.h"
#include "crypto/keccak.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

constexpr uint64_t kGwei = kWeiPerGwei;
// Gas the test module charges beyond intrinsic (its fixed cost + state + logs).
constexpr uint64_t kSetCallGas = 20000 + (5000 + 16 * 32) + (375 + 3 * 375 + 8 * 32);
constexpr uint64_t kFailCallGas = 1000;

using test_util::MapReader;

Address Addr(uint8_t fill) {
  Address a;
  for (auto& b : a.bytes) b = fill;
  return a;
}

Uint256 Mul(const Uint256& a, const Uint256& b) { return *CheckedMul(a, b); }
Uint256 Add(const Uint256& a, const Uint256& b) { return *CheckedAdd(a, b); }
Uint256 Sub(const Uint256& a, const Uint256& b) { return *CheckedSub(a, b); }

Bytes SetCall(uint64_t key, uint64_t value) {
  return abi::Encoder().Uint(key).Uint(value).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
}
Bytes GetCall(uint64_t key) {
  return abi::Encoder().Uint(key).FinishCall(abi::SelectorOf("get(uint256)"));
}
Bytes DepositCall() { return abi::Encoder().FinishCall(abi::SelectorOf("deposit()")); }
Bytes WithdrawCall(uint64_t amount) {
  return abi::Encoder().Uint(amount).FinishCall(abi::SelectorOf("withdraw(uint256)"));
}
Bytes DepositOfCall(const Address& who) {
  return abi::Encoder().Address(who).FinishCall(abi::SelectorOf("depositOf(address)"));
}
Bytes FailCall(std::string_view reason) {
  return abi::Encoder().String(reason).FinishCall(abi::SelectorOf("fail(string)"));
}
Bytes BurnGasCall(uint64_t amount) {
  return abi::Encoder().Uint(amount).FinishCall(abi::SelectorOf("burnGas(uint256)"));
}

uint64_t IntrinsicFor(const Bytes& data) {
  Transaction tx;
  tx.data = data;
  return IntrinsicGas(tx);
}

Hash256 AddressTopic(const Address& a) {
  Hash256 t;
  std::copy(a.begin(), a.end(), t.data() + 12);
  return t;
}

// A module that writes, logs and pays out of escrow, then fails: every one
// of those effects must vanish.
Result<Bytes> EffectsThenFail(ModuleContext& ctx, abi::Decoder&) {
  DEPIN_RETURN_IF_ERROR(ctx.Put(Bytes{'x'}, {1}));
  DEPIN_RETURN_IF_ERROR(ctx.EmitLog({Hash256()}, {1, 2, 3}));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(Addr(0xcc), ctx.value()));
  return Status::Error("effects-failed", "failed after effects");
}

Result<Bytes> ReadOnlyFlag(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Bool(ctx.read_only()).Finish();
}

class EffectsThenFailModule : public Module {
 public:
  Address address() const override { return ModuleAddress(0x0F01); }
  std::string_view name() const override { return "effects-then-fail"; }
  const FunctionTable& functions() const override { return table_; }

 private:
  FunctionTable table_{{ModuleFunction{.name = "run",
                                       .inputs = {},
                                       .outputs = {},
                                       .mutability = Mutability::kPayable,
                                       .gas = {0, 0},
                                       .help = "",
                                       .handler = EffectsThenFail},
                        ModuleFunction{.name = "isReadOnly",
                                       .inputs = {},
                                       .outputs = {{"", "bool"}},
                                       .mutability = Mutability::kView,
                                       .gas = {0, 0},
                                       .help = "",
                                       .handler = ReadOnlyFlag}},
                       {}};
};

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() : params_(RegtestParams()) {
    modules_.Register(MakeTestModule());
    modules_.Register(std::make_shared<EffectsThenFailModule>());
    block_.height = 1;
    block_.timestamp = params_.genesis_time + 15;
    block_.miner = Miner();
    block_.base_fee = Uint256(kGwei);
    block_.gas_limit = params_.block_gas_limit;
    block_.chain_id = params_.chain_id;
    Fund(Alice(), kAliceStart);
  }

  static Address Alice() { return Addr(0xa1); }
  static Address Bob() { return Addr(0xb0); }
  static Address Miner() { return Addr(0xee); }
  static inline const Uint256 kAliceStart = Dpn(100);

  void Fund(const Address& a, const Uint256& balance, uint64_t nonce = 0) {
    base_.map_[AccountKey(a)] = EncodeAccount(Account{nonce, balance});
  }

  // Fee cap 3 gwei, tip 1 gwei: with base fee 1 gwei the price is 2 gwei.
  VerifiedTx Tx(uint64_t nonce, const Address& to, const Uint256& value, Bytes data = {},
                uint64_t gas_beyond_intrinsic = 0) const {
    VerifiedTx v;
    v.tx.chain_id = params_.chain_id;
    v.tx.nonce = nonce;
    v.tx.max_fee_per_gas = Uint256(3 * kGwei);
    v.tx.max_priority_fee_per_gas = Uint256(1 * kGwei);
    v.tx.to = to;
    v.tx.value = value;
    v.tx.data = std::move(data);
    v.tx.gas_limit = IntrinsicGas(v.tx) + gas_beyond_intrinsic;
    v.sender = Alice();
    v.hash = v.tx.Hash();
    v.size = v.tx.Encode().size();
    return v;
  }
  VerifiedTx ModuleTx(uint64_t nonce, Bytes data, const Uint256& value = Uint256(),
                      uint64_t gas = 100'000) const {
    return Tx(nonce, TestModuleAddress(), value, std::move(data), gas);
  }
  static TxRef Ref(VerifiedTx v) { return std::make_shared<const VerifiedTx>(std::move(v)); }

  Result<TxOutcome> Apply(StateCache& cache, const VerifiedTx& tx, uint64_t cumulative = 0) {
    return ApplyTransaction(cache, block_, tx, modules_, params_, cumulative);
  }
  static Uint256 Price() { return Uint256(2 * kGwei); }

  ChainParams params_;
  ModuleRegistry modules_;
  BlockContext block_;
  MapReader base_;
};

TEST_F(ExecutorTest, TransferMovesValueBumpsNonceAndChargesFee) {
  StateCache cache(base_);
  const VerifiedTx tx = Tx(0, Bob(), Dpn(1));
  auto out = Apply(cache, tx, /*cumulative=*/5000);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->receipt.status, 1);
  EXPECT_EQ(out->receipt.gas_used, 21000u);
  EXPECT_EQ(out->receipt.cumulative_gas_used, 26000u);
  EXPECT_TRUE(out->receipt.logs.empty());
  EXPECT_TRUE(out->receipt.bloom.IsZero());
  const Uint256 fee = Mul(Uint256(21000), Price());
  EXPECT_EQ(cache.GetAccount(Alice()), (Account{1, Sub(Sub(kAliceStart, Dpn(1)), fee)}));
  EXPECT_EQ(cache.GetAccount(Bob()), (Account{0, Dpn(1)}));
  EXPECT_EQ(out->burned, Mul(Uint256(21000), Uint256(kGwei)));
  EXPECT_EQ(out->tip, Mul(Uint256(21000), Uint256(kGwei)));
  EXPECT_EQ(Add(out->burned, out->tip), fee);
  // The miner is paid by ExecuteBlock, not per tx; nobody else is credited.
  EXPECT_EQ(cache.GetAccount(Miner()), Account{});
  EXPECT_EQ(cache.Diff().size(), 2u);
}

TEST_F(ExecutorTest, TipIsCappedByFeeCapMinusBaseFee) {
  StateCache cache(base_);
  VerifiedTx tx = Tx(0, Bob(), Uint256(1));
  tx.tx.max_fee_per_gas = Uint256(kGwei + kGwei / 2);
  tx.tx.max_priority_fee_per_gas = Uint256(kGwei);
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->tip, Mul(Uint256(21000), Uint256(kGwei / 2)));
  EXPECT_EQ(out->burned, Mul(Uint256(21000), Uint256(kGwei)));
  EXPECT_EQ(cache.GetAccount(Alice()).balance,
            Sub(kAliceStart, Add(Uint256(1), Mul(Uint256(21000), Uint256(kGwei + kGwei / 2)))));
}

TEST_F(ExecutorTest, SmallTipPaysBaseFeePlusTipNotFeeCap) {
  StateCache cache(base_);
  VerifiedTx tx = Tx(0, Bob(), Uint256());
  tx.tx.max_priority_fee_per_gas = Uint256(7);
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->tip, Uint256(21000 * 7));
  EXPECT_EQ(cache.GetAccount(Alice()).balance, Sub(kAliceStart, Uint256(21000 * (kGwei + 7))));
}

TEST_F(ExecutorTest, ZeroTipBurnsEverything) {
  StateCache cache(base_);
  VerifiedTx tx = Tx(0, Bob(), Uint256());
  tx.tx.max_priority_fee_per_gas = Uint256();
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->tip.IsZero());
  EXPECT_EQ(out->burned, Uint256(21000 * kGwei));
}

TEST_F(ExecutorTest, InvalidTxLeavesStateUnchanged) {
  StateCache cache(base_);
  ASSERT_TRUE(Apply(cache, Tx(0, Bob(), Dpn(1))).ok());
  const StateDiff before = cache.Diff();
  auto replay = Apply(cache, Tx(0, Bob(), Dpn(1)));
  EXPECT_EQ(replay.status().code(), "tx-nonce-too-low");
  auto gap = Apply(cache, Tx(2, Bob(), Dpn(1)));
  EXPECT_EQ(gap.status().code(), "tx-nonce-too-high");
  auto broke = Apply(cache, Tx(1, Bob(), Dpn(1000)));
  EXPECT_EQ(broke.status().code(), "tx-insufficient-funds");
  VerifiedTx wrong_chain = Tx(1, Bob(), Uint256());
  wrong_chain.tx.chain_id = 1;
  EXPECT_EQ(Apply(cache, wrong_chain).status().code(), "tx-wrong-chain-id");
  VerifiedTx low_cap = Tx(1, Bob(), Uint256());
  low_cap.tx.max_fee_per_gas = Uint256(kGwei - 1);
  low_cap.tx.max_priority_fee_per_gas = Uint256();
  EXPECT_EQ(Apply(cache, low_cap).status().code(), "tx-fee-cap-below-base-fee");
  EXPECT_EQ(cache.Diff(), before);
  EXPECT_TRUE(Apply(cache, Tx(1, Bob(), Dpn(1))).ok());
}

TEST_F(ExecutorTest, ErrorDuringExecutionLeavesStateUnchanged) {
  // Unreachable with a real supply, but the contract holds for any state: a
  // credit that would overflow the recipient makes the tx invalid and undoes
  // the nonce bump and the value debit.
  Fund(Bob(), Uint256::Max());
  StateCache cache(base_);
  auto out = Apply(cache, Tx(0, Bob(), Uint256(1)));
  EXPECT_EQ(out.status().code(), "balance-overflow");
  EXPECT_TRUE(cache.Diff().empty());
  EXPECT_EQ(cache.GetAccount(Alice()), (Account{0, kAliceStart}));
}

TEST_F(ExecutorTest, BalanceExactlyMaxCostIsEnough) {
  const VerifiedTx tx = Tx(0, Bob(), Dpn(1));
  Fund(Alice(), *MaxCost(tx.tx));
  StateCache cache(base_);
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  // Paid at base fee + tip, so the cap's surplus stays with the sender.
  EXPECT_EQ(cache.GetAccount(Alice()).balance, Uint256(21000 * kGwei));

  Fund(Alice(), Sub(*MaxCost(tx.tx), Uint256(1)));
  StateCache poor(base_);
  EXPECT_EQ(Apply(poor, tx).status().code(), "tx-insufficient-funds");
}

TEST_F(ExecutorTest, SetEmitsValueSetLog) {
  StateCache cache(base_);
  const VerifiedTx tx = ModuleTx(0, SetCall(0x1234, 777));
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->receipt.status, 1) << out->RevertReason();
  EXPECT_EQ(out->receipt.gas_used, IntrinsicGas(tx.tx) + kSetCallGas);
  ASSERT_EQ(out->receipt.logs.size(), 1u);
  const Log& log = out->receipt.logs[0];
  EXPECT_EQ(log.address, TestModuleAddress());
  ASSERT_EQ(log.topics.size(), 3u);
  EXPECT_EQ(log.topics[0], crypto::Keccak256Hash(AsSpan("ValueSet(address,uint256,uint256)")));
  EXPECT_EQ(log.topics[1], AddressTopic(Alice()));
  EXPECT_EQ(log.topics[2], Uint256(0x1234).ToHash());
  EXPECT_EQ(log.data, abi::Encoder().Uint(Uint256(777)).Finish());
  const Bloom& bloom = out->receipt.bloom;
  EXPECT_EQ(bloom, LogsBloom(out->receipt.logs));
  EXPECT_TRUE(BloomMayContain(bloom, TestModuleAddress().span()));
  for (const Hash256& t : log.topics) EXPECT_TRUE(BloomMayContain(bloom, t.span()));
  EXPECT_FALSE(bloom.IsZero());
  // The value is stored under the module's prefix.
  bool module_key_written = false;
  for (const StateChange& c : cache.Diff()) {
    if (c.key[0] == kModulePrefix) module_key_written = true;
  }
  EXPECT_TRUE(module_key_written);
}

TEST_F(ExecutorTest, FailChargesFeeAndBumpsNonce) {
  StateCache cache(base_);
  const VerifiedTx tx = ModuleTx(0, FailCall("boom"));
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->revert_code(), "testmod-fail");
  EXPECT_EQ(out->RevertReason(), "testmod-fail: boom");
  const uint64_t gas = IntrinsicGas(tx.tx) + kFailCallGas;
  EXPECT_EQ(out->receipt.gas_used, gas);
  EXPECT_TRUE(out->receipt.logs.empty());
  EXPECT_TRUE(out->return_data.empty());
  EXPECT_EQ(cache.GetAccount(Alice()), (Account{1, Sub(kAliceStart, Mul(Uint256(gas), Price()))}));
  EXPECT_EQ(cache.GetAccount(TestModuleAddress()), Account{});
  EXPECT_EQ(out->burned, Mul(Uint256(gas), Uint256(kGwei)));
}

TEST_F(ExecutorTest, ValueToNonPayableFunctionIsReturned) {
  StateCache cache(base_);
  const VerifiedTx tx = ModuleTx(0, GetCall(1), Uint256(7));
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->RevertReason(), "module-not-payable: function is not payable");
  EXPECT_EQ(cache.GetAccount(TestModuleAddress()), Account{});
  EXPECT_EQ(cache.GetAccount(Alice()),
            (Account{1, Sub(kAliceStart, Mul(Uint256(out->receipt.gas_used), Price()))}));
}

TEST_F(ExecutorTest, FailedCallRevertsWritesLogsAndPayouts) {
  StateCache cache(base_);
  const VerifiedTx tx = Tx(0, ModuleAddress(0x0F01), Uint256(5),
                           abi::Encoder().FinishCall(abi::SelectorOf("run()")), 100'000);
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->RevertReason(), "effects-failed: failed after effects");
  EXPECT_TRUE(out->receipt.logs.empty());
  EXPECT_TRUE(out->receipt.bloom.IsZero());
  EXPECT_EQ(cache.GetAccount(Addr(0xcc)), Account{});
  EXPECT_EQ(cache.GetAccount(ModuleAddress(0x0F01)), Account{});
  EXPECT_EQ(cache.Get(ModuleKey(ModuleAddress(0x0F01), Bytes{'x'})), std::nullopt);
  // Gas spent before the failure is charged.
  EXPECT_GT(out->receipt.gas_used, IntrinsicGas(tx.tx));
  EXPECT_EQ(cache.GetAccount(Alice()),
            (Account{1, Sub(kAliceStart, Mul(Uint256(out->receipt.gas_used), Price()))}));
  // Only the sender's account changed.
  ASSERT_EQ(cache.Diff().size(), 1u);
  EXPECT_EQ(cache.Diff()[0].key, AccountKey(Alice()));
}

TEST_F(ExecutorTest, OutOfGasUsesTheWholeGasLimit) {
  StateCache cache(base_);
  const VerifiedTx tx = ModuleTx(0, BurnGasCall(1'000'000), Uint256(), 50'000);
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->receipt.gas_used, tx.tx.gas_limit);
  EXPECT_TRUE(out->revert.Is(StatusKind::kOutOfGas)) << out->RevertReason();
  EXPECT_EQ(out->revert_code(), "out-of-gas");
  EXPECT_EQ(cache.GetAccount(Alice()),
            (Account{1, Sub(kAliceStart, Mul(Uint256(tx.tx.gas_limit), Price()))}));
}

TEST_F(ExecutorTest, BurnGasWithinAllowanceSucceeds) {
  StateCache cache(base_);
  const VerifiedTx tx = ModuleTx(0, BurnGasCall(49'000), Uint256(), 50'000);
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 1);
  EXPECT_EQ(out->receipt.gas_used, tx.tx.gas_limit);
}

TEST_F(ExecutorTest, OutOfGasAfterWriteRevertsTheWrite) {
  {
    StateCache cache(base_);
    auto out = Apply(cache, ModuleTx(0, SetCall(1, 2), Uint256(), kSetCallGas - 1));
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->receipt.status, 0);
    EXPECT_TRUE(out->receipt.logs.empty());
    ASSERT_EQ(cache.Diff().size(), 1u);  // the sender's fee and nonce only
    EXPECT_EQ(cache.Diff()[0].key, AccountKey(Alice()));
  }
  {
    StateCache cache(base_);
    auto out = Apply(cache, ModuleTx(0, SetCall(1, 2), Uint256(), kSetCallGas));
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->receipt.status, 1);
    EXPECT_EQ(cache.Diff().size(), 2u);
  }
}

TEST_F(ExecutorTest, CallBeforeActivationRevertsAndReturnsTheValue) {
  ModuleRegistry later;
  later.Register(MakeTestModule(), /*activation_height=*/2);
  StateCache cache(base_);
  auto out =
      ApplyTransaction(cache, block_, ModuleTx(0, DepositCall(), Uint256(500)), later, params_, 0);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->revert_code(), "module-not-active");
  EXPECT_EQ(cache.GetAccount(TestModuleAddress()), Account{});
  block_.height = 2;
  auto active =
      ApplyTransaction(cache, block_, ModuleTx(1, DepositCall(), Uint256(500)), later, params_, 0);
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->receipt.status, 1) << active->RevertReason();
}

TEST_F(ExecutorTest, UnknownSelectorFails) {
  StateCache cache(base_);
  const VerifiedTx tx = ModuleTx(0, {0x12, 0x34, 0x56, 0x78});
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->RevertReason(), "module-unknown-function: unknown function selector");
  EXPECT_EQ(out->receipt.gas_used, IntrinsicGas(tx.tx));
  EXPECT_EQ(cache.GetAccount(Alice()).nonce, 1u);
}

TEST_F(ExecutorTest, DepositAndWithdrawThroughEscrow) {
  StateCache cache(base_);
  auto dep = Apply(cache, ModuleTx(0, DepositCall(), Uint256(1000)));
  ASSERT_TRUE(dep.ok());
  ASSERT_EQ(dep->receipt.status, 1) << dep->RevertReason();
  EXPECT_EQ(cache.GetAccount(TestModuleAddress()).balance, Uint256(1000));
  ASSERT_EQ(dep->receipt.logs.size(), 1u);
  EXPECT_EQ(dep->receipt.logs[0].topics,
            (std::vector<Hash256>{crypto::Keccak256Hash(AsSpan("Deposited(address,uint256)")),
                                  AddressTopic(Alice())}));
  EXPECT_EQ(dep->receipt.logs[0].data, abi::Encoder().Uint(Uint256(1000)).Finish());

  // More than deposited: status 0, escrow and deposit untouched.
  auto over = Apply(cache, ModuleTx(1, WithdrawCall(1001)));
  ASSERT_TRUE(over.ok());
  EXPECT_EQ(over->receipt.status, 0);
  EXPECT_EQ(over->RevertReason(), "testmod-insufficient-deposit: insufficient deposit");
  EXPECT_EQ(cache.GetAccount(TestModuleAddress()).balance, Uint256(1000));

  const Uint256 before = cache.GetAccount(Alice()).balance;
  auto wd = Apply(cache, ModuleTx(2, WithdrawCall(400)));
  ASSERT_TRUE(wd.ok());
  ASSERT_EQ(wd->receipt.status, 1) << wd->RevertReason();
  EXPECT_EQ(cache.GetAccount(TestModuleAddress()).balance, Uint256(600));
  EXPECT_EQ(cache.GetAccount(Alice()).balance,
            Sub(Add(before, Uint256(400)), Mul(Uint256(wd->receipt.gas_used), Price())));
  ASSERT_EQ(wd->receipt.logs.size(), 1u);
  EXPECT_EQ(wd->receipt.logs[0].topics[0],
            crypto::Keccak256Hash(AsSpan("Withdrawn(address,uint256)")));
  EXPECT_EQ(wd->receipt.logs[0].data, abi::Encoder().Uint(Uint256(400)).Finish());

  // Exactly the rest empties the escrow account.
  auto rest = Apply(cache, ModuleTx(3, WithdrawCall(600)));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->receipt.status, 1);
  EXPECT_EQ(cache.Get(AccountKey(TestModuleAddress())), std::nullopt);
}

TEST_F(ExecutorTest, BlockGasBoundary) {
  StateCache cache(base_);
  const VerifiedTx tx = Tx(0, Bob(), Uint256(1));
  block_.gas_limit = 100'000;
  EXPECT_EQ(Apply(cache, tx, /*cumulative=*/100'000 - 20'999).status().code(),
            "tx-block-gas-exhausted");
  EXPECT_EQ(Apply(cache, tx, /*cumulative=*/200'000).status().code(), "tx-block-gas-exhausted");
  EXPECT_TRUE(cache.Diff().empty());
  auto fits = Apply(cache, tx, /*cumulative=*/100'000 - 21'000);
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->receipt.cumulative_gas_used, 100'000u);
}

TEST_F(ExecutorTest, ExecuteBlockRejectsTxPastBlockGasLimit) {
  block_.gas_limit = 50'000;
  const std::vector<TxRef> txs = {Ref(Tx(0, Bob(), Uint256(1))), Ref(Tx(1, Bob(), Uint256(1))),
                                  Ref(Tx(2, Bob(), Uint256(1)))};
  auto exec = ExecuteBlock(base_, block_, txs, modules_, params_);
  EXPECT_EQ(exec.status().code(), "tx-block-gas-exhausted");
  EXPECT_EQ(exec.status().message().rfind("tx 2 (" + txs[2]->hash.Hex() + ")", 0), 0u)
      << exec.status().message();
  block_.gas_limit = 63'000;
  EXPECT_TRUE(ExecuteBlock(base_, block_, txs, modules_, params_).ok());
}

TEST_F(ExecutorTest, ExecuteBlockErrorNamesTxIndex) {
  const std::vector<TxRef> txs = {Ref(Tx(0, Bob(), Uint256(1))), Ref(Tx(5, Bob(), Uint256(1)))};
  auto exec = ExecuteBlock(base_, block_, txs, modules_, params_);
  EXPECT_EQ(exec.status().code(), "tx-nonce-too-high");
  const std::string msg = exec.status().message();
  EXPECT_EQ(msg.rfind("tx 1 (" + txs[1]->hash.Hex() + "): nonce too high", 0), 0u) << msg;
}

TEST_F(ExecutorTest, ExecuteBlockReceiptsAndMinerReward) {
  Fund(Miner(), Uint256(5));
  const std::vector<TxRef> txs = {Ref(Tx(0, Bob(), Dpn(1))), Ref(ModuleTx(1, SetCall(1, 2))),
                                  Ref(ModuleTx(2, FailCall("no")))};
  auto exec = ExecuteBlock(base_, block_, txs, modules_, params_);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  ASSERT_EQ(exec->receipts.size(), 3u);
  uint64_t cumulative = 0;
  Uint256 tips;
  Uint256 burned;
  for (size_t i = 0; i < 3; ++i) {
    cumulative += exec->receipts[i].gas_used;
    EXPECT_EQ(exec->receipts[i].cumulative_gas_used, cumulative) << i;
    tips = Add(tips, Mul(Uint256(exec->receipts[i].gas_used), Uint256(kGwei)));
    burned = Add(burned, Mul(Uint256(exec->receipts[i].gas_used), Uint256(kGwei)));
  }
  EXPECT_EQ(exec->receipts[0].gas_used, 21000u);
  EXPECT_EQ(exec->receipts[1].status, 1);
  EXPECT_EQ(exec->receipts[2].status, 0);
  EXPECT_EQ(exec->gas_used, cumulative);
  EXPECT_EQ(exec->burned, burned);
  EXPECT_EQ(exec->miner_reward, Add(tips, BlockSubsidy(1, params_)));
  EXPECT_EQ(BlockSubsidy(1, params_), Dpn(2));

  // Apply the diff and check where the money went: nothing is created but
  // the subsidy, nothing destroyed but the burned base fee.
  MapReader after = base_;
  after.Apply(exec->diff);
  StateCache view(after);
  EXPECT_EQ(view.GetAccount(Miner()).balance, Add(Uint256(5), exec->miner_reward));
  EXPECT_EQ(view.GetAccount(Bob()).balance, Dpn(1));
  EXPECT_EQ(view.GetAccount(Alice()).nonce, 3u);
  Uint256 total_before;
  for (const auto& [k, v] : base_.map_) {
    if (k[0] == kAccountPrefix) total_before = Add(total_before, DecodeAccount(v)->balance);
  }
  Uint256 total_after;
  for (const auto& [k, v] : after.map_) {
    if (k[0] == kAccountPrefix) total_after = Add(total_after, DecodeAccount(v)->balance);
  }
  EXPECT_EQ(Add(total_after, exec->burned), Add(total_before, BlockSubsidy(1, params_)));
}

TEST_F(ExecutorTest, EmptyBlockPaysSubsidyByHeight) {
  for (uint64_t height : {1u, 149u, 150u, 300u}) {
    block_.height = height;
    auto exec = ExecuteBlock(base_, block_, {}, modules_, params_);
    ASSERT_TRUE(exec.ok());
    EXPECT_EQ(exec->miner_reward, BlockSubsidy(height, params_)) << height;
    ASSERT_EQ(exec->diff.size(), 1u);
    EXPECT_EQ(exec->diff[0].after, EncodeAccount(Account{0, BlockSubsidy(height, params_)}));
  }
  block_.height = 150;
  EXPECT_EQ(ExecuteBlock(base_, block_, {}, modules_, params_)->miner_reward, Dpn(1));
  block_.height = 0;
  auto genesis = ExecuteBlock(base_, block_, {}, modules_, params_);
  ASSERT_TRUE(genesis.ok());
  EXPECT_TRUE(genesis->miner_reward.IsZero());
  EXPECT_TRUE(genesis->diff.empty());
}

TEST_F(ExecutorTest, LegacyTxGetsLegacyReceipt) {
  StateCache cache(base_);
  VerifiedTx tx = Tx(0, Bob(), Uint256(1));
  tx.tx.type = TxType::kLegacy;
  tx.tx.max_priority_fee_per_gas = tx.tx.max_fee_per_gas;
  auto out = Apply(cache, tx);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.type, TxType::kLegacy);
  // gasPrice is both cap and tip: tip = 3 - 1 gwei.
  EXPECT_EQ(out->tip, Uint256(21000 * 2 * kGwei));
}

// --- SimulateCall -----------------------------------------------------------

TEST_F(ExecutorTest, SimulateCallReturnsViewData) {
  auto exec = ExecuteBlock(base_, block_, {Ref(ModuleTx(0, SetCall(42, 4242)))}, modules_, params_);
  ASSERT_TRUE(exec.ok());
  base_.Apply(exec->diff);

  CallRequest call;
  call.from = Bob();  // no balance, no nonce check
  call.to = TestModuleAddress();
  call.data = GetCall(42);
  auto got = SimulateCall(base_, block_, call, modules_, params_);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->receipt.status, 1);
  EXPECT_EQ(got->return_data, abi::Encoder().Uint(Uint256(4242)).Finish());
  EXPECT_EQ(got->receipt.gas_used, IntrinsicFor(call.data) + 2000 + 800);

  call.data = GetCall(43);
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_)->return_data,
            abi::Encoder().Uint(Uint256()).Finish());
}

TEST_F(ExecutorTest, SimulateCallDiscardsEffects) {
  const auto snapshot = base_.map_;
  CallRequest call;
  call.from = Alice();
  call.to = TestModuleAddress();
  call.data = SetCall(7, 8);
  auto set = SimulateCall(base_, block_, call, modules_, params_);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->receipt.status, 1);
  EXPECT_EQ(set->receipt.logs.size(), 1u);
  call.data = GetCall(7);
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_)->return_data,
            abi::Encoder().Uint(Uint256()).Finish());
  call.data = DepositOfCall(Alice());
  EXPECT_TRUE(SimulateCall(base_, block_, call, modules_, params_).ok());
  EXPECT_EQ(base_.map_, snapshot);
}

TEST_F(ExecutorTest, SimulateCallOfAViewRunsReadOnly) {
  CallRequest call;
  call.from = Alice();
  call.to = ModuleAddress(0x0F01);
  call.data = abi::Encoder().FinishCall(abi::SelectorOf("isReadOnly()"));
  auto out = SimulateCall(base_, block_, call, modules_, params_);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->return_data, abi::Encoder().Bool(true).Finish());
}

TEST_F(ExecutorTest, SimulateCallReportsRevertReason) {
  CallRequest call;
  call.from = Alice();
  call.to = TestModuleAddress();
  call.data = FailCall("nope");
  auto out = SimulateCall(base_, block_, call, modules_, params_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_EQ(out->RevertReason(), "testmod-fail: nope");
}

TEST_F(ExecutorTest, SimulateCallChecksShapeAndGas) {
  CallRequest call;
  call.from = Alice();
  call.to = Bob();
  call.data = {1};
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_).status().code(),
            "tx-data-to-non-module");
  call.to.reset();
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_).status().code(),
            "tx-contract-creation");
  call.to = TestModuleAddress();
  call.data = BurnGasCall(1'000'000);
  call.gas_limit = 0;  // block gas limit
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_)->receipt.status, 1);
  call.gas_limit = 100'000;
  auto oog = SimulateCall(base_, block_, call, modules_, params_);
  ASSERT_TRUE(oog.ok());
  EXPECT_EQ(oog->receipt.status, 0);
  EXPECT_EQ(oog->receipt.gas_used, 100'000u);
  call.gas_limit = IntrinsicFor(call.data) - 1;
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_).status().code(),
            "tx-intrinsic-gas");
  // A value the sender cannot pay is an error, not a receipt.
  call = CallRequest{};
  call.from = Bob();
  call.to = Alice();
  call.value = Uint256(1);
  EXPECT_EQ(SimulateCall(base_, block_, call, modules_, params_).status().code(),
            "tx-insufficient-funds");
}

// --- NextBaseFee (EIP-1559) -------------------------------------------------

class BaseFeeTest : public ::testing::Test {
 protected:
  BlockHeader Parent(uint64_t gas_used, const Uint256& base_fee) const {
    BlockHeader h;
    h.height = 10;
    h.gas_limit = params_.block_gas_limit;
    h.gas_used = gas_used;
    h.base_fee = base_fee;
    return h;
  }
  ChainParams params_ = RegtestParams();
  uint64_t target_ = params_.block_gas_limit / 2;
};

TEST_F(BaseFeeTest, BlockOneGetsInitialBaseFee) {
  BlockHeader genesis = params_.GenesisHeader();
  genesis.base_fee = Uint256(12345);
  genesis.gas_used = 0;
  EXPECT_EQ(NextBaseFee(genesis, params_), params_.initial_base_fee);
  EXPECT_EQ(params_.initial_base_fee, Uint256(kGwei));
}

TEST_F(BaseFeeTest, AtTargetUnchanged) {
  EXPECT_EQ(NextBaseFee(Parent(target_, Uint256(5 * kGwei)), params_), Uint256(5 * kGwei));
}

TEST_F(BaseFeeTest, FullBlockRaisesByOneEighth) {
  EXPECT_EQ(NextBaseFee(Parent(params_.block_gas_limit, Uint256(8 * kGwei)), params_),
            Uint256(9 * kGwei));
  EXPECT_EQ(NextBaseFee(Parent(params_.block_gas_limit, Uint256(kGwei)), params_),
            Uint256(1'125'000'000));
  // Half way between target and full: one sixteenth.
  EXPECT_EQ(NextBaseFee(Parent(target_ + target_ / 2, Uint256(16 * kGwei)), params_),
            Uint256(17 * kGwei));
}

TEST_F(BaseFeeTest, EmptyBlockLowersByOneEighth) {
  EXPECT_EQ(NextBaseFee(Parent(0, Uint256(8 * kGwei)), params_), Uint256(7 * kGwei));
  EXPECT_EQ(NextBaseFee(Parent(target_ / 2, Uint256(16 * kGwei)), params_), Uint256(15 * kGwei));
}

TEST_F(BaseFeeTest, FloorAtMinBaseFee) {
  const Uint256 floor = params_.min_base_fee;
  EXPECT_EQ(floor, Uint256(1'000'000));
  EXPECT_EQ(NextBaseFee(Parent(0, floor), params_), floor);
  EXPECT_EQ(NextBaseFee(Parent(0, Uint256(1'100'000)), params_), floor);
  EXPECT_EQ(NextBaseFee(Parent(0, Uint256(1'200'000)), params_), Uint256(1'050'000));
  EXPECT_EQ(NextBaseFee(Parent(target_, Uint256(1)), params_), floor);
}

TEST_F(BaseFeeTest, IncreaseIsAtLeastOneWei) {
  const Uint256 floor = params_.min_base_fee;
  EXPECT_EQ(NextBaseFee(Parent(target_ + 1, floor), params_), Add(floor, Uint256(1)));
  ChainParams no_floor = params_;
  no_floor.min_base_fee = Uint256();
  EXPECT_EQ(NextBaseFee(Parent(target_ + 1, Uint256(7)), no_floor), Uint256(8));
  // A decrease may round to zero.
  EXPECT_EQ(NextBaseFee(Parent(target_ - 1, Uint256(7)), no_floor), Uint256(7));
}

// A header chain of full blocks raises the base fee by 1/8 per block with no
// more work than the tip: past 2^228 base_fee * gas overflows 256 bits. The
// next base fee then saturates instead of dereferencing an empty product.
TEST_F(BaseFeeTest, HugeBaseFeesSaturateInsteadOfOverflowing) {
  const Uint256 max = ~Uint256();
  Uint256 fee = Uint256(1) << 229;
  for (int i = 0; i < 2000 && fee != max; ++i) {
    const Uint256 next = NextBaseFee(Parent(params_.block_gas_limit, fee), params_);
    ASSERT_GT(next, fee);
    fee = next;
  }
  EXPECT_EQ(fee, max);
  EXPECT_EQ(NextBaseFee(Parent(params_.block_gas_limit, max), params_), max);
  // Falling from the top is exact: 1/8 off, rounded down.
  const Uint256 lower = NextBaseFee(Parent(0, max), params_);
  EXPECT_EQ(lower, *CheckedSub(max, max / Uint256(8)));
  EXPECT_EQ(NextBaseFee(Parent(target_, max), params_), max);
}

TEST_F(BaseFeeTest, UsesParamsDenominatorAndElasticity) {
  ChainParams p = params_;
  p.base_fee_change_denominator = 4;
  EXPECT_EQ(NextBaseFee(Parent(p.block_gas_limit, Uint256(8 * kGwei)), p), Uint256(10 * kGwei));
  p.elasticity_multiplier = 4;  // target is a quarter of the limit
  EXPECT_EQ(NextBaseFee(Parent(p.block_gas_limit / 4, Uint256(8 * kGwei)), p), Uint256(8 * kGwei));
}

}  // namespace
}  // namespace depin::consensus

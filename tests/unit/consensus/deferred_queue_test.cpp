#include "consensus/deferred_queue.h"

#include <gtest/gtest.h>

#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/gas.h"
#include "consensus/test_module.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

using test_util::MapReader;

Address Addr(uint8_t fill) {
  Address a;
  for (auto& b : a.bytes) b = fill;
  return a;
}

constexpr uint64_t kEntryGas = 10'000;

// What a RecordingModule run writes and logs: 0x0F, the module address's
// last byte, the due height's low byte, the key.
Bytes Record(uint8_t module_low, uint8_t height, ByteSpan key) {
  Bytes r;
  r.reserve(3 + key.size());
  r.push_back(0x0F);
  r.push_back(module_low);
  r.push_back(height);
  for (uint8_t b : key) r.push_back(b);
  return r;
}

// Records every run in its state ('r' || sequence -> module byte, height,
// key) and logs it; a key starting with 'F' writes, then fails.
class RecordingModule : public Module {
 public:
  explicit RecordingModule(uint16_t low16) : address_(ModuleAddress(low16)) {}
  Address address() const override { return address_; }
  std::string_view name() const override { return "recording"; }
  const FunctionTable& functions() const override { return table_; }
  Status RunDeferred(ModuleContext& ctx, uint64_t due_height, ByteSpan key) const override {
    const Bytes record = Record(address_[19], static_cast<uint8_t>(due_height), key);
    DEPIN_RETURN_IF_ERROR(ctx.Put(Bytes{'r', static_cast<uint8_t>(ctx.block().height)}, record));
    DEPIN_RETURN_IF_ERROR(ctx.EmitLog({}, record));
    if (!key.empty() && key[0] == 'F') return Status::Error("recording-failed", "asked to fail");
    return Status::Ok();
  }

 private:
  Address address_;
  FunctionTable table_{{}, {}};
};

class DeferredQueueTest : public ::testing::Test {
 protected:
  DeferredQueueTest() {
    modules_.Register(std::make_shared<RecordingModule>(0x0F10));
    modules_.Register(std::make_shared<RecordingModule>(0x0F20));
    modules_.Register(MakeTestModule());
    params_.deferred_gas_per_block = 3 * kEntryGas;
    params_.deferred_horizon = 100;
    block_ = At(10);
  }
  BlockContext At(uint64_t height) const {
    BlockHeader h;
    h.height = height;
    h.gas_limit = params_.block_gas_limit;
    h.base_fee = Uint256(kWeiPerGwei);
    return MakeBlockContext(h, params_, NoAncestors());
  }
  // Schedules straight into the base state, as an earlier block would have.
  void Queue(uint64_t height, uint16_t module, Bytes key, uint64_t gas = kEntryGas) {
    base_.map_[DeferredStateKey(height, ModuleAddress(module), key)] = EncodeDeferredValue(gas);
  }
  Result<BlockExecution> Run(uint64_t height) {
    return ExecuteBlock(base_, At(height), {}, modules_, params_);
  }
  static std::vector<Bytes> LogData(const BlockExecution& exec) {
    std::vector<Bytes> out;
    if (exec.deferred_entries_run == 0) return out;
    for (const Log& l : exec.receipts.back().logs) out.push_back(l.data);
    return out;
  }
  static Bytes Rec(uint8_t module_low, uint8_t height, Bytes key) {
    return Record(module_low, height, key);
  }

  ChainParams params_ = RegtestParams();
  ModuleRegistry modules_;
  MapReader base_;
  BlockContext block_;
};

TEST_F(DeferredQueueTest, StateKeyOrderIsHeightModuleKey) {
  EXPECT_LT(DeferredStateKey(1, ModuleAddress(0x2000), Bytes{0xff}),
            DeferredStateKey(2, ModuleAddress(0x1000), Bytes{0x00}));
  EXPECT_LT(DeferredStateKey(256, ModuleAddress(0x1000), Bytes{0xff}),
            DeferredStateKey(256, ModuleAddress(0x2000), Bytes{}));
  EXPECT_LT(DeferredStateKey(7, ModuleAddress(0x1000), Bytes{0x01}),
            DeferredStateKey(7, ModuleAddress(0x1000), Bytes{0x01, 0x00}));
  const Bytes k = DeferredStateKey(0x0102030405060708, ModuleAddress(0x1000), Bytes{9, 9});
  auto e = DecodeDeferredEntry(k, EncodeDeferredValue(1234));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, (DeferredEntry{0x0102030405060708, ModuleAddress(0x1000), Bytes{9, 9}, 1234}));
  EXPECT_TRUE(DecodeDeferredEntry(k, Bytes(7)).status().Is(StatusKind::kCorruption));
  EXPECT_TRUE(DecodeDeferredEntry(Bytes{'q', 1}, EncodeDeferredValue(1))
                  .status()
                  .Is(StatusKind::kCorruption));
}

TEST_F(DeferredQueueTest, DueEntriesRunInHeightModuleKeyOrder) {
  Queue(9, 0x0F20, Bytes{'a'});
  Queue(10, 0x0F10, Bytes{'b'});
  Queue(8, 0x0F20, Bytes{'z'});
  Queue(9, 0x0F10, Bytes{'c'});
  Queue(11, 0x0F10, Bytes{'n'});  // not due
  params_.deferred_gas_per_block = 10 * kEntryGas;
  auto exec = Run(10);
  ASSERT_TRUE(exec.ok()) << exec.status().ToString();
  EXPECT_EQ(exec->deferred_entries_run, 4u);
  EXPECT_EQ(LogData(*exec), (std::vector<Bytes>{Rec(0x20, 8, {'z'}), Rec(0x10, 9, {'c'}),
                                                Rec(0x20, 9, {'a'}), Rec(0x10, 10, {'b'})}));
  MapReader after = base_;
  after.Apply(exec->diff);
  StateCache view(after);
  EXPECT_EQ(ListDeferred(view),
            (std::vector<DeferredEntry>{{11, ModuleAddress(0x0F10), Bytes{'n'}, kEntryGas}}));
}

TEST_F(DeferredQueueTest, BoundSpillsTheRestToTheNextBlockInOrder) {
  for (uint8_t k = 0; k < 5; ++k) Queue(10, 0x0F10, Bytes{k});
  auto first = Run(10);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->deferred_entries_run, 3u);  // 3 x kEntryGas fit the bound
  // Deterministic: the same block twice gives the same diff and receipts.
  auto again = Run(10);
  EXPECT_EQ(again->diff, first->diff);
  EXPECT_EQ(again->receipts, first->receipts);

  base_.Apply(first->diff);
  Queue(11, 0x0F10, Bytes{0});  // due at 11: runs after the spilled ones
  auto second = Run(11);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(LogData(*second),
            (std::vector<Bytes>{Rec(0x10, 10, {3}), Rec(0x10, 10, {4}), Rec(0x10, 11, {0})}));
}

TEST_F(DeferredQueueTest, AnEntryThatDoesNotFitStopsTheRunEvenIfLaterOnesWould) {
  Queue(9, 0x0F10, Bytes{1}, 2 * kEntryGas);
  Queue(9, 0x0F10, Bytes{2}, 2 * kEntryGas);
  Queue(9, 0x0F10, Bytes{3}, kDeferredMinGas);
  auto exec = Run(10);
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(LogData(*exec), (std::vector<Bytes>{Rec(0x10, 9, {1})}));
}

TEST_F(DeferredQueueTest, GasIsAccountedInTheSystemReceiptNotTheHeader) {
  Queue(10, 0x0F10, Bytes{1});
  auto exec = Run(10);
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(exec->gas_used, 0u);  // no txs: the header's gas used
  ASSERT_EQ(exec->receipts.size(), 1u);
  const Receipt& system = exec->receipts[0];
  EXPECT_TRUE(HasSystemReceipt(/*tx_count=*/0, exec->receipts.size()));
  EXPECT_EQ(system.status, 1);
  EXPECT_EQ(system.type, TxType::kLegacy);
  // The fixed cost plus the run's write (3-byte record + 1 key byte) and log.
  const uint64_t run_gas =
      (kModuleWriteGas + kModuleWriteByteGas * 4) + (kModuleLogGas + kModuleLogByteGas * 4);
  EXPECT_EQ(exec->deferred_gas_used, kDeferredMinGas + run_gas);
  EXPECT_EQ(system.gas_used, exec->deferred_gas_used);
  EXPECT_EQ(system.cumulative_gas_used, exec->deferred_gas_used);
  EXPECT_EQ(system.bloom, LogsBloom(system.logs));
  // Nothing ran: no system receipt.
  base_.Apply(exec->diff);
  EXPECT_TRUE(Run(11)->receipts.empty());
}

TEST_F(DeferredQueueTest, AFailedRunIsRevertedButConsumed) {
  Queue(10, 0x0F10, Bytes{'F'});
  Queue(10, 0x0F10, Bytes{'G'});
  auto exec = Run(10);
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(exec->deferred_entries_run, 2u);
  EXPECT_EQ(LogData(*exec), (std::vector<Bytes>{Rec(0x10, 10, {'G'})}));
  MapReader after = base_;
  after.Apply(exec->diff);
  StateCache view(after);
  EXPECT_TRUE(ListDeferred(view).empty());
}

TEST_F(DeferredQueueTest, AnEntryOfAnUnknownModuleLapses) {
  Queue(10, 0x0F30, Bytes{1});
  auto exec = Run(10);
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(exec->deferred_entries_run, 1u);
  EXPECT_EQ(exec->deferred_gas_used, kDeferredMinGas);
  EXPECT_TRUE(exec->receipts[0].logs.empty());
}

TEST_F(DeferredQueueTest, ACorruptEntryIsAnError) {
  base_.map_[DeferredStateKey(10, ModuleAddress(0x0F10), {})] = Bytes{1, 2};
  EXPECT_TRUE(Run(10).status().Is(StatusKind::kCorruption));
}

// --- Scheduling through ModuleContext -----------------------------------------

class ScheduleTest : public DeferredQueueTest {
 protected:
  ModuleContext Ctx(uint64_t gas = 1'000'000, bool read_only = false) {
    return ModuleContext(cache_, block_, ModuleAddress(0x0F10), Addr(1), Uint256(), gas, read_only);
  }
  StateCache cache_{base_};
};

TEST_F(ScheduleTest, PastCurrentAndBeyondHorizonAreRefusedWithAReason) {
  ModuleContext ctx = Ctx();
  Status past = ctx.ScheduleDeferred(9, Bytes{1}, kEntryGas);
  EXPECT_EQ(past.code(), "deferred-not-in-future");
  EXPECT_NE(past.message().find("after the current block 10"), std::string::npos);
  EXPECT_EQ(ctx.ScheduleDeferred(10, Bytes{1}, kEntryGas).code(), "deferred-not-in-future");
  Status far = ctx.ScheduleDeferred(111, Bytes{1}, kEntryGas);
  EXPECT_EQ(far.code(), "deferred-beyond-horizon");
  EXPECT_TRUE(far.Is(StatusKind::kLimitExceeded));
  EXPECT_NE(far.message().find("more than 100 blocks ahead"), std::string::npos);
  EXPECT_TRUE(ctx.ScheduleDeferred(110, Bytes{1}, kEntryGas).ok());
  EXPECT_TRUE(ctx.ScheduleDeferred(11, Bytes{1}, kEntryGas).ok());
  EXPECT_EQ(ListDeferred(cache_).size(), 2u);
}

TEST_F(ScheduleTest, GasKeyAndDuplicateRules) {
  ModuleContext ctx = Ctx();
  EXPECT_EQ(ctx.ScheduleDeferred(11, Bytes{1}, kDeferredMinGas - 1).code(), "deferred-gas-too-low");
  EXPECT_EQ(ctx.ScheduleDeferred(11, Bytes{1}, params_.deferred_gas_per_block + 1).code(),
            "deferred-gas-too-high");
  EXPECT_EQ(ctx.ScheduleDeferred(11, Bytes(kMaxDeferredKeySize + 1, 0), kEntryGas).code(),
            "deferred-key-too-long");
  EXPECT_TRUE(ctx.ScheduleDeferred(11, Bytes(kMaxDeferredKeySize, 0), kEntryGas).ok());
  EXPECT_TRUE(ctx.ScheduleDeferred(11, Bytes{1}, params_.deferred_gas_per_block).ok());
  EXPECT_EQ(ctx.ScheduleDeferred(11, Bytes{1}, kEntryGas).code(), "deferred-already-scheduled");
  EXPECT_TRUE(ctx.ScheduleDeferred(12, Bytes{1}, kEntryGas).ok());
}

TEST_F(ScheduleTest, TheRunsGasIsPrepaidByTheScheduler) {
  ModuleContext ctx = Ctx();
  ASSERT_TRUE(ctx.ScheduleDeferred(11, Bytes{1}, kEntryGas).ok());
  EXPECT_EQ(ctx.gas_used(), kModuleReadGas + kDeferredScheduleGas + kEntryGas);
  const uint64_t need = kModuleReadGas + kDeferredScheduleGas + kEntryGas;
  StateCache other(base_);
  ModuleContext poor(other, block_, ModuleAddress(0x0F10), Addr(1), Uint256(), need - 1, false);
  EXPECT_TRUE(poor.ScheduleDeferred(11, Bytes{1}, kEntryGas).Is(StatusKind::kOutOfGas));
  EXPECT_TRUE(ListDeferred(other).empty());
}

TEST_F(ScheduleTest, AViewCannotSchedule) {
  ModuleContext ctx = Ctx(1'000'000, /*read_only=*/true);
  EXPECT_EQ(ctx.ScheduleDeferred(11, Bytes{1}, kEntryGas).code(), "write-in-view");
  EXPECT_EQ(ctx.CancelDeferred(11, Bytes{1}).code(), "write-in-view");
  EXPECT_TRUE(cache_.Diff().empty());
}

TEST_F(ScheduleTest, CancelRemovesTheEntryWithoutRefund) {
  ModuleContext ctx = Ctx();
  EXPECT_EQ(ctx.CancelDeferred(11, Bytes{1}).code(), "deferred-not-scheduled");
  ASSERT_TRUE(ctx.ScheduleDeferred(11, Bytes{1}, kEntryGas).ok());
  ASSERT_TRUE(ctx.CancelDeferred(11, Bytes{1}).ok());
  EXPECT_TRUE(ListDeferred(cache_).empty());
  EXPECT_TRUE(cache_.Diff().empty());
}

// --- End to end through the test module's schedule() ---------------------------

TEST_F(DeferredQueueTest, ScheduledByATxRunsLaterWithItsLogInTheSystemReceipt) {
  const Address alice = Addr(0xa1);
  base_.map_[AccountKey(alice)] = EncodeAccount(Account{0, Dpn(10)});
  VerifiedTx v;
  v.tx.chain_id = params_.chain_id;
  v.tx.max_fee_per_gas = Uint256(3 * kWeiPerGwei);
  v.tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
  v.tx.to = TestModuleAddress();
  v.tx.data = abi::Encoder().Uint(12).Uint(77).Uint(kEntryGas).FinishCall(
      abi::SelectorOf("schedule(uint256,uint256,uint256)"));
  v.tx.gas_limit = IntrinsicGas(v.tx) + 100'000;
  v.sender = alice;
  v.hash = v.tx.Hash();
  auto scheduled =
      ExecuteBlock(base_, At(10), {std::make_shared<const VerifiedTx>(v)}, modules_, params_);
  ASSERT_TRUE(scheduled.ok()) << scheduled.status().ToString();
  ASSERT_EQ(scheduled->receipts.size(), 1u);
  ASSERT_EQ(scheduled->receipts[0].status, 1);
  // Prepaid: the tx's gas holds the entry's gas.
  EXPECT_EQ(scheduled->receipts[0].gas_used, IntrinsicGas(v.tx) + kTestScheduleGas.fixed +
                                                 kModuleReadGas + kDeferredScheduleGas + kEntryGas);
  base_.Apply(scheduled->diff);

  auto not_yet = Run(11);
  ASSERT_TRUE(not_yet.ok());
  EXPECT_EQ(not_yet->deferred_entries_run, 0u);
  base_.Apply(not_yet->diff);

  auto due = Run(12);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->receipts.size(), 1u);
  ASSERT_EQ(due->receipts[0].logs.size(), 1u);
  const Log& log = due->receipts[0].logs[0];
  EXPECT_EQ(log.address, TestModuleAddress());
  EXPECT_EQ(log.topics,
            (std::vector<Hash256>{abi::EventTopic("DeferredRan(uint256,uint256,uint256)"),
                                  Uint256(77).ToHash()}));
  EXPECT_EQ(log.data, abi::Encoder().Uint(12).Uint(12).Finish());
}

TEST(SystemTxHash, DependsOnTheBlock) {
  Hash256 a, b;
  b[0] = 1;
  EXPECT_NE(SystemTxHash(a), SystemTxHash(b));
  EXPECT_EQ(SystemTxHash(a), SystemTxHash(a));
  EXPECT_FALSE(HasSystemReceipt(3, 3));
  EXPECT_TRUE(HasSystemReceipt(3, 4));
}

}  // namespace
}  // namespace depin::consensus

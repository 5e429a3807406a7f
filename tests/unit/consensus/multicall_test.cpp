#include "consensus/multicall.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/gas.h"
#include "consensus/module_trace.h"
#include "consensus/test_module.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

using test_util::MapReader;

constexpr uint64_t kHeight = 300;
constexpr uint64_t kGwei = kWeiPerGwei;

Address Sender() {
  Address a;
  a[19] = 0x5e;
  return a;
}

Address PlainAccount() {
  Address a;
  a[0] = 0x77;
  a[19] = 0x77;
  return a;
}

// The hash of the block at `height`, as the test's chain has it.
Hash256 HashAt(uint64_t height) {
  Hash256 h;
  h[0] = 0xb1;
  for (int i = 0; i < 8; ++i) h[31 - i] = static_cast<uint8_t>(height >> (8 * i));
  return h;
}

// Inner calls to the test module.
Bytes SetCall(uint64_t key, uint64_t value) {
  return abi::Encoder().Uint(key).Uint(value).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
}
Bytes GetCall(uint64_t key) {
  return abi::Encoder().Uint(key).FinishCall(abi::SelectorOf("get(uint256)"));
}
Bytes FailCall(std::string_view reason) {
  return abi::Encoder().String(reason).FinishCall(abi::SelectorOf("fail(string)"));
}
Bytes BurnGasCall(uint64_t amount) {
  return abi::Encoder().Uint(amount).FinishCall(abi::SelectorOf("burnGas(uint256)"));
}
Bytes DepositCall() { return abi::Encoder().FinishCall(abi::SelectorOf("deposit()")); }
Bytes DepositOfCall(const Address& who) {
  return abi::Encoder().Address(who).FinishCall(abi::SelectorOf("depositOf(address)"));
}
Bytes Word(uint64_t v) { return abi::Encoder().Uint(Uint256(v)).Finish(); }

struct Call3 {
  Address target;
  bool allow_failure = false;
  Bytes data = {};
  Uint256 value = {};
};

// Multicall3 calldata, built with the encoder the ethers vectors check
// (abi_test.cpp).
Bytes Aggregate3(const std::vector<Call3>& calls) {
  std::vector<abi::Encoder> tuples;
  for (const Call3& c : calls) {
    tuples.push_back(abi::Encoder().Address(c.target).Bool(c.allow_failure).Bytes(c.data));
  }
  return abi::Encoder().TupleArray(tuples).FinishCall(
      abi::SelectorOf("aggregate3((address,bool,bytes)[])"));
}
Bytes Aggregate3Value(const std::vector<Call3>& calls) {
  std::vector<abi::Encoder> tuples;
  for (const Call3& c : calls) {
    tuples.push_back(
        abi::Encoder().Address(c.target).Bool(c.allow_failure).Uint(c.value).Bytes(c.data));
  }
  return abi::Encoder().TupleArray(tuples).FinishCall(
      abi::SelectorOf("aggregate3Value((address,bool,uint256,bytes)[])"));
}
std::vector<abi::Encoder> CallTuples(const std::vector<Call3>& calls) {
  std::vector<abi::Encoder> tuples;
  for (const Call3& c : calls) tuples.push_back(abi::Encoder().Address(c.target).Bytes(c.data));
  return tuples;
}
Bytes Aggregate(const std::vector<Call3>& calls) {
  return abi::Encoder()
      .TupleArray(CallTuples(calls))
      .FinishCall(abi::SelectorOf("aggregate((address,bytes)[])"));
}
Bytes TryAggregate(bool require_success, const std::vector<Call3>& calls) {
  return abi::Encoder()
      .Bool(require_success)
      .TupleArray(CallTuples(calls))
      .FinishCall(abi::SelectorOf("tryAggregate(bool,(address,bytes)[])"));
}
Bytes TryBlockAndAggregate(bool require_success, const std::vector<Call3>& calls) {
  return abi::Encoder()
      .Bool(require_success)
      .TupleArray(CallTuples(calls))
      .FinishCall(abi::SelectorOf("tryBlockAndAggregate(bool,(address,bytes)[])"));
}
Bytes BlockAndAggregate(const std::vector<Call3>& calls) {
  return abi::Encoder()
      .TupleArray(CallTuples(calls))
      .FinishCall(abi::SelectorOf("blockAndAggregate((address,bytes)[])"));
}
Bytes Getter(std::string_view signature) {
  return abi::Encoder().FinishCall(abi::SelectorOf(signature));
}

// Multicall3's Result[] as the ethers-checked encoder writes it.
struct Entry {
  bool success;
  Bytes data;
};
abi::Encoder& AddEntries(abi::Encoder& enc, const std::vector<Entry>& entries) {
  std::vector<abi::Encoder> tuples;
  for (const Entry& e : entries) tuples.push_back(abi::Encoder().Bool(e.success).Bytes(e.data));
  return enc.TupleArray(tuples);
}
Bytes Results(const std::vector<Entry>& entries) {
  abi::Encoder enc;
  return AddEntries(enc, entries).Finish();
}

// A module whose call writes, logs and takes value, then fails: none of it
// may survive a failure entry.
Result<Bytes> WriteThenFail(ModuleContext& ctx, abi::Decoder&) {
  DEPIN_RETURN_IF_ERROR(ctx.Put(Bytes{'x'}, {1}));
  DEPIN_RETURN_IF_ERROR(ctx.EmitLog({Hash256()}, {1, 2, 3}));
  return Status::Error("write-then-fail", "failed after effects");
}

class WriteThenFailModule : public Module {
 public:
  static Address Where() { return ModuleAddress(0x0F02); }
  Address address() const override { return Where(); }
  std::string_view name() const override { return "write-then-fail"; }
  const FunctionTable& functions() const override { return table_; }

 private:
  FunctionTable table_{{ModuleFunction{.name = "run",
                                       .inputs = {},
                                       .outputs = {},
                                       .mutability = Mutability::kPayable,
                                       .gas = {0, 0},
                                       .help = "",
                                       .handler = WriteThenFail}},
                       {}};
};

Bytes RunCall() { return abi::Encoder().FinishCall(abi::SelectorOf("run()")); }

class MulticallTest : public ::testing::Test {
 protected:
  MulticallTest() : params_(RegtestParams()), multicall_(MakeMulticall()) {
    modules_.Register(MakeTestModule());
    modules_.Register(multicall_);
    modules_.Register(std::make_shared<WriteThenFailModule>());
    // A module registered but not active yet.
    later_.Register(MakeTestModule(), /*activation_height=*/kHeight + 1);
    later_.Register(multicall_);
    block_.height = kHeight;
    block_.timestamp = params_.genesis_time + 15 * kHeight;
    block_.miner = ModuleAddress(0xeeee);
    block_.parent_hash = HashAt(kHeight - 1);
    block_.base_fee = Uint256(kGwei);
    block_.gas_limit = params_.block_gas_limit;
    block_.bits = params_.pow_limit_bits;
    block_.chain_id = params_.chain_id;
    block_.randomness_max_lookback = params_.randomness_max_lookback;
    for (uint64_t back = 1; back <= params_.randomness_max_lookback; ++back) {
      block_.ancestors.push_back(HashAt(kHeight - back));
    }
    Fund(Sender(), Dpn(100));
  }

  void Fund(const Address& a, const Uint256& balance) {
    base_.map_[AccountKey(a)] = EncodeAccount(Account{0, balance});
  }

  struct Outcome {
    Result<Bytes> result;
    uint64_t gas_used;
    std::vector<Log> logs;
  };
  // One call to Multicall3 as the executor makes it (value already credited).
  Outcome Call(ByteSpan calldata, uint64_t gas = 10'000'000, const Uint256& value = Uint256(),
               const ModuleRegistry* modules = nullptr) {
    ModuleContext ctx(cache_, block_, MulticallAddress(), Sender(), value, gas,
                      /*read_only=*/false, modules != nullptr ? modules : &modules_);
    Result<Bytes> r = CallModule(*multicall_, ctx, calldata);
    return Outcome{std::move(r), ctx.gas_used(), ctx.logs()};
  }
  Bytes CallOk(ByteSpan calldata) {
    Outcome out = Call(calldata);
    EXPECT_TRUE(out.result.ok()) << out.result.status().ToString();
    return out.result.ok() ? *out.result : Bytes();
  }

  // A signed-looking tx to Multicall3 from Sender(), run by the executor.
  Result<TxOutcome> Apply(StateCache& cache, Bytes data, const Uint256& value,
                          uint64_t gas_beyond_intrinsic = 1'000'000) {
    VerifiedTx v;
    v.tx.chain_id = params_.chain_id;
    v.tx.max_fee_per_gas = Uint256(3 * kGwei);
    v.tx.max_priority_fee_per_gas = Uint256(1 * kGwei);
    v.tx.to = MulticallAddress();
    v.tx.value = value;
    v.tx.data = std::move(data);
    v.tx.gas_limit = IntrinsicGas(v.tx) + gas_beyond_intrinsic;
    v.sender = Sender();
    v.hash = v.tx.Hash();
    v.size = v.tx.Encode().size();
    return ApplyTransaction(cache, block_, v, modules_, params_, /*cumulative_gas=*/0);
  }

  ChainParams params_;
  std::shared_ptr<const Module> multicall_;
  ModuleRegistry modules_;
  ModuleRegistry later_;
  BlockContext block_;
  MapReader base_;
  StateCache cache_{base_};
};

TEST_F(MulticallTest, CanonicalAddressAndMulticall3Selectors) {
  EXPECT_EQ(MulticallAddress().ToChecksumHex(), "0xcA11bde05977b3631167028862bE2a173976CA11");
  EXPECT_EQ(multicall_->address(), MulticallAddress());
  // Selectors of the Multicall3 contract (ethers Interface over its ABI).
  const std::map<std::string, std::string> want = {
      {"aggregate((address,bytes)[])", "252dba42"},
      {"aggregate3((address,bool,bytes)[])", "82ad56cb"},
      {"aggregate3Value((address,bool,uint256,bytes)[])", "174dea71"},
      {"blockAndAggregate((address,bytes)[])", "c3077fa9"},
      {"getBasefee()", "3e64a696"},
      {"getBlockHash(uint256)", "ee82ac5e"},
      {"getBlockNumber()", "42cbb15c"},
      {"getChainId()", "3408e470"},
      {"getCurrentBlockCoinbase()", "a8b0574e"},
      {"getCurrentBlockDifficulty()", "72425d9d"},
      {"getCurrentBlockGasLimit()", "86d516e8"},
      {"getCurrentBlockTimestamp()", "0f28c97d"},
      {"getEthBalance(address)", "4d2301cc"},
      {"getLastBlockHash()", "27e86d6e"},
      {"tryAggregate(bool,(address,bytes)[])", "bce38bd7"},
      {"tryBlockAndAggregate(bool,(address,bytes)[])", "399542e9"},
  };
  std::map<std::string, std::string> got;
  for (const ModuleFunction& fn : multicall_->functions().functions()) {
    const abi::Selector sel = fn.Selector();
    got[fn.Signature()] = HexEncode(ByteSpan(sel.data(), sel.size()), /*prefix=*/false);
  }
  EXPECT_EQ(got, want);
}

TEST_F(MulticallTest, ActiveFromGenesisOnRegtestOnly) {
  EXPECT_EQ(RegtestParams().multicall_activation_height, 0u);
  EXPECT_EQ(TestParams().multicall_activation_height, kNeverActive);
  EXPECT_EQ(MainParams().multicall_activation_height, kNeverActive);
}

TEST_F(MulticallTest, BlockGettersAnswerFromTheBlockContext) {
  EXPECT_EQ(CallOk(Getter("getBlockNumber()")), Word(kHeight));
  EXPECT_EQ(CallOk(Getter("getChainId()")), Word(1337));
  EXPECT_EQ(CallOk(Getter("getBasefee()")), Word(kGwei));
  EXPECT_EQ(CallOk(Getter("getCurrentBlockGasLimit()")), Word(params_.block_gas_limit));
  EXPECT_EQ(CallOk(Getter("getCurrentBlockTimestamp()")), Word(block_.timestamp));
  EXPECT_EQ(CallOk(Getter("getCurrentBlockCoinbase()")),
            abi::Encoder().Address(block_.miner).Finish());
  // Regtest's minimum difficulty: work 2 (2^256 / (target + 1), target ~2^255).
  EXPECT_EQ(CallOk(Getter("getCurrentBlockDifficulty()")),
            abi::Encoder().Uint(WorkFromTarget(*CompactToTarget(params_.pow_limit_bits))).Finish());
  EXPECT_EQ(CallOk(Getter("getCurrentBlockDifficulty()")), Word(2));
  EXPECT_EQ(CallOk(Getter("getLastBlockHash()")),
            abi::Encoder().Bytes32(HashAt(kHeight - 1)).Finish());
  // Each getter costs its fixed gas and nothing else.
  EXPECT_EQ(Call(Getter("getBlockNumber()")).gas_used, kMulticallGetterGas.fixed);
  EXPECT_EQ(
      Call(Getter("getChainId()"), /*gas=*/kMulticallGetterGas.fixed - 1).result.status().code(),
      "out-of-gas");
}

TEST_F(MulticallTest, GetBlockHashAnswersThe256BlocksBefore) {
  auto hash_of = [&](const Uint256& n) {
    return CallOk(abi::Encoder().Uint(n).FinishCall(abi::SelectorOf("getBlockHash(uint256)")));
  };
  const Bytes zero = abi::Encoder().Bytes32(Hash256()).Finish();
  EXPECT_EQ(hash_of(Uint256(kHeight - 1)), abi::Encoder().Bytes32(HashAt(kHeight - 1)).Finish());
  EXPECT_EQ(hash_of(Uint256(kHeight - 256)),
            abi::Encoder().Bytes32(HashAt(kHeight - 256)).Finish());
  EXPECT_EQ(hash_of(Uint256(kHeight - 257)), zero);
  EXPECT_EQ(hash_of(Uint256(kHeight)), zero);
  EXPECT_EQ(hash_of(Uint256(kHeight + 1)), zero);
  EXPECT_EQ(hash_of(Uint256::Max()), zero);
  // Near genesis the window is shorter.
  block_.height = 3;
  block_.ancestors = {HashAt(2), HashAt(1), HashAt(0)};
  EXPECT_EQ(hash_of(Uint256(0)), abi::Encoder().Bytes32(HashAt(0)).Finish());
  block_.height = 0;
  block_.ancestors.clear();
  EXPECT_EQ(CallOk(Getter("getLastBlockHash()")), zero);
}

TEST_F(MulticallTest, GetEthBalanceReadsTheAccount) {
  const Bytes call =
      abi::Encoder().Address(Sender()).FinishCall(abi::SelectorOf("getEthBalance(address)"));
  Outcome out = Call(call);
  ASSERT_TRUE(out.result.ok()) << out.result.status().ToString();
  EXPECT_EQ(*out.result, abi::Encoder().Uint(Dpn(100)).Finish());
  EXPECT_EQ(out.gas_used, kMulticallBalanceGas.fixed + kModuleReadGas);
  EXPECT_EQ(CallOk(abi::Encoder()
                       .Address(PlainAccount())
                       .FinishCall(abi::SelectorOf("getEthBalance(address)"))),
            Word(0));
  // Dirty address padding is refused, as for any module argument.
  Bytes dirty = call;
  dirty[4] = 1;
  EXPECT_EQ(Call(dirty).result.status().code(), "abi-bad-address");
}

TEST_F(MulticallTest, Aggregate3ReturnsAnEntryPerCallAndAllowedFailures) {
  ASSERT_TRUE(Call(Aggregate3({{TestModuleAddress(), false, SetCall(1, 42)}})).result.ok());
  const Bytes out = CallOk(Aggregate3({
      {TestModuleAddress(), false, GetCall(1)},
      {TestModuleAddress(), true, FailCall("no")},
      {PlainAccount(), true, GetCall(1)},
      {TestModuleAddress(), true, Bytes{0x01, 0x02}},
  }));
  const Module* test = modules_.Find(TestModuleAddress());
  ASSERT_NE(test, nullptr);
  EXPECT_EQ(
      out,
      Results({
          {true, Word(42)},
          {false, EncodeRevertReason("testmod-fail: no")},
          {false, EncodeRevertReason("call-not-a-module: " + PlainAccount().ToChecksumHex() +
                                     " is not a native module active at height 300: calls may only "
                                     "target native modules (this chain has no EVM)")},
          {false, EncodeRevertReason("abi-short-calldata: call data shorter than a "
                                     "selector")},
      }));
  EXPECT_EQ(CallOk(Aggregate3({})), Results({}));
}

TEST_F(MulticallTest, Aggregate3RevertsOnAFailureNotAllowed) {
  Outcome out = Call(Aggregate3({
      {TestModuleAddress(), false, SetCall(1, 42)},
      {TestModuleAddress(), false, FailCall("no")},
  }));
  ASSERT_FALSE(out.result.ok());
  EXPECT_EQ(out.result.status().code(), "multicall-call-failed");
  EXPECT_EQ(out.result.status().message(), "Multicall3: call failed (call 1 to " +
                                               TestModuleAddress().ToChecksumHex() +
                                               ": testmod-fail: no)");
  // A plain account or an unknown address: a revert with the reason, never a crash.
  for (const Address& target : {PlainAccount(), ModuleAddress(0x3000)}) {
    Outcome plain = Call(Aggregate3({{target, false, GetCall(1)}}));
    ASSERT_FALSE(plain.result.ok());
    EXPECT_EQ(plain.result.status().code(), "multicall-call-failed");
    EXPECT_NE(plain.result.status().message().find("call-not-a-module"), std::string::npos);
  }
  // A module not active at this height is no target either.
  Outcome inactive =
      Call(Aggregate3({{TestModuleAddress(), true, GetCall(1)}}), 1'000'000, Uint256(), &later_);
  ASSERT_TRUE(inactive.result.ok());
  abi::Decoder results(*inactive.result);
  auto entries = results.DynamicTupleArray(4);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_FALSE(*(*entries)[0].Bool());
}

TEST_F(MulticallTest, InnerCallsHaveMulticallAsSenderAndKeepTheirEffectsAndLogs) {
  Outcome out = Call(Aggregate3({{TestModuleAddress(), false, SetCall(7, 9)}}));
  ASSERT_TRUE(out.result.ok()) << out.result.status().ToString();
  ASSERT_EQ(out.logs.size(), 1u);
  EXPECT_EQ(out.logs[0].address, TestModuleAddress());
  Hash256 sender_topic;
  const Address multicall = MulticallAddress();  // one object: begin and end of the same
  std::copy(multicall.begin(), multicall.end(), sender_topic.data() + 12);
  ASSERT_EQ(out.logs[0].topics.size(), 3u);
  EXPECT_EQ(out.logs[0].topics[1], sender_topic);
  EXPECT_EQ(CallOk(Aggregate3({{TestModuleAddress(), false, GetCall(7)}})),
            Results({{true, Word(9)}}));
}

TEST_F(MulticallTest, AFailedEntryLeavesNoWritesOrLogs) {
  const Bytes key = ModuleKey(WriteThenFailModule::Where(), Bytes{'x'});
  Outcome out = Call(Aggregate3({
      {WriteThenFailModule::Where(), true, RunCall()},
      {TestModuleAddress(), false, SetCall(3, 4)},
  }));
  ASSERT_TRUE(out.result.ok()) << out.result.status().ToString();
  EXPECT_FALSE(cache_.Get(key).has_value());
  ASSERT_EQ(out.logs.size(), 1u);  // the set's ValueSet only
  EXPECT_EQ(out.logs[0].address, TestModuleAddress());
}

TEST_F(MulticallTest, AggregateReturnsBlockNumberAndDataOrReverts) {
  ASSERT_TRUE(Call(Aggregate({{TestModuleAddress(), false, SetCall(1, 5)}})).result.ok());
  EXPECT_EQ(CallOk(Aggregate({{TestModuleAddress(), false, GetCall(1)},
                              {TestModuleAddress(), false, GetCall(2)}})),
            abi::Encoder().Uint(Uint256(kHeight)).BytesArray({Word(5), Word(0)}).Finish());
  Outcome failed = Call(
      Aggregate({{TestModuleAddress(), false, GetCall(1)}, {PlainAccount(), false, GetCall(1)}}));
  EXPECT_EQ(failed.result.status().code(), "multicall-call-failed");
  EXPECT_EQ(Call(Aggregate({{TestModuleAddress(), false, FailCall("x")}})).result.status().code(),
            "multicall-call-failed");
}

TEST_F(MulticallTest, TryAggregateRequiresSuccessOnlyWhenAsked) {
  const std::vector<Call3> calls = {{TestModuleAddress(), false, GetCall(1)},
                                    {TestModuleAddress(), false, FailCall("soft")}};
  EXPECT_EQ(CallOk(TryAggregate(false, calls)),
            Results({{true, Word(0)}, {false, EncodeRevertReason("testmod-fail: soft")}}));
  EXPECT_EQ(Call(TryAggregate(true, calls)).result.status().code(), "multicall-call-failed");
  EXPECT_EQ(CallOk(TryAggregate(true, {calls[0]})), Results({{true, Word(0)}}));
}

TEST_F(MulticallTest, BlockAndAggregateReturnHeightZeroHashAndResults) {
  const std::vector<Call3> calls = {{TestModuleAddress(), false, GetCall(1)},
                                    {TestModuleAddress(), false, FailCall("soft")}};
  abi::Encoder want;
  want.Uint(Uint256(kHeight)).Bytes32(Hash256());
  AddEntries(want, {{true, Word(0)}, {false, EncodeRevertReason("testmod-fail: soft")}});
  EXPECT_EQ(CallOk(TryBlockAndAggregate(false, calls)), want.Finish());
  EXPECT_EQ(Call(TryBlockAndAggregate(true, calls)).result.status().code(),
            "multicall-call-failed");
  EXPECT_EQ(Call(BlockAndAggregate(calls)).result.status().code(), "multicall-call-failed");
  abi::Encoder one;
  one.Uint(Uint256(kHeight)).Bytes32(Hash256());
  AddEntries(one, {{true, Word(0)}});
  EXPECT_EQ(CallOk(BlockAndAggregate({calls[0]})), one.Finish());
}

TEST_F(MulticallTest, GasIsTheAggregatesPlusEachInnerCallsPlusPerCallOverhead) {
  // aggregate3([get(1), get(2)]): the aggregate's fixed and per-argument-byte
  // gas, then per call the overhead, get's fixed gas and its state read.
  const Bytes data = Aggregate3(
      {{TestModuleAddress(), false, GetCall(1)}, {TestModuleAddress(), false, GetCall(2)}});
  const uint64_t args = data.size() - 4;
  // The array's offset, count and two tuple offsets; per tuple its address,
  // flag, data offset, data length and 36 bytes of data in two words.
  EXPECT_EQ(args, 4u * 32 + 2 * 6 * 32);
  const uint64_t want = kMulticallAggregateGas.fixed + kMulticallAggregateGas.per_byte * args +
                        2 * (kMulticallInnerCallGas + kTestGetGas.fixed + kModuleReadGas);
  EXPECT_EQ(want, 2000u + 512 + 2 * (700 + 2000 + 800));
  EXPECT_EQ(Call(data).gas_used, want);
  // A failure entry still pays for what its call used: fail's fixed gas.
  const Bytes with_failure = Aggregate3({{TestModuleAddress(), true, FailCall("")}});
  EXPECT_EQ(Call(with_failure).gas_used, kMulticallAggregateGas.fixed + (with_failure.size() - 4) +
                                             kMulticallInnerCallGas + kTestFailGas.fixed);
  // A target that is no module costs the overhead alone.
  const Bytes to_plain = Aggregate3({{PlainAccount(), true, GetCall(1)}});
  EXPECT_EQ(Call(to_plain).gas_used,
            kMulticallAggregateGas.fixed + (to_plain.size() - 4) + kMulticallInnerCallGas);
}

TEST_F(MulticallTest, RunningOutOfGasInsideAnInnerCallEndsTheWholeCall) {
  const Bytes data = Aggregate3({{TestModuleAddress(), true, BurnGasCall(1'000'000)}});
  Outcome out = Call(data, /*gas=*/100'000);
  ASSERT_FALSE(out.result.ok());
  EXPECT_TRUE(out.result.status().Is(StatusKind::kOutOfGas));
  EXPECT_EQ(out.gas_used, 100'000u);
  // Out of gas in the overhead itself, before the inner call.
  const uint64_t before_call = kMulticallAggregateGas.fixed + (data.size() - 4);
  Outcome overhead = Call(data, before_call + kMulticallInnerCallGas - 1);
  EXPECT_TRUE(overhead.result.status().Is(StatusKind::kOutOfGas));
}

TEST_F(MulticallTest, NestingStopsAtTheCallDepthLimit) {
  // Multicall3 calling itself `levels` deep around getBlockNumber.
  auto nested = [](int levels) {
    Bytes data = Getter("getBlockNumber()");
    for (int i = 0; i < levels; ++i) data = Aggregate3({{MulticallAddress(), false, data}});
    return data;
  };
  // The outermost aggregate is the tx's call; kMaxCallDepth inner calls fit.
  Outcome deepest = Call(nested(ModuleContext::kMaxCallDepth));
  ASSERT_TRUE(deepest.result.ok()) << deepest.result.status().ToString();
  Outcome too_deep = Call(nested(ModuleContext::kMaxCallDepth + 1));
  ASSERT_FALSE(too_deep.result.ok());
  EXPECT_EQ(too_deep.result.status().code(), "multicall-call-failed");
  EXPECT_NE(too_deep.result.status().message().find("call-too-deep"), std::string::npos);
}

TEST_F(MulticallTest, ProofCarryingCallsAreRefused) {
  // provePoSt carries a proof that is checked against the tx's own target
  // only; inside a multicall it would never be verified.
  const Bytes post = abi::Encoder()
                         .Uint(Uint256(1))
                         .Bytes(Bytes(64, 1))
                         .Bytes(Bytes(64, 2))
                         .FinishCall(abi::SelectorOf("provePoSt(uint256,bytes,bytes)"));
  const Bytes out = CallOk(Aggregate3({{TestModuleAddress(), true, post}}));
  auto entries = abi::Decoder(out).DynamicTupleArray(4);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_FALSE(*(*entries)[0].Bool());
  const Bytes revert = *(*entries)[0].Bytes(4096);
  ASSERT_GT(revert.size(), 4u);
  abi::Decoder revert_args(ByteSpan(revert).subspan(4));
  EXPECT_EQ(revert_args.String(4096)->rfind("call-carries-proof: ", 0), 0u);
  // Calldata that would make a direct tx invalid (a provePoSt that does not
  // decode) is refused the same way.
  const Bytes bad_post =
      abi::Encoder().FinishCall(abi::SelectorOf("provePoSt(uint256,bytes,bytes)"));
  Outcome refused = Call(Aggregate3({{TestModuleAddress(), false, bad_post}}));
  EXPECT_EQ(refused.result.status().code(), "multicall-call-failed");
  EXPECT_NE(refused.result.status().message().find("call-carries-proof"), std::string::npos);
}

TEST_F(MulticallTest, BadInputReverts) {
  EXPECT_EQ(Call(Bytes{0x82, 0xad}).result.status().code(), "abi-short-calldata");
  EXPECT_EQ(Call(abi::Encoder().FinishCall(abi::SelectorOf("nope()"))).result.status().code(),
            "module-unknown-function");
  // No array at all, an offset out of range, a count past kMaxMulticallCalls.
  const abi::Selector aggregate3 = abi::SelectorOf("aggregate3((address,bool,bytes)[])");
  EXPECT_EQ(Call(abi::Encoder().FinishCall(aggregate3)).result.status().code(), "abi-short-data");
  EXPECT_EQ(Call(abi::Encoder().Uint(Uint256(0x400)).FinishCall(aggregate3)).result.status().code(),
            "abi-bad-offset");
  EXPECT_EQ(Call(abi::Encoder()
                     .Uint(Uint256(0x20))
                     .Uint(Uint256(kMaxMulticallCalls + 1))
                     .FinishCall(aggregate3))
                .result.status()
                .code(),
            "abi-too-long");
  // A dirty address or bool in an entry.
  Bytes dirty = Aggregate3({{TestModuleAddress(), false, GetCall(1)}});
  dirty[4 + 3 * 32] = 1;  // the first byte of the entry's address word
  EXPECT_EQ(Call(dirty).result.status().code(), "abi-bad-address");
  dirty = Aggregate3({{TestModuleAddress(), false, GetCall(1)}});
  dirty[4 + 4 * 32 + 31] = 2;
  EXPECT_EQ(Call(dirty).result.status().code(), "abi-bad-bool");
  Bytes bad_flag = TryAggregate(false, {});
  bad_flag[4 + 31] = 2;
  EXPECT_EQ(Call(bad_flag).result.status().code(), "abi-bad-bool");
  // Truncated inner calldata.
  const Bytes whole = Aggregate3({{TestModuleAddress(), false, GetCall(1)}});
  EXPECT_EQ(Call(Bytes(whole.begin(), whole.end() - 64)).result.status().code(), "abi-short-data");
  // Value sent to an aggregate that does not take it.
  Outcome paid =
      Call(Aggregate3({{TestModuleAddress(), false, GetCall(1)}}), 1'000'000, Uint256(1));
  EXPECT_EQ(paid.result.status().code(), "module-not-payable");
}

TEST_F(MulticallTest, Aggregate3ValuePaysEachCallAndRefundsFailedEntries) {
  StateCache cache(base_);
  const Address test = TestModuleAddress();
  const Uint256 before = cache.GetAccount(Sender()).balance;
  auto out = Apply(cache,
                   Aggregate3Value({
                       {test, false, DepositCall(), Uint256(3)},
                       {WriteThenFailModule::Where(), true, RunCall(), Uint256(2)},
                       {PlainAccount(), true, Bytes{}, Uint256(4)},
                       {test, true, GetCall(1), Uint256(1)},  // get is not payable
                   }),
                   Uint256(10));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->receipt.status, 1) << out->RevertReason();
  // The deposit is Multicall3's (its sender), and only its 3 wei left the caller.
  EXPECT_EQ(cache.GetAccount(test).balance, Uint256(3));
  EXPECT_EQ(cache.GetAccount(MulticallAddress()).balance, Uint256());
  EXPECT_EQ(cache.GetAccount(PlainAccount()).balance, Uint256());
  EXPECT_EQ(cache.GetAccount(WriteThenFailModule::Where()).balance, Uint256());
  const Uint256 fee = *CheckedMul(Uint256(out->receipt.gas_used), Uint256(2 * kGwei));
  EXPECT_EQ(cache.GetAccount(Sender()).balance, *CheckedSub(before, *CheckedAdd(fee, Uint256(3))));
  ModuleContext view(cache, block_, test, Sender(), Uint256(), 1'000'000, /*read_only=*/true,
                     &modules_);
  auto held = CallModule(*modules_.Find(test), view, DepositOfCall(MulticallAddress()));
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(*held, Word(3));
  EXPECT_EQ(out->return_data,
            Results({{true, {}},
                     {false, EncodeRevertReason("write-then-fail: failed after effects")},
                     {false, EncodeRevertReason(
                                 "call-not-a-module: " + PlainAccount().ToChecksumHex() +
                                 " is not a native module active at height 300: calls may only "
                                 "target native modules (this chain has no EVM)")},
                     {false, EncodeRevertReason("module-not-payable: function is not payable")}}));
}

TEST_F(MulticallTest, Aggregate3ValueNeedsTheExactSum) {
  for (uint64_t sent : {4u, 6u}) {
    StateCache cache(base_);
    const Uint256 before = cache.GetAccount(Sender()).balance;
    auto out =
        Apply(cache, Aggregate3Value({{TestModuleAddress(), false, DepositCall(), Uint256(5)}}),
              Uint256(sent));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(out->receipt.status, 0);
    EXPECT_EQ(out->revert_code(), "multicall-value-mismatch");
    const Uint256 fee = *CheckedMul(Uint256(out->receipt.gas_used), Uint256(2 * kGwei));
    EXPECT_EQ(cache.GetAccount(Sender()).balance, *CheckedSub(before, fee));
    EXPECT_EQ(cache.GetAccount(MulticallAddress()).balance, Uint256());
  }
  // Values whose sum overflows.
  StateCache cache(base_);
  auto out = Apply(cache,
                   Aggregate3Value({{TestModuleAddress(), true, DepositCall(), Uint256::Max()},
                                    {TestModuleAddress(), true, DepositCall(), Uint256(1)}}),
                   Uint256(0));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->revert_code(), "multicall-value-mismatch");
}

TEST_F(MulticallTest, ATxThroughTheExecutorChargesExactGas) {
  // The consensus rule: a multicall tx's gas used is intrinsic + the
  // aggregate's + each inner call's; any change to it changes this number.
  StateCache cache(base_);
  const Bytes data = Aggregate3(
      {{TestModuleAddress(), false, SetCall(1, 2)}, {TestModuleAddress(), true, FailCall("x")}});
  Transaction shape;
  shape.data = data;
  auto out = Apply(cache, data, Uint256());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->receipt.status, 1) << out->RevertReason();
  const uint64_t set_gas = 20000 + (5000 + 16 * 32) + (375 + 3 * 375 + 8 * 32);
  EXPECT_EQ(out->receipt.gas_used, IntrinsicGas(shape) + 2000 + (data.size() - 4) + 2 * 700 +
                                       set_gas + kTestFailGas.fixed);
  ASSERT_EQ(out->receipt.logs.size(), 1u);
  // A failed aggregate reverts the set as well, and still pays its gas.
  StateCache reverted(base_);
  auto failed = Apply(reverted,
                      Aggregate3({{TestModuleAddress(), false, SetCall(1, 2)},
                                  {TestModuleAddress(), false, FailCall("x")}}),
                      Uint256());
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->receipt.status, 0);
  EXPECT_EQ(failed->revert_code(), "multicall-call-failed");
  EXPECT_TRUE(failed->receipt.logs.empty());
  ModuleContext view(reverted, block_, TestModuleAddress(), Sender(), Uint256(), 1'000'000,
                     /*read_only=*/true, &modules_);
  auto value = CallModule(*modules_.Find(TestModuleAddress()), view, GetCall(1));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, Word(0));
  EXPECT_GT(failed->receipt.gas_used, IntrinsicGas(shape));
}

}  // namespace
}  // namespace depin::consensus

namespace depin::consensus {
namespace {

TEST_F(MulticallTest, TraceRecordsNestedCallsAndTheirValueButNothingAFailedCallDid) {
  StateCache cache(base_);
  cache.EnableTrace();
  const Address test = TestModuleAddress();
  const Bytes deposit = DepositCall();
  auto out = Apply(cache,
                   Aggregate3Value({
                       {test, false, deposit, Uint256(3)},
                       {WriteThenFailModule::Where(), true, RunCall(), Uint256(2)},
                   }),
                   Uint256(5));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->receipt.status, 1) << out->RevertReason();
  const Bytes run = RunCall();
  const std::vector<TraceRecord> want = {
      {TraceKind::kCall, 1, true, MulticallAddress(), test, Uint256(3), deposit},
      {TraceKind::kTransfer, 0, true, MulticallAddress(), test, Uint256(3), {}},
      // The failed call stays, marked failed; its transfer was reverted.
      {TraceKind::kCall, 1, false, MulticallAddress(), WriteThenFailModule::Where(), Uint256(2),
       run},
      // The 2 wei aggregate3Value refunds to the caller: a transfer of its own.
      {TraceKind::kTransfer, 0, true, MulticallAddress(), Sender(), Uint256(2), {}},
  };
  // Whatever order Multicall3 refunds in, the records are these.
  std::vector<TraceRecord> got = cache.trace();
  ASSERT_EQ(got.size(), want.size());
  for (const TraceRecord& r : want) {
    EXPECT_NE(std::find(got.begin(), got.end(), r), got.end())
        << "missing record to " << r.to.ToChecksumHex();
  }
}

TEST_F(MulticallTest, ATxThatRevertsLeavesNoTrace) {
  StateCache cache(base_);
  cache.EnableTrace();
  auto out = Apply(cache,
                   Aggregate3Value({{TestModuleAddress(), false, DepositCall(), Uint256(5)},
                                    {WriteThenFailModule::Where(), false, RunCall(), Uint256(0)}}),
                   Uint256(5));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->receipt.status, 0);
  EXPECT_TRUE(cache.trace().empty());
}

TEST(ModuleTrace, EncodesAndDecodesAndRefusesDamage) {
  BlockTrace trace = {
      {0,
       {TraceKind::kCall, 1, false, ModuleAddress(0xca11), ModuleAddress(0x1000), Uint256(7),
        Bytes{1, 2, 3, 4, 5}}},
      {kTraceEndOfBlock,
       {TraceKind::kTransfer, 0, true, ModuleAddress(0x1000), Sender(), Uint256::Max(), {}}},
  };
  const Bytes enc = EncodeBlockTrace(trace);
  auto dec = DecodeBlockTrace(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, trace);
  auto empty = DecodeBlockTrace(EncodeBlockTrace({}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    auto bad = DecodeBlockTrace(ByteSpan(enc.data(), cut));
    EXPECT_FALSE(bad.ok()) << cut;
    if (!bad.ok()) {
      EXPECT_EQ(bad.status().code(), "trace-bad-encoding");
    }
  }
  Bytes wrong_kind = enc;
  wrong_kind[5 + 4] = 9;
  EXPECT_FALSE(DecodeBlockTrace(wrong_kind).ok());
}

}  // namespace
}  // namespace depin::consensus

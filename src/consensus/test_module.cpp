#include "consensus/test_module.h"

#include "consensus/abi.h"
#include "consensus/gas.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/post.h"

namespace depin::consensus {
namespace {

constexpr size_t kMaxReasonBytes = 1024;
// provePoSt's arguments; a block holds at most a few MiB of them anyway.
constexpr size_t kMaxPoStBytes = 256 * 1024;
// ProofCheck::kind of provePoSt's proof.
constexpr uint32_t kPoStCheckKind = 1;

Bytes ValueKey(const Uint256& key) {
  Bytes k(33);
  k[0] = 'v';
  key.ToBigEndian32(k.data() + 1);
  return k;
}

Bytes DepositKey(const Address& a) {
  Bytes k(21);
  k[0] = 'd';
  std::copy(a.begin(), a.end(), k.begin() + 1);
  return k;
}

Hash256 AddressTopic(const Address& a) {
  Hash256 t;
  std::copy(a.begin(), a.end(), t.data() + 12);
  return t;
}

Result<Uint256> ReadUint(ModuleContext& ctx, ByteSpan key) {
  auto raw = ctx.Get(key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return Uint256();
  if ((*raw)->size() != 32) return Status::Error("testmod-corrupt", "stored value is not 32 bytes");
  return Uint256::FromBigEndian32((*raw)->data());
}

Status WriteUint(ModuleContext& ctx, ByteSpan key, const Uint256& v) {
  if (v.IsZero()) return ctx.Erase(key);
  Bytes raw(32);
  v.ToBigEndian32(raw.data());
  return ctx.Put(key, std::move(raw));
}

const ModuleEvent& ValueSetEvent() {
  static const ModuleEvent kEvent{.name = "ValueSet",
                                  .inputs = {{"sender", "address", /*indexed=*/true},
                                             {"key", "uint256", /*indexed=*/true},
                                             {"value", "uint256", /*indexed=*/false}},
                                  .help = "set() stored `value` under `key`."};
  return kEvent;
}

const ModuleEvent& DepositedEvent() {
  static const ModuleEvent kEvent{
      .name = "Deposited",
      .inputs = {{"from", "address", /*indexed=*/true}, {"amount", "uint256", /*indexed=*/false}},
      .help = "deposit() added `amount` to the sender's deposit."};
  return kEvent;
}

const ModuleEvent& WithdrawnEvent() {
  static const ModuleEvent kEvent{
      .name = "Withdrawn",
      .inputs = {{"to", "address", /*indexed=*/true}, {"amount", "uint256", /*indexed=*/false}},
      .help = "withdraw() paid `amount` back to the sender."};
  return kEvent;
}

const ModuleEvent& PoStProvenEvent() {
  static const ModuleEvent kEvent{
      .name = "PoStProven",
      .inputs = {{"prover", "address", /*indexed=*/true},
                 {"randomness", "bytes32", /*indexed=*/false},
                 {"sectors", "uint256", /*indexed=*/false}},
      .help = "provePoSt() accepted a proof of `sectors` sectors for `randomness`."};
  return kEvent;
}

const ModuleEvent& DeferredRanEvent() {
  static const ModuleEvent kEvent{
      .name = "DeferredRan",
      .inputs = {{"key", "uint256", /*indexed=*/true},
                 {"dueHeight", "uint256", /*indexed=*/false},
                 {"ranAt", "uint256", /*indexed=*/false}},
      .help = "Work schedule() queued for `dueHeight` ran at the end of block `ranAt`."};
  return kEvent;
}

Result<Bytes> Set(ModuleContext& ctx, abi::Decoder& args) {
  auto key = args.Uint();
  if (!key.ok()) return key.status();
  auto value = args.Uint();
  if (!value.ok()) return value.status();
  DEPIN_RETURN_IF_ERROR(WriteUint(ctx, ValueKey(*key), *value));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(ValueSetEvent(), {AddressTopic(ctx.sender()), key->ToHash()},
                                      abi::Encoder().Uint(*value).Finish()));
  return Bytes();
}

Result<Bytes> Get(ModuleContext& ctx, abi::Decoder& args) {
  auto key = args.Uint();
  if (!key.ok()) return key.status();
  auto value = ReadUint(ctx, ValueKey(*key));
  if (!value.ok()) return value.status();
  return abi::Encoder().Uint(*value).Finish();
}

Result<Bytes> Deposit(ModuleContext& ctx, abi::Decoder&) {
  if (ctx.value().IsZero()) return Status::Error("testmod-zero-deposit", "deposit needs a value");
  auto held = ReadUint(ctx, DepositKey(ctx.sender()));
  if (!held.ok()) return held.status();
  auto sum = CheckedAdd(*held, ctx.value());
  if (!sum) return Status::Error("testmod-overflow", "deposit overflows");
  DEPIN_RETURN_IF_ERROR(WriteUint(ctx, DepositKey(ctx.sender()), *sum));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(DepositedEvent(), {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(ctx.value()).Finish()));
  return Bytes();
}

Result<Bytes> Withdraw(ModuleContext& ctx, abi::Decoder& args) {
  auto amount = args.Uint();
  if (!amount.ok()) return amount.status();
  auto held = ReadUint(ctx, DepositKey(ctx.sender()));
  if (!held.ok()) return held.status();
  auto left = CheckedSub(*held, *amount);
  if (!left) return Status::Error("testmod-insufficient-deposit", "insufficient deposit");
  DEPIN_RETURN_IF_ERROR(WriteUint(ctx, DepositKey(ctx.sender()), *left));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(ctx.sender(), *amount));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(WithdrawnEvent(), {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(*amount).Finish()));
  return Bytes();
}

Result<Bytes> DepositOf(ModuleContext& ctx, abi::Decoder& args) {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto held = ReadUint(ctx, DepositKey(*who));
  if (!held.ok()) return held.status();
  return abi::Encoder().Uint(*held).Finish();
}

Result<Bytes> Fail(ModuleContext&, abi::Decoder& args) {
  auto reason = args.String(kMaxReasonBytes);
  if (!reason.ok()) return reason.status();
  return Status::Error("testmod-fail", *reason);
}

Result<Bytes> BurnGas(ModuleContext& ctx, abi::Decoder& args) {
  auto amount = args.Uint64();
  if (!amount.ok()) return amount.status();
  DEPIN_RETURN_IF_ERROR(ctx.ChargeGas(*amount));
  return Bytes();
}

Result<Bytes> Randomness(ModuleContext& ctx, abi::Decoder& args) {
  auto lookback = args.Uint64();
  if (!lookback.ok()) return lookback.status();
  auto r = ctx.block().RandomnessLookback(*lookback);
  if (!r.ok()) return r.status();
  return abi::Encoder().Bytes32(*r).Finish();
}

// The proof itself was checked before execution (ProofChecks / VerifyProofs,
// like a signature); the call only compares the public inputs with the
// chain: the challenges must come from the named ancestor's randomness.
Result<Bytes> ProvePoSt(ModuleContext& ctx, abi::Decoder& args) {
  auto lookback = args.Uint64();
  if (!lookback.ok()) return lookback.status();
  auto inputs_raw = args.Bytes(kMaxPoStBytes);
  if (!inputs_raw.ok()) return inputs_raw.status();
  auto inputs = storage::proofs::DecodePoStPublicInputs(*inputs_raw);
  if (!inputs.ok()) return inputs.status();
  auto randomness = ctx.block().RandomnessLookback(*lookback);
  if (!randomness.ok()) return randomness.status();
  if (*randomness != inputs->randomness) {
    return Status::Error("testmod-post-wrong-randomness",
                         "the proof answers randomness " + inputs->randomness.Hex() +
                             ", block randomness " + std::to_string(*lookback) + " back is " +
                             randomness->Hex());
  }
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(
      PoStProvenEvent(), {AddressTopic(ctx.sender())},
      abi::Encoder().Bytes32(inputs->randomness).Uint(inputs->sectors.size()).Finish()));
  return Bytes();
}

Result<Bytes> Schedule(ModuleContext& ctx, abi::Decoder& args) {
  auto height = args.Uint64();
  if (!height.ok()) return height.status();
  auto key = args.Uint();
  if (!key.ok()) return key.status();
  auto gas = args.Uint64();
  if (!gas.ok()) return gas.status();
  DEPIN_RETURN_IF_ERROR(ctx.ScheduleDeferred(*height, key->ToHash().span(), *gas));
  return Bytes();
}

FunctionTable MakeTable() {
  return FunctionTable(
      {
          ModuleFunction{.name = "set",
                         .inputs = {{"key", "uint256"}, {"value", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = kTestSetGas,
                         .help = "Stores `value` under `key` (zero deletes it); emits ValueSet.",
                         .handler = Set},
          ModuleFunction{.name = "get",
                         .inputs = {{"key", "uint256"}},
                         .outputs = {{"", "uint256"}},
                         .mutability = Mutability::kView,
                         .gas = kTestGetGas,
                         .help = "The value stored under `key` (zero when none).",
                         .handler = Get},
          ModuleFunction{.name = "deposit",
                         .inputs = {},
                         .outputs = {},
                         .mutability = Mutability::kPayable,
                         .gas = kTestDepositGas,
                         .help = "Adds the value sent to the sender's deposit, held in the "
                                 "module's escrow; emits Deposited.",
                         .handler = Deposit},
          ModuleFunction{.name = "withdraw",
                         .inputs = {{"amount", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = kTestWithdrawGas,
                         .help = "Pays `amount` of the sender's deposit back "
                                 "(testmod-insufficient-deposit); emits Withdrawn.",
                         .handler = Withdraw},
          ModuleFunction{.name = "depositOf",
                         .inputs = {{"account", "address"}},
                         .outputs = {{"", "uint256"}},
                         .mutability = Mutability::kView,
                         .gas = kTestDepositOfGas,
                         .help = "The deposit `account` holds.",
                         .handler = DepositOf},
          ModuleFunction{.name = "fail",
                         .inputs = {{"reason", "string"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = kTestFailGas,
                         .help = "Always reverts: testmod-fail with `reason` (at most 1024 bytes).",
                         .handler = Fail},
          ModuleFunction{.name = "burnGas",
                         .inputs = {{"amount", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = kTestBurnGasGas,
                         .help = "Spends `amount` gas (runs out of gas past the allowance).",
                         .handler = BurnGas},
          ModuleFunction{.name = "randomness",
                         .inputs = {{"lookback", "uint256"}},
                         .outputs = {{"", "bytes32"}},
                         .mutability = Mutability::kView,
                         .gas = kTestRandomnessGas,
                         .help = "The block randomness `lookback` blocks back: the hash of that "
                                 "ancestor (randomness-not-ancestor for 0, "
                                 "randomness-beyond-lookback past the chain's limit).",
                         .handler = Randomness},
          ModuleFunction{
              .name = "schedule",
              .inputs = {{"atHeight", "uint256"}, {"key", "uint256"}, {"gas", "uint256"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = kTestScheduleGas,
              .help = "Queues deferred work for block `atHeight`, prepaying `gas`: "
                      "when it runs it stores the height it ran at under `key` and "
                      "emits DeferredRan.",
              .handler = Schedule},
          ModuleFunction{
              .name = "provePoSt",
              .inputs = {{"lookback", "uint256"}, {"publicInputs", "bytes"}, {"proof", "bytes"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = kTestProvePoStGas,
              .help = "Carries a PoSt (storage/proofs encodings) checked like a signature "
                      "before execution (a bad proof makes the tx invalid); the call then "
                      "reverts with testmod-post-wrong-randomness unless the proof answers the "
                      "randomness `lookback` blocks back, and emits PoStProven.",
              .handler = ProvePoSt},
      },
      {ValueSetEvent(), DepositedEvent(), WithdrawnEvent(), DeferredRanEvent(), PoStProvenEvent()});
}

class TestModule final : public Module {
 public:
  Address address() const override { return TestModuleAddress(); }
  std::string_view name() const override { return "test"; }
  const FunctionTable& functions() const override { return table_; }

  Result<std::vector<ProofCheck>> ProofChecks(ByteSpan calldata) const override {
    auto split = abi::SplitCall(calldata);
    if (!split.ok() || split->first != prove_post_) return std::vector<ProofCheck>{};
    abi::Decoder args(split->second);
    auto lookback = args.Uint();
    auto inputs = args.Bytes(kMaxPoStBytes);
    auto proof = args.Bytes(kMaxPoStBytes);
    if (!lookback.ok() || !inputs.ok() || !proof.ok()) {
      return Status::Error(
          "testmod-bad-post-call",
          "provePoSt arguments do not decode: " + (!lookback.ok() ? lookback.status().ToString()
                                                   : !inputs.ok() ? inputs.status().ToString()
                                                                  : proof.status().ToString()));
    }
    ProofCheck check;
    check.module = address();
    check.kind = kPoStCheckKind;
    check.public_inputs = std::move(inputs).value();
    check.proof = std::move(proof).value();
    return std::vector<ProofCheck>{std::move(check)};
  }

  std::vector<Status> VerifyProofs(const std::vector<const ProofCheck*>& checks,
                                   const ProofCheckOptions& options) const override {
    std::vector<storage::proofs::EncodedPoSt> items;
    items.reserve(checks.size());
    for (const ProofCheck* c : checks) items.push_back({c->public_inputs, c->proof});
    return storage::proofs::VerifyEncodedPoSts(
        items,
        storage::proofs::BatchVerifierOptions{.threads = options.threads, .hash = options.hash});
  }

  Status RunDeferred(ModuleContext& ctx, uint64_t due_height, ByteSpan key) const override {
    if (key.size() != 32) return Status::Error("testmod-bad-deferred-key", "key is not 32 bytes");
    const Uint256 k = Uint256::FromBigEndian32(key.data());
    DEPIN_RETURN_IF_ERROR(WriteUint(ctx, ValueKey(k), Uint256(ctx.block().height)));
    return ctx.EmitEvent(DeferredRanEvent(), {k.ToHash()},
                         abi::Encoder().Uint(due_height).Uint(ctx.block().height).Finish());
  }

 private:
  FunctionTable table_ = MakeTable();
  abi::Selector prove_post_ = abi::SelectorOf("provePoSt(uint256,bytes,bytes)");
};

}  // namespace

Address TestModuleAddress() { return ModuleAddress(0x0F00); }

std::shared_ptr<const Module> MakeTestModule() { return std::make_shared<TestModule>(); }

}  // namespace depin::consensus

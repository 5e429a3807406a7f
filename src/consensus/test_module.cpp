#include "consensus/test_module.h"

#include <functional>
#include <map>

#include "consensus/abi.h"

namespace depin::consensus {
namespace {

constexpr uint64_t kSetGas = 20000;
constexpr uint64_t kGetGas = 2000;
constexpr uint64_t kDepositGas = 10000;
constexpr uint64_t kWithdrawGas = 15000;
constexpr uint64_t kFailGas = 1000;
constexpr size_t kMaxReasonBytes = 1024;

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

class TestModule final : public Module {
 public:
  using Handler = std::function<Result<Bytes>(ModuleContext&, abi::Decoder&)>;

  TestModule() {
    const auto& abi = TestModuleAbi();
    // Order matches TestModuleAbi().functions.
    std::vector<std::pair<uint64_t, Handler>> impl = {
        {kSetGas, Set},       {kGetGas, Get},   {kDepositGas, Deposit}, {kWithdrawGas, Withdraw},
        {kGetGas, DepositOf}, {kFailGas, Fail}, {kFailGas, BurnGas},
    };
    for (size_t i = 0; i < impl.size(); ++i) {
      handlers_[abi::SelectorOf(abi.functions[i])] = impl[i];
    }
  }

  Address address() const override { return TestModuleAddress(); }
  std::string_view name() const override { return "test"; }

  Result<Bytes> Call(ModuleContext& ctx, ByteSpan calldata) const override {
    auto split = abi::SplitCall(calldata);
    if (!split.ok()) return split.status();
    auto it = handlers_.find(split->first);
    if (it == handlers_.end())
      return Status::Error("testmod-unknown-function", "unknown function selector");
    DEPIN_RETURN_IF_ERROR(ctx.ChargeGas(it->second.first));
    // Only deposit() is payable in docs/abi/test_module.json; value sent with
    // any other function would sit in the escrow with no deposit to withdraw.
    if (!ctx.value().IsZero() && split->first != deposit_selector_) {
      return Status::Error("testmod-not-payable", "function is not payable");
    }
    abi::Decoder args(split->second);
    return it->second.second(ctx, args);
  }

 private:
  static Result<Bytes> Set(ModuleContext& ctx, abi::Decoder& args) {
    auto key = args.Uint();
    if (!key.ok()) return key.status();
    auto value = args.Uint();
    if (!value.ok()) return value.status();
    DEPIN_RETURN_IF_ERROR(WriteUint(ctx, ValueKey(*key), *value));
    DEPIN_RETURN_IF_ERROR(ctx.EmitLog(
        {abi::EventTopic(TestModuleAbi().events[0]), AddressTopic(ctx.sender()), key->ToHash()},
        abi::Encoder().Uint(*value).Finish()));
    return Bytes();
  }

  static Result<Bytes> Get(ModuleContext& ctx, abi::Decoder& args) {
    auto key = args.Uint();
    if (!key.ok()) return key.status();
    auto value = ReadUint(ctx, ValueKey(*key));
    if (!value.ok()) return value.status();
    return abi::Encoder().Uint(*value).Finish();
  }

  static Result<Bytes> Deposit(ModuleContext& ctx, abi::Decoder&) {
    if (ctx.value().IsZero()) return Status::Error("testmod-zero-deposit", "deposit needs a value");
    auto held = ReadUint(ctx, DepositKey(ctx.sender()));
    if (!held.ok()) return held.status();
    auto sum = CheckedAdd(*held, ctx.value());
    if (!sum) return Status::Error("testmod-overflow", "deposit overflows");
    DEPIN_RETURN_IF_ERROR(WriteUint(ctx, DepositKey(ctx.sender()), *sum));
    DEPIN_RETURN_IF_ERROR(
        ctx.EmitLog({abi::EventTopic(TestModuleAbi().events[1]), AddressTopic(ctx.sender())},
                    abi::Encoder().Uint(ctx.value()).Finish()));
    return Bytes();
  }

  static Result<Bytes> Withdraw(ModuleContext& ctx, abi::Decoder& args) {
    auto amount = args.Uint();
    if (!amount.ok()) return amount.status();
    auto held = ReadUint(ctx, DepositKey(ctx.sender()));
    if (!held.ok()) return held.status();
    auto left = CheckedSub(*held, *amount);
    if (!left) return Status::Error("testmod-insufficient-deposit", "insufficient deposit");
    DEPIN_RETURN_IF_ERROR(WriteUint(ctx, DepositKey(ctx.sender()), *left));
    DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(ctx.sender(), *amount));
    DEPIN_RETURN_IF_ERROR(
        ctx.EmitLog({abi::EventTopic(TestModuleAbi().events[2]), AddressTopic(ctx.sender())},
                    abi::Encoder().Uint(*amount).Finish()));
    return Bytes();
  }

  static Result<Bytes> DepositOf(ModuleContext& ctx, abi::Decoder& args) {
    auto who = args.Address();
    if (!who.ok()) return who.status();
    auto held = ReadUint(ctx, DepositKey(*who));
    if (!held.ok()) return held.status();
    return abi::Encoder().Uint(*held).Finish();
  }

  static Result<Bytes> Fail(ModuleContext&, abi::Decoder& args) {
    auto reason = args.String(kMaxReasonBytes);
    if (!reason.ok()) return reason.status();
    return Status::Error("testmod-fail", *reason);
  }

  static Result<Bytes> BurnGas(ModuleContext& ctx, abi::Decoder& args) {
    auto amount = args.Uint64();
    if (!amount.ok()) return amount.status();
    DEPIN_RETURN_IF_ERROR(ctx.ChargeGas(*amount));
    return Bytes();
  }

  std::map<abi::Selector, std::pair<uint64_t, Handler>> handlers_;
  abi::Selector deposit_selector_ = abi::SelectorOf("deposit()");
};

}  // namespace

Address TestModuleAddress() { return ModuleAddress(0x0F00); }

const TestModuleSignatures& TestModuleAbi() {
  static const TestModuleSignatures kAbi = {
      {"set(uint256,uint256)", "get(uint256)", "deposit()", "withdraw(uint256)",
       "depositOf(address)", "fail(string)", "burnGas(uint256)"},
      {"ValueSet(address,uint256,uint256)", "Deposited(address,uint256)",
       "Withdrawn(address,uint256)"},
  };
  return kAbi;
}

std::shared_ptr<const Module> MakeTestModule() { return std::make_shared<TestModule>(); }

}  // namespace depin::consensus

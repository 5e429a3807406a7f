#include "consensus/test_module.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "consensus/abi.h"
#include "consensus/gas.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

struct AbiInput {
  std::string type;
  bool indexed = false;
};
struct AbiEntry {
  std::string kind;  // "function" or "event"
  std::string name;
  std::string mutability;
  std::vector<AbiInput> inputs;
  std::string Signature() const {
    std::string s = name + "(";
    for (size_t i = 0; i < inputs.size(); ++i) s += (i ? "," : "") + inputs[i].type;
    return s + ")";
  }
};

std::vector<AbiEntry> LoadAbi() {
  std::ifstream in(std::string(DEPIN_SOURCE_DIR) + "/docs/abi/test.json");
  EXPECT_TRUE(in.good()) << "docs/abi/test.json missing";
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  EXPECT_FALSE(doc.HasParseError());
  EXPECT_TRUE(doc.IsArray());
  std::vector<AbiEntry> out;
  if (doc.HasParseError() || !doc.IsArray()) return out;
  for (const auto& e : doc.GetArray()) {
    AbiEntry entry;
    entry.kind = e["type"].GetString();
    entry.name = e["name"].GetString();
    if (e.HasMember("stateMutability")) entry.mutability = e["stateMutability"].GetString();
    for (const auto& in_arg : e["inputs"].GetArray()) {
      AbiInput arg;
      arg.type = in_arg["type"].GetString();
      arg.indexed = in_arg.HasMember("indexed") && in_arg["indexed"].GetBool();
      entry.inputs.push_back(arg);
    }
    out.push_back(entry);
  }
  return out;
}

std::vector<AbiEntry> OfKind(const std::vector<AbiEntry>& all, std::string_view kind) {
  std::vector<AbiEntry> out;
  for (const AbiEntry& e : all) {
    if (e.kind == kind) out.push_back(e);
  }
  return out;
}

// Calldata for `fn` with zero / empty arguments of its ABI types.
Bytes ZeroCall(const AbiEntry& fn) {
  abi::Encoder enc;
  for (const AbiInput& in : fn.inputs) {
    if (in.type == "string" || in.type == "bytes") {
      enc.Bytes({});
    } else {
      enc.Uint(Uint256());
    }
  }
  return enc.FinishCall(abi::SelectorOf(fn.Signature()));
}

using test_util::MapReader;

Address Sender() {
  Address a;
  a[19] = 0x5e;
  return a;
}

class TestModuleTest : public ::testing::Test {
 protected:
  TestModuleTest() : abi_(LoadAbi()), module_(MakeTestModule()) {}

  struct CallResult {
    Result<Bytes> result;
    uint64_t gas_used;
    std::vector<Log> logs;
  };
  CallResult Call(ByteSpan calldata, const Uint256& value = Uint256(), bool read_only = false,
                  uint64_t gas = 1'000'000) {
    ModuleContext ctx(cache_, block_, TestModuleAddress(), Sender(), value, gas, read_only);
    Result<Bytes> r = CallModule(*module_, ctx, calldata);
    return CallResult{std::move(r), ctx.gas_used(), ctx.logs()};
  }
  const AbiEntry& Event(std::string_view name) const {
    for (const AbiEntry& e : abi_) {
      if (e.kind == "event" && e.name == name) return e;
    }
    ADD_FAILURE() << "no event " << name;
    return abi_.front();
  }

  std::vector<AbiEntry> abi_;
  std::shared_ptr<const Module> module_;
  MapReader base_;
  StateCache cache_{base_};
  BlockContext block_;
};

TEST_F(TestModuleTest, AddressAndName) {
  EXPECT_EQ(TestModuleAddress().Hex(), "0x0000000000000000000000000000000000000f00");
  EXPECT_EQ(module_->address(), TestModuleAddress());
  EXPECT_EQ(module_->name(), "test");
}

TEST_F(TestModuleTest, FunctionSignaturesAndMutabilityMatchAbiFile) {
  std::vector<std::string> from_file;
  std::vector<std::string> from_table;
  for (const AbiEntry& e : OfKind(abi_, "function")) {
    from_file.push_back(e.Signature() + " " + e.mutability);
  }
  for (const ModuleFunction& fn : module_->functions().functions()) {
    from_table.push_back(fn.Signature() + " " + std::string(MutabilityName(fn.mutability)));
  }
  EXPECT_EQ(from_file, from_table);
  EXPECT_EQ(from_file.size(), 10u);
}

TEST_F(TestModuleTest, EventSignaturesMatchAbiFile) {
  std::vector<std::string> from_file;
  std::vector<std::string> from_table;
  for (const AbiEntry& e : OfKind(abi_, "event")) from_file.push_back(e.Signature());
  for (const ModuleEvent& ev : module_->functions().events()) from_table.push_back(ev.Signature());
  EXPECT_EQ(from_file, from_table);
  EXPECT_EQ(from_file.size(), 5u);
}

TEST_F(TestModuleTest, SelectorsAreTheKnownOnes) {
  // Selectors wallets compute from the published signatures (cast sig).
  const std::map<std::string, std::string> want = {
      {"set(uint256,uint256)", "1ab06ee5"},
      {"get(uint256)", "9507d39a"},
      {"deposit()", "d0e30db0"},
      {"withdraw(uint256)", "2e1a7d4d"},
      {"depositOf(address)", "23e3fbd5"},
      {"fail(string)", "78122f3a"},
      {"burnGas(uint256)", "4ad5d16f"},
      {"randomness(uint256)", "1b1d5b27"},
      {"schedule(uint256,uint256,uint256)", "650e8168"},
      {"provePoSt(uint256,bytes,bytes)", "58237c05"},  // ethers.id(...).slice(0, 10)
  };
  std::set<abi::Selector> selectors;
  for (const ModuleFunction& fn : module_->functions().functions()) {
    const abi::Selector sel = fn.Selector();
    selectors.insert(sel);
    ASSERT_TRUE(want.count(fn.Signature())) << fn.Signature();
    EXPECT_EQ(HexEncode(ByteSpan(sel.data(), sel.size()), /*prefix=*/false),
              want.at(fn.Signature()));
    EXPECT_EQ(module_->functions().Find(sel), &fn);
  }
  EXPECT_EQ(selectors.size(), want.size());
}

TEST_F(TestModuleTest, EveryAbiFunctionIsDispatched) {
  for (const AbiEntry& fn : OfKind(abi_, "function")) {
    const Bytes data = ZeroCall(fn);
    const Uint256 value = fn.mutability == "payable" ? Uint256(1) : Uint256();
    const CallResult r = Call(data, value);
    EXPECT_NE(r.result.status().code(), "module-unknown-function") << fn.Signature();
    EXPECT_GT(r.gas_used, 0u) << fn.Signature();
  }
  const Bytes unknown = abi::Encoder().FinishCall(abi::SelectorOf("nope()"));
  EXPECT_EQ(Call(unknown).result.status().code(), "module-unknown-function");
  const Bytes short_data = {0x01, 0x02};
  EXPECT_EQ(Call(short_data).result.status().code(), "abi-short-calldata");
}

TEST_F(TestModuleTest, ViewFunctionsRunInReadOnlyContext) {
  size_t views = 0;
  block_.height = 5;
  block_.randomness_max_lookback = 5;
  block_.ancestors.assign(5, Hash256());
  for (const AbiEntry& fn : OfKind(abi_, "function")) {
    Bytes data = ZeroCall(fn);
    if (fn.name == "randomness")
      data = abi::Encoder().Uint(1).FinishCall(abi::SelectorOf("randomness(uint256)"));
    const CallResult r = Call(data, Uint256(), /*read_only=*/true);
    if (fn.mutability == "view") {
      ++views;
      EXPECT_TRUE(r.result.ok()) << fn.Signature() << ": " << r.result.status().ToString();
      EXPECT_EQ(r.result->size(), 32u) << fn.Signature();
    }
  }
  EXPECT_EQ(views, 3u);
  const Bytes set =
      abi::Encoder().Uint(1).Uint(1).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  EXPECT_EQ(Call(set, Uint256(), /*read_only=*/true).result.status().code(), "write-in-view");
}

TEST_F(TestModuleTest, NonPayableFunctionsRejectValue) {
  for (const AbiEntry& fn : OfKind(abi_, "function")) {
    if (fn.mutability == "payable") continue;
    EXPECT_EQ(Call(ZeroCall(fn), Uint256(1)).result.status().code(), "module-not-payable")
        << fn.Signature();
  }
  const Bytes deposit = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
  EXPECT_TRUE(Call(deposit, Uint256(1)).result.ok());
  EXPECT_EQ(Call(deposit).result.status().code(), "testmod-zero-deposit");
}

TEST_F(TestModuleTest, SetGetAndEvent) {
  const Bytes set =
      abi::Encoder().Uint(9).Uint(77).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  const CallResult r = Call(set);
  ASSERT_TRUE(r.result.ok()) << r.result.status().ToString();
  EXPECT_TRUE(r.result->empty());
  EXPECT_EQ(r.gas_used, 20000u + (kModuleWriteGas + 32 * kModuleWriteByteGas) +
                            (kModuleLogGas + 3 * kModuleLogTopicGas + 32 * kModuleLogByteGas));
  const AbiEntry& ev = Event("ValueSet");
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(r.logs[0].topics.size(), 3u);
  EXPECT_EQ(r.logs[0].topics[0], abi::EventTopic(ev.Signature()));
  EXPECT_EQ(r.logs[0].data.size(), 32u);

  const Bytes get = abi::Encoder().Uint(9).FinishCall(abi::SelectorOf("get(uint256)"));
  const CallResult g = Call(get, Uint256(), /*read_only=*/true);
  ASSERT_TRUE(g.result.ok());
  EXPECT_EQ(*g.result, abi::Encoder().Uint(77).Finish());
  EXPECT_EQ(g.gas_used, 2000u + kModuleReadGas);

  // Setting zero deletes the stored value.
  const Bytes clear =
      abi::Encoder().Uint(9).Uint(0).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  ASSERT_TRUE(Call(clear).result.ok());
  EXPECT_TRUE(cache_.Diff().empty());
}

TEST_F(TestModuleTest, EventsHaveOneTopicPerIndexedInput) {
  // The module's escrow holds what the executor credited for the deposit.
  base_.map_[AccountKey(TestModuleAddress())] = EncodeAccount(Account{0, Uint256(50)});
  const Bytes deposit = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
  const Bytes withdraw = abi::Encoder().Uint(20).FinishCall(abi::SelectorOf("withdraw(uint256)"));
  const Bytes set =
      abi::Encoder().Uint(1).Uint(2).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  const std::vector<std::pair<std::string, CallResult>> calls = {
      {"ValueSet", Call(set)},
      {"Deposited", Call(deposit, Uint256(50))},
      {"Withdrawn", Call(withdraw)},
  };
  for (const auto& [name, r] : calls) {
    ASSERT_TRUE(r.result.ok()) << name << ": " << r.result.status().ToString();
    ASSERT_EQ(r.logs.size(), 1u) << name;
    const AbiEntry& ev = Event(name);
    size_t indexed = 0;
    for (const AbiInput& in : ev.inputs) indexed += in.indexed ? 1 : 0;
    EXPECT_EQ(r.logs[0].topics.size(), 1 + indexed) << name;
    EXPECT_EQ(r.logs[0].topics[0], abi::EventTopic(ev.Signature())) << name;
    EXPECT_EQ(r.logs[0].data.size(), 32 * (ev.inputs.size() - indexed)) << name;
    EXPECT_EQ(r.logs[0].address, TestModuleAddress());
  }
  const Bytes deposit_of =
      abi::Encoder().Address(Sender()).FinishCall(abi::SelectorOf("depositOf(address)"));
  EXPECT_EQ(*Call(deposit_of).result, abi::Encoder().Uint(30).Finish());
  EXPECT_EQ(cache_.GetAccount(TestModuleAddress()).balance, Uint256(30));
  EXPECT_EQ(cache_.GetAccount(Sender()).balance, Uint256(20));
}

TEST_F(TestModuleTest, WithdrawMoreThanDepositedFails) {
  base_.map_[AccountKey(TestModuleAddress())] = EncodeAccount(Account{0, Uint256(1000)});
  const Bytes deposit = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
  ASSERT_TRUE(Call(deposit, Uint256(10)).result.ok());
  const Bytes over = abi::Encoder().Uint(11).FinishCall(abi::SelectorOf("withdraw(uint256)"));
  EXPECT_EQ(Call(over).result.status().code(), "testmod-insufficient-deposit");
  const Bytes exact = abi::Encoder().Uint(10).FinishCall(abi::SelectorOf("withdraw(uint256)"));
  EXPECT_TRUE(Call(exact).result.ok());
}

TEST_F(TestModuleTest, FailRevertsWithReasonUpToLimit) {
  const std::string reason(1024, 'r');
  const Bytes ok = abi::Encoder().String(reason).FinishCall(abi::SelectorOf("fail(string)"));
  const CallResult r = Call(ok);
  EXPECT_EQ(r.result.status().code(), "testmod-fail");
  EXPECT_EQ(r.result.status().message(), reason);
  EXPECT_EQ(r.gas_used, 1000u);
  const Bytes too_long =
      abi::Encoder().String(reason + "r").FinishCall(abi::SelectorOf("fail(string)"));
  EXPECT_EQ(Call(too_long).result.status().code(), "abi-too-long");
}

TEST_F(TestModuleTest, RandomnessIsTheNamedAncestorsHash) {
  block_.height = 10;
  block_.randomness_max_lookback = 3;
  for (uint8_t i = 0; i < 3; ++i) {
    Hash256 h;
    h[0] = static_cast<uint8_t>(9 - i);
    block_.ancestors.push_back(h);
  }
  auto call = [&](uint64_t lookback) {
    return Call(abi::Encoder().Uint(lookback).FinishCall(abi::SelectorOf("randomness(uint256)")));
  };
  const CallResult two_back = call(2);
  ASSERT_TRUE(two_back.result.ok()) << two_back.result.status().ToString();
  EXPECT_EQ(*two_back.result, abi::Encoder().Bytes32(block_.ancestors[1]).Finish());
  EXPECT_EQ(call(0).result.status().code(), "randomness-not-ancestor");
  EXPECT_EQ(call(4).result.status().code(), "randomness-beyond-lookback");
}

TEST_F(TestModuleTest, BurnGasChargesExactly) {
  const Bytes burn = abi::Encoder().Uint(5000).FinishCall(abi::SelectorOf("burnGas(uint256)"));
  const CallResult r = Call(burn, Uint256(), false, /*gas=*/6000);
  EXPECT_TRUE(r.result.ok());
  EXPECT_EQ(r.gas_used, 6000u);
  const CallResult oog = Call(burn, Uint256(), false, /*gas=*/5999);
  EXPECT_TRUE(oog.result.status().Is(StatusKind::kOutOfGas));
  EXPECT_EQ(oog.gas_used, 5999u);
}

TEST_F(TestModuleTest, MalformedArgumentsFail) {
  const Bytes set_short =
      abi::Encoder().Uint(1).FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  EXPECT_EQ(Call(set_short).result.status().code(), "abi-short-data");
  Bytes bad_addr = abi::Encoder().Uint(1).FinishCall(abi::SelectorOf("depositOf(address)"));
  bad_addr[4] = 1;
  EXPECT_EQ(Call(bad_addr).result.status().code(), "abi-bad-address");
  Bytes big = abi::Encoder().Uint(Uint256(1) << 64).FinishCall(abi::SelectorOf("burnGas(uint256)"));
  EXPECT_EQ(Call(big).result.status().code(), "abi-uint64-overflow");
}

}  // namespace
}  // namespace depin::consensus

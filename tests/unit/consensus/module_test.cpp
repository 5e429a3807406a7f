#include "consensus/module.h"

#include <gtest/gtest.h>

#include <map>

#include "consensus/gas.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

using test_util::MapReader;

Address Addr(uint8_t fill) {
  Address a;
  for (auto& b : a.bytes) b = fill;
  return a;
}

class ModuleContextTest : public ::testing::Test {
 protected:
  ModuleContext Context(uint64_t gas_limit, bool read_only = false) {
    return ModuleContext(cache_, block_, module_, Addr(0x11), Uint256(), gas_limit, read_only);
  }
  void FundModule(const Uint256& amount) {
    base_.map_[AccountKey(module_)] = EncodeAccount(Account{0, amount});
  }

  MapReader base_;
  StateCache cache_{base_};
  BlockContext block_;
  Address module_ = ModuleAddress(0x0F00);
};

TEST_F(ModuleContextTest, ChargeGasUpToTheAllowanceExactly) {
  ModuleContext ctx = Context(1000);
  EXPECT_TRUE(ctx.ChargeGas(600).ok());
  EXPECT_EQ(ctx.gas_left(), 400u);
  EXPECT_TRUE(ctx.ChargeGas(400).ok());
  EXPECT_EQ(ctx.gas_used(), 1000u);
  EXPECT_TRUE(ctx.ChargeGas(0).ok());
  Status s = ctx.ChargeGas(1);
  EXPECT_EQ(s.code(), "out-of-gas");
  EXPECT_EQ(ctx.gas_used(), 1000u);
}

TEST_F(ModuleContextTest, OutOfGasConsumesTheWholeAllowance) {
  ModuleContext ctx = Context(1000);
  ASSERT_TRUE(ctx.ChargeGas(10).ok());
  EXPECT_EQ(ctx.ChargeGas(991).code(), "out-of-gas");
  EXPECT_EQ(ctx.gas_used(), 1000u);
  EXPECT_EQ(ctx.gas_left(), 0u);
  ModuleContext huge = Context(1000);
  EXPECT_EQ(huge.ChargeGas(~uint64_t{0}).code(), "out-of-gas");
  EXPECT_EQ(huge.gas_used(), 1000u);
}

TEST_F(ModuleContextTest, GetChargesReadGas) {
  ModuleContext ok = Context(kModuleReadGas);
  EXPECT_TRUE(ok.Get({}).ok());
  EXPECT_EQ(ok.gas_used(), kModuleReadGas);
  ModuleContext short_of_one = Context(kModuleReadGas - 1);
  EXPECT_EQ(short_of_one.Get({}).status().code(), "out-of-gas");
}

TEST_F(ModuleContextTest, PutChargesWriteAndByteGasAndPrefixesKey) {
  const Bytes key = {'k'};
  const Bytes value(10, 0x5a);
  const uint64_t cost = kModuleWriteGas + kModuleWriteByteGas * value.size();
  ModuleContext ctx = Context(cost);
  ASSERT_TRUE(ctx.Put(key, value).ok());
  EXPECT_EQ(ctx.gas_used(), cost);
  EXPECT_EQ(cache_.Get(ModuleKey(module_, key)), value);

  ModuleContext poor = Context(cost - 1);
  EXPECT_EQ(poor.Put(Bytes{'z'}, value).code(), "out-of-gas");
  EXPECT_EQ(cache_.Get(ModuleKey(module_, Bytes{'z'})), std::nullopt);
}

TEST_F(ModuleContextTest, ReadBackAndErase) {
  ModuleContext ctx = Context(1'000'000);
  ASSERT_TRUE(ctx.Put(Bytes{'a'}, {1, 2}).ok());
  auto got = ctx.Get(Bytes{'a'});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(**got, (Bytes{1, 2}));
  const uint64_t before = ctx.gas_used();
  ASSERT_TRUE(ctx.Erase(Bytes{'a'}).ok());
  EXPECT_EQ(ctx.gas_used() - before, kModuleWriteGas);
  EXPECT_FALSE(ctx.Get(Bytes{'a'})->has_value());
}

TEST_F(ModuleContextTest, WritesFailInReadOnlyContext) {
  FundModule(Uint256(100));
  ModuleContext ctx = Context(1'000'000, /*read_only=*/true);
  EXPECT_TRUE(ctx.read_only());
  EXPECT_TRUE(ctx.Get(Bytes{'a'}).ok());
  EXPECT_EQ(ctx.Put(Bytes{'a'}, {1}).code(), "write-in-view");
  EXPECT_EQ(ctx.Erase(Bytes{'a'}).code(), "write-in-view");
  EXPECT_EQ(ctx.PayFromModule(Addr(0x22), Uint256(1)).code(), "write-in-view");
  EXPECT_TRUE(cache_.Diff().empty());
}

TEST_F(ModuleContextTest, PayFromModuleMovesEscrow) {
  FundModule(Uint256(100));
  ModuleContext ctx = Context(1'000'000);
  ASSERT_TRUE(ctx.PayFromModule(Addr(0x22), Uint256(60)).ok());
  EXPECT_EQ(cache_.GetAccount(module_).balance, Uint256(40));
  EXPECT_EQ(cache_.GetAccount(Addr(0x22)).balance, Uint256(60));
  // Exactly the remaining balance: allowed, and the empty escrow is erased.
  ASSERT_TRUE(ctx.PayFromModule(Addr(0x22), Uint256(40)).ok());
  EXPECT_EQ(cache_.Get(AccountKey(module_)), std::nullopt);
  EXPECT_EQ(cache_.GetAccount(Addr(0x22)).balance, Uint256(100));
  EXPECT_TRUE(ctx.PayFromModule(Addr(0x22), Uint256()).ok());
}

TEST_F(ModuleContextTest, PayFromModuleInsufficientBalance) {
  FundModule(Uint256(100));
  ModuleContext ctx = Context(1'000'000);
  EXPECT_EQ(ctx.PayFromModule(Addr(0x22), Uint256(101)).code(), "insufficient-module-balance");
  EXPECT_EQ(cache_.GetAccount(module_).balance, Uint256(100));
  EXPECT_EQ(cache_.GetAccount(Addr(0x22)).balance, Uint256());
  EXPECT_TRUE(cache_.Diff().empty());
}

TEST_F(ModuleContextTest, EmitLogChargesAndRecords) {
  const uint64_t cost = kModuleLogGas + 4 * kModuleLogTopicGas + 3 * kModuleLogByteGas;
  ModuleContext ctx = Context(cost);
  std::vector<Hash256> topics(4);
  topics[3][0] = 9;
  ASSERT_TRUE(ctx.EmitLog(topics, {1, 2, 3}).ok());
  EXPECT_EQ(ctx.gas_used(), cost);
  ASSERT_EQ(ctx.logs().size(), 1u);
  EXPECT_EQ(ctx.logs()[0].address, module_);
  EXPECT_EQ(ctx.logs()[0].topics, topics);
  EXPECT_EQ(ctx.logs()[0].data, (Bytes{1, 2, 3}));

  ModuleContext poor = Context(cost - 1);
  EXPECT_EQ(poor.EmitLog(topics, {1, 2, 3}).code(), "out-of-gas");
  EXPECT_TRUE(poor.logs().empty());
}

TEST_F(ModuleContextTest, EmitLogRejectsMoreThanFourTopics) {
  ModuleContext ctx = Context(1'000'000);
  EXPECT_EQ(ctx.EmitLog(std::vector<Hash256>(5), {}).code(), "log-too-many-topics");
  EXPECT_TRUE(ctx.logs().empty());
  EXPECT_EQ(ctx.gas_used(), 0u);
  EXPECT_TRUE(ctx.EmitLog({}, {}).ok());
}

class NamedModule : public Module {
 public:
  NamedModule(uint16_t low16, std::string name) : address_(ModuleAddress(low16)), name_(name) {}
  Address address() const override { return address_; }
  std::string_view name() const override { return name_; }
  Result<Bytes> Call(ModuleContext&, ByteSpan) const override { return Bytes(); }

 private:
  Address address_;
  std::string name_;
};

TEST(ModuleRegistry, FindAndAllOrderedByAddress) {
  ModuleRegistry reg;
  EXPECT_TRUE(reg.All().empty());
  reg.Register(std::make_shared<NamedModule>(0x2000, "storage"));
  reg.Register(std::make_shared<NamedModule>(0x0F00, "test"));
  reg.Register(std::make_shared<NamedModule>(0x1000, "compute"));
  const auto all = reg.All();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->name(), "test");
  EXPECT_EQ(all[1]->name(), "compute");
  EXPECT_EQ(all[2]->name(), "storage");
  ASSERT_NE(reg.Find(ModuleAddress(0x1000)), nullptr);
  EXPECT_EQ(reg.Find(ModuleAddress(0x1000))->name(), "compute");
  EXPECT_EQ(reg.Find(ModuleAddress(0x3000)), nullptr);
  EXPECT_TRUE(reg.IsModuleAddress(ModuleAddress(0x2000)));
  EXPECT_FALSE(reg.IsModuleAddress(Address()));
}

TEST(ModuleRegistry, RegisterSameAddressReplaces) {
  ModuleRegistry reg;
  reg.Register(std::make_shared<NamedModule>(0x1000, "old"));
  reg.Register(std::make_shared<NamedModule>(0x1000, "new"));
  ASSERT_EQ(reg.All().size(), 1u);
  EXPECT_EQ(reg.Find(ModuleAddress(0x1000))->name(), "new");
}

TEST(EncodeRevertReason, IsErrorSelectorAndAbiString) {
  const Bytes got = EncodeRevertReason("reason");
  Bytes want = {0x08, 0xc3, 0x79, 0xa0};
  Bytes offset(32, 0);
  offset[31] = 0x20;
  Bytes len(32, 0);
  len[31] = 6;
  Bytes text = {'r', 'e', 'a', 's', 'o', 'n'};
  text.resize(32, 0);
  for (const Bytes* p : {&offset, &len, &text}) want.insert(want.end(), p->begin(), p->end());
  EXPECT_EQ(got, want);
  EXPECT_EQ(EncodeRevertReason("").size(), 4u + 64);
}

}  // namespace
}  // namespace depin::consensus

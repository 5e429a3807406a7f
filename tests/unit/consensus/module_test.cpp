#include "consensus/module.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <stdexcept>

#include "consensus/abi.h"
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
  EXPECT_TRUE(s.Is(StatusKind::kOutOfGas));
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

TEST_F(ModuleContextTest, ScanListsOwnKeysInOrderWithInBlockWrites) {
  base_.map_[ModuleKey(module_, Bytes{'o', 1})] = {10};
  base_.map_[ModuleKey(module_, Bytes{'o', 3})] = {30};
  base_.map_[ModuleKey(ModuleAddress(0x0F01), Bytes{'o', 2})] = {99};  // another module's
  ModuleContext ctx = Context(1'000'000);
  ASSERT_TRUE(ctx.Put(Bytes{'o', 2}, {20}).ok());
  ASSERT_TRUE(ctx.Erase(Bytes{'o', 3}).ok());
  ASSERT_TRUE(ctx.Put(Bytes{'x'}, {1}).ok());
  const uint64_t before = ctx.gas_used();
  auto page = ctx.Scan(Bytes{'o'}, {}, 10);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(*page, (std::vector<StateEntry>{{Bytes{'o', 1}, {10}}, {Bytes{'o', 2}, {20}}}));
  EXPECT_EQ(ctx.gas_used() - before,
            kModuleScanGas + 2 * kModuleScanEntryGas + 6 * kModuleScanByteGas);
  auto next = ctx.Scan(Bytes{'o'}, Bytes{'o', 1}, 10);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, (std::vector<StateEntry>{{Bytes{'o', 2}, {20}}}));
}

TEST_F(ModuleContextTest, ScanLimitIsCutToTheGasLeft) {
  for (uint8_t i = 0; i < 10; ++i) base_.map_[ModuleKey(module_, Bytes{'o', i})] = {i};
  ModuleContext ctx = Context(kModuleScanGas + 3 * kModuleScanEntryGas + 100);
  auto page = ctx.Scan(Bytes{'o'}, {}, 10);
  // Only three entries' cost fits: the page is cut to three.
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->size(), 3u);
  ModuleContext rich = Context(1'000'000);
  EXPECT_EQ(rich.Scan(Bytes{'o'}, {}, 4)->size(), 4u);
  ModuleContext poor = Context(kModuleScanGas - 1);
  EXPECT_TRUE(poor.Scan(Bytes{'o'}, {}, 4).status().Is(StatusKind::kOutOfGas));
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
  const FunctionTable& functions() const override { return table_; }

 private:
  Address address_;
  std::string name_;
  FunctionTable table_{{}, {}};
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

TEST(ModuleRegistry, ActiveFromItsActivationHeight) {
  ModuleRegistry reg;
  reg.Register(std::make_shared<NamedModule>(0x1000, "compute"), /*activation_height=*/10);
  reg.Register(std::make_shared<NamedModule>(0x2000, "storage"), kNeverActive);
  EXPECT_EQ(reg.ActiveAt(ModuleAddress(0x1000), 9), nullptr);
  ASSERT_NE(reg.ActiveAt(ModuleAddress(0x1000), 10), nullptr);
  EXPECT_EQ(reg.ActiveAt(ModuleAddress(0x1000), 10)->name(), "compute");
  EXPECT_EQ(reg.ActiveAt(ModuleAddress(0x2000), ~uint64_t{0} - 1), nullptr);
  // Inactive modules still own their address.
  EXPECT_TRUE(reg.IsModuleAddress(ModuleAddress(0x2000)));
  EXPECT_EQ(reg.ActiveAt(ModuleAddress(0x3000), 0), nullptr);
}

TEST(ModuleRegistry, RegisterSameAddressReplaces) {
  ModuleRegistry reg;
  reg.Register(std::make_shared<NamedModule>(0x1000, "old"));
  reg.Register(std::make_shared<NamedModule>(0x1000, "new"));
  ASSERT_EQ(reg.All().size(), 1u);
  EXPECT_EQ(reg.Find(ModuleAddress(0x1000))->name(), "new");
}

// A module defined here to pin down what CallModule does with the table.
Result<Bytes> WriteHandler(ModuleContext& ctx, abi::Decoder&) {
  DEPIN_RETURN_IF_ERROR(ctx.Put(Bytes{'w'}, {1}));
  return Bytes();
}
Result<Bytes> ReadOnlyFlagHandler(ModuleContext& ctx, abi::Decoder&) {
  return abi::Encoder().Bool(ctx.read_only()).Finish();
}
Result<Bytes> EchoBytesHandler(ModuleContext&, abi::Decoder& args) {
  auto b = args.Bytes(1024);
  if (!b.ok()) return b.status();
  return abi::Encoder().Bytes(*b).Finish();
}

ModuleEvent PingEvent() {
  return ModuleEvent{
      .name = "Ping",
      .inputs = {{"who", "address", /*indexed=*/true}, {"n", "uint256", /*indexed=*/false}},
      .help = "pinged"};
}

class TableModule : public Module {
 public:
  Address address() const override { return ModuleAddress(0x0F0A); }
  std::string_view name() const override { return "table"; }
  const FunctionTable& functions() const override { return table_; }

  static constexpr FunctionGas kEchoGas{100, 7};

 private:
  FunctionTable table_{{
                           ModuleFunction{.name = "viewThatWrites",
                                          .inputs = {},
                                          .outputs = {},
                                          .mutability = Mutability::kView,
                                          .gas = {10, 0},
                                          .help = "",
                                          .handler = WriteHandler},
                           ModuleFunction{.name = "write",
                                          .inputs = {},
                                          .outputs = {},
                                          .mutability = Mutability::kNonPayable,
                                          .gas = {10, 0},
                                          .help = "",
                                          .handler = WriteHandler},
                           ModuleFunction{.name = "isReadOnly",
                                          .inputs = {},
                                          .outputs = {{"", "bool"}},
                                          .mutability = Mutability::kView,
                                          .gas = {10, 0},
                                          .help = "",
                                          .handler = ReadOnlyFlagHandler},
                           ModuleFunction{.name = "echo",
                                          .inputs = {{"data", "bytes"}},
                                          .outputs = {{"", "bytes"}},
                                          .mutability = Mutability::kPayable,
                                          .gas = kEchoGas,
                                          .help = "",
                                          .handler = EchoBytesHandler},
                       },
                       {PingEvent()}};
};

class CallModuleTest : public ModuleContextTest {
 protected:
  Result<Bytes> Call(ModuleContext& ctx, std::string_view signature, abi::Encoder args = {}) {
    return CallModule(module_impl_, ctx, args.FinishCall(abi::SelectorOf(signature)));
  }
  TableModule module_impl_;
};

TEST_F(CallModuleTest, ViewThatWritesIsRefusedEvenInAWritableContext) {
  ModuleContext ctx = Context(1'000'000, /*read_only=*/false);
  auto r = Call(ctx, "viewThatWrites()");
  EXPECT_EQ(r.status().code(), "write-in-view");
  EXPECT_TRUE(ctx.read_only());
  EXPECT_TRUE(cache_.Diff().empty());
  ModuleContext writable = Context(1'000'000);
  EXPECT_TRUE(Call(writable, "write()").ok());
  EXPECT_FALSE(writable.read_only());
}

TEST_F(CallModuleTest, ViewSeesReadOnlyFlag) {
  ModuleContext ctx = Context(1'000'000);
  EXPECT_EQ(*Call(ctx, "isReadOnly()"), abi::Encoder().Bool(true).Finish());
}

TEST_F(CallModuleTest, ChargesFixedPlusPerArgumentByteBeforeTheHandler) {
  const Bytes data = abi::Encoder().Bytes(Bytes(40, 1)).FinishCall(abi::SelectorOf("echo(bytes)"));
  const uint64_t arg_bytes = data.size() - 4;  // offset, length, two padded words
  EXPECT_EQ(arg_bytes, 4u * 32);
  const uint64_t cost = TableModule::kEchoGas.fixed + TableModule::kEchoGas.per_byte * arg_bytes;
  ModuleContext ctx = Context(cost);
  ASSERT_TRUE(CallModule(module_impl_, ctx, data).ok());
  EXPECT_EQ(ctx.gas_used(), cost);
  ModuleContext poor = Context(cost - 1);
  EXPECT_TRUE(CallModule(module_impl_, poor, data).status().Is(StatusKind::kOutOfGas));
}

TEST_F(CallModuleTest, RefusesValueForNonPayableAndViews) {
  ModuleContext view = ModuleContext(cache_, block_, module_, Addr(0x11), Uint256(1), 1000, false);
  EXPECT_EQ(Call(view, "isReadOnly()").status().code(), "module-not-payable");
  ModuleContext write = ModuleContext(cache_, block_, module_, Addr(0x11), Uint256(1), 1000, false);
  EXPECT_EQ(Call(write, "write()").status().code(), "module-not-payable");
  ModuleContext pay = ModuleContext(cache_, block_, module_, Addr(0x11), Uint256(1), 1000, false);
  EXPECT_TRUE(Call(pay, "echo(bytes)", abi::Encoder().Bytes({})).ok());
}

TEST_F(CallModuleTest, MalformedCalldataIsRefused) {
  ModuleContext ctx = Context(1'000'000);
  EXPECT_EQ(CallModule(module_impl_, ctx, Bytes{0x01, 0x02, 0x03}).status().code(),
            "abi-short-calldata");
  EXPECT_EQ(Call(ctx, "nope()").status().code(), "module-unknown-function");
  // echo(bytes) with an offset pointing past the end.
  Bytes bad = abi::Encoder().Uint(Uint256(4096)).FinishCall(abi::SelectorOf("echo(bytes)"));
  EXPECT_FALSE(CallModule(module_impl_, ctx, bad).ok());
  EXPECT_EQ(ctx.gas_used(), TableModule::kEchoGas.fixed + TableModule::kEchoGas.per_byte * 32);
}

TEST_F(CallModuleTest, EmitEventPutsTopicZeroAndChecksIndexedCount) {
  ModuleContext ctx = Context(1'000'000);
  const ModuleEvent ev = PingEvent();
  EXPECT_EQ(ev.Signature(), "Ping(address,uint256)");
  EXPECT_EQ(ctx.EmitEvent(ev, {}, {}).code(), "event-bad-topics");
  EXPECT_EQ(ctx.EmitEvent(ev, {Hash256(), Hash256()}, {}).code(), "event-bad-topics");
  ASSERT_TRUE(ctx.EmitEvent(ev, {Hash256()}, abi::Encoder().Uint(1).Finish()).ok());
  ASSERT_EQ(ctx.logs().size(), 1u);
  EXPECT_EQ(ctx.logs()[0].topics,
            (std::vector<Hash256>{abi::EventTopic("Ping(address,uint256)"), Hash256()}));
}

// --- Cross-module queries: two modules defined here -------------------------
// The ledger keeps a balance per one-byte id and publishes LedgerQueries; the
// consumer asks it through its ModuleContext and never reads its keys.

class LedgerQueries : public QueryInterface {
 public:
  // `ctx` is the ledger's own read-only context.
  virtual Result<Uint256> BalanceOf(ModuleContext& ctx, uint8_t id) const = 0;
  // A query that (wrongly) writes: must be refused.
  virtual Status Touch(ModuleContext& ctx) const = 0;
};

// Some other interface nobody publishes under the ledger's address.
class OtherQueries : public QueryInterface {};

Address LedgerAddress() { return ModuleAddress(0x0F0B); }
Address ConsumerAddress() { return ModuleAddress(0x0F0C); }

Result<Bytes> LedgerCredit(ModuleContext& ctx, abi::Decoder& args) {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto amount = args.Uint();
  if (!amount.ok()) return amount.status();
  Bytes raw(32);
  amount->ToBigEndian32(raw.data());
  DEPIN_RETURN_IF_ERROR(ctx.Put(Bytes{'b', static_cast<uint8_t>(*id)}, std::move(raw)));
  return Bytes();
}

class LedgerModule : public Module, public LedgerQueries {
 public:
  Address address() const override { return LedgerAddress(); }
  std::string_view name() const override { return "ledger"; }
  const FunctionTable& functions() const override { return table_; }
  const QueryInterface* queries() const override { return this; }

  Result<Uint256> BalanceOf(ModuleContext& ctx, uint8_t id) const override {
    auto raw = ctx.Get(Bytes{'b', id});
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return Uint256();
    return Uint256::FromBigEndian32((*raw)->data());
  }
  Status Touch(ModuleContext& ctx) const override { return ctx.Put(Bytes{'t'}, {1}); }

 private:
  FunctionTable table_{{ModuleFunction{.name = "credit",
                                       .inputs = {{"id", "uint256"}, {"amount", "uint256"}},
                                       .outputs = {},
                                       .mutability = Mutability::kNonPayable,
                                       .gas = {0, 0},
                                       .help = "",
                                       .handler = LedgerCredit}},
                       {}};
};

// The consumer's only function: copy the ledger's balance of `id` into its
// own state, via the query.
Result<Bytes> ConsumerCopy(ModuleContext& ctx, abi::Decoder& args) {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto balance = ctx.Query<LedgerQueries>(
      LedgerAddress(), [&](const LedgerQueries& q, ModuleContext& ledger_ctx) {
        return q.BalanceOf(ledger_ctx, static_cast<uint8_t>(*id));
      });
  if (!balance.ok()) return balance.status();
  Bytes raw(32);
  balance->ToBigEndian32(raw.data());
  DEPIN_RETURN_IF_ERROR(ctx.Put(Bytes{'c'}, raw));
  return raw;
}

class ConsumerModule : public Module {
 public:
  Address address() const override { return ConsumerAddress(); }
  std::string_view name() const override { return "consumer"; }
  const FunctionTable& functions() const override { return table_; }

 private:
  FunctionTable table_{{ModuleFunction{.name = "copy",
                                       .inputs = {{"id", "uint256"}},
                                       .outputs = {{"", "uint256"}},
                                       .mutability = Mutability::kNonPayable,
                                       .gas = {0, 0},
                                       .help = "",
                                       .handler = ConsumerCopy}},
                       {}};
};

class ModuleQueryTest : public ::testing::Test {
 protected:
  ModuleQueryTest() {
    modules_.Register(std::make_shared<LedgerModule>());
    modules_.Register(std::make_shared<ConsumerModule>());
  }
  ModuleContext Ctx(const Address& module, uint64_t gas = 1'000'000) {
    return ModuleContext(cache_, block_, module, Addr(0x11), Uint256(), gas, /*read_only=*/false,
                         &modules_);
  }
  Status Credit(uint8_t id, uint64_t amount) {
    ModuleContext ctx = Ctx(LedgerAddress());
    return CallModule(*modules_.Find(LedgerAddress()), ctx,
                      abi::Encoder().Uint(id).Uint(amount).FinishCall(
                          abi::SelectorOf("credit(uint256,uint256)")))
        .status();
  }
  Result<Bytes> Copy(ModuleContext& ctx, uint8_t id) {
    return CallModule(*modules_.Find(ConsumerAddress()), ctx,
                      abi::Encoder().Uint(id).FinishCall(abi::SelectorOf("copy(uint256)")));
  }

  ModuleRegistry modules_;
  MapReader base_;
  StateCache cache_{base_};
  BlockContext block_;
};

TEST_F(ModuleQueryTest, SeesWritesMadeEarlierInTheSameState) {
  ModuleContext before = Ctx(ConsumerAddress());
  EXPECT_EQ(*Copy(before, 7), abi::Encoder().Uint(0).Finish());
  // A write through the same cache (earlier in the block or the tx) is seen.
  ASSERT_TRUE(Credit(7, 4242).ok());
  ModuleContext after = Ctx(ConsumerAddress());
  EXPECT_EQ(*Copy(after, 7), abi::Encoder().Uint(4242).Finish());
  // The consumer wrote only its own key; the ledger's stays the ledger's.
  EXPECT_EQ(cache_.Get(ModuleKey(ConsumerAddress(), Bytes{'c'})),
            abi::Encoder().Uint(4242).Finish());
}

TEST_F(ModuleQueryTest, ChargesTheQueryAndThePublishersReadsToTheCaller) {
  ModuleContext ctx = Ctx(ConsumerAddress());
  auto balance = ctx.Query<LedgerQueries>(
      LedgerAddress(), [](const LedgerQueries& q, ModuleContext& l) { return q.BalanceOf(l, 1); });
  ASSERT_TRUE(balance.ok());
  EXPECT_EQ(ctx.gas_used(), kModuleQueryGas + kModuleReadGas);
  // Short of the publisher's read: out of gas, the whole allowance used.
  ModuleContext poor = Ctx(ConsumerAddress(), kModuleQueryGas + kModuleReadGas - 1);
  auto oog = poor.Query<LedgerQueries>(
      LedgerAddress(), [](const LedgerQueries& q, ModuleContext& l) { return q.BalanceOf(l, 1); });
  EXPECT_TRUE(oog.status().Is(StatusKind::kOutOfGas));
  EXPECT_EQ(poor.gas_used(), kModuleQueryGas + kModuleReadGas - 1);
}

TEST_F(ModuleQueryTest, IsReadOnlyForThePublisher) {
  ModuleContext ctx = Ctx(ConsumerAddress());
  Status s =
      ctx.Query<LedgerQueries>(LedgerAddress(), [](const LedgerQueries& q, ModuleContext& l) {
        EXPECT_TRUE(l.read_only());
        EXPECT_EQ(l.module_address(), LedgerAddress());
        EXPECT_EQ(l.sender(), ConsumerAddress());
        return q.Touch(l);
      });
  EXPECT_EQ(s.code(), "write-in-view");
  EXPECT_TRUE(cache_.Diff().empty());
}

TEST_F(ModuleQueryTest, UnknownModuleOrInterfaceIsRefused) {
  ModuleContext ctx = Ctx(ConsumerAddress());
  auto unknown = ctx.Query<LedgerQueries>(
      ModuleAddress(0x0F0D), [](const LedgerQueries& q, ModuleContext& l) { return q.Touch(l); });
  EXPECT_EQ(unknown.code(), "query-unknown-module");
  auto none = ctx.Query<LedgerQueries>(
      ConsumerAddress(), [](const LedgerQueries& q, ModuleContext& l) { return q.Touch(l); });
  EXPECT_EQ(none.code(), "query-not-published");
  auto wrong_type = ctx.Query<OtherQueries>(
      LedgerAddress(), [](const OtherQueries&, ModuleContext&) { return Status::Ok(); });
  EXPECT_EQ(wrong_type.code(), "query-not-published");
  ModuleContext no_registry(cache_, block_, ConsumerAddress(), Addr(0x11), Uint256(), 1'000'000,
                            /*read_only=*/false);
  auto lone = no_registry.Query<LedgerQueries>(
      LedgerAddress(), [](const LedgerQueries& q, ModuleContext& l) { return q.Touch(l); });
  EXPECT_EQ(lone.code(), "query-unknown-module");
}

TEST_F(ModuleQueryTest, NestingIsBounded) {
  ModuleContext ctx = Ctx(ConsumerAddress());
  std::function<Status(ModuleContext&, int)> nest = [&](ModuleContext& c, int depth) -> Status {
    return c.Query<LedgerQueries>(LedgerAddress(), [&](const LedgerQueries&, ModuleContext& l) {
      return depth == 0 ? Status::Ok() : nest(l, depth - 1);
    });
  };
  EXPECT_TRUE(nest(ctx, ModuleContext::kMaxQueryDepth - 1).ok());
  Status deep = nest(ctx, ModuleContext::kMaxQueryDepth);
  EXPECT_EQ(deep.code(), "query-too-deep");
  EXPECT_TRUE(deep.Is(StatusKind::kLimitExceeded));
}

TEST(FunctionTable, DuplicateSelectorIsAProgrammingError) {
  auto make = [] {
    ModuleFunction fn{.name = "f",
                      .inputs = {},
                      .outputs = {},
                      .mutability = Mutability::kView,
                      .gas = {},
                      .help = "",
                      .handler = ReadOnlyFlagHandler};
    return FunctionTable({fn, fn}, {});
  };
  EXPECT_THROW(make(), std::logic_error);
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

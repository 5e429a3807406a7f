#include "consensus/module_records.h"

#include <gtest/gtest.h>

#include "consensus/abi.h"
#include "consensus/block_context.h"
#include "consensus/params.h"
#include "consensus/state_cache.h"
#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

using test_util::MapReader;

constexpr RecordRules kRules("widget");

// A record type as the markets write them: a counter and a name.
struct Widget {
  uint64_t count = 0;
  std::string name;

  Bytes Encode() const { return RecordWriter().U64(count).Str(name).Take(); }
  static Result<Widget> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Widget w;
    w.count = r.U64();
    w.name = r.Str();
    if (!r.Done()) return kRules.Corrupt("widget");
    return w;
  }
};

Bytes WidgetKey(uint64_t id) {
  const auto k = KeyId(id);
  return RecordKey('w', {k});
}

class ModuleRecordsTest : public ::testing::Test {
 protected:
  ModuleRecordsTest() {
    BlockHeader h;
    h.height = 10;
    h.gas_limit = params_.block_gas_limit;
    h.base_fee = Uint256(kWeiPerGwei);
    block_ = MakeBlockContext(h, params_, NoAncestors());
  }
  ModuleContext Ctx() {
    return ModuleContext(cache_, block_, ModuleAddress(0x0F10), Address(), Uint256(), 10'000'000,
                         /*read_only=*/false);
  }

  ChainParams params_ = RegtestParams();
  BlockContext block_;
  MapReader base_;
  StateCache cache_{base_};
};

TEST(RecordCodec, RoundTripsEveryFieldBigEndianAndRefusesShortOrLongInput) {
  Address a;
  for (size_t i = 0; i < a.bytes.size(); ++i) a.bytes[i] = static_cast<uint8_t>(i + 1);
  Hash256 h;
  h.bytes[31] = 0x77;
  const Bytes raw = RecordWriter()
                        .U8(0x01)
                        .U16(0x0203)
                        .U32(0x04050607)
                        .U64(0x08090a0b0c0d0e0f)
                        .U256(Uint256(5))
                        .Bytes32(h)
                        .Addr(a)
                        .Blob(Bytes{0xaa, 0xbb})
                        .Str("hi")
                        .Take();
  // Fixed widths, big-endian: the first 15 bytes are 01..0f in order.
  for (uint8_t i = 0; i < 15; ++i) EXPECT_EQ(raw[i], i + 1);
  EXPECT_EQ(raw.size(), 1 + 2 + 4 + 8 + 32 + 32 + 20 + (8 + 2) + (8 + 2));
  RecordReader r(raw);
  EXPECT_EQ(r.U8(), 0x01);
  EXPECT_EQ(r.U16(), 0x0203);
  EXPECT_EQ(r.U32(), 0x04050607u);
  EXPECT_EQ(r.U64(), 0x08090a0b0c0d0e0fu);
  EXPECT_EQ(r.U256(), Uint256(5));
  EXPECT_EQ(r.Bytes32(), h);
  EXPECT_EQ(r.Addr(), a);
  EXPECT_EQ(r.Blob(), (Bytes{0xaa, 0xbb}));
  EXPECT_EQ(r.Str(), "hi");
  EXPECT_TRUE(r.Done());

  // One byte short: the reader fails and reads zero from then on.
  RecordReader shorter(ByteSpan(raw.data(), 14));
  EXPECT_EQ(shorter.U8(), 0x01);
  EXPECT_EQ(shorter.U16(), 0x0203);
  EXPECT_EQ(shorter.U32(), 0x04050607u);
  EXPECT_EQ(shorter.U64(), 0u);
  EXPECT_FALSE(shorter.ok());
  EXPECT_EQ(shorter.U8(), 0u);
  EXPECT_FALSE(shorter.Done());
  // A blob whose length claims more than is there.
  Bytes lying = RecordWriter().U64(1000).Take();
  lying.push_back(1);
  RecordReader blob(lying);
  EXPECT_TRUE(blob.Blob().empty());
  EXPECT_FALSE(blob.ok());
  // Bytes left over: ok, but not Done.
  RecordReader longer(raw);
  EXPECT_EQ(longer.U8(), 0x01);
  EXPECT_TRUE(longer.ok());
  EXPECT_FALSE(longer.Done());
  EXPECT_EQ(longer.remaining(), raw.size() - 1);
}

TEST(RecordKeys, IdsSortInNumericOrder) {
  EXPECT_LT(WidgetKey(255), WidgetKey(256));
  EXPECT_LT(WidgetKey(1), WidgetKey(uint64_t{1} << 40));
  const Bytes k = WidgetKey(0x0102);
  EXPECT_EQ(k, (Bytes{'w', 0, 0, 0, 0, 0, 0, 0x01, 0x02}));
}

TEST(RecordRules, NameTheModulesRulesAndKinds) {
  Status corrupt = kRules.Corrupt("widget");
  EXPECT_EQ(corrupt.code(), "widget-corrupt-state");
  EXPECT_TRUE(corrupt.Is(StatusKind::kCorruption));
  EXPECT_NE(corrupt.message().find("widget record does not decode"), std::string::npos);
  Status negative = kRules.Negative("escrow");
  EXPECT_EQ(negative.code(), "widget-corrupt-state");
  EXPECT_TRUE(negative.Is(StatusKind::kCorruption));
  EXPECT_NE(negative.message().find("escrow would go negative"), std::string::npos);
  EXPECT_EQ(kRules.Overflow().code(), "widget-overflow");

  EXPECT_EQ(*AddAmount(kRules, Uint256(2), Uint256(3)), Uint256(5));
  EXPECT_EQ(AddAmount(kRules, Uint256::Max(), Uint256(1)).status().code(), "widget-overflow");
  EXPECT_EQ(*SubAmount(kRules, Uint256(3), Uint256(3), "escrow"), Uint256());
  EXPECT_TRUE(
      SubAmount(kRules, Uint256(2), Uint256(3), "escrow").status().Is(StatusKind::kCorruption));
}

TEST_F(ModuleRecordsTest, LoadsARecordOrNamesTheRuleAndNeverDecodesGarbage) {
  ModuleContext ctx = Ctx();
  ASSERT_TRUE(ctx.Put(WidgetKey(1), Widget{7, "gpu"}.Encode()).ok());
  auto w = LoadRecordOr<Widget>(ctx, WidgetKey(1), "widget-unknown",
                                [] { return std::string("no widget 1"); });
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->count, 7u);
  EXPECT_EQ(w->name, "gpu");

  bool asked = false;
  auto missing = LoadRecordOr<Widget>(ctx, WidgetKey(2), "widget-unknown", [&] {
    asked = true;
    return std::string("no widget 2");
  });
  EXPECT_TRUE(asked);
  EXPECT_EQ(missing.status().code(), "widget-unknown");
  EXPECT_EQ(missing.status().message(), "no widget 2");
  EXPECT_TRUE(missing.status().Is(StatusKind::kInvalid));
  auto none = LoadRecord<Widget>(ctx, WidgetKey(2));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  EXPECT_TRUE(RequireNoRecord<Widget>(ctx, WidgetKey(2), "widget-exists", [] {
                return std::string("taken");
              }).ok());
  Status taken = RequireNoRecord<Widget>(ctx, WidgetKey(1), "widget-exists",
                                         [] { return std::string("widget 1 exists"); });
  EXPECT_EQ(taken.code(), "widget-exists");

  // A stored value that does not decode is the record's corruption, in all three.
  ASSERT_TRUE(ctx.Put(WidgetKey(3), Bytes{1, 2, 3}).ok());
  EXPECT_EQ(LoadRecord<Widget>(ctx, WidgetKey(3)).status().code(), "widget-corrupt-state");
  EXPECT_EQ(LoadRecordOr<Widget>(ctx, WidgetKey(3), "widget-unknown", [] { return std::string(); })
                .status()
                .code(),
            "widget-corrupt-state");
  EXPECT_EQ(
      RequireNoRecord<Widget>(ctx, WidgetKey(3), "widget-exists", [] { return std::string(); })
          .code(),
      "widget-corrupt-state");
}

TEST_F(ModuleRecordsTest, CountersStartAtOneEraseAtZeroAndRefuseAnotherSize) {
  ModuleContext ctx = Ctx();
  const Bytes key = RecordKey('n', {});
  EXPECT_EQ(*ReadCounter(ctx, kRules, key), 0u);
  EXPECT_EQ(*NextRecordId(ctx, kRules, key), 1u);
  EXPECT_EQ(*NextRecordId(ctx, kRules, key), 2u);
  EXPECT_EQ(*ReadCounter(ctx, kRules, key), 2u);
  ASSERT_TRUE(WriteCounter(ctx, key, 0).ok());
  auto erased = ctx.Get(key);
  ASSERT_TRUE(erased.ok());
  EXPECT_FALSE(erased->has_value());
  ASSERT_TRUE(ctx.Put(key, Bytes{1, 2, 3}).ok());
  EXPECT_EQ(ReadCounter(ctx, kRules, key).status().code(), "widget-corrupt-state");
  EXPECT_EQ(NextRecordId(ctx, kRules, key).status().code(), "widget-corrupt-state");
}

TEST_F(ModuleRecordsTest, IdPagesWalkInOrderFilterAndCapAndRefuseBadIndexKeys) {
  ModuleContext ctx = Ctx();
  const Bytes prefix = RecordKey('i', {});
  for (uint64_t id = 1; id <= 30; ++id) {
    const auto k = KeyId(id);
    ASSERT_TRUE(ctx.Put(RecordKey('i', {k}), Bytes{1}).ok());
  }
  auto first = ScanIds(ctx, kRules, prefix, 0, 5);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  auto after = ScanIds(ctx, kRules, prefix, 28, 5);
  EXPECT_EQ(*after, (std::vector<uint64_t>{29, 30}));

  // Only odd ids, a page of 4 after id 10: several scans, each filtered.
  IdPage page;
  page.after = 10;
  page.limit = 4;
  auto odd =
      ListIds(ctx, kRules, prefix, page, [](uint64_t id) -> Result<bool> { return id % 2 == 1; });
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(*odd, (std::vector<Uint256>{Uint256(11), Uint256(13), Uint256(15), Uint256(17)}));
  // A filter's error stops the page.
  auto failing = ListIds(ctx, kRules, prefix, page,
                         [](uint64_t) -> Result<bool> { return kRules.Corrupt("filter"); });
  EXPECT_EQ(failing.status().code(), "widget-corrupt-state");
  page.limit = uint64_t{1} << 40;
  EXPECT_EQ(page.capped_limit(), kMaxRecordListLimit);

  ASSERT_TRUE(ctx.Put(RecordKey('i', {Bytes{1, 2, 3}}), Bytes{1}).ok());
  EXPECT_EQ(ScanIds(ctx, kRules, prefix, 0, 100).status().code(), "widget-corrupt-state");
}

TEST_F(ModuleRecordsTest, AddressRecordsWalkInAddressOrderAfterTheCursor) {
  ModuleContext ctx = Ctx();
  std::vector<Address> addrs(3);
  for (size_t i = 0; i < addrs.size(); ++i) {
    addrs[i].bytes[0] = static_cast<uint8_t>(3 - i);  // stored in reverse order
    ASSERT_TRUE(ctx.Put(RecordKey('p', {addrs[i].span()}), Bytes{static_cast<uint8_t>(i)}).ok());
  }
  auto all = ScanAddressRecords(ctx, kRules, 'p', {}, 10, "provider key");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].address, addrs[2]);
  EXPECT_EQ((*all)[2].address, addrs[0]);
  EXPECT_EQ((*all)[0].value, Bytes{2});

  AddressPage page;
  page.after = addrs[2];
  page.limit = 1;
  auto next = ScanAddressRecords(ctx, kRules, 'p', page.StartAfter('p'), page.capped_limit(),
                                 "provider key");
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].address, addrs[1]);
  EXPECT_TRUE(AddressPage().StartAfter('p').empty());

  ASSERT_TRUE(ctx.Put(RecordKey('p', {Bytes{9}}), Bytes{1}).ok());
  Status bad = ScanAddressRecords(ctx, kRules, 'p', {}, 10, "provider key").status();
  EXPECT_EQ(bad.code(), "widget-corrupt-state");
  EXPECT_NE(bad.message().find("provider key"), std::string::npos) << bad.ToString();
}

TEST(RecordTopics, AreLeftPaddedWords) {
  Address a;
  a.bytes[19] = 0xee;
  const Hash256 t = AddressTopic(a);
  for (size_t i = 0; i < 31; ++i) EXPECT_EQ(t.bytes[i], 0) << i;
  EXPECT_EQ(t.bytes[31], 0xee);
  const Hash256 u = UintTopic(0x0102);
  EXPECT_EQ(u.bytes[30], 0x01);
  EXPECT_EQ(u.bytes[31], 0x02);
}

}  // namespace
}  // namespace depin::consensus

#include "consensus/state.h"

#include <gtest/gtest.h>

namespace depin::consensus {
namespace {

Address Addr(uint8_t fill) {
  Address a;
  for (auto& b : a.bytes) b = fill;
  return a;
}

TEST(State, AccountKeyIsPrefixAndAddress) {
  const Address a = Addr(0xab);
  const Bytes key = AccountKey(a);
  ASSERT_EQ(key.size(), 21u);
  EXPECT_EQ(key[0], 'a');
  EXPECT_TRUE(std::equal(a.begin(), a.end(), key.begin() + 1));
}

TEST(State, ModuleKeyIsPrefixModuleAndKey) {
  const Address module = ModuleAddress(0x1000);
  const Bytes inner = {1, 2, 3};
  const Bytes key = ModuleKey(module, inner);
  ASSERT_EQ(key.size(), 24u);
  EXPECT_EQ(key[0], 'm');
  EXPECT_TRUE(std::equal(module.begin(), module.end(), key.begin() + 1));
  EXPECT_EQ(Bytes(key.end() - 3, key.end()), inner);
  EXPECT_EQ(ModuleKey(module, {}).size(), 21u);
}

TEST(State, AccountAndModuleKeysNeverCollide) {
  EXPECT_NE(AccountKey(Addr(1)), ModuleKey(Addr(1), {}));
}

TEST(State, EncodeAccountLayout) {
  Account acct;
  acct.nonce = 0x0102030405060708ULL;
  acct.balance = Uint256(0x1122);
  const Bytes enc = EncodeAccount(acct);
  ASSERT_EQ(enc.size(), kAccountEncodedSize);
  EXPECT_EQ(enc[0], 0x08);  // nonce little-endian
  EXPECT_EQ(enc[7], 0x01);
  EXPECT_EQ(enc[38], 0x11);  // balance big-endian, low bytes last
  EXPECT_EQ(enc[39], 0x22);
  for (size_t i = 8; i < 38; ++i) EXPECT_EQ(enc[i], 0) << i;
}

TEST(State, AccountRoundTrip) {
  Account acct;
  acct.nonce = ~uint64_t{0};
  acct.balance = Uint256::Max();
  auto back = DecodeAccount(EncodeAccount(acct));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, acct);
  auto empty = DecodeAccount(EncodeAccount(Account{}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->IsEmpty());
}

TEST(State, DecodeAccountRejectsWrongSize) {
  for (size_t size : {size_t{0}, size_t{39}, size_t{41}, size_t{80}}) {
    auto r = DecodeAccount(Bytes(size, 0));
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.status().code(), "account-bad-encoding");
  }
}

TEST(State, InvertDiffSwapsBeforeAndAfter) {
  const StateDiff diff = {
      {Bytes{'a', 1}, std::nullopt, Bytes{9}},     // created
      {Bytes{'a', 2}, Bytes{1}, Bytes{2}},         // changed
      {Bytes{'m', 3}, Bytes{7, 7}, std::nullopt},  // deleted
  };
  const StateDiff inverse = InvertDiff(diff);
  ASSERT_EQ(inverse.size(), 3u);
  EXPECT_EQ(inverse[0], (StateChange{Bytes{'a', 1}, Bytes{9}, std::nullopt}));
  EXPECT_EQ(inverse[1], (StateChange{Bytes{'a', 2}, Bytes{2}, Bytes{1}}));
  EXPECT_EQ(inverse[2], (StateChange{Bytes{'m', 3}, std::nullopt, Bytes{7, 7}}));
  EXPECT_EQ(InvertDiff(inverse), diff);
  EXPECT_TRUE(InvertDiff({}).empty());
}

}  // namespace
}  // namespace depin::consensus

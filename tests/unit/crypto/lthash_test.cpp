#include "crypto/lthash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "crypto/sha256.h"

namespace depin::crypto {
namespace {

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

using Entry = std::pair<Bytes, Bytes>;

std::vector<Entry> RandomEntries(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Entry> out;
  for (size_t i = 0; i < n; ++i) {
    Bytes key(1 + rng() % 40), value(rng() % 100);
    for (auto& b : key) b = static_cast<uint8_t>(rng());
    for (auto& b : value) b = static_cast<uint8_t>(rng());
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

TEST(LtHash16, EmptyRootIsSha256OfZeroLanes) {
  LtHash16 h;
  EXPECT_TRUE(h.IsEmpty());
  EXPECT_EQ(h.Root(), Sha256Hash(Bytes(2048, 0)));
  EXPECT_EQ(h.Root().Hex(), "0xe5a00aa9991ac8a5ee3109844d84a55583bd20572ad3ffcd42792f3c36b183ad");
}

// Reference values computed with an independent Python (hashlib) model of the
// construction in lthash.h. A change to the construction must fail here.
TEST(LtHash16, KnownAnswerSingleEntry) {
  LtHash16 h;
  h.Add(B("key"), B("value"));
  EXPECT_EQ(h.lane(0), 45057);
  EXPECT_EQ(h.lane(1), 17104);
  EXPECT_EQ(h.lane(2), 12666);
  EXPECT_EQ(h.lane(3), 54380);
  EXPECT_EQ(h.Root().Hex(), "0xcbf6cd9e93c36691fe3c74c46bfd65a4c5c1c7d223263cdfd1db88314a953664");

  LtHash16 negative;
  negative.Remove(B("key"), B("value"));
  EXPECT_EQ(negative.lane(0), 20479);
  EXPECT_EQ(negative.Root().Hex(),
            "0x60ff46d64f94a485336550f005a7c4f6a9770d05d66d53fc51091b8806b76571");
}

TEST(LtHash16, KnownAnswerSmallSet) {
  Bytes account_key = B("a");
  account_key.insert(account_key.end(), 20, 0x11);
  Bytes account_value(40);
  for (size_t i = 0; i < 40; ++i) account_value[i] = static_cast<uint8_t>(i);
  Bytes module_key = B("m");
  module_key.insert(module_key.end(), 20, 0x22);
  const Bytes suffix = B("deal/7");
  module_key.insert(module_key.end(), suffix.begin(), suffix.end());

  LtHash16 h;
  h.Add(account_key, account_value);
  h.Add(module_key, B("hello"));
  h.Add(B("k"), Bytes());
  EXPECT_EQ(h.lane(0), 11687);
  EXPECT_EQ(h.lane(1023), 21402);
  EXPECT_EQ(h.Root().Hex(), "0xa874ecfa621ba5499acea03817a98b4134564f3d819d3400d3c2c58bf9b178bf");
}

TEST(LtHash16, ExpansionIsCounterModeSha256) {
  uint8_t expanded[LtHash16::kSerializedSize];
  ExpandEntry(B("ab"), B("cd"), expanded);
  const Hash256 e = Sha256Hash(Bytes{0, 0, 0, 2, 'a', 'b', 'c', 'd'});
  for (uint32_t i = 0; i < 64; ++i) {
    Bytes message(e.begin(), e.end());
    uint8_t counter[4];
    WriteBE32(counter, i);
    message.insert(message.end(), counter, counter + 4);
    const Hash256 block = Sha256Hash(message);
    ASSERT_TRUE(std::equal(block.begin(), block.end(), expanded + 32 * i)) << "block " << i;
  }
}

// Without the key's length, (k, v || x) and (k || v, x) hashed the same
// bytes: two different states with one root.
TEST(LtHash16, EntriesAreLengthSeparated) {
  LtHash16 a, b;
  a.Add(B("ke"), B("yvalue"));
  b.Add(B("key"), B("value"));
  EXPECT_NE(a.Root(), b.Root());
}

TEST(LtHash16, AddThenRemoveReturnsToEmpty) {
  LtHash16 h;
  const auto entries = RandomEntries(50, 1);
  for (const auto& [k, v] : entries) h.Add(k, v);
  EXPECT_FALSE(h.IsEmpty());
  for (const auto& [k, v] : entries) h.Remove(k, v);
  EXPECT_TRUE(h.IsEmpty());
  EXPECT_EQ(h.Root(), LtHash16().Root());
}

TEST(LtHash16, OrderIndependent) {
  auto entries = RandomEntries(64, 2);
  LtHash16 forward;
  for (const auto& [k, v] : entries) forward.Add(k, v);
  std::mt19937 rng(3);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(entries.begin(), entries.end(), rng);
    LtHash16 shuffled;
    for (const auto& [k, v] : entries) shuffled.Add(k, v);
    EXPECT_EQ(shuffled, forward);
    EXPECT_EQ(shuffled.Root(), forward.Root());
  }
}

TEST(LtHash16, InterleavedAddRemoveCommutes) {
  // remove(x) before add(x) reaches the same lanes as add(x) before remove(x).
  LtHash16 a, b;
  a.Add(B("x"), B("1"));
  a.Remove(B("y"), B("2"));
  b.Remove(B("y"), B("2"));
  b.Add(B("x"), B("1"));
  EXPECT_EQ(a, b);
}

TEST(LtHash16, CombineIsMultisetUnion) {
  LtHash16 a, b;
  a.Add(B("a"), B("1"));
  b.Add(B("b"), B("2"));
  LtHash16 ab = a;
  ab.Add(b);
  LtHash16 ba = b;
  ba.Add(a);
  EXPECT_EQ(ab, ba);
  LtHash16 direct;
  direct.Add(B("b"), B("2"));
  direct.Add(B("a"), B("1"));
  EXPECT_EQ(ab, direct);
  ab.Subtract(b);
  EXPECT_EQ(ab, a);
}

TEST(LtHash16, MultisetCountsDuplicates) {
  LtHash16 once, twice;
  once.Add(B("k"), B("v"));
  twice.Add(B("k"), B("v"));
  twice.Add(B("k"), B("v"));
  EXPECT_NE(once, twice);
  twice.Remove(B("k"), B("v"));
  EXPECT_EQ(once, twice);
}

TEST(LtHash16, DistinctEntriesDiffer) {
  LtHash16 a, b, c;
  a.Add(B("k"), B("v1"));
  b.Add(B("k"), B("v2"));
  c.Add(B("k2"), B("v1"));
  EXPECT_NE(a.Root(), b.Root());
  EXPECT_NE(a.Root(), c.Root());
}

TEST(LtHash16, LanesWrapModulo65536) {
  // Removing from empty wraps every lane below zero; adding back restores it.
  LtHash16 h;
  h.Remove(B("k"), B("v"));
  LtHash16 positive;
  positive.Add(B("k"), B("v"));
  for (size_t j = 0; j < LtHash16::kLanes; ++j) {
    EXPECT_EQ(static_cast<uint16_t>(h.lane(j) + positive.lane(j)), 0);
  }
}

TEST(LtHash16, SerializeRoundTrip) {
  LtHash16 h;
  for (const auto& [k, v] : RandomEntries(10, 4)) h.Add(k, v);
  const Bytes bytes = h.Serialize();
  ASSERT_EQ(bytes.size(), LtHash16::kSerializedSize);
  EXPECT_EQ(bytes[0], static_cast<uint8_t>(h.lane(0)));
  EXPECT_EQ(bytes[1], static_cast<uint8_t>(h.lane(0) >> 8));
  EXPECT_EQ(Sha256Hash(bytes), h.Root());
  auto back = LtHash16::Deserialize(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
}

TEST(LtHash16, DeserializeRejectsWrongSize) {
  for (size_t size : {size_t{0}, size_t{1}, size_t{2047}, size_t{2049}, size_t{4096}}) {
    auto r = LtHash16::Deserialize(Bytes(size, 0));
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.status().code(), "lthash-bad-size");
  }
}

TEST(LtHash16, SameAnswerOnEverySha256Implementation) {
  const auto entries = RandomEntries(20, 5);
  LtHash16 reference;
  ASSERT_TRUE(Sha256ForceImpl(Sha256Impl::kPortable));
  for (const auto& [k, v] : entries) reference.Add(k, v);
  for (Sha256Impl impl : {Sha256Impl::kShaNi, Sha256Impl::kAvx2}) {
    if (!Sha256ForceImpl(impl)) continue;
    LtHash16 h;
    for (const auto& [k, v] : entries) h.Add(k, v);
    EXPECT_EQ(h, reference) << static_cast<int>(impl);
  }
  Sha256ResetImpl();
}

}  // namespace
}  // namespace depin::crypto

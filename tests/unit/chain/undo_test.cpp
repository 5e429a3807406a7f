#include "chain/undo.h"

#include <gtest/gtest.h>

namespace depin::chain {
namespace {

BlockUndo Sample() {
  BlockUndo undo;
  undo.diff = {
      {Bytes{'a', 1}, std::nullopt, Bytes{1, 2}},
      {Bytes{'a', 2}, Bytes{3}, Bytes{4, 5, 6}},
      {Bytes{'m', 0}, Bytes{}, std::nullopt},
      {Bytes{'m', 1}, std::nullopt, Bytes{}},
  };
  return undo;
}

TEST(BlockUndo, RoundTrip) {
  const BlockUndo undo = Sample();
  auto back = DecodeBlockUndo(EncodeBlockUndo(undo));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, undo);
}

TEST(BlockUndo, EmptyRoundTrip) {
  const Bytes enc = EncodeBlockUndo(BlockUndo{});
  EXPECT_EQ(enc, (Bytes{kUndoVersion, 0, 0, 0, 0}));
  auto back = DecodeBlockUndo(enc);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->diff.empty());
}

TEST(BlockUndo, ExactLayout) {
  BlockUndo undo;
  undo.diff = {{Bytes{'k'}, Bytes{0xaa}, std::nullopt}};
  EXPECT_EQ(EncodeBlockUndo(undo), (Bytes{1, 1, 0, 0, 0, 1, 0, 0, 0, 'k', 1, 1, 0, 0, 0, 0xaa}));
}

void ExpectBad(const Bytes& data, const char* why) {
  auto r = DecodeBlockUndo(data);
  ASSERT_FALSE(r.ok()) << why;
  EXPECT_EQ(r.status().code(), "undo-bad-encoding") << why;
}

TEST(BlockUndo, RejectsEveryTruncation) {
  const Bytes enc = EncodeBlockUndo(Sample());
  for (size_t len = 0; len < enc.size(); ++len) {
    ExpectBad(Bytes(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(len)), "truncated");
  }
}

TEST(BlockUndo, RejectsTrailingBytes) {
  Bytes enc = EncodeBlockUndo(Sample());
  enc.push_back(0);
  ExpectBad(enc, "trailing");
}

TEST(BlockUndo, RejectsUnknownVersion) {
  Bytes enc = EncodeBlockUndo(Sample());
  enc[0] = 2;
  ExpectBad(enc, "version");
}

TEST(BlockUndo, RejectsOversizedCountAndLengths) {
  ExpectBad(Bytes{1, 0xff, 0xff, 0xff, 0xff}, "huge count");
  // One change whose key length claims 4 GiB.
  ExpectBad(Bytes{1, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 'k', 1, 0, 0, 0, 0}, "huge key");
  // Key above kMaxUndoKeySize, even if the bytes were there.
  Bytes big{1, 1, 0, 0, 0};
  uint8_t len[4];
  WriteLE32(len, kMaxUndoKeySize + 1);
  big.insert(big.end(), len, len + 4);
  big.insert(big.end(), kMaxUndoKeySize + 1, 'k');
  big.insert(big.end(), {1, 0, 0, 0, 0});
  ExpectBad(big, "key over limit");
  // Value length beyond the record.
  ExpectBad(Bytes{1, 1, 0, 0, 0, 1, 0, 0, 0, 'k', 1, 0xff, 0xff, 0xff, 0x7f}, "huge value");
}

TEST(BlockUndo, RejectsBadFlags) {
  ExpectBad(Bytes{1, 1, 0, 0, 0, 1, 0, 0, 0, 'k', 0, 0, 0, 0, 0}, "neither value");
  ExpectBad(Bytes{1, 1, 0, 0, 0, 1, 0, 0, 0, 'k', 5, 0, 0, 0, 0}, "unknown flag");
}

TEST(BlockUndo, RejectsUnsortedOrDuplicateKeys) {
  BlockUndo unsorted;
  unsorted.diff = {{Bytes{'b'}, Bytes{1}, std::nullopt}, {Bytes{'a'}, Bytes{1}, std::nullopt}};
  ExpectBad(EncodeBlockUndo(unsorted), "unsorted");
  BlockUndo dup;
  dup.diff = {{Bytes{'a'}, Bytes{1}, std::nullopt}, {Bytes{'a'}, std::nullopt, Bytes{2}}};
  ExpectBad(EncodeBlockUndo(dup), "duplicate");
}

TEST(BlockUndo, InvertedDiffIsWhatDisconnectApplies) {
  const BlockUndo undo = Sample();
  const consensus::StateDiff inverse = consensus::InvertDiff(undo.diff);
  ASSERT_EQ(inverse.size(), undo.diff.size());
  EXPECT_EQ(inverse[0].after, std::nullopt);  // created key is deleted again
  EXPECT_EQ(inverse[1].after, (Bytes{3}));
  EXPECT_EQ(inverse[2].after, Bytes{});  // deleted key comes back
}

}  // namespace
}  // namespace depin::chain

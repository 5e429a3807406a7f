// Damage to block files: every flipped byte of a record is reported as
// "blockstore-corrupt" (never a crash, never a wrong block), and damage to
// one record leaves the others readable.
#include <gtest/gtest.h>

#include <random>

#include "chain/block_store.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using testing::FileSize;
using testing::FlipByte;
using testing::kTestMagic;
using testing::MakeBlock;
using testing::StoreOptions;
using testing::TempDir;

struct Written {
  std::unique_ptr<BlockStore> store;
  std::vector<Block> blocks;
  std::vector<FlatFilePos> positions;
};

Written WriteBlocks(const BlockStoreOptions& o, int count, const ChainDb* db = nullptr) {
  Written w;
  w.store = std::move(BlockStore::Open(o, db)).value();
  for (int i = 0; i < count; ++i) {
    w.blocks.push_back(MakeBlock(static_cast<uint64_t>(i), 1));
    w.positions.push_back(*w.store->WriteBlock(w.blocks.back()));
  }
  return w;
}

TEST(BlockStoreCorruption, EveryFlippedByteOfARecordIsDetected) {
  TempDir dir;
  Written w = WriteBlocks(StoreOptions(dir), 3);
  const FlatFilePos target = w.positions[1];
  const auto path = w.store->FilePath(0);
  const uint64_t record_size = kBlockRecordOverhead + target.size;
  for (uint64_t i = 0; i < record_size; ++i) {
    FlipByte(path, target.offset + i, 0x01);
    auto block = w.store->ReadBlock(target);
    ASSERT_FALSE(block.ok()) << "byte " << i;
    ASSERT_EQ(block.status().code(), "blockstore-corrupt") << "byte " << i;
    // Neighbours are untouched.
    ASSERT_TRUE(w.store->ReadBlock(w.positions[0]).ok());
    ASSERT_TRUE(w.store->ReadBlock(w.positions[2]).ok());
    FlipByte(path, target.offset + i, 0x01);  // repair
  }
  EXPECT_EQ(w.store->ReadBlock(target)->Hash(), w.blocks[1].Hash());
}

TEST(BlockStoreCorruption, RandomGarbageOverFileNeverCrashes) {
  TempDir dir;
  Written w = WriteBlocks(StoreOptions(dir), 8);
  const auto path = w.store->FilePath(0);
  const uint64_t size = FileSize(path);
  std::mt19937 rng(99);
  for (int round = 0; round < 200; ++round) {
    const uint64_t off = rng() % size;
    const uint8_t mask = static_cast<uint8_t>(1 + rng() % 255);
    FlipByte(path, off, mask);
    for (size_t i = 0; i < w.positions.size(); ++i) {
      auto block = w.store->ReadBlock(w.positions[i]);
      const FlatFilePos& p = w.positions[i];
      const bool inside = off >= p.offset && off < p.offset + kBlockRecordOverhead + p.size;
      if (inside) {
        ASSERT_FALSE(block.ok());
        EXPECT_EQ(block.status().code(), "blockstore-corrupt");
      } else {
        ASSERT_TRUE(block.ok());
        EXPECT_EQ(block->Hash(), w.blocks[i].Hash());
      }
    }
    FlipByte(path, off, mask);
  }
}

TEST(BlockStoreCorruption, DamagedCommittedRecordSurvivesReopen) {
  // With the file info committed, Open does not rescan committed data: a bit
  // flip inside it neither truncates the file nor hides later blocks.
  TempDir dir;
  ChainDbOptions dbo;
  dbo.path = dir.path() / "chainstate";
  auto db = ChainDb::Open(dbo);
  ASSERT_TRUE(db.ok());
  std::vector<FlatFilePos> positions;
  uint64_t size = 0;
  {
    Written w = WriteBlocks(StoreOptions(dir), 4, db->get());
    WriteBatch batch;
    w.store->WriteFileInfo(batch);
    ASSERT_TRUE((*db)->Write(batch, true).ok());
    positions = w.positions;
    size = w.store->SizeOnDisk();
    FlipByte(w.store->FilePath(0), positions[1].offset + 20);
  }
  auto store = BlockStore::Open(StoreOptions(dir), db->get());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->SizeOnDisk(), size);
  EXPECT_EQ((*store)->ReadBlock(positions[1]).status().code(), "blockstore-corrupt");
  EXPECT_TRUE((*store)->ReadBlock(positions[3]).ok());
}

TEST(BlockStoreCorruption, DamagedRecordMidFileIsKeptByFullScan) {
  // Without file info the whole file is scanned; a bad checksum followed by
  // good records is damage, not a torn append, so nothing is cut.
  TempDir dir;
  std::vector<FlatFilePos> positions;
  uint64_t size = 0;
  {
    Written w = WriteBlocks(StoreOptions(dir), 4);
    positions = w.positions;
    size = w.store->SizeOnDisk();
    FlipByte(w.store->FilePath(0), positions[1].offset + kBlockRecordHeaderSize + 3);
  }
  auto store = BlockStore::Open(StoreOptions(dir), nullptr);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->recovered_truncated_bytes(), 0u);
  EXPECT_EQ((*store)->SizeOnDisk(), size);
  EXPECT_EQ((*store)->file_info(0).blocks, 3u);  // the damaged record is not counted
  EXPECT_EQ((*store)->ReadBlock(positions[1]).status().code(), "blockstore-corrupt");
  EXPECT_TRUE((*store)->ReadBlock(positions[2]).ok());
  EXPECT_TRUE((*store)->ReadBlock(positions[3]).ok());
}

TEST(BlockStoreCorruption, MalformedFileInfoInDatabaseFailsOpen) {
  TempDir dir;
  ChainDbOptions dbo;
  dbo.path = dir.path() / "chainstate";
  auto db = ChainDb::Open(dbo);
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  batch.Put(BlockFileInfoKey(0), Bytes(5, 0));
  ASSERT_TRUE((*db)->Write(batch, true).ok());
  auto store = BlockStore::Open(StoreOptions(dir), db->get());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "blockstore-bad-file-info");

  WriteBatch fix;
  fix.Delete(BlockFileInfoKey(0));
  fix.Put(MakeKey(dbkey::kLastBlockFile), Bytes{1, 2});
  ASSERT_TRUE((*db)->Write(fix, true).ok());
  store = BlockStore::Open(StoreOptions(dir), db->get());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "blockstore-bad-file-info");
}

}  // namespace
}  // namespace depin::chain

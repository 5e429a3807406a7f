// Recovery from a crash mid-append: a torn record (any prefix of it) or
// garbage after the last record is cut on Open; earlier blocks stay readable
// and new appends follow the last good record.
#include <gtest/gtest.h>

#include "chain/block_store.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using testing::AppendBytes;
using testing::FileSize;
using testing::kTestMagic;
using testing::MakeBlock;
using testing::StoreDbOptions;
using testing::StoreOptions;
using testing::TempDir;

// Writes two committed blocks (file info in the db when `db` is set), then a
// third whose record is cut to `keep` bytes as a crash mid-append leaves it.
struct TornTail {
  std::vector<FlatFilePos> committed;
  uint64_t good_end = 0;
};

TornTail WriteWithTornTail(const TempDir& dir, ChainDb* db, uint64_t keep) {
  TornTail t;
  auto store = std::move(BlockStore::Open(StoreOptions(dir), db)).value();
  t.committed.push_back(*store->WriteBlock(MakeBlock(0, 1)));
  t.committed.push_back(*store->WriteBlock(MakeBlock(1, 2)));
  if (db != nullptr) {
    WriteBatch batch;
    store->WriteFileInfo(batch);
    EXPECT_TRUE(db->Write(batch, true).ok());
  }
  t.good_end = store->SizeOnDisk();
  const FlatFilePos torn = *store->WriteBlock(MakeBlock(2, 1));
  std::filesystem::resize_file(store->FilePath(0), torn.offset + keep);
  return t;
}

void CheckRecovered(const TempDir& dir, ChainDb* db, const TornTail& t, uint64_t keep) {
  auto store = BlockStore::Open(StoreOptions(dir), db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->recovered_truncated_bytes(), keep);
  EXPECT_EQ(FileSize((*store)->FilePath(0)), t.good_end);
  EXPECT_EQ((*store)->SizeOnDisk(), t.good_end);
  EXPECT_EQ((*store)->ReadBlock(t.committed[0])->header.height, 0u);
  EXPECT_EQ((*store)->ReadBlock(t.committed[1])->header.height, 1u);
  auto next = (*store)->WriteBlock(MakeBlock(7, 1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->offset, t.good_end);
  EXPECT_EQ((*store)->ReadBlock(*next)->header.height, 7u);
  EXPECT_EQ((*store)->file_info(0).blocks, 3u);
}

TEST(BlockStoreRecovery, EveryTornTailIsCutWithoutIndex) {
  const uint64_t record_size = kBlockRecordOverhead + MakeBlock(2, 1).SerializedSize();
  // Every prefix length of the torn record: header only, mid-payload, all
  // but the checksum...
  for (uint64_t keep = 1; keep < record_size;
       keep += (keep < 16 || keep > record_size - 8) ? 1 : 23) {
    SCOPED_TRACE(keep);
    TempDir dir;
    const TornTail t = WriteWithTornTail(dir, nullptr, keep);
    CheckRecovered(dir, nullptr, t, keep);
  }
}

TEST(BlockStoreRecovery, TornTailIsCutWithCommittedFileInfo) {
  const uint64_t record_size = kBlockRecordOverhead + MakeBlock(2, 1).SerializedSize();
  for (uint64_t keep : {uint64_t{1}, uint64_t{8}, uint64_t{100}, record_size - 1}) {
    SCOPED_TRACE(keep);
    TempDir dir;
    auto db = std::move(ChainDb::Open(StoreDbOptions(dir))).value();
    const TornTail t = WriteWithTornTail(dir, db.get(), keep);
    CheckRecovered(dir, db.get(), t, keep);
  }
}

TEST(BlockStoreRecovery, GarbageAfterLastRecordIsCut) {
  for (const Bytes& garbage :
       {Bytes(1, 0), Bytes(4096, 0), Bytes{0xf9, 0xbe, 0xb4, 0xd9, 0xff, 0xff, 0xff, 0xff},
        Bytes(37, 0xa5)}) {
    TempDir dir;
    std::vector<FlatFilePos> positions;
    uint64_t end = 0;
    {
      auto store = std::move(BlockStore::Open(StoreOptions(dir), nullptr)).value();
      positions.push_back(*store->WriteBlock(MakeBlock(0)));
      positions.push_back(*store->WriteBlock(MakeBlock(1)));
      end = store->SizeOnDisk();
      AppendBytes(store->FilePath(0), garbage);
    }
    auto store = BlockStore::Open(StoreOptions(dir), nullptr);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ((*store)->recovered_truncated_bytes(), garbage.size());
    EXPECT_EQ(FileSize((*store)->FilePath(0)), end);
    EXPECT_TRUE((*store)->ReadBlock(positions[1]).ok());
    auto next = (*store)->WriteBlock(MakeBlock(2));
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->offset, end);
  }
}

TEST(BlockStoreRecovery, CompleteUncommittedRecordIsKept) {
  // A crash after WriteBlock but before the index batch leaves a complete
  // record the index does not know: it is kept (harmless) and counted.
  TempDir dir;
  auto db = std::move(ChainDb::Open(StoreDbOptions(dir))).value();
  FlatFilePos orphan;
  uint64_t end = 0;
  {
    auto store = std::move(BlockStore::Open(StoreOptions(dir), db.get())).value();
    ASSERT_TRUE(store->WriteBlock(MakeBlock(0)).ok());
    WriteBatch batch;
    store->WriteFileInfo(batch);
    ASSERT_TRUE(db->Write(batch, true).ok());
    orphan = *store->WriteBlock(MakeBlock(1));
    end = store->SizeOnDisk();
  }
  auto store = BlockStore::Open(StoreOptions(dir), db.get());
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->recovered_truncated_bytes(), 0u);
  EXPECT_EQ((*store)->SizeOnDisk(), end);
  EXPECT_EQ((*store)->file_info(0).blocks, 2u);
  EXPECT_TRUE((*store)->ReadBlock(orphan).ok());
  // The recovered info is written with the next index batch.
  WriteBatch batch;
  (*store)->WriteFileInfo(batch);
  ASSERT_TRUE(db->Write(batch, true).ok());
  EXPECT_EQ(DecodeBlockFileInfo(**db->Get(BlockFileInfoKey(0)))->blocks, 2u);
}

TEST(BlockStoreRecovery, TornTailAfterRollOverIsCut) {
  TempDir dir;
  BlockStoreOptions o = StoreOptions(dir);
  o.max_file_size = 600;  // two header-only blocks per file
  FlatFilePos last_good;
  {
    auto store = std::move(BlockStore::Open(o, nullptr)).value();
    for (uint64_t h = 0; h < 3; ++h) last_good = *store->WriteBlock(MakeBlock(h));
    ASSERT_EQ(last_good.file, 1u);
    const FlatFilePos torn = *store->WriteBlock(MakeBlock(3));
    ASSERT_EQ(torn.file, 1u);
    std::filesystem::resize_file(store->FilePath(1), torn.offset + 10);
  }
  auto store = BlockStore::Open(o, nullptr);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->current_file(), 1u);
  EXPECT_EQ((*store)->recovered_truncated_bytes(), 10u);
  EXPECT_TRUE((*store)->ReadBlock(last_good).ok());
  auto next = (*store)->WriteBlock(MakeBlock(4));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->file, 1u);
  EXPECT_EQ(next->offset, last_good.offset + kBlockRecordOverhead + last_good.size);
}

TEST(BlockStoreRecovery, EmptyNewestFileIsReused) {
  TempDir dir;
  {
    auto store = std::move(BlockStore::Open(StoreOptions(dir), nullptr)).value();
    ASSERT_TRUE(store->WriteBlock(MakeBlock(0)).ok());
    std::FILE* f = std::fopen(store->FilePath(1).c_str(), "wb");  // created, crash before write
    std::fclose(f);
  }
  auto store = BlockStore::Open(StoreOptions(dir), nullptr);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->current_file(), 1u);
  auto next = (*store)->WriteBlock(MakeBlock(1));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->file, 1u);
  EXPECT_EQ(next->offset, 0u);
}

TEST(BlockStoreRecovery, CommittedDataMissingFailsOpen) {
  // The index may refer to anything inside the committed size: a file cut
  // below it (or deleted) is lost data, reported instead of papered over.
  TempDir dir;
  auto db = std::move(ChainDb::Open(StoreDbOptions(dir))).value();
  std::filesystem::path path;
  uint64_t size = 0;
  {
    auto store = std::move(BlockStore::Open(StoreOptions(dir), db.get())).value();
    ASSERT_TRUE(store->WriteBlock(MakeBlock(0)).ok());
    ASSERT_TRUE(store->WriteBlock(MakeBlock(1)).ok());
    WriteBatch batch;
    store->WriteFileInfo(batch);
    ASSERT_TRUE(db->Write(batch, true).ok());
    path = store->FilePath(0);
    size = store->SizeOnDisk();
  }
  std::filesystem::resize_file(path, size - 1);
  auto store = BlockStore::Open(StoreOptions(dir), db.get());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "blockstore-missing");
  std::filesystem::remove(path);
  store = BlockStore::Open(StoreOptions(dir), db.get());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "blockstore-missing");
}

TEST(BlockStoreRecovery, UnrelatedFilesInDirectoryAreIgnored) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "blocks");
  for (const char* name : {"blk.dat", "blkabcde.dat", "rev00000.dat", "blk00000.tmp", "notes"}) {
    std::FILE* f = std::fopen((dir.path() / "blocks" / name).c_str(), "wb");
    std::fputs("junk", f);
    std::fclose(f);
  }
  auto store = BlockStore::Open(StoreOptions(dir), nullptr);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->SizeOnDisk(), 0u);
  auto pos = (*store)->WriteBlock(MakeBlock(0));
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(pos->file, 0u);
}

}  // namespace
}  // namespace depin::chain

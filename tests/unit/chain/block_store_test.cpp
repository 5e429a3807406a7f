#include "chain/block_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crypto/sha256.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using testing::FileSize;
using testing::kTestMagic;
using testing::MakeBlock;
using testing::StoreOptions;
using testing::TempDir;

std::unique_ptr<BlockStore> OpenStore(const BlockStoreOptions& o, const ChainDb* db = nullptr) {
  auto store = BlockStore::Open(o, db);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

TEST(BlockStore, WriteThenReadBlock) {
  TempDir dir;
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  const Block block = MakeBlock(1, 3);
  auto pos = store->WriteBlock(block);
  ASSERT_TRUE(pos.ok()) << pos.status().ToString();
  EXPECT_EQ(pos->file, 0u);
  EXPECT_EQ(pos->offset, 0u);
  EXPECT_EQ(pos->size, block.SerializedSize());
  auto back = store->ReadBlock(*pos);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Hash(), block.Hash());
  EXPECT_EQ(back->Serialize(), block.Serialize());
  ASSERT_EQ(back->txs.size(), 3u);
  EXPECT_EQ(back->txs[2]->hash, block.txs[2]->hash);
  auto raw = store->ReadRaw(*pos);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, block.Serialize());
}

TEST(BlockStore, RecordLayoutOnDisk) {
  TempDir dir;
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  const Block block = MakeBlock(5);
  auto pos = store->WriteBlock(block);
  ASSERT_TRUE(pos.ok());
  const Bytes payload = block.Serialize();
  std::FILE* f = std::fopen(store->FilePath(0).c_str(), "rb");
  ASSERT_NE(f, nullptr);
  Bytes file(payload.size() + kBlockRecordOverhead);
  ASSERT_EQ(std::fread(file.data(), 1, file.size(), f), file.size());
  EXPECT_EQ(std::fgetc(f), EOF);
  std::fclose(f);
  EXPECT_EQ(ReadLE32(file.data()), kTestMagic);
  EXPECT_EQ(ReadLE32(file.data() + 4), payload.size());
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), file.begin() + 8));
  const Hash256 digest = crypto::Sha256Hash(payload);
  EXPECT_TRUE(std::equal(digest.begin(), digest.begin() + 4, file.end() - 4));
}

TEST(BlockStore, AppendsSequentiallyAndTracksSize) {
  TempDir dir;
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->SizeOnDisk(), 0u);
  std::vector<FlatFilePos> positions;
  uint64_t expect_offset = 0;
  for (uint64_t h = 0; h < 10; ++h) {
    const Block block = MakeBlock(h, static_cast<int>(h % 3));
    auto pos = store->WriteBlock(block);
    ASSERT_TRUE(pos.ok());
    EXPECT_EQ(pos->offset, expect_offset);
    expect_offset += kBlockRecordOverhead + block.SerializedSize();
    positions.push_back(*pos);
  }
  EXPECT_EQ(store->SizeOnDisk(), expect_offset);
  EXPECT_EQ(FileSize(store->FilePath(0)), expect_offset);
  const BlockFileInfo info = store->file_info(0);
  EXPECT_EQ(info.blocks, 10u);
  EXPECT_EQ(info.size, expect_offset);
  EXPECT_EQ(info.height_first, 0u);
  EXPECT_EQ(info.height_last, 9u);
  for (uint64_t h = 0; h < 10; ++h) {
    auto block = store->ReadBlock(positions[h]);
    ASSERT_TRUE(block.ok());
    EXPECT_EQ(block->header.height, h);
  }
}

TEST(BlockStore, RollsOverToNewFile) {
  TempDir dir;
  BlockStoreOptions o = StoreOptions(dir);
  o.max_file_size = 1500;  // a few header-only blocks (272 bytes each) per file
  auto store = OpenStore(o);
  ASSERT_TRUE(store);
  std::vector<FlatFilePos> positions;
  for (uint64_t h = 0; h < 12; ++h) {
    auto pos = store->WriteBlock(MakeBlock(h));
    ASSERT_TRUE(pos.ok());
    positions.push_back(*pos);
  }
  // 5 records of 272 bytes fit in 1500 bytes.
  EXPECT_EQ(positions[4].file, 0u);
  EXPECT_EQ(positions[5].file, 1u);
  EXPECT_EQ(positions[5].offset, 0u);
  EXPECT_EQ(positions[11].file, 2u);
  EXPECT_EQ(store->current_file(), 2u);
  EXPECT_TRUE(std::filesystem::exists(store->FilePath(2)));
  uint64_t total = 0;
  for (uint32_t f = 0; f <= 2; ++f) {
    EXPECT_LE(FileSize(store->FilePath(f)), o.max_file_size);
    total += FileSize(store->FilePath(f));
  }
  EXPECT_EQ(store->SizeOnDisk(), total);
  EXPECT_EQ(store->file_info(1).height_first, 5u);
  EXPECT_EQ(store->file_info(1).height_last, 9u);
  for (uint64_t h = 0; h < 12; ++h) EXPECT_EQ(store->ReadBlock(positions[h])->header.height, h);
}

TEST(BlockStore, BlockLargerThanFileSizeGetsItsOwnFile) {
  TempDir dir;
  BlockStoreOptions o = StoreOptions(dir);
  o.max_file_size = 600;
  auto store = OpenStore(o);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->WriteBlock(MakeBlock(0)).ok());
  auto big = store->WriteBlock(MakeBlock(1, 4));  // > 600 bytes
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->file, 1u);
  EXPECT_EQ(big->offset, 0u);
  auto next = store->WriteBlock(MakeBlock(2));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->file, 2u);
  EXPECT_TRUE(store->ReadBlock(*big).ok());
}

TEST(BlockStore, ReopenContinuesAfterLastRecord) {
  TempDir dir;
  FlatFilePos first;
  {
    auto store = OpenStore(StoreOptions(dir));
    ASSERT_TRUE(store);
    first = *store->WriteBlock(MakeBlock(0, 1));
  }
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->recovered_truncated_bytes(), 0u);
  EXPECT_EQ(store->SizeOnDisk(), kBlockRecordOverhead + first.size);
  auto second = store->WriteBlock(MakeBlock(1));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->offset, kBlockRecordOverhead + first.size);
  EXPECT_TRUE(store->ReadBlock(first).ok());
  EXPECT_TRUE(store->ReadBlock(*second).ok());
}

TEST(BlockStore, FileInfoPersistsThroughChainDb) {
  TempDir dir;
  ChainDbOptions dbo;
  dbo.path = dir.path() / "chainstate";
  BlockStoreOptions o = StoreOptions(dir);
  o.max_file_size = 1500;
  {
    auto db = ChainDb::Open(dbo);
    ASSERT_TRUE(db.ok());
    auto store = OpenStore(o, db->get());
    ASSERT_TRUE(store);
    for (uint64_t h = 0; h < 7; ++h) ASSERT_TRUE(store->WriteBlock(MakeBlock(h)).ok());
    WriteBatch batch;
    store->WriteFileInfo(batch);
    ASSERT_TRUE((*db)->Write(batch, true).ok());
    // Infos already written are not repeated.
    WriteBatch again;
    store->WriteFileInfo(again);
    EXPECT_LT(again.ApproximateSize(), batch.ApproximateSize());
  }
  auto db = ChainDb::Open(dbo);
  ASSERT_TRUE(db.ok());
  auto info0 = (*db)->Get(BlockFileInfoKey(0));
  ASSERT_TRUE(info0.ok() && info0->has_value());
  EXPECT_EQ(DecodeBlockFileInfo(**info0)->blocks, 5u);
  auto last = (*db)->Get(MakeKey(dbkey::kLastBlockFile));
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ(ReadLE32((*last)->data()), 1u);
  auto store = OpenStore(o, db->get());
  ASSERT_TRUE(store);
  EXPECT_EQ(store->current_file(), 1u);
  EXPECT_EQ(store->file_info(0).blocks, 5u);
  EXPECT_EQ(store->file_info(1).blocks, 2u);
  EXPECT_EQ(store->file_info(1).height_last, 6u);
}

TEST(BlockStore, WriteRawBlockMatchesWriteBlock) {
  TempDir dir;
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  const Block block = MakeBlock(3, 2);
  auto pos = store->WriteRawBlock(block.Serialize());
  ASSERT_TRUE(pos.ok());
  EXPECT_EQ(store->ReadBlock(*pos)->Hash(), block.Hash());
  EXPECT_EQ(store->file_info(0).height_last, 3u);
}

TEST(BlockStore, RejectsBadWrites) {
  TempDir dir;
  BlockStoreOptions o = StoreOptions(dir);
  o.max_block_size = 300;
  auto store = OpenStore(o);
  ASSERT_TRUE(store);
  auto short_raw = store->WriteRawBlock(Bytes(100, 0));
  ASSERT_FALSE(short_raw.ok());
  EXPECT_EQ(short_raw.status().code(), "blockstore-bad-block");
  auto big = store->WriteBlock(MakeBlock(1, 2));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), "blockstore-too-large");
  // Rejections leave the store usable and the file untouched.
  EXPECT_EQ(store->SizeOnDisk(), 0u);
  EXPECT_TRUE(store->WriteBlock(MakeBlock(1)).ok());
}

TEST(BlockStore, RejectsTinyMaxFileSize) {
  TempDir dir;
  BlockStoreOptions o = StoreOptions(dir);
  o.max_file_size = 100;
  auto store = BlockStore::Open(o, nullptr);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "blockstore-bad-options");
}

TEST(BlockStore, ReadErrorsForBadPositions) {
  TempDir dir;
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  const FlatFilePos pos = *store->WriteBlock(MakeBlock(0, 1));
  auto code = [&](const FlatFilePos& p) { return store->ReadRaw(p).status().code(); };
  EXPECT_EQ(code(FlatFilePos{}), "blockstore-missing");
  EXPECT_EQ(code(FlatFilePos{7, 0, pos.size}), "blockstore-missing");  // no such file
  EXPECT_EQ(code(FlatFilePos{0, pos.offset + 1000, pos.size}), "blockstore-missing");
  EXPECT_EQ(code(FlatFilePos{0, pos.offset, pos.size + 1}), "blockstore-missing");
  EXPECT_EQ(code(FlatFilePos{0, pos.offset, pos.size - 1}), "blockstore-corrupt");
  EXPECT_EQ(code(FlatFilePos{0, pos.offset + 1, pos.size - 1}), "blockstore-corrupt");
  EXPECT_EQ(code(FlatFilePos{0, pos.offset, 2u << 20}), "blockstore-corrupt");
  EXPECT_EQ(store->ReadBlock(FlatFilePos{7, 0, pos.size}).status().code(), "blockstore-missing");
}

TEST(BlockStore, RecordsOfAnotherNetworkAreNotRecovered) {
  TempDir dir;
  FlatFilePos pos;
  {
    auto store = OpenStore(StoreOptions(dir));
    ASSERT_TRUE(store);
    pos = *store->WriteBlock(MakeBlock(0));
  }
  BlockStoreOptions other = StoreOptions(dir);
  other.magic = 0x12345678;
  // Without committed infos the scan stops at the foreign record and cuts it.
  auto store = OpenStore(other);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->ReadRaw(pos).status().code(), "blockstore-missing");
}

TEST(BlockStore, UndecodablePayloadIsCorrupt) {
  TempDir dir;
  auto store = OpenStore(StoreOptions(dir));
  ASSERT_TRUE(store);
  Bytes payload = MakeBlock(9).Serialize();
  payload.push_back(0x42);  // trailing byte: DecodeBlock refuses it
  auto pos = store->WriteRawBlock(payload);
  ASSERT_TRUE(pos.ok());
  EXPECT_TRUE(store->ReadRaw(*pos).ok());
  auto block = store->ReadBlock(*pos);
  ASSERT_FALSE(block.ok());
  EXPECT_EQ(block.status().code(), "blockstore-corrupt");
  EXPECT_NE(block.status().message().find("block-trailing-bytes"), std::string::npos);
}

TEST(BlockStore, ConcurrentReadersWithOneWriter) {
  TempDir dir;
  BlockStoreOptions o = StoreOptions(dir);
  o.max_file_size = 4000;  // roll over while readers read
  auto store = OpenStore(o);
  ASSERT_TRUE(store);
  std::vector<FlatFilePos> positions;
  for (uint64_t h = 0; h < 20; ++h) positions.push_back(*store->WriteBlock(MakeBlock(h)));
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      size_t i = static_cast<size_t>(t);
      while (!done.load()) {
        auto block = store->ReadBlock(positions[i % positions.size()]);
        if (!block.ok() || block->header.height != i % positions.size()) ++errors;
        i += 7;
      }
    });
  }
  std::vector<FlatFilePos> later;
  for (uint64_t h = 20; h < 120; ++h) {
    auto pos = store->WriteBlock(MakeBlock(h));
    ASSERT_TRUE(pos.ok());
    later.push_back(*pos);
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(errors.load(), 0);
  for (size_t i = 0; i < later.size(); ++i) {
    EXPECT_EQ(store->ReadBlock(later[i])->header.height, 20 + i);
  }
}

TEST(BlockFileInfo, RoundTripAndStrictSize) {
  const BlockFileInfo info{3, 1000, 10, 12};
  auto back = DecodeBlockFileInfo(EncodeBlockFileInfo(info));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, info);
  for (size_t n : {size_t{0}, size_t{27}, size_t{29}}) {
    auto bad = DecodeBlockFileInfo(Bytes(n, 0));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), "blockstore-bad-file-info");
  }
  // Keys sort in file order.
  EXPECT_LT(BlockFileInfoKey(9), BlockFileInfoKey(10));
  EXPECT_LT(BlockFileInfoKey(255), BlockFileInfoKey(256));
}

}  // namespace
}  // namespace depin::chain

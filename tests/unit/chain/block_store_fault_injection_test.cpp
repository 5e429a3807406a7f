// Faults while writing blocks: I/O errors reported by the OS (through the
// fault hook) and process crashes at every step of "append block, then write
// the index batch" (a forked child that _exits mid-sequence). The invariant
// checked after each: every block the index refers to is readable, and the
// store accepts new blocks after a restart.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "chain/block_index.h"
#include "chain/block_store.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using testing::kTestMagic;
using testing::MakeBlock;
using testing::StoreDbOptions;
using testing::StoreOptions;
using testing::TempDir;

// The block's index record and the store's file info in one synced batch,
// as the chainstate writes them after WriteBlock returned.
Status IndexBlock(ChainDb& db, BlockStore& store, const Block& block, const FlatFilePos& pos) {
  BlockIndexRecord rec;
  rec.header = block.header;
  rec.status = kBlockHaveData | kBlockValidHeader;
  rec.pos = pos;
  rec.tx_count = static_cast<uint32_t>(block.txs.size());
  WriteBatch batch;
  batch.Put(MakeKey(dbkey::kBlockIndex, block.Hash().span()), EncodeBlockIndexRecord(rec));
  store.WriteFileInfo(batch);
  return db.Write(batch, /*sync=*/true);
}

// Reads every indexed block back; returns the heights found.
std::set<uint64_t> CheckIndexedBlocksReadable(ChainDb& db, BlockStore& store) {
  std::set<uint64_t> heights;
  auto it = db.NewPrefixIterator(MakeKey(dbkey::kBlockIndex));
  for (; it->Valid(); it->Next()) {
    auto rec = DecodeBlockIndexRecord(it->value());
    EXPECT_TRUE(rec.ok());
    if (!rec.ok()) continue;
    auto block = store.ReadBlock(rec->pos);
    EXPECT_TRUE(block.ok()) << "height " << rec->header.height << ": " << block.status().ToString();
    if (block.ok()) {
      EXPECT_EQ(block->Hash(), rec->header.Hash());
      heights.insert(rec->header.height);
    }
  }
  EXPECT_TRUE(it->status().ok());
  return heights;
}

TEST(BlockStoreFaultInjection, WriteErrorDisablesWritesButKeepsData) {
  for (BlockFileOp failing : {BlockFileOp::kWrite, BlockFileOp::kSync}) {
    SCOPED_TRACE(static_cast<int>(failing));
    TempDir dir;
    bool fail = false;
    BlockStoreOptions o = StoreOptions(dir, 2000);
    o.max_file_size = 1 << 20;
    o.fault_hook = [&](BlockFileOp op, uint32_t) {
      return fail && op == failing ? Status::Error("injected", "EIO") : Status::Ok();
    };
    auto store = std::move(BlockStore::Open(o, nullptr)).value();
    const FlatFilePos a = *store->WriteBlock(MakeBlock(0));
    const FlatFilePos b = *store->WriteBlock(MakeBlock(1));
    const uint64_t size = store->SizeOnDisk();
    fail = true;
    auto c = store->WriteBlock(MakeBlock(2));
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), "blockstore-io-error");
    fail = false;
    // After a failed write or fsync what is on disk is unknown: refuse until
    // a restart has rescanned.
    auto d = store->WriteBlock(MakeBlock(3));
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), "blockstore-io-error");
    EXPECT_EQ(store->SizeOnDisk(), size);
    EXPECT_TRUE(store->ReadBlock(a).ok());
    EXPECT_TRUE(store->ReadBlock(b).ok());
    store.reset();

    o.fault_hook = nullptr;
    auto reopened = std::move(BlockStore::Open(o, nullptr)).value();
    EXPECT_EQ(reopened->SizeOnDisk(), size);
    EXPECT_TRUE(reopened->ReadBlock(b).ok());
    auto e = reopened->WriteBlock(MakeBlock(4));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->offset, size);
  }
}

TEST(BlockStoreFaultInjection, CreateErrorAtRollOverLeavesStoreUsable) {
  TempDir dir;
  bool fail = false;
  BlockStoreOptions o = StoreOptions(dir, 2000);
  o.fault_hook = [&](BlockFileOp op, uint32_t file) {
    return fail && op == BlockFileOp::kCreate && file == 1 ? Status::Error("injected", "ENOSPC")
                                                           : Status::Ok();
  };
  auto store = std::move(BlockStore::Open(o, nullptr)).value();
  std::vector<FlatFilePos> positions;
  while (true) {
    positions.push_back(*store->WriteBlock(MakeBlock(positions.size())));
    if (store->SizeOnDisk() + 300 > o.max_file_size) break;
  }
  fail = true;
  auto failed = store->WriteBlock(MakeBlock(100));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), "injected");
  EXPECT_EQ(store->current_file(), 0u);
  fail = false;
  auto next = store->WriteBlock(MakeBlock(100));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->file, 1u);
  for (const auto& p : positions) EXPECT_TRUE(store->ReadBlock(p).ok());
}

// Runs `blocks` rounds of WriteBlock + IndexBlock in a child process that
// dies with _exit after `crash_after` steps (each WriteBlock and each index
// batch is a step). Returns the child's exit code.
int RunChildUntilCrash(const TempDir& dir, int blocks, int crash_after) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    auto db = ChainDb::Open(StoreDbOptions(dir));
    if (!db.ok()) ::_exit(2);
    auto store = BlockStore::Open(StoreOptions(dir, 2000), db->get());
    if (!store.ok()) ::_exit(3);
    int step = 0;
    for (int h = 0; h < blocks; ++h) {
      const Block block = MakeBlock(static_cast<uint64_t>(h), h % 2);
      auto pos = (*store)->WriteBlock(block);
      if (!pos.ok()) ::_exit(4);
      if (++step == crash_after) ::_exit(0);
      if (!IndexBlock(**db, **store, block, *pos).ok()) ::_exit(5);
      if (++step == crash_after) ::_exit(0);
    }
    ::_exit(0);
  }
  int wstatus = 0;
  if (::waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus)) return -1;
  return WEXITSTATUS(wstatus);
}

TEST(BlockStoreFaultInjection, CrashAtEveryStepKeepsIndexConsistent) {
  constexpr int kBlocks = 8;  // 2000-byte files: crosses file boundaries
  for (int crash_after = 1; crash_after <= 2 * kBlocks; ++crash_after) {
    SCOPED_TRACE(crash_after);
    TempDir dir;
    ASSERT_EQ(RunChildUntilCrash(dir, kBlocks, crash_after), 0);

    auto db = std::move(ChainDb::Open(StoreDbOptions(dir))).value();
    auto store = BlockStore::Open(StoreOptions(dir, 2000), db.get());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    // Indexed blocks are exactly those whose index batch was written.
    const std::set<uint64_t> heights = CheckIndexedBlocksReadable(*db, **store);
    const int indexed = crash_after / 2;
    ASSERT_EQ(heights.size(), static_cast<size_t>(indexed));
    if (indexed > 0) {
      EXPECT_EQ(*heights.rbegin(), static_cast<uint64_t>(indexed - 1));
    }
    // A crash between WriteBlock and the index batch leaves one orphan
    // record: counted in the file info, never referenced.
    uint32_t stored = 0;
    for (uint32_t f = 0; f <= (*store)->current_file(); ++f)
      stored += (*store)->file_info(f).blocks;
    EXPECT_EQ(stored, static_cast<uint32_t>((crash_after + 1) / 2));

    // The node carries on: the next block is appended, indexed and readable
    // across another restart.
    const Block next = MakeBlock(100, 1);
    auto pos = (*store)->WriteBlock(next);
    ASSERT_TRUE(pos.ok());
    ASSERT_TRUE(IndexBlock(*db, **store, next, *pos).ok());
    store.value().reset();
    auto reopened = BlockStore::Open(StoreOptions(dir, 2000), db.get());
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(CheckIndexedBlocksReadable(*db, **reopened).size(), static_cast<size_t>(indexed + 1));
  }
}

TEST(BlockStoreFaultInjection, CrashMidAppendAfterIndexedBlocks) {
  // A torn record after indexed blocks (the crash hit inside pwrite): cut on
  // restart, every indexed block still readable, appends resume there.
  TempDir dir;
  ASSERT_EQ(RunChildUntilCrash(dir, 3, 6), 0);
  uint64_t committed_end = 0;
  uint32_t file = 0;
  {
    auto db = std::move(ChainDb::Open(StoreDbOptions(dir))).value();
    auto store = std::move(BlockStore::Open(StoreOptions(dir, 2000), db.get())).value();
    file = store->current_file();
    committed_end = store->file_info(file).size;
    const FlatFilePos torn = *store->WriteBlock(MakeBlock(3, 1));
    ASSERT_EQ(torn.file, file);
    std::filesystem::resize_file(store->FilePath(file), torn.offset + torn.size / 2);
  }
  auto db = std::move(ChainDb::Open(StoreDbOptions(dir))).value();
  auto store = BlockStore::Open(StoreOptions(dir, 2000), db.get());
  ASSERT_TRUE(store.ok());
  EXPECT_GT((*store)->recovered_truncated_bytes(), 0u);
  EXPECT_EQ(CheckIndexedBlocksReadable(*db, **store).size(), 3u);
  auto next = (*store)->WriteBlock(MakeBlock(3));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->file, file);
  EXPECT_EQ(next->offset, committed_end);
}

}  // namespace
}  // namespace depin::chain

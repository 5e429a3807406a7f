#include "chain/block_file_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "chain/block_store.h"
#include "chain/chainstate.h"
#include "chain/miner.h"
#include "consensus/module.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using testing::TempDir;

std::unique_ptr<Chainstate> OpenChain(const consensus::ChainParams& params,
                                      const consensus::ModuleRegistry& modules,
                                      const std::filesystem::path& dir) {
  ChainstateOptions o;
  o.datadir = dir.string();
  o.script_threads = 1;
  o.sync_writes = false;
  return Chainstate::Open(params, modules, o).value();
}

// A chain of `blocks` mined blocks in `dir`; returns the hashes, genesis first.
std::vector<Hash256> MineChain(Chainstate& chain, uint64_t blocks) {
  MinerOptions mo;
  mo.threads = 1;
  mo.coinbase = Address{};
  Miner miner(mo, chain, nullptr);
  EXPECT_TRUE(miner.Generate(blocks, Address{}).ok());
  std::vector<Hash256> hashes;
  for (uint64_t h = 0; h <= chain.Tip().height; ++h)
    hashes.push_back(*chain.GetBlockHashAtHeight(h));
  return hashes;
}

class BlockFileReaderTest : public ::testing::Test {
 protected:
  consensus::ChainParams params_ = consensus::RegtestParams();
  consensus::ModuleRegistry modules_;

  // Mines `blocks` blocks, replays their files into an empty chainstate with
  // `threads` decode threads, and expects the same tip and state root.
  void ExpectReplayRebuilds(uint64_t blocks, unsigned threads) {
    TempDir source;
    TempDir target;
    Hash256 tip;
    Hash256 root;
    {
      auto chain = OpenChain(params_, modules_, source.path());
      MineChain(*chain, blocks);
      tip = chain->Tip().hash;
      root = chain->StateRoot();
    }
    auto rebuilt = OpenChain(params_, modules_, target.path());
    auto stats = ReplayBlockFiles(source.path() / "blocks", *rebuilt, nullptr, threads);
    ASSERT_TRUE(stats.ok()) << stats.status().ToString();
    EXPECT_EQ(stats->blocks_read, blocks + 1);  // with genesis
    EXPECT_EQ(stats->blocks_accepted, blocks);
    EXPECT_EQ(stats->blocks_unlinked, 0u);
    EXPECT_EQ(rebuilt->Tip().hash, tip);
    EXPECT_EQ(rebuilt->StateRoot(), root);
  }
};

TEST_F(BlockFileReaderTest, ReadsEveryRecordInOrderAndStopsAtATornTail) {
  TempDir dir;
  std::vector<Hash256> hashes;
  {
    auto chain = OpenChain(params_, modules_, dir.path());
    hashes = MineChain(*chain, 12);
  }
  const auto blk = dir.path() / "blocks" / "blk00000.dat";
  {
    std::ofstream out(blk, std::ios::binary | std::ios::app);
    out << "torn!";  // a partial append
  }
  BlockFileReader reader(dir.path() / "blocks", ReadBE32(params_.magic.data()),
                         params_.max_block_size);
  std::vector<Hash256> read;
  while (true) {
    auto next = reader.Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!next->has_value()) break;
    auto block = DecodeBlock(**next, params_.max_block_size);
    ASSERT_TRUE(block.ok());
    read.push_back(block->Hash());
  }
  EXPECT_EQ(read, hashes);
  EXPECT_EQ(reader.records_skipped(), 0u);
}

TEST_F(BlockFileReaderTest, DamageOverARecordHeaderSkipsOnlyThatRecord) {
  TempDir dir;
  std::vector<Hash256> hashes;
  {
    auto chain = OpenChain(params_, modules_, dir.path());
    hashes = MineChain(*chain, 12);
  }
  const auto blk = dir.path() / "blocks" / "blk00000.dat";
  // Where block 6's record starts: walk the framing (magic, length, payload,
  // checksum) of the records before it.
  std::vector<uint8_t> bytes(std::filesystem::file_size(blk));
  {
    std::ifstream in(blk, std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  size_t at = 0;
  for (int i = 0; i < 6; ++i) {
    const uint32_t len = static_cast<uint32_t>(bytes[at + 4]) | bytes[at + 5] << 8 |
                         bytes[at + 6] << 16 | static_cast<uint32_t>(bytes[at + 7]) << 24;
    at += kBlockRecordOverhead + len;
  }
  // Garbage over its magic and length (and into its payload).
  {
    std::fstream f(blk, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(at));
    const std::string garbage(40, '\xa5');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  BlockFileReader reader(dir.path() / "blocks", ReadBE32(params_.magic.data()),
                         params_.max_block_size);
  std::vector<Hash256> read;
  while (true) {
    auto next = reader.Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (!next->has_value()) break;
    auto block = DecodeBlock(**next, params_.max_block_size);
    ASSERT_TRUE(block.ok());
    read.push_back(block->Hash());
  }
  std::vector<Hash256> expected = hashes;
  expected.erase(expected.begin() + 6);
  EXPECT_EQ(read, expected);
  EXPECT_EQ(reader.records_skipped(), 1u);
}

TEST_F(BlockFileReaderTest, ReplayRebuildsTheSameChainAndState) { ExpectReplayRebuilds(20, 1); }

TEST_F(BlockFileReaderTest, ReplayWithSeveralDecodeThreadsPastTheReadAheadWindow) {
  ExpectReplayRebuilds(150, 3);  // more than the 64 blocks decoded ahead
}

TEST_F(BlockFileReaderTest, ReplayStopsAtAChainstateErrorWithBlocksStillBeingRead) {
  TempDir source;
  TempDir target;
  {
    auto chain = OpenChain(params_, modules_, source.path());
    MineChain(*chain, 150);
  }
  auto rebuilt = OpenChain(params_, modules_, target.path());
  rebuilt->Close();
  // The read-ahead thread is blocked on a full queue when the replay gives
  // up; the replay must still return (and join it).
  auto stats = ReplayBlockFiles(source.path() / "blocks", *rebuilt, nullptr, 2);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), "chainstate-closed");
}

TEST_F(BlockFileReaderTest, InterruptedReplayResumesSkippingStoredBlocks) {
  TempDir source;
  TempDir target;
  Hash256 tip;
  Hash256 root;
  {
    auto chain = OpenChain(params_, modules_, source.path());
    MineChain(*chain, 120);
    tip = chain->Tip().hash;
    root = chain->StateRoot();
  }
  uint64_t tip_height = 0;
  {
    auto rebuilt = OpenChain(params_, modules_, target.path());
    int asked = 0;
    auto stats = ReplayBlockFiles(source.path() / "blocks", *rebuilt, nullptr, 2,
                                  [&asked] { return ++asked > 50; });
    ASSERT_FALSE(stats.ok());
    EXPECT_EQ(stats.status().code(), "reindex-interrupted");
    tip_height = rebuilt->Tip().height;
    EXPECT_GT(tip_height, 0u);
    EXPECT_LT(tip_height, 120u);
  }
  // A new process: the stored blocks are skipped, the rest connected.
  auto resumed = OpenChain(params_, modules_, target.path());
  EXPECT_EQ(resumed->Tip().height, tip_height);
  auto stats = ReplayBlockFiles(source.path() / "blocks", *resumed, nullptr, 2);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->blocks_known, tip_height + 1);  // with genesis
  EXPECT_EQ(stats->blocks_accepted, 120u - tip_height);
  EXPECT_EQ(resumed->Tip().hash, tip);
  EXPECT_EQ(resumed->StateRoot(), root);
}

TEST_F(BlockFileReaderTest, BlocksBeforeTheirParentsAreHeldUntilItArrives) {
  TempDir source;
  TempDir shuffled;
  TempDir target;
  Hash256 tip;
  std::vector<std::shared_ptr<const Block>> blocks;
  {
    auto chain = OpenChain(params_, modules_, source.path());
    for (const Hash256& h : MineChain(*chain, 15)) blocks.push_back(chain->ReadBlock(h).value());
    tip = chain->Tip().hash;
  }
  // Children first: the files hold the chain backwards.
  std::reverse(blocks.begin(), blocks.end());
  {
    BlockStoreOptions o;
    o.dir = shuffled.path() / "blocks";
    o.magic = ReadBE32(params_.magic.data());
    o.max_block_size = params_.max_block_size;
    o.max_file_size = 4096;  // several files
    auto store = BlockStore::Open(o, nullptr).value();
    for (const auto& b : blocks) ASSERT_TRUE(store->WriteBlock(*b).ok());
  }
  auto rebuilt = OpenChain(params_, modules_, target.path());
  auto stats = ReplayBlockFiles(shuffled.path() / "blocks", *rebuilt, nullptr);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->blocks_accepted, 15u);
  EXPECT_EQ(stats->blocks_unlinked, 0u);
  EXPECT_EQ(rebuilt->Tip().hash, tip);
}

}  // namespace
}  // namespace depin::chain

// -minegpu: the nonce search on a real OpenCL device (PoCL in CI) finds what
// the CPU finds, and the miner falls back to the CPU when the device fails.
#include <gtest/gtest.h>

#include <atomic>

#include "chain/miner.h"
#include "compute/gpu.h"
#include "mempool_test_env.h"

namespace depin::chain {
namespace {

using testing::AddressOf;
using testing::ChainEnv;
using testing::TestKey;

std::unique_ptr<compute::Gpu> OpenClGpu() {
  compute::GpuOptions options;
  options.mode = compute::GpuMode::kOpenCl;
  options.min_batch = 1;
  return compute::Gpu::Open(options);
}

BlockHeader Header(uint64_t salt) {
  BlockHeader h;
  h.height = 5 + salt;
  for (size_t i = 0; i < 32; ++i) h.parent_hash[i] = static_cast<uint8_t>(i * 7 + salt);
  h.timestamp = 1'700'000'000 + salt;
  h.bits = 0x1d00ffff;
  h.nonce = salt * 0x9e3779b9ULL;
  return h;
}

TEST(SearchNonceOnGpu, FindsTheNonceTheCpuFinds) {
  auto gpu = OpenClGpu();
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  const Uint256 target = Uint256::Max() >> 14;
  for (uint64_t salt = 0; salt < 3; ++salt) {
    const BlockHeader header = Header(salt);
    std::atomic<uint64_t> counter{0};
    auto on_gpu = SearchNonceOnGpu(
        header, target, *gpu, [] { return false; }, &counter);
    ASSERT_TRUE(on_gpu.has_value());
    ASSERT_TRUE(on_gpu->found);
    // One CPU thread scans the same order: the header's low half, highs
    // upwards; both stop at the first solution.
    SearchResult cpu = SearchNonce(header, target, 1, [] { return false; });
    ASSERT_TRUE(cpu.found);
    EXPECT_EQ(on_gpu->nonce, cpu.nonce) << salt;
    BlockHeader solved = header;
    solved.nonce = on_gpu->nonce;
    EXPECT_TRUE(HashMeetsTarget(solved.Hash(), target));
    EXPECT_EQ(counter.load(), on_gpu->hashes);
  }
}

TEST(SearchNonceOnGpu, StopsWhenAskedAndReportsADeviceFailure) {
  auto gpu = OpenClGpu();
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  int polls = 0;
  auto stopped = SearchNonceOnGpu(Header(1), Uint256(0), *gpu, [&polls] { return ++polls > 3; });
  ASSERT_TRUE(stopped.has_value());
  EXPECT_FALSE(stopped->found);
  EXPECT_FALSE(stopped->exhausted);
  EXPECT_GT(stopped->hashes, 0u);

  gpu->device()->InjectFaults(1);
  auto failed = SearchNonceOnGpu(Header(2), Uint256::Max() >> 8, *gpu, [] { return false; });
  EXPECT_FALSE(failed.has_value());
  EXPECT_EQ(gpu->counters().errors, 1u);
}

class MinerGpuTest : public ::testing::Test {
 protected:
  ChainEnv env_;
  Mempool pool_{MempoolOptions{}, env_.chain()};
};

TEST_F(MinerGpuTest, MinesValidBlocksOnTheDevice) {
  auto gpu = OpenClGpu();
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  MinerOptions options;
  options.gpu = gpu.get();
  Miner miner(options, env_.chain(), &pool_);
  auto hashes = miner.Generate(3, AddressOf(TestKey(70)));
  ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
  EXPECT_EQ(env_.chain().Tip().height, 3u);
  EXPECT_GE(gpu->counters().device_batches, 3u);
  EXPECT_EQ(gpu->counters().errors, 0u);
}

TEST_F(MinerGpuTest, ADeviceErrorFallsBackToTheCpuAndMiningGoesOn) {
  auto gpu = OpenClGpu();
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  gpu->device()->InjectFaults(2);  // the first two blocks' device searches fail
  MinerOptions options;
  options.gpu = gpu.get();
  Miner miner(options, env_.chain(), &pool_);
  auto hashes = miner.Generate(3, AddressOf(TestKey(70)));
  ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
  EXPECT_EQ(env_.chain().Tip().height, 3u);
  const compute::GpuCounters c = gpu->counters();
  EXPECT_EQ(c.errors, 2u);
  EXPECT_EQ(c.fallbacks, 2u);
  EXPECT_GE(c.device_batches, 1u);  // the third block
}

}  // namespace
}  // namespace depin::chain

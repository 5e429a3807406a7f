// The CUDA kernels on a CUDA device, compared with the CPU paths. Without a
// CUDA build or a device every test skips and says why.
#include "compute/cuda_device.h"

#include <gtest/gtest.h>

#include <random>

#include "compute/gpu.h"
#include "compute_test_util.h"
#include "crypto/sha256.h"
#include "storage/proofs/merkle_tree.h"

namespace depin::compute {
namespace {

using testing::CpuSearch;
using testing::MakePaths;
using testing::RandomBytes;

class CudaDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!BuiltWithCuda()) GTEST_SKIP() << "built without CUDA (DEPIN_CUDA=OFF or no nvcc)";
    std::vector<std::string> errors;
    std::vector<DeviceInfo> found = EnumerateCudaDevices(&errors);
    if (found.empty()) {
      GTEST_SKIP() << "no CUDA device" << (errors.empty() ? "" : ": " + errors[0]);
    }
    auto device = OpenCudaDevice(found[0]);
    ASSERT_TRUE(device.ok()) << device.status().ToString();
    device_ = std::move(device).value();
  }
  std::unique_ptr<Device> device_;
};

TEST_F(CudaDeviceTest, ReportsTheDevice) {
  const DeviceInfo& d = device_->info();
  EXPECT_EQ(d.api, GpuApi::kCuda);
  EXPECT_FALSE(d.name.empty());
  EXPECT_GT(d.memory_bytes, 0u);
  EXPECT_GT(d.compute_units, 0u);
  EXPECT_TRUE(d.is_gpu);
  std::cout << "CUDA device " << d.id() << ": " << d.name << " (" << d.model << "), "
            << (d.memory_bytes >> 20) << " MiB, " << d.compute_units << " SMs, " << d.driver
            << "\n";
}

TEST_F(CudaDeviceTest, Sha256BatchAndPairsMatchTheCpu) {
  std::mt19937_64 rng(31);
  for (size_t len : {0, 1, 55, 56, 64, 65, 264, 520}) {
    const size_t count = 1 + rng() % 3000;
    Bytes in = RandomBytes(rng, len * count);
    Bytes gpu(32 * count), cpu(32 * count);
    ASSERT_TRUE(device_->Sha256Batch(in.data(), len, count, gpu.data()).ok());
    crypto::Sha256Batch(in.data(), len, count, cpu.data());
    EXPECT_EQ(gpu, cpu) << len;
  }
  Bytes pairs = RandomBytes(rng, 64 * 5000);
  Bytes cpu(32 * 5000);
  crypto::Sha256PairBatch(pairs.data(), cpu.data(), 5000);
  ASSERT_TRUE(device_->Sha256Pairs(pairs.data(), pairs.data(), 5000).ok());
  EXPECT_EQ(Bytes(pairs.begin(), pairs.begin() + 32 * 5000), cpu);
}

TEST_F(CudaDeviceTest, VerifiesPathsAsTheCpuDoes) {
  std::mt19937_64 rng(32);
  testing::PathFixture f = MakePaths(rng, 20000);
  std::vector<uint8_t> gpu(f.heights.size());
  ASSERT_TRUE(device_->VerifyPaths(f.batch(), gpu.data()).ok());
  EXPECT_EQ(gpu, f.expected);
}

TEST_F(CudaDeviceTest, BuildsTheSameTreesAsTheProofsLibrary) {
  std::mt19937_64 rng(33);
  for (uint64_t n : {2u, 1024u, 1u << 18}) {
    Bytes leaves = RandomBytes(rng, 32 * n);
    Bytes gpu(32 * (n - 1));
    ASSERT_TRUE(device_->BuildTree(leaves.data(), n, gpu.data()).ok());
    EXPECT_EQ(gpu, storage::proofs::BuildTreeLevels(leaves, 4)) << n;
  }
}

TEST_F(CudaDeviceTest, NonceSearchFindsTheSmallestSolutionTheCpuFinds) {
  std::mt19937_64 rng(34);
  for (int round = 0; round < 4; ++round) {
    Bytes header = RandomBytes(rng, 256);
    uint32_t midstate[8];
    std::memcpy(midstate, crypto::kSha256InitialState, sizeof(midstate));
    crypto::Sha256Transform(midstate, header.data(), 4);
    const uint32_t target[8] = {0x0000ffffu, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u};
    const uint32_t start = static_cast<uint32_t>(rng() % (1u << 30));
    auto gpu = device_->SearchNonce(midstate, target, start, 1u << 20);
    ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
    EXPECT_EQ(*gpu, CpuSearch(midstate, target, start, 1u << 20));
  }
}

TEST_F(CudaDeviceTest, InjectedFaultFailsAndTheGpuFallsBack) {
  device_->InjectFaults(1);
  Bytes in(64 * 10, 1), out(32 * 10), cpu(32 * 10);
  Status s = device_->Sha256Pairs(in.data(), out.data(), 10);
  EXPECT_EQ(s.code(), "gpu-cuda-error");
  ASSERT_TRUE(device_->Sha256Pairs(in.data(), out.data(), 10).ok());
  crypto::Sha256PairBatch(in.data(), cpu.data(), 10);
  EXPECT_EQ(out, cpu);
}

}  // namespace
}  // namespace depin::compute

// The OpenCL kernels on a real OpenCL device (PoCL's CPU device in CI),
// compared with the CPU paths on random inputs, invalid proofs included.
#include "compute/opencl_device.h"

#include <gtest/gtest.h>

#include <random>

#include "compute/gpu_name.h"
#include "compute_test_util.h"
#include "crypto/sha256.h"
#include "storage/proofs/merkle_tree.h"

namespace depin::compute {
namespace {

using testing::CpuSearch;
using testing::MakePaths;
using testing::OpenFirstOpenClDevice;
using testing::RandomBytes;

TEST(OpenClDevice, EnumeratesDevicesWithNormalizedNames) {
  std::vector<DeviceInfo> found = EnumerateOpenClDevices(nullptr);
  ASSERT_FALSE(found.empty()) << "no OpenCL device: install pocl-opencl-icd";
  for (size_t i = 0; i < found.size(); ++i) {
    const DeviceInfo& d = found[i];
    EXPECT_EQ(d.index, i);
    EXPECT_EQ(d.id(), "opencl:" + std::to_string(i));
    EXPECT_FALSE(d.name.empty());
    EXPECT_FALSE(d.platform.empty());
    EXPECT_GT(d.memory_bytes, 0u);
    EXPECT_GT(d.compute_units, 0u);
    EXPECT_EQ(d.model, NormalizeGpuModel(d.name));
    EXPECT_EQ(d.vendor_id, NormalizeGpuVendor(d.vendor));
  }
}

TEST(OpenClDevice, EmbeddedSourceCarriesTheSharedCore) {
  const std::string_view source = OpenClKernelSource();
  EXPECT_NE(source.find("sha256_compress"), std::string_view::npos);
  EXPECT_NE(source.find("__kernel void merkle_verify"), std::string_view::npos);
  EXPECT_EQ(source.find("#include \"sha256_core.h\""), std::string_view::npos);
}

TEST(OpenClDevice, CompileErrorReturnsTheBuildLog) {
  std::vector<DeviceInfo> found = EnumerateOpenClDevices(nullptr);
  ASSERT_FALSE(found.empty());
  auto device = OpenOpenClDevice(found[0], "__kernel void broken(__global uint* p) { p[0] = ; }");
  ASSERT_FALSE(device.ok());
  EXPECT_EQ(device.status().code(), "gpu-opencl-build-failed");
  EXPECT_NE(device.status().message().find("build log"), std::string::npos);
  EXPECT_NE(device.status().message().find("error"), std::string::npos)
      << device.status().message();
}

TEST(OpenClDevice, Sha256BatchMatchesTheCpu) {
  auto device = OpenFirstOpenClDevice();
  ASSERT_NE(device, nullptr);
  std::mt19937_64 rng(11);
  for (size_t len : {0, 1, 55, 56, 64, 65, 96, 264, 352, 520}) {
    const size_t count = 1 + rng() % 300;
    Bytes in = RandomBytes(rng, len * count);
    Bytes gpu(32 * count), cpu(32 * count);
    ASSERT_TRUE(device->Sha256Batch(in.data(), len, count, gpu.data()).ok());
    crypto::Sha256Batch(in.data(), len, count, cpu.data());
    EXPECT_EQ(gpu, cpu) << len;
  }
}

TEST(OpenClDevice, PairsMatchTheCpuInPlace) {
  auto device = OpenFirstOpenClDevice();
  ASSERT_NE(device, nullptr);
  std::mt19937_64 rng(12);
  Bytes in = RandomBytes(rng, 64 * 1000);
  Bytes cpu(32 * 1000);
  crypto::Sha256PairBatch(in.data(), cpu.data(), 1000);
  ASSERT_TRUE(device->Sha256Pairs(in.data(), in.data(), 1000).ok());  // out == in
  EXPECT_EQ(Bytes(in.begin(), in.begin() + 32 * 1000), cpu);
}

TEST(OpenClDevice, VerifiesPathsAsTheCpuDoesAndRejectsBadOnes) {
  auto device = OpenFirstOpenClDevice();
  ASSERT_NE(device, nullptr);
  std::mt19937_64 rng(13);
  testing::PathFixture f = MakePaths(rng, 2000);
  std::vector<uint8_t> gpu(f.heights.size(), 7), cpu(f.heights.size(), 7);
  ASSERT_TRUE(device->VerifyPaths(f.batch(), gpu.data()).ok());
  crypto::VerifyMerklePathsCpu(f.batch(), cpu.data());
  EXPECT_EQ(cpu, f.expected);
  EXPECT_EQ(gpu, cpu);
  EXPECT_EQ(std::count(gpu.begin(), gpu.end(), 0), 500);  // every fourth is corrupted
}

TEST(OpenClDevice, BuildsTheSameTreesAsTheProofsLibrary) {
  auto device = OpenFirstOpenClDevice();
  ASSERT_NE(device, nullptr);
  std::mt19937_64 rng(14);
  for (uint64_t n : {2u, 4u, 64u, 1024u, 16384u}) {
    Bytes leaves = RandomBytes(rng, 32 * n);
    Bytes gpu(32 * (n - 1));
    ASSERT_TRUE(device->BuildTree(leaves.data(), n, gpu.data()).ok());
    EXPECT_EQ(gpu, storage::proofs::BuildTreeLevels(leaves, 2)) << n;
  }
  Bytes three(96);
  EXPECT_EQ(device->BuildTree(three.data(), 3, three.data()).code(), "gpu-bad-tree");
}

TEST(OpenClDevice, NonceSearchFindsTheSmallestSolutionTheCpuFinds) {
  auto device = OpenFirstOpenClDevice();
  ASSERT_NE(device, nullptr);
  std::mt19937_64 rng(15);
  for (int round = 0; round < 4; ++round) {
    Bytes header = RandomBytes(rng, 256);
    uint32_t midstate[8];
    std::memcpy(midstate, crypto::kSha256InitialState, sizeof(midstate));
    crypto::Sha256Transform(midstate, header.data(), 4);
    // About one solution in 2^12 hashes.
    const uint32_t target[8] = {0x000fffffu, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u};
    const uint32_t start = static_cast<uint32_t>(rng());
    const uint32_t count = std::min<uint64_t>(1u << 16, (uint64_t{1} << 32) - start);
    auto gpu = device->SearchNonce(midstate, target, start, count);
    ASSERT_TRUE(gpu.ok()) << gpu.status().ToString();
    EXPECT_EQ(*gpu, CpuSearch(midstate, target, start, count));
  }
  // A target nothing meets: no solution, and no false positive.
  Bytes header = RandomBytes(rng, 256);
  uint32_t midstate[8];
  std::memcpy(midstate, crypto::kSha256InitialState, sizeof(midstate));
  crypto::Sha256Transform(midstate, header.data(), 4);
  const uint32_t zero[8] = {};
  auto none = device->SearchNonce(midstate, zero, 0, 1u << 16);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(device->SearchNonce(midstate, zero, 0xffffff00u, 0x200).status().code(),
            "gpu-bad-nonce-range");
}

TEST(OpenClDevice, InjectedFaultsFailInsideTheApiThenTheDeviceRecovers) {
  auto device = OpenFirstOpenClDevice();
  ASSERT_NE(device, nullptr);
  std::mt19937_64 rng(16);
  Bytes in = RandomBytes(rng, 64 * 10);
  Bytes out(32 * 10), cpu(32 * 10);
  crypto::Sha256PairBatch(in.data(), cpu.data(), 10);
  device->InjectFaults(1);
  Status s = device->Sha256Pairs(in.data(), out.data(), 10);
  EXPECT_EQ(s.code(), "gpu-opencl-error");
  EXPECT_EQ(s.kind(), StatusKind::kUnavailable);
  EXPECT_NE(s.message().find("clEnqueueReadBuffer"), std::string::npos) << s.message();
  ASSERT_TRUE(device->Sha256Pairs(in.data(), out.data(), 10).ok());
  EXPECT_EQ(out, cpu);
}

}  // namespace
}  // namespace depin::compute

// The Gpu component on a real OpenCL device (PoCL in CI): device choice,
// the size threshold, the CPU fallback after a device error, and proof
// verdicts and sealing commitments identical to the CPU's.
#include "compute/gpu.h"

#include <gtest/gtest.h>

#include <random>

#include "compute/gpu_name.h"
#include "compute_test_util.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"
#include "unit/storage/proofs/proofs_test_util.h"

namespace depin::compute {
namespace {

namespace testing_util = storage::proofs::testing;
using testing::MakePaths;
using testing::RandomBytes;

std::unique_ptr<Gpu> OpenClGpu(size_t min_batch) {
  GpuOptions options;
  options.mode = GpuMode::kOpenCl;
  options.min_batch = min_batch;
  return Gpu::Open(options);
}

TEST(Gpu, ParsesModes) {
  EXPECT_EQ(*ParseGpuMode("auto"), GpuMode::kAuto);
  EXPECT_EQ(*ParseGpuMode("cuda"), GpuMode::kCuda);
  EXPECT_EQ(*ParseGpuMode("opencl"), GpuMode::kOpenCl);
  EXPECT_EQ(*ParseGpuMode("none"), GpuMode::kNone);
  EXPECT_EQ(ParseGpuMode("metal").status().code(), "gpu-bad-mode");
}

TEST(Gpu, NoneAndMissingDevicesLeaveTheCpu) {
  GpuOptions options;
  options.mode = GpuMode::kNone;
  auto none = Gpu::Open(options);
  EXPECT_FALSE(none->active());
  EXPECT_EQ(none->hash_backend(), nullptr);
  EXPECT_EQ(none->why_inactive(), "-gpu=none");

  options.mode = GpuMode::kOpenCl;
  options.devices = {"opencl:999"};
  auto missing = Gpu::Open(options);
  EXPECT_FALSE(missing->active());
  EXPECT_NE(missing->why_inactive().find("opencl:999 not found"), std::string::npos);
}

TEST(Gpu, AutoNeverPicksACpuOpenClDevice) {
  auto gpu = Gpu::Open(GpuOptions());
  if (gpu->active()) {
    EXPECT_TRUE(gpu->device()->info().is_gpu) << gpu->device()->info().name;
  } else {
    for (const DeviceInfo& d : gpu->devices_found()) EXPECT_FALSE(d.is_gpu) << d.id();
  }
}

TEST(Gpu, OpenClModeTakesTheFirstOpenClDevice) {
  auto gpu = OpenClGpu(1);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  EXPECT_EQ(gpu->device()->info().api, GpuApi::kOpenCl);
  ASSERT_NE(gpu->hash_backend(), nullptr);
  EXPECT_EQ(gpu->hash_backend()->name(), gpu->device()->info().id());
}

TEST(Gpu, SmallBatchesGoToTheCpuLargeOnesToTheDevice) {
  auto gpu = OpenClGpu(100);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  const crypto::HashBackend& backend = *gpu->hash_backend();
  std::mt19937_64 rng(21);
  for (size_t count : {10u, 100u, 500u}) {
    Bytes in = RandomBytes(rng, 64 * count);
    Bytes out(32 * count), cpu(32 * count);
    backend.Sha256PairBatch(in.data(), out.data(), count);
    crypto::Sha256PairBatch(in.data(), cpu.data(), count);
    EXPECT_EQ(out, cpu) << count;
  }
  const GpuCounters c = gpu->counters();
  EXPECT_EQ(c.cpu_batches, 1u);
  EXPECT_EQ(c.device_batches, 2u);
  EXPECT_EQ(c.errors, 0u);
}

TEST(Gpu, DeviceErrorMidBatchIsRedoneOnTheCpuAndCounted) {
  auto gpu = OpenClGpu(1);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  const crypto::HashBackend& backend = *gpu->hash_backend();
  std::mt19937_64 rng(22);
  // Messages: the backend redoes the batch itself.
  Bytes msgs = RandomBytes(rng, 96 * 200);
  Bytes out(32 * 200), cpu(32 * 200);
  crypto::Sha256Batch(msgs.data(), 96, 200, cpu.data());
  gpu->device()->InjectFaults(1);
  backend.Sha256Batch(msgs.data(), 96, 200, out.data());
  EXPECT_EQ(out, cpu);
  // Whole jobs: the backend says "not done" and the caller redoes them.
  testing::PathFixture f = MakePaths(rng, 100);
  std::vector<uint8_t> ok(100);
  gpu->device()->InjectFaults(1);
  EXPECT_FALSE(backend.VerifyMerklePaths(f.batch(), ok.data()));
  EXPECT_TRUE(backend.VerifyMerklePaths(f.batch(), ok.data()));  // the device is back
  EXPECT_EQ(ok, f.expected);
  const GpuCounters c = gpu->counters();
  EXPECT_EQ(c.errors, 2u);
  EXPECT_EQ(c.fallbacks, 2u);
  EXPECT_NE(c.last_error.find("gpu-opencl-error"), std::string::npos) << c.last_error;
}

DeviceInfo Described(GpuApi api, uint32_t index, const std::string& name, uint64_t gib,
                     bool is_gpu) {
  DeviceInfo d;
  d.api = api;
  d.index = index;
  d.name = name;
  d.model = NormalizeGpuModel(name);
  d.vendor_id = "nvidia";
  d.memory_bytes = gib << 30;
  d.is_gpu = is_gpu;
  return d;
}

TEST(Gpu, DetectedOfferPrefersCudaAndNeverCountsCpuDevices) {
  // PoCL alone: no GPU to offer.
  EXPECT_FALSE(DetectGpuOffer({Described(GpuApi::kOpenCl, 0, "pthread-cpu", 16, false)}));
  // NVIDIA's OpenCL driver lists the CUDA GPUs again: counted once.
  const std::vector<DeviceInfo> devices = {
      Described(GpuApi::kCuda, 0, "NVIDIA H100 80GB HBM3", 80, true),
      Described(GpuApi::kCuda, 1, "NVIDIA H100 80GB HBM3", 79, true),
      Described(GpuApi::kCuda, 2, "NVIDIA A100-SXM4-40GB", 40, true),
      Described(GpuApi::kOpenCl, 0, "NVIDIA H100 80GB HBM3", 80, true),
      Described(GpuApi::kOpenCl, 1, "pthread-cpu", 16, false)};
  auto offer = DetectGpuOffer(devices);
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->model, "h100-80gb-hbm-3");
  EXPECT_EQ(offer->vendor, "nvidia");
  EXPECT_EQ(offer->count, 2u);
  EXPECT_EQ(offer->vram_gib, 79u);
  // Without CUDA, the OpenCL GPUs.
  auto opencl = DetectGpuOffer({devices[3], devices[4]});
  ASSERT_TRUE(opencl.has_value());
  EXPECT_EQ(opencl->count, 1u);
}

// Real PoRep and PoSt proofs of sealed 2 KiB sectors, some corrupted.
class GpuProofs : public ::testing::Test {
 protected:
  void SetUp() override {
    using namespace storage::proofs;
    for (int i = 0; i < 3; ++i) {
      stores_.push_back(
          std::make_unique<SectorStore>(*SectorStore::Open(dir_.Sub(std::to_string(i)))));
      Bytes data = testing_util::PatternData(2048, static_cast<uint32_t>(i));
      auto out = SealSector(testing_util::TestInputs(SectorSize::Size2KiB(), data, i), *stores_[i]);
      ASSERT_TRUE(out.ok());
      outs_.push_back(*out);
    }
  }
  std::vector<Status> Verify(const crypto::HashBackend* hash) {
    using namespace storage::proofs;
    const Hash256 seed = testing_util::HashOf(0x33), randomness = testing_util::HashOf(0x44);
    BatchVerifier v(BatchVerifierOptions{.threads = 2, .hash = hash});
    std::vector<const SectorStore*> ptrs;
    PoStPublicInputs post_in{randomness, {}};
    for (size_t i = 0; i < stores_.size(); ++i) {
      PoRepPublicInputs in{SectorSize::Size2KiB(), outs_[i].replica_id, seed, outs_[i].comm_d,
                           outs_[i].comm_r};
      PoRepProof proof = *GeneratePoRep(*stores_[i], seed, /*partition=*/0);
      v.AddPoRep(in, proof);
      PoRepProof bad_label = proof;
      bad_label.challenges[1].columns[0].labels[0][3] ^= 1;
      v.AddPoRep(in, bad_label);
      PoRepProof bad_data = proof;
      bad_data.challenges[0].data_path.siblings[2][0] ^= 0x40;
      v.AddPoRep(in, bad_data);
      ptrs.push_back(stores_[i].get());
      post_in.sectors.push_back({i, SectorSize::Size2KiB(), outs_[i].comm_r});
    }
    PoStProof post = GeneratePoSt(randomness, ptrs).proof;
    v.AddPoSt(post_in, post);
    PoStProof bad_post = post;
    bad_post.sectors[1].leaves[0][7] ^= 2;
    v.AddPoSt(post_in, bad_post);
    return v.Verify();
  }

  testing_util::ScratchDir dir_;
  std::vector<std::unique_ptr<storage::proofs::SectorStore>> stores_;
  std::vector<storage::proofs::SealOutput> outs_;
};

TEST_F(GpuProofs, BatchVerdictsOnTheDeviceEqualTheCpu) {
  auto gpu = OpenClGpu(1);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  std::vector<Status> cpu = Verify(nullptr);
  std::vector<Status> dev = Verify(gpu->hash_backend());
  ASSERT_EQ(cpu.size(), dev.size());
  size_t rejected = 0;
  for (size_t i = 0; i < cpu.size(); ++i) {
    EXPECT_EQ(dev[i].code(), cpu[i].code()) << i;
    EXPECT_EQ(dev[i].message(), cpu[i].message()) << i;
    rejected += cpu[i].ok() ? 0 : 1;
  }
  EXPECT_EQ(rejected, 7u);  // two bad PoReps per sector and the bad PoSt
  EXPECT_TRUE(cpu.back().code() == "post-bad-replica-path") << cpu.back().ToString();
  EXPECT_GE(gpu->counters().device_batches, 2u);  // labels and columns, then the paths
}

TEST_F(GpuProofs, ADeviceErrorDuringVerificationGivesTheCpuVerdicts) {
  auto gpu = OpenClGpu(1);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  std::vector<Status> cpu = Verify(nullptr);
  gpu->device()->InjectFaults(100);  // every device call of this batch fails
  std::vector<Status> dev = Verify(gpu->hash_backend());
  ASSERT_EQ(cpu.size(), dev.size());
  for (size_t i = 0; i < cpu.size(); ++i) EXPECT_EQ(dev[i].code(), cpu[i].code()) << i;
  EXPECT_GE(gpu->counters().fallbacks, 2u);
}

TEST_F(GpuProofs, SealingOnTheDeviceGivesTheSameCommitments) {
  using namespace storage::proofs;
  auto gpu = OpenClGpu(2);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  auto store = std::make_unique<SectorStore>(*SectorStore::Open(dir_.Sub("gpu")));
  SealOptions options;
  options.hash = gpu->hash_backend();
  auto out = SealSector(
      testing_util::TestInputs(SectorSize::Size2KiB(), testing_util::PatternData(2048, 0), 0),
      *store, options);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, outs_[0]);
  EXPECT_GE(gpu->counters().device_batches, 4u);  // tree_d, columns, tree_c, tree_r
}

}  // namespace
}  // namespace depin::compute

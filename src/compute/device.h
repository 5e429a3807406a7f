// The device layer: what a GPU (or any OpenCL device) found on this machine
// is, and the batch work every device does with the shared SHA-256 core
// (kernels/sha256_core.h). Two implementations: OpenCL through the ICD
// loader (opencl_device.h; PoCL's CPU device in CI) and CUDA through the
// runtime API (cuda_device.h; only when built with DEPIN_CUDA).
//
//   std::vector<DeviceInfo> all = EnumerateDevices();   // never fails
//   Result<std::unique_ptr<Device>> d = OpenDevice(all[0]);
//   Status s = (*d)->VerifyPaths(batch, ok);
//
// Every operation either completes with the same answer as the CPU path or
// returns an error (kind kUnavailable, code "gpu-..."; the message names the
// API call and its error): it never returns a partial or wrong answer as
// success. Callers (compute/gpu.h) redo a failed batch on the CPU.
//
// Thread-safety: EnumerateDevices and OpenDevice may be called from any
// thread. A Device serializes its operations internally (one queue or stream
// per device), so any thread may call any method.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash_backend.h"
#include "util/status.h"

namespace depin::compute {

enum class GpuApi { kOpenCl, kCuda };
std::string_view GpuApiName(GpuApi api);  // "opencl", "cuda"

struct DeviceInfo {
  GpuApi api = GpuApi::kOpenCl;
  // Position among the devices of its API on this machine (OpenCL: over all
  // platforms in ICD order): the N of "opencl:N" / "cuda:N".
  uint32_t index = 0;
  std::string platform;   // OpenCL platform name; "CUDA"
  std::string vendor;     // as the driver reports it
  std::string name;       // as the driver reports it
  std::string model;      // NormalizeGpuModel(name): the compute market's name
  std::string vendor_id;  // NormalizeGpuVendor(vendor)
  std::string driver;     // driver version
  uint64_t memory_bytes = 0;
  uint64_t max_alloc_bytes = 0;
  uint32_t compute_units = 0;
  uint32_t clock_mhz = 0;
  bool is_gpu = false;  // a GPU or accelerator (PoCL's CPU device is not)

  std::string id() const;  // "opencl:0", "cuda:1"
};

class Device {
 public:
  virtual ~Device() = default;
  virtual const DeviceInfo& info() const = 0;

  // `count` messages of `msg_len` bytes, contiguous -> `count` digests.
  virtual Status Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) = 0;
  // `count` 64-byte node pairs -> `count` parents; `out` may equal `in`.
  virtual Status Sha256Pairs(const uint8_t* in, uint8_t* out, size_t count) = 0;
  // ok[i] = 1 when path i reaches its root (crypto::VerifyMerklePathsCpu).
  virtual Status VerifyPaths(const crypto::MerklePathBatch& batch, uint8_t* ok) = 0;
  // The interior of the tree over n leaves (a power of two >= 2), level 1
  // first, the root last: (n - 1) * 32 bytes.
  virtual Status BuildTree(const uint8_t* leaves, uint64_t n, uint8_t* out) = 0;
  // PoW: the smallest nonce high in [start, start + count) (start + count
  // <= 2^32) whose SHA-256d from `midstate` (after the header's first 256
  // bytes) is <= target (8 big-endian words); nullopt when none is. Work
  // after a solution is known is skipped (early exit).
  virtual Result<std::optional<uint32_t>> SearchNonce(const uint32_t midstate[8],
                                                      const uint32_t target[8], uint32_t start,
                                                      uint32_t count) = 0;

  // Fault injection for tests: the next `n` operations fail inside the
  // device API (a real call made with an invalid argument), as a lost
  // device or a failed kernel would.
  virtual void InjectFaults(int n) = 0;
};

// Every device the loaded drivers report; an API without a driver (no ICD,
// no CUDA device, built without CUDA) contributes none. `errors`, when
// given, receives one line per API that could not be queried.
std::vector<DeviceInfo> EnumerateDevices(std::vector<std::string>* errors = nullptr);

// The machine's GPUs as the compute market lists them (-gpus=auto): the
// CUDA devices when there are any (NVIDIA's OpenCL driver lists the same
// GPUs again), else the OpenCL GPUs and accelerators (never a CPU device);
// the model of the first, how many devices share that model, and the
// smallest VRAM among them in whole GiB. nullopt: no GPU.
struct GpuOffer {
  std::string vendor;  // normalized (vendor_id)
  std::string model;   // normalized
  uint64_t count = 0;
  uint64_t vram_gib = 0;
};
std::optional<GpuOffer> DetectGpuOffer(const std::vector<DeviceInfo>& devices);

// Opens a device for batch work (OpenCL: compiles the embedded kernels;
// a compile error carries the build log: "gpu-opencl-build-failed").
Result<std::unique_ptr<Device>> OpenDevice(const DeviceInfo& info);

}  // namespace depin::compute

// Gpu: the node's GPU, as the rest of the node sees it. Built once in
// node/init from -gpu and -gpudevices; chain validation, the mempool, the
// storage provider's sealing and the miner take from it a
// crypto::HashBackend (hash_backend()) or the nonce search, and getgpuinfo
// reports it.
//
//   auto gpu = Gpu::Open(GpuOptions{.mode = GpuMode::kAuto, .logger = &log});
//   BatchVerifierOptions{.hash = gpu->hash_backend()};   // null: the CPU
//
// Device choice: -gpu=auto takes CUDA devices first, then OpenCL GPUs and
// accelerators (never an OpenCL CPU device such as PoCL: the CPU path is
// faster there); -gpu=opencl takes any OpenCL device, CPU ones included
// (how CI exercises the kernels); -gpu=cuda CUDA only; -gpu=none nothing.
// -gpudevices=cuda:0,opencl:1 names the devices to consider, in order; the
// first one that opens does the work (one device per node for now).
//
// Failure never stops the node and never changes a verdict:
//   - no device (or none opens) -> everything runs on the CPU, said in one
//     log line at start-up;
//   - a device error during a batch (lost device, out of memory, a kernel
//     that fails) -> that batch is redone on the CPU, the event is logged
//     and counted (counters(), getgpuinfo), and the next batch tries the
//     device again.
// Batches smaller than min_batch items (messages, pairs, paths, nonces) go
// to the CPU: below it the transfer costs more than the device saves.
//
// Thread-safety: every method may be called from any thread; device work is
// serialized by the Device.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compute/device.h"
#include "crypto/hash_backend.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::compute {

enum class GpuMode { kAuto, kCuda, kOpenCl, kNone };
// "auto", "cuda", "opencl", "none"; else "gpu-bad-mode".
Result<GpuMode> ParseGpuMode(std::string_view text);
std::string_view GpuModeName(GpuMode mode);

struct GpuOptions {
  GpuMode mode = GpuMode::kAuto;
  // Device ids ("cuda:0", "opencl:1") to consider, in order; empty: all
  // that the mode allows.
  std::vector<std::string> devices;
  // Items from which a batch goes to the device (-gpuminbatch).
  size_t min_batch = 4096;
  Logger* logger = nullptr;
};

struct GpuCounters {
  uint64_t device_batches = 0;  // batches done on the device
  uint64_t cpu_batches = 0;     // batches under min_batch, done on the CPU
  uint64_t fallbacks = 0;       // device batches that failed and were redone on the CPU
  uint64_t errors = 0;          // device errors (every failed call)
  std::string last_error;       // the latest device error, "" if none
};

class Gpu {
 public:
  // Enumerates and opens per `options`. Never fails: without a usable device
  // the Gpu is inactive and the reason is logged once.
  static std::unique_ptr<Gpu> Open(const GpuOptions& options);
  // Around a device the caller opened (tests); null: inactive.
  Gpu(GpuOptions options, std::vector<DeviceInfo> found, std::unique_ptr<Device> device,
      std::string why_inactive = {});
  ~Gpu();
  Gpu(const Gpu&) = delete;
  Gpu& operator=(const Gpu&) = delete;

  bool active() const { return device_ != nullptr; }
  const GpuOptions& options() const { return options_; }
  // Every device the drivers reported, and the APIs that could not answer.
  const std::vector<DeviceInfo>& devices_found() const { return found_; }
  // The device doing the work; null when inactive.
  Device* device() const { return device_.get(); }
  // Why no device is active ("" when one is).
  const std::string& why_inactive() const { return why_inactive_; }

  // The backend for proof checks and sealing trees; null when inactive.
  const crypto::HashBackend* hash_backend() const;

  // PoW on the device (Device::SearchNonce); an error is logged and counted
  // here and returned, and the caller searches on the CPU.
  Result<std::optional<uint32_t>> SearchNonce(const uint32_t midstate[8], const uint32_t target[8],
                                              uint32_t start, uint32_t count);

  GpuCounters counters() const EXCLUDES(mu_);

  // Used by the backend: a batch ran on the device / under the threshold on
  // the CPU / failed on the device (logged, counted).
  void CountDeviceBatch() EXCLUDES(mu_);
  void CountCpuBatch() EXCLUDES(mu_);
  void RecordFailure(std::string_view job, const Status& error) EXCLUDES(mu_);

 private:
  class Backend;
  const GpuOptions options_;
  const std::vector<DeviceInfo> found_;
  const std::unique_ptr<Device> device_;
  const std::string why_inactive_;
  std::unique_ptr<Backend> backend_;
  mutable Mutex mu_;
  GpuCounters counters_ GUARDED_BY(mu_);
};

}  // namespace depin::compute

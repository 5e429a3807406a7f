#include "compute/cuda_device.h"

#include "compute/gpu_name.h"
#include "util/sync.h"

#ifdef DEPIN_HAVE_CUDA
#include "compute/kernels/cuda_kernels.h"
#endif

namespace depin::compute {

#ifdef DEPIN_HAVE_CUDA

namespace {

Status CudaError(const std::string& what) {
  return Status::Error(StatusKind::kUnavailable, "gpu-cuda-error", what);
}

class CudaDevice final : public Device {
 public:
  explicit CudaDevice(DeviceInfo info) : info_(std::move(info)) {}
  const DeviceInfo& info() const override { return info_; }

  void InjectFaults(int n) override {
    MutexLock lock(mu_);
    faults_ = n;
  }

  Status Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) override {
    if (count == 0) return Status::Ok();
    MutexLock lock(mu_);
    return Check(MaybeFault(),
                 [&] { return cuda::Sha256Batch(Ordinal(), in, msg_len, count, out); });
  }

  Status Sha256Pairs(const uint8_t* in, uint8_t* out, size_t count) override {
    if (count == 0) return Status::Ok();
    MutexLock lock(mu_);
    return Check(MaybeFault(), [&] { return cuda::Sha256Pairs(Ordinal(), in, out, count); });
  }

  Status VerifyPaths(const crypto::MerklePathBatch& b, uint8_t* ok) override {
    if (b.count == 0) return Status::Ok();
    MutexLock lock(mu_);
    return Check(MaybeFault(), [&] {
      return cuda::VerifyPaths(Ordinal(), b.count, b.leaves, b.indices, b.heights,
                               b.sibling_offsets, b.siblings, b.sibling_nodes, b.roots, ok);
    });
  }

  Status BuildTree(const uint8_t* leaves, uint64_t n, uint8_t* out) override {
    if (n < 2 || (n & (n - 1)) != 0) {
      return Status::Error("gpu-bad-tree",
                           std::to_string(n) + " leaves is not a power of two >= 2");
    }
    MutexLock lock(mu_);
    return Check(MaybeFault(), [&] { return cuda::BuildTree(Ordinal(), leaves, n, out); });
  }

  Result<std::optional<uint32_t>> SearchNonce(const uint32_t midstate[8], const uint32_t target[8],
                                              uint32_t start, uint32_t count) override {
    if (count == 0) return std::optional<uint32_t>();
    if (uint64_t{start} + count > (uint64_t{1} << 32)) {
      return Status::Error("gpu-bad-nonce-range", "the range passes 2^32");
    }
    MutexLock lock(mu_);
    int found = 0;
    uint32_t high = 0;
    DEPIN_RETURN_IF_ERROR(Check(MaybeFault(), [&] {
      return cuda::SearchNonce(Ordinal(), midstate, target, start, count, &found, &high);
    }));
    return found != 0 ? std::optional<uint32_t>(high) : std::optional<uint32_t>();
  }

 private:
  int Ordinal() const { return static_cast<int>(info_.index); }

  // The injected fault, as a real failing runtime call; empty when none.
  std::string MaybeFault() REQUIRES(mu_) {
    if (faults_ <= 0) return {};
    --faults_;
    return cuda::FailingCall();
  }

  template <typename Fn>
  Status Check(const std::string& fault, Fn&& fn) {
    if (!fault.empty()) return CudaError(info_.id() + ": " + fault);
    const std::string e = fn();
    return e.empty() ? Status::Ok() : CudaError(info_.id() + ": " + e);
  }

  const DeviceInfo info_;
  Mutex mu_;
  int faults_ GUARDED_BY(mu_) = 0;
};

}  // namespace

bool BuiltWithCuda() { return true; }

std::vector<DeviceInfo> EnumerateCudaDevices(std::vector<std::string>* errors) {
  std::vector<DeviceInfo> out;
  std::string error;
  const int n = cuda::DeviceCount(&error);
  if (!error.empty() && errors != nullptr) errors->push_back("cuda: " + error);
  const std::string driver = n > 0 ? cuda::VersionText() : std::string();
  for (int i = 0; i < n; ++i) {
    cuda::CudaDeviceProps props;
    const std::string e = cuda::DeviceProperties(i, &props);
    if (!e.empty()) {
      if (errors != nullptr) errors->push_back("cuda:" + std::to_string(i) + ": " + e);
      continue;
    }
    DeviceInfo info;
    info.api = GpuApi::kCuda;
    info.index = static_cast<uint32_t>(i);
    info.platform = "CUDA";
    info.vendor = "NVIDIA Corporation";
    info.name = props.name;
    info.model = NormalizeGpuModel(props.name);
    info.vendor_id = NormalizeGpuVendor(info.vendor);
    info.driver = driver + ", sm_" + std::to_string(props.major) + std::to_string(props.minor);
    info.memory_bytes = props.memory_bytes;
    info.max_alloc_bytes = props.memory_bytes;
    info.compute_units = props.multiprocessors;
    info.clock_mhz = props.clock_mhz;
    info.is_gpu = true;
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::unique_ptr<Device>> OpenCudaDevice(const DeviceInfo& info) {
  for (DeviceInfo& d : EnumerateCudaDevices(nullptr)) {
    if (d.index == info.index) return std::unique_ptr<Device>(std::make_unique<CudaDevice>(d));
  }
  return Status::Error(StatusKind::kNotFound, "gpu-no-such-device", info.id() + " is not present");
}

#else  // !DEPIN_HAVE_CUDA

bool BuiltWithCuda() { return false; }

std::vector<DeviceInfo> EnumerateCudaDevices(std::vector<std::string>* errors) {
  if (errors != nullptr) errors->push_back("cuda: this binary was built without CUDA");
  return {};
}

Result<std::unique_ptr<Device>> OpenCudaDevice(const DeviceInfo& info) {
  return Status::Error(StatusKind::kNotFound, "gpu-no-cuda",
                       info.id() + ": this binary was built without CUDA");
}

#endif

}  // namespace depin::compute

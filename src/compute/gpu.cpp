#include "compute/gpu.h"

#include <algorithm>

#include "crypto/sha256.h"
#include "util/logging.h"

namespace depin::compute {

// The device as a crypto::HashBackend: large batches on the device, small
// ones and failed ones on the CPU.
class Gpu::Backend final : public crypto::HashBackend {
 public:
  explicit Backend(Gpu& gpu) : gpu_(gpu), name_(gpu.device()->info().id()) {}

  std::string_view name() const override { return name_; }
  size_t MinDeviceBatch() const override { return std::max<size_t>(gpu_.options().min_batch, 1); }

  void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) const override {
    if (OnDevice(count, "sha256 batch",
                 [&] { return gpu_.device()->Sha256Batch(in, msg_len, count, out); })) {
      return;
    }
    crypto::Sha256Batch(in, msg_len, count, out);
  }

  void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count) const override {
    if (OnDevice(count, "pair batch", [&] { return gpu_.device()->Sha256Pairs(in, out, count); })) {
      return;
    }
    crypto::Sha256PairBatch(in, out, count);
  }

  bool VerifyMerklePaths(const crypto::MerklePathBatch& batch, uint8_t* ok) const override {
    return OnDevice(batch.count, "merkle paths",
                    [&] { return gpu_.device()->VerifyPaths(batch, ok); });
  }

  bool BuildTreeLevels(const uint8_t* leaves, uint64_t n, uint8_t* out) const override {
    return OnDevice(n, "tree", [&] { return gpu_.device()->BuildTree(leaves, n, out); });
  }

 private:
  // Runs `fn` on the device when the batch is large enough; false: the
  // caller does it on the CPU (small batch, or the device failed).
  template <typename Fn>
  bool OnDevice(size_t items, std::string_view job, Fn&& fn) const {
    if (items < MinDeviceBatch()) {
      gpu_.CountCpuBatch();
      return false;
    }
    const Status s = fn();
    if (!s.ok()) {
      gpu_.RecordFailure(job, s);
      return false;
    }
    gpu_.CountDeviceBatch();
    return true;
  }

  Gpu& gpu_;
  const std::string name_;
};

Result<GpuMode> ParseGpuMode(std::string_view text) {
  if (text == "auto") return GpuMode::kAuto;
  if (text == "cuda") return GpuMode::kCuda;
  if (text == "opencl") return GpuMode::kOpenCl;
  if (text == "none") return GpuMode::kNone;
  return Status::Error("gpu-bad-mode",
                       "-gpu=" + std::string(text) + ": expected auto, cuda, opencl or none");
}

std::string_view GpuModeName(GpuMode mode) {
  switch (mode) {
    case GpuMode::kAuto:
      return "auto";
    case GpuMode::kCuda:
      return "cuda";
    case GpuMode::kOpenCl:
      return "opencl";
    case GpuMode::kNone:
      return "none";
  }
  return "auto";
}

namespace {

bool Allowed(GpuMode mode, const DeviceInfo& d) {
  switch (mode) {
    case GpuMode::kAuto:
      return d.api == GpuApi::kCuda || d.is_gpu;
    case GpuMode::kCuda:
      return d.api == GpuApi::kCuda;
    case GpuMode::kOpenCl:
      return d.api == GpuApi::kOpenCl;
    case GpuMode::kNone:
      return false;
  }
  return false;
}

}  // namespace

std::unique_ptr<Gpu> Gpu::Open(const GpuOptions& options) {
  Logger* log = options.logger;
  if (options.mode == GpuMode::kNone) {
    LogInfo(log, LogCategory::kCompute, "gpu: disabled (-gpu=none); hashing runs on the CPU");
    return std::make_unique<Gpu>(options, std::vector<DeviceInfo>(), nullptr, "-gpu=none");
  }
  std::vector<std::string> errors;
  std::vector<DeviceInfo> found = EnumerateDevices(&errors);
  for (const std::string& e : errors) LogDebug(log, LogCategory::kCompute, "gpu: {}", e);
  // The candidates, in the order to try.
  std::vector<DeviceInfo> candidates;
  std::string why;
  if (options.devices.empty()) {
    for (const DeviceInfo& d : found) {
      if (Allowed(options.mode, d)) candidates.push_back(d);
    }
  } else {
    for (const std::string& id : options.devices) {
      auto it = std::find_if(found.begin(), found.end(),
                             [&](const DeviceInfo& d) { return d.id() == id; });
      if (it == found.end()) {
        why += (why.empty() ? "" : "; ") + id + " not found";
      } else if (!Allowed(options.mode, *it) && options.mode != GpuMode::kAuto) {
        why += (why.empty() ? "" : "; ") + id + " is not a " +
               std::string(GpuModeName(options.mode)) + " device";
      } else {
        candidates.push_back(*it);  // named explicitly: CPU devices allowed
      }
    }
  }
  for (const DeviceInfo& d : candidates) {
    auto device = OpenDevice(d);
    if (!device.ok()) {
      why += (why.empty() ? "" : "; ") + d.id() + ": " + device.status().ToString();
      continue;
    }
    LogInfo(log, LogCategory::kCompute,
            "gpu: using {} ({} {}, {} compute units, {} MiB) for batches of at least {}", d.id(),
            d.vendor, d.name, d.compute_units, d.memory_bytes >> 20, options.min_batch);
    return std::make_unique<Gpu>(options, std::move(found), std::move(device).value());
  }
  if (why.empty()) {
    why = "no " +
          std::string(options.mode == GpuMode::kAuto
                          ? "GPU"
                          : std::string(GpuModeName(options.mode)) + " device") +
          " found";
    // What the drivers said, when they said anything (a CUDA driver older
    // than the runtime, a build without CUDA).
    for (const std::string& e : errors) {
      const bool cuda = e.rfind("cuda", 0) == 0;
      if (options.mode == GpuMode::kAuto || (options.mode == GpuMode::kCuda) == cuda) {
        why += "; " + e;
      }
    }
  }
  LogInfo(log, LogCategory::kCompute, "gpu: {}; hashing runs on the CPU", why);
  return std::make_unique<Gpu>(options, std::move(found), nullptr, why);
}

Gpu::Gpu(GpuOptions options, std::vector<DeviceInfo> found, std::unique_ptr<Device> device,
         std::string why_inactive)
    : options_(std::move(options)),
      found_(std::move(found)),
      device_(std::move(device)),
      why_inactive_(device_ != nullptr ? std::string() : std::move(why_inactive)) {
  if (device_ != nullptr) backend_ = std::make_unique<Backend>(*this);
}

Gpu::~Gpu() = default;

const crypto::HashBackend* Gpu::hash_backend() const { return backend_.get(); }

Result<std::optional<uint32_t>> Gpu::SearchNonce(const uint32_t midstate[8],
                                                 const uint32_t target[8], uint32_t start,
                                                 uint32_t count) {
  if (device_ == nullptr) {
    return Status::Error(StatusKind::kUnavailable, "gpu-inactive", "no device is active");
  }
  auto r = device_->SearchNonce(midstate, target, start, count);
  if (!r.ok()) {
    RecordFailure("nonce search", r.status());
  } else {
    CountDeviceBatch();
  }
  return r;
}

GpuCounters Gpu::counters() const {
  MutexLock lock(mu_);
  return counters_;
}

void Gpu::CountDeviceBatch() {
  MutexLock lock(mu_);
  ++counters_.device_batches;
}

void Gpu::CountCpuBatch() {
  MutexLock lock(mu_);
  ++counters_.cpu_batches;
}

void Gpu::RecordFailure(std::string_view job, const Status& error) {
  {
    MutexLock lock(mu_);
    ++counters_.errors;
    ++counters_.fallbacks;
    counters_.last_error = error.ToString();
  }
  LogWarn(options_.logger, LogCategory::kCompute, "gpu: {} failed on {} ({}); redone on the CPU",
          job, device_ != nullptr ? device_->info().id() : std::string("no device"),
          error.ToString());
}

}  // namespace depin::compute

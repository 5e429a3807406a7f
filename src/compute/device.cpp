#include "compute/device.h"

#include <algorithm>

#include "compute/cuda_device.h"
#include "compute/opencl_device.h"

namespace depin::compute {

std::string_view GpuApiName(GpuApi api) { return api == GpuApi::kCuda ? "cuda" : "opencl"; }

std::string DeviceInfo::id() const {
  return std::string(GpuApiName(api)) + ":" + std::to_string(index);
}

std::vector<DeviceInfo> EnumerateDevices(std::vector<std::string>* errors) {
  std::vector<DeviceInfo> out = EnumerateCudaDevices(errors);
  for (DeviceInfo& d : EnumerateOpenClDevices(errors)) out.push_back(std::move(d));
  return out;
}

std::optional<GpuOffer> DetectGpuOffer(const std::vector<DeviceInfo>& devices) {
  const bool any_cuda = std::any_of(devices.begin(), devices.end(),
                                    [](const DeviceInfo& d) { return d.api == GpuApi::kCuda; });
  std::optional<GpuOffer> offer;
  for (const DeviceInfo& d : devices) {
    if (!d.is_gpu || (any_cuda && d.api != GpuApi::kCuda)) continue;
    const uint64_t gib = d.memory_bytes >> 30;
    if (!offer) {
      offer = GpuOffer{d.vendor_id, d.model, 1, gib};
    } else if (d.model == offer->model) {
      ++offer->count;
      offer->vram_gib = std::min(offer->vram_gib, gib);
    }
  }
  return offer;
}

Result<std::unique_ptr<Device>> OpenDevice(const DeviceInfo& info) {
  return info.api == GpuApi::kCuda ? OpenCudaDevice(info) : OpenOpenClDevice(info);
}

}  // namespace depin::compute

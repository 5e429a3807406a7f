#include "compute/device.h"

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

Result<std::unique_ptr<Device>> OpenDevice(const DeviceInfo& info) {
  return info.api == GpuApi::kCuda ? OpenCudaDevice(info) : OpenOpenClDevice(info);
}

}  // namespace depin::compute

// CUDA devices through the runtime API, when depin is built with DEPIN_CUDA
// (nvcc found; kernels/sha256_kernels.cu). Without it, or without a driver or
// device, enumeration gives none and says why.
//
// Thread-safety: as compute/device.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "compute/device.h"

namespace depin::compute {

// Whether this binary carries the CUDA kernels.
bool BuiltWithCuda();

std::vector<DeviceInfo> EnumerateCudaDevices(std::vector<std::string>* errors);

Result<std::unique_ptr<Device>> OpenCudaDevice(const DeviceInfo& info);

}  // namespace depin::compute

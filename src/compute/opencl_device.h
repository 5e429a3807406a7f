// OpenCL devices through the ICD loader (libOpenCL.so): enumeration of every
// platform's devices and a Device that runs the embedded kernels
// (kernels/sha256_kernels.cl with kernels/sha256_core.h, turned into a string
// at build time and compiled at run time for the device).
//
// Thread-safety: as compute/device.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compute/device.h"

namespace depin::compute {

// The OpenCL C source embedded at build time (the core and the kernels).
std::string_view OpenClKernelSource();

// Devices of every OpenCL platform, indexed in ICD order. An ICD loader with
// no platform gives none (and no error line).
std::vector<DeviceInfo> EnumerateOpenClDevices(std::vector<std::string>* errors);

// Opens OpenCL device `info.index` and builds `source` for it. A build
// failure returns "gpu-opencl-build-failed" whose message holds the
// compiler's log.
Result<std::unique_ptr<Device>> OpenOpenClDevice(const DeviceInfo& info,
                                                 std::string_view source = OpenClKernelSource());

}  // namespace depin::compute

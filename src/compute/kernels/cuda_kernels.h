// The host interface of the CUDA kernels (sha256_kernels.cu): plain C++ with
// no CUDA types, so only that file goes through nvcc. Each call selects
// `device`, runs synchronously and returns an empty string on success or
// "<call>: <cudaGetErrorString>" on failure. compute/cuda_device.cpp wraps
// these into a Device; nothing else calls them.
//
// Thread-safety: calls may come from any thread; the caller serializes the
// calls for one device.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace depin::compute::cuda {

struct CudaDeviceProps {
  std::string name;
  uint64_t memory_bytes = 0;
  uint32_t multiprocessors = 0;
  uint32_t clock_mhz = 0;
  int major = 0;
  int minor = 0;
};

// Devices the runtime sees (0 without a driver or device; `error` says why).
int DeviceCount(std::string* error);
std::string DeviceProperties(int device, CudaDeviceProps* props);
// "runtime 13.0, driver 12.8" style text.
std::string VersionText();

std::string Sha256Batch(int device, const uint8_t* in, size_t msg_len, size_t count, uint8_t* out);
std::string Sha256Pairs(int device, const uint8_t* in, uint8_t* out, size_t count);
std::string VerifyPaths(int device, size_t count, const uint8_t* leaves, const uint64_t* indices,
                        const uint32_t* heights, const uint64_t* sibling_offsets,
                        const uint8_t* siblings, size_t sibling_nodes, const uint8_t* roots,
                        uint8_t* ok);
std::string BuildTree(int device, const uint8_t* leaves, uint64_t n, uint8_t* out);
// found: 1 and *nonce_high set when a solution is in the range.
std::string SearchNonce(int device, const uint32_t midstate[8], const uint32_t target[8],
                        uint32_t start, uint32_t count, int* found, uint32_t* nonce_high);
// A real failing runtime call (an invalid device ordinal), for fault tests.
std::string FailingCall();

}  // namespace depin::compute::cuda

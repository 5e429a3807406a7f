// CUDA kernels over the shared SHA-256 core (the same work as
// sha256_kernels.cl) and their synchronous host wrappers (cuda_kernels.h).
#include <cuda_runtime.h>

#include <vector>

#include "compute/kernels/cuda_kernels.h"
#include "compute/kernels/sha256_core.h"

namespace depin::compute::cuda {
namespace {

constexpr int kThreads = 256;

__global__ void Sha256BatchKernel(const sha_u8* in, sha_u64 msg_len, sha_u64 count, sha_u8* out) {
  const sha_u64 i = blockIdx.x * sha_u64{blockDim.x} + threadIdx.x;
  if (i >= count) return;
  sha_u32 h[8];
  sha256_message(in + i * msg_len, msg_len, h);
  sha_store_node(out + i * 32u, h);
}

__global__ void PairsKernel(const sha_u8* in, sha_u8* out, sha_u64 count) {
  const sha_u64 i = blockIdx.x * sha_u64{blockDim.x} + threadIdx.x;
  if (i >= count) return;
  sha_u32 l[8], r[8], h[8];
  sha_load_node(in + i * 64u, l);
  sha_load_node(in + i * 64u + 32u, r);
  sha256_node_hash(l, r, h);
  sha_store_node(out + i * 32u, h);
}

__global__ void VerifyKernel(const sha_u8* leaves, const sha_u64* index, const sha_u32* height,
                             const sha_u64* sib_off, const sha_u8* siblings, const sha_u8* roots,
                             sha_u64 count, sha_u8* ok) {
  const sha_u64 i = blockIdx.x * sha_u64{blockDim.x} + threadIdx.x;
  if (i >= count) return;
  sha_u32 node[8], sib[8], root[8];
  sha_load_node(leaves + i * 32u, node);
  const sha_u64 idx = index[i];
  const sha_u8* s = siblings + sib_off[i] * 32u;
  for (sha_u32 level = 0; level < height[i]; ++level) {
    sha_load_node(s + level * 32u, sib);
    if ((idx >> level) & 1u) {
      sha256_node_hash(sib, node, node);
    } else {
      sha256_node_hash(node, sib, node);
    }
  }
  sha_load_node(roots + i * 32u, root);
  sha_u8 same = 1;
  for (int w = 0; w < 8; ++w) same &= static_cast<sha_u8>(node[w] == root[w]);
  ok[i] = same;
}

__global__ void PowKernel(const sha_u32* midstate, const sha_u32* target, sha_u32 start,
                          sha_u32 count, sha_u32* state) {
  const sha_u32 i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= count) return;
  if (*reinterpret_cast<volatile sha_u32*>(&state[0]) != 0u &&
      *reinterpret_cast<volatile sha_u32*>(&state[1]) < start + i) {
    return;
  }
  sha_u32 mid[8], tgt[8], h[8];
  for (int w = 0; w < 8; ++w) {
    mid[w] = midstate[w];
    tgt[w] = target[w];
  }
  sha256d_header_tail(mid, start + i, h);
  if (sha256_meets_target(h, tgt)) {
    atomicMin(&state[1], start + i);
    atomicExch(&state[0], 1u);
  }
}

std::string Err(const char* call, cudaError_t e) {
  return std::string(call) + ": " + cudaGetErrorString(e);
}

#define DEPIN_CUDA_CHECK(call)                  \
  do {                                          \
    const cudaError_t depin_cuda_err_ = (call); \
    if (depin_cuda_err_ != cudaSuccess) {       \
      return Err(#call, depin_cuda_err_);       \
    }                                           \
  } while (0)

// Device memory freed when it goes out of scope.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  ~DeviceBuffer() {
    if (p_ != nullptr) cudaFree(p_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  std::string Alloc(size_t bytes) {
    DEPIN_CUDA_CHECK(cudaMalloc(&p_, bytes == 0 ? 1 : bytes));
    return {};
  }
  std::string Upload(const void* data, size_t bytes) {
    std::string e = Alloc(bytes);
    if (!e.empty() || bytes == 0) return e;
    DEPIN_CUDA_CHECK(cudaMemcpy(p_, data, bytes, cudaMemcpyHostToDevice));
    return {};
  }
  template <typename T>
  T* as() const {
    return static_cast<T*>(p_);
  }

 private:
  void* p_ = nullptr;
};

unsigned Blocks(sha_u64 items) { return static_cast<unsigned>((items + kThreads - 1) / kThreads); }

std::string Finish(const char* kernel) {
  cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) return Err(kernel, e);
  e = cudaDeviceSynchronize();
  if (e != cudaSuccess) return Err(kernel, e);
  return {};
}

#define DEPIN_TRY(expr)                     \
  do {                                      \
    std::string depin_e_ = (expr);          \
    if (!depin_e_.empty()) return depin_e_; \
  } while (0)

}  // namespace

int DeviceCount(std::string* error) {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    if (error != nullptr) *error = Err("cudaGetDeviceCount", e);
    return 0;
  }
  return n;
}

std::string DeviceProperties(int device, CudaDeviceProps* props) {
  cudaDeviceProp p;
  DEPIN_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  props->name = p.name;
  props->memory_bytes = p.totalGlobalMem;
  props->multiprocessors = static_cast<uint32_t>(p.multiProcessorCount);
  int clock_khz = 0;
  if (cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device) == cudaSuccess) {
    props->clock_mhz = static_cast<uint32_t>(clock_khz / 1000);
  }
  props->major = p.major;
  props->minor = p.minor;
  return {};
}

std::string VersionText() {
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);
  auto text = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
  return "runtime " + text(runtime) + ", driver " + text(driver);
}

std::string Sha256Batch(int device, const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) {
  DEPIN_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer din, dout;
  DEPIN_TRY(din.Upload(in, msg_len * count));
  DEPIN_TRY(dout.Alloc(32 * count));
  Sha256BatchKernel<<<Blocks(count), kThreads>>>(din.as<sha_u8>(), msg_len, count,
                                                 dout.as<sha_u8>());
  DEPIN_TRY(Finish("Sha256BatchKernel"));
  DEPIN_CUDA_CHECK(cudaMemcpy(out, dout.as<void>(), 32 * count, cudaMemcpyDeviceToHost));
  return {};
}

std::string Sha256Pairs(int device, const uint8_t* in, uint8_t* out, size_t count) {
  DEPIN_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer din, dout;
  DEPIN_TRY(din.Upload(in, 64 * count));
  DEPIN_TRY(dout.Alloc(32 * count));
  PairsKernel<<<Blocks(count), kThreads>>>(din.as<sha_u8>(), dout.as<sha_u8>(), count);
  DEPIN_TRY(Finish("PairsKernel"));
  DEPIN_CUDA_CHECK(cudaMemcpy(out, dout.as<void>(), 32 * count, cudaMemcpyDeviceToHost));
  return {};
}

std::string VerifyPaths(int device, size_t count, const uint8_t* leaves, const uint64_t* indices,
                        const uint32_t* heights, const uint64_t* sibling_offsets,
                        const uint8_t* siblings, size_t sibling_nodes, const uint8_t* roots,
                        uint8_t* ok) {
  DEPIN_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer dl, di, dh, doff, ds, dr, dok;
  DEPIN_TRY(dl.Upload(leaves, 32 * count));
  DEPIN_TRY(di.Upload(indices, 8 * count));
  DEPIN_TRY(dh.Upload(heights, 4 * count));
  DEPIN_TRY(doff.Upload(sibling_offsets, 8 * count));
  DEPIN_TRY(ds.Upload(siblings, 32 * sibling_nodes));
  DEPIN_TRY(dr.Upload(roots, 32 * count));
  DEPIN_TRY(dok.Alloc(count));
  VerifyKernel<<<Blocks(count), kThreads>>>(dl.as<sha_u8>(), di.as<sha_u64>(), dh.as<sha_u32>(),
                                            doff.as<sha_u64>(), ds.as<sha_u8>(), dr.as<sha_u8>(),
                                            count, dok.as<sha_u8>());
  DEPIN_TRY(Finish("VerifyKernel"));
  DEPIN_CUDA_CHECK(cudaMemcpy(ok, dok.as<void>(), count, cudaMemcpyDeviceToHost));
  return {};
}

std::string BuildTree(int device, const uint8_t* leaves, uint64_t n, uint8_t* out) {
  DEPIN_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer dleaves, dlevels;
  DEPIN_TRY(dleaves.Upload(leaves, 32 * n));
  DEPIN_TRY(dlevels.Alloc(32 * (n - 1)));
  const sha_u8* in = dleaves.as<sha_u8>();
  sha_u8* levels = dlevels.as<sha_u8>();
  uint64_t out_off = 0;
  for (uint64_t count = n / 2; count >= 1; count /= 2) {
    PairsKernel<<<Blocks(count), kThreads>>>(in, levels + 32 * out_off, count);
    DEPIN_TRY(Finish("PairsKernel"));
    in = levels + 32 * out_off;
    out_off += count;
  }
  DEPIN_CUDA_CHECK(cudaMemcpy(out, levels, 32 * (n - 1), cudaMemcpyDeviceToHost));
  return {};
}

std::string SearchNonce(int device, const uint32_t midstate[8], const uint32_t target[8],
                        uint32_t start, uint32_t count, int* found, uint32_t* nonce_high) {
  DEPIN_CUDA_CHECK(cudaSetDevice(device));
  DeviceBuffer dmid, dtgt, dstate;
  const uint32_t init[2] = {0, 0xffffffffu};
  DEPIN_TRY(dmid.Upload(midstate, 32));
  DEPIN_TRY(dtgt.Upload(target, 32));
  DEPIN_TRY(dstate.Upload(init, sizeof(init)));
  PowKernel<<<Blocks(count), kThreads>>>(dmid.as<sha_u32>(), dtgt.as<sha_u32>(), start, count,
                                         dstate.as<sha_u32>());
  DEPIN_TRY(Finish("PowKernel"));
  uint32_t result[2];
  DEPIN_CUDA_CHECK(cudaMemcpy(result, dstate.as<void>(), sizeof(result), cudaMemcpyDeviceToHost));
  *found = result[0] != 0 ? 1 : 0;
  *nonce_high = result[1];
  return {};
}

std::string FailingCall() {
  DEPIN_CUDA_CHECK(cudaSetDevice(-1));
  return "cudaSetDevice(-1) did not fail";
}

}  // namespace depin::compute::cuda

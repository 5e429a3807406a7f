#include "compute/opencl_device.h"

#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include <algorithm>
#include <cstring>

#include "compute/gpu_name.h"
#include "util/sync.h"

namespace depin::compute {
namespace {

// ICD loaders report "no platform" with this code (cl_khr_icd).
constexpr cl_int kPlatformNotFoundKhr = -1001;

Status ClError(std::string_view call, cl_int err) {
  return Status::Error(StatusKind::kUnavailable, "gpu-opencl-error",
                       std::string(call) + " failed with OpenCL error " + std::to_string(err));
}

#define DEPIN_CL_CHECK(call)                \
  do {                                      \
    const cl_int depin_cl_err_ = (call);    \
    if (depin_cl_err_ != CL_SUCCESS) {      \
      return ClError(#call, depin_cl_err_); \
    }                                       \
  } while (0)

std::string DeviceString(cl_device_id d, cl_device_info what) {
  size_t size = 0;
  if (clGetDeviceInfo(d, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string s(size, '\0');
  if (clGetDeviceInfo(d, what, size, s.data(), nullptr) != CL_SUCCESS) return {};
  while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string PlatformString(cl_platform_id p, cl_platform_info what) {
  size_t size = 0;
  if (clGetPlatformInfo(p, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return {};
  std::string s(size, '\0');
  if (clGetPlatformInfo(p, what, size, s.data(), nullptr) != CL_SUCCESS) return {};
  while (!s.empty() && s.back() == '\0') s.pop_back();
  return s;
}

template <typename T>
T DeviceValue(cl_device_id d, cl_device_info what) {
  T v{};
  if (clGetDeviceInfo(d, what, sizeof(v), &v, nullptr) != CL_SUCCESS) return T{};
  return v;
}

// Every device of every platform, in ICD order; the position is the index.
struct ClDeviceRef {
  cl_platform_id platform;
  cl_device_id device;
};

std::vector<ClDeviceRef> AllDevices(std::string* error) {
  std::vector<ClDeviceRef> out;
  cl_uint np = 0;
  cl_int err = clGetPlatformIDs(0, nullptr, &np);
  if (err == kPlatformNotFoundKhr || np == 0) return out;
  if (err != CL_SUCCESS) {
    if (error != nullptr)
      *error = "clGetPlatformIDs failed with OpenCL error " + std::to_string(err);
    return out;
  }
  std::vector<cl_platform_id> platforms(np);
  if (clGetPlatformIDs(np, platforms.data(), nullptr) != CL_SUCCESS) return out;
  for (cl_platform_id p : platforms) {
    cl_uint nd = 0;
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &nd) != CL_SUCCESS || nd == 0) continue;
    std::vector<cl_device_id> devices(nd);
    if (clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, nd, devices.data(), nullptr) != CL_SUCCESS) continue;
    for (cl_device_id d : devices) out.push_back({p, d});
  }
  return out;
}

DeviceInfo Describe(const ClDeviceRef& ref, uint32_t index) {
  DeviceInfo info;
  info.api = GpuApi::kOpenCl;
  info.index = index;
  info.platform = PlatformString(ref.platform, CL_PLATFORM_NAME);
  info.vendor = DeviceString(ref.device, CL_DEVICE_VENDOR);
  info.name = DeviceString(ref.device, CL_DEVICE_NAME);
  info.model = NormalizeGpuModel(info.name);
  info.vendor_id = NormalizeGpuVendor(info.vendor);
  info.driver = DeviceString(ref.device, CL_DRIVER_VERSION);
  info.memory_bytes = DeviceValue<cl_ulong>(ref.device, CL_DEVICE_GLOBAL_MEM_SIZE);
  info.max_alloc_bytes = DeviceValue<cl_ulong>(ref.device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
  info.compute_units = DeviceValue<cl_uint>(ref.device, CL_DEVICE_MAX_COMPUTE_UNITS);
  info.clock_mhz = DeviceValue<cl_uint>(ref.device, CL_DEVICE_MAX_CLOCK_FREQUENCY);
  const cl_device_type type = DeviceValue<cl_device_type>(ref.device, CL_DEVICE_TYPE);
  info.is_gpu = (type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR)) != 0;
  return info;
}

// A cl_mem released when it goes out of scope.
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(cl_mem m) : mem_(m) {}
  ~Buffer() {
    if (mem_ != nullptr) clReleaseMemObject(mem_);
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& o) noexcept : mem_(o.mem_) { o.mem_ = nullptr; }
  Buffer& operator=(Buffer&& o) noexcept {
    std::swap(mem_, o.mem_);
    return *this;
  }
  cl_mem get() const { return mem_; }
  const cl_mem* ptr() const { return &mem_; }

 private:
  cl_mem mem_ = nullptr;
};

class OpenClDevice final : public Device {
 public:
  OpenClDevice(DeviceInfo info, cl_device_id device) : info_(std::move(info)), device_(device) {}
  ~OpenClDevice() override {
    for (cl_kernel k : {batch_, pairs_, verify_, pow_}) {
      if (k != nullptr) clReleaseKernel(k);
    }
    if (program_ != nullptr) clReleaseProgram(program_);
    if (queue_ != nullptr) clReleaseCommandQueue(queue_);
    if (context_ != nullptr) clReleaseContext(context_);
  }

  Status Init(std::string_view source) {
    cl_int err = CL_SUCCESS;
    context_ = clCreateContext(nullptr, 1, &device_, nullptr, nullptr, &err);
    if (err != CL_SUCCESS) return ClError("clCreateContext", err);
    queue_ = clCreateCommandQueue(context_, device_, 0, &err);
    if (err != CL_SUCCESS) return ClError("clCreateCommandQueue", err);
    const char* text = source.data();
    const size_t length = source.size();
    program_ = clCreateProgramWithSource(context_, 1, &text, &length, &err);
    if (err != CL_SUCCESS) return ClError("clCreateProgramWithSource", err);
    err = clBuildProgram(program_, 1, &device_, "-cl-std=CL1.2", nullptr, nullptr);
    if (err != CL_SUCCESS) {
      size_t size = 0;
      clGetProgramBuildInfo(program_, device_, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size);
      std::string log(size, '\0');
      if (size > 0) {
        clGetProgramBuildInfo(program_, device_, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
      }
      while (!log.empty() && log.back() == '\0') log.pop_back();
      return Status::Error(StatusKind::kUnavailable, "gpu-opencl-build-failed",
                           info_.id() + " (" + info_.name + "): OpenCL error " +
                               std::to_string(err) + "; build log:\n" + log);
    }
    for (auto [name, slot] :
         {std::pair{"sha256_batch", &batch_}, std::pair{"sha256_pairs", &pairs_},
          std::pair{"merkle_verify", &verify_}, std::pair{"pow_search", &pow_}}) {
      *slot = clCreateKernel(program_, name, &err);
      if (err != CL_SUCCESS) return ClError(std::string("clCreateKernel ") + name, err);
    }
    return Status::Ok();
  }

  const DeviceInfo& info() const override { return info_; }

  void InjectFaults(int n) override {
    MutexLock lock(mu_);
    faults_ = n;
  }

  Status Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) override {
    if (count == 0) return Status::Ok();
    MutexLock lock(mu_);
    DEPIN_RETURN_IF_ERROR(MaybeFault());
    Buffer din, dout;
    DEPIN_RETURN_IF_ERROR(Upload(in, msg_len * count, &din));
    DEPIN_RETURN_IF_ERROR(Alloc(32 * count, &dout));
    const cl_ulong len = msg_len, n = count;
    DEPIN_CL_CHECK(clSetKernelArg(batch_, 0, sizeof(cl_mem), din.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(batch_, 1, sizeof(len), &len));
    DEPIN_CL_CHECK(clSetKernelArg(batch_, 2, sizeof(n), &n));
    DEPIN_CL_CHECK(clSetKernelArg(batch_, 3, sizeof(cl_mem), dout.ptr()));
    DEPIN_RETURN_IF_ERROR(Launch(batch_, count));
    return Download(dout, 32 * count, out);
  }

  Status Sha256Pairs(const uint8_t* in, uint8_t* out, size_t count) override {
    if (count == 0) return Status::Ok();
    MutexLock lock(mu_);
    DEPIN_RETURN_IF_ERROR(MaybeFault());
    Buffer din, dout;
    DEPIN_RETURN_IF_ERROR(Upload(in, 64 * count, &din));
    DEPIN_RETURN_IF_ERROR(Alloc(32 * count, &dout));
    DEPIN_RETURN_IF_ERROR(PairsLevel(din, 0, dout, 0, count));
    return Download(dout, 32 * count, out);
  }

  Status VerifyPaths(const crypto::MerklePathBatch& b, uint8_t* ok) override {
    if (b.count == 0) return Status::Ok();
    MutexLock lock(mu_);
    DEPIN_RETURN_IF_ERROR(MaybeFault());
    Buffer leaves, index, height, offsets, siblings, roots, result;
    DEPIN_RETURN_IF_ERROR(Upload(b.leaves, 32 * b.count, &leaves));
    DEPIN_RETURN_IF_ERROR(Upload(b.indices, 8 * b.count, &index));
    DEPIN_RETURN_IF_ERROR(Upload(b.heights, 4 * b.count, &height));
    DEPIN_RETURN_IF_ERROR(Upload(b.sibling_offsets, 8 * b.count, &offsets));
    // A batch of paths of height 0 has no siblings; keep the buffer valid.
    static const uint8_t kNone[32] = {};
    DEPIN_RETURN_IF_ERROR(b.sibling_nodes > 0 ? Upload(b.siblings, 32 * b.sibling_nodes, &siblings)
                                              : Upload(kNone, 32, &siblings));
    DEPIN_RETURN_IF_ERROR(Upload(b.roots, 32 * b.count, &roots));
    DEPIN_RETURN_IF_ERROR(Alloc(b.count, &result));
    const cl_ulong n = b.count;
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 0, sizeof(cl_mem), leaves.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 1, sizeof(cl_mem), index.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 2, sizeof(cl_mem), height.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 3, sizeof(cl_mem), offsets.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 4, sizeof(cl_mem), siblings.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 5, sizeof(cl_mem), roots.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 6, sizeof(n), &n));
    DEPIN_CL_CHECK(clSetKernelArg(verify_, 7, sizeof(cl_mem), result.ptr()));
    DEPIN_RETURN_IF_ERROR(Launch(verify_, b.count));
    return Download(result, b.count, ok);
  }

  Status BuildTree(const uint8_t* leaves, uint64_t n, uint8_t* out) override {
    if (n < 2 || (n & (n - 1)) != 0) {
      return Status::Error("gpu-bad-tree",
                           std::to_string(n) + " leaves is not a power of two >= 2");
    }
    MutexLock lock(mu_);
    DEPIN_RETURN_IF_ERROR(MaybeFault());
    Buffer dleaves, dlevels;
    DEPIN_RETURN_IF_ERROR(Upload(leaves, 32 * n, &dleaves));
    DEPIN_RETURN_IF_ERROR(Alloc(32 * (n - 1), &dlevels));
    // Level l (>= 1) starts at node n - n / 2^(l-1) of the interior.
    uint64_t in_off = 0, out_off = 0;
    const Buffer* in = &dleaves;
    for (uint64_t count = n / 2; count >= 1; count /= 2) {
      DEPIN_RETURN_IF_ERROR(PairsLevel(*in, in_off * 32, dlevels, out_off * 32, count));
      in = &dlevels;
      in_off = out_off;
      out_off += count;
    }
    return Download(dlevels, 32 * (n - 1), out);
  }

  Result<std::optional<uint32_t>> SearchNonce(const uint32_t midstate[8], const uint32_t target[8],
                                              uint32_t start, uint32_t count) override {
    if (count == 0) return std::optional<uint32_t>();
    if (uint64_t{start} + count > (uint64_t{1} << 32)) {
      return Status::Error("gpu-bad-nonce-range", "the range passes 2^32");
    }
    MutexLock lock(mu_);
    DEPIN_RETURN_IF_ERROR(MaybeFault());
    Buffer mid, tgt, state;
    const uint32_t init[2] = {0, 0xffffffffu};
    DEPIN_RETURN_IF_ERROR(Upload(midstate, 32, &mid));
    DEPIN_RETURN_IF_ERROR(Upload(target, 32, &tgt));
    DEPIN_RETURN_IF_ERROR(Upload(init, sizeof(init), &state));
    DEPIN_CL_CHECK(clSetKernelArg(pow_, 0, sizeof(cl_mem), mid.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(pow_, 1, sizeof(cl_mem), tgt.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(pow_, 2, sizeof(start), &start));
    DEPIN_CL_CHECK(clSetKernelArg(pow_, 3, sizeof(count), &count));
    DEPIN_CL_CHECK(clSetKernelArg(pow_, 4, sizeof(cl_mem), state.ptr()));
    DEPIN_RETURN_IF_ERROR(Launch(pow_, count));
    uint32_t result[2];
    DEPIN_RETURN_IF_ERROR(Download(state, sizeof(result), reinterpret_cast<uint8_t*>(result)));
    if (result[0] == 0) return std::optional<uint32_t>();
    return std::optional<uint32_t>(result[1]);
  }

 private:
  Status MaybeFault() REQUIRES(mu_) {
    if (faults_ <= 0) return Status::Ok();
    --faults_;
    // A real failing call: reading past the end of a buffer.
    Buffer small;
    DEPIN_RETURN_IF_ERROR(Alloc(32, &small));
    uint8_t sink[64];
    DEPIN_CL_CHECK(clEnqueueReadBuffer(queue_, small.get(), CL_TRUE, 0, sizeof(sink), sink, 0,
                                       nullptr, nullptr));
    return Status::Error(StatusKind::kUnavailable, "gpu-opencl-error",
                         "injected fault did not fail");
  }

  Status Alloc(size_t bytes, Buffer* out) REQUIRES(mu_) {
    cl_int err = CL_SUCCESS;
    cl_mem m =
        clCreateBuffer(context_, CL_MEM_READ_WRITE, std::max<size_t>(bytes, 1), nullptr, &err);
    if (err != CL_SUCCESS) return ClError("clCreateBuffer", err);
    *out = Buffer(m);
    return Status::Ok();
  }

  Status Upload(const void* data, size_t bytes, Buffer* out) REQUIRES(mu_) {
    DEPIN_RETURN_IF_ERROR(Alloc(bytes, out));
    if (bytes == 0) return Status::Ok();
    DEPIN_CL_CHECK(
        clEnqueueWriteBuffer(queue_, out->get(), CL_FALSE, 0, bytes, data, 0, nullptr, nullptr));
    return Status::Ok();
  }

  Status Download(const Buffer& from, size_t bytes, uint8_t* out) REQUIRES(mu_) {
    DEPIN_CL_CHECK(
        clEnqueueReadBuffer(queue_, from.get(), CL_TRUE, 0, bytes, out, 0, nullptr, nullptr));
    return Status::Ok();
  }

  Status Launch(cl_kernel kernel, size_t items) REQUIRES(mu_) {
    const size_t global = items;
    DEPIN_CL_CHECK(
        clEnqueueNDRangeKernel(queue_, kernel, 1, nullptr, &global, nullptr, 0, nullptr, nullptr));
    return Status::Ok();
  }

  Status PairsLevel(const Buffer& in, uint64_t in_off, const Buffer& out, uint64_t out_off,
                    uint64_t count) REQUIRES(mu_) {
    const cl_ulong io = in_off, oo = out_off, n = count;
    DEPIN_CL_CHECK(clSetKernelArg(pairs_, 0, sizeof(cl_mem), in.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(pairs_, 1, sizeof(io), &io));
    DEPIN_CL_CHECK(clSetKernelArg(pairs_, 2, sizeof(cl_mem), out.ptr()));
    DEPIN_CL_CHECK(clSetKernelArg(pairs_, 3, sizeof(oo), &oo));
    DEPIN_CL_CHECK(clSetKernelArg(pairs_, 4, sizeof(n), &n));
    return Launch(pairs_, count);
  }

  const DeviceInfo info_;
  cl_device_id device_;
  Mutex mu_;
  cl_context context_ = nullptr;
  cl_command_queue queue_ = nullptr;
  cl_program program_ = nullptr;
  cl_kernel batch_ = nullptr;
  cl_kernel pairs_ = nullptr;
  cl_kernel verify_ = nullptr;
  cl_kernel pow_ = nullptr;
  int faults_ GUARDED_BY(mu_) = 0;
};

}  // namespace

std::vector<DeviceInfo> EnumerateOpenClDevices(std::vector<std::string>* errors) {
  std::string error;
  std::vector<ClDeviceRef> refs = AllDevices(&error);
  if (!error.empty() && errors != nullptr) errors->push_back("opencl: " + error);
  std::vector<DeviceInfo> out;
  for (size_t i = 0; i < refs.size(); ++i)
    out.push_back(Describe(refs[i], static_cast<uint32_t>(i)));
  return out;
}

Result<std::unique_ptr<Device>> OpenOpenClDevice(const DeviceInfo& info, std::string_view source) {
  std::vector<ClDeviceRef> refs = AllDevices(nullptr);
  if (info.api != GpuApi::kOpenCl || info.index >= refs.size()) {
    return Status::Error(StatusKind::kNotFound, "gpu-no-such-device",
                         info.id() + " is not present");
  }
  auto device = std::make_unique<OpenClDevice>(Describe(refs[info.index], info.index),
                                               refs[info.index].device);
  DEPIN_RETURN_IF_ERROR(device->Init(source));
  return std::unique_ptr<Device>(std::move(device));
}

}  // namespace depin::compute

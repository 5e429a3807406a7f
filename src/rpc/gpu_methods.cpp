// GPU RPC methods: what the device layer found and what it is doing
// (compute/gpu.h).
#include "compute/cuda_device.h"
#include "compute/gpu.h"
#include "rpc/node_methods.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;

RpcResult GetGpuInfo(const NodeRpcContext& ctx) {
  if (ctx.gpu == nullptr) return RpcError::Internal("node is starting");
  const compute::Gpu& gpu = *ctx.gpu;
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("mode", Str(compute::GpuModeName(gpu.options().mode), a), a);
  doc.AddMember("cudabuilt", compute::BuiltWithCuda(), a);
  doc.AddMember("active", gpu.active(), a);
  const std::string active_id = gpu.active() ? gpu.device()->info().id() : std::string();
  doc.AddMember("device", gpu.active() ? Str(active_id, a) : Value(), a);
  doc.AddMember("reason", Str(gpu.why_inactive(), a), a);
  doc.AddMember("minbatch", static_cast<uint64_t>(gpu.options().min_batch), a);
  Value paths(rapidjson::kObjectType);
  paths.AddMember("proofchecks", gpu.active(), a);
  paths.AddMember("sealing", gpu.active(), a);
  paths.AddMember("mining", gpu.active() && ctx.gpu_mining, a);
  doc.AddMember("paths", paths, a);
  Value devices(rapidjson::kArrayType);
  for (const compute::DeviceInfo& d : gpu.devices_found()) {
    Value o(rapidjson::kObjectType);
    o.AddMember("id", Str(d.id(), a), a);
    o.AddMember("api", Str(compute::GpuApiName(d.api), a), a);
    o.AddMember("platform", Str(d.platform, a), a);
    o.AddMember("vendor", Str(d.vendor, a), a);
    o.AddMember("vendorid", Str(d.vendor_id, a), a);
    o.AddMember("name", Str(d.name, a), a);
    o.AddMember("model", Str(d.model, a), a);
    o.AddMember("vrambytes", d.memory_bytes, a);
    o.AddMember("computeunits", d.compute_units, a);
    o.AddMember("clockmhz", d.clock_mhz, a);
    o.AddMember("driver", Str(d.driver, a), a);
    o.AddMember("isgpu", d.is_gpu, a);
    o.AddMember("active", d.id() == active_id, a);
    devices.PushBack(o, a);
  }
  doc.AddMember("devices", devices, a);
  const compute::GpuCounters c = gpu.counters();
  Value counters(rapidjson::kObjectType);
  counters.AddMember("devicebatches", c.device_batches, a);
  counters.AddMember("cpubatches", c.cpu_batches, a);
  counters.AddMember("fallbacks", c.fallbacks, a);
  counters.AddMember("errors", c.errors, a);
  counters.AddMember("lasterror", Str(c.last_error, a), a);
  doc.AddMember("counters", counters, a);
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable GpuRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"gpu", {}};
  const NodeRpcContext* c = &ctx;
  t.methods.push_back(RpcMethod{
      .name = "getgpuinfo",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Returns the devices the node found (CUDA and OpenCL), the one doing its batch "
              "hashing (-gpu, -gpudevices), which paths use it, and counters of batches done on "
              "the device, on the CPU (under -gpuminbatch), and of device errors redone on the "
              "CPU.",
      .result = "object: mode, cudabuilt, active, device (id or null), reason (why none is "
                "active), minbatch, paths {proofchecks, sealing, mining}, devices [{id, api, "
                "platform, vendor, vendorid, name, model (normalized as the compute market "
                "stores it), vrambytes, computeunits, clockmhz, driver, isgpu, active}], "
                "counters {devicebatches, cpubatches, fallbacks, errors, lasterror}",
      .handler = [c](const RpcRequest&) { return GetGpuInfo(*c); }});
  return t;
}

}  // namespace depin

// A compute provider's attributes and an order's spec, as the compute market
// (market/compute_market.h) reads them, and the GPU name normalizer that
// makes one model read the same whichever tool reported it.
//
// Attributes (registerProvider, updateAttributes) are one string:
//   attributes := entry (";" entry)*        entry := key "=" value
//   key   : 1..32 of [A-Za-z0-9._-]         value : 1..64 printable ASCII but ";" "=" ","
// at most 32 entries, keys unique. Required: gpu.vendor, gpu.model,
// gpu.count (1..1024), gpu.vramGiB (1..65536), gpu.interface (pcie | sxm);
// region and any other key are free-form. gpu.vendor and gpu.model are
// stored normalized; the canonical form lists entries sorted by key.
//
// Spec (createOrder; the listProviders filter) is one string:
//   spec := clause (";" clause)*            clause := key "=" value
//   model=<m1>,<m2>,...  accepted GPU models (normalized), any of them
//   vendor=<v>           the GPU vendor (normalized)
//   vram=<GiB>           least VRAM per GPU
//   count=<n>            GPUs wanted (1..1024, default 1)
//   interface=pcie|sxm   the GPU interface
//   region=<r>           the provider's region attribute
//   <other key>=<v>      the provider's attribute <other key> equals <v>
// An order's spec names model or vendor (or both). Clauses are checked in
// the order vendor, model, count (free GPUs), vram, interface, region, the
// others by key; explainOrder reports the first that fails.
//
// GPU names are normalized by compute/gpu_name.h (shared with the device
// layer, so getgpuinfo reports the names a provider registers).
//
// Thread-safety: plain functions and values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compute/gpu_name.h"
#include "util/status.h"

namespace depin::market {

inline constexpr size_t kMaxAttributes = 32;
inline constexpr size_t kMaxAttributeKeyBytes = 32;
inline constexpr size_t kMaxAttributeValueBytes = 64;
inline constexpr size_t kMaxAttributesBytes = 2048;
inline constexpr size_t kMaxSpecBytes = 1024;
inline constexpr uint64_t kMaxGpuCount = 1024;
inline constexpr uint64_t kMaxVramGiB = 65536;

using compute::NormalizeGpuModel;
using compute::NormalizeGpuVendor;

// Sorted by key, keys unique.
using Attributes = std::vector<std::pair<std::string, std::string>>;

// Parses and checks a provider's attributes ("compute-bad-attributes").
Result<Attributes> ParseAttributes(std::string_view text);
std::string FormatAttributes(const Attributes& attributes);
// The value of `key`, if present.
std::optional<std::string> AttributeValue(const Attributes& attributes, std::string_view key);
// gpu.count and gpu.vramGiB of checked attributes.
uint64_t GpuCount(const Attributes& attributes);

struct OrderSpec {
  std::vector<std::string> models;  // normalized; empty: any model of `vendor`
  std::string vendor;               // normalized; empty: any
  uint64_t min_vram_gib = 0;
  uint64_t count = 1;
  std::string interface;  // empty: any
  std::string region;     // empty: any
  Attributes others;      // exact matches, sorted by key
};

// Parses a spec ("compute-bad-spec"). `need_gpu`: an order's spec must name
// a model or a vendor; a filter need not.
Result<OrderSpec> ParseSpec(std::string_view text, bool need_gpu);
std::string FormatSpec(const OrderSpec& spec);
// The attribute keys the spec reads (an auditor's attestation must cover them).
std::vector<std::string> SpecKeys(const OrderSpec& spec);
// The first clause the provider fails, in words ("count: wants 4 free GPUs,
// has 2"); nullopt when it matches. `free_gpus` is gpu.count minus the GPUs
// under active leases.
std::optional<std::string> FirstFailedClause(const OrderSpec& spec, const Attributes& attributes,
                                             uint64_t free_gpus);

}  // namespace depin::market

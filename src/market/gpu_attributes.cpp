#include "market/gpu_attributes.h"

#include <algorithm>
#include <array>

namespace depin::market {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCase(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(Lower(c));
  return out;
}

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool ValidKey(std::string_view k) {
  if (k.empty() || k.size() > kMaxAttributeKeyBytes) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '.' || c == '_' || c == '-';
  });
}

bool ValidValue(std::string_view v) {
  if (v.empty() || v.size() > kMaxAttributeValueBytes) return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != ';' && c != '=' && c != ',';
  });
}

// A decimal in [lo, hi] without sign or leading zeros.
std::optional<uint64_t> Decimal(std::string_view s, uint64_t lo, uint64_t hi) {
  if (s.empty() || s.size() > 19 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v < lo || v > hi) return std::nullopt;
  return v;
}

Status Bad(std::string_view rule, std::string message) {
  return Status::Error(std::string(rule), std::move(message));
}

// key=value entries separated by ';', as both grammars write them.
Result<std::vector<std::pair<std::string, std::string>>> Entries(std::string_view text,
                                                                 std::string_view rule,
                                                                 bool value_lists) {
  std::vector<std::pair<std::string, std::string>> out;
  if (text.empty()) return out;
  for (const std::string& entry : Split(text, ';')) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos) return Bad(rule, "'" + entry + "' is not key=value");
    std::string key = entry.substr(0, eq);
    std::string value = entry.substr(eq + 1);
    if (!ValidKey(key)) return Bad(rule, "bad key '" + key + "'");
    for (const std::string& part : value_lists ? Split(value, ',') : std::vector{value}) {
      if (!ValidValue(part)) return Bad(rule, "bad value for " + key);
    }
    for (const auto& [k, v] : out) {
      if (k == key) return Bad(rule, "key " + key + " given twice");
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

std::string JoinModels(const std::vector<std::string>& models) {
  std::string out;
  for (const std::string& m : models) out += (out.empty() ? "" : ",") + m;
  return out;
}

}  // namespace

Result<Attributes> ParseAttributes(std::string_view text) {
  constexpr std::string_view kRule = "compute-bad-attributes";
  if (text.size() > kMaxAttributesBytes) {
    return Bad(kRule, "attributes longer than " + std::to_string(kMaxAttributesBytes) + " bytes");
  }
  auto entries = Entries(text, kRule, /*value_lists=*/false);
  if (!entries.ok()) return entries.status();
  if (entries->size() > kMaxAttributes) {
    return Bad(kRule, "more than " + std::to_string(kMaxAttributes) + " attributes");
  }
  Attributes attrs = std::move(entries).value();
  for (auto& [key, value] : attrs) {
    if (key == "gpu.model") value = NormalizeGpuModel(value);
    if (key == "gpu.vendor") value = NormalizeGpuVendor(value);
    if (key == "gpu.interface") value = LowerCase(value);
    if (value.empty()) return Bad(kRule, key + " normalizes to nothing");
  }
  std::sort(attrs.begin(), attrs.end());
  for (std::string_view required :
       {"gpu.vendor", "gpu.model", "gpu.count", "gpu.vramGiB", "gpu.interface"}) {
    if (!AttributeValue(attrs, required)) return Bad(kRule, std::string(required) + " is missing");
  }
  if (!Decimal(*AttributeValue(attrs, "gpu.count"), 1, kMaxGpuCount)) {
    return Bad(kRule, "gpu.count is not a number in 1.." + std::to_string(kMaxGpuCount));
  }
  if (!Decimal(*AttributeValue(attrs, "gpu.vramGiB"), 1, kMaxVramGiB)) {
    return Bad(kRule, "gpu.vramGiB is not a number in 1.." + std::to_string(kMaxVramGiB));
  }
  const std::string iface = *AttributeValue(attrs, "gpu.interface");
  if (iface != "pcie" && iface != "sxm") return Bad(kRule, "gpu.interface is pcie or sxm");
  return attrs;
}

std::string FormatAttributes(const Attributes& attributes) {
  std::string out;
  for (const auto& [k, v] : attributes) {
    if (!out.empty()) out.push_back(';');
    out += k + "=" + v;
  }
  return out;
}

std::optional<std::string> AttributeValue(const Attributes& attributes, std::string_view key) {
  for (const auto& [k, v] : attributes) {
    if (k == key) return v;
  }
  return std::nullopt;
}

uint64_t GpuCount(const Attributes& attributes) {
  auto v = AttributeValue(attributes, "gpu.count");
  if (!v) return 0;
  return Decimal(*v, 0, kMaxGpuCount).value_or(0);
}

Result<OrderSpec> ParseSpec(std::string_view text, bool need_gpu) {
  constexpr std::string_view kRule = "compute-bad-spec";
  if (text.size() > kMaxSpecBytes) {
    return Bad(kRule, "spec longer than " + std::to_string(kMaxSpecBytes) + " bytes");
  }
  auto entries = Entries(text, kRule, /*value_lists=*/true);
  if (!entries.ok()) return entries.status();
  if (entries->size() > kMaxAttributes) {
    return Bad(kRule, "more than " + std::to_string(kMaxAttributes) + " clauses");
  }
  OrderSpec spec;
  for (const auto& [key, value] : *entries) {
    const bool list = value.find(',') != std::string::npos;
    if (list && key != "model") return Bad(kRule, key + " takes one value");
    if (key == "model") {
      for (const std::string& m : Split(value, ',')) {
        std::string n = NormalizeGpuModel(m);
        if (n.empty()) return Bad(kRule, "model '" + m + "' normalizes to nothing");
        if (std::find(spec.models.begin(), spec.models.end(), n) == spec.models.end()) {
          spec.models.push_back(std::move(n));
        }
      }
      if (spec.models.size() > kMaxAttributes) return Bad(kRule, "too many models");
    } else if (key == "vendor") {
      spec.vendor = NormalizeGpuVendor(value);
      if (spec.vendor.empty()) return Bad(kRule, "vendor normalizes to nothing");
    } else if (key == "vram") {
      auto v = Decimal(value, 0, kMaxVramGiB);
      if (!v) return Bad(kRule, "vram is GiB in 0.." + std::to_string(kMaxVramGiB));
      spec.min_vram_gib = *v;
    } else if (key == "count") {
      auto v = Decimal(value, 1, kMaxGpuCount);
      if (!v) return Bad(kRule, "count is a number in 1.." + std::to_string(kMaxGpuCount));
      spec.count = *v;
    } else if (key == "interface") {
      spec.interface = LowerCase(value);
      if (spec.interface != "pcie" && spec.interface != "sxm") {
        return Bad(kRule, "interface is pcie or sxm");
      }
    } else if (key == "region") {
      spec.region = value;
    } else if (key.rfind("gpu.", 0) == 0) {
      return Bad(kRule, key + " is not a clause: use model, vendor, vram, count or interface");
    } else {
      spec.others.emplace_back(key, value);
    }
  }
  std::sort(spec.others.begin(), spec.others.end());
  if (need_gpu && spec.models.empty() && spec.vendor.empty()) {
    return Bad(kRule, "the spec names no model and no vendor");
  }
  return spec;
}

std::string FormatSpec(const OrderSpec& spec) {
  std::vector<std::string> clauses;
  if (!spec.vendor.empty()) clauses.push_back("vendor=" + spec.vendor);
  if (!spec.models.empty()) {
    clauses.push_back("model=" + JoinModels(spec.models));
  }
  clauses.push_back("count=" + std::to_string(spec.count));
  if (spec.min_vram_gib != 0) clauses.push_back("vram=" + std::to_string(spec.min_vram_gib));
  if (!spec.interface.empty()) clauses.push_back("interface=" + spec.interface);
  if (!spec.region.empty()) clauses.push_back("region=" + spec.region);
  for (const auto& [k, v] : spec.others) clauses.push_back(k + "=" + v);
  std::string out;
  for (const std::string& c : clauses) out += (out.empty() ? "" : ";") + c;
  return out;
}

std::vector<std::string> SpecKeys(const OrderSpec& spec) {
  std::vector<std::string> keys;
  if (!spec.vendor.empty()) keys.push_back("gpu.vendor");
  if (!spec.models.empty()) keys.push_back("gpu.model");
  keys.push_back("gpu.count");
  if (spec.min_vram_gib != 0) keys.push_back("gpu.vramGiB");
  if (!spec.interface.empty()) keys.push_back("gpu.interface");
  if (!spec.region.empty()) keys.push_back("region");
  for (const auto& [k, v] : spec.others) keys.push_back(k);
  return keys;
}

std::optional<std::string> FirstFailedClause(const OrderSpec& spec, const Attributes& attributes,
                                             uint64_t free_gpus) {
  auto has = [&](std::string_view key) { return AttributeValue(attributes, key).value_or(""); };
  if (!spec.vendor.empty() && has("gpu.vendor") != spec.vendor) {
    return "vendor: wants " + spec.vendor + ", has " + has("gpu.vendor");
  }
  if (!spec.models.empty() &&
      std::find(spec.models.begin(), spec.models.end(), has("gpu.model")) == spec.models.end()) {
    return "model: wants one of " + JoinModels(spec.models) + ", has " + has("gpu.model");
  }
  if (free_gpus < spec.count) {
    return "count: wants " + std::to_string(spec.count) + " free GPUs, has " +
           std::to_string(free_gpus);
  }
  const uint64_t vram = Decimal(has("gpu.vramGiB"), 0, kMaxVramGiB).value_or(0);
  if (vram < spec.min_vram_gib) {
    return "vram: wants " + std::to_string(spec.min_vram_gib) + " GiB, has " + std::to_string(vram);
  }
  if (!spec.interface.empty() && has("gpu.interface") != spec.interface) {
    return "interface: wants " + spec.interface + ", has " + has("gpu.interface");
  }
  if (!spec.region.empty() && has("region") != spec.region) {
    return "region: wants " + spec.region + ", has " +
           (has("region").empty() ? std::string("none") : has("region"));
  }
  for (const auto& [k, v] : spec.others) {
    if (has(k) != v) {
      return k + ": wants " + v + ", has " + (has(k).empty() ? std::string("none") : has(k));
    }
  }
  return std::nullopt;
}

}  // namespace depin::market

#include "market/gpu_attributes.h"

#include <gtest/gtest.h>

namespace depin::market {
namespace {

TEST(GpuAttributes, OneModelReadsTheSameFromEveryTool) {
  // CUDA's name, OpenCL's board name, a hand-written list.
  for (const char* name : {"NVIDIA GeForce RTX 4090", "GeForce RTX 4090", "rtx4090", "RTX-4090",
                           "rtx 4090", "NVIDIA RTX4090"}) {
    EXPECT_EQ(NormalizeGpuModel(name), "rtx-4090") << name;
  }
  EXPECT_EQ(NormalizeGpuModel("NVIDIA A100-SXM4-80GB"), "a100-sxm-4-80gb");
  EXPECT_EQ(NormalizeGpuModel("A100 SXM4 80 GB"), "a100-sxm-4-80gb");
  EXPECT_EQ(NormalizeGpuModel("Tesla V100-PCIE-16GB"), "v100-pcie-16gb");
  EXPECT_EQ(NormalizeGpuModel("NVIDIA H100 80GB HBM3"), "h100-80gb-hbm-3");
  EXPECT_EQ(NormalizeGpuModel("AMD Radeon(TM) RX 7900 XTX"), "rx-7900-xtx");
  EXPECT_EQ(NormalizeGpuModel("GeForce RTX 4090 Ti"), NormalizeGpuModel("rtx4090ti"));
  EXPECT_EQ(NormalizeGpuModel("NVIDIA"), "");
  // Idempotent: a normalized name normalizes to itself.
  for (const char* n : {"rtx-4090", "a100-sxm-4-80gb", "h100-80gb-hbm-3", "rx-7900-xtx"}) {
    EXPECT_EQ(NormalizeGpuModel(n), n);
  }
}

TEST(GpuAttributes, VendorsNormalize) {
  EXPECT_EQ(NormalizeGpuVendor("NVIDIA Corporation"), "nvidia");
  EXPECT_EQ(NormalizeGpuVendor("Advanced Micro Devices, Inc."), "amd");
  EXPECT_EQ(NormalizeGpuVendor("AMD"), "amd");
  EXPECT_EQ(NormalizeGpuVendor("Intel(R) Corporation"), "intel");
  EXPECT_EQ(NormalizeGpuVendor("Moore Threads"), "moore-threads");
}

const char* kGood =
    "gpu.vendor=NVIDIA;gpu.model=GeForce RTX 4090;gpu.count=8;gpu.vramGiB=24;gpu.interface=PCIe;"
    "region=eu-west;tier=gold";

TEST(GpuAttributes, ParseChecksAndCanonicalizes) {
  auto a = ParseAttributes(kGood);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(FormatAttributes(*a),
            "gpu.count=8;gpu.interface=pcie;gpu.model=rtx-4090;gpu.vendor=nvidia;gpu.vramGiB=24;"
            "region=eu-west;tier=gold");
  EXPECT_EQ(GpuCount(*a), 8u);
  // The canonical form parses to itself.
  EXPECT_EQ(FormatAttributes(*ParseAttributes(FormatAttributes(*a))), FormatAttributes(*a));
}

TEST(GpuAttributes, BadAttributesAreRefused) {
  const std::string base = "gpu.vendor=nvidia;gpu.model=rtx4090;gpu.vramGiB=24;gpu.interface=sxm";
  for (const std::string& bad : std::vector<std::string>{
           "", base,  // no gpu.count
           base + ";gpu.count=0", base + ";gpu.count=1025", base + ";gpu.count=08",
           base + ";gpu.count=x", base + ";gpu.count=2;gpu.count=2",    // duplicate
           base + ";gpu.count=2;bad key=v", base + ";gpu.count=2;k=",   // empty value
           base + ";gpu.count=2;k=a,b", base + ";gpu.count=2;novalue",  // list, no '='
           base + ";gpu.count=2;k=" + std::string(65, 'v'),
           base + ";gpu.count=2;" + std::string(33, 'k') + "=v",
           "gpu.vendor=nvidia;gpu.model=rtx4090;gpu.vramGiB=24;gpu.interface=nvlink;gpu.count=1",
           "gpu.vendor=nvidia;gpu.model=NVIDIA;gpu.vramGiB=24;gpu.interface=sxm;gpu.count=1",
           "gpu.vendor=nvidia;gpu.model=rtx;gpu.vramGiB=0;gpu.interface=sxm;gpu.count=1"}) {
    EXPECT_EQ(ParseAttributes(bad).status().code(), "compute-bad-attributes") << bad;
  }
  EXPECT_EQ(ParseAttributes(std::string(kMaxAttributesBytes + 1, 'a')).status().code(),
            "compute-bad-attributes");
}

TEST(GpuAttributes, SpecsParseMatchAndExplain) {
  auto attrs = ParseAttributes(kGood).value();
  auto spec = ParseSpec("model=NVIDIA A100,rtx4090;count=4;vram=16;region=eu-west;tier=gold", true);
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(FormatSpec(*spec), "model=a100,rtx-4090;count=4;vram=16;region=eu-west;tier=gold");
  EXPECT_EQ(SpecKeys(*spec),
            (std::vector<std::string>{"gpu.model", "gpu.count", "gpu.vramGiB", "region", "tier"}));
  EXPECT_FALSE(FirstFailedClause(*spec, attrs, 8).has_value());
  EXPECT_EQ(FirstFailedClause(*spec, attrs, 3).value(), "count: wants 4 free GPUs, has 3");
  auto vendor = ParseSpec("vendor=amd", true).value();
  EXPECT_EQ(FirstFailedClause(vendor, attrs, 8).value(), "vendor: wants amd, has nvidia");
  auto model = ParseSpec("model=h100", true).value();
  EXPECT_EQ(FirstFailedClause(model, attrs, 8).value(), "model: wants one of h100, has rtx-4090");
  auto vram = ParseSpec("model=rtx4090;vram=48", true).value();
  EXPECT_EQ(FirstFailedClause(vram, attrs, 8).value(), "vram: wants 48 GiB, has 24");
  auto iface = ParseSpec("vendor=nvidia;interface=sxm", true).value();
  EXPECT_EQ(FirstFailedClause(iface, attrs, 8).value(), "interface: wants sxm, has pcie");
  auto region = ParseSpec("vendor=nvidia;region=us", true).value();
  EXPECT_EQ(FirstFailedClause(region, attrs, 8).value(), "region: wants us, has eu-west");
  auto other = ParseSpec("vendor=nvidia;cpu=epyc", true).value();
  EXPECT_EQ(FirstFailedClause(other, attrs, 8).value(), "cpu: wants epyc, has none");
}

TEST(GpuAttributes, BadSpecsAreRefused) {
  for (const char* bad :
       {"", "count=1", "model=", "model=a,,b", "vendor=a,b", "count=0", "count=1025", "vram=-1",
        "interface=nvlink", "gpu.model=a100", "model=a100;model=h100", "model=NVIDIA", "region"}) {
    EXPECT_EQ(ParseSpec(bad, true).status().code(), "compute-bad-spec") << bad;
  }
  // A filter need not name a GPU.
  EXPECT_TRUE(ParseSpec("", false).ok());
  EXPECT_TRUE(ParseSpec("region=eu", false).ok());
  EXPECT_EQ(ParseSpec(std::string(kMaxSpecBytes + 1, 'a'), false).status().code(),
            "compute-bad-spec");
}

}  // namespace
}  // namespace depin::market

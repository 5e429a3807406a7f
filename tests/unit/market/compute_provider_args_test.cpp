// The compute provider's options: -gpus and -computeattributes become the
// canonical attributes the market stores, -bidprice a price per normalized
// model; bad values are refused with what is wrong.
#include <gtest/gtest.h>

#include "market/provider/compute_provider_role.h"

namespace depin::market {
namespace {

TEST(ComputeProviderArgs, GpusBecomeCanonicalAttributes) {
  auto a = GpuAttributesFromArgs("NVIDIA Corporation:NVIDIA GeForce RTX 4090:2:24", "region=eu");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(*a,
            "gpu.count=2;gpu.interface=pcie;gpu.model=rtx-4090;gpu.vendor=nvidia;gpu.vramGiB=24;"
            "region=eu");
  auto sxm = GpuAttributesFromArgs("nvidia:A100-SXM4-80GB:8:80:sxm", "");
  ASSERT_TRUE(sxm.ok());
  EXPECT_NE(sxm->find("gpu.interface=sxm"), std::string::npos);
  EXPECT_NE(sxm->find("gpu.model=a100-sxm-4-80gb"), std::string::npos);
}

TEST(ComputeProviderArgs, BadGpusAreRefused) {
  for (const char* bad :
       {"", "nvidia", "nvidia:rtx 4090:2", "nvidia:rtx 4090:0:24", "nvidia:rtx 4090:2:24:usb",
        "nvidia:rtx 4090:two:24", "a:b:1:1:pcie:extra"}) {
    auto a = GpuAttributesFromArgs(bad, "");
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.status().code(), "args-bad-value");
  }
  EXPECT_FALSE(GpuAttributesFromArgs("nvidia:rtx 4090:2:24", "region").ok());
  EXPECT_FALSE(GpuAttributesFromArgs("nvidia:rtx 4090:2:24", "gpu.count=3").ok());
}

TEST(ComputeProviderArgs, BidPrices) {
  auto p = ParseBidPrices("GeForce RTX 4090:1000,a100-sxm-4-80gb:5000");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->size(), 2u);
  EXPECT_EQ(p->at("rtx-4090"), Uint256(1000));
  EXPECT_EQ(p->at("a100-sxm-4-80gb"), Uint256(5000));
  for (const char* bad :
       {"", "rtx-4090", "rtx-4090:", ":5", "rtx-4090:0", "rtx-4090:-1", "rtx-4090:1e9"}) {
    EXPECT_FALSE(ParseBidPrices(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace depin::market

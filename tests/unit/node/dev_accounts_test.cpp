#include "node/dev_accounts.h"

#include <gtest/gtest.h>

#include "consensus/params.h"

namespace depin::node {
namespace {

TEST(DevAccounts, MatchHardhatAndTheRegtestGenesis) {
  auto accounts = DeriveDevAccounts(10);
  ASSERT_TRUE(accounts.ok()) << accounts.status().ToString();
  ASSERT_EQ(accounts->size(), 10u);
  EXPECT_EQ((*accounts)[0].address.ToChecksumHex(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  EXPECT_EQ((*accounts)[0].key.secret().Hex(),
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
  EXPECT_EQ((*accounts)[9].address.ToChecksumHex(), "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
  EXPECT_EQ((*accounts)[3].path, "m/44'/60'/0'/0/3");
  const auto& genesis_funded = consensus::DevAccounts();
  ASSERT_EQ(genesis_funded.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ((*accounts)[i].address, genesis_funded[i]) << i;
}

TEST(DevAccounts, BannerShowsUrlAccountsKeysAndWarning) {
  auto accounts = DeriveDevAccounts(2);
  ASSERT_TRUE(accounts.ok());
  std::string banner = DevBanner(*accounts, Dpn(10000), "http://127.0.0.1:8545", 1337,
                                 DevMiningText(std::chrono::seconds(2)));
  EXPECT_NE(banner.find("http://127.0.0.1:8545"), std::string::npos);
  EXPECT_NE(banner.find("chain id 1337"), std::string::npos);
  EXPECT_NE(banner.find("10000 DPN"), std::string::npos);
  EXPECT_NE(banner.find("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), std::string::npos);
  EXPECT_NE(banner.find("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"),
            std::string::npos);
  EXPECT_NE(banner.find("publicly known"), std::string::npos);
  EXPECT_NE(banner.find("a block every 2 s"), std::string::npos);
}

TEST(DevAccounts, MiningTextSaysTheIntervalOrOnDemand) {
  EXPECT_EQ(DevMiningText(std::chrono::milliseconds(0)), "a block as soon as a tx arrives");
  EXPECT_EQ(DevMiningText(std::chrono::milliseconds(2000)), "a block every 2 s");
  EXPECT_EQ(DevMiningText(std::chrono::milliseconds(500)), "a block every 0.5 s");
  EXPECT_EQ(DevMiningText(std::chrono::milliseconds(1250)), "a block every 1.25 s");
  EXPECT_EQ(DevMiningText(std::chrono::milliseconds(3001)), "a block every 3.001 s");
}

}  // namespace
}  // namespace depin::node

#include "consensus/params.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "consensus/state.h"
#include "crypto/hd_wallet.h"
#include "crypto/lthash.h"

namespace depin::consensus {
namespace {

constexpr const char* kDevMnemonic = "test test test test test test test test test test test junk";

TEST(Params, DevAccountsAreTheHardhatMnemonicAccounts) {
  auto seed = crypto::Bip39Seed(kDevMnemonic, "");
  ASSERT_TRUE(seed.ok()) << seed.status().ToString();
  const auto& accounts = DevAccounts();
  ASSERT_EQ(accounts.size(), 10u);
  for (size_t i = 0; i < accounts.size(); ++i) {
    auto key = crypto::DeriveBip32(*seed, "m/44'/60'/0'/0/" + std::to_string(i));
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(Address::FromPublicKey(key->GetPublicKey()), accounts[i]) << "account " << i;
  }
  // Well-known first and last accounts of that mnemonic (Hardhat, Anvil).
  EXPECT_EQ(accounts[0].ToChecksumHex(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  EXPECT_EQ(accounts[9].ToChecksumHex(), "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
}

TEST(Params, DevFaucetIsTheMnemonicsFirstChangeAccount) {
  auto seed = crypto::Bip39Seed(kDevMnemonic, "");
  ASSERT_TRUE(seed.ok());
  auto key = crypto::DeriveBip32(*seed, "m/44'/60'/0'/1/0");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(Address::FromPublicKey(key->GetPublicKey()), DevFaucetAddress());
  for (const Address& a : DevAccounts()) EXPECT_NE(a, DevFaucetAddress());
}

TEST(Params, RegtestGenesisFundsEachDevAccountAndTheFaucet) {
  const ChainParams p = RegtestParams();
  ASSERT_EQ(p.genesis_alloc.size(), DevAccounts().size() + 1);
  for (size_t i = 0; i < DevAccounts().size(); ++i) {
    EXPECT_EQ(p.genesis_alloc[i].address, DevAccounts()[i]);
    EXPECT_EQ(p.genesis_alloc[i].balance, Dpn(10000));
  }
  EXPECT_EQ(p.genesis_alloc.back().address, DevFaucetAddress());
  EXPECT_EQ(p.genesis_alloc.back().balance, Dpn(kDevFaucetBalanceDpn));
  EXPECT_EQ(Dpn(10000).ToDecimal(), "10000000000000000000000");
}

TEST(Params, RegtestGenesisStateRootIsLtHashOfAllocations) {
  const ChainParams p = RegtestParams();
  crypto::LtHash16 want;
  for (const Address& a : DevAccounts()) {
    want.Add(AccountKey(a), EncodeAccount(Account{0, Dpn(10000)}));
  }
  want.Add(AccountKey(DevFaucetAddress()), EncodeAccount(Account{0, Dpn(kDevFaucetBalanceDpn)}));
  EXPECT_EQ(p.GenesisHeader().state_root, want.Root());
  // Main and test start with no allocations: the empty set's root.
  EXPECT_EQ(MainParams().GenesisHeader().state_root, crypto::LtHash16().Root());
}

TEST(Params, GenesisHeaderFields) {
  for (const ChainParams& p : {MainParams(), TestParams(), RegtestParams()}) {
    const BlockHeader g = p.GenesisHeader();
    EXPECT_EQ(g.version, 1u) << p.name;
    EXPECT_EQ(g.height, 0u);
    EXPECT_TRUE(g.parent_hash.IsZero());
    EXPECT_EQ(g.timestamp, p.genesis_time);
    EXPECT_EQ(g.bits, p.pow_limit_bits);
    EXPECT_EQ(g.gas_limit, p.block_gas_limit);
    EXPECT_EQ(g.gas_used, 0u);
    EXPECT_EQ(g.base_fee, p.initial_base_fee);
    EXPECT_EQ(g.extra, p.genesis_extra);
    EXPECT_EQ(p.GenesisHash(), g.Hash());
  }
}

TEST(Params, GenesisHashesArePinned) {
  // Consensus-critical: any change to the header format, the genesis
  // parameters, the account encoding or the state root changes these.
  EXPECT_EQ(MainParams().GenesisHash().Hex(),
            "0x28770aa6c9b24e3c2215d552ea2c5d830db11e4ea2696813deff54526282ac6f");
  EXPECT_EQ(TestParams().GenesisHash().Hex(),
            "0x590fa1aa2a61059b6be0b53b7ad5052bdde8f7709b6c4df0989fac12fe6275fd");
  // Regtest's changed when the genesis began funding the dev faucet.
  EXPECT_EQ(RegtestParams().GenesisHash().Hex(),
            "0x0d1c1119cc07896253a797bafa7b4855ea28956fdb1ecad2910dae340923bba9");
}

TEST(Params, NetworksAreDistinct) {
  const std::vector<ChainParams> nets = {MainParams(), TestParams(), RegtestParams()};
  std::set<std::array<uint8_t, 4>> magics;
  std::set<uint64_t> chain_ids;
  std::set<uint16_t> ports;
  std::set<Hash256> genesis;
  std::set<std::string> names;
  for (const ChainParams& p : nets) {
    magics.insert(p.magic);
    chain_ids.insert(p.chain_id);
    ports.insert(p.default_port);
    ports.insert(p.default_rpc_port);
    genesis.insert(p.GenesisHash());
    names.insert(p.name);
  }
  EXPECT_EQ(magics.size(), 3u);
  EXPECT_EQ(chain_ids.size(), 3u);
  EXPECT_EQ(ports.size(), 6u);
  EXPECT_EQ(genesis.size(), 3u);
  EXPECT_EQ(names.size(), 3u);
}

TEST(Params, RegtestMatchesEthereumDevTooling) {
  const ChainParams p = RegtestParams();
  EXPECT_EQ(p.network, Network::kRegtest);
  EXPECT_EQ(p.name, "regtest");
  EXPECT_EQ(p.default_rpc_port, 8545);
  EXPECT_EQ(p.chain_id, 1337u);
  EXPECT_TRUE(p.pow_no_retargeting);
  EXPECT_TRUE(p.enable_test_module);
  EXPECT_EQ(p.subsidy_halving_interval, 150u);
  EXPECT_FALSE(MainParams().enable_test_module);
  EXPECT_FALSE(TestParams().enable_test_module);
  EXPECT_FALSE(MainParams().pow_no_retargeting);
  EXPECT_FALSE(TestParams().pow_no_retargeting);
}

TEST(Params, PinnedMainAndTestValues) {
  const ChainParams m = MainParams();
  EXPECT_EQ(m.chain_id, 62831u);
  EXPECT_EQ(m.default_port, 9645);
  EXPECT_EQ(m.target_spacing, 15u);
  EXPECT_EQ(m.asert_half_life, 3600);
  EXPECT_EQ(m.pow_limit_bits, 0x1f00ffffu);
  EXPECT_EQ(m.initial_subsidy, Dpn(2));
  EXPECT_EQ(m.block_gas_limit, 300'000'000u);
  EXPECT_EQ(m.initial_base_fee, Uint256(kWeiPerGwei));
  EXPECT_EQ(m.min_base_fee, Uint256(kWeiPerGwei / 1000));
  EXPECT_EQ(m.max_future_block_time, 7200u);
  EXPECT_EQ(m.median_time_span, 11u);
  EXPECT_EQ(TestParams().chain_id, 62832u);
  EXPECT_EQ(RegtestParams().pow_limit_bits, 0x207fffffu);
}

TEST(Params, ParamsForMapsEachNetwork) {
  EXPECT_EQ(ParamsFor(Network::kMain).name, "main");
  EXPECT_EQ(ParamsFor(Network::kTest).name, "test");
  EXPECT_EQ(ParamsFor(Network::kRegtest).name, "regtest");
  EXPECT_EQ(ParamsFor(Network::kTest).chain_id, TestParams().chain_id);
}

TEST(Params, PowLimitMatchesBits) {
  for (const ChainParams& p : {MainParams(), TestParams(), RegtestParams()}) {
    EXPECT_EQ(*CompactToTarget(p.pow_limit_bits), p.pow_limit) << p.name;
    EXPECT_EQ(TargetToCompact(p.pow_limit), p.pow_limit_bits) << p.name;
  }
}

TEST(BlockSubsidy, ZeroAtGenesis) {
  EXPECT_TRUE(BlockSubsidy(0, RegtestParams()).IsZero());
  EXPECT_TRUE(BlockSubsidy(0, MainParams()).IsZero());
}

TEST(BlockSubsidy, HalvesAtRegtestInterval) {
  const ChainParams p = RegtestParams();
  EXPECT_EQ(BlockSubsidy(1, p), Dpn(2));
  EXPECT_EQ(BlockSubsidy(149, p), Dpn(2));
  EXPECT_EQ(BlockSubsidy(150, p), Dpn(1));
  EXPECT_EQ(BlockSubsidy(299, p), Dpn(1));
  EXPECT_EQ(BlockSubsidy(300, p), Uint256(500'000'000'000'000'000ULL));
  EXPECT_EQ(BlockSubsidy(450, p), Uint256(250'000'000'000'000'000ULL));
}

TEST(BlockSubsidy, ZeroAfterSixtyFourHalvings) {
  const ChainParams p = RegtestParams();
  EXPECT_EQ(BlockSubsidy(150 * 64 - 1, p), Dpn(2) >> 63);
  EXPECT_TRUE(BlockSubsidy(150 * 64, p).IsZero());
  EXPECT_TRUE(BlockSubsidy(~uint64_t{0}, p).IsZero());
  // With a subsidy of 2^70 wei the 63rd halving is still non-zero, so only the
  // 64-halving rule makes it zero.
  ChainParams big = p;
  big.initial_subsidy = Uint256(1) << 70;
  EXPECT_EQ(BlockSubsidy(150 * 64 - 1, big), Uint256(128));
  EXPECT_TRUE(BlockSubsidy(150 * 64, big).IsZero());
}

TEST(BlockSubsidy, MainIntervalIsAboutTwoYears) {
  const ChainParams p = MainParams();
  EXPECT_EQ(BlockSubsidy(4'199'999, p), Dpn(2));
  EXPECT_EQ(BlockSubsidy(4'200'000, p), Dpn(1));
}

TEST(Params, ModuleParametersFitThePlatform) {
  for (const ChainParams& p : {MainParams(), TestParams(), RegtestParams()}) {
    SCOPED_TRACE(p.name);
    // A lease's end and a deal's deadlines are deferred work.
    EXPECT_LE(p.compute.max_lease_blocks, p.deferred_horizon);
    EXPECT_LE(p.storage.proving_period_blocks, p.deferred_horizon);
    EXPECT_GT(p.compute.bidding_window_blocks, 0u);
    EXPECT_LE(p.compute.bidding_window_blocks, p.compute.max_bidding_window_blocks);
    // The award at a window's end is deferred work too.
    EXPECT_LE(p.compute.max_bidding_window_blocks, p.deferred_horizon);
    EXPECT_GT(p.compute.min_escrow_blocks, 0u);
    EXPECT_GT(p.compute.max_bids_per_order, 0u);
    EXPECT_FALSE(p.compute.bid_deposit.IsZero());
    EXPECT_FALSE(p.compute.min_provider_stake.IsZero());
    // Every draw a module makes lies within the context's lookback.
    EXPECT_GE(p.randomness_max_lookback, p.storage.ticket_max_age_blocks);
    EXPECT_GE(p.randomness_max_lookback, p.storage.seal_seed_delay_blocks);
    EXPECT_GE(p.randomness_max_lookback, p.storage.post_response_blocks);
    // Deadlines split the period evenly, and a PoSt is due within its deadline.
    ASSERT_GT(p.storage.deadlines_per_period, 0u);
    EXPECT_EQ(p.storage.proving_period_blocks % p.storage.deadlines_per_period, 0u);
    EXPECT_LE(p.storage.post_response_blocks,
              p.storage.proving_period_blocks / p.storage.deadlines_per_period);
    EXPECT_GT(p.storage.max_consecutive_faults, 0u);
    EXPECT_FALSE(p.storage.sector_sizes.empty());
    // The queue's bound is a fraction of a block's gas.
    EXPECT_GT(p.deferred_gas_per_block, 0u);
    EXPECT_LE(p.deferred_gas_per_block, p.block_gas_limit);
  }
}

TEST(Params, MainModuleValuesArePinned) {
  const ChainParams m = MainParams();
  EXPECT_EQ(m.randomness_max_lookback, 5760u);
  EXPECT_EQ(m.deferred_gas_per_block, 30'000'000u);
  EXPECT_EQ(m.deferred_horizon, 2'102'400u);
  EXPECT_EQ(m.compute.activation_height, kNeverActive);
  EXPECT_EQ(m.storage.activation_height, kNeverActive);
  EXPECT_EQ(m.test_module_activation_height, kNeverActive);
  // docs/proofs.md's chain scheduling constants (storage/proofs/params.h).
  EXPECT_EQ(m.storage.seal_seed_delay_blocks, 240u);
  EXPECT_EQ(m.storage.prove_commit_window_blocks, 5760u);
  EXPECT_EQ(m.storage.ticket_max_age_blocks, 5760u);
  EXPECT_EQ(m.storage.proving_period_blocks, 5760u);
  EXPECT_EQ(m.storage.deadlines_per_period, 48u);
  EXPECT_EQ(m.storage.post_response_blocks, 40u);
  EXPECT_EQ(m.storage.sector_sizes, (std::vector<uint64_t>{512ull << 20, 32ull << 30}));
  const ChainParams r = RegtestParams();
  EXPECT_EQ(r.test_module_activation_height, 0u);
  EXPECT_EQ(r.compute.activation_height, 0u);
  EXPECT_EQ(r.storage.activation_height, 0u);
  EXPECT_EQ(r.storage.sector_sizes, (std::vector<uint64_t>{2ull << 10, 8ull << 20, 512ull << 20}));
}

}  // namespace
}  // namespace depin::consensus

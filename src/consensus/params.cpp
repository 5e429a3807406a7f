#include "consensus/params.h"

#include <cassert>
#include <cstring>

#include "consensus/state.h"
#include "crypto/lthash.h"

namespace depin::consensus {
namespace {

Address MustParse(const char* text) {
  auto a = Address::Parse(text);
  assert(a.ok());
  return *a;
}

Hash256 ExtraFromText(const char* text) {
  Hash256 h;
  std::memcpy(h.data(), text, std::min<size_t>(std::strlen(text), Hash256::kSize));
  return h;
}

Uint256 MustTarget(uint32_t bits) {
  auto t = CompactToTarget(bits);
  assert(t.ok());
  return *t;
}

// Shared by every network; each builder overrides what differs.
ChainParams BaseParams() {
  ChainParams p;
  p.target_spacing = 15;
  p.asert_half_life = 60 * 60;
  p.max_future_block_time = 2 * 60 * 60;
  p.median_time_span = 11;
  p.initial_subsidy = Dpn(2);
  p.subsidy_halving_interval = 4'200'000;  // about two years of 15 s blocks
  // 300 M gas holds ~14,000 plain transfers: the 10,000-transfer block the
  // connect benchmark measures fits on every network.
  p.block_gas_limit = 300'000'000;
  p.max_block_size = 4 * 1024 * 1024;
  p.initial_base_fee = Uint256(kWeiPerGwei);
  p.min_base_fee = Uint256(kWeiPerGwei / 1000);  // 1 Mwei: spam floor, far below any real fee
  p.base_fee_change_denominator = 8;
  p.elasticity_multiplier = 2;
  p.max_reorg_depth = 2000;
  // No network has blocks yet: each release raises this to a recent
  // block's chain work (regtest stays 0).
  p.min_chain_work = Uint256();
  // The oldest draw a module makes is a seal ticket (ticket_max_age_blocks);
  // a block context copies this many ancestor hashes.
  p.randomness_max_lookback = 5760;
  // A tenth of the block gas limit: at least 15,000 minimal entries a
  // block, and a full queue adds at most 10% to a block's work.
  p.deferred_gas_per_block = 30'000'000;
  // One year of 15 s blocks: a lease's or a deal's term fits.
  p.deferred_horizon = 2'102'400;

  // Markets and Multicall3: not active until they ship (then a real height
  // per network).
  p.multicall_activation_height = kNeverActive;
  p.compute.activation_height = kNeverActive;
  p.compute.bidding_window_blocks = 40;        // 10 min
  p.compute.max_bidding_window_blocks = 5760;  // 24 h
  p.compute.max_lease_blocks = p.deferred_horizon;
  p.compute.min_escrow_blocks = 240;  // 1 h
  p.compute.low_escrow_blocks = 240;  // 1 h of warning
  p.compute.max_bids_per_order = 64;
  p.compute.min_provider_stake = Dpn(100);
  p.compute.bid_deposit = Dpn(5);
  p.storage.activation_height = kNeverActive;
  p.storage.sector_sizes = {512ull << 20, 32ull << 30};
  p.storage.seal_seed_delay_blocks = 240;       // 1 h
  p.storage.prove_commit_window_blocks = 5760;  // 24 h
  p.storage.ticket_max_age_blocks = 5760;       // 24 h
  p.storage.proving_period_blocks = 5760;       // 24 h
  p.storage.deadlines_per_period = 48;          // one per 30 min
  p.storage.post_response_blocks = 40;          // 10 min
  p.storage.max_consecutive_faults = 3;
  p.storage.min_provider_stake = Dpn(100);
  p.storage.precommit_deposit = Dpn(1);
  p.storage.provider_collateral_percent = 100;
  p.storage.client_collateral_percent = 10;
  p.storage.fault_fee_permille = 3500;
  p.storage.declared_fault_fee_permille = 1000;
  p.storage.max_deals_per_sector = 16;
  return p;
}

}  // namespace

const std::vector<Address>& DevAccounts() {
  // Derived from "test test test test test test test test test test test junk"
  // at m/44'/60'/0'/0/0..9 (checked against hd_wallet in params_test).
  static const std::vector<Address> kAccounts = {
      MustParse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
      MustParse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
      MustParse("0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
      MustParse("0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
      MustParse("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"),
      MustParse("0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"),
      MustParse("0x976EA74026E726554dB657fA54763abd0C3a0aa9"),
      MustParse("0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"),
      MustParse("0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f"),
      MustParse("0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"),
  };
  return kAccounts;
}

const Address& DevFaucetAddress() {
  // m/44'/60'/0'/1/0 of "test ... junk" (checked against hd_wallet in params_test).
  static const Address kFaucet = MustParse("0x4b39F7b0624b9dB86AD293686bc38B903142dbBc");
  return kFaucet;
}

ChainParams MainParams() {
  ChainParams p = BaseParams();
  p.network = Network::kMain;
  p.name = "main";
  p.datadir_sub = "";
  p.magic = {0xd3, 0x9e, 0x1a, 0x01};
  p.default_port = 9645;
  p.default_rpc_port = 8645;
  p.chain_id = 62831;
  p.genesis_time = 1793491200;  // 2026-11-01T00:00:00Z
  p.genesis_extra = ExtraFromText("depin main genesis 2026-11-01");
  p.pow_limit_bits = 0x1f00ffff;
  p.pow_limit = MustTarget(p.pow_limit_bits);
  return p;
}

ChainParams TestParams() {
  ChainParams p = BaseParams();
  p.network = Network::kTest;
  p.name = "test";
  p.datadir_sub = "testnet";
  p.magic = {0xd3, 0x9e, 0x1a, 0x02};
  p.default_port = 19645;
  p.default_rpc_port = 18645;
  p.chain_id = 62832;
  p.genesis_time = 1793491200;
  p.genesis_extra = ExtraFromText("depin testnet genesis");
  p.pow_limit_bits = 0x1f00ffff;
  p.pow_limit = MustTarget(p.pow_limit_bits);
  // Test sizes and an hour-scale storage schedule, so a tester sees a seal
  // and a few proving periods in an afternoon.
  p.randomness_max_lookback = 480;
  p.storage.sector_sizes = {2ull << 10, 8ull << 20};
  p.storage.seal_seed_delay_blocks = 20;
  p.storage.prove_commit_window_blocks = 480;
  p.storage.ticket_max_age_blocks = 480;
  p.storage.proving_period_blocks = 480;  // 2 h
  p.storage.deadlines_per_period = 12;
  p.storage.post_response_blocks = 20;
  p.compute.bidding_window_blocks = 20;
  return p;
}

ChainParams RegtestParams() {
  ChainParams p = BaseParams();
  p.network = Network::kRegtest;
  p.name = "regtest";
  p.datadir_sub = "regtest";
  p.magic = {0xd3, 0x9e, 0x1a, 0x7f};
  p.default_port = 19745;
  // 8545 and chain id 1337: what Ethereum dev tutorials and MetaMask's
  // "Localhost 8545" network expect.
  p.default_rpc_port = 8545;
  p.chain_id = 1337;
  p.genesis_time = 1700000000;
  p.genesis_extra = ExtraFromText("depin regtest genesis");
  p.pow_limit_bits = 0x207fffff;
  p.pow_limit = MustTarget(p.pow_limit_bits);
  p.pow_no_retargeting = true;
  p.subsidy_halving_interval = 150;  // exercise halvings in tests, as Bitcoin's regtest
  p.max_reorg_depth = 1000;
  p.enable_test_module = true;
  p.test_module_activation_height = 0;
  // Everything active from genesis and short enough for on-demand blocks.
  p.randomness_max_lookback = 256;
  p.deferred_horizon = 10'000;
  p.multicall_activation_height = 0;
  p.compute.activation_height = 0;
  p.compute.bidding_window_blocks = 5;
  p.compute.max_bidding_window_blocks = 50;
  p.compute.max_lease_blocks = p.deferred_horizon;
  p.compute.min_escrow_blocks = 5;
  p.compute.low_escrow_blocks = 5;
  p.compute.max_bids_per_order = 8;
  p.compute.min_provider_stake = Dpn(1);
  p.compute.bid_deposit = Dpn(1) / Uint256(10);
  p.storage.activation_height = 0;
  // 512 MiB seals locally (contrib/bench/sealing.sh); its PoRep partitions
  // do not fit a tx yet (docs/markets.md, "Not yet").
  p.storage.sector_sizes = {2ull << 10, 8ull << 20, 512ull << 20};
  p.storage.seal_seed_delay_blocks = 2;
  p.storage.prove_commit_window_blocks = 100;
  p.storage.ticket_max_age_blocks = 100;
  p.storage.proving_period_blocks = 60;
  p.storage.deadlines_per_period = 6;
  p.storage.post_response_blocks = 5;
  p.storage.min_provider_stake = Dpn(1);
  p.storage.precommit_deposit = Dpn(1) / Uint256(10);
  for (const Address& a : DevAccounts()) {
    p.genesis_alloc.push_back({a, Dpn(kDevAccountBalanceDpn)});
  }
  p.genesis_alloc.push_back({DevFaucetAddress(), Dpn(kDevFaucetBalanceDpn)});
  return p;
}

ChainParams ParamsFor(Network network) {
  switch (network) {
    case Network::kMain:
      return MainParams();
    case Network::kTest:
      return TestParams();
    case Network::kRegtest:
      return RegtestParams();
  }
  return MainParams();
}

BlockHeader ChainParams::GenesisHeader() const {
  BlockHeader h;
  h.version = 1;
  h.height = 0;
  h.timestamp = genesis_time;
  h.bits = pow_limit_bits;
  h.gas_limit = block_gas_limit;
  h.gas_used = 0;
  h.base_fee = initial_base_fee;
  h.extra = genesis_extra;
  crypto::LtHash16 state;
  for (const GenesisAlloc& alloc : genesis_alloc) {
    state.Add(AccountKey(alloc.address), EncodeAccount(Account{0, alloc.balance}));
  }
  h.state_root = state.Root();
  // Genesis is fixed by these parameters, not mined: its PoW is never checked.
  h.nonce = 0;
  return h;
}

Uint256 BlockSubsidy(uint64_t height, const ChainParams& params) {
  if (height == 0 || params.subsidy_halving_interval == 0) return Uint256();
  uint64_t halvings = height / params.subsidy_halving_interval;
  if (halvings >= 64) return Uint256();
  return params.initial_subsidy >> static_cast<unsigned>(halvings);
}

}  // namespace depin::consensus

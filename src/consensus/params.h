// Chain parameters: one ChainParams per network (main, test, regtest), the
// single source of truth for magic, ports, chain id, genesis, subsidy, limits
// and difficulty adjustment. Built by value; nothing mutable is global.
//
// Thread-safety: immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/uint256.h"

namespace depin::consensus {

enum class Network { kMain, kTest, kRegtest };

struct GenesisAlloc {
  Address address;
  Uint256 balance;
};

// A native module's activation: calls to its address revert with
// "module-not-active" below this height (and its deferred entries lapse).
inline constexpr uint64_t kNeverActive = ~uint64_t{0};

// The compute-lease market at 0x...1000 (market/compute_market.h,
// docs/markets.md "Compute market" argues each number beside Akash's).
struct ComputeMarketParams {
  uint64_t activation_height = kNeverActive;
  // Blocks an order takes bids before the lowest wins (deferred work), when
  // createOrder asks for the default (0); at most max_bidding_window_blocks.
  uint64_t bidding_window_blocks = 0;
  uint64_t max_bidding_window_blocks = 0;
  // Longest lease term: its end is deferred work, so <= deferred_horizon.
  uint64_t max_lease_blocks = 0;
  // createOrder's escrow covers at least this many blocks at the order's
  // max price (or the whole term when shorter).
  uint64_t min_escrow_blocks = 0;
  // LowEscrow fires when a lease's escrow pays for fewer blocks than this.
  uint64_t low_escrow_blocks = 0;
  // Bids an order takes: the award's deferred run is prepaid for this many.
  uint64_t max_bids_per_order = 0;
  Uint256 min_provider_stake;  // registerProvider's least stake
  Uint256 bid_deposit;         // sent with every bid; forfeited by a provider walking away
};

// The storage market at 0x...2000. Main values are storage/proofs/params.h's
// constants (docs/proofs.md); test and regtest shorten them.
struct StorageMarketParams {
  uint64_t activation_height = kNeverActive;
  std::vector<uint64_t> sector_sizes;       // bytes, the sizes providers may seal
  uint64_t seal_seed_delay_blocks = 0;      // pre-commit -> seed block (kSeedDelayBlocks)
  uint64_t prove_commit_window_blocks = 0;  // seed -> last partition (kProveCommitWindowBlocks)
  uint64_t ticket_max_age_blocks = 0;       // oldest ticket a pre-commit may name
  uint64_t proving_period_blocks = 0;       // every active sector proven once per period
  uint64_t deadlines_per_period = 0;        // sectors spread over deadlines
  uint64_t post_response_blocks = 0;        // PoSt due this long after its randomness
  uint64_t max_consecutive_faults = 0;      // missed periods before a sector terminates
  // Money (docs/markets.md argues each number).
  Uint256 min_provider_stake;                // registerProvider's least stake
  Uint256 precommit_deposit;                 // per pre-committed sector, back at prove-commit
  uint64_t provider_collateral_percent = 0;  // of a deal's total price, locked at activation
  uint64_t client_collateral_percent = 0;    // of a deal's total price, sent with the proposal
  // A faulty period costs the provider the period's payment times this, per
  // mille, from the deal's collateral to its client; declared ahead of the
  // deadline, the lower rate.
  uint64_t fault_fee_permille = 0;
  uint64_t declared_fault_fee_permille = 0;
  uint64_t max_deals_per_sector = 0;
};

struct ChainParams {
  Network network = Network::kMain;
  std::string name;         // "main", "test", "regtest"
  std::string datadir_sub;  // "" for main, "testnet", "regtest"
  std::array<uint8_t, 4> magic{};
  uint16_t default_port = 0;
  uint16_t default_rpc_port = 0;
  uint64_t chain_id = 0;

  // Genesis.
  uint64_t genesis_time = 0;
  std::vector<GenesisAlloc> genesis_alloc;
  Hash256 genesis_extra;  // a message committed in the genesis header

  // Proof of work and ASERT (aserti3-2d, anchored at block 1: pow.h).
  uint32_t pow_limit_bits = 0;
  Uint256 pow_limit;
  bool pow_no_retargeting = false;  // regtest: every block at pow_limit
  uint64_t target_spacing = 15;     // seconds
  int64_t asert_half_life = 3600;   // seconds for the target to double when blocks stop
  uint64_t max_future_block_time = 2 * 60 * 60;
  unsigned median_time_span = 11;

  // Money.
  Uint256 initial_subsidy;  // wei per block before the first halving
  uint64_t subsidy_halving_interval = 0;

  // Limits and fees.
  uint64_t block_gas_limit = 0;
  size_t max_block_size = 0;  // serialized bytes (P2P stays bounded)
  Uint256 initial_base_fee;   // base fee of block 1
  Uint256 min_base_fee;       // floor of the EIP-1559 update
  uint64_t base_fee_change_denominator = 8;
  uint64_t elasticity_multiplier = 2;

  // Undo is kept for every block, so a reorg of any depth to a chain with
  // more work is followed (as Bitcoin Core). This depth only bounds how far
  // back the state at a past block is served (Chainstate::StateAtHeight)
  // and where the RPC's "finalized" tag points.
  uint64_t max_reorg_depth = 0;
  // The chain work a header chain must reach before this node downloads and
  // connects its blocks during sync, and before a peer's headers enter the
  // block tree (docs/p2p.md, "Minimum chain work and headers presync"), as
  // Bitcoin Core's nMinimumChainWork. Raised at each release to the work of
  // a recent block of the network; -minimumchainwork=HEX overrides it.
  Uint256 min_chain_work;
  // Regtest-only built-in module for exercising the module interface.
  bool enable_test_module = false;
  uint64_t test_module_activation_height = kNeverActive;

  // Native modules (docs/consensus.md, "Module parameters").
  // How far back a module may draw randomness (BlockContext::RandomnessAt).
  uint64_t randomness_max_lookback = 0;
  // The deferred-work queue (deferred_queue.h): the prepaid gas of the
  // entries one block runs, and how far ahead an entry may be due.
  uint64_t deferred_gas_per_block = 0;
  uint64_t deferred_horizon = 0;
  ComputeMarketParams compute;
  StorageMarketParams storage;
  // Multicall3 at 0xcA11bde05977b3631167028862bE2a173976CA11
  // (consensus/multicall.h).
  uint64_t multicall_activation_height = kNeverActive;

  BlockHeader GenesisHeader() const;  // state root computed from the allocations
  Hash256 GenesisHash() const { return GenesisHeader().Hash(); }
};

ChainParams MainParams();
ChainParams TestParams();
ChainParams RegtestParams();
ChainParams ParamsFor(Network network);

// Subsidy for the block at `height` (halving schedule; zero after 64 halvings).
Uint256 BlockSubsidy(uint64_t height, const ChainParams& params);

// The ten development accounts of the mnemonic "test test ... junk"
// (m/44'/60'/0'/0/0..9) that the regtest genesis funds.
const std::vector<Address>& DevAccounts();
inline constexpr uint64_t kDevAccountBalanceDpn = 10000;

// The dev faucet: the same mnemonic's m/44'/60'/0'/1/0 (a branch Hardhat and
// Anvil do not hand out), funded by the regtest genesis. A dev node's
// anvil_setBalance / hardhat_setBalance pays from it in an ordinary transfer,
// so a balance edit is a consensus-valid tx every regtest node agrees on
// (docs/dev-node.md).
const Address& DevFaucetAddress();
inline constexpr uint64_t kDevFaucetBalanceDpn = 1'000'000'000'000;

}  // namespace depin::consensus

// DevChain: what the test-node RPC methods of a dev node (`depind -dev`) do
// to its chain, the way Hardhat Network and Anvil let tests drive theirs:
// mine now (evm_mine, anvil_mine), switch automine and interval mining,
// move time (evm_increaseTime, evm_setNextBlockTimestamp), and take and
// go back to snapshots (evm_snapshot, evm_revert).
//
// A revert is a local reorg: Chainstate::RewindTo disconnects the blocks
// mined since the snapshot (undo restores the state, the tx index and the
// other subscribers hear BlockDisconnected, as in any reorg) and sets them
// aside; the mempool is put back to the txs that were pending at the
// snapshot (the rewound blocks' txs that were not are dropped: Hardhat
// forgets them too); the clock goes back to the snapshot's offset. Mining
// is held off meanwhile (Miner::RunExclusive), so automine cannot mine a
// half-restored pool. As in Hardhat, a revert uses the snapshot up, and the
// snapshots taken after it too.
//
// Only regtest chains are ever built with one (node/init does so for -dev).
//
// Thread-safety: every method may be called from any thread (RPC workers);
// snapshots are guarded by a mutex, chain changes serialize in the
// chainstate and the miner.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "chain/chainstate.h"
#include "chain/dev_clock.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "crypto/secp256k1.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin::chain {

// anvil_mine / hardhat_mine: the most blocks one call mines (each is a real
// block with its proof of work, connected and stored).
inline constexpr uint64_t kMaxDevMineBlocks = 10000;

// The account anvil_setBalance pays from (consensus::DevFaucetAddress and
// its key); empty: setBalance answers "dev-no-faucet".
struct DevFaucet {
  crypto::PrivateKey key;
  Address address;
};

class DevChain {
 public:
  // All must outlive the DevChain. `coinbase` is paid for blocks mined here.
  DevChain(Chainstate& chainstate, Mempool& mempool, Miner& miner, DevClock& clock,
           const Address& coinbase, std::optional<DevFaucet> faucet = std::nullopt);

  // Mines `count` blocks now with the pool's ready txs. The first block gets
  // `timestamp` when given (it must be after the tip's, else
  // "dev-timestamp-not-after-tip"), else the clock's time; each later one
  // `interval` seconds after the one before (0: the clock's time). Errors:
  // "dev-mine-count" (0 or above kMaxDevMineBlocks), the miner's.
  Result<std::vector<Hash256>> Mine(uint64_t count, uint64_t interval,
                                    std::optional<uint64_t> timestamp);

  // The next block's timestamp. It must be after the tip's:
  // "dev-timestamp-not-after-tip" names both.
  Status SetNextBlockTimestamp(uint64_t timestamp);
  // Moves the clock forward; returns the total offset in seconds.
  Result<uint64_t> IncreaseTime(uint64_t seconds);

  // anvil_setBalance: raises `account`'s balance at the tip to exactly
  // `balance` by mining a block of one transfer from the dev faucet (tip
  // zero, the faucet pays the fee; other pending txs stay pending). The edit
  // is an ordinary tx, so every regtest node that syncs the chain agrees.
  // Equal: nothing to do. Errors: "dev-balance-lower" (a transfer cannot
  // take coins away: that needs the account's key), "dev-balance-faucet"
  // (the faucet itself), "dev-no-faucet", the transfer's own rule (e.g. the
  // faucet's funds), the miner's. Returns the block's hash (none when equal).
  Result<std::optional<Hash256>> SetBalance(const Address& account, const Uint256& balance)
      EXCLUDES(balance_mu_);

  // A new snapshot of the chain, the pool and the clock; ids count from 1.
  uint64_t Snapshot() EXCLUDES(mu_);
  // Goes back to snapshot `id`: false when there is no such snapshot (never
  // taken, or used up by an earlier revert), as Hardhat answers. Errors come
  // from the rewind ("reorg-too-deep" when the snapshot is older than the
  // undo kept, "block-not-active" when its block left the chain).
  Result<bool> Revert(uint64_t id) EXCLUDES(mu_);

 private:
  struct SnapshotState {
    Hash256 tip;
    std::set<Hash256> pending;  // pool txs at the snapshot
    DevClock::State clock;
  };

  Chainstate& chainstate_;
  Mempool& mempool_;
  Miner& miner_;
  DevClock& clock_;
  const Address coinbase_;
  const std::optional<DevFaucet> faucet_;

  Mutex balance_mu_;  // one faucet transfer at a time (its nonce)
  Mutex mu_;
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::map<uint64_t, SnapshotState> snapshots_ GUARDED_BY(mu_);
};

}  // namespace depin::chain

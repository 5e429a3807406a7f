#include "chain/dev_chain.h"

#include <string>

#include "chain/validation_signals.h"

namespace depin::chain {

DevChain::DevChain(Chainstate& chainstate, Mempool& mempool, Miner& miner, DevClock& clock,
                   const Address& coinbase)
    : chainstate_(chainstate),
      mempool_(mempool),
      miner_(miner),
      clock_(clock),
      coinbase_(coinbase) {}

Status DevChain::SetNextBlockTimestamp(uint64_t timestamp) {
  const uint64_t tip_time = chainstate_.Tip().header.timestamp;
  if (timestamp <= tip_time) {
    return Status::Error("dev-timestamp-not-after-tip",
                         "timestamp " + std::to_string(timestamp) +
                             " is lower than or equal to the latest block's timestamp " +
                             std::to_string(tip_time));
  }
  clock_.SetNextBlockTimestamp(timestamp);
  return Status::Ok();
}

Result<uint64_t> DevChain::IncreaseTime(uint64_t seconds) { return clock_.IncreaseTime(seconds); }

Result<std::vector<Hash256>> DevChain::Mine(uint64_t count, uint64_t interval,
                                            std::optional<uint64_t> timestamp) {
  if (count == 0 || count > kMaxDevMineBlocks) {
    return Status::Error("dev-mine-count", "the block count must be 1.." +
                                               std::to_string(kMaxDevMineBlocks) + ", not " +
                                               std::to_string(count));
  }
  if (timestamp) DEPIN_RETURN_IF_ERROR(SetNextBlockTimestamp(*timestamp));
  std::vector<Hash256> hashes;
  hashes.reserve(static_cast<size_t>(count));
  for (uint64_t i = 0; i < count; ++i) {
    if (i > 0 && interval > 0) {
      const uint64_t previous = chainstate_.Tip().header.timestamp;
      if (interval > UINT64_MAX - previous) {
        return Status::Error("dev-time-overflow", "the block time would pass 2^64 seconds");
      }
      clock_.SetNextBlockTimestamp(previous + interval);
    }
    auto hash = miner_.MineOne(coinbase_);
    // A block from elsewhere (the background loop) landed first: mine on it.
    if (!hash.ok() && hash.status().Is(StatusKind::kStale)) {
      --i;
      continue;
    }
    if (!hash.ok()) return hash.status();
    hashes.push_back(*hash);
  }
  // Receipts and logs of what was mined are in the indexes when this returns.
  if (chainstate_.signals() != nullptr) chainstate_.signals()->SyncWithValidationQueue();
  return hashes;
}

uint64_t DevChain::Snapshot() {
  SnapshotState state;
  state.tip = chainstate_.Tip().hash;
  for (const TxRef& tx : mempool_.All()) state.pending.insert(tx->hash);
  state.clock = clock_.Save();
  MutexLock lock(mu_);
  const uint64_t id = next_id_++;
  snapshots_.emplace(id, std::move(state));
  return id;
}

Result<bool> DevChain::Revert(uint64_t id) {
  SnapshotState state;
  {
    MutexLock lock(mu_);
    auto it = snapshots_.find(id);
    if (it == snapshots_.end()) return false;
    state = std::move(it->second);
    // Used up, with every later one (Hardhat's rule).
    snapshots_.erase(it, snapshots_.end());
  }
  Status s = miner_.RunExclusive([&]() -> Status {
    DEPIN_RETURN_IF_ERROR(chainstate_.RewindTo(state.tip));
    for (const TxRef& tx : mempool_.All()) {
      if (state.pending.count(tx->hash) == 0) mempool_.Remove(tx->hash);
    }
    clock_.Restore(state.clock);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (chainstate_.signals() != nullptr) chainstate_.signals()->SyncWithValidationQueue();
  return true;
}

}  // namespace depin::chain

#include "chain/dev_chain.h"

#include <string>

#include "chain/validation_signals.h"

namespace depin::chain {

DevChain::DevChain(Chainstate& chainstate, Mempool& mempool, Miner& miner, DevClock& clock,
                   const Address& coinbase, std::optional<DevFaucet> faucet)
    : chainstate_(chainstate),
      mempool_(mempool),
      miner_(miner),
      clock_(clock),
      coinbase_(coinbase),
      faucet_(std::move(faucet)) {}

Result<std::optional<Hash256>> DevChain::SetBalance(const Address& account,
                                                    const Uint256& balance) {
  if (!faucet_) return Status::Error("dev-no-faucet", "this chain has no dev faucet");
  if (account == faucet_->address) {
    return Status::Error("dev-balance-faucet",
                         "the dev faucet's own balance cannot be set: it pays the others");
  }
  MutexLock lock(balance_mu_);
  const Uint256 current = chainstate_.GetAccount(account).balance;
  if (balance == current) return std::optional<Hash256>();
  if (balance < current) {
    return Status::Error("dev-balance-lower",
                         "cannot lower " + account.ToChecksumHex() + "'s balance from " +
                             current.ToDecimal() + " to " + balance.ToDecimal() +
                             " wei: a balance edit is a transfer from the dev faucet, and "
                             "taking coins away would need the account's key (send them "
                             "yourself)");
  }
  const consensus::ChainParams& params = chainstate_.params();
  Transaction tx;
  tx.type = TxType::kDynamicFee;
  tx.chain_id = params.chain_id;
  tx.nonce = chainstate_.GetAccount(faucet_->address).nonce;
  tx.gas_limit = 21000;
  // Room for a base fee that rises before the block is built (a block from
  // the background loop in between); no tip. The account gets the value
  // exactly, the faucet pays the fee.
  tx.max_priority_fee_per_gas = Uint256();
  tx.max_fee_per_gas = chainstate_.NextBlockContext().base_fee << 1;
  tx.to = account;
  tx.value = *CheckedSub(balance, current);
  tx.Sign(faucet_->key);
  auto verified = MakeVerifiedTx(std::move(tx));
  if (!verified) return verified.status();
  auto hash = miner_.MineBlockOf({*verified}, coinbase_);
  if (!hash) return hash.status();
  if (chainstate_.signals() != nullptr) chainstate_.signals()->SyncWithValidationQueue();
  return std::optional<Hash256>(*hash);
}

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

#include "chain/mempool.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "chain/proof_check_queue.h"
#include "consensus/gas.h"
#include "consensus/tx_validation.h"
#include "util/logging.h"

namespace depin::chain {
namespace {

// Bytes a tx takes in a block beyond its envelope (u32 length prefix).
constexpr size_t kBlockTxOverhead = 4;

// old * (100 + percent) / 100, saturating: the fee a replacement must reach.
Uint256 BumpedFee(const Uint256& old_fee, uint32_t percent) {
  auto scaled = CheckedMul(old_fee, Uint256(uint64_t{100} + percent));
  if (!scaled) return Uint256::Max();
  return *scaled / Uint256(uint64_t{100});
}

Status AlreadyKnown() {
  return Status::Error(StatusKind::kAlreadyKnown, "txpool-already-known", "already known");
}

}  // namespace

bool Mempool::EvictKey::operator<(const EvictKey& other) const {
  if (effective_tip != other.effective_tip) return effective_tip < other.effective_tip;
  if (fee_cap != other.fee_cap) return fee_cap < other.fee_cap;
  // Among equal fees the newest goes first: it displaced nobody yet.
  if (sequence != other.sequence) return sequence > other.sequence;
  return hash < other.hash;
}

Mempool::Mempool(const MempoolOptions& options, Chainstate& chainstate)
    : options_(options), chainstate_(chainstate), signals_(chainstate.signals()) {
  {
    MutexLock lock(mu_);
    base_fee_ = chainstate_.NextBlockContext().base_fee;
  }
  chainstate_.AttachMempool(this);
}

Mempool::~Mempool() { chainstate_.DetachMempool(this); }

uint64_t Mempool::Now() const {
  if (options_.clock) return options_.clock();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Mempool::AccountRead Mempool::ReadAccount(const Address& address) const {
  AccountRead read;
  // Epoch first: if a block lands after this load, the epoch check under the
  // lock notices and the account is read again.
  read.epoch = chain_epoch_.load(std::memory_order_acquire);
  read.account = chainstate_.GetAccount(address);
  return read;
}

Mempool::EvictKey Mempool::KeyFor(const Entry& entry) const {
  return EvictKey{entry.tx->tx.EffectiveTip(base_fee_), entry.tx->tx.max_fee_per_gas,
                  entry.sequence, entry.tx->hash};
}

Mempool::FutureTally Mempool::CountFuture(const SenderTxs& sender_txs) {
  uint64_t expected = sender_txs.account_nonce;
  FutureTally tally;
  for (const auto& [nonce, entry] : sender_txs.txs) {
    if (nonce < expected) continue;  // stale until the next revalidation; not waiting on a gap
    if (nonce == expected && tally.count == 0) {
      ++expected;
      continue;
    }
    ++tally.count;
    tally.bytes += entry.tx->size;
  }
  return tally;
}

size_t Mempool::MaxFutureBytes() const {
  return options_.max_future_bytes != 0 ? options_.max_future_bytes : options_.max_bytes / 8;
}

uint64_t Mempool::PendingNonceOf(const SenderTxs& sender_txs) {
  uint64_t next = sender_txs.account_nonce;
  for (auto it = sender_txs.txs.lower_bound(next); it != sender_txs.txs.end() && it->first == next;
       ++it) {
    ++next;
  }
  return next;
}

void Mempool::UpdateSender(std::map<Address, SenderTxs>::iterator it) {
  SenderTxs& sender_txs = it->second;
  future_count_ -= sender_txs.future;
  future_bytes_ -= sender_txs.future_bytes;
  const FutureTally tally = CountFuture(sender_txs);
  sender_txs.future = tally.count;
  sender_txs.future_bytes = tally.bytes;
  future_count_ += sender_txs.future;
  future_bytes_ += sender_txs.future_bytes;
  if (sender_txs.txs.empty()) by_sender_.erase(it);
}

void Mempool::EraseEntry(SenderTxs& sender_txs, std::map<uint64_t, Entry>::iterator it,
                         MempoolRemovalReason reason) {
  const Entry& entry = it->second;
  if (signals_ != nullptr) signals_->TransactionRemovedFromMempool(entry.tx, reason);
  by_fee_.erase(KeyFor(entry));
  by_hash_.erase(entry.tx->hash);
  bytes_ -= entry.tx->size;
  sender_txs.txs.erase(it);
}

size_t Mempool::RemoveFrom(const Address& sender, uint64_t nonce, bool with_later,
                           MempoolRemovalReason reason) {
  auto sit = by_sender_.find(sender);
  if (sit == by_sender_.end()) return 0;
  auto& txs = sit->second.txs;
  size_t removed = 0;
  auto it = txs.lower_bound(nonce);
  while (it != txs.end() && (with_later || it->first == nonce)) {
    auto next = std::next(it);
    EraseEntry(sit->second, it, reason);
    ++removed;
    it = next;
  }
  UpdateSender(sit);
  return removed;
}

void Mempool::Revalidate(const Address& sender, const consensus::Account& account,
                         MempoolRemovalReason reason) {
  auto sit = by_sender_.find(sender);
  if (sit == by_sender_.end()) return;
  SenderTxs& sender_txs = sit->second;
  sender_txs.account_nonce = account.nonce;
  auto& txs = sender_txs.txs;
  // Nonces the chain has used are gone for good (included, or replaced by a
  // different tx with the same nonce).
  while (!txs.empty() && txs.begin()->first < account.nonce) {
    EraseEntry(sender_txs, txs.begin(), reason);
  }
  // The balance may have dropped: keep the prefix it still covers.
  Uint256 total;
  for (auto it = txs.begin(); it != txs.end(); ++it) {
    auto sum = CheckedAdd(total, it->second.max_cost);
    if (!sum || *sum > account.balance) {
      while (it != txs.end()) {
        auto next = std::next(it);
        EraseEntry(sender_txs, it, reason);
        it = next;
      }
      break;
    }
    total = *sum;
  }
  UpdateSender(sit);
}

void Mempool::RebuildEvictionIndex() {
  by_fee_.clear();
  for (const auto& [sender, sender_txs] : by_sender_) {
    for (const auto& [nonce, entry] : sender_txs.txs) by_fee_.insert(KeyFor(entry));
  }
}

Status Mempool::AddLocked(const TxRef& tx, const AccountRead& read, uint64_t now) {
  const Transaction& t = tx->tx;
  if (by_hash_.count(tx->hash) != 0) return AlreadyKnown();

  const consensus::Account& account = read.account;
  if (t.nonce < account.nonce) {
    return Status::Error(StatusKind::kStale, "tx-nonce-too-low",
                         "nonce too low: address " + tx->sender.ToChecksumHex() + ", tx: " +
                             std::to_string(t.nonce) + " state: " + std::to_string(account.nonce));
  }
  if (t.max_fee_per_gas < base_fee_) {
    return Status::Error(StatusKind::kPolicy, "tx-fee-cap-below-base-fee",
                         "max fee per gas less than block base fee: address " +
                             tx->sender.ToChecksumHex() + ", maxFeePerGas: " +
                             t.max_fee_per_gas.ToDecimal() + ", baseFee: " + base_fee_.ToDecimal());
  }
  if (t.max_priority_fee_per_gas < options_.min_tip) {
    return Status::Error(StatusKind::kPolicy, "txpool-underpriced",
                         "transaction underpriced: tip " + t.max_priority_fee_per_gas.ToDecimal() +
                             " below the minimum " + options_.min_tip.ToDecimal());
  }
  if (tx->size > options_.max_bytes)
    return Status::Error(StatusKind::kPolicy, "txpool-full", "txpool is full");

  Entry entry;
  entry.tx = tx;
  entry.time_added = now;
  auto cost = consensus::MaxCost(t);
  if (!cost) {
    return Status::Error(StatusKind::kMissingParent, "tx-insufficient-funds",
                         "insufficient funds for gas * price + value: cost overflows");
  }
  entry.max_cost = *cost;

  // Look at the sender's sequence without creating it: a rejected tx must
  // leave no trace.
  auto sit = by_sender_.find(tx->sender);
  const SenderTxs* existing_sender = sit == by_sender_.end() ? nullptr : &sit->second;
  const Entry* replaced = nullptr;
  if (existing_sender != nullptr) {
    auto it = existing_sender->txs.find(t.nonce);
    if (it != existing_sender->txs.end()) replaced = &it->second;
  }

  if (replaced != nullptr) {
    const Transaction& old = replaced->tx->tx;
    if (t.max_fee_per_gas < BumpedFee(old.max_fee_per_gas, options_.replacement_bump_percent) ||
        t.max_priority_fee_per_gas <
            BumpedFee(old.max_priority_fee_per_gas, options_.replacement_bump_percent)) {
      return Status::Error(StatusKind::kPolicy, "txpool-replacement-underpriced",
                           "replacement transaction underpriced: both fee caps must rise by " +
                               std::to_string(options_.replacement_bump_percent) + "%");
    }
  }

  // Pending nonce as of the account just read (the cached one may be older).
  uint64_t pending = account.nonce;
  if (existing_sender != nullptr) {
    for (auto it = existing_sender->txs.lower_bound(pending);
         it != existing_sender->txs.end() && it->first == pending; ++it) {
      ++pending;
    }
  }
  const bool is_future = t.nonce > pending;
  if (is_future && t.nonce - pending > options_.max_future_per_sender) {
    return Status::Error(StatusKind::kMissingParent, "tx-nonce-too-high",
                         "nonce too high: tx nonce " + std::to_string(t.nonce) + " is more than " +
                             std::to_string(options_.max_future_per_sender) +
                             " past the next nonce " + std::to_string(pending));
  }

  Uint256 total = entry.max_cost;
  bool overflow = false;
  if (existing_sender != nullptr) {
    for (const auto& [nonce, other] : existing_sender->txs) {
      if (nonce == t.nonce || nonce < account.nonce) continue;
      auto sum = CheckedAdd(total, other.max_cost);
      if (!sum) {
        overflow = true;
        break;
      }
      total = *sum;
    }
  }
  if (overflow || total > account.balance) {
    return Status::Error(StatusKind::kMissingParent, "tx-insufficient-funds",
                         "insufficient funds for gas * price + value: address " +
                             tx->sender.ToChecksumHex() + " have " + account.balance.ToDecimal() +
                             " want " + (overflow ? std::string("overflow") : total.ToDecimal()));
  }

  if (is_future && replaced == nullptr) {
    if (future_count_ >= options_.max_future_total) {
      return Status::Error(StatusKind::kPolicy, "txpool-too-many-future",
                           "too many future transactions: the pool holds " +
                               std::to_string(future_count_) + " txs waiting for a nonce gap");
    }
    if (existing_sender != nullptr &&
        existing_sender->future >= options_.max_future_txs_per_sender) {
      return Status::Error(StatusKind::kPolicy, "txpool-too-many-future",
                           "too many future transactions: the sender has " +
                               std::to_string(existing_sender->future) +
                               " txs waiting for a nonce gap");
    }
    if (future_bytes_ + tx->size > MaxFutureBytes()) {
      return Status::Error(StatusKind::kPolicy, "txpool-too-many-future",
                           "too many future transactions: txs waiting for a nonce gap use " +
                               std::to_string(future_bytes_) + " of their " +
                               std::to_string(MaxFutureBytes()) + " bytes");
    }
  }

  entry.sequence = next_sequence_;
  const EvictKey new_key = KeyFor(entry);

  // Room: evict the cheapest txs of other senders (with their later nonces,
  // which could no longer be mined) until the new tx fits. Plan first so a
  // refusal changes nothing.
  size_t needed = bytes_ + tx->size - (replaced != nullptr ? replaced->tx->size : 0);
  std::vector<std::pair<Address, uint64_t>> evictions;
  if (needed > options_.max_bytes) {
    std::map<Address, uint64_t> lowest_evicted;  // sender -> first evicted nonce
    size_t freed = 0;
    for (const EvictKey& key : by_fee_) {
      if (needed - freed <= options_.max_bytes) break;
      if (!(key < new_key)) {
        return Status::Error(StatusKind::kPolicy, "txpool-underpriced",
                             "transaction underpriced: the pool is full and holds no cheaper "
                             "transaction to evict");
      }
      const TxRef& victim = by_hash_.at(key.hash);
      if (victim->sender == tx->sender) continue;
      const uint64_t nonce = victim->tx.nonce;
      // A gapped tx cannot be mined and so pays nothing: it may displace
      // only other gapped txs, never a ready one.
      if (is_future && nonce < PendingNonceOf(by_sender_.at(victim->sender))) continue;
      auto found = lowest_evicted.find(victim->sender);
      uint64_t end = UINT64_MAX;
      if (found != lowest_evicted.end()) {
        if (found->second <= nonce) continue;  // already counted with an earlier nonce
        end = found->second;
      }
      const auto& victim_txs = by_sender_.at(victim->sender).txs;
      for (auto it = victim_txs.lower_bound(nonce); it != victim_txs.end() && it->first < end;
           ++it) {
        freed += it->second.tx->size;
      }
      lowest_evicted[victim->sender] = nonce;
    }
    if (needed - freed > options_.max_bytes)
      return Status::Error(StatusKind::kPolicy, "txpool-full", "txpool is full");
    evictions.assign(lowest_evicted.begin(), lowest_evicted.end());
  }

  // Commit.
  for (const auto& [sender, nonce] : evictions) {
    size_t removed = RemoveFrom(sender, nonce, /*with_later=*/true, MempoolRemovalReason::kEvicted);
    LogDebug(options_.logger, LogCategory::kMempool, "evicted {} txs of {} from nonce {}", removed,
             sender.ToChecksumHex(), nonce);
  }
  sit = by_sender_.try_emplace(tx->sender).first;
  SenderTxs& sender_txs = sit->second;
  sender_txs.account_nonce = account.nonce;
  auto old = sender_txs.txs.find(t.nonce);
  if (old != sender_txs.txs.end()) {
    LogDebug(options_.logger, LogCategory::kMempool, "tx {} replaced by {}",
             old->second.tx->hash.Hex(), tx->hash.Hex());
    EraseEntry(sender_txs, old, MempoolRemovalReason::kReplaced);
  }
  ++next_sequence_;
  by_fee_.insert(new_key);
  by_hash_.emplace(tx->hash, tx);
  bytes_ += tx->size;
  sender_txs.txs.emplace(t.nonce, std::move(entry));
  UpdateSender(sit);
  if (signals_ != nullptr) signals_->TransactionAddedToMempool(tx);
  return Status::Ok();
}

Status Mempool::Add(const TxRef& tx) {
  DEPIN_RETURN_IF_ERROR(
      consensus::CheckTransactionStateless(tx->tx, chainstate_.params(), chainstate_.modules()));
  // A proof is checked like a signature, before the pool holds the tx; the
  // cache spares the block that includes it a second check.
  DEPIN_RETURN_IF_ERROR(CheckTxProofs(
      *tx, chainstate_.modules(), &chainstate_.proof_cache(),
      consensus::ProofCheckOptions{.threads = 0,
                                   .hash = chainstate_.proof_hash(),
                                   .device_min_checks = consensus::kDeviceMinChecks}));
  AccountRead read = ReadAccount(tx->sender);
  const uint64_t now = Now();
  Status status;
  {
    MutexLock lock(mu_);
    if (read.epoch != chain_epoch_.load(std::memory_order_acquire)) read = ReadAccount(tx->sender);
    status = AddLocked(tx, read, now);
  }
  return status;
}

Mempool::PreparedBatch Mempool::PrepareBatch(const std::vector<TxRef>& txs) const {
  PreparedBatch batch;
  batch.results.resize(txs.size());
  for (size_t i = 0; i < txs.size(); ++i) {
    batch.results[i] = consensus::CheckTransactionStateless(txs[i]->tx, chainstate_.params(),
                                                            chainstate_.modules());
    if (batch.results[i].ok()) {
      batch.results[i] = CheckTxProofs(
          *txs[i], chainstate_.modules(), &chainstate_.proof_cache(),
          consensus::ProofCheckOptions{
              .threads = 1, .hash = nullptr, .device_min_checks = consensus::kDeviceMinChecks});
    }
    if (batch.results[i].ok() && batch.accounts.count(txs[i]->sender) == 0) {
      batch.accounts.emplace(txs[i]->sender, ReadAccount(txs[i]->sender));
    }
  }
  return batch;
}

void Mempool::InsertBatch(const std::vector<TxRef>& txs, PreparedBatch& batch) {
  const uint64_t now = Now();
  {
    MutexLock lock(mu_);
    const uint64_t epoch = chain_epoch_.load(std::memory_order_acquire);
    for (size_t i = 0; i < txs.size(); ++i) {
      if (!batch.results[i].ok()) continue;
      AccountRead& read = batch.accounts.at(txs[i]->sender);
      if (read.epoch != epoch) read = ReadAccount(txs[i]->sender);
      batch.results[i] = AddLocked(txs[i], read, now);
    }
  }
}

std::vector<Status> Mempool::AddBatch(const std::vector<TxRef>& txs) {
  PreparedBatch batch = PrepareBatch(txs);
  InsertBatch(txs, batch);
  return std::move(batch.results);
}

Result<TxRef> Mempool::AddRaw(ByteSpan envelope) {
  auto tx = DecodeAndVerifyTransaction(envelope);
  if (!tx) return tx.status();
  Status status = Add(*tx);
  if (!status.ok()) return status;
  return *tx;
}

std::vector<Result<TxRef>> Mempool::AddRawBatch(const std::vector<depin::Bytes>& envelopes) {
  // Sender recovery dominates admission and needs no pool state, so it runs
  // on every thread; the locked insert is serial. To keep the insert from
  // adding to the wall time, the envelopes are cut into chunks: a thread
  // recovers a chunk, prepares it (stateless rules, account reads), marks it
  // ready, and then whichever thread holds the insert baton inserts every
  // ready chunk in input order while the others recover the next ones.
  constexpr size_t kChunkSize = 256;
  struct Chunk {
    size_t begin = 0;
    size_t end = 0;
    std::vector<TxRef> txs;
    std::vector<size_t> index;  // position of txs[k] in `envelopes`
    PreparedBatch prepared;
    std::atomic<bool> ready{false};
  };
  const size_t count = envelopes.size();
  std::vector<Result<TxRef>> results(count, Status::Error("txpool-not-processed"));
  const size_t chunk_count = (count + kChunkSize - 1) / kChunkSize;
  std::vector<Chunk> chunks(chunk_count);
  for (size_t c = 0; c < chunk_count; ++c) {
    chunks[c].begin = c * kChunkSize;
    chunks[c].end = std::min(count, chunks[c].begin + kChunkSize);
  }

  std::atomic<size_t> next_to_recover{0};
  std::atomic<size_t> next_to_insert{0};
  std::mutex baton;  // held by the thread inserting; never waited on
  auto drain = [&] {
    for (;;) {
      std::unique_lock<std::mutex> lock(baton, std::try_to_lock);
      if (!lock.owns_lock()) return;  // the holder will insert our chunk too
      size_t c = next_to_insert.load();
      while (c < chunk_count && chunks[c].ready.load(std::memory_order_acquire)) {
        InsertBatch(chunks[c].txs, chunks[c].prepared);
        next_to_insert.store(++c);
      }
      lock.unlock();
      // A chunk that became ready after the check above was left by its
      // owner, whose try_lock failed while we held the baton: look again.
      if (c >= chunk_count || !chunks[c].ready.load(std::memory_order_acquire)) return;
    }
  };
  auto worker = [&] {
    for (size_t c = next_to_recover++; c < chunk_count; c = next_to_recover++) {
      Chunk& chunk = chunks[c];
      for (size_t i = chunk.begin; i < chunk.end; ++i) {
        auto tx = DecodeAndVerifyTransaction(envelopes[i]);
        if (tx.ok()) {
          chunk.txs.push_back(*tx);
          chunk.index.push_back(i);
        }
        results[i] = std::move(tx);
      }
      chunk.prepared = PrepareBatch(chunk.txs);
      chunk.ready.store(true, std::memory_order_release);
      drain();
    }
  };

  unsigned threads = options_.verify_threads != 0
                         ? options_.verify_threads
                         : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(chunk_count, 1)));
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(worker);
  worker();
  for (auto& helper : helpers) helper.join();
  drain();  // every chunk is ready now and no one else holds the baton

  for (const Chunk& chunk : chunks) {
    for (size_t k = 0; k < chunk.txs.size(); ++k) {
      if (!chunk.prepared.results[k].ok()) results[chunk.index[k]] = chunk.prepared.results[k];
    }
  }
  return results;
}

TxRef Mempool::Get(const Hash256& hash) const {
  MutexLock lock(mu_);
  auto it = by_hash_.find(hash);
  return it == by_hash_.end() ? nullptr : it->second;
}

bool Mempool::Contains(const Hash256& hash) const {
  MutexLock lock(mu_);
  return by_hash_.count(hash) != 0;
}

std::vector<TxRef> Mempool::All() const {
  MutexLock lock(mu_);
  std::vector<TxRef> out;
  out.reserve(by_hash_.size());
  for (const auto& [sender, sender_txs] : by_sender_) {
    for (const auto& [nonce, entry] : sender_txs.txs) out.push_back(entry.tx);
  }
  return out;
}

std::vector<TxRef> Mempool::TxsFrom(const Address& sender) const {
  MutexLock lock(mu_);
  std::vector<TxRef> out;
  auto it = by_sender_.find(sender);
  if (it == by_sender_.end()) return out;
  for (const auto& [nonce, entry] : it->second.txs) out.push_back(entry.tx);
  return out;
}

size_t Mempool::Size() const {
  MutexLock lock(mu_);
  return by_hash_.size();
}

size_t Mempool::Bytes() const {
  MutexLock lock(mu_);
  return bytes_;
}

size_t Mempool::ReadyCount() const {
  MutexLock lock(mu_);
  return by_hash_.size() - future_count_;
}

size_t Mempool::FutureCount() const {
  MutexLock lock(mu_);
  return future_count_;
}

uint64_t Mempool::PendingNonce(const Address& sender) const {
  // Read the account first, outside the lock; the pool's run extends it.
  AccountRead read = ReadAccount(sender);
  MutexLock lock(mu_);
  auto it = by_sender_.find(sender);
  if (it == by_sender_.end()) return read.account.nonce;
  uint64_t next = std::max(read.account.nonce, it->second.account_nonce);
  const auto& txs = it->second.txs;
  for (auto tx_it = txs.lower_bound(next); tx_it != txs.end() && tx_it->first == next; ++tx_it) {
    ++next;
  }
  return next;
}

Uint256 Mempool::NextBaseFee() const {
  MutexLock lock(mu_);
  return base_fee_;
}

std::vector<TxRef> Mempool::SelectForBlock(const Uint256& base_fee, uint64_t gas_limit,
                                           size_t max_bytes) const {
  struct Candidate {
    Uint256 tip;
    uint64_t sequence;
    const SenderTxs* sender;
    std::map<uint64_t, Entry>::const_iterator it;
  };
  // Max-heap: higher tip first, then earlier arrival.
  auto worse = [](const Candidate& a, const Candidate& b) {
    if (a.tip != b.tip) return a.tip < b.tip;
    return a.sequence > b.sequence;
  };
  std::vector<TxRef> out;
  MutexLock lock(mu_);
  std::priority_queue<Candidate, std::vector<Candidate>, decltype(worse)> heap(worse);
  auto push = [&](const SenderTxs& sender_txs, std::map<uint64_t, Entry>::const_iterator it) {
    heap.push(
        Candidate{it->second.tx->tx.EffectiveTip(base_fee), it->second.sequence, &sender_txs, it});
  };
  for (const auto& [sender, sender_txs] : by_sender_) {
    auto it = sender_txs.txs.find(sender_txs.account_nonce);
    if (it != sender_txs.txs.end()) push(sender_txs, it);
  }
  uint64_t gas_left = gas_limit;
  size_t bytes_left = max_bytes;
  while (!heap.empty() && gas_left >= consensus::kTxGas) {
    Candidate best = heap.top();
    heap.pop();
    const VerifiedTx& vtx = *best.it->second.tx;
    // A tx that cannot go in ends its sender's run: later nonces depend on it.
    if (vtx.tx.max_fee_per_gas < base_fee) continue;
    if (vtx.tx.gas_limit > gas_left || vtx.size + kBlockTxOverhead > bytes_left) continue;
    out.push_back(best.it->second.tx);
    gas_left -= vtx.tx.gas_limit;
    bytes_left -= vtx.size + kBlockTxOverhead;
    auto next = std::next(best.it);
    if (next != best.sender->txs.end() && next->first == best.it->first + 1) {
      push(*best.sender, next);
    }
  }
  return out;
}

size_t Mempool::ExpireOld(uint64_t now) {
  MutexLock lock(mu_);
  std::vector<std::pair<Address, uint64_t>> expired;  // sender, first expired nonce
  for (const auto& [sender, sender_txs] : by_sender_) {
    for (const auto& [nonce, entry] : sender_txs.txs) {
      if (entry.time_added + options_.expiry_seconds <= now) {
        expired.emplace_back(sender, nonce);
        break;
      }
    }
  }
  size_t removed = 0;
  for (const auto& [sender, nonce] : expired) {
    removed += RemoveFrom(sender, nonce, /*with_later=*/true, MempoolRemovalReason::kExpired);
  }
  if (removed != 0) {
    LogDebug(options_.logger, LogCategory::kMempool, "expired {} txs", removed);
  }
  return removed;
}

bool Mempool::Remove(const Hash256& hash) {
  MutexLock lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return false;
  const TxRef tx = it->second;
  RemoveFrom(tx->sender, tx->tx.nonce, /*with_later=*/true, MempoolRemovalReason::kRemoved);
  return true;
}

void Mempool::BlockConnected(const Block& block) {
  UpdateForConnectedBlock(block);
  // Every block is the pool's clock tick for expiry: no timer thread needed,
  // and a chain that stops leaves the pool as it was.
  ExpireOld(Now());
}

void Mempool::UpdateForConnectedBlock(const Block& block) {
  const Uint256 next_base_fee = chainstate_.NextBlockContext().base_fee;
  MutexLock lock(mu_);
  chain_epoch_.fetch_add(1, std::memory_order_acq_rel);
  std::set<Address> senders;
  for (const TxRef& tx : block.txs) {
    senders.insert(tx->sender);
    auto it = by_hash_.find(tx->hash);
    if (it != by_hash_.end()) {
      RemoveFrom(tx->sender, tx->tx.nonce, /*with_later=*/false, MempoolRemovalReason::kIncluded);
    }
  }
  // The block's senders first: what they lose conflicts with the block. Any
  // other sender only after a disconnect: what it loses, it loses to the reorg.
  for (const Address& sender : senders) {
    if (by_sender_.count(sender) != 0) {
      Revalidate(sender, chainstate_.GetAccount(sender), MempoolRemovalReason::kConflict);
    }
  }
  if (recheck_all_) {
    std::vector<Address> others;
    for (const auto& [sender, sender_txs] : by_sender_) {
      if (senders.count(sender) == 0) others.push_back(sender);
    }
    for (const Address& sender : others) {
      if (by_sender_.count(sender) != 0) {
        Revalidate(sender, chainstate_.GetAccount(sender), MempoolRemovalReason::kReorgConflict);
      }
    }
    recheck_all_ = false;
  }
  if (next_base_fee != base_fee_) {
    base_fee_ = next_base_fee;
    RebuildEvictionIndex();
  }
  LogDebug(options_.logger, LogCategory::kMempool, "block {} connected: {} txs left in the pool",
           block.header.height, by_hash_.size());
}

void Mempool::BlockDisconnected(const Block& block) {
  const Uint256 next_base_fee = chainstate_.NextBlockContext().base_fee;
  const uint64_t now = Now();
  MutexLock lock(mu_);
  chain_epoch_.fetch_add(1, std::memory_order_acq_rel);
  recheck_all_ = true;
  if (next_base_fee != base_fee_) {
    base_fee_ = next_base_fee;
    RebuildEvictionIndex();
  }
  // Offer the block's txs back. They were valid one block ago; the usual
  // admission rules decide against the state now (a tx the new branch also
  // contains fails with "nonce too low" once that branch connects, which the
  // connect handler cleans up anyway). A re-admitted tx is announced again
  // (TransactionAddedToMempool): it left the pool with reason kIncluded.
  size_t readmitted = 0;
  for (const TxRef& tx : block.txs) {
    if (!consensus::CheckTransactionStateless(tx->tx, chainstate_.params(), chainstate_.modules())
             .ok()) {
      continue;
    }
    AccountRead read;
    read.epoch = chain_epoch_.load(std::memory_order_acquire);
    read.account = chainstate_.GetAccount(tx->sender);
    if (AddLocked(tx, read, now).ok()) ++readmitted;
  }
  LogDebug(options_.logger, LogCategory::kMempool,
           "block {} disconnected: {} of {} txs re-admitted", block.header.height, readmitted,
           block.txs.size());
}

}  // namespace depin::chain

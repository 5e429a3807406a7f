// Mempool: the node's set of valid, not yet mined transactions, admitted
// against the state at the chain tip. Wallets reach it through RPC
// (eth_sendRawTransaction), peers through tx relay; the block assembler reads
// it through SelectForBlock.
//
// Rules (messages start with go-ethereum's wording because wallet libraries
// classify errors by that text; codes name the rule):
//   - stateless checks (consensus::CheckTransactionStateless): tx-wrong-chain-id,
//     tx-intrinsic-gas, tx-gas-limit-too-high, tx-tip-above-fee-cap, ...
//   - tx-bad-proof                a proof the tx carries fails its check (the
//     module's rule in the message; chain/proof_check_queue.h)
//   - txpool-already-known        "already known"        (same hash in the pool)
//   - tx-nonce-too-low            "nonce too low"        (below the account nonce)
//   - tx-nonce-too-high           "nonce too high"       (more than
//     max_future_per_sender past the sender's pending nonce)
//   - tx-fee-cap-below-base-fee   "max fee per gas less than block base fee"
//     (next block's base fee). geth queues such txs; we refuse them outright,
//     as most public RPC nodes do, so a wallet learns at once that it has to
//     raise the fee instead of watching a tx that never gets mined.
//   - txpool-underpriced          "transaction underpriced" (tip below
//     min_tip, or the pool is full and the tx pays less than the cheapest one)
//   - tx-insufficient-funds       "insufficient funds for gas * price + value"
//     (balance below the sum of gas_limit * max_fee + value over all of the
//     sender's pooled txs, this one included)
//   - txpool-replacement-underpriced "replacement transaction underpriced"
//     (same sender and nonce needs both fee caps >= 110% of the old ones)
//   - txpool-too-many-future      "too many future transactions" (bounds on
//     txs waiting for a nonce gap to close: their count pool-wide, their
//     count per sender and their bytes, max_future_bytes, well below the
//     pool's). Such a gapped tx never evicts a ready one: when the pool is
//     full it can only displace cheaper gapped txs.
//   - txpool-full                 "txpool is full" (nothing cheaper to evict)
//
// A sender's txs form a nonce sequence. A tx is *ready* when every nonce from
// the account nonce up to it is in the pool; only ready txs are selected for
// blocks. Ordering is by effective tip at the next block's base fee. When the
// byte limit is passed, the lowest-fee tx (and the same sender's later nonces,
// which could no longer be mined) is evicted. Txs older than expiry_seconds
// are dropped by ExpireOld. On a connected block the pool drops included txs
// and txs whose nonce is now stale, and re-checks the funds of the block's
// senders; on a disconnected block the block's txs are offered back.
//
// Thread-safety: all public methods may be called from any thread. Signature
// recovery (AddRaw, AddRawBatch) and account reads happen outside the pool
// lock, so admission from many threads scales with cores; the lock covers
// only the index updates.
//
// Events: every tx admitted and every tx removed (with a MempoolRemovalReason)
// is enqueued on the chainstate's ValidationSignals, under the pool lock so
// the queue has the pool's order; subscribers hear them on the signals
// thread. The pool's own reaction to blocks is not a subscription: the
// chainstate calls BlockConnected / BlockDisconnected directly, in order,
// before ProcessBlock returns, so the pool never lags the tip it admits
// against.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "consensus/state.h"
#include "primitives/transaction.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::chain {

struct MempoolOptions {
  size_t max_bytes = size_t{300} << 20;  // sum of envelope sizes
  // How far past the sender's pending nonce a tx may be (a gap of at most this
  // many missing nonces); further is "nonce too high".
  uint32_t max_future_per_sender = 64;
  // Txs waiting for a nonce gap, pool-wide.
  uint32_t max_future_total = 4096;
  // Bytes of such txs, pool-wide; 0 = max_bytes / 8. Gapped txs cannot be
  // mined, so they never pay: they get a small share of the pool and never
  // displace a ready tx.
  size_t max_future_bytes = 0;
  // Such txs per sender.
  uint32_t max_future_txs_per_sender = 16;
  uint64_t expiry_seconds = 3 * 3600;
  // Minimum max_priority_fee_per_gas (wei); 0 on regtest.
  Uint256 min_tip;
  // Replacement must raise both fee caps by at least this percentage (geth: 10).
  uint32_t replacement_bump_percent = 10;
  // Threads for AddRawBatch's signature recovery; 0 = hardware concurrency.
  unsigned verify_threads = 0;
  // Seconds since the Unix epoch; injectable so expiry is tested without
  // sleeping. Empty = system clock.
  std::function<uint64_t()> clock;
  Logger* logger = nullptr;
};

class Mempool {
 public:
  // Reads the next block's base fee from `chainstate` and attaches itself
  // (Chainstate::AttachMempool); the destructor detaches. Events go to
  // chainstate.signals(). `chainstate` must outlive the pool.
  Mempool(const MempoolOptions& options, Chainstate& chainstate);
  ~Mempool();
  Mempool(const Mempool&) = delete;
  Mempool& operator=(const Mempool&) = delete;

  // Admits a tx whose sender was already recovered. Ok or the rule that
  // failed (see the header comment).
  Status Add(const TxRef& tx) EXCLUDES(mu_);
  // Admits several txs, reading their senders' accounts first and then
  // taking the lock once; results in input order.
  std::vector<Status> AddBatch(const std::vector<TxRef>& txs) EXCLUDES(mu_);
  // Decodes an envelope, recovers the sender (outside the lock) and admits it.
  Result<TxRef> AddRaw(ByteSpan envelope) EXCLUDES(mu_);
  // Decodes and recovers on verify_threads threads (the caller's included)
  // in chunks, and inserts each chunk while later ones are still being
  // recovered; chunks are inserted in input order, so the outcome is the
  // same as admitting the envelopes one by one. One result per envelope, in
  // input order.
  std::vector<Result<TxRef>> AddRawBatch(const std::vector<depin::Bytes>& envelopes) EXCLUDES(mu_);

  TxRef Get(const Hash256& hash) const EXCLUDES(mu_);  // null when absent
  bool Contains(const Hash256& hash) const EXCLUDES(mu_);
  // Every tx, ordered by sender then nonce.
  std::vector<TxRef> All() const EXCLUDES(mu_);
  // One sender's txs in nonce order.
  std::vector<TxRef> TxsFrom(const Address& sender) const EXCLUDES(mu_);
  size_t Size() const EXCLUDES(mu_);
  size_t Bytes() const EXCLUDES(mu_);  // sum of envelope sizes
  // Ready and waiting (future) counts, for txpool_status.
  size_t ReadyCount() const EXCLUDES(mu_);
  size_t FutureCount() const EXCLUDES(mu_);

  // The next nonce for `sender` counting the pool's contiguous run
  // (eth_getTransactionCount "pending").
  uint64_t PendingNonce(const Address& sender) const EXCLUDES(mu_);

  // Txs for a block at `base_fee`: highest effective tip first, each sender's
  // txs in nonce order starting at its account nonce, within `gas_limit`
  // (sum of tx gas limits) and `max_bytes` (sum of envelope sizes plus a
  // 4-byte length prefix each). Txs whose fee cap is below `base_fee` end
  // their sender's run. Ties go to the earlier arrival.
  std::vector<TxRef> SelectForBlock(const Uint256& base_fee, uint64_t gas_limit,
                                    size_t max_bytes) const EXCLUDES(mu_);

  // Drops txs admitted more than expiry_seconds before `now`, and the same
  // senders' later nonces. Returns how many were removed.
  size_t ExpireOld(uint64_t now) EXCLUDES(mu_);
  // Removes one tx (and the sender's later nonces); false if absent.
  bool Remove(const Hash256& hash) EXCLUDES(mu_);

  // The base fee admission checks against (the next block's).
  Uint256 NextBaseFee() const EXCLUDES(mu_);

  // Called by the chainstate (chain change in progress, no chainstate lock
  // held) for each block joining or leaving the active chain. A connected
  // block also expires old txs (ExpireOld at the pool's clock); a
  // disconnected block's txs are offered back.
  void BlockConnected(const Block& block) EXCLUDES(mu_);
  void BlockDisconnected(const Block& block) EXCLUDES(mu_);

 private:
  void UpdateForConnectedBlock(const Block& block) EXCLUDES(mu_);

  struct Entry {
    TxRef tx;
    uint64_t time_added = 0;
    uint64_t sequence = 0;  // arrival order, for deterministic ties
    Uint256 max_cost;       // gas_limit * max_fee + value
  };
  // Eviction order: lowest effective tip at the pool's base fee, then lowest
  // fee cap, then newest arrival first.
  struct EvictKey {
    Uint256 effective_tip;
    Uint256 fee_cap;
    uint64_t sequence = 0;
    Hash256 hash;
    bool operator<(const EvictKey& other) const;
  };
  struct SenderTxs {
    uint64_t account_nonce = 0;     // as last read from the tip state
    std::map<uint64_t, Entry> txs;  // by nonce
    size_t future = 0;              // txs past the contiguous run (CountFuture)
    size_t future_bytes = 0;        // and their bytes
  };
  struct FutureTally {
    size_t count = 0;
    size_t bytes = 0;
  };
  // An account read outside the lock, tagged with the chain epoch it was
  // read at; re-read under the lock if a block arrived meanwhile.
  struct AccountRead {
    consensus::Account account;
    uint64_t epoch = 0;
  };

  // A batch checked and with its senders' accounts read, ready for the
  // locked insert.
  struct PreparedBatch {
    std::vector<Status> results;  // stateless failures; ok = still to insert
    std::map<Address, AccountRead> accounts;
  };

  uint64_t Now() const;
  AccountRead ReadAccount(const Address& address) const;
  // Stateless rules and one account read per sender; no lock.
  PreparedBatch PrepareBatch(const std::vector<TxRef>& txs) const;
  // Inserts under one lock acquisition (each admitted tx is enqueued on the
  // signals as it goes in).
  void InsertBatch(const std::vector<TxRef>& txs, PreparedBatch& batch) EXCLUDES(mu_);
  Status AddLocked(const TxRef& tx, const AccountRead& read, uint64_t now) REQUIRES(mu_);
  EvictKey KeyFor(const Entry& entry) const REQUIRES(mu_);
  // Erases the entry at `nonce` of `sender` and, when `with_later`, every
  // later nonce; returns how many txs were removed.
  size_t RemoveFrom(const Address& sender, uint64_t nonce, bool with_later,
                    MempoolRemovalReason reason) REQUIRES(mu_);
  // Erases one entry and enqueues its removal with `reason`.
  void EraseEntry(SenderTxs& sender_txs, std::map<uint64_t, Entry>::iterator it,
                  MempoolRemovalReason reason) REQUIRES(mu_);
  // Drops stale nonces and txs the balance no longer covers, for `reason`.
  void Revalidate(const Address& sender, const consensus::Account& account,
                  MempoolRemovalReason reason) REQUIRES(mu_);
  void RebuildEvictionIndex() REQUIRES(mu_);
  // Txs of a sender beyond its contiguous run from the account nonce.
  static FutureTally CountFuture(const SenderTxs& sender_txs);
  size_t MaxFutureBytes() const;
  // Recounts a sender's future txs into future_count_ and drops the sender
  // when it has no txs left.
  void UpdateSender(std::map<Address, SenderTxs>::iterator it) REQUIRES(mu_);
  // The sender's next nonce counting the pool's contiguous run.
  static uint64_t PendingNonceOf(const SenderTxs& sender_txs);

  const MempoolOptions options_;
  Chainstate& chainstate_;
  ValidationSignals* const signals_;  // chainstate_.signals(); may be null
  // Bumped on every connected or disconnected block, so admission knows
  // whether an account it read outside the lock may be stale.
  std::atomic<uint64_t> chain_epoch_{0};

  mutable Mutex mu_;
  std::unordered_map<Hash256, TxRef, FixedBytesHasher> by_hash_ GUARDED_BY(mu_);
  std::map<Address, SenderTxs> by_sender_ GUARDED_BY(mu_);
  std::set<EvictKey> by_fee_ GUARDED_BY(mu_);
  size_t bytes_ GUARDED_BY(mu_) = 0;
  size_t future_count_ GUARDED_BY(mu_) = 0;
  size_t future_bytes_ GUARDED_BY(mu_) = 0;
  uint64_t next_sequence_ GUARDED_BY(mu_) = 0;
  Uint256 base_fee_ GUARDED_BY(mu_);
  // Set when a block was disconnected: balances of any sender may have
  // dropped (a received transfer was undone), so the next connected block
  // re-checks every sender, not only the block's.
  bool recheck_all_ GUARDED_BY(mu_) = false;
};

}  // namespace depin::chain

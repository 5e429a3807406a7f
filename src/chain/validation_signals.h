// ValidationSignals: how events leave the chain layer. The chainstate and the
// mempool enqueue what happened (a block connected or disconnected, the tip
// moved, a tx entered or left the pool); one background thread ("signals")
// delivers each event, in the order it was enqueued, to every subscriber
// registered when it is delivered. Modelled on Bitcoin Core's
// ValidationSignals / CValidationInterface.
//
// Subscribers (a ValidationInterface) are relay, the WebSocket feeds and
// polling filters, the miner, indexes and provider roles. The mempool is not
// one: its own reaction to a block is a direct call from the chainstate
// (Chainstate::ProcessBlock returns with the pool consistent with the new
// tip, as Core's mempool removal runs inside ConnectTip); only what the pool
// did (txs added and removed, with a reason) goes through the queue.
//
// Use:
//   ValidationSignals signals(ValidationSignalsOptions{logger});
//   chainstate_options.signals = &signals;      // the chainstate enqueues
//   signals.Register(&relay);                   // relay.BlockConnected(...) on "signals"
//   ...
//   signals.SyncWithValidationQueue();          // tests, RPC: wait for delivery
//   signals.Unregister(&relay);                 // waits for a call in flight
//
// Ordering: for one block the chainstate enqueues the mempool's removals
// (reason kIncluded, kConflict) first, then BlockConnected; after a whole
// ProcessBlock (one block, or a reorg's disconnects then connects) one
// TipChanged. Txs admitted by the pool are enqueued under the pool's lock,
// so their order is the pool's.
//
// Memory: the queue is unbounded, so a slow subscriber never stalls block
// connection. An event holds shared pointers to the block, its receipts and
// its state diff (no copies); behind a stuck subscriber the queue grows by
// about three times the size of every block connected meanwhile. Its length
// is logged as a warning each time it doubles past kQueueWarnLength.
//
// Thread-safety: every method may be called from any thread. Subscriber
// methods run on the "signals" thread, without any chainstate or mempool
// lock held; they may call the chainstate and the mempool (reads), but not
// SyncWithValidationQueue (it returns at once there: the caller is the queue).
// Unregister called from a subscriber's own callback does not wait (it would
// wait for itself).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "chain/chainstate.h"
#include "consensus/state.h"
#include "primitives/block.h"
#include "primitives/receipt.h"
#include "primitives/transaction.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::chain {

// Why a tx left the mempool.
enum class MempoolRemovalReason : uint8_t {
  kIncluded,       // mined in a connected block
  kReplaced,       // replaced by a tx of the same sender and nonce paying more
  kExpired,        // older than MempoolOptions::expiry_seconds (or an earlier nonce was)
  kEvicted,        // the pool was full and it paid least (or an earlier nonce did)
  kConflict,       // a connected block used its nonce or drained its sender's balance
  kReorgConflict,  // no longer valid after blocks were disconnected
  kRemoved,        // Mempool::Remove (an operator's or a test's request)
};

// "included", "replaced", "expired", "evicted", "conflict", "reorg-conflict", "removed".
const char* MempoolRemovalReasonName(MempoolRemovalReason reason);

// A block joining or leaving the active chain.
struct BlockEvent {
  std::shared_ptr<const Block> block;
  Hash256 hash;
  uint64_t height = 0;
  std::shared_ptr<const std::vector<Receipt>> receipts;  // gas_used filled
  // The block's module trace (consensus/module_trace.h); null when the
  // block was connected by a version that kept none (a disconnect of such a
  // block).
  std::shared_ptr<const consensus::BlockTrace> trace;
  // Connected: the block's changes (before -> after). Disconnected: the
  // changes undoing it (the inverse of its connect diff).
  std::shared_ptr<const consensus::StateDiff> diff;
  // Connected: how long connecting it took (execution, proof checks, roots
  // and the synced write); zero for a disconnect.
  std::chrono::nanoseconds connect_time{0};
};

// A subscriber: override what you need. Called on the "signals" thread.
class ValidationInterface {
 public:
  virtual ~ValidationInterface() = default;
  virtual void BlockConnected(const BlockEvent& event) { (void)event; }
  // For each block removed from the active chain, tip first.
  virtual void BlockDisconnected(const BlockEvent& event) { (void)event; }
  // After each chain change (once per ProcessBlock that changed the tip).
  virtual void TipChanged(const TipInfo& tip) { (void)tip; }
  virtual void TransactionAddedToMempool(const TxRef& tx) { (void)tx; }
  virtual void TransactionRemovedFromMempool(const TxRef& tx, MempoolRemovalReason reason) {
    (void)tx;
    (void)reason;
  }
};

struct ValidationSignalsOptions {
  Logger* logger = nullptr;  // optional
};

// Queue length at which a warning is logged (and again at each doubling).
inline constexpr size_t kQueueWarnLength = 1000;

class ValidationSignals {
 public:
  // Starts the delivery thread.
  explicit ValidationSignals(const ValidationSignalsOptions& options);
  // Stop().
  ~ValidationSignals();
  ValidationSignals(const ValidationSignals&) = delete;
  ValidationSignals& operator=(const ValidationSignals&) = delete;

  // Adds a subscriber; it hears the events delivered from now on (including
  // ones already queued). `sub` must stay alive until Unregister returns.
  void Register(ValidationInterface* sub) EXCLUDES(mu_);
  // Removes a subscriber and waits until no call to it is in flight (unless
  // called on the signals thread). No call reaches it afterwards.
  void Unregister(ValidationInterface* sub) EXCLUDES(mu_);

  // Waits until every event enqueued before the call has been delivered.
  // Returns at once on the signals thread or after Stop().
  void SyncWithValidationQueue() EXCLUDES(mu_);

  // Delivers what is queued, then ends the thread. Later events are dropped.
  void Stop() EXCLUDES(mu_);

  // Events enqueued and not yet delivered.
  size_t QueueLength() const EXCLUDES(mu_);

  // Producers (chainstate, mempool). Never block on subscribers.
  void BlockConnected(BlockEvent event) EXCLUDES(mu_);
  void BlockDisconnected(BlockEvent event) EXCLUDES(mu_);
  void TipChanged(const TipInfo& tip) EXCLUDES(mu_);
  void TransactionAddedToMempool(const TxRef& tx) EXCLUDES(mu_);
  void TransactionRemovedFromMempool(const TxRef& tx, MempoolRemovalReason reason) EXCLUDES(mu_);

 private:
  struct Subscriber {
    ValidationInterface* sub = nullptr;
    bool removed = false;
    int calls = 0;  // in flight (0 or 1: one delivery thread)
  };
  using Call = std::function<void(ValidationInterface&)>;

  void Enqueue(Call call) EXCLUDES(mu_);
  void Run() EXCLUDES(mu_);

  const ValidationSignalsOptions options_;
  mutable Mutex mu_;
  CondVar work_cv_;  // queue_ gained an entry, or stopping_
  CondVar done_cv_;  // delivered_ moved, or a call ended
  std::deque<Call> queue_ GUARDED_BY(mu_);
  std::vector<std::shared_ptr<Subscriber>> subs_ GUARDED_BY(mu_);
  uint64_t enqueued_ GUARDED_BY(mu_) = 0;
  uint64_t delivered_ GUARDED_BY(mu_) = 0;
  size_t warn_length_ GUARDED_BY(mu_) = kQueueWarnLength;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool stopped_ GUARDED_BY(mu_) = false;
  std::thread::id thread_id_;
  std::thread thread_;
};

}  // namespace depin::chain

// The CPU miner: SHA-256d nonce search over block templates from the
// BlockAssembler, on several threads, using the SHA-256 midstate.
//
// The 260-byte header spans five SHA-256 blocks. The 64-bit nonce sits at
// bytes 252..259: its low 32 bits end the fourth block, its high 32 bits are
// the only header bytes in the fifth. So the first three blocks are hashed
// once per template, the fourth once per low half, and per nonce only the
// fifth block (4 nonce bytes + padding, length 2080 bits) and the second
// SHA-256 of the 32-byte digest are computed. Each thread scans the low
// halves congruent to its index, each with every high half. Should all 2^64
// nonces of a template fail (only in theory), the miner builds a new
// template one second later rather than editing the timestamp in place:
// modules may read the block time, so it is not a free field of the header.
//
// Modes:
//   - Generate / MineOne: mine blocks now (generatetoaddress, evm_mine, tests);
//   - Start / Stop: continuous mining on a background thread (-mine). While
//     the next block's earliest timestamp (median time past + 1) is ahead of
//     the clock, the loop paces itself: it waits until the clock gets there,
//     at most one second per block, so the tip's time does not run far into
//     the future (a peer would refuse blocks more than two hours ahead) and a
//     clock that stands still (a test's) slows mining without stopping it;
//   - dev mode (-dev): Start mines only when a block is due: every
//     dev_block_interval (fractions of a second allowed) when it is > 0,
//     and with dev_automine as soon as the mempool holds a ready tx (the
//     miner hears TransactionAddedToMempool); every tx ready by then goes
//     into that block. SetAutomine and SetBlockInterval change both while
//     the loop runs (evm_setAutomine, evm_setIntervalMining).
// A search stops as soon as a solution is found, Stop is called, or the
// chain tip changes (the miner subscribes to the validation signals), so
// little work is wasted on a stale parent.
//
// Thread-safety: all public methods may be called from any thread. MineOne
// and Generate serialize with each other and with the background loop.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/chainstate.h"
#include "chain/dev_clock.h"
#include "chain/mempool.h"
#include "chain/validation_signals.h"
#include "compute/gpu.h"
#include "primitives/block.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::chain {

// SHA-256d of a header with its nonce varied, from a precomputed midstate.
class HeaderHasher {
 public:
  explicit HeaderHasher(const BlockHeader& header);
  // Recomputes the fourth-block midstate for this low nonce half.
  void SetNonceLow(uint32_t nonce_low);
  // SHA-256d(header with nonce = nonce_low | high << 32), the low half as
  // last set (initially the header's own).
  Hash256 HashWithNonceHigh(uint32_t nonce_high) const;
  // Convenience: sets the low half from `nonce` and hashes.
  Hash256 Hash(uint64_t nonce);
  // The SHA-256 state after the first 256 bytes (big-endian words): what the
  // search loop copies for each nonce.
  const uint32_t* midstate() const { return midstate4_; }

 private:
  uint8_t header_[BlockHeader::kSerializedSize];
  uint32_t midstate3_[8];  // after bytes 0..191
  uint32_t midstate4_[8];  // after bytes 0..255 for the current low half
};

struct SearchResult {
  bool found = false;
  bool exhausted = false;  // every nonce tried (neither found nor stopped)
  uint64_t nonce = 0;
  uint64_t hashes = 0;
};

// Searches nonces of `header` for SHA-256d <= target on `threads` threads
// (0 = hardware concurrency), starting with the low half of header.nonce.
// Returns when a solution is found or when `should_stop` (polled by every
// thread every few thousand hashes, so it must be thread-safe and cheap)
// returns true. `hash_counter`, when given, grows as hashes are done.
SearchResult SearchNonce(const BlockHeader& header, const Uint256& target, unsigned threads,
                         const std::function<bool()>& should_stop,
                         std::atomic<uint64_t>* hash_counter = nullptr);

// Searches like SearchNonce, on a device (compute/gpu.h; -minegpu): for each
// low half, the nonce highs go to the device in chunks sized to about 50 ms,
// `should_stop` is polled between chunks, and a device solution is checked
// on the CPU before it is returned. nullopt when the device failed (the
// Gpu has logged and counted it): the caller searches on the CPU.
std::optional<SearchResult> SearchNonceOnGpu(const BlockHeader& header, const Uint256& target,
                                             compute::Gpu& gpu,
                                             const std::function<bool()>& should_stop,
                                             std::atomic<uint64_t>* hash_counter = nullptr);

struct MinerOptions {
  unsigned threads = 1;  // 0 = hardware concurrency
  // -minegpu: search nonces on this device; the CPU threads take over when it
  // fails. Null: the CPU. Must outlive the miner.
  compute::Gpu* gpu = nullptr;
  Address coinbase;  // for Start()
  // Dev mode: Start mines a block only when one is due (see the top).
  bool dev = false;
  std::chrono::milliseconds dev_block_interval{0};  // 0: no interval mining
  bool dev_automine = false;
  // Dev mode: block timestamps come from here (evm_increaseTime and
  // friends); null = `clock`. Must outlive the miner.
  DevClock* dev_clock = nullptr;
  // Harder than the block's own target (pool shares, tests).
  // A block found under it always meets its own target too.
  std::optional<Uint256> target_override;
  BlockAssemblerOptions assembler;
  // Seconds since the Unix epoch; empty = system clock.
  std::function<uint64_t()> clock;
  Logger* logger = nullptr;
};

class Miner : public ValidationInterface {
 public:
  // Subscribes to chainstate.signals() (when set) to hear tip changes; the
  // destructor stops and unsubscribes. `chainstate` and `mempool` (may be
  // null: empty blocks) must outlive the miner.
  Miner(const MinerOptions& options, Chainstate& chainstate, Mempool* mempool);
  ~Miner() override;
  Miner(const Miner&) = delete;
  Miner& operator=(const Miner&) = delete;

  // Starts the background loop (continuous or dev mode); no-op if running.
  void Start() EXCLUDES(mu_);
  // Stops the loop and any search in progress; waits for the thread.
  void Stop() EXCLUDES(mu_);
  bool running() const;

  // Mines `n` blocks on the tip paying `coinbase` and submits each; returns
  // their hashes. A search interrupted by a new tip restarts on it. Fails
  // with the block's rule if a block is rejected, or "miner-stopped" if
  // Stop() is called meanwhile.
  Result<std::vector<Hash256>> Generate(uint64_t n, const Address& coinbase) EXCLUDES(gen_mu_);
  // Mines one block; `timestamp` 0 = the clock. "miner-tip-changed" when the
  // tip moved before a solution was found, "miner-stopped" on Stop().
  Result<Hash256> MineOne(const Address& coinbase, uint64_t timestamp = 0) EXCLUDES(gen_mu_);

  // Mines one block of exactly `txs`, in that order (consensus-valid in that
  // position, or the block's rule fails it), at `timestamp` (0 = the clock);
  // the pool's other txs stay pending. How a dev node carries a state edit
  // (anvil_setBalance) in a block of its own.
  Result<Hash256> MineBlockOf(std::vector<TxRef> txs, const Address& coinbase,
                              uint64_t timestamp = 0) EXCLUDES(gen_mu_);

  // Runs `fn` while no block is being mined by this miner (the background
  // loop and Generate wait): a dev node rewinds its chain under it.
  Status RunExclusive(const std::function<Status()>& fn) EXCLUDES(gen_mu_);

  // Dev mode: change when blocks are due; take effect at once.
  void SetAutomine(bool on) EXCLUDES(mu_);
  void SetBlockInterval(std::chrono::milliseconds interval) EXCLUDES(mu_);
  bool automine() const EXCLUDES(mu_);
  std::chrono::milliseconds block_interval() const EXCLUDES(mu_);

  // Hashes per second over the last completed search.
  double hashrate() const;
  uint64_t blocks_mined() const { return blocks_mined_.load(); }
  uint64_t total_hashes() const { return total_hashes_.load(); }

  // ValidationInterface (signals thread): a tip other than the parent being
  // mined on ends the search.
  void TipChanged(const TipInfo& tip) override EXCLUDES(parent_mu_);
  // Dev mode with automine: a tx entered the pool, a block may be due.
  void TransactionAddedToMempool(const TxRef& tx) override EXCLUDES(mu_);

 private:
  // `txs` null: the assembler picks from the pool.
  Result<Hash256> MineOneLocked(const Address& coinbase, uint64_t timestamp,
                                const std::vector<TxRef>* txs = nullptr) REQUIRES(gen_mu_);
  Result<std::shared_ptr<Block>> BuildTemplate(const Address& coinbase, uint64_t now,
                                               const std::vector<TxRef>* txs, Uint256* target);
  void Loop();
  // Dev mode: waits until a block is due and says why.
  enum class DevBlockDue { kStopped, kInterval, kReadyTx };
  DevBlockDue WaitForDevBlock() EXCLUDES(mu_);
  // -mine outside dev mode: waits while the next block would be ahead of
  // the clock (at most a second); false when stopped.
  bool Pace() EXCLUDES(mu_);
  uint64_t Now() const;

  const MinerOptions options_;
  Chainstate& chainstate_;
  Mempool* mempool_;
  BlockAssembler assembler_;

  // A search ends when either epoch moves past the value it started with:
  // Stop() bumps stop_epoch_, a tip change bumps tip_epoch_. Epochs, unlike
  // flags, need no reset that could race with the next search.
  std::atomic<uint64_t> stop_epoch_{0};
  std::atomic<uint64_t> tip_epoch_{0};
  std::atomic<uint64_t> blocks_mined_{0};
  std::atomic<uint64_t> total_hashes_{0};
  std::atomic<uint64_t> last_rate_milli_{0};  // hashrate * 1000

  Mutex gen_mu_;  // one search at a time

  // The parent the current search builds on: the event of the miner's own
  // last block (delivered late, on the signals thread) must not end the
  // next search.
  Mutex parent_mu_;
  Hash256 mining_parent_ GUARDED_BY(parent_mu_);

  mutable Mutex mu_;
  CondVar cv_;
  std::thread thread_ GUARDED_BY(mu_);
  bool running_ GUARDED_BY(mu_) = false;
  bool automine_ GUARDED_BY(mu_) = false;
  std::chrono::milliseconds interval_ GUARDED_BY(mu_){0};
  std::chrono::steady_clock::time_point next_interval_block_ GUARDED_BY(mu_);
  // Automine: txs added since the loop last looked, and whether the last
  // block it mined took any (an empty one means the ready txs cannot be
  // mined yet, e.g. they fail in position: wait for the next tx).
  uint64_t txs_added_ GUARDED_BY(mu_) = 0;
  uint64_t txs_seen_ GUARDED_BY(mu_) = 0;
  bool last_block_had_txs_ GUARDED_BY(mu_) = true;
  uint64_t settings_changes_ GUARDED_BY(mu_) = 0;  // SetAutomine, SetBlockInterval
};

// getblocktemplate: the next block on the tip for an external miner.
Result<BlockTemplate> GetBlockTemplate(Chainstate& chainstate, const Mempool* mempool,
                                       const Address& coinbase, uint64_t now);

// submitblock: decodes a serialized block (senders recovered on several
// threads) and processes it. Ok when it was accepted or already known
// (`status_out` tells which, and kOrphan for an unknown parent); the decode
// error or the failing block rule otherwise.
Status SubmitBlock(Chainstate& chainstate, ByteSpan raw_block,
                   BlockAcceptance* status_out = nullptr);

}  // namespace depin::chain

#include "chain/miner.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include "crypto/sha256.h"
#include "util/logging.h"

namespace depin::chain {
namespace {

constexpr size_t kBlock = crypto::Sha256::kBlockSize;
constexpr size_t kMidstateBytes = 3 * kBlock;  // header bytes covered by midstate3
// Hashes between polls of should_stop: a few hundred microseconds of work.
constexpr uint64_t kPollInterval = 4096;
// -mine outside dev mode: the longest wait for the clock per block.
constexpr auto kMaxPacingWait = std::chrono::seconds(1);

void InitialState(uint32_t state[8]) {
  crypto::Sha256 fresh;
  std::memcpy(state, fresh.state(), 8 * sizeof(uint32_t));
}

void StoreBigEndian(const uint32_t state[8], uint8_t* out32) {
  for (int i = 0; i < 8; ++i) WriteBE32(out32 + 4 * i, state[i]);
}

// The fifth (last) block of the header message: 4 nonce bytes, padding and
// the message length, 260 * 8 = 2080 bits.
void InitFinalBlock(uint8_t block[kBlock]) {
  std::memset(block, 0, kBlock);
  block[4] = 0x80;
  WriteBE64(block + kBlock - 8, uint64_t{BlockHeader::kSerializedSize} * 8);
}

// The one block of the second SHA-256: a 32-byte digest, padding, 256 bits.
void InitSecondBlock(uint8_t block[kBlock]) {
  std::memset(block, 0, kBlock);
  block[32] = 0x80;
  WriteBE64(block + kBlock - 8, uint64_t{256});
}

uint64_t SystemNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

HeaderHasher::HeaderHasher(const BlockHeader& header) {
  header.SerializeTo(header_);
  InitialState(midstate3_);
  crypto::Sha256Transform(midstate3_, header_, 3);
  SetNonceLow(static_cast<uint32_t>(header.nonce));
}

void HeaderHasher::SetNonceLow(uint32_t nonce_low) {
  WriteLE32(header_ + BlockHeader::kNonceOffset, nonce_low);
  std::memcpy(midstate4_, midstate3_, sizeof(midstate4_));
  crypto::Sha256Transform(midstate4_, header_ + kMidstateBytes, 1);
}

Hash256 HeaderHasher::HashWithNonceHigh(uint32_t nonce_high) const {
  uint8_t block[kBlock];
  InitFinalBlock(block);
  WriteLE32(block, nonce_high);
  uint32_t state[8];
  std::memcpy(state, midstate4_, sizeof(state));
  crypto::Sha256Transform(state, block, 1);

  uint8_t second[kBlock];
  InitSecondBlock(second);
  StoreBigEndian(state, second);
  InitialState(state);
  crypto::Sha256Transform(state, second, 1);
  Hash256 out;
  StoreBigEndian(state, out.data());
  return out;
}

Hash256 HeaderHasher::Hash(uint64_t nonce) {
  SetNonceLow(static_cast<uint32_t>(nonce));
  return HashWithNonceHigh(static_cast<uint32_t>(nonce >> 32));
}

SearchResult SearchNonce(const BlockHeader& header, const Uint256& target, unsigned threads,
                         const std::function<bool()>& should_stop,
                         std::atomic<uint64_t>* hash_counter) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const uint32_t start_low = static_cast<uint32_t>(header.nonce);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> total{0};
  Mutex result_mu;
  SearchResult result;

  uint32_t iv[8];
  InitialState(iv);

  auto worker = [&](unsigned index) {
    HeaderHasher hasher(header);
    uint8_t final_block[kBlock];
    uint8_t second_block[kBlock];
    InitFinalBlock(final_block);
    InitSecondBlock(second_block);
    uint64_t since_report = 0;
    auto report = [&] {
      total.fetch_add(since_report, std::memory_order_relaxed);
      if (hash_counter != nullptr) hash_counter->fetch_add(since_report, std::memory_order_relaxed);
      since_report = 0;
    };
    // Low halves index, index + threads, ... (mod 2^32 from start_low).
    for (uint64_t low_step = index; low_step <= UINT32_MAX; low_step += threads) {
      const uint32_t low = start_low + static_cast<uint32_t>(low_step);
      hasher.SetNonceLow(low);
      uint64_t high = 0;
      while (high <= UINT32_MAX) {
        report();  // hashrate and progress stay current during a long search
        if (done.load(std::memory_order_relaxed) || should_stop()) return;
        const uint64_t batch_end = std::min<uint64_t>(high + kPollInterval, uint64_t{1} << 32);
        for (; high < batch_end; ++high) {
          WriteLE32(final_block, static_cast<uint32_t>(high));
          uint32_t state[8];
          std::memcpy(state, hasher.midstate(), sizeof(state));
          crypto::Sha256Transform(state, final_block, 1);
          StoreBigEndian(state, second_block);
          std::memcpy(state, iv, sizeof(state));
          crypto::Sha256Transform(state, second_block, 1);
          ++since_report;
          Hash256 hash;
          StoreBigEndian(state, hash.data());
          if (HashMeetsTarget(hash, target)) {
            report();
            MutexLock lock(result_mu);
            if (!result.found) {
              result.found = true;
              result.nonce = uint64_t{low} | (high << 32);
            }
            done.store(true, std::memory_order_relaxed);
            return;
          }
        }
      }
    }
    report();
  };

  if (threads == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    for (auto& thread : pool) thread.join();
  }
  MutexLock lock(result_mu);
  result.hashes = total.load();
  result.exhausted = !result.found && !should_stop();
  return result;
}

std::optional<SearchResult> SearchNonceOnGpu(const BlockHeader& header, const Uint256& target,
                                             compute::Gpu& gpu,
                                             const std::function<bool()>& should_stop,
                                             std::atomic<uint64_t>* hash_counter) {
  uint8_t target_bytes[32];
  target.ToBigEndian32(target_bytes);
  uint32_t target_words[8];
  for (int i = 0; i < 8; ++i) target_words[i] = ReadBE32(target_bytes + 4 * i);
  const uint32_t start_low = static_cast<uint32_t>(header.nonce);
  HeaderHasher hasher(header);
  SearchResult result;
  // Nonces per device call, adjusted towards kGpuChunkTime so that a stop
  // or a tip change is heard quickly whatever the device's speed.
  constexpr auto kGpuChunkTime = std::chrono::milliseconds(50);
  uint64_t chunk = uint64_t{1} << 18;
  for (uint64_t low_step = 0; low_step <= UINT32_MAX; ++low_step) {
    const uint32_t low = start_low + static_cast<uint32_t>(low_step);
    hasher.SetNonceLow(low);
    for (uint64_t high = 0; high < (uint64_t{1} << 32);) {
      if (should_stop()) return result;
      const uint64_t count = std::min(chunk, (uint64_t{1} << 32) - high);
      const auto began = std::chrono::steady_clock::now();
      auto found = gpu.SearchNonce(hasher.midstate(), target_words, static_cast<uint32_t>(high),
                                   static_cast<uint32_t>(count));
      if (!found.ok()) return std::nullopt;
      const auto took = std::chrono::steady_clock::now() - began;
      // Nonces past a solution are skipped on the device; count the range.
      result.hashes += count;
      if (hash_counter != nullptr) hash_counter->fetch_add(count, std::memory_order_relaxed);
      if (found->has_value()) {
        const uint64_t nonce = uint64_t{low} | (uint64_t{**found} << 32);
        if (!HashMeetsTarget(hasher.Hash(nonce), target)) {
          gpu.RecordFailure("nonce search",
                            Status::Error(StatusKind::kUnavailable, "gpu-wrong-solution",
                                          "the device's nonce does not meet the target"));
          return std::nullopt;
        }
        result.found = true;
        result.nonce = nonce;
        return result;
      }
      high += count;
      if (took < kGpuChunkTime / 2 && chunk < (uint64_t{1} << 31)) chunk *= 2;
      if (took > kGpuChunkTime * 2 && chunk > (uint64_t{1} << 12)) chunk /= 2;
    }
  }
  result.exhausted = true;
  return result;
}

Miner::Miner(const MinerOptions& options, Chainstate& chainstate, Mempool* mempool)
    : options_(options),
      chainstate_(chainstate),
      mempool_(mempool),
      assembler_(options.assembler, chainstate, mempool) {
  {
    MutexLock lock(mu_);
    automine_ = options.dev_automine;
    interval_ = options.dev_block_interval;
  }
  if (chainstate_.signals() != nullptr) chainstate_.signals()->Register(this);
}

Miner::~Miner() {
  Stop();
  if (chainstate_.signals() != nullptr) chainstate_.signals()->Unregister(this);
}

uint64_t Miner::Now() const {
  if (options_.dev_clock != nullptr) return options_.dev_clock->NextBlockTime();
  return options_.clock ? options_.clock() : SystemNow();
}

void Miner::TransactionAddedToMempool(const TxRef&) {
  MutexLock lock(mu_);
  ++txs_added_;
  if (automine_) cv_.NotifyAll();
}

void Miner::SetAutomine(bool on) {
  MutexLock lock(mu_);
  automine_ = on;
  // Txs already waiting count as news: turning automine on mines them.
  last_block_had_txs_ = true;
  ++settings_changes_;
  cv_.NotifyAll();
}

void Miner::SetBlockInterval(std::chrono::milliseconds interval) {
  MutexLock lock(mu_);
  interval_ = interval;
  next_interval_block_ = std::chrono::steady_clock::now() + interval;
  ++settings_changes_;
  cv_.NotifyAll();
}

bool Miner::automine() const {
  MutexLock lock(mu_);
  return automine_;
}

std::chrono::milliseconds Miner::block_interval() const {
  MutexLock lock(mu_);
  return interval_;
}

void Miner::TipChanged(const TipInfo& tip) {
  MutexLock lock(parent_mu_);
  if (tip.hash != mining_parent_) tip_epoch_.fetch_add(1, std::memory_order_acq_rel);
}

double Miner::hashrate() const { return static_cast<double>(last_rate_milli_.load()) / 1000.0; }

bool Miner::running() const {
  MutexLock lock(mu_);
  return running_;
}

Result<Hash256> Miner::MineOne(const Address& coinbase, uint64_t timestamp) {
  MutexLock lock(gen_mu_);
  return MineOneLocked(coinbase, timestamp);
}

Result<Hash256> Miner::MineBlockOf(std::vector<TxRef> txs, const Address& coinbase,
                                   uint64_t timestamp) {
  MutexLock lock(gen_mu_);
  return MineOneLocked(coinbase, timestamp, &txs);
}

Status Miner::RunExclusive(const std::function<Status()>& fn) {
  MutexLock lock(gen_mu_);
  return fn();
}

Result<std::vector<Hash256>> Miner::Generate(uint64_t n, const Address& coinbase) {
  MutexLock lock(gen_mu_);
  std::vector<Hash256> hashes;
  hashes.reserve(static_cast<size_t>(std::min<uint64_t>(n, 1 << 16)));
  while (hashes.size() < n) {
    auto hash = MineOneLocked(coinbase, 0);
    if (!hash.ok()) {
      // Someone else's block arrived first: mine on top of it.
      if (hash.status().Is(StatusKind::kStale)) continue;
      return hash.status();
    }
    hashes.push_back(*hash);
  }
  return hashes;
}

Result<std::shared_ptr<Block>> Miner::BuildTemplate(const Address& coinbase, uint64_t now,
                                                    const std::vector<TxRef>* txs,
                                                    Uint256* target) {
  if (txs == nullptr) {
    auto tmpl = assembler_.CreateNewBlock(coinbase, now);
    if (!tmpl.ok()) return tmpl.status();
    *target = tmpl->target;
    return tmpl->block;
  }
  const Chainstate::NextBlock next = chainstate_.NextBlockContext();
  const std::shared_ptr<const consensus::StateReader> state = chainstate_.StateAtTip();
  if (chainstate_.NextBlockContext().parent_hash != next.parent_hash) {
    return Status::Error(StatusKind::kStale, "assembler-tip-changed",
                         "the chain tip changed while building a block");
  }
  auto built =
      BuildBlock(chainstate_, next, *state, *txs, coinbase, std::max(now, next.min_timestamp),
                 MakeBlockExtra(options_.assembler.extra_tag, next.height));
  // A tx that does not fit its position is the caller's error, even one
  // whose rule is of the "world moved" kind (a nonce already used).
  if (!built.ok()) return built.status().WithKind(StatusKind::kInvalid);
  auto bits_target = CompactToTarget(next.bits);
  if (!bits_target.ok()) return bits_target.status();
  *target = *bits_target;
  return built->block;
}

Result<Hash256> Miner::MineOneLocked(const Address& coinbase, uint64_t timestamp,
                                     const std::vector<TxRef>* txs) {
  const uint64_t stop_epoch = stop_epoch_.load(std::memory_order_acquire);
  uint64_t tip_epoch = tip_epoch_.load(std::memory_order_acquire);
  auto should_stop = [&] {
    return stop_epoch_.load(std::memory_order_relaxed) != stop_epoch ||
           tip_epoch_.load(std::memory_order_relaxed) != tip_epoch;
  };
  uint64_t now = timestamp != 0 ? timestamp : Now();
  for (;;) {
    Uint256 target;
    auto tmpl = BuildTemplate(coinbase, now, txs, &target);
    if (!tmpl.ok()) {
      if (tmpl.status().Is(StatusKind::kStale)) {
        return Status::Error(StatusKind::kStale, "miner-tip-changed",
                             "the chain tip changed during the search");
      }
      return tmpl.status();
    }
    const std::shared_ptr<Block> block = *tmpl;
    {
      MutexLock lock(parent_mu_);
      mining_parent_ = block->header.parent_hash;
    }
    if (options_.target_override && *options_.target_override < target) {
      target = *options_.target_override;
    }
    const auto started = std::chrono::steady_clock::now();
    std::optional<SearchResult> on_gpu;
    if (options_.gpu != nullptr && options_.gpu->active()) {
      on_gpu = SearchNonceOnGpu(block->header, target, *options_.gpu, should_stop, &total_hashes_);
    }
    SearchResult found =
        on_gpu ? *on_gpu
               : SearchNonce(block->header, target, options_.threads, should_stop, &total_hashes_);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // A search cancelled before its first hash (stop, tip change) says
    // nothing about the rate: keep the last measured one.
    if (seconds > 0 && found.hashes > 0) {
      last_rate_milli_.store(
          static_cast<uint64_t>(static_cast<double>(found.hashes) / seconds * 1000.0));
    }
    if (found.exhausted) {
      now = block->header.timestamp + 1;
      continue;
    }
    if (!found.found) {
      if (stop_epoch_.load() != stop_epoch) {
        return Status::Error(StatusKind::kInterrupted, "miner-stopped", "mining was stopped");
      }
      // A tip signal that arrives late (the one for our own previous block)
      // bumps the epoch with the tip unchanged: search again on the same
      // parent rather than report a change that did not happen.
      if (chainstate_.Tip().hash == block->header.parent_hash) {
        tip_epoch = tip_epoch_.load(std::memory_order_acquire);
        continue;
      }
      return Status::Error(StatusKind::kStale, "miner-tip-changed",
                           "the chain tip changed during the search");
    }
    block->header.nonce = found.nonce;
    const Hash256 hash = block->Hash();
    BlockAcceptance block_status = BlockAcceptance::kInvalid;
    Status status = chainstate_.ProcessBlock(block, &block_status);
    if (!status.ok()) {
      LogError(options_.logger, LogCategory::kMining, "mined block {} at height {} rejected: {}",
               hash.Hex(), block->header.height, status.ToString());
      return status;
    }
    blocks_mined_.fetch_add(1);
    if (options_.dev_clock != nullptr) options_.dev_clock->BlockMined(block->header.timestamp);
    {
      MutexLock lock(mu_);
      last_block_had_txs_ = !block->txs.empty();
    }
    LogInfo(options_.logger, LogCategory::kMining, "mined block {} at height {} with {} txs",
            hash.Hex(), block->header.height, block->txs.size());
    return hash;
  }
}

void Miner::Start() {
  MutexLock lock(mu_);
  if (running_) return;
  running_ = true;
  next_interval_block_ = std::chrono::steady_clock::now() + interval_;
  thread_ = std::thread([this] { Loop(); });
}

void Miner::Stop() {
  std::thread thread;
  {
    MutexLock lock(mu_);
    stop_epoch_.fetch_add(1, std::memory_order_acq_rel);
    running_ = false;
    cv_.NotifyAll();
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
}

Miner::DevBlockDue Miner::WaitForDevBlock() {
  using SteadyClock = std::chrono::steady_clock;
  MutexLock lock(mu_);
  for (;;) {
    if (!running_) return DevBlockDue::kStopped;
    const auto now = SteadyClock::now();
    if (interval_.count() > 0 && now >= next_interval_block_) {
      next_interval_block_ = now + interval_;
      txs_seen_ = txs_added_;
      return DevBlockDue::kInterval;
    }
    // Automine: a tx arrived (or the last block took some, so more may be
    // ready), and the pool has one the next block can take.
    if (automine_ && (txs_added_ != txs_seen_ || last_block_had_txs_) && mempool_ != nullptr &&
        mempool_->ReadyCount() > 0) {
      txs_seen_ = txs_added_;
      return DevBlockDue::kReadyTx;
    }
    txs_seen_ = txs_added_;
    last_block_had_txs_ = false;
    const uint64_t settings = settings_changes_;
    auto woken = [this, settings]() REQUIRES(mu_) {
      return !running_ || txs_added_ != txs_seen_ || settings_changes_ != settings;
    };
    if (interval_.count() > 0) {
      cv_.WaitFor(mu_, next_interval_block_ - now, woken);
    } else {
      cv_.Wait(mu_, woken);
    }
  }
}

bool Miner::Pace() {
  const uint64_t earliest = chainstate_.NextBlockContext().min_timestamp;
  const uint64_t now = Now();
  if (earliest <= now) return true;
  // Wait for the clock, but never longer than a second: the clock may be a
  // test's that stands still, or far behind a chain mined by
  // generatetoaddress; then the loop mines one block a second.
  const auto wait =
      std::min<std::chrono::seconds>(std::chrono::seconds(earliest - now), kMaxPacingWait);
  MutexLock lock(mu_);
  return !cv_.WaitFor(mu_, wait, [this]() REQUIRES(mu_) { return !running_; });
}

void Miner::Loop() {
  SetThreadName("miner");
  for (;;) {
    Result<Hash256> hash = Hash256();
    if (options_.dev) {
      const DevBlockDue due = WaitForDevBlock();
      if (due == DevBlockDue::kStopped) return;
      MutexLock gen(gen_mu_);
      // The ready txs may be gone by now (mined by evm_mine, or dropped by
      // evm_revert while it held the miner): no empty block for them.
      if (due == DevBlockDue::kReadyTx && mempool_->ReadyCount() == 0) continue;
      hash = MineOneLocked(options_.coinbase, 0);
    } else {
      if (!Pace()) return;
      {
        MutexLock lock(mu_);
        if (!running_) return;
      }
      hash = MineOne(options_.coinbase);
    }
    if (hash.ok() || hash.status().Is(StatusKind::kStale)) continue;
    // Stopped, or the chainstate hit a local failure and the node is
    // shutting down: mining again would only repeat the error.
    if (hash.status().Is(StatusKind::kInterrupted) || hash.status().IsLocalFailure()) return;
    LogWarn(options_.logger, LogCategory::kMining, "mining failed: {}", hash.status().ToString());
    // Back off instead of spinning on a persistent failure.
    MutexLock lock(mu_);
    if (cv_.WaitFor(mu_, std::chrono::seconds(1), [this]() REQUIRES(mu_) { return !running_; })) {
      return;
    }
  }
}

Result<BlockTemplate> GetBlockTemplate(Chainstate& chainstate, const Mempool* mempool,
                                       const Address& coinbase, uint64_t now) {
  BlockAssembler assembler(BlockAssemblerOptions{}, chainstate, mempool);
  return assembler.CreateNewBlock(coinbase, now);
}

Status SubmitBlock(Chainstate& chainstate, ByteSpan raw_block, BlockAcceptance* status_out) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  auto block = DecodeBlock(raw_block, chainstate.params().max_block_size, threads);
  if (!block.ok()) return block.status();
  return chainstate.ProcessBlock(std::make_shared<const Block>(std::move(*block)), status_out);
}

}  // namespace depin::chain

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

Miner::Miner(const MinerOptions& options, Chainstate& chainstate, Mempool* mempool)
    : options_(options),
      chainstate_(chainstate),
      mempool_(mempool),
      assembler_(options.assembler, chainstate, mempool) {
  if (chainstate_.signals() != nullptr) chainstate_.signals()->Register(this);
}

Miner::~Miner() {
  Stop();
  if (chainstate_.signals() != nullptr) chainstate_.signals()->Unregister(this);
}

uint64_t Miner::Now() const { return options_.clock ? options_.clock() : SystemNow(); }

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

Result<Hash256> Miner::MineOneLocked(const Address& coinbase, uint64_t timestamp) {
  const uint64_t stop_epoch = stop_epoch_.load(std::memory_order_acquire);
  const uint64_t tip_epoch = tip_epoch_.load(std::memory_order_acquire);
  auto should_stop = [&] {
    return stop_epoch_.load(std::memory_order_relaxed) != stop_epoch ||
           tip_epoch_.load(std::memory_order_relaxed) != tip_epoch;
  };
  uint64_t now = timestamp != 0 ? timestamp : Now();
  for (;;) {
    auto tmpl = assembler_.CreateNewBlock(coinbase, now);
    if (!tmpl.ok()) {
      if (tmpl.status().Is(StatusKind::kStale)) {
        return Status::Error(StatusKind::kStale, "miner-tip-changed",
                             "the chain tip changed during the search");
      }
      return tmpl.status();
    }
    const std::shared_ptr<Block> block = tmpl->block;
    {
      MutexLock lock(parent_mu_);
      mining_parent_ = block->header.parent_hash;
    }
    Uint256 target = tmpl->target;
    if (options_.target_override && *options_.target_override < target) {
      target = *options_.target_override;
    }
    const auto started = std::chrono::steady_clock::now();
    SearchResult found =
        SearchNonce(block->header, target, options_.threads, should_stop, &total_hashes_);
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
    LogInfo(options_.logger, LogCategory::kMining, "mined block {} at height {} with {} txs",
            hash.Hex(), block->header.height, block->txs.size());
    return hash;
  }
}

void Miner::Start() {
  MutexLock lock(mu_);
  if (running_) return;
  running_ = true;
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

void Miner::Loop() {
  SetThreadName("miner");
  for (;;) {
    {
      MutexLock lock(mu_);
      if (!running_) return;
      if (options_.dev_block_time > 0) {
        // Dev mode: one block per interval, with or without txs.
        const bool stopped = cv_.WaitFor(mu_, std::chrono::seconds(options_.dev_block_time),
                                         [this]() REQUIRES(mu_) { return !running_; });
        if (stopped) return;
      }
    }
    auto hash = MineOne(options_.coinbase);
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

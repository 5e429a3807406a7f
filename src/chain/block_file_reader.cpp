#include "chain/block_file_reader.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "chain/block_store.h"
#include "crypto/sha256.h"
#include "util/logging.h"
#include "util/sync.h"
#include "util/thread_pool.h"

namespace depin::chain {

namespace {

uint32_t ReadLE32At(const Bytes& b, size_t at) {
  return static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
         static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}

}  // namespace

BlockFileReader::BlockFileReader(std::filesystem::path dir, uint32_t magic, size_t max_block_size)
    : dir_(std::move(dir)), magic_(magic), max_block_size_(max_block_size) {}

std::filesystem::path BlockFileReader::FilePath(uint32_t file) const {
  char name[32];
  std::snprintf(name, sizeof(name), "blk%05u.dat", file);
  return dir_ / name;
}

Result<std::optional<Bytes>> BlockFileReader::Next() {
  while (true) {
    if (!loaded_) {
      std::error_code ec;
      const std::filesystem::path path = FilePath(file_);
      if (!std::filesystem::exists(path, ec)) return std::optional<Bytes>();
      std::FILE* f = std::fopen(path.c_str(), "rb");
      if (f == nullptr)
        return Status::IoError("blockstore-io-error", "cannot open " + path.string());
      const uintmax_t size = std::filesystem::file_size(path, ec);
      data_.resize(ec ? 0 : static_cast<size_t>(size));
      const size_t got = data_.empty() ? 0 : std::fread(data_.data(), 1, data_.size(), f);
      const bool failed = ec || got != data_.size() || std::ferror(f) != 0;
      std::fclose(f);
      if (failed) return Status::IoError("blockstore-io-error", "cannot read " + path.string());
      pos_ = 0;
      loaded_ = true;
    }
    const size_t left = data_.size() - pos_;
    bool framed = left >= kBlockRecordOverhead && ReadLE32At(data_, pos_) == magic_;
    uint32_t len = framed ? ReadLE32At(data_, pos_ + 4) : 0;
    if (framed && (len > max_block_size_ || left - kBlockRecordOverhead < len)) framed = false;
    if (!framed && left >= kBlockRecordOverhead) {
      // Damage in the middle of a file (a record's header overwritten):
      // resynchronise on the next magic that frames a record, as Bitcoin
      // Core's reindex does, rather than give up the rest of the file. A
      // false match inside a payload still has to pass the checksum.
      const uint8_t m[4] = {static_cast<uint8_t>(magic_), static_cast<uint8_t>(magic_ >> 8),
                            static_cast<uint8_t>(magic_ >> 16), static_cast<uint8_t>(magic_ >> 24)};
      for (size_t at = pos_ + 1; at + kBlockRecordOverhead <= data_.size(); ++at) {
        if (std::memcmp(data_.data() + at, m, 4) != 0) continue;
        const uint32_t at_len = ReadLE32At(data_, at + 4);
        if (at_len > max_block_size_ || data_.size() - at - kBlockRecordOverhead < at_len) continue;
        pos_ = at;
        ++skipped_;
        framed = true;
        len = at_len;
        break;
      }
    }
    if (!framed) {
      // End of this file (or its torn tail): on to the next one.
      ++file_;
      loaded_ = false;
      data_.clear();
      continue;
    }
    const size_t start = pos_ + kBlockRecordHeaderSize;
    pos_ += kBlockRecordOverhead + len;
    ByteSpan payload(data_.data() + start, len);
    const Hash256 digest = crypto::Sha256Hash(payload);
    if (std::memcmp(digest.data(), data_.data() + start + len, 4) != 0) {
      ++skipped_;
      continue;
    }
    ++records_;
    return std::optional<Bytes>(Bytes(payload.begin(), payload.end()));
  }
}

namespace {

// What the read-ahead thread hands to the replay: a decoded block, or the end
// of the files, or an I/O error. A record that did not decode has none of them.
struct DecodedRecord {
  std::shared_ptr<const Block> block;  // null with `done`, `known` or a bad record
  bool done = false;
  bool known = false;  // the chainstate already stores this block: not decoded
  Status error;
};

// Reads records on its own thread and decodes them (sender recovery is the
// dominant cost of a block) on a pool, several blocks at once, while the
// caller connects the blocks before them; at most kReadAhead records are
// read ahead, and Pop() hands them out in file order.
class ReadAhead {
 public:
  static constexpr size_t kReadAhead = 64;
  // Records at least this large have their senders spread over every decode
  // thread; smaller ones take one thread each (the pool runs several).
  static constexpr size_t kSpreadDecodeBytes = 64 << 10;

  ReadAhead(const std::filesystem::path& dir, const Chainstate& chainstate, unsigned decode_threads)
      : chainstate_(chainstate),
        reader_(dir, ReadBE32(chainstate.params().magic.data()),
                chainstate.params().max_block_size),
        max_block_size_(chainstate.params().max_block_size),
        decode_threads_(std::max(1u, decode_threads)),
        pool_("reindex-decode", decode_threads_, kReadAhead),
        thread_([this] { Run(); }) {}

  ~ReadAhead() {
    {
      MutexLock lock(mu_);
      stop_ = true;
    }
    cv_.NotifyAll();
    thread_.join();
    pool_.Stop();  // decodes nobody will collect are dropped
  }

  DecodedRecord Pop() EXCLUDES(mu_) {
    std::shared_future<DecodedRecord> next;
    {
      MutexLock lock(mu_);
      cv_.Wait(mu_, [this]() REQUIRES(mu_) { return !queue_.empty(); });
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    cv_.NotifyAll();
    return next.get();
  }

  // Valid once Pop() has returned the end.
  uint64_t records_skipped() const { return reader_.records_skipped() + undecodable_.load(); }

 private:
  static std::shared_future<DecodedRecord> Ready(DecodedRecord r) {
    std::promise<DecodedRecord> p;
    p.set_value(std::move(r));
    return p.get_future().share();
  }

  void Run() EXCLUDES(mu_) {
    while (true) {
      std::shared_future<DecodedRecord> slot;
      bool done = false;
      auto next = reader_.Next();
      if (!next.ok()) {
        slot = Ready(DecodedRecord{nullptr, true, false, next.status()});
        done = true;
      } else if (!next->has_value()) {
        slot = Ready(DecodedRecord{nullptr, true, false, Status::Ok()});
        done = true;
      } else if (AlreadyStored(**next)) {
        // A resumed reindex: blocks stored before the interruption are
        // skipped without recovering their senders again.
        slot = Ready(DecodedRecord{nullptr, false, true, Status::Ok()});
      } else {
        auto task =
            std::make_shared<std::packaged_task<DecodedRecord()>>([this, raw = std::move(**next)] {
              const unsigned threads = raw.size() >= kSpreadDecodeBytes ? decode_threads_ : 1u;
              auto block = DecodeBlock(raw, max_block_size_, threads);
              DecodedRecord r;
              if (block.ok()) {
                r.block = std::make_shared<const Block>(std::move(block).value());
              } else {
                ++undecodable_;
              }
              return r;
            });
        slot = task->get_future().share();
        std::function<void()> run = [task] { (*task)(); };
        if (!pool_.TrySubmit(run)) run();
      }
      {
        MutexLock lock(mu_);
        cv_.Wait(mu_, [this]() REQUIRES(mu_) { return stop_ || queue_.size() < kReadAhead; });
        if (stop_) return;
        queue_.push_back(std::move(slot));
      }
      cv_.NotifyAll();
      if (done) return;
    }
  }

  bool AlreadyStored(const Bytes& record) const {
    if (record.size() < BlockHeader::kSerializedSize) return false;
    auto header = BlockHeader::Deserialize(ByteSpan(record.data(), BlockHeader::kSerializedSize));
    if (!header.ok()) return false;
    auto info = chainstate_.LookupBlock(header->Hash());
    return info && info->have_data;
  }

  const Chainstate& chainstate_;
  BlockFileReader reader_;  // read-ahead thread only, until the end is popped
  const size_t max_block_size_;
  const unsigned decode_threads_;
  std::atomic<uint64_t> undecodable_{0};  // counted on the pool's threads
  ThreadPool pool_;
  Mutex mu_;
  CondVar cv_;
  std::deque<std::shared_future<DecodedRecord>> queue_ GUARDED_BY(mu_);
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

Result<ReplayStats> ReplayBlockFiles(const std::filesystem::path& dir, Chainstate& chainstate,
                                     Logger* logger, unsigned decode_threads,
                                     const std::function<bool()>& interrupted) {
  ReplayStats stats;
  // Blocks waiting for their parent, by parent hash.
  std::multimap<Hash256, std::shared_ptr<const Block>> waiting;

  // Processes `first` and then every waiting block it unblocks.
  auto process = [&](std::shared_ptr<const Block> first) -> Status {
    std::vector<std::shared_ptr<const Block>> todo{std::move(first)};
    while (!todo.empty()) {
      std::shared_ptr<const Block> block = std::move(todo.back());
      todo.pop_back();
      BlockAcceptance acceptance = BlockAcceptance::kInvalid;
      Status s = chainstate.ProcessBlock(block, &acceptance);
      switch (acceptance) {
        case BlockAcceptance::kOrphan:
          waiting.emplace(block->header.parent_hash, block);
          continue;
        case BlockAcceptance::kNotProcessed:
          return s;  // closed, or a local failure that stops the node
        case BlockAcceptance::kInvalid:
          ++stats.blocks_invalid;
          LogWarn(logger, LogCategory::kChain, "reindex: block {} at height {} rejected: {}",
                  block->Hash().Hex(), block->header.height, s.ToString());
          break;
        case BlockAcceptance::kAccepted:
          ++stats.blocks_accepted;
          break;
        case BlockAcceptance::kAlreadyKnown:
          break;
      }
      // Children held for this block can go now (an invalid parent makes
      // them invalid too, which the chainstate reports).
      auto [begin, end] = waiting.equal_range(block->Hash());
      for (auto it = begin; it != end; ++it) todo.push_back(it->second);
      waiting.erase(begin, end);
    }
    return Status::Ok();
  };

  ReadAhead records(dir, chainstate, decode_threads);
  const auto start = std::chrono::steady_clock::now();
  while (true) {
    if (interrupted && interrupted()) {
      return Status::Error(StatusKind::kInterrupted, "reindex-interrupted",
                           "interrupted after " + std::to_string(stats.blocks_read) +
                               " blocks, tip at height " + std::to_string(chainstate.Tip().height));
    }
    DecodedRecord next = records.Pop();
    if (!next.error.ok()) return next.error;
    if (next.done) break;
    if (!next.known && !next.block) continue;  // did not decode: counted as skipped
    ++stats.blocks_read;
    if (next.known) {
      ++stats.blocks_known;
      continue;
    }
    DEPIN_RETURN_IF_ERROR(process(std::move(next.block)));
    if (stats.blocks_read % 1000 == 0) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      LogInfo(logger, LogCategory::kChain, "reindex: {} blocks read, tip at height {}, {} blocks/s",
              stats.blocks_read, chainstate.Tip().height,
              static_cast<uint64_t>(static_cast<double>(stats.blocks_read) / secs));
    }
  }
  stats.records_skipped = records.records_skipped();
  stats.blocks_unlinked = waiting.size();
  return stats;
}

}  // namespace depin::chain

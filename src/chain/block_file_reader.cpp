#include "chain/block_file_reader.h"

#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "chain/block_store.h"
#include "crypto/sha256.h"
#include "util/logging.h"

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
      if (f == nullptr) return Status::Error("blockstore-io-error", "cannot open " + path.string());
      const uintmax_t size = std::filesystem::file_size(path, ec);
      data_.resize(ec ? 0 : static_cast<size_t>(size));
      const size_t got = data_.empty() ? 0 : std::fread(data_.data(), 1, data_.size(), f);
      const bool failed = ec || got != data_.size() || std::ferror(f) != 0;
      std::fclose(f);
      if (failed) return Status::Error("blockstore-io-error", "cannot read " + path.string());
      pos_ = 0;
      loaded_ = true;
    }
    const size_t left = data_.size() - pos_;
    bool framed = left >= kBlockRecordOverhead && ReadLE32At(data_, pos_) == magic_;
    uint32_t len = framed ? ReadLE32At(data_, pos_ + 4) : 0;
    if (framed && (len > max_block_size_ || left - kBlockRecordOverhead < len)) framed = false;
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

Result<ReplayStats> ReplayBlockFiles(const std::filesystem::path& dir, Chainstate& chainstate,
                                     Logger* logger) {
  const consensus::ChainParams& params = chainstate.params();
  BlockFileReader reader(dir, ReadBE32(params.magic.data()), params.max_block_size);
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
        case BlockAcceptance::kInvalid:
          if (s.code() == "chainstate-closed" || s.code() == "db-io-error" ||
              s.code() == "blockstore-io-error") {
            return s;
          }
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

  while (true) {
    auto next = reader.Next();
    if (!next) return next.status();
    if (!next->has_value()) break;
    auto block = DecodeBlock(**next, params.max_block_size);
    if (!block) {
      ++stats.records_skipped;
      continue;
    }
    ++stats.blocks_read;
    DEPIN_RETURN_IF_ERROR(process(std::make_shared<const Block>(std::move(*block))));
    if (stats.blocks_read % 10000 == 0) {
      LogInfo(logger, LogCategory::kChain, "reindex: {} blocks read, tip at height {}",
              stats.blocks_read, chainstate.Tip().height);
    }
  }
  stats.records_skipped += reader.records_skipped();
  stats.blocks_unlinked = waiting.size();
  return stats;
}

}  // namespace depin::chain

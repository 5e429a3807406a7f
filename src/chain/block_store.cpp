#include "chain/block_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <system_error>

#include "crypto/sha256.h"

namespace depin::chain {
namespace {

Status IoError(const std::string& what, int err) {
  return Status::IoError("blockstore-io-error", what + ": " + std::strerror(err));
}

Status Corrupt(const std::string& what) { return Status::Corruption("blockstore-corrupt", what); }

std::string PosString(const FlatFilePos& pos) {
  return "file " + std::to_string(pos.file) + " offset " + std::to_string(pos.offset) + " size " +
         std::to_string(pos.size);
}

void Checksum(ByteSpan payload, uint8_t out[4]) {
  const Hash256 digest = crypto::Sha256Hash(payload);
  std::memcpy(out, digest.data(), 4);
}

// Parses "blk%05u.dat"; false for any other name.
bool ParseBlockFileName(const std::string& name, uint32_t& number) {
  if (name.size() < 12 || name.rfind("blk", 0) != 0 || name.substr(name.size() - 4) != ".dat") {
    return false;
  }
  const std::string digits = name.substr(3, name.size() - 7);
  if (digits.size() < 5 || digits.size() > 9) return false;
  uint32_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint32_t>(c - '0');
  }
  number = v;
  return true;
}

Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory " + dir.string(), errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync directory " + dir.string(), err);
  return Status::Ok();
}

}  // namespace

// --- BlockFileInfo ---

Bytes EncodeBlockFileInfo(const BlockFileInfo& info) {
  Bytes out(kBlockFileInfoSize);
  WriteLE32(out.data(), info.blocks);
  WriteLE64(out.data() + 4, info.size);
  WriteLE64(out.data() + 12, info.height_first);
  WriteLE64(out.data() + 20, info.height_last);
  return out;
}

Result<BlockFileInfo> DecodeBlockFileInfo(ByteSpan data) {
  if (data.size() != kBlockFileInfoSize) {
    return Status::Corruption("blockstore-bad-file-info",
                              "file info has " + std::to_string(data.size()) + " bytes, expected " +
                                  std::to_string(kBlockFileInfoSize));
  }
  BlockFileInfo info;
  info.blocks = ReadLE32(data.data());
  info.size = ReadLE64(data.data() + 4);
  info.height_first = ReadLE64(data.data() + 12);
  info.height_last = ReadLE64(data.data() + 20);
  return info;
}

Bytes BlockFileInfoKey(uint32_t file) {
  uint8_t n[4];
  WriteBE32(n, file);
  return MakeKey(dbkey::kBlockFileInfo, ByteSpan(n, 4));
}

// --- File: an open descriptor, closed when the last holder lets go ---

class BlockStore::File {
 public:
  explicit File(int fd) : fd_(fd) {}
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // Reads exactly out.size() bytes at `offset`; returns the bytes read (less
  // only at end of file) or -1 with errno set.
  ssize_t ReadAt(uint64_t offset, std::span<uint8_t> out) const {
    size_t done = 0;
    while (done < out.size()) {
      const ssize_t n =
          ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(done);
  }

  bool WriteAt(uint64_t offset, ByteSpan data) const {
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n =
          ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      done += static_cast<size_t>(n);
    }
    return true;
  }

  bool Sync() const { return ::fdatasync(fd_) == 0; }
  bool Truncate(uint64_t size) const { return ::ftruncate(fd_, static_cast<off_t>(size)) == 0; }

  Result<uint64_t> Size() const {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return IoError("fstat", errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  const int fd_;
};

// --- BlockStore ---

BlockStore::BlockStore(const BlockStoreOptions& options) : options_(options) {}
BlockStore::~BlockStore() = default;

std::filesystem::path BlockStore::FilePath(uint32_t file) const {
  char name[32];
  std::snprintf(name, sizeof(name), "blk%05u.dat", file);
  return options_.dir / name;
}

Status BlockStore::Fault(BlockFileOp op, uint32_t file) const {
  if (!options_.fault_hook) return Status::Ok();
  return options_.fault_hook(op, file);
}

Result<std::unique_ptr<BlockStore>> BlockStore::Open(const BlockStoreOptions& options,
                                                     const ChainDb* db) {
  if (options.max_file_size < kBlockRecordOverhead + BlockHeader::kSerializedSize) {
    return Status::Error("blockstore-bad-options", "max_file_size is smaller than one block");
  }
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) {
    return Status::IoError("blockstore-io-error",
                           "create " + options.dir.string() + ": " + ec.message());
  }
  std::unique_ptr<BlockStore> store(new BlockStore(options));
  DEPIN_RETURN_IF_ERROR(store->Recover(db));
  return store;
}

Status BlockStore::Recover(const ChainDb* db) {
  MutexLock lock(mu_);
  // Committed infos: what the last index batch saw.
  std::map<uint32_t, BlockFileInfo> committed;
  uint32_t committed_last = 0;
  bool have_committed_last = false;
  if (db != nullptr) {
    const Bytes prefix = MakeKey(dbkey::kBlockFileInfo);
    auto it = db->NewPrefixIterator(prefix);
    for (; it->Valid(); it->Next()) {
      if (it->key().size() != 5) {
        return Status::Corruption("blockstore-bad-file-info", "malformed file info key");
      }
      auto info = DecodeBlockFileInfo(it->value());
      if (!info) return info.status();
      committed[ReadBE32(it->key().data() + 1)] = *info;
    }
    DEPIN_RETURN_IF_ERROR(it->status());
    auto last = db->Get(MakeKey(dbkey::kLastBlockFile));
    if (!last) return last.status();
    if (last->has_value()) {
      if ((*last)->size() != 4) {
        return Status::Corruption("blockstore-bad-file-info", "malformed last block file record");
      }
      committed_last = ReadLE32((*last)->data());
      have_committed_last = true;
    }
  }

  // Files present on disk.
  std::set<uint32_t> on_disk;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.dir, ec)) {
    uint32_t number = 0;
    if (entry.is_regular_file() && ParseBlockFileName(entry.path().filename().string(), number)) {
      on_disk.insert(number);
    }
  }
  if (ec)
    return Status::IoError("blockstore-io-error",
                           "list " + options_.dir.string() + ": " + ec.message());

  uint32_t last_file = on_disk.empty() ? 0 : *on_disk.rbegin();
  if (have_committed_last && committed_last > last_file) last_file = committed_last;
  for (const auto& [file, info] : committed) {
    if (info.size > 0 && on_disk.count(file) == 0) {
      return Status::Corruption("blockstore-missing", "block file " + FilePath(file).string() +
                                                          " is missing; the index refers to it");
    }
    if (file > last_file) last_file = file;
  }
  if (have_committed_last && on_disk.count(committed_last) == 0 &&
      committed.count(committed_last) != 0 && committed[committed_last].size > 0) {
    return Status::Corruption("blockstore-missing",
                              "block file " + FilePath(committed_last).string() + " is missing");
  }

  infos_.assign(last_file + 1, BlockFileInfo{});
  size_on_disk_ = 0;
  for (uint32_t file = 0; file <= last_file; ++file) {
    BlockFileInfo info;
    auto found = committed.find(file);
    if (found != committed.end()) info = found->second;
    if (on_disk.count(file) == 0) {
      infos_[file] = BlockFileInfo{};
      continue;
    }
    const int fd = ::open(FilePath(file).c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return IoError("open " + FilePath(file).string(), errno);
    File handle(fd);
    auto size = handle.Size();
    if (!size) return size.status();
    if (*size < info.size) {
      return Status::Corruption("blockstore-missing",
                                FilePath(file).string() + " has " + std::to_string(*size) +
                                    " bytes but the index committed " + std::to_string(info.size));
    }
    if (*size > info.size) {
      // Records appended after the last index batch: keep the complete ones
      // (unreferenced but valid), cut a torn tail.
      auto end = ScanFile(file, *size, info.size, info);
      if (!end) return end.status();
      if (*end < *size) {
        if (!handle.Truncate(*end) || !handle.Sync()) {
          return IoError("truncate " + FilePath(file).string(), errno);
        }
        truncated_bytes_ += *size - *end;
      }
      dirty_infos_.insert(file);
    }
    infos_[file] = info;
    size_on_disk_ += info.size;
  }

  current_file_ = last_file;
  if (have_committed_last && committed_last != last_file) dirty_infos_.insert(last_file);
  return Status::Ok();
}

Result<uint64_t> BlockStore::ScanFile(uint32_t file, uint64_t file_size, uint64_t start,
                                      BlockFileInfo& info) const {
  auto handle = OpenForRead(file);
  if (!handle) return handle.status();
  uint64_t pos = start;
  uint64_t good_end = start;
  BlockFileInfo scanned = info;
  Bytes payload;
  while (file_size - pos >= kBlockRecordOverhead) {
    uint8_t head[kBlockRecordHeaderSize];
    if ((*handle)->ReadAt(pos, head) != static_cast<ssize_t>(sizeof(head))) break;
    if (ReadLE32(head) != options_.magic) break;  // framing lost: the torn tail starts here
    const uint32_t len = ReadLE32(head + 4);
    if (len > options_.max_block_size || file_size - pos - kBlockRecordOverhead < len) break;
    payload.resize(len + 4);
    if ((*handle)->ReadAt(pos + kBlockRecordHeaderSize, payload) != static_cast<ssize_t>(len + 4)) {
      break;
    }
    uint8_t sum[4];
    Checksum(ByteSpan(payload.data(), len), sum);
    pos += kBlockRecordOverhead + len;
    // A record with a bad checksum but intact framing is kept when good
    // records follow it (damage inside the file, reported when read); only
    // the tail after the last good record is a torn append.
    if (std::memcmp(sum, payload.data() + len, 4) != 0) continue;
    uint64_t height = 0;
    if (len >= BlockHeader::kSerializedSize) height = ReadLE64(payload.data() + 4);
    if (scanned.blocks == 0) scanned.height_first = height;
    scanned.height_first = std::min(scanned.height_first, height);
    scanned.height_last = std::max(scanned.height_last, height);
    ++scanned.blocks;
    good_end = pos;
    info = scanned;
    info.size = good_end;
  }
  return good_end;
}

Result<std::shared_ptr<BlockStore::File>> BlockStore::OpenForRead(uint32_t file) const {
  MutexLock lock(read_mu_);
  auto it = read_files_.find(file);
  if (it != read_files_.end()) return it->second;
  const int fd = ::open(FilePath(file).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return Status::Corruption("blockstore-missing", FilePath(file).string() + " does not exist");
    }
    return IoError("open " + FilePath(file).string(), errno);
  }
  // Bound the descriptors kept open; old files are rarely read twice in a row.
  constexpr size_t kMaxOpenReadFiles = 64;
  if (read_files_.size() >= kMaxOpenReadFiles) read_files_.erase(read_files_.begin());
  auto handle = std::make_shared<File>(fd);
  read_files_[file] = handle;
  return handle;
}

Result<FlatFilePos> BlockStore::WriteBlock(const Block& block) {
  return Append(block.Serialize(), block.header.height);
}

Result<FlatFilePos> BlockStore::WriteRawBlock(ByteSpan serialized_block) {
  if (serialized_block.size() < BlockHeader::kSerializedSize) {
    return Status::Error("blockstore-bad-block", "payload is shorter than a block header");
  }
  auto header = BlockHeader::Deserialize(serialized_block.first(BlockHeader::kSerializedSize));
  if (!header) return Status::Error("blockstore-bad-block", header.status().ToString());
  return Append(serialized_block, header->height);
}

Result<FlatFilePos> BlockStore::Append(ByteSpan payload, uint64_t height) {
  if (payload.size() > options_.max_block_size) {
    return Status::Error("blockstore-too-large", "block of " + std::to_string(payload.size()) +
                                                     " bytes exceeds " +
                                                     std::to_string(options_.max_block_size));
  }
  const uint64_t record_size = kBlockRecordOverhead + payload.size();

  MutexLock lock(mu_);
  if (!failed_.ok()) return failed_;

  uint32_t file = current_file_;
  uint64_t offset = infos_[file].size;
  const bool roll_over = offset > 0 && offset + record_size > options_.max_file_size;
  if (roll_over) {
    ++file;
    offset = 0;
  }
  if (roll_over || !append_file_) {
    Status fault = Fault(BlockFileOp::kCreate, file);
    const int fd =
        fault.ok() ? ::open(FilePath(file).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
    if (fd < 0) {
      // Nothing written yet: the store stays usable.
      return fault.ok() ? IoError("open " + FilePath(file).string(), errno) : fault;
    }
    auto handle = std::make_shared<File>(fd);
    // A new file's directory entry must be durable before any position in
    // it is handed out.
    if (roll_over || offset == 0) {
      Status synced = SyncDirectory(options_.dir);
      if (!synced.ok()) return synced;
    }
    append_file_ = std::move(handle);
    if (roll_over) {
      current_file_ = file;
      if (infos_.size() <= file) infos_.resize(file + 1);
      dirty_infos_.insert(file);
    }
  }

  Bytes record(record_size);
  WriteLE32(record.data(), options_.magic);
  WriteLE32(record.data() + 4, static_cast<uint32_t>(payload.size()));
  std::memcpy(record.data() + kBlockRecordHeaderSize, payload.data(), payload.size());
  Checksum(payload, record.data() + kBlockRecordHeaderSize + payload.size());

  Status status = Fault(BlockFileOp::kWrite, file);
  if (status.ok() && !append_file_->WriteAt(offset, record)) {
    status = IoError("write " + FilePath(file).string(), errno);
  }
  if (status.ok()) {
    status = Fault(BlockFileOp::kSync, file);
    if (status.ok() && !append_file_->Sync()) {
      status = IoError("fdatasync " + FilePath(file).string(), errno);
    }
  }
  if (!status.ok()) {
    // Best effort: cut what may have been written so the file ends on a good
    // record; the recovery scan of the next Open handles the rest.
    append_file_->Truncate(offset);
    failed_ = Status::IoError("blockstore-io-error",
                              "block store disabled after a write failure: " + status.ToString());
    return failed_;
  }

  BlockFileInfo& info = infos_[file];
  if (info.blocks == 0) info.height_first = height;
  info.height_first = std::min(info.height_first, height);
  info.height_last = std::max(info.height_last, height);
  ++info.blocks;
  info.size = offset + record_size;
  dirty_infos_.insert(file);
  size_on_disk_ += record_size;
  return FlatFilePos{file, offset, static_cast<uint32_t>(payload.size())};
}

Result<Bytes> BlockStore::ReadRaw(const FlatFilePos& pos) const {
  if (pos.IsNull()) return Status::Corruption("blockstore-missing", "null block position");
  if (pos.size > options_.max_block_size) {
    return Corrupt("position claims " + std::to_string(pos.size) + " bytes, above the limit");
  }
  auto handle = OpenForRead(pos.file);
  if (!handle) return handle.status();
  Bytes record(kBlockRecordOverhead + pos.size);
  const ssize_t n = (*handle)->ReadAt(pos.offset, record);
  if (n < 0) return IoError("read " + FilePath(pos.file).string(), errno);
  if (static_cast<size_t>(n) != record.size()) {
    return Status::Corruption("blockstore-missing",
                              "record past the end of the file at " + PosString(pos));
  }
  if (ReadLE32(record.data()) != options_.magic) return Corrupt("bad magic at " + PosString(pos));
  if (ReadLE32(record.data() + 4) != pos.size) {
    return Corrupt("record length " + std::to_string(ReadLE32(record.data() + 4)) +
                   " does not match the index at " + PosString(pos));
  }
  const ByteSpan payload(record.data() + kBlockRecordHeaderSize, pos.size);
  uint8_t sum[4];
  Checksum(payload, sum);
  if (std::memcmp(sum, record.data() + kBlockRecordHeaderSize + pos.size, 4) != 0) {
    return Corrupt("checksum mismatch at " + PosString(pos));
  }
  return Bytes(payload.begin(), payload.end());
}

Result<Block> BlockStore::ReadBlock(const FlatFilePos& pos) const {
  auto raw = ReadRaw(pos);
  if (!raw) return raw.status();
  auto block = DecodeBlock(*raw, options_.max_block_size);
  if (!block) {
    return Corrupt("stored block at " + PosString(pos) +
                   " does not decode: " + block.status().ToString());
  }
  return block;
}

void BlockStore::WriteFileInfo(WriteBatch& batch) {
  MutexLock lock(mu_);
  for (uint32_t file : dirty_infos_) {
    batch.Put(BlockFileInfoKey(file), EncodeBlockFileInfo(infos_[file]));
  }
  dirty_infos_.clear();
  uint8_t last[4];
  WriteLE32(last, current_file_);
  batch.Put(MakeKey(dbkey::kLastBlockFile), ByteSpan(last, 4));
}

uint64_t BlockStore::SizeOnDisk() const {
  MutexLock lock(mu_);
  return size_on_disk_;
}

uint32_t BlockStore::current_file() const {
  MutexLock lock(mu_);
  return current_file_;
}

BlockFileInfo BlockStore::file_info(uint32_t file) const {
  MutexLock lock(mu_);
  return file < infos_.size() ? infos_[file] : BlockFileInfo{};
}

}  // namespace depin::chain

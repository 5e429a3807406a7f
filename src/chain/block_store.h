// BlockStore: full blocks appended to flat files <dir>/blk00000.dat,
// blk00001.dat, ..., each file rolling over at max_file_size. LevelDB keeps
// only positions (FlatFilePos in the block index), so the database stays
// small and a block is read with one pread.
//
// Record layout (integers little-endian):
//   magic u32 (network magic) | length u32 | payload (Block::Serialize()) |
//   checksum: the first 4 bytes of SHA-256(payload)
// FlatFilePos.offset is the offset of the magic; FlatFilePos.size the payload
// length. SHA-256 rather than CRC32C because the node already has a fast
// SHA-256 (SHA-NI) and it also catches a misplaced but well-formed record.
//
// Crash safety. WriteBlock appends and fdatasyncs before it returns the
// position, and the caller writes the index batch that refers to the block
// only afterwards, so the index never points at data that is not on disk. A
// crash between the two leaves an unreferenced record: harmless, it is never
// read. A crash mid-append leaves a torn record at the end of a file; Open
// finds the end of the last complete record (scanning forward from the size
// recorded in the last committed 'f' file info) and truncates the rest, so new
// appends follow the last good record.
//
// File info ('f' || file number, 'F' last file) is written by the caller:
// WriteFileInfo adds the records changed since its last call to the batch
// that also holds the block index update.
//
// Thread-safety: any number of threads may read concurrently with one writer
// (WriteBlock, WriteRawBlock, WriteFileInfo); writers are serialised by a
// mutex anyway. Accessors may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "chain/chain_db.h"
#include "primitives/block.h"
#include "util/bytes.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin::chain {

// Where a block lives in the block files.
struct FlatFilePos {
  uint32_t file = 0;
  uint64_t offset = 0;  // of the record's magic
  uint32_t size = 0;    // payload bytes; 0 means "no position"

  bool IsNull() const { return size == 0; }
  friend bool operator==(const FlatFilePos&, const FlatFilePos&) = default;
};

// Bytes of framing around each payload: magic, length, checksum.
inline constexpr size_t kBlockRecordHeaderSize = 8;
inline constexpr size_t kBlockRecordOverhead = kBlockRecordHeaderSize + 4;

// What one block file holds, persisted under 'f' || BE32(file).
// Encoding: blocks u32 | size u64 | height_first u64 | height_last u64 (LE).
struct BlockFileInfo {
  uint32_t blocks = 0;  // complete records, referenced or not
  uint64_t size = 0;    // bytes of complete records
  uint64_t height_first = 0;
  uint64_t height_last = 0;

  friend bool operator==(const BlockFileInfo&, const BlockFileInfo&) = default;
};
inline constexpr size_t kBlockFileInfoSize = 28;
Bytes EncodeBlockFileInfo(const BlockFileInfo& info);
// Exactly kBlockFileInfoSize bytes ("blockstore-bad-file-info").
Result<BlockFileInfo> DecodeBlockFileInfo(ByteSpan data);

// The ChainDb key of a file's info: 'f' || BE32(file) (big-endian so the
// records iterate in file order).
Bytes BlockFileInfoKey(uint32_t file);

// File operations the fault-injection seam can fail.
enum class BlockFileOp { kCreate, kWrite, kSync };

struct BlockStoreOptions {
  std::filesystem::path dir;  // <datadir>/blocks; created when missing
  uint32_t magic = 0;         // network magic, first field of every record
  uint64_t max_file_size = uint64_t{128} << 20;
  // Largest payload accepted or read back: the consensus block size limit.
  // Records claiming more are treated as damage.
  size_t max_block_size = size_t{32} << 20;
  // Test seam: consulted before each file operation; a failed Status makes
  // the operation fail as if the OS had reported it. Empty in production.
  std::function<Status(BlockFileOp op, uint32_t file)> fault_hook;
};

class BlockStore {
 public:
  // Opens `options.dir`, restores the file infos committed in `db` (may be
  // null: every file is scanned) and recovers the append position (see the
  // header comment). Fails with "blockstore-missing" when a file is shorter
  // than its committed info (data the index may refer to is gone) or a
  // committed file is absent, and "blockstore-io-error" on I/O errors.
  static Result<std::unique_ptr<BlockStore>> Open(const BlockStoreOptions& options,
                                                  const ChainDb* db);
  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // Appends the block and syncs it to disk before returning its position.
  // After an I/O error the store refuses further writes ("blockstore-io-error"):
  // after a failed fsync the kernel may have dropped the data, and only a
  // restart (with its recovery scan) can say what is on disk.
  Result<FlatFilePos> WriteBlock(const Block& block);
  // The same for an already serialised block (as received from a peer).
  // "blockstore-bad-block" when it does not start with a block header,
  // "blockstore-too-large" above max_block_size.
  Result<FlatFilePos> WriteRawBlock(ByteSpan serialized_block);

  // The payload at `pos`, framing and checksum verified:
  // "blockstore-missing" (no such file, or past its end), "blockstore-corrupt"
  // (bad magic, length or checksum), "blockstore-io-error".
  Result<Bytes> ReadRaw(const FlatFilePos& pos) const;
  // ReadRaw and DecodeBlock; a payload that does not decode is
  // "blockstore-corrupt".
  Result<Block> ReadBlock(const FlatFilePos& pos) const;

  // Adds 'F' and the 'f' records changed since the last call to `batch`.
  void WriteFileInfo(WriteBatch& batch);

  // Bytes of all block files (getblockchaininfo.size_on_disk).
  uint64_t SizeOnDisk() const;
  // The file new blocks are appended to.
  uint32_t current_file() const;
  BlockFileInfo file_info(uint32_t file) const;
  // Bytes cut from torn file ends by the recovery scan of Open.
  uint64_t recovered_truncated_bytes() const { return truncated_bytes_; }

  std::filesystem::path FilePath(uint32_t file) const;

 private:
  class File;
  explicit BlockStore(const BlockStoreOptions& options);

  Status Recover(const ChainDb* db) EXCLUDES(mu_);
  // Scans `file` from `start`, extending `info`; returns the end of the last
  // record with a valid checksum.
  Result<uint64_t> ScanFile(uint32_t file, uint64_t file_size, uint64_t start,
                            BlockFileInfo& info) const;
  Result<std::shared_ptr<File>> OpenForRead(uint32_t file) const EXCLUDES(read_mu_);
  Status Fault(BlockFileOp op, uint32_t file) const;
  Result<FlatFilePos> Append(ByteSpan payload, uint64_t height) EXCLUDES(mu_);

  const BlockStoreOptions options_;
  uint64_t truncated_bytes_ = 0;  // set in Open only

  mutable Mutex read_mu_;
  // Read handles by file number, opened lazily. Readers hold a shared_ptr,
  // so dropping an entry never closes a file under a pread.
  mutable std::map<uint32_t, std::shared_ptr<File>> read_files_ GUARDED_BY(read_mu_);

  mutable Mutex mu_;
  std::vector<BlockFileInfo> infos_ GUARDED_BY(mu_);  // by file number
  std::set<uint32_t> dirty_infos_ GUARDED_BY(mu_);    // not yet given to WriteFileInfo
  uint32_t current_file_ GUARDED_BY(mu_) = 0;
  std::shared_ptr<File> append_file_ GUARDED_BY(mu_);
  uint64_t size_on_disk_ GUARDED_BY(mu_) = 0;
  Status failed_ GUARDED_BY(mu_);  // sticky write failure
};

}  // namespace depin::chain

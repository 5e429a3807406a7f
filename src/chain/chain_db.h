// ChainDb: the node's one LevelDB database. It holds the state, the block
// index, undo records, receipts, the tx index and the chain tip; blocks
// themselves live in flat files (block_store.h). Everything a block connect
// changes goes into one WriteBatch written with sync, so a crash at any point
// leaves the database at the previous or the new tip, never in between.
//
// Key space: one prefix byte per table, named below (dbkey::). This is the
// only place prefixes are defined; components build keys with MakeKey.
//
// Errors: LevelDB failures come back as Status "db-corruption" (checksum or
// format damage found) or "db-io-error" (everything else), with LevelDB's own
// text as the message so an operator sees which file failed.
//
// Thread-safety: all methods may be called from any thread concurrently
// (LevelDB serialises writers itself). A DbSnapshot and a DbIterator are used
// by one thread at a time and must not outlive the ChainDb.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>

#include "util/bytes.h"
#include "util/status.h"

namespace leveldb {
class Cache;
class DB;
class Env;
class FilterPolicy;
class Iterator;
class Snapshot;
class WriteBatch;
}  // namespace leveldb

namespace depin::chain {

namespace dbkey {
inline constexpr uint8_t kState = 's';       // 's' || consensus state key -> value
inline constexpr uint8_t kBlockIndex = 'b';  // 'b' || block hash -> BlockIndexRecord
inline constexpr uint8_t kUndo = 'u';        // 'u' || block hash -> BlockUndo
inline constexpr uint8_t kReceipts = 'r';    // 'r' || block hash -> receipts
// 'i' || block hash -> the block's module trace (consensus/module_trace.h):
// not consensus data; absent for blocks connected by versions before it.
inline constexpr uint8_t kModuleTrace = 'i';
// 't' || tx hash -> tx location: written by versions before the tx index
// moved to indexes/txindex/; deleted at start (Chainstate::Open). Reserved.
inline constexpr uint8_t kLegacyTxIndex = 't';
inline constexpr uint8_t kTip = 'T';            // 'T' -> hash of the connected tip
inline constexpr uint8_t kTipLtHash = 'L';      // 'L' -> LtHash16 lanes of the tip state
inline constexpr uint8_t kBlockFileInfo = 'f';  // 'f' || BE32 file number -> BlockFileInfo
inline constexpr uint8_t kLastBlockFile = 'F';  // 'F' -> LE32 number of the file being appended
inline constexpr uint8_t kDbVersion = 'V';      // 'V' -> LE32 database format version
}  // namespace dbkey

// The on-disk format this code writes and understands. Raise it when a
// record encoding changes; Open refuses databases with a higher version.
inline constexpr uint32_t kChainDbVersion = 1;

// prefix || suffix.
Bytes MakeKey(uint8_t prefix, ByteSpan suffix = {});

struct ChainDbOptions {
  std::filesystem::path path;                    // directory of the database
  size_t cache_bytes = size_t{64} << 20;         // LevelDB block cache (-dbcache share)
  size_t write_buffer_bytes = size_t{16} << 20;  // memtable size before a flush to L0
  int max_open_files = 1000;
  bool create_if_missing = true;
  bool paranoid_checks = true;  // fail early on damage instead of reading past it
  // Test seam: LevelDB environment (in-memory, fault injecting). Not owned;
  // must outlive the ChainDb. Null selects the default POSIX environment.
  leveldb::Env* env = nullptr;
};

// A batch of puts and deletes applied atomically by ChainDb::Write.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  void Put(ByteSpan key, ByteSpan value);
  void Delete(ByteSpan key);
  void Clear();
  // Bytes of the serialised batch: callers flush big batches early on this.
  size_t ApproximateSize() const;

 private:
  friend class ChainDb;
  std::unique_ptr<leveldb::WriteBatch> batch_;
};

// A consistent read view of the database as of its creation.
class DbSnapshot {
 public:
  ~DbSnapshot();
  DbSnapshot(const DbSnapshot&) = delete;
  DbSnapshot& operator=(const DbSnapshot&) = delete;

 private:
  friend class ChainDb;
  DbSnapshot(leveldb::DB* db, const leveldb::Snapshot* snapshot);
  leveldb::DB* db_;
  const leveldb::Snapshot* snapshot_;
};

// Walks the keys that start with one prefix, in key order (or backwards).
class DbIterator {
 public:
  ~DbIterator();
  DbIterator(const DbIterator&) = delete;
  DbIterator& operator=(const DbIterator&) = delete;

  bool Valid() const;
  void Next();
  // Moves to the first key >= `target` (a full key, prefix included).
  void Seek(ByteSpan target);
  // Backwards: moves to the last key < `target` (a full key), and to the
  // key before the current one. Valid() turns false once a key leaves the
  // prefix, as going forwards.
  void SeekBefore(ByteSpan target);
  void Prev();
  // The full key (prefix included) and the value; valid until Next.
  ByteSpan key() const;
  ByteSpan value() const;
  // The first error met while iterating; ok when the walk simply ended.
  Status status() const;

 private:
  friend class ChainDb;
  DbIterator(std::unique_ptr<leveldb::Iterator> it, Bytes prefix);
  std::unique_ptr<leveldb::Iterator> it_;
  Bytes prefix_;
};

class ChainDb {
 public:
  // Opens (or creates) the database and checks its format version:
  // "db-version-too-new" for a database written by a newer node,
  // "db-unknown-format" for a non-empty database with no version record.
  static Result<std::unique_ptr<ChainDb>> Open(const ChainDbOptions& options);
  ~ChainDb();
  ChainDb(const ChainDb&) = delete;
  ChainDb& operator=(const ChainDb&) = delete;

  // nullopt when absent. Reads through `snapshot` when non-null.
  Result<std::optional<Bytes>> Get(ByteSpan key, const DbSnapshot* snapshot = nullptr) const;
  Result<bool> Exists(ByteSpan key, const DbSnapshot* snapshot = nullptr) const;

  // Applies the batch atomically. With sync the call returns only once the
  // log record is on stable storage (fdatasync), which block connects need.
  Status Write(WriteBatch& batch, bool sync);

  std::unique_ptr<DbSnapshot> GetSnapshot() const;
  std::unique_ptr<DbIterator> NewPrefixIterator(ByteSpan prefix,
                                                const DbSnapshot* snapshot = nullptr) const;

  // Approximate bytes on disk of the whole key range (for size_on_disk).
  uint64_t ApproximateSize() const;
  // Format version found on open (kChainDbVersion for a new database).
  uint32_t version() const { return version_; }

 private:
  ChainDb(std::unique_ptr<leveldb::Cache> cache,
          std::unique_ptr<const leveldb::FilterPolicy> filter_policy,
          std::unique_ptr<leveldb::DB> db);
  Status CheckVersion();

  // Declared before db_ so the DB, which uses them, is destroyed first.
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_policy_;
  std::unique_ptr<leveldb::DB> db_;
  uint32_t version_ = kChainDbVersion;
};

}  // namespace depin::chain

#include "chain/chain_db.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/env.h>
#include <leveldb/filter_policy.h>
#include <leveldb/iterator.h>
#include <leveldb/options.h>
#include <leveldb/write_batch.h>

#include <string>

namespace depin::chain {
namespace {

leveldb::Slice ToSlice(ByteSpan s) {
  return leveldb::Slice(reinterpret_cast<const char*>(s.data()), s.size());
}

ByteSpan ToSpan(const leveldb::Slice& s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

Status FromLevelDb(const leveldb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption("db-corruption", s.ToString());
  return Status::IoError("db-io-error", s.ToString());
}

}  // namespace

Bytes MakeKey(uint8_t prefix, ByteSpan suffix) {
  Bytes key;
  key.reserve(1 + suffix.size());
  key.push_back(prefix);
  key.insert(key.end(), suffix.begin(), suffix.end());
  return key;
}

// --- WriteBatch ---

WriteBatch::WriteBatch() : batch_(std::make_unique<leveldb::WriteBatch>()) {}
WriteBatch::~WriteBatch() = default;

void WriteBatch::Put(ByteSpan key, ByteSpan value) { batch_->Put(ToSlice(key), ToSlice(value)); }
void WriteBatch::Delete(ByteSpan key) { batch_->Delete(ToSlice(key)); }
void WriteBatch::Clear() { batch_->Clear(); }
size_t WriteBatch::ApproximateSize() const { return batch_->ApproximateSize(); }

// --- DbSnapshot ---

DbSnapshot::DbSnapshot(leveldb::DB* db, const leveldb::Snapshot* snapshot)
    : db_(db), snapshot_(snapshot) {}
DbSnapshot::~DbSnapshot() { db_->ReleaseSnapshot(snapshot_); }

// --- DbIterator ---

DbIterator::DbIterator(std::unique_ptr<leveldb::Iterator> it, Bytes prefix)
    : it_(std::move(it)), prefix_(std::move(prefix)) {
  it_->Seek(ToSlice(prefix_));
}
DbIterator::~DbIterator() = default;

bool DbIterator::Valid() const {
  // An empty prefix (every key) has a null data(): starts_with would memcmp
  // from null, undefined even for zero bytes (found by UBSan).
  return it_->Valid() && (prefix_.empty() || it_->key().starts_with(ToSlice(prefix_)));
}
void DbIterator::Next() { it_->Next(); }
void DbIterator::Seek(ByteSpan target) { it_->Seek(ToSlice(target)); }
void DbIterator::Prev() { it_->Prev(); }
void DbIterator::SeekBefore(ByteSpan target) {
  it_->Seek(ToSlice(target));
  if (it_->Valid()) {
    it_->Prev();
  } else if (it_->status().ok()) {
    it_->SeekToLast();
  }
}
ByteSpan DbIterator::key() const { return ToSpan(it_->key()); }
ByteSpan DbIterator::value() const { return ToSpan(it_->value()); }
Status DbIterator::status() const { return FromLevelDb(it_->status()); }

// --- ChainDb ---

ChainDb::ChainDb(std::unique_ptr<leveldb::Cache> cache,
                 std::unique_ptr<const leveldb::FilterPolicy> filter_policy,
                 std::unique_ptr<leveldb::DB> db)
    : cache_(std::move(cache)), filter_policy_(std::move(filter_policy)), db_(std::move(db)) {}
ChainDb::~ChainDb() = default;

Result<std::unique_ptr<ChainDb>> ChainDb::Open(const ChainDbOptions& options) {
  std::unique_ptr<leveldb::Cache> cache(leveldb::NewLRUCache(options.cache_bytes));
  // Bloom filters turn most lookups of absent keys (new accounts, unknown tx
  // hashes) into no disk read at all.
  std::unique_ptr<const leveldb::FilterPolicy> filter(leveldb::NewBloomFilterPolicy(10));
  leveldb::Options lo;
  lo.create_if_missing = options.create_if_missing;
  lo.paranoid_checks = options.paranoid_checks;
  lo.block_cache = cache.get();
  lo.write_buffer_size = options.write_buffer_bytes;
  lo.max_open_files = options.max_open_files;
  lo.filter_policy = filter.get();
  // Values are hashes, lanes and encoded records: compression saves little
  // and costs CPU on every read.
  lo.compression = leveldb::kNoCompression;
  if (options.env != nullptr) lo.env = options.env;

  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(lo, options.path.string(), &raw);
  if (!s.ok()) return FromLevelDb(s);
  std::unique_ptr<ChainDb> db(
      new ChainDb(std::move(cache), std::move(filter), std::unique_ptr<leveldb::DB>(raw)));
  DEPIN_RETURN_IF_ERROR(db->CheckVersion());
  return db;
}

Status ChainDb::CheckVersion() {
  const Bytes key = MakeKey(dbkey::kDbVersion);
  auto stored = Get(key);
  if (!stored) return stored.status();
  if (!stored->has_value()) {
    // A fresh database gets the current version; anything else without one
    // was not written by this node and is not ours to interpret.
    auto it = NewPrefixIterator({});
    if (it->Valid()) {
      return Status::Corruption(
          "db-unknown-format",
          "database has data but no format version record; it was not written "
          "by depin or is damaged");
    }
    DEPIN_RETURN_IF_ERROR(it->status());
    uint8_t v[4];
    WriteLE32(v, kChainDbVersion);
    WriteBatch batch;
    batch.Put(key, ByteSpan(v, 4));
    DEPIN_RETURN_IF_ERROR(Write(batch, /*sync=*/true));
    version_ = kChainDbVersion;
    return Status::Ok();
  }
  const Bytes& v = **stored;
  if (v.size() != 4) {
    return Status::Corruption(
        "db-unknown-format",
        "database format version record has " + std::to_string(v.size()) + " bytes, expected 4");
  }
  const uint32_t version = ReadLE32(v.data());
  if (version > kChainDbVersion) {
    return Status::Error("db-version-too-new", "database format version " +
                                                   std::to_string(version) +
                                                   " is newer than this node supports (" +
                                                   std::to_string(kChainDbVersion) +
                                                   "); run a newer depind or use another -datadir");
  }
  if (version == 0) {
    return Status::Corruption("db-unknown-format", "database format version 0 is not valid");
  }
  version_ = version;
  return Status::Ok();
}

Result<std::optional<Bytes>> ChainDb::Get(ByteSpan key, const DbSnapshot* snapshot) const {
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  if (snapshot != nullptr) ro.snapshot = snapshot->snapshot_;
  std::string value;
  leveldb::Status s = db_->Get(ro, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<Bytes>();
  if (!s.ok()) return FromLevelDb(s);
  return std::optional<Bytes>(Bytes(value.begin(), value.end()));
}

Result<bool> ChainDb::Exists(ByteSpan key, const DbSnapshot* snapshot) const {
  auto value = Get(key, snapshot);
  if (!value) return value.status();
  return value->has_value();
}

Status ChainDb::Write(WriteBatch& batch, bool sync) {
  leveldb::WriteOptions wo;
  wo.sync = sync;
  return FromLevelDb(db_->Write(wo, batch.batch_.get()));
}

std::unique_ptr<DbSnapshot> ChainDb::GetSnapshot() const {
  return std::unique_ptr<DbSnapshot>(new DbSnapshot(db_.get(), db_->GetSnapshot()));
}

std::unique_ptr<DbIterator> ChainDb::NewPrefixIterator(ByteSpan prefix,
                                                       const DbSnapshot* snapshot) const {
  leveldb::ReadOptions ro;
  ro.verify_checksums = true;
  // A scan touches each block once; keep it from evicting the hot set.
  ro.fill_cache = false;
  if (snapshot != nullptr) ro.snapshot = snapshot->snapshot_;
  return std::unique_ptr<DbIterator>(
      new DbIterator(std::unique_ptr<leveldb::Iterator>(db_->NewIterator(ro)),
                     Bytes(prefix.begin(), prefix.end())));
}

uint64_t ChainDb::ApproximateSize() const {
  // [empty, 0xff...) covers every key this node writes (prefixes are ASCII).
  const std::string limit(8, '\xff');
  const leveldb::Range range{leveldb::Slice(), leveldb::Slice(limit)};
  uint64_t size = 0;
  db_->GetApproximateSizes(&range, 1, &size);
  return size;
}

}  // namespace depin::chain

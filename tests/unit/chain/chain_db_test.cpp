#include "chain/chain_db.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>

#include <set>

#include "store_test_util.h"

namespace depin::chain {
namespace {

using testing::TempDir;

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

ChainDbOptions Options(const TempDir& dir) {
  ChainDbOptions o;
  o.path = dir.path() / "chainstate";
  o.cache_bytes = 1 << 20;
  return o;
}

TEST(ChainDb, PutGetDeleteAcrossReopen) {
  TempDir dir;
  {
    auto db = ChainDb::Open(Options(dir));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    WriteBatch batch;
    batch.Put(B("sk1"), B("v1"));
    batch.Put(B("sk2"), B("v2"));
    batch.Put(B("sk3"), B("v3"));
    batch.Delete(B("sk3"));
    EXPECT_GT(batch.ApproximateSize(), 0u);
    ASSERT_TRUE((*db)->Write(batch, /*sync=*/true).ok());
  }
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  auto v1 = (*db)->Get(B("sk1"));
  ASSERT_TRUE(v1.ok());
  ASSERT_TRUE(v1->has_value());
  EXPECT_EQ(**v1, B("v1"));
  auto v3 = (*db)->Get(B("sk3"));
  ASSERT_TRUE(v3.ok());
  EXPECT_FALSE(v3->has_value());
  EXPECT_TRUE(*(*db)->Exists(B("sk2")));
  EXPECT_FALSE(*(*db)->Exists(B("nope")));
  EXPECT_EQ((*db)->version(), kChainDbVersion);
}

TEST(ChainDb, EmptyValueIsPresent) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  batch.Put(B("k"), Bytes());
  ASSERT_TRUE((*db)->Write(batch, /*sync=*/false).ok());
  auto v = (*db)->Get(B("k"));
  ASSERT_TRUE(v.ok() && v->has_value());
  EXPECT_TRUE((*v)->empty());
}

TEST(ChainDb, BatchClearDropsOperations) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  batch.Put(B("k"), B("v"));
  batch.Clear();
  ASSERT_TRUE((*db)->Write(batch, /*sync=*/false).ok());
  EXPECT_FALSE(*(*db)->Exists(B("k")));
}

TEST(ChainDb, PrefixIterationStaysInsidePrefix) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  for (const char* k : {"a1", "b1", "b2", "b3", "c1", "b"})
    batch.Put(B(k), B(std::string("v") + k));
  ASSERT_TRUE((*db)->Write(batch, /*sync=*/false).ok());
  std::vector<std::string> keys;
  auto it = (*db)->NewPrefixIterator(B("b"));
  for (; it->Valid(); it->Next()) {
    keys.emplace_back(it->key().begin(), it->key().end());
    EXPECT_EQ(Bytes(it->value().begin(), it->value().end()), B("v" + keys.back()));
  }
  EXPECT_TRUE(it->status().ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"b", "b1", "b2", "b3"}));
  auto none = (*db)->NewPrefixIterator(B("z"));
  EXPECT_FALSE(none->Valid());
}

TEST(ChainDb, SnapshotSeesStateAsOfCreation) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  batch.Put(B("sx"), B("old"));
  ASSERT_TRUE((*db)->Write(batch, false).ok());
  auto snap = (*db)->GetSnapshot();
  WriteBatch batch2;
  batch2.Put(B("sx"), B("new"));
  batch2.Put(B("sy"), B("added"));
  ASSERT_TRUE((*db)->Write(batch2, false).ok());
  EXPECT_EQ(**(*db)->Get(B("sx"), snap.get()), B("old"));
  EXPECT_FALSE((*db)->Get(B("sy"), snap.get())->has_value());
  EXPECT_EQ(**(*db)->Get(B("sx")), B("new"));
  int n = 0;
  for (auto it = (*db)->NewPrefixIterator(B("s"), snap.get()); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, 1);
}

TEST(ChainDb, MakeKeyPrependsPrefix) {
  EXPECT_EQ(MakeKey(dbkey::kTip), Bytes{'T'});
  EXPECT_EQ(MakeKey(dbkey::kBlockIndex, Bytes{1, 2}), (Bytes{'b', 1, 2}));
}

TEST(ChainDb, KeyPrefixesAreDistinct) {
  const std::vector<uint8_t> prefixes = {
      dbkey::kState,         dbkey::kBlockIndex, dbkey::kUndo,      dbkey::kReceipts,
      dbkey::kLegacyTxIndex, dbkey::kTip,        dbkey::kTipLtHash, dbkey::kBlockFileInfo,
      dbkey::kLastBlockFile, dbkey::kDbVersion};
  std::set<uint8_t> unique(prefixes.begin(), prefixes.end());
  EXPECT_EQ(unique.size(), prefixes.size());
}

TEST(ChainDb, WritesVersionOnCreate) {
  TempDir dir;
  { ASSERT_TRUE(ChainDb::Open(Options(dir)).ok()); }
  leveldb::DB* raw = nullptr;
  ASSERT_TRUE(
      leveldb::DB::Open(leveldb::Options(), (dir.path() / "chainstate").string(), &raw).ok());
  std::string v;
  ASSERT_TRUE(raw->Get(leveldb::ReadOptions(), "V", &v).ok());
  delete raw;
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(ReadLE32(reinterpret_cast<const uint8_t*>(v.data())), kChainDbVersion);
}

// Rewrites the version record through raw LevelDB, as another build would.
void SetRawVersion(const TempDir& dir, const std::string* value, const char* extra_key) {
  leveldb::Options o;
  o.create_if_missing = true;
  leveldb::DB* raw = nullptr;
  ASSERT_TRUE(leveldb::DB::Open(o, (dir.path() / "chainstate").string(), &raw).ok());
  if (value != nullptr) {
    ASSERT_TRUE(raw->Put(leveldb::WriteOptions(), "V", *value).ok());
  } else {
    ASSERT_TRUE(raw->Delete(leveldb::WriteOptions(), "V").ok());
  }
  if (extra_key != nullptr) {
    ASSERT_TRUE(raw->Put(leveldb::WriteOptions(), extra_key, "x").ok());
  }
  delete raw;
}

TEST(ChainDb, RefusesNewerVersion) {
  TempDir dir;
  std::string v(4, '\0');
  WriteLE32(reinterpret_cast<uint8_t*>(v.data()), kChainDbVersion + 1);
  SetRawVersion(dir, &v, nullptr);
  auto db = ChainDb::Open(Options(dir));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), "db-version-too-new");
  EXPECT_NE(db.status().message().find("newer"), std::string::npos);
}

TEST(ChainDb, RefusesMalformedOrZeroVersion) {
  for (const std::string& v :
       {std::string("\x01", 1), std::string(4, '\0'), std::string(5, '\1')}) {
    TempDir dir;
    SetRawVersion(dir, &v, nullptr);
    auto db = ChainDb::Open(Options(dir));
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.status().code(), "db-unknown-format");
  }
}

TEST(ChainDb, RefusesDataWithoutVersion) {
  TempDir dir;
  SetRawVersion(dir, nullptr, "sforeign");
  auto db = ChainDb::Open(Options(dir));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), "db-unknown-format");
}

TEST(ChainDb, MissingDatabaseWithoutCreateIsAnError) {
  TempDir dir;
  ChainDbOptions o = Options(dir);
  o.create_if_missing = false;
  auto db = ChainDb::Open(o);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), "db-io-error");
  EXPECT_FALSE(db.status().message().empty());
}

TEST(ChainDb, CorruptTableIsReported) {
  TempDir dir;
  {
    auto db = ChainDb::Open(Options(dir));
    ASSERT_TRUE(db.ok());
    WriteBatch batch;
    for (int i = 0; i < 2000; ++i) batch.Put(B("s" + std::to_string(i)), Bytes(100, 0x5a));
    ASSERT_TRUE((*db)->Write(batch, /*sync=*/true).ok());
  }
  // Reopening converts the log into a table file; damage its data blocks.
  { ASSERT_TRUE(ChainDb::Open(Options(dir)).ok()); }
  bool damaged = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "chainstate")) {
    if (entry.path().extension() != ".ldb") continue;
    std::FILE* f = std::fopen(entry.path().c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    for (long off = 100; off < 4000; off += 37) {
      std::fseek(f, off, SEEK_SET);
      std::fputc(0xff, f);
    }
    std::fclose(f);
    damaged = true;
  }
  ASSERT_TRUE(damaged);
  auto db = ChainDb::Open(Options(dir));
  if (!db.ok()) {
    EXPECT_EQ(db.status().code(), "db-corruption");
    return;
  }
  bool saw_corruption = false;
  for (int i = 0; i < 2000 && !saw_corruption; ++i) {
    auto v = (*db)->Get(B("s" + std::to_string(i)));
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), "db-corruption");
      saw_corruption = true;
    }
  }
  EXPECT_TRUE(saw_corruption);
}

TEST(ChainDb, ApproximateSizeGrowsWithData) {
  TempDir dir;
  {
    auto db = ChainDb::Open(Options(dir));
    ASSERT_TRUE(db.ok());
    WriteBatch batch;
    for (int i = 0; i < 5000; ++i) batch.Put(B("s" + std::to_string(i)), Bytes(200, 1));
    ASSERT_TRUE((*db)->Write(batch, true).ok());
  }
  // LevelDB measures only table files; reopening turns the log into one.
  auto reopened = ChainDb::Open(Options(dir));
  ASSERT_TRUE(reopened.ok());
  EXPECT_GT((*reopened)->ApproximateSize(), 500000u);
}

}  // namespace
}  // namespace depin::chain

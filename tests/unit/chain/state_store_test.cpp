#include "chain/state_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "consensus/state_root.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using consensus::Account;
using consensus::StateChange;
using consensus::StateDiff;
using testing::TempDir;

ChainDbOptions Options(const TempDir& dir) {
  ChainDbOptions o;
  o.path = dir.path() / "chainstate";
  o.cache_bytes = 1 << 20;
  return o;
}

Address Addr(uint8_t fill) {
  Address a;
  for (auto& b : a.bytes) b = fill;
  return a;
}

Bytes AccountValue(uint64_t nonce, uint64_t balance) {
  Account a;
  a.nonce = nonce;
  a.balance = Uint256(balance);
  return consensus::EncodeAccount(a);
}

// Writes `diff` and the resulting lanes as one synced batch, as a connect does.
Status Commit(ChainDb& db, const StateDiff& diff, crypto::LtHash16& lanes) {
  consensus::ApplyDiff(lanes, diff, 1);
  WriteBatch batch;
  StateStore::WriteDiff(batch, diff);
  StateStore::WriteTipLtHash(batch, lanes);
  return db.Write(batch, /*sync=*/true);
}

TEST(StateStore, EmptyStoreReadsAbsent) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  StateStore store(**db);
  EXPECT_FALSE(store.Get(consensus::AccountKey(Addr(1))).has_value());
  auto acct = store.GetAccount(Addr(1));
  ASSERT_TRUE(acct.ok());
  EXPECT_TRUE(acct->IsEmpty());
  auto lanes = store.ReadTipLtHash();
  ASSERT_TRUE(lanes.ok());
  EXPECT_FALSE(lanes->has_value());
  EXPECT_TRUE(store.read_error().ok());
}

TEST(StateStore, ScanWalksAPrefixInKeyOrderAfterACursor) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  StateStore::WriteDiff(batch, {{Bytes{'m', 1}, std::nullopt, Bytes{1}},
                                {Bytes{'m', 1, 0}, std::nullopt, Bytes{2}},
                                {Bytes{'m', 2}, std::nullopt, Bytes{3}},
                                {Bytes{'n', 0}, std::nullopt, Bytes{4}},
                                {Bytes{'l', 9}, std::nullopt, Bytes{5}}});
  ASSERT_TRUE((*db)->Write(batch, /*sync=*/false).ok());
  StateStore store(**db);
  using consensus::StateEntry;
  EXPECT_EQ(store.Scan(Bytes{'m'}, {}, 10), (std::vector<StateEntry>{{Bytes{'m', 1}, Bytes{1}},
                                                                     {Bytes{'m', 1, 0}, Bytes{2}},
                                                                     {Bytes{'m', 2}, Bytes{3}}}));
  EXPECT_EQ(store.Scan(Bytes{'m'}, Bytes{'m', 1}, 1),
            (std::vector<StateEntry>{{Bytes{'m', 1, 0}, Bytes{2}}}));
  EXPECT_EQ(store.Scan(Bytes{'m'}, Bytes{'m', 1, 5}, 10),
            (std::vector<StateEntry>{{Bytes{'m', 2}, Bytes{3}}}));
  EXPECT_TRUE(store.Scan(Bytes{'m'}, Bytes{'m', 2}, 10).empty());
  EXPECT_TRUE(store.Scan(Bytes{'m'}, {}, 0).empty());
  EXPECT_TRUE(store.read_error().ok());
}

TEST(StateStore, DiffRoundTripsAcrossReopen) {
  TempDir dir;
  const Bytes k1 = consensus::AccountKey(Addr(1));
  const Bytes k2 = consensus::AccountKey(Addr(2));
  const Bytes k3 = consensus::ModuleKey(ModuleAddress(0x2000), Bytes{7, 7});
  crypto::LtHash16 lanes;
  {
    auto db = ChainDb::Open(Options(dir));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(Commit(**db,
                       {{k1, std::nullopt, AccountValue(0, 100)},
                        {k2, std::nullopt, AccountValue(0, 50)},
                        {k3, std::nullopt, Bytes{1, 2, 3}}},
                       lanes)
                    .ok());
    // Second block: change k1, delete k2, change k3.
    ASSERT_TRUE(Commit(**db,
                       {{k1, AccountValue(0, 100), AccountValue(1, 90)},
                        {k2, AccountValue(0, 50), std::nullopt},
                        {k3, Bytes{1, 2, 3}, Bytes{4}}},
                       lanes)
                    .ok());
  }
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  StateStore store(**db);
  auto a1 = store.GetAccount(Addr(1));
  ASSERT_TRUE(a1.ok());
  EXPECT_EQ(a1->nonce, 1u);
  EXPECT_EQ(a1->balance, Uint256(90));
  EXPECT_FALSE(store.Get(k2).has_value());
  EXPECT_EQ(store.Get(k3), Bytes{4});
  auto stored_lanes = store.ReadTipLtHash();
  ASSERT_TRUE(stored_lanes.ok() && stored_lanes->has_value());
  EXPECT_EQ(**stored_lanes, lanes);
  // The lanes are the hash of exactly what is stored.
  crypto::LtHash16 expect;
  expect.Add(k1, AccountValue(1, 90));
  expect.Add(k3, Bytes{4});
  EXPECT_EQ(**stored_lanes, expect);
}

TEST(StateStore, UndoWithInverseDiffRestoresState) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  const Bytes k1 = consensus::AccountKey(Addr(1));
  const Bytes k2 = consensus::AccountKey(Addr(2));
  crypto::LtHash16 lanes;
  ASSERT_TRUE(Commit(**db, {{k1, std::nullopt, AccountValue(0, 10)}}, lanes).ok());
  const crypto::LtHash16 parent = lanes;
  const StateDiff diff = {{k1, AccountValue(0, 10), std::nullopt},
                          {k2, std::nullopt, AccountValue(0, 10)}};
  ASSERT_TRUE(Commit(**db, diff, lanes).ok());
  ASSERT_TRUE(Commit(**db, consensus::InvertDiff(diff), lanes).ok());
  StateStore store(**db);
  EXPECT_EQ(store.Get(k1), AccountValue(0, 10));
  EXPECT_FALSE(store.Get(k2).has_value());
  EXPECT_EQ(**store.ReadTipLtHash(), parent);
}

TEST(StateStore, StateKeysCarryTheStatePrefix) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  const Bytes key = consensus::AccountKey(Addr(9));
  WriteBatch batch;
  StateStore::WriteDiff(batch, {{key, std::nullopt, AccountValue(0, 1)}});
  ASSERT_TRUE((*db)->Write(batch, false).ok());
  EXPECT_TRUE(*(*db)->Exists(StateDbKey(key)));
  EXPECT_EQ(StateDbKey(key)[0], dbkey::kState);
  EXPECT_FALSE(*(*db)->Exists(key));
  // Non-state tables never leak into state reads.
  WriteBatch other;
  other.Put(MakeKey(dbkey::kTip), Bytes(32, 1));
  ASSERT_TRUE((*db)->Write(other, false).ok());
  StateStore store(**db);
  EXPECT_FALSE(store.Get(Bytes{}).has_value());
}

TEST(StateStore, SnapshotIsIsolatedFromLaterBlocks) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  StateStore store(**db);
  const Bytes k1 = consensus::AccountKey(Addr(1));
  crypto::LtHash16 lanes;
  ASSERT_TRUE(Commit(**db, {{k1, std::nullopt, AccountValue(0, 10)}}, lanes).ok());
  const crypto::LtHash16 at_snapshot = lanes;
  auto snapshot = store.Snapshot();
  ASSERT_TRUE(Commit(**db, {{k1, AccountValue(0, 10), AccountValue(1, 5)}}, lanes).ok());
  EXPECT_EQ(snapshot->GetAccount(Addr(1))->balance, Uint256(10));
  EXPECT_EQ(**snapshot->ReadTipLtHash(), at_snapshot);
  EXPECT_EQ(store.GetAccount(Addr(1))->balance, Uint256(5));
  EXPECT_EQ(**store.ReadTipLtHash(), lanes);
}

TEST(StateStore, SnapshotReadersRunConcurrentlyWithWrites) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  StateStore store(**db);
  // Invariant of every committed state: the balances of accounts 1 and 2 sum
  // to 1000. A reader on a snapshot must always see it hold.
  crypto::LtHash16 lanes;
  const Bytes k1 = consensus::AccountKey(Addr(1));
  const Bytes k2 = consensus::AccountKey(Addr(2));
  ASSERT_TRUE(
      Commit(**db,
             {{k1, std::nullopt, AccountValue(0, 1000)}, {k2, std::nullopt, AccountValue(0, 0)}},
             lanes)
          .ok());
  std::atomic<bool> done{false};
  std::atomic<int> violations{0}, reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto snap = store.Snapshot();
      auto a = snap->GetAccount(Addr(1));
      auto b = snap->GetAccount(Addr(2));
      if (!a.ok() || !b.ok() || a->balance.Low64() + b->balance.Low64() != 1000) ++violations;
      ++reads;
    }
  });
  for (uint64_t i = 1; i <= 200; ++i) {
    ASSERT_TRUE(Commit(**db,
                       {{k1, AccountValue(i - 1, 1000 - (i - 1)), AccountValue(i, 1000 - i)},
                        {k2, AccountValue(0, i - 1), AccountValue(0, i)}},
                       lanes)
                    .ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

TEST(StateStore, MalformedRecordsAreErrors) {
  TempDir dir;
  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok());
  WriteBatch batch;
  batch.Put(StateDbKey(consensus::AccountKey(Addr(3))), Bytes(39, 1));
  batch.Put(MakeKey(dbkey::kTipLtHash), Bytes(100, 0));
  ASSERT_TRUE((*db)->Write(batch, false).ok());
  StateStore store(**db);
  auto acct = store.GetAccount(Addr(3));
  ASSERT_FALSE(acct.ok());
  EXPECT_EQ(acct.status().code(), "account-bad-encoding");
  auto lanes = store.ReadTipLtHash();
  ASSERT_FALSE(lanes.ok());
  EXPECT_EQ(lanes.status().code(), "lthash-bad-size");
}

// Crash simulation: a child process commits blocks and dies with _exit (no
// destructors, no LevelDB close) at a chosen point; the parent reopens. Synced
// batches survive whole; nothing of an unwritten batch appears.
TEST(StateStore, CrashKeepsLastSyncedBatchAndNothingElse) {
  TempDir dir;
  const Bytes k1 = consensus::AccountKey(Addr(1));
  const Bytes k2 = consensus::AccountKey(Addr(2));
  crypto::LtHash16 first;
  consensus::ApplyDiff(first, {{k1, std::nullopt, AccountValue(0, 7)}}, 1);

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto db = ChainDb::Open(Options(dir));
    if (!db.ok()) ::_exit(2);
    crypto::LtHash16 lanes;
    if (!Commit(**db, {{k1, std::nullopt, AccountValue(0, 7)}}, lanes).ok()) ::_exit(3);
    // The second block's batch is built but the process dies before Write.
    WriteBatch pending;
    StateStore::WriteDiff(pending, {{k2, std::nullopt, AccountValue(0, 1)}});
    ::_exit(0);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 0);

  auto db = ChainDb::Open(Options(dir));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  StateStore store(**db);
  EXPECT_EQ(store.Get(k1), AccountValue(0, 7));
  EXPECT_FALSE(store.Get(k2).has_value());
  EXPECT_EQ(**store.ReadTipLtHash(), first);
}

}  // namespace
}  // namespace depin::chain

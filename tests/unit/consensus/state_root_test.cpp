#include "consensus/state_root.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace depin::consensus {
namespace {

Bytes RandomBytes(std::mt19937& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// A random diff over `keys` distinct keys against `state`, applied to it.
StateDiff RandomDiff(std::map<Bytes, Bytes>& state, size_t keys, std::mt19937& rng) {
  std::map<Bytes, StateChange> changes;
  while (changes.size() < keys) {
    Bytes key;
    if (!state.empty() && rng() % 2 == 0) {
      auto it = state.begin();
      std::advance(it, rng() % state.size());
      key = it->first;
    } else {
      key = RandomBytes(rng, 21);
      key[0] = 'a';
    }
    if (changes.count(key)) continue;
    StateChange change{key, std::nullopt, std::nullopt};
    auto it = state.find(key);
    if (it != state.end()) change.before = it->second;
    if (!change.before || rng() % 4 != 0) change.after = RandomBytes(rng, 40);
    changes.emplace(key, change);
  }
  StateDiff diff;
  for (auto& [key, change] : changes) {
    if (change.after) {
      state[key] = *change.after;
    } else {
      state.erase(key);
    }
    diff.push_back(change);
  }
  return diff;
}

crypto::LtHash16 HashOfState(const std::map<Bytes, Bytes>& state) {
  crypto::LtHash16 h;
  for (const auto& [k, v] : state) h.Add(k, v);
  return h;
}

TEST(StateRoot, EmptyDiffKeepsRoot) {
  crypto::LtHash16 parent;
  parent.Add(Bytes{'a', 1}, Bytes{2});
  EXPECT_EQ(StateRootAfter(parent, {}, 1), parent.Root());
}

TEST(StateRoot, DiffMatchesRehashingWholeState) {
  std::mt19937 rng(11);
  std::map<Bytes, Bytes> state;
  crypto::LtHash16 running;
  for (int block = 0; block < 8; ++block) {
    const StateDiff diff = RandomDiff(state, 40, rng);
    ApplyDiff(running, diff, 1);
    EXPECT_EQ(running, HashOfState(state)) << "block " << block;
  }
}

TEST(StateRoot, CreateChangeDeleteSemantics) {
  const Bytes k{'a', 7};
  crypto::LtHash16 h;
  ApplyDiff(h, {{k, std::nullopt, Bytes{1}}}, 1);  // create
  crypto::LtHash16 expect;
  expect.Add(k, Bytes{1});
  EXPECT_EQ(h, expect);
  ApplyDiff(h, {{k, Bytes{1}, Bytes{2}}}, 1);  // change
  expect = crypto::LtHash16();
  expect.Add(k, Bytes{2});
  EXPECT_EQ(h, expect);
  ApplyDiff(h, {{k, Bytes{2}, std::nullopt}}, 1);  // delete
  EXPECT_TRUE(h.IsEmpty());
}

TEST(StateRoot, InverseDiffRestoresParent) {
  std::mt19937 rng(12);
  std::map<Bytes, Bytes> state;
  crypto::LtHash16 h;
  ApplyDiff(h, RandomDiff(state, 100, rng), 1);
  const crypto::LtHash16 parent = h;
  const StateDiff diff = RandomDiff(state, 100, rng);
  ApplyDiff(h, diff, 1);
  ASSERT_NE(h, parent);
  ApplyDiff(h, InvertDiff(diff), 1);
  EXPECT_EQ(h, parent);
}

TEST(StateRoot, ParallelEqualsSerialForAnyThreadCount) {
  std::mt19937 rng(13);
  std::map<Bytes, Bytes> state;
  crypto::LtHash16 base;
  ApplyDiff(base, RandomDiff(state, 300, rng), 1);
  // Large enough to take the threaded path.
  const StateDiff diff = RandomDiff(state, 3 * kParallelStateRootMinEntries + 7, rng);
  crypto::LtHash16 serial = base;
  ApplyDiff(serial, diff, 1);
  EXPECT_EQ(serial, HashOfState(state));
  for (unsigned threads : {0u, 2u, 3u, 4u, 8u, 64u}) {
    crypto::LtHash16 parallel = base;
    ApplyDiff(parallel, diff, threads);
    EXPECT_EQ(parallel, serial) << threads << " threads";
    EXPECT_EQ(StateRootAfter(base, diff, threads), serial.Root());
  }
}

TEST(StateRoot, HashesConsensusKeysNotDatabaseKeys) {
  // The root of {('a'||addr, v)} is LtHash over the consensus key itself.
  const Bytes key{'a', 1, 2, 3};
  crypto::LtHash16 expect;
  expect.Add(key, Bytes{5});
  EXPECT_EQ(StateRootAfter(crypto::LtHash16(), {{key, std::nullopt, Bytes{5}}}, 1), expect.Root());
  crypto::LtHash16 prefixed;
  Bytes db_key{'s'};
  db_key.insert(db_key.end(), key.begin(), key.end());
  prefixed.Add(db_key, Bytes{5});
  EXPECT_NE(prefixed.Root(), expect.Root());
}

}  // namespace
}  // namespace depin::consensus

// HistoricalStateView over hand-written state and undo records: the lowest
// block's before wins, keys created or deleted later read as they were,
// untouched keys come from the tip, the view stays pinned to its snapshot,
// and a missing or damaged undo record is an error.
#include "chain/state_history.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "chain/chainstate.h"
#include "chain/undo.h"
#include "store_test_util.h"

namespace depin::chain {
namespace {

using consensus::StateChange;
using consensus::StateDiff;
using testing::TempDir;

Bytes Key(char c) { return Bytes{static_cast<uint8_t>('a'), static_cast<uint8_t>(c)}; }
Bytes Value(uint8_t v) { return Bytes{v}; }

Hash256 BlockHash(uint8_t i) {
  Hash256 h;
  h[0] = i;
  return h;
}

// Connects "block" `i`: its state changes and its undo record in one batch.
void Connect(ChainDb& db, uint8_t i, const StateDiff& diff) {
  WriteBatch batch;
  StateStore::WriteDiff(batch, diff);
  batch.Put(MakeKey(dbkey::kUndo, BlockHash(i).span()), EncodeUndoDiff(diff));
  ASSERT_TRUE(db.Write(batch, /*sync=*/false).ok());
}

class StateHistoryTest : public ::testing::Test {
 protected:
  StateHistoryTest() {
    db_ = ChainDb::Open(testing::StoreDbOptions(dir_)).value();
    // State after block 0: x=1, y=1, z=1.
    WriteBatch batch;
    StateStore::WriteDiff(batch, {{Key('x'), std::nullopt, Value(1)},
                                  {Key('y'), std::nullopt, Value(1)},
                                  {Key('z'), std::nullopt, Value(1)}});
    EXPECT_TRUE(db_->Write(batch, /*sync=*/false).ok());
    // Block 1: x 1->2, n created. Block 2: x 2->3, y deleted. Block 3: n 5->6.
    Connect(*db_, 1, {{Key('n'), std::nullopt, Value(5)}, {Key('x'), Value(1), Value(2)}});
    Connect(*db_, 2, {{Key('x'), Value(2), Value(3)}, {Key('y'), Value(1), std::nullopt}});
    Connect(*db_, 3, {{Key('n'), Value(5), Value(6)}});
  }

  // The state after block `height` of blocks 1..3.
  std::unique_ptr<HistoricalStateView> After(uint8_t height) {
    std::vector<Hash256> undone;
    for (uint8_t h = height + 1; h <= 3; ++h) undone.push_back(BlockHash(h));
    auto view =
        HistoricalStateView::Build(*db_, db_->GetSnapshot(), undone, kMaxStateHistoryUndoBytes);
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? std::move(view).value() : nullptr;
  }

  TempDir dir_;
  std::unique_ptr<ChainDb> db_;
};

TEST_F(StateHistoryTest, EachKeyReadsAsAfterTheWantedBlock) {
  const std::vector<std::vector<std::optional<Bytes>>> want = {
      // x, y, z, n after blocks 0..3
      {Value(1), Value(1), Value(1), std::nullopt},
      {Value(2), Value(1), Value(1), Value(5)},
      {Value(3), std::nullopt, Value(1), Value(5)},
      {Value(3), std::nullopt, Value(1), Value(6)},
  };
  for (uint8_t h = 0; h <= 3; ++h) {
    auto view = After(h);
    ASSERT_NE(view, nullptr);
    const std::vector<Bytes> keys = {Key('x'), Key('y'), Key('z'), Key('n')};
    for (size_t k = 0; k < keys.size(); ++k) {
      EXPECT_EQ(view->Get(keys[k]), want[h][k]) << "after block " << int(h) << " key " << k;
    }
    EXPECT_FALSE(view->Get(Key('q')).has_value());
    EXPECT_TRUE(view->read_error().ok());
  }
  // Only touched keys are held: x, y and n after block 0; none at the tip.
  EXPECT_EQ(After(0)->overlay_size(), 3u);
  EXPECT_EQ(After(3)->overlay_size(), 0u);
}

TEST_F(StateHistoryTest, ScanListsTheKeysAsAfterTheWantedBlock) {
  using consensus::StateEntry;
  const Bytes prefix = {'a'};
  // After block 0: n absent (created later), y present (deleted later).
  EXPECT_EQ(
      After(0)->Scan(prefix, {}, 10),
      (std::vector<StateEntry>{{Key('x'), Value(1)}, {Key('y'), Value(1)}, {Key('z'), Value(1)}}));
  EXPECT_EQ(
      After(1)->Scan(prefix, {}, 10),
      (std::vector<StateEntry>{
          {Key('n'), Value(5)}, {Key('x'), Value(2)}, {Key('y'), Value(1)}, {Key('z'), Value(1)}}));
  // Paginated: strictly after the last key, with overlay and tip merged.
  auto view = After(1);
  EXPECT_EQ(view->Scan(prefix, Key('n'), 2),
            (std::vector<StateEntry>{{Key('x'), Value(2)}, {Key('y'), Value(1)}}));
  EXPECT_EQ(view->Scan(prefix, Key('y'), 2), (std::vector<StateEntry>{{Key('z'), Value(1)}}));
  EXPECT_TRUE(view->Scan(Bytes{'b'}, {}, 10).empty());
}

TEST_F(StateHistoryTest, ViewStaysOnItsSnapshot) {
  auto view = After(1);
  ASSERT_NE(view, nullptr);
  // A later "block" changes z (untouched so far) and x.
  Connect(*db_, 4, {{Key('x'), Value(3), Value(4)}, {Key('z'), Value(1), Value(9)}});
  EXPECT_EQ(view->Get(Key('z')), Value(1));
  EXPECT_EQ(view->Get(Key('x')), Value(2));
}

TEST_F(StateHistoryTest, MissingOrDamagedUndoIsAnError) {
  auto missing = HistoricalStateView::Build(*db_, db_->GetSnapshot(), {BlockHash(2), BlockHash(7)},
                                            kMaxStateHistoryUndoBytes);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), "undo-missing");

  WriteBatch batch;
  batch.Put(MakeKey(dbkey::kUndo, BlockHash(8).span()), Bytes{kUndoVersion, 9});
  ASSERT_TRUE(db_->Write(batch, /*sync=*/false).ok());
  auto damaged = HistoricalStateView::Build(*db_, db_->GetSnapshot(), {BlockHash(8)},
                                            kMaxStateHistoryUndoBytes);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.status().code(), "undo-bad-encoding");
}

TEST_F(StateHistoryTest, UndoBeyondTheByteBudgetIsRefused) {
  // Blocks 1..3 hold a few dozen bytes of undo: a budget below that refuses
  // the view after block 0, one above it builds it.
  const std::vector<Hash256> undone = {BlockHash(1), BlockHash(2), BlockHash(3)};
  auto refused = HistoricalStateView::Build(*db_, db_->GetSnapshot(), undone, 20);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "state-history-too-large");
  auto built = HistoricalStateView::Build(*db_, db_->GetSnapshot(), undone, 4096);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EXPECT_EQ((*built)->Get(Key('x')), Value(1));
}

}  // namespace
}  // namespace depin::chain

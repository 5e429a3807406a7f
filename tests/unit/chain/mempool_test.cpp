#include "chain/mempool.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mempool_test_env.h"

namespace depin::chain {
namespace {

using testing::AddressOf;
using testing::ChainEnv;
using testing::kGwei;
using testing::SignalRecorder;
using testing::TestKey;

Uint256 Gwei(uint64_t n) { return Uint256(n * kGwei); }

bool StartsWith(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

class MempoolTest : public ::testing::Test {
 protected:
  std::unique_ptr<Mempool> MakePool(MempoolOptions options = {}) {
    return std::make_unique<Mempool>(options, env_.chain());
  }
  TxRef Tx(uint8_t key, uint64_t nonce, uint64_t tip_gwei = 1, uint64_t cap_gwei = 10) {
    return env_.Transfer(TestKey(key), nonce, Gwei(tip_gwei), Gwei(cap_gwei));
  }

  ChainEnv env_;
};

TEST_F(MempoolTest, AdmitsValidTxAndRejectsDuplicateAsAlreadyKnown) {
  auto pool = MakePool();
  TxRef tx = Tx(1, 0);
  ASSERT_TRUE(pool->Add(tx).ok());
  EXPECT_TRUE(pool->Contains(tx->hash));
  EXPECT_EQ(pool->Get(tx->hash), tx);
  EXPECT_EQ(pool->Size(), 1u);
  EXPECT_EQ(pool->Bytes(), tx->size);

  Status again = pool->Add(tx);
  EXPECT_EQ(again.code(), "txpool-already-known");
  EXPECT_EQ(again.message(), "already known");
  EXPECT_EQ(pool->Size(), 1u);
}

TEST_F(MempoolTest, RejectsStatelessRuleViolations) {
  auto pool = MakePool();
  Transaction wrong_chain = Tx(1, 0)->tx;
  wrong_chain.chain_id = 1;
  wrong_chain.Sign(TestKey(1));
  Status s = pool->Add(MakeVerifiedTx(wrong_chain).value());
  EXPECT_EQ(s.code(), "tx-wrong-chain-id");
  EXPECT_TRUE(StartsWith(s.message(), "invalid chain id")) << s.message();

  TxRef low_gas = env_.Transfer(TestKey(1), 0, Gwei(1), Gwei(10), Uint256(1), 20000);
  s = pool->Add(low_gas);
  EXPECT_EQ(s.code(), "tx-intrinsic-gas");
  EXPECT_TRUE(StartsWith(s.message(), "intrinsic gas too low")) << s.message();

  Transaction with_data = Tx(1, 0)->tx;
  with_data.data = {1, 2, 3};
  with_data.gas_limit = 50000;
  with_data.Sign(TestKey(1));
  s = pool->Add(MakeVerifiedTx(with_data).value());
  EXPECT_EQ(s.code(), "tx-data-to-non-module");
  EXPECT_EQ(pool->Size(), 0u);
}

TEST_F(MempoolTest, RejectsFeeCapBelowNextBaseFee) {
  auto pool = MakePool();
  ASSERT_EQ(pool->NextBaseFee(), env_.chain().NextBlockContext().base_fee);
  Uint256 below = SaturatingSub(pool->NextBaseFee(), Uint256(1));
  Status s = pool->Add(env_.Transfer(TestKey(1), 0, Uint256(0), below));
  EXPECT_EQ(s.code(), "tx-fee-cap-below-base-fee");
  EXPECT_TRUE(StartsWith(s.message(), "max fee per gas less than block base fee")) << s.message();
  EXPECT_TRUE(pool->Add(env_.Transfer(TestKey(1), 0, Uint256(0), pool->NextBaseFee())).ok());
}

TEST_F(MempoolTest, RejectsTipBelowMinimumAsUnderpriced) {
  MempoolOptions options;
  options.min_tip = Gwei(2);
  auto pool = MakePool(options);
  Status s = pool->Add(Tx(1, 0, /*tip_gwei=*/1));
  EXPECT_EQ(s.code(), "txpool-underpriced");
  EXPECT_TRUE(StartsWith(s.message(), "transaction underpriced")) << s.message();
  EXPECT_TRUE(pool->Add(Tx(1, 0, /*tip_gwei=*/2)).ok());
}

TEST_F(MempoolTest, ReplacementNeedsTenPercentHigherFeeCapAndTip) {
  auto pool = MakePool();
  TxRef original = Tx(1, 0, /*tip_gwei=*/10, /*cap_gwei=*/100);
  ASSERT_TRUE(pool->Add(original).ok());

  // 9% more on both: refused.
  TxRef nine = env_.Transfer(TestKey(1), 0, Uint256(10'900'000'000), Uint256(109 * kGwei));
  Status s = pool->Add(nine);
  EXPECT_EQ(s.code(), "txpool-replacement-underpriced");
  EXPECT_TRUE(StartsWith(s.message(), "replacement transaction underpriced")) << s.message();

  // 10% on the fee cap but 9% on the tip: still refused (geth bumps both).
  TxRef cap_only = env_.Transfer(TestKey(1), 0, Uint256(10'900'000'000), Gwei(110));
  EXPECT_EQ(pool->Add(cap_only).code(), "txpool-replacement-underpriced");
  // 10% on the tip but 9% on the cap.
  TxRef tip_only = env_.Transfer(TestKey(1), 0, Gwei(11), Uint256(109 * kGwei));
  EXPECT_EQ(pool->Add(tip_only).code(), "txpool-replacement-underpriced");
  EXPECT_TRUE(pool->Contains(original->hash));

  // Exactly 10% on both: replaces.
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  TxRef ten = env_.Transfer(TestKey(1), 0, Gwei(11), Gwei(110));
  ASSERT_TRUE(pool->Add(ten).ok());
  EXPECT_EQ(recorder.ReasonFor(original->hash), MempoolRemovalReason::kReplaced);
  EXPECT_EQ(recorder.events(), (std::vector<std::string>{"removed replaced", "added"}));
  EXPECT_FALSE(pool->Contains(original->hash));
  EXPECT_TRUE(pool->Contains(ten->hash));
  EXPECT_EQ(pool->Size(), 1u);
  EXPECT_EQ(pool->Bytes(), ten->size);
}

TEST_F(MempoolTest, NonceTooHighBeyondFutureBoundAndGapFilling) {
  MempoolOptions options;
  options.max_future_per_sender = 4;
  auto pool = MakePool(options);
  // Pending nonce 0: nonce 4 leaves a gap of four, the most allowed.
  ASSERT_TRUE(pool->Add(Tx(1, 4)).ok());
  EXPECT_EQ(pool->FutureCount(), 1u);
  EXPECT_EQ(pool->ReadyCount(), 0u);
  Status s = pool->Add(Tx(1, 5));
  EXPECT_EQ(s.code(), "tx-nonce-too-high");
  EXPECT_TRUE(StartsWith(s.message(), "nonce too high")) << s.message();
  EXPECT_EQ(pool->PendingNonce(AddressOf(TestKey(1))), 0u);

  // Future txs are not selected until the gap closes.
  EXPECT_TRUE(pool->SelectForBlock(pool->NextBaseFee(), 1'000'000, 1 << 20).empty());
  for (uint64_t n = 0; n < 4; ++n) ASSERT_TRUE(pool->Add(Tx(1, n)).ok());
  EXPECT_EQ(pool->FutureCount(), 0u);
  EXPECT_EQ(pool->ReadyCount(), 5u);
  EXPECT_EQ(pool->PendingNonce(AddressOf(TestKey(1))), 5u);
  // The bound is relative to the pending nonce, which has moved.
  EXPECT_TRUE(pool->Add(Tx(1, 9)).ok());
  auto selected = pool->SelectForBlock(pool->NextBaseFee(), 1'000'000, 1 << 20);
  ASSERT_EQ(selected.size(), 5u);
  for (uint64_t n = 0; n < 5; ++n) EXPECT_EQ(selected[n]->tx.nonce, n);
}

TEST_F(MempoolTest, BoundsFutureTxsPoolWide) {
  MempoolOptions options;
  options.max_future_total = 2;
  auto pool = MakePool(options);
  ASSERT_TRUE(pool->Add(Tx(1, 1)).ok());
  ASSERT_TRUE(pool->Add(Tx(2, 1)).ok());
  Status s = pool->Add(Tx(3, 1));
  EXPECT_EQ(s.code(), "txpool-too-many-future");
  // Ready txs and replacements of future ones are still welcome.
  EXPECT_TRUE(pool->Add(Tx(3, 0)).ok());
  EXPECT_TRUE(pool->Add(Tx(1, 1, /*tip_gwei=*/2, /*cap_gwei=*/20)).ok());
  // A ready tx that closes a gap frees a future slot.
  ASSERT_TRUE(pool->Add(Tx(1, 0)).ok());
  EXPECT_EQ(pool->FutureCount(), 1u);
  EXPECT_TRUE(pool->Add(Tx(3, 2)).ok());
}

TEST_F(MempoolTest, BoundsFutureTxsPerSenderAndByBytes) {
  MempoolOptions options;
  options.max_future_txs_per_sender = 2;
  options.max_future_bytes = 3 * Tx(1, 1)->size + 2;  // three gapped txs
  auto pool = MakePool(options);
  ASSERT_TRUE(pool->Add(Tx(1, 1)).ok());
  ASSERT_TRUE(pool->Add(Tx(1, 2)).ok());
  Status s = pool->Add(Tx(1, 3));
  EXPECT_EQ(s.code(), "txpool-too-many-future");
  EXPECT_EQ(s.kind(), StatusKind::kPolicy);
  ASSERT_TRUE(pool->Add(Tx(2, 1)).ok());
  s = pool->Add(Tx(3, 1));
  EXPECT_EQ(s.code(), "txpool-too-many-future");
  EXPECT_NE(s.message().find("bytes"), std::string::npos) << s.message();
  EXPECT_EQ(pool->FutureCount(), 3u);
  // Closing sender 1's gap makes its txs ready and frees their share.
  ASSERT_TRUE(pool->Add(Tx(1, 0)).ok());
  EXPECT_EQ(pool->FutureCount(), 1u);
  EXPECT_TRUE(pool->Add(Tx(3, 1)).ok());
}

// Gapped txs cannot be mined, so they never pay: in a full pool a gapped tx,
// whatever its fee, displaces no ready tx (it may displace a cheaper gapped
// one).
TEST_F(MempoolTest, GappedTxNeverEvictsAReadyOne) {
  std::vector<TxRef> ready;
  for (uint8_t key = 1; key <= 4; ++key) ready.push_back(Tx(key, 0, /*tip_gwei=*/1));
  TxRef rich_gapped = Tx(5, 1, /*tip_gwei=*/50, /*cap_gwei=*/100);
  MempoolOptions options;
  size_t four = 0;
  for (const TxRef& t : ready) four += t->size;
  options.max_bytes = four + 5;
  options.max_future_bytes = four;  // the byte cap is not what refuses it here
  auto pool = MakePool(options);
  for (const TxRef& t : ready) ASSERT_TRUE(pool->Add(t).ok());

  Status s = pool->Add(rich_gapped);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), StatusKind::kPolicy) << s.ToString();
  for (const TxRef& t : ready) EXPECT_TRUE(pool->Contains(t->hash));

  // A ready tx paying more still evicts the cheapest ready one.
  TxRef rich_ready = Tx(6, 0, /*tip_gwei=*/50, /*cap_gwei=*/100);
  ASSERT_TRUE(pool->Add(rich_ready).ok());
  EXPECT_EQ(pool->Size(), 4u);

  // With a cheap gapped tx in the pool, a richer gapped one displaces it.
  auto pool2 = MakePool(options);
  for (size_t i = 0; i < 3; ++i) ASSERT_TRUE(pool2->Add(ready[i]).ok());
  TxRef cheap_gapped = Tx(7, 1, /*tip_gwei=*/1);
  ASSERT_TRUE(pool2->Add(cheap_gapped).ok());
  ASSERT_TRUE(pool2->Add(rich_gapped).ok());
  EXPECT_FALSE(pool2->Contains(cheap_gapped->hash));
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(pool2->Contains(ready[i]->hash));
}

TEST_F(MempoolTest, InsufficientFundsCountsCumulativePendingCost) {
  auto pool = MakePool();
  // Key 200 holds 1,000,000 gwei; each tx may cost 21000 * 10 gwei + 1 wei.
  const crypto::PrivateKey poor = TestKey(200);
  for (uint64_t n = 0; n < 4; ++n) {
    ASSERT_TRUE(pool->Add(env_.Transfer(poor, n, Gwei(1), Gwei(10))).ok()) << n;
  }
  Status s = pool->Add(env_.Transfer(poor, 4, Gwei(1), Gwei(10)));
  EXPECT_EQ(s.code(), "tx-insufficient-funds");
  EXPECT_TRUE(StartsWith(s.message(), "insufficient funds for gas * price + value")) << s.message();

  // A replacement is costed instead of, not on top of, the tx it replaces.
  EXPECT_TRUE(pool->Add(env_.Transfer(poor, 3, Gwei(2), Gwei(11))).ok());
  // A single tx beyond the balance.
  auto fresh = MakePool();
  Status single = fresh->Add(env_.Transfer(poor, 0, Gwei(1), Gwei(10), Gwei(1'000'000)));
  EXPECT_EQ(single.code(), "tx-insufficient-funds");
  // An unfunded sender.
  EXPECT_EQ(fresh->Add(Tx(150, 0)).code(), "tx-insufficient-funds");
}

TEST_F(MempoolTest, ByteLimitEvictsLowestFeeTxWithItsLaterNonces) {
  TxRef a = Tx(1, 0, /*tip_gwei=*/3);
  TxRef b0 = Tx(2, 0, /*tip_gwei=*/1);
  TxRef b1 = Tx(2, 1, /*tip_gwei=*/4);
  TxRef c = Tx(3, 0, /*tip_gwei=*/2);
  TxRef d = Tx(4, 0, /*tip_gwei=*/5);
  TxRef e = Tx(5, 0, /*tip_gwei=*/6);
  TxRef cheap = Tx(6, 0, /*tip_gwei=*/1);
  MempoolOptions options;
  // Room for four txs (sizes differ by a byte or two with the signature).
  options.max_bytes = a->size + b0->size + b1->size + c->size + 5;
  auto pool = MakePool(options);
  for (const TxRef& tx : {a, b0, b1, c}) ASSERT_TRUE(pool->Add(tx).ok());

  // d needs room: b0 is the cheapest, and b1 cannot be mined without it.
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  ASSERT_TRUE(pool->Add(d).ok());
  EXPECT_EQ(recorder.ReasonFor(b0->hash), MempoolRemovalReason::kEvicted);
  EXPECT_EQ(recorder.ReasonFor(b1->hash), MempoolRemovalReason::kEvicted);
  EXPECT_FALSE(pool->Contains(b0->hash));
  EXPECT_FALSE(pool->Contains(b1->hash));
  EXPECT_TRUE(pool->Contains(a->hash));
  EXPECT_TRUE(pool->Contains(c->hash));
  EXPECT_TRUE(pool->Contains(d->hash));
  ASSERT_TRUE(pool->Add(e).ok());  // fits in the room b1 left
  EXPECT_EQ(pool->Size(), 4u);

  // Full again; a tx paying less than the cheapest (c, 2 gwei) is refused.
  Status s = pool->Add(cheap);
  EXPECT_EQ(s.code(), "txpool-underpriced");
  EXPECT_TRUE(StartsWith(s.message(), "transaction underpriced")) << s.message();
  EXPECT_EQ(pool->Size(), 4u);
  EXPECT_LE(pool->Bytes(), options.max_bytes);
}

TEST_F(MempoolTest, RefusesTxLargerThanThePool) {
  TxRef tx = Tx(1, 0);
  MempoolOptions options;
  options.max_bytes = tx->size - 1;
  auto pool = MakePool(options);
  EXPECT_EQ(pool->Add(tx).code(), "txpool-full");
}

TEST_F(MempoolTest, ExpiresOldTxsWithTheirLaterNonces) {
  uint64_t now = 1000;
  MempoolOptions options;
  options.expiry_seconds = 100;
  options.clock = [&now] { return now; };
  auto pool = MakePool(options);
  TxRef a0 = Tx(1, 0);
  ASSERT_TRUE(pool->Add(a0).ok());
  now = 1050;
  TxRef a1 = Tx(1, 1);
  TxRef b0 = Tx(2, 0);
  ASSERT_TRUE(pool->Add(a1).ok());
  ASSERT_TRUE(pool->Add(b0).ok());

  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  EXPECT_EQ(pool->ExpireOld(1099), 0u);
  EXPECT_EQ(pool->ExpireOld(1100), 2u);  // a0 expired; a1 would wait forever
  EXPECT_EQ(recorder.ReasonFor(a0->hash), MempoolRemovalReason::kExpired);
  EXPECT_EQ(recorder.ReasonFor(a1->hash), MempoolRemovalReason::kExpired);
  EXPECT_FALSE(pool->Contains(a0->hash));
  EXPECT_FALSE(pool->Contains(a1->hash));
  EXPECT_TRUE(pool->Contains(b0->hash));
  EXPECT_EQ(pool->ExpireOld(1150), 1u);
  EXPECT_EQ(pool->Size(), 0u);
  EXPECT_EQ(pool->Bytes(), 0u);
}

TEST_F(MempoolTest, ConnectedBlockExpiresOldTxs) {
  uint64_t now = 1000;
  MempoolOptions options;
  options.expiry_seconds = 100;
  options.clock = [&now] { return now; };
  auto pool = MakePool(options);
  TxRef old_tx = Tx(1, 0);
  ASSERT_TRUE(pool->Add(old_tx).ok());
  now = 1100;
  // An empty block (nothing selected from this pool) still ticks expiry.
  env_.MineBlock(/*pool=*/nullptr, AddressOf(TestKey(9)));
  EXPECT_FALSE(pool->Contains(old_tx->hash));
  EXPECT_EQ(pool->Size(), 0u);
}

TEST_F(MempoolTest, SelectForBlockOrdersByEffectiveTipInNonceOrder) {
  auto pool = MakePool();
  TxRef a0 = Tx(1, 0, /*tip_gwei=*/1);
  TxRef a1 = Tx(1, 1, /*tip_gwei=*/10);
  TxRef b0 = Tx(2, 0, /*tip_gwei=*/5);
  TxRef c0 = Tx(3, 0, /*tip_gwei=*/2, /*cap_gwei=*/3);
  TxRef d0 = Tx(4, 0, /*tip_gwei=*/5);  // ties with b0, arrives later
  for (const TxRef& tx : {a1, a0, b0, c0, d0}) ASSERT_TRUE(pool->Add(tx).ok());

  auto hashes = [](const std::vector<TxRef>& txs) {
    std::vector<Hash256> out;
    for (const TxRef& tx : txs) out.push_back(tx->hash);
    return out;
  };
  // Base fee 1 gwei: tips b0 5, d0 5, c0 2, a0 1 (then a1 10, unlocked by a0).
  EXPECT_EQ(hashes(pool->SelectForBlock(Gwei(1), 1'000'000, 1 << 20)),
            (std::vector<Hash256>{b0->hash, d0->hash, c0->hash, a0->hash, a1->hash}));
  // Base fee 5 gwei: c0 (cap 3) cannot pay; a1's tip is capped at 5 and its
  // sequence still comes after a0.
  EXPECT_EQ(hashes(pool->SelectForBlock(Gwei(5), 1'000'000, 1 << 20)),
            (std::vector<Hash256>{b0->hash, d0->hash, a0->hash, a1->hash}));
  // Gas for two transfers.
  EXPECT_EQ(hashes(pool->SelectForBlock(Gwei(1), 2 * 21000, 1 << 20)),
            (std::vector<Hash256>{b0->hash, d0->hash}));
  // Bytes for one tx (plus its length prefix).
  EXPECT_EQ(hashes(pool->SelectForBlock(Gwei(1), 1'000'000, b0->size + 4)),
            (std::vector<Hash256>{b0->hash}));
}

TEST_F(MempoolTest, AddRawDecodesRecoversAndReportsErrorsInOrder) {
  auto pool = MakePool();
  TxRef a = Tx(1, 0);
  auto added = pool->AddRaw(a->tx.Encode());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ((*added)->sender, AddressOf(TestKey(1)));
  EXPECT_FALSE(pool->AddRaw(depin::Bytes{0x02, 0xc0}).ok());

  TxRef b = Tx(2, 0);
  TxRef c_low = Tx(3, 0, /*tip_gwei=*/1, /*cap_gwei=*/0);
  std::vector<depin::Bytes> batch = {b->tx.Encode(), depin::Bytes{0xff, 0x00}, a->tx.Encode(),
                                     c_low->tx.Encode()};
  auto results = pool->AddRawBatch(batch);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_FALSE(results[1].ok());
  EXPECT_EQ(results[2].status().code(), "txpool-already-known");
  EXPECT_FALSE(results[3].ok());
  EXPECT_EQ(pool->Size(), 2u);
}

TEST_F(MempoolTest, AddRawBatchOverManyChunksAndThreadsKeepsInputOrder) {
  MempoolOptions options;
  options.verify_threads = 3;
  auto pool = MakePool(options);
  std::vector<TxRef> txs;
  std::vector<depin::Bytes> envelopes;
  for (uint8_t key = 1; key <= 20; ++key) {
    for (uint64_t n = 0; n < 30; ++n) {
      txs.push_back(Tx(key, n));
      envelopes.push_back(txs.back()->tx.Encode());
    }
  }
  envelopes.insert(envelopes.begin() + 300, depin::Bytes{0x02, 0x01});
  envelopes.push_back(envelopes.front());  // a duplicate: must lose to the original
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before

  auto results = pool->AddRawBatch(envelopes);
  ASSERT_EQ(results.size(), envelopes.size());
  for (size_t i = 0; i + 1 < results.size(); ++i) {
    EXPECT_EQ(results[i].ok(), i != 300) << i << " " << results[i].status().ToString();
  }
  EXPECT_EQ(results.back().status().code(), "txpool-already-known");
  EXPECT_EQ(pool->ReadyCount(), 600u);
  EXPECT_EQ(pool->FutureCount(), 0u);
  // Subscribers hear the txs in input order.
  const std::vector<Hash256> heard = recorder.added();
  ASSERT_EQ(heard.size(), 600u);
  for (size_t i = 0; i < txs.size(); ++i) EXPECT_EQ(heard[i], txs[i]->hash) << i;
  EXPECT_TRUE(pool->AddRawBatch({}).empty());
}

TEST_F(MempoolTest, AddBatchAdmitsSequencesFromOneRead) {
  auto pool = MakePool();
  std::vector<TxRef> txs;
  for (uint8_t key = 1; key <= 3; ++key) {
    for (uint64_t n = 0; n < 3; ++n) txs.push_back(Tx(key, n));
  }
  txs.push_back(Tx(1, 1));  // duplicate
  auto results = pool->AddBatch(txs);
  ASSERT_EQ(results.size(), txs.size());
  for (size_t i = 0; i + 1 < txs.size(); ++i) EXPECT_TRUE(results[i].ok()) << i;
  EXPECT_EQ(results.back().code(), "txpool-already-known");
  EXPECT_EQ(pool->ReadyCount(), 9u);
  EXPECT_EQ(pool->PendingNonce(AddressOf(TestKey(2))), 3u);
}

TEST_F(MempoolTest, SubscribersHearAdmittedTxsOnly) {
  auto pool = MakePool();
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  TxRef tx = Tx(1, 0);
  ASSERT_TRUE(pool->Add(tx).ok());
  EXPECT_FALSE(pool->Add(tx).ok());
  EXPECT_FALSE(pool->Add(Tx(1, 100)).ok());
  const std::vector<Hash256> heard = recorder.added();
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], tx->hash);
}

TEST_F(MempoolTest, RemoveDropsTxAndLaterNonces) {
  auto pool = MakePool();
  TxRef a0 = Tx(1, 0), a1 = Tx(1, 1), a2 = Tx(1, 2);
  for (const TxRef& tx : {a0, a1, a2}) ASSERT_TRUE(pool->Add(tx).ok());
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  EXPECT_TRUE(pool->Remove(a1->hash));
  EXPECT_FALSE(pool->Remove(a1->hash));
  EXPECT_EQ(pool->All().size(), 1u);
  EXPECT_EQ(recorder.ReasonFor(a1->hash), MempoolRemovalReason::kRemoved);
  EXPECT_EQ(recorder.ReasonFor(a2->hash), MempoolRemovalReason::kRemoved);
  EXPECT_EQ(recorder.ReasonFor(a0->hash), std::nullopt);
  EXPECT_EQ(pool->TxsFrom(AddressOf(TestKey(1))).front(), a0);
}

TEST_F(MempoolTest, ConnectedBlockRemovesIncludedTxsThenNonceTooLow) {
  auto pool = MakePool();
  TxRef a0 = Tx(1, 0), a1 = Tx(1, 1), b0 = Tx(2, 0);
  for (const TxRef& tx : {a0, a1, b0}) ASSERT_TRUE(pool->Add(tx).ok());
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  auto block = env_.MineBlock(pool.get(), AddressOf(TestKey(50)));
  ASSERT_NE(block, nullptr);
  EXPECT_EQ(block->txs.size(), 3u);
  // The pool is up to date when ProcessBlock returns (a direct call), and
  // its removals are queued before the block's own event.
  EXPECT_EQ(pool->Size(), 0u);
  EXPECT_EQ(recorder.events(),
            (std::vector<std::string>{"removed included", "removed included", "removed included",
                                      "connected 1", "tip 1"}));
  EXPECT_EQ(pool->Bytes(), 0u);
  EXPECT_EQ(pool->NextBaseFee(), env_.chain().NextBlockContext().base_fee);

  Status s = pool->Add(env_.Transfer(TestKey(1), 0, Gwei(2), Gwei(20)));
  EXPECT_EQ(s.code(), "tx-nonce-too-low");
  EXPECT_TRUE(StartsWith(s.message(), "nonce too low")) << s.message();
  EXPECT_EQ(pool->PendingNonce(AddressOf(TestKey(1))), 2u);
}

TEST_F(MempoolTest, ConnectedBlockDropsStaleNoncesAndTxsTheBalanceNoLongerCovers) {
  // Another node's view: spends almost everything. The chain updates only
  // the pool attached last (`pool`).
  auto other_pool = MakePool();
  auto pool = MakePool();
  const crypto::PrivateKey key = TestKey(5);
  TxRef small0 = env_.Transfer(key, 0, Gwei(1), Gwei(10));
  TxRef small1 = env_.Transfer(key, 1, Gwei(1), Gwei(10));
  ASSERT_TRUE(pool->Add(small0).ok());
  ASSERT_TRUE(pool->Add(small1).ok());
  TxRef unrelated = Tx(6, 0);
  ASSERT_TRUE(pool->Add(unrelated).ok());

  // Leaves 58,000 gwei after its 42,000 gwei fee: less than small1's cap.
  Uint256 value = *CheckedSub(Dpn(100), Gwei(100'000));
  TxRef big0 = env_.Transfer(key, 0, Gwei(1), Gwei(2), value);
  ASSERT_TRUE(other_pool->Add(big0).ok());
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  auto block = env_.MineBlock(other_pool.get(), AddressOf(TestKey(50)));
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(block->txs.size(), 1u);

  EXPECT_FALSE(pool->Contains(small0->hash));  // nonce used by big0
  EXPECT_FALSE(pool->Contains(small1->hash));  // no longer funded
  EXPECT_TRUE(pool->Contains(unrelated->hash));
  EXPECT_EQ(pool->Size(), 1u);
  EXPECT_EQ(recorder.ReasonFor(small0->hash), MempoolRemovalReason::kConflict);
  EXPECT_EQ(recorder.ReasonFor(small1->hash), MempoolRemovalReason::kConflict);
}

TEST_F(MempoolTest, ReorgReadmitsTxsOfDisconnectedBlocks) {
  auto pool = MakePool();
  TxRef a0 = Tx(1, 0), a1 = Tx(1, 1), b0 = Tx(2, 0);
  for (const TxRef& tx : {a0, a1, b0}) ASSERT_TRUE(pool->Add(tx).ok());
  auto mined = env_.MineBlock(pool.get(), AddressOf(TestKey(50)));
  ASSERT_NE(mined, nullptr);
  ASSERT_EQ(pool->Size(), 0u);

  // A competing branch of two empty blocks, built on a second node.
  ChainEnv other(env_.params());
  auto fork1 = other.MineBlock(nullptr, AddressOf(TestKey(51)));
  auto fork2 = other.MineBlock(nullptr, AddressOf(TestKey(51)));
  ASSERT_NE(fork1, nullptr);
  ASSERT_NE(fork2, nullptr);
  ASSERT_TRUE(env_.chain().ProcessBlock(fork1).ok());
  EXPECT_EQ(env_.chain().Tip().hash, mined->Hash());  // equal work: first seen stays
  SignalRecorder recorder(env_.signals());
  recorder.Clear();  // what was queued before
  ASSERT_TRUE(env_.chain().ProcessBlock(fork2).ok());
  ASSERT_EQ(env_.chain().Tip().hash, fork2->Hash());
  // Back in the pool, so announced again; then the new branch, one tip event.
  EXPECT_EQ(recorder.events(),
            (std::vector<std::string>{"added", "added", "added", "disconnected 1", "connected 1",
                                      "connected 2", "tip 2"}));

  EXPECT_TRUE(pool->Contains(a0->hash));
  EXPECT_TRUE(pool->Contains(a1->hash));
  EXPECT_TRUE(pool->Contains(b0->hash));
  EXPECT_EQ(pool->ReadyCount(), 3u);
  EXPECT_EQ(pool->PendingNonce(AddressOf(TestKey(1))), 2u);
  EXPECT_EQ(pool->NextBaseFee(), env_.chain().NextBlockContext().base_fee);

  // And they get mined again on the new branch.
  auto again = env_.MineBlock(pool.get(), AddressOf(TestKey(50)));
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->txs.size(), 3u);
  EXPECT_EQ(pool->Size(), 0u);
}

}  // namespace
}  // namespace depin::chain

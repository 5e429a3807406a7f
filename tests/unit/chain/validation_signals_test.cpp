#include "chain/validation_signals.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "mempool_test_env.h"

namespace depin::chain {
namespace {

using namespace std::chrono_literals;
using testing::AddressOf;
using testing::ChainEnv;
using testing::SignalRecorder;
using testing::TestKey;

TipInfo TipAt(uint64_t height) {
  TipInfo tip;
  tip.height = height;
  return tip;
}

// Blocks in TipChanged until released; counts calls.
class GatedSubscriber : public ValidationInterface {
 public:
  void TipChanged(const TipInfo& tip) override {
    entered_.set_value_once();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return released_; });
    heights_.push_back(tip.height);
  }
  void WaitEntered() { entered_future_.wait(); }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
  }
  std::vector<uint64_t> heights() {
    std::lock_guard<std::mutex> lock(mu_);
    return heights_;
  }

 private:
  struct OncePromise {
    std::promise<void> p;
    std::once_flag once;
    void set_value_once() {
      std::call_once(once, [this] { p.set_value(); });
    }
  };
  OncePromise entered_;
  std::shared_future<void> entered_future_ = entered_.p.get_future().share();
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::vector<uint64_t> heights_;
};

TEST(ValidationSignals, DeliversEventsInEnqueueOrderToEverySubscriber) {
  ValidationSignals signals(ValidationSignalsOptions{});
  SignalRecorder a(signals);
  SignalRecorder b(signals);
  for (uint64_t h = 1; h <= 100; ++h) signals.TipChanged(TipAt(h));
  std::vector<std::string> expected;
  for (uint64_t h = 1; h <= 100; ++h) expected.push_back("tip " + std::to_string(h));
  EXPECT_EQ(a.events(), expected);
  EXPECT_EQ(b.events(), expected);
}

TEST(ValidationSignals, SyncWaitsForEverythingEnqueuedBefore) {
  ValidationSignals signals(ValidationSignalsOptions{});
  GatedSubscriber gated;
  signals.Register(&gated);
  signals.TipChanged(TipAt(1));
  signals.TipChanged(TipAt(2));
  std::atomic<bool> synced{false};
  std::thread waiter([&] {
    signals.SyncWithValidationQueue();
    synced = true;
  });
  gated.WaitEntered();
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(synced.load());
  gated.Release();
  waiter.join();
  EXPECT_TRUE(synced.load());
  EXPECT_EQ(gated.heights(), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(signals.QueueLength(), 0u);
  signals.Unregister(&gated);
}

TEST(ValidationSignals, UnregisterWaitsForTheCallInFlightAndStopsDelivery) {
  ValidationSignals signals(ValidationSignalsOptions{});
  auto gated = std::make_unique<GatedSubscriber>();
  signals.Register(gated.get());
  signals.TipChanged(TipAt(1));
  signals.TipChanged(TipAt(2));
  gated->WaitEntered();
  std::atomic<bool> unregistered{false};
  std::thread remover([&] {
    signals.Unregister(gated.get());
    unregistered = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(unregistered.load());  // the call for height 1 is still running
  gated->Release();
  remover.join();
  EXPECT_TRUE(unregistered.load());
  signals.SyncWithValidationQueue();
  // Height 2 was queued before Unregister but delivered after: not heard.
  EXPECT_EQ(gated->heights(), (std::vector<uint64_t>{1}));
  gated.reset();  // safe: no call can reach it any more
  signals.TipChanged(TipAt(3));
  signals.SyncWithValidationQueue();
}

TEST(ValidationSignals, SubscriberMayUnregisterItselfFromItsCallback) {
  ValidationSignals signals(ValidationSignalsOptions{});
  struct SelfRemover : ValidationInterface {
    ValidationSignals* signals = nullptr;
    int calls = 0;
    void TipChanged(const TipInfo&) override {
      ++calls;
      signals->Unregister(this);
    }
  } sub;
  sub.signals = &signals;
  signals.Register(&sub);
  signals.TipChanged(TipAt(1));
  signals.TipChanged(TipAt(2));
  signals.SyncWithValidationQueue();
  EXPECT_EQ(sub.calls, 1);
}

TEST(ValidationSignals, RegistrationAtAnyTimeHearsLaterDeliveries) {
  ValidationSignals signals(ValidationSignalsOptions{});
  signals.TipChanged(TipAt(1));
  signals.SyncWithValidationQueue();
  SignalRecorder late(signals);
  signals.TipChanged(TipAt(2));
  EXPECT_EQ(late.events(), (std::vector<std::string>{"tip 2"}));
}

TEST(ValidationSignals, StopDeliversWhatIsQueuedAndDropsLaterEvents) {
  ValidationSignals signals(ValidationSignalsOptions{});
  SignalRecorder recorder(signals);
  for (uint64_t h = 1; h <= 10; ++h) signals.TipChanged(TipAt(h));
  signals.Stop();
  signals.TipChanged(TipAt(11));
  signals.SyncWithValidationQueue();  // returns after Stop
  EXPECT_EQ(recorder.events().size(), 10u);
}

TEST(ValidationSignals, SlowSubscriberDoesNotBlockProcessBlock) {
  ChainEnv env;
  GatedSubscriber gated;
  env.signals().Register(&gated);
  SignalRecorder recorder(env.signals());
  // The first block's TipChanged parks the signals thread in the subscriber.
  ASSERT_NE(env.MineBlock(nullptr, AddressOf(TestKey(50))), nullptr);
  gated.WaitEntered();
  // More blocks connect while it is stuck.
  auto done = std::async(std::launch::async, [&env] {
    for (int i = 0; i < 3; ++i) {
      if (env.MineBlock(nullptr, AddressOf(TestKey(50))) == nullptr) return false;
    }
    return true;
  });
  ASSERT_EQ(done.wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(done.get());
  EXPECT_EQ(env.chain().Tip().height, 4u);
  EXPECT_GE(env.signals().QueueLength(), 6u);  // 3 x (connected, tip) behind the stuck call
  gated.Release();
  EXPECT_EQ(recorder.events(),
            (std::vector<std::string>{"connected 1", "tip 1", "connected 2", "tip 2", "connected 3",
                                      "tip 3", "connected 4", "tip 4"}));
  EXPECT_EQ(gated.heights(), (std::vector<uint64_t>{1, 2, 3, 4}));
  env.signals().Unregister(&gated);
}

TEST(ValidationSignals, BlockEventsCarryHeightHashReceiptsAndStateDiff) {
  ChainEnv env;
  struct Capture : ValidationInterface {
    std::mutex mu;
    std::vector<BlockEvent> connected, disconnected;
    void BlockConnected(const BlockEvent& e) override {
      std::lock_guard<std::mutex> lock(mu);
      connected.push_back(e);
    }
    void BlockDisconnected(const BlockEvent& e) override {
      std::lock_guard<std::mutex> lock(mu);
      disconnected.push_back(e);
    }
  } capture;
  env.signals().Register(&capture);
  Mempool pool(MempoolOptions{}, env.chain());
  TxRef tx = env.Transfer(TestKey(1), 0, Uint256(kWeiPerGwei), Uint256(10 * kWeiPerGwei));
  ASSERT_TRUE(pool.Add(tx).ok());
  auto mined = env.MineBlock(&pool, AddressOf(TestKey(50)));
  ASSERT_NE(mined, nullptr);

  // A heavier empty branch replaces it.
  ChainEnv other(env.params());
  auto f1 = other.MineBlock(nullptr, AddressOf(TestKey(51)));
  auto f2 = other.MineBlock(nullptr, AddressOf(TestKey(51)));
  ASSERT_TRUE(env.chain().ProcessBlock(f1).ok());
  ASSERT_TRUE(env.chain().ProcessBlock(f2).ok());
  env.signals().SyncWithValidationQueue();
  env.signals().Unregister(&capture);

  ASSERT_EQ(capture.connected.size(), 3u);
  const BlockEvent& c = capture.connected[0];
  EXPECT_EQ(c.hash, mined->Hash());
  EXPECT_EQ(c.height, 1u);
  ASSERT_EQ(c.block->txs.size(), 1u);
  ASSERT_EQ(c.receipts->size(), 1u);
  EXPECT_EQ((*c.receipts)[0].gas_used, 21000u);
  EXPECT_FALSE(c.diff->empty());  // sender, recipient, miner
  ASSERT_EQ(capture.disconnected.size(), 1u);
  const BlockEvent& d = capture.disconnected[0];
  EXPECT_EQ(d.hash, mined->Hash());
  EXPECT_EQ(d.height, 1u);
  EXPECT_EQ(d.receipts->size(), 1u);  // for removed logs
  EXPECT_EQ(d.diff->size(), c.diff->size());
  EXPECT_EQ(capture.connected[1].hash, f1->Hash());
  EXPECT_EQ(capture.connected[2].hash, f2->Hash());
}

TEST(ValidationSignals, RemovalReasonsHaveNames) {
  EXPECT_STREQ(MempoolRemovalReasonName(MempoolRemovalReason::kIncluded), "included");
  EXPECT_STREQ(MempoolRemovalReasonName(MempoolRemovalReason::kReorgConflict), "reorg-conflict");
  EXPECT_STREQ(MempoolRemovalReasonName(MempoolRemovalReason::kEvicted), "evicted");
}

}  // namespace
}  // namespace depin::chain

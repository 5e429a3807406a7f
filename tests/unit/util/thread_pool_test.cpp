#include "util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace depin {
namespace {

TEST(ThreadPool, RunsTasksAndRefusesWhenQueueFull) {
  ThreadPool pool("test", /*threads=*/1, /*max_queue=*/2);
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(pool.TrySubmit([&] {
    entered.set_value();
    released.wait();
  }));
  entered.get_future().wait();
  std::atomic<int> ran{0};
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
  EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
  EXPECT_EQ(pool.pending(), 2u);
  std::function<void()> refused = [&] { ++ran; };
  EXPECT_FALSE(pool.TrySubmit(refused));
  EXPECT_TRUE(static_cast<bool>(refused));  // left untouched for the caller
  release.set_value();
  while (pool.pending() != 0 || ran.load() != 2) std::this_thread::yield();
  EXPECT_EQ(ran.load(), 2);
}

TEST(ThreadPool, StopDropsQueuedTasksAndWaitsForRunning) {
  ThreadPool pool("test", /*threads=*/1, /*max_queue=*/8);
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> finished{false};
  ASSERT_TRUE(pool.TrySubmit([&] {
    entered.set_value();
    released.wait();
    finished = true;
  }));
  entered.get_future().wait();
  auto dropped = std::make_shared<int>(0);
  std::weak_ptr<int> watch = dropped;
  std::atomic<bool> queued_ran{false};
  ASSERT_TRUE(pool.TrySubmit([d = std::move(dropped), &queued_ran] { queued_ran = true; }));
  std::thread stopper([&] { pool.Stop(); });
  // Stop discards the queued task (releasing its captures) before joining.
  while (!watch.expired()) std::this_thread::yield();
  release.set_value();
  stopper.join();
  EXPECT_TRUE(finished.load());
  EXPECT_FALSE(queued_ran.load());
  EXPECT_FALSE(pool.TrySubmit([] {}));
  pool.Stop();  // idempotent
}

}  // namespace
}  // namespace depin

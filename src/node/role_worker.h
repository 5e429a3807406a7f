// The worker thread of a role that acts on the chain (the provider roles):
// it runs the role's step after each Wake() (a new tip, new work) and at
// least every `poll`, and stops promptly. Work in progress may check
// stopping() or pause with SleepFor(), which Stop() cuts short.
//
//   worker_.Start(std::chrono::milliseconds(500), [this] { Step(); });
//   void TipChanged(const chain::TipInfo&) override { worker_.Wake(); }
//   void Stop() override { ...; worker_.Stop(); }
//
// Thread-safety: Wake, stopping and SleepFor from any thread; Start and Stop
// from the role's owner (Stop never from the step itself).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace depin::node {

class RoleWorker {
 public:
  RoleWorker() = default;
  ~RoleWorker() { Stop(); }
  RoleWorker(const RoleWorker&) = delete;
  RoleWorker& operator=(const RoleWorker&) = delete;

  void Start(std::chrono::milliseconds poll, std::function<void()> step) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = false;
    }
    thread_ = std::thread([this, poll, step = std::move(step)] {
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(mu_);
          cv_.wait_for(lock, poll, [this] { return stop_ || woken_; });
          if (stop_) return;
          woken_ = false;
        }
        step();
      }
    });
  }

  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  // Idempotent; joins the thread.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  bool stopping() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }

  // Waits `d` unless Stop comes first; false when stopping.
  bool SleepFor(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, d, [this] { return stop_; });
    return !stop_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace depin::node

#include "util/thread_pool.h"

#include "util/logging.h"

namespace depin {

ThreadPool::ThreadPool(std::string name, size_t threads, size_t max_queue) : max_queue_(max_queue) {
  if (threads == 0) threads = 1;
  workers_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) {
    workers_.emplace_back([this, thread_name = name + "." + std::to_string(i)] {
      SetThreadName(thread_name);
      WorkerLoop();
    });
  }
}

ThreadPool::~ThreadPool() { Stop(); }

bool ThreadPool::TrySubmit(std::function<void()>& task) {
  {
    MutexLock lock(mu_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.NotifyOne();
  return true;
}

bool ThreadPool::TrySubmit(std::function<void()>&& task) { return TrySubmit(task); }

size_t ThreadPool::pending() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void ThreadPool::Stop() {
  std::deque<std::function<void()>> discarded;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    discarded.swap(queue_);
  }
  cv_.NotifyAll();
  // Destroyed outside the lock: a task's captures may do real work when
  // released (closing a connection, for instance).
  discarded.clear();
  for (auto& t : workers_) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      MutexLock lock(mu_);
      cv_.Wait(mu_, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace depin

// A fixed set of worker threads fed from a bounded FIFO queue. Used where
// overload must be refused at once rather than queued without bound: the RPC
// server answers HTTP 503 when TrySubmit() finds the queue full.
//
// Thread-safety: TrySubmit(), pending() and Stop() may be called from any
// thread. Tasks run on the pool's threads; a task must not call Stop().
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "util/sync.h"

namespace depin {

class ThreadPool {
 public:
  // `threads` workers named "<name>.<i>"; at most `max_queue` tasks waiting
  // to start (tasks already running do not count).
  ThreadPool(std::string name, size_t threads, size_t max_queue);
  // Calls Stop().
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // Queues `task`; false (and `task` untouched) when the queue is full or
  // the pool is stopped.
  bool TrySubmit(std::function<void()>& task) EXCLUDES(mu_);
  bool TrySubmit(std::function<void()>&& task) EXCLUDES(mu_);

  // Tasks waiting to start.
  size_t pending() const EXCLUDES(mu_);

  // Refuses new tasks, discards those not yet started (destroying them on
  // the calling thread), waits for running tasks and joins the workers.
  // Idempotent.
  void Stop() EXCLUDES(mu_);

 private:
  void WorkerLoop();

  const size_t max_queue_;
  mutable Mutex mu_;
  CondVar cv_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace depin

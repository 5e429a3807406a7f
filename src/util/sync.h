// Mutex and lock types carrying Clang thread-safety annotations, so that
// `-Wthread-safety` (clang builds) checks GUARDED_BY / REQUIRES / EXCLUDES
// contracts at compile time. With other compilers the macros expand to
// nothing and the types behave as std::mutex / std::unique_lock.
//
// Thread-safety: Mutex is the synchronisation primitive itself; MutexLock is
// owned by the thread that constructed it.
#pragma once

#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define DEPIN_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define DEPIN_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) DEPIN_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY DEPIN_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) DEPIN_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) DEPIN_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) DEPIN_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) DEPIN_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) DEPIN_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) DEPIN_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS DEPIN_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace depin {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // For std::condition_variable_any and std::scoped_lock interop.
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() { mu_.Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

// Condition variable usable with Mutex while the caller holds a MutexLock:
// `cv.Wait(mu, [&] { return ready_; })`.
class CondVar {
 public:
  template <typename Pred>
  void Wait(Mutex& mu, Pred pred) REQUIRES(mu) {
    cv_.wait(mu, pred);
  }
  template <typename Duration, typename Pred>
  bool WaitFor(Mutex& mu, Duration d, Pred pred) REQUIRES(mu) {
    return cv_.wait_for(mu, d, pred);
  }
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable_any cv_;
};

}  // namespace depin

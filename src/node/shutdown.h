// ShutdownSignal: how SIGINT, SIGTERM and the `stop` RPC reach the main
// thread. A signal handler may only do async-signal-safe things, so it writes
// one byte to a self-pipe; the main thread blocks in Wait() on the pipe and,
// when woken, runs the ordered shutdown (stop RPC, miner, flush and close the
// chainstate). SIGHUP is delivered the same way and handled in Wait() by the
// `on_hangup` callback (debug.log rotation) without ending the wait.
//
// Thread-safety: Request() and requested() may be called from any thread
// and from the installed signal handlers; Wait() from the main thread only.
// At most one ShutdownSignal may have its handlers installed at a time
// (signals are process-wide).
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include "util/status.h"

namespace depin::node {

class ShutdownSignal {
 public:
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  // Routes SIGINT, SIGTERM and SIGHUP to this object and ignores SIGPIPE
  // (a client closing its socket must not kill the node). Errors:
  // "signal-install".
  Status InstallSignalHandlers();

  // Asks for shutdown (the stop RPC). Idempotent.
  void Request();
  // Asks for shutdown after a fatal local failure (a full disk while
  // connecting blocks): the node stops with a failure exit code. Safe from
  // any thread; idempotent.
  void RequestFatal();
  bool fatal() const { return fatal_.load(); }
  // True once Request() ran or, with the handlers installed, SIGINT or
  // SIGTERM arrived (even before Wait() has seen it).
  bool requested() const;

  // Blocks until shutdown is requested; returns what asked for it
  // ("SIGINT", "SIGTERM", "stop request", "fatal error").
  std::string Wait(const std::function<void()>& on_hangup);

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
  std::atomic<bool> requested_{false};
  std::atomic<bool> fatal_{false};
  bool installed_ = false;
};

}  // namespace depin::node

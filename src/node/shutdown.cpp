#include "node/shutdown.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace depin::node {

namespace {

// The write end of the installed ShutdownSignal's pipe. A signal handler has
// no other way to find its target, so this one process-wide slot is the
// exception to "no globals"; it holds only an fd and is written before the
// handlers are installed.
volatile std::sig_atomic_t g_signal_pipe_fd = -1;
// Set by SIGINT / SIGTERM, so that requested() sees a signal before Wait()
// has read the pipe (a long start-up such as a reindex polls it).
volatile std::sig_atomic_t g_stop_signal_seen = 0;

void HandleSignal(int signo) {
  int saved_errno = errno;
  char byte = signo == SIGINT ? 'I' : signo == SIGTERM ? 'T' : 'H';
  if (signo != SIGHUP) g_stop_signal_seen = 1;
  int fd = g_signal_pipe_fd;
  if (fd >= 0) {
    // A full pipe means a wake-up is already pending; losing this byte is fine.
    [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

}  // namespace

ShutdownSignal::ShutdownSignal() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    read_fd_ = fds[0];
    write_fd_ = fds[1];
  }
}

ShutdownSignal::~ShutdownSignal() {
  if (installed_) {
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
    g_signal_pipe_fd = -1;
    g_stop_signal_seen = 0;
  }
  if (read_fd_ >= 0) ::close(read_fd_);
  if (write_fd_ >= 0) ::close(write_fd_);
}

bool ShutdownSignal::requested() const {
  return requested_.load() || (installed_ && g_stop_signal_seen != 0);
}

Status ShutdownSignal::InstallSignalHandlers() {
  if (write_fd_ < 0) return Status::Error("signal-install", "cannot create the shutdown pipe");
  g_signal_pipe_fd = write_fd_;
  g_stop_signal_seen = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sa.sa_handler = HandleSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) {
    if (::sigaction(signo, &sa, nullptr) != 0) {
      return Status::Error("signal-install", std::string("sigaction: ") + std::strerror(errno));
    }
  }
  struct sigaction ignore;
  std::memset(&ignore, 0, sizeof(ignore));
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGPIPE, &ignore, nullptr);
  installed_ = true;
  return Status::Ok();
}

void ShutdownSignal::Request() {
  requested_.store(true);
  char byte = 'R';
  if (write_fd_ >= 0) [[maybe_unused]]
    ssize_t n = ::write(write_fd_, &byte, 1);
}

void ShutdownSignal::RequestFatal() {
  fatal_.store(true);
  requested_.store(true);
  char byte = 'F';
  if (write_fd_ >= 0) [[maybe_unused]]
    ssize_t n = ::write(write_fd_, &byte, 1);
}

std::string ShutdownSignal::Wait(const std::function<void()>& on_hangup) {
  while (true) {
    struct pollfd pfd {
      read_fd_, POLLIN, 0
    };
    int rc = ::poll(&pfd, 1, /*timeout=*/1000);
    if (rc < 0 && errno != EINTR) {
      requested_.store(true);
      return "poll failure";
    }
    char buf[64];
    ssize_t n = rc > 0 ? ::read(read_fd_, buf, sizeof(buf)) : 0;
    std::string reason;
    for (ssize_t i = 0; i < n; ++i) {
      switch (buf[i]) {
        case 'I':
          reason = "SIGINT";
          break;
        case 'T':
          reason = "SIGTERM";
          break;
        case 'R':
          if (reason.empty()) reason = "stop request";
          break;
        case 'F':
          reason = "fatal error";
          break;
        case 'H':
          if (on_hangup) on_hangup();
          break;
        default:
          break;
      }
    }
    if (!reason.empty()) {
      requested_.store(true);
      return reason;
    }
    // Request() sets the flag before writing; the poll timeout also covers
    // a pipe that could not be created.
    if (fatal_.load()) return "fatal error";
    if (requested_.load()) return "stop request";
  }
}

}  // namespace depin::node

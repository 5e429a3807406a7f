#include "node/datadir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace depin::node {

namespace fs = std::filesystem;

fs::path ResolveDataDir(const std::string& arg) {
  const char* home = std::getenv("HOME");
  fs::path home_dir = (home != nullptr && *home != '\0') ? fs::path(home) : fs::path("/");
  if (arg.empty()) return home_dir / ".depin";
  fs::path p;
  if (arg == "~") {
    p = home_dir;
  } else if (arg.rfind("~/", 0) == 0) {
    p = home_dir / arg.substr(2);
  } else {
    p = arg;
  }
  std::error_code ec;
  fs::path abs = fs::absolute(p, ec);
  return ec ? p : abs.lexically_normal();
}

Result<fs::path> PrepareNetworkDir(const fs::path& datadir, const std::string& datadir_sub,
                                   bool create_datadir) {
  std::error_code ec;
  if (!fs::is_directory(datadir, ec)) {
    if (!create_datadir) {
      return Status::Error("datadir-missing",
                           "data directory " + datadir.string() + " does not exist");
    }
    fs::create_directories(datadir, ec);
    if (ec) {
      return Status::Error("datadir-create",
                           "cannot create " + datadir.string() + ": " + ec.message());
    }
  }
  fs::path net = datadir_sub.empty() ? datadir : datadir / datadir_sub;
  fs::create_directories(net, ec);
  if (ec)
    return Status::Error("datadir-create", "cannot create " + net.string() + ": " + ec.message());
  return net;
}

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const fs::path& network_dir) {
  fs::path path = network_dir / ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Error("datadir-lock-io",
                         "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Error("datadir-locked", "cannot lock data directory " + network_dir.string() +
                                                 ": depind is probably already running there");
    }
    return Status::Error("datadir-lock-io",
                         "cannot lock " + path.string() + ": " + std::strerror(err));
  }
  return std::unique_ptr<DataDirLock>(new DataDirLock(fd));
}

DataDirLock::~DataDirLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

Result<std::unique_ptr<PidFile>> PidFile::Create(const fs::path& path) {
  std::unique_ptr<PidFile> f(new PidFile(path));
  DEPIN_RETURN_IF_ERROR(f->Rewrite());
  return f;
}

Status PidFile::Rewrite() {
  std::ofstream out(path_, std::ios::trunc);
  out << ::getpid() << "\n";
  out.flush();
  if (!out) return Status::Error("pidfile-io", "cannot write " + path_.string());
  return Status::Ok();
}

PidFile::~PidFile() {
  std::error_code ec;
  fs::remove(path_, ec);
}

}  // namespace depin::node

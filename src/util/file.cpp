#include "util/file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace depin {
namespace {

Status Fail(const std::string& code, const std::string& what, const std::filesystem::path& path,
            int err) {
  return Status::IoError(code, what + " " + path.string() + ": " + std::strerror(err));
}

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, ByteSpan data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

Status ReadFileInto(const std::filesystem::path& path, std::span<uint8_t> out,
                    const std::string& error_code) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Fail(error_code, "cannot open", path, errno);
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(error_code, "cannot read", path, errno);
    if (n == 0) {
      return Status::IoError(error_code, path.string() + " holds " + std::to_string(done) +
                                             " bytes, not " + std::to_string(out.size()));
    }
    done += static_cast<size_t>(n);
  }
  uint8_t extra = 0;
  ssize_t n;
  do {
    n = ::read(fd.get(), &extra, 1);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Fail(error_code, "cannot read", path, errno);
  if (n > 0) {
    return Status::IoError(
        error_code, path.string() + " holds more than " + std::to_string(out.size()) + " bytes");
  }
  return Status::Ok();
}

Status WriteFileDurably(const std::filesystem::path& path, ByteSpan data,
                        const std::string& error_code) {
  std::filesystem::path tmp = path;
  tmp += ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Fail(error_code, "cannot create", tmp, errno);
  const bool written = WriteAll(fd, data);
  int err = errno;
  const bool synced = written && ::fsync(fd) == 0;
  if (written) err = errno;
  ::close(fd);
  if (!written) return Fail(error_code, "cannot write", tmp, err);
  if (!synced) return Fail(error_code, "cannot fsync", tmp, err);
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return Fail(error_code, "cannot replace", path, errno);
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Fail(error_code, "cannot open folder", dir, errno);
  const bool dir_synced = ::fsync(dfd) == 0;
  err = errno;
  ::close(dfd);
  if (!dir_synced) return Fail(error_code, "cannot fsync folder", dir, err);
  return Status::Ok();
}

}  // namespace depin

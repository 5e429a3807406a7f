// Durable whole-file replacement for small state files (peers.dat,
// banlist.dat): the data goes to "<path>.new", which is fsynced and renamed
// over `path`, and then the folder is fsynced, so after a crash or power loss
// the file holds either the old or the new contents, never a torn mix.
//
// Thread-safety: reentrant; callers serialise writers of one path (two
// writers would share the temporary file).
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "util/bytes.h"
#include "util/status.h"

namespace depin {

// Owns a POSIX file descriptor (closed at scope exit); -1 holds none.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Errors carry `error_code` and name the failing step and path.
// Reads the whole of `path` into `out`, which must be exactly the file's
// size: a file of another size is an error, not a short or partial read.
// One read(2) loop straight into the caller's buffer, for files of any size.
Status ReadFileInto(const std::filesystem::path& path, std::span<uint8_t> out,
                    const std::string& error_code);

Status WriteFileDurably(const std::filesystem::path& path, ByteSpan data,
                        const std::string& error_code);

}  // namespace depin

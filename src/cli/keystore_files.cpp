#include "cli/keystore_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace depin::cli {

namespace fs = std::filesystem;

namespace {

// Key, password and keystore files are tiny; refuse to slurp anything big.
constexpr uintmax_t kMaxSmallFile = 1 << 20;

Status IoError(const std::string& what, const fs::path& path, int err) {
  return Status::Error("keystore-io", what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

std::string KeystoreFileName(const Address& address, std::chrono::system_clock::time_point when) {
  auto since_epoch = when.time_since_epoch();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(since_epoch - seconds);
  std::time_t t = static_cast<std::time_t>(seconds.count());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[64];
  std::snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d-%02d-%02d.%09lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(nanos.count()));
  return std::string("UTC--") + stamp + "--" + address.Hex().substr(2);
}

Result<std::string> ReadSmallFile(const fs::path& path) {
  std::error_code ec;
  uintmax_t size = fs::file_size(path, ec);
  if (ec) return Status::Error("keystore-io", "cannot read " + path.string() + ": " + ec.message());
  if (size > kMaxSmallFile) {
    return Status::Error("keystore-io", path.string() + " is too large for a key file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot open", path, errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return IoError("cannot read", path, errno);
  return text.str();
}

Result<fs::path> WriteKeystoreFile(const fs::path& dir, const crypto::KeystoreV3& keystore) {
  auto address_bytes = FixedBytes<20>::FromHex(keystore.address);
  if (!address_bytes) {
    return Status::Error("keystore-malformed", "keystore has no address to name its file by");
  }
  Address address(*address_bytes);
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    if (ec) {
      return Status::Error("keystore-io", "cannot create " + dir.string() + ": " + ec.message());
    }
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) {
      return Status::Error("keystore-io", "cannot restrict " + dir.string() + ": " + ec.message());
    }
  }
  if (auto existing = FindKeystore(dir, address)) {
    return Status::Error("keystore-exists", "a keystore for " + address.ToChecksumHex() +
                                                " already exists: " + existing->string());
  }
  fs::path path = dir / KeystoreFileName(address, std::chrono::system_clock::now());
  std::string json = crypto::KeystoreToJson(keystore);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create", path, errno);
  // The umask cannot widen 0600, but an inherited ACL default could; pin it.
  ::fchmod(fd, 0600);
  size_t written = 0;
  while (written < json.size()) {
    ssize_t n = ::write(fd, json.data() + written, json.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return IoError("cannot write", path, err);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(path.c_str());
    return IoError("cannot sync", path, err);
  }
  return path;
}

Result<crypto::KeystoreV3> ReadKeystoreFile(const fs::path& path) {
  auto text = ReadSmallFile(path);
  if (!text) return text.status();
  auto keystore = crypto::KeystoreFromJson(*text);
  if (!keystore) {
    return Status::Error(keystore.status().code(),
                         path.string() + ": " + keystore.status().message());
  }
  return keystore;
}

Result<std::vector<KeystoreEntry>> ListKeystores(const fs::path& dir) {
  std::vector<KeystoreEntry> entries;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return entries;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::Error("keystore-io", "cannot list " + dir.string() + ": " + ec.message());
  for (const fs::directory_entry& file : it) {
    if (!file.is_regular_file(ec)) continue;
    if (file.path().filename().string().starts_with(".")) continue;
    auto keystore = ReadKeystoreFile(file.path());
    if (!keystore || keystore->address.empty()) continue;
    auto bytes = FixedBytes<20>::FromHex(keystore->address);
    if (!bytes) continue;
    entries.push_back(KeystoreEntry{Address(*bytes), file.path()});
  }
  std::sort(entries.begin(), entries.end(), [](const KeystoreEntry& a, const KeystoreEntry& b) {
    return a.path.filename() < b.path.filename();
  });
  return entries;
}

Result<fs::path> FindKeystore(const fs::path& dir, const Address& address) {
  auto entries = ListKeystores(dir);
  if (!entries) return entries.status();
  for (const KeystoreEntry& e : *entries) {
    if (e.address == address) return e.path;
  }
  return Status::Error("keystore-not-found",
                       "no keystore for " + address.ToChecksumHex() + " in " + dir.string());
}

}  // namespace depin::cli

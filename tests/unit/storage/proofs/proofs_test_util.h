// Shared helpers for the proofs tests: scratch directories and deterministic
// sector data.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "storage/proofs/seal.h"
#include "util/bytes.h"

namespace depin::storage::proofs::testing {

// A fresh directory removed with everything in it when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "depin-proofs-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = made;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Bytes that depend only on (len, salt): byte i = (i * 131 + salt * 7 + i / 251) mod 256.
inline Bytes PatternData(size_t len, uint32_t salt = 0) {
  Bytes out(len);
  for (size_t i = 0; i < len; ++i) out[i] = static_cast<uint8_t>(i * 131 + salt * 7 + i / 251);
  return out;
}

inline Hash256 HashOf(uint8_t fill) {
  Hash256 h;
  h.bytes.fill(fill);
  return h;
}

inline Bytes ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Replaces `path` in place (same inode), as damage on disk would.
inline void OverwriteFile(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

inline SealInputs TestInputs(SectorSize size, ByteSpan data, uint64_t sector_number = 7) {
  SealInputs in;
  in.size = size;
  in.provider.bytes.fill(0xaa);
  in.sector_number = sector_number;
  in.ticket = HashOf(0x11);
  in.data = data;
  return in;
}

}  // namespace depin::storage::proofs::testing

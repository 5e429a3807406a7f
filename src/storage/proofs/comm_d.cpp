#include "storage/proofs/comm_d.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "storage/proofs/merkle_tree.h"

namespace depin::storage::proofs {

Result<Hash256> CommD(ByteSpan data, SectorSize size) {
  if (data.size() > size.bytes()) {
    return Status::Error("commd-data-too-large", std::to_string(data.size()) +
                                                     " bytes do not fit a sector of " +
                                                     std::to_string(size.bytes()));
  }
  StreamingRoot root(size.tree_height());
  DEPIN_RETURN_IF_ERROR(root.Append(data));
  return root.Finish();
}

Result<Hash256> CommDOfFile(const std::string& path, SectorSize size) {
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::Error("commd-io-error", path + ": " + std::strerror(errno));
  StreamingRoot root(size.tree_height());
  Bytes buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    size_t got = std::fread(buf.data(), 1, buf.size(), file.get());
    if (got == 0) break;
    total += got;
    if (total > size.bytes()) {
      return Status::Error(
          StatusKind::kLimitExceeded, "commd-file-too-large",
          path + " is larger than the sector (" + std::to_string(size.bytes()) + " bytes)");
    }
    DEPIN_RETURN_IF_ERROR(root.Append(ByteSpan(buf.data(), got)));
  }
  if (std::ferror(file.get())) return Status::Error("commd-io-error", path + ": read failed");
  return root.Finish();
}

}  // namespace depin::storage::proofs

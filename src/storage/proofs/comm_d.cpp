#include "storage/proofs/comm_d.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "crypto/sha256.h"
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

namespace {

uint32_t Log2(uint64_t power_of_two) {
  uint32_t l = 0;
  while ((uint64_t{1} << l) < power_of_two) ++l;
  return l;
}

struct Placed {
  uint64_t first_node;
  uint32_t height;  // log2 of the piece's nodes
  const Hash256* comm;
};

// Root of the subtree of `height` whose first leaf is `first`, given the
// placed pieces sorted by position. Pieces are aligned powers of two, so each
// lies inside one half or is exactly this subtree.
Hash256 SubtreeRoot(const std::vector<Placed>& placed, size_t lo, size_t hi, uint64_t first,
                    uint32_t height) {
  if (lo == hi) return ZeroTreeRoot(height);
  if (hi - lo == 1 && placed[lo].first_node == first && placed[lo].height == height) {
    return *placed[lo].comm;
  }
  const uint64_t mid = first + (uint64_t{1} << (height - 1));
  size_t split = lo;
  while (split < hi && placed[split].first_node < mid) ++split;
  const Hash256 left = SubtreeRoot(placed, lo, split, first, height - 1);
  const Hash256 right = SubtreeRoot(placed, split, hi, mid, height - 1);
  return crypto::Sha256Pair(left, right);
}

}  // namespace

Status CheckPieceSize(uint64_t size) {
  if (size < kMinPieceSize || (size & (size - 1)) != 0) {
    return Status::Error("piece-size-invalid", "piece size " + std::to_string(size) +
                                                   " is not a power of two of at least " +
                                                   std::to_string(kMinPieceSize) + " bytes");
  }
  return Status::Ok();
}

uint64_t PieceSizeFor(uint64_t bytes) {
  uint64_t size = kMinPieceSize;
  while (size < bytes && size < (uint64_t{1} << 62)) size <<= 1;
  return size;
}

Result<Hash256> PieceCommitment(ByteSpan data, uint64_t piece_size) {
  DEPIN_RETURN_IF_ERROR(CheckPieceSize(piece_size));
  if (data.size() > piece_size) {
    return Status::Error(
        StatusKind::kLimitExceeded, "commd-data-too-large",
        std::to_string(data.size()) + " bytes do not fit a piece of " + std::to_string(piece_size));
  }
  StreamingRoot root(Log2(piece_size / kNodeSize));
  DEPIN_RETURN_IF_ERROR(root.Append(data));
  return root.Finish();
}

Result<Hash256> PieceCommitmentOfFile(const std::string& path, uint64_t piece_size) {
  DEPIN_RETURN_IF_ERROR(CheckPieceSize(piece_size));
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::Error("commd-io-error", path + ": " + std::strerror(errno));
  StreamingRoot root(Log2(piece_size / kNodeSize));
  Bytes buf(1 << 20);
  uint64_t total = 0;
  for (;;) {
    size_t got = std::fread(buf.data(), 1, buf.size(), file.get());
    if (got == 0) break;
    total += got;
    if (total > piece_size) {
      return Status::Error(
          StatusKind::kLimitExceeded, "commd-file-too-large",
          path + " is larger than the piece (" + std::to_string(piece_size) + " bytes)");
    }
    DEPIN_RETURN_IF_ERROR(root.Append(ByteSpan(buf.data(), got)));
  }
  if (std::ferror(file.get())) return Status::Error("commd-io-error", path + ": read failed");
  return root.Finish();
}

Result<std::vector<uint64_t>> PieceOffsets(const std::vector<PieceInfo>& pieces, SectorSize size) {
  std::vector<uint64_t> offsets;
  offsets.reserve(pieces.size());
  uint64_t next = 0;
  for (const PieceInfo& p : pieces) {
    DEPIN_RETURN_IF_ERROR(CheckPieceSize(p.size));
    if (p.size > size.bytes()) {
      return Status::Error("commd-pieces-too-large", "a piece of " + std::to_string(p.size) +
                                                         " bytes is larger than the sector");
    }
    const uint64_t at = (next + p.size - 1) / p.size * p.size;
    if (at > size.bytes() - p.size) {
      return Status::Error("commd-pieces-too-large",
                           "the pieces do not fit a sector of " + size.ToString());
    }
    offsets.push_back(at);
    next = at + p.size;
  }
  return offsets;
}

Result<Hash256> CommDFromPieces(const std::vector<PieceInfo>& pieces, SectorSize size) {
  auto offsets = PieceOffsets(pieces, size);
  if (!offsets.ok()) return offsets.status();
  std::vector<Placed> placed;
  placed.reserve(pieces.size());
  for (size_t i = 0; i < pieces.size(); ++i) {
    placed.push_back(
        {(*offsets)[i] / kNodeSize, Log2(pieces[i].size / kNodeSize), &pieces[i].comm});
  }
  return SubtreeRoot(placed, 0, placed.size(), 0, size.tree_height());
}

}  // namespace depin::storage::proofs

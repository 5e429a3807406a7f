#include "storage/proofs/merkle_tree.h"

#include <bit>
#include <cassert>
#include <cstring>

#include "crypto/sha256.h"
#include "storage/proofs/parallel.h"
#include "storage/proofs/params.h"

namespace depin::storage::proofs {

uint64_t LevelOffset(uint64_t leaves, uint32_t level) {
  // Levels 1..level-1 hold n/2 + n/4 + ... + n/2^(level-1) = n - n/2^(level-1).
  return leaves - (leaves >> (level - 1));
}

void BuildTreeLevelsInto(ByteSpan leaves, uint8_t* out, size_t threads) {
  const uint64_t n = leaves.size() / kNodeSize;
  assert(n >= 2 && std::has_single_bit(n) && leaves.size() == n * kNodeSize);
  const uint32_t height = static_cast<uint32_t>(std::countr_zero(n));
  // Each worker builds whole subtrees (so a worker's levels stay in its own
  // region and no barrier is needed between levels); the few levels above the
  // workers' subtrees are finished on one thread.
  uint64_t parts = std::bit_floor(std::max<size_t>(threads, 1));
  while (parts > 1 && n / parts < 2048) parts /= 2;
  const uint32_t split_height = height - static_cast<uint32_t>(std::countr_zero(parts));
  ParallelFor(parts, parts, 1, [&](size_t begin, size_t end) {
    for (size_t p = begin; p < end; ++p) {
      const uint8_t* in = leaves.data() + p * (n / parts) * kNodeSize;
      for (uint32_t level = 1; level <= split_height; ++level) {
        uint64_t count = (n >> level) / parts;
        uint8_t* dst = out + (LevelOffset(n, level) + p * count) * kNodeSize;
        crypto::Sha256PairBatch(in, dst, count);
        in = dst;
      }
    }
  });
  for (uint32_t level = split_height + 1; level <= height; ++level) {
    const uint8_t* in = level == 1 ? leaves.data() : out + LevelOffset(n, level - 1) * kNodeSize;
    crypto::Sha256PairBatch(in, out + LevelOffset(n, level) * kNodeSize, n >> level);
  }
}

Bytes BuildTreeLevels(ByteSpan leaves, size_t threads) {
  Bytes out(leaves.size() - kNodeSize);
  BuildTreeLevelsInto(leaves, out.data(), threads);
  return out;
}

Hash256 RootOfLevels(ByteSpan levels) {
  assert(levels.size() >= kNodeSize);
  return Hash256(levels.data() + levels.size() - kNodeSize);
}

MerklePath PathFromLevels(ByteSpan leaves, ByteSpan levels, uint64_t index) {
  const uint64_t n = leaves.size() / kNodeSize;
  const uint32_t height = static_cast<uint32_t>(std::countr_zero(n));
  MerklePath path;
  path.siblings.reserve(height);
  path.siblings.emplace_back(leaves.data() + (index ^ 1) * kNodeSize);
  for (uint32_t level = 1; level < height; ++level) {
    uint64_t sib = (index >> level) ^ 1;
    path.siblings.emplace_back(levels.data() + (LevelOffset(n, level) + sib) * kNodeSize);
  }
  return path;
}

Hash256 RootFromPath(const Hash256& leaf, uint64_t index, const MerklePath& path) {
  Hash256 node = leaf;
  for (size_t level = 0; level < path.siblings.size(); ++level) {
    node = ((index >> level) & 1) ? crypto::Sha256Pair(path.siblings[level], node)
                                  : crypto::Sha256Pair(node, path.siblings[level]);
  }
  return node;
}

Hash256 ZeroTreeRoot(uint32_t height) {
  Hash256 node;
  for (uint32_t l = 0; l < height; ++l) node = crypto::Sha256Pair(node, node);
  return node;
}

StreamingRoot::StreamingRoot(uint32_t height)
    : height_(height), chunk_log2_(std::min<uint32_t>(height, 15)) {
  chunk_.reserve((uint64_t{1} << chunk_log2_) * kNodeSize);
  zero_.resize(height + 1);
  for (uint32_t l = 1; l <= height; ++l) zero_[l] = crypto::Sha256Pair(zero_[l - 1], zero_[l - 1]);
}

Status StreamingRoot::Append(ByteSpan data) {
  const uint64_t chunk_bytes = (uint64_t{1} << chunk_log2_) * kNodeSize;
  const uint64_t total_chunks = uint64_t{1} << (height_ - chunk_log2_);
  while (!data.empty()) {
    if (chunks_done_ == total_chunks) {
      return Status::Error("tree-too-much-data",
                           "data exceeds 2^" + std::to_string(height_) + " leaves");
    }
    size_t take = std::min<uint64_t>(data.size(), chunk_bytes - chunk_.size());
    chunk_.insert(chunk_.end(), data.begin(), data.begin() + take);
    data = data.subspan(take);
    if (chunk_.size() == chunk_bytes) FlushChunk();
  }
  return Status::Ok();
}

void StreamingRoot::FlushChunk() {
  const uint64_t leaves = uint64_t{1} << chunk_log2_;
  chunk_.resize(leaves * kNodeSize, 0);
  for (uint64_t m = leaves; m > 1; m /= 2)
    crypto::Sha256PairBatch(chunk_.data(), chunk_.data(), m / 2);
  Push(Hash256(chunk_.data()), chunk_log2_);
  chunk_.clear();
  ++chunks_done_;
}

void StreamingRoot::Push(Hash256 node, uint32_t level) {
  while (!stack_.empty() && stack_.back().second == level) {
    node = crypto::Sha256Pair(stack_.back().first, node);
    stack_.pop_back();
    ++level;
  }
  stack_.emplace_back(node, level);
}

Hash256 StreamingRoot::Finish() {
  const uint64_t total_chunks = uint64_t{1} << (height_ - chunk_log2_);
  if (!chunk_.empty()) FlushChunk();
  // The rest is zero: close each open subtree with the zero subtree of its
  // size instead of hashing zero chunks one by one.
  if (chunks_done_ < total_chunks) {
    if (stack_.empty()) return zero_[height_];
    while (stack_.size() > 1 || stack_.back().second < height_) {
      auto [node, level] = stack_.back();
      stack_.pop_back();
      if (!stack_.empty() && stack_.back().second == level) {
        node = crypto::Sha256Pair(stack_.back().first, node);
        stack_.pop_back();
      } else {
        node = crypto::Sha256Pair(node, zero_[level]);
      }
      Push(node, level + 1);
    }
  }
  return stack_.back().first;
}

}  // namespace depin::storage::proofs

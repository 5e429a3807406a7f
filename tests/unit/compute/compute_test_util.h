// Shared helpers for the device tests: random bytes, Merkle path batches with
// valid and corrupted paths, and the OpenCL device CI runs on (PoCL).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "compute/device.h"
#include "compute/opencl_device.h"
#include "crypto/hash_backend.h"
#include "crypto/sha256.h"
#include "util/bytes.h"

namespace depin::compute::testing {

inline Bytes RandomBytes(std::mt19937_64& rng, size_t n) {
  Bytes out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Paths over random trees of mixed heights. Every fourth path is corrupted
// (a flipped sibling bit, a wrong leaf, a wrong index or a wrong root), so a
// device that accepts everything fails the comparison.
struct PathFixture {
  std::vector<uint64_t> indices, offsets;
  std::vector<uint32_t> heights;
  Bytes leaves, siblings, roots;
  std::vector<uint8_t> expected;  // 1: valid as built

  crypto::MerklePathBatch batch() const {
    crypto::MerklePathBatch b;
    b.count = heights.size();
    b.leaves = leaves.data();
    b.indices = indices.data();
    b.heights = heights.data();
    b.sibling_offsets = offsets.data();
    b.siblings = siblings.data();
    b.sibling_nodes = siblings.size() / 32;
    b.roots = roots.data();
    return b;
  }
};

inline PathFixture MakePaths(std::mt19937_64& rng, size_t count) {
  PathFixture f;
  for (size_t i = 0; i < count; ++i) {
    const uint32_t height = static_cast<uint32_t>(rng() % 12);  // 0..11
    const uint64_t index = height == 0 ? 0 : rng() % (uint64_t{1} << height);
    Bytes leaf = RandomBytes(rng, 32);
    Bytes sibs = RandomBytes(rng, 32 * height);
    uint8_t node[32];
    std::memcpy(node, leaf.data(), 32);
    for (uint32_t l = 0; l < height; ++l) {
      if ((index >> l) & 1) {
        crypto::Sha256Pair(sibs.data() + 32 * l, node, node);
      } else {
        crypto::Sha256Pair(node, sibs.data() + 32 * l, node);
      }
    }
    Bytes root(node, node + 32);
    uint64_t claimed_index = index;
    bool valid = true;
    if (i % 4 == 3) {
      valid = false;
      switch ((i / 4) % 4) {
        case 0:
          if (height > 0) {
            sibs[32 * (rng() % height) + rng() % 32] ^= 0x10;
          } else {
            root[0] ^= 1;
          }
          break;
        case 1:
          leaf[31] ^= 0x80;
          break;
        case 2:
          if (height > 0) {
            claimed_index ^= uint64_t{1} << (rng() % height);
          } else {
            root[5] ^= 4;
          }
          break;
        default:
          root[17] ^= 0x01;
          break;
      }
    }
    f.offsets.push_back(f.siblings.size() / 32);
    f.indices.push_back(claimed_index);
    f.heights.push_back(height);
    f.leaves.insert(f.leaves.end(), leaf.begin(), leaf.end());
    f.siblings.insert(f.siblings.end(), sibs.begin(), sibs.end());
    f.roots.insert(f.roots.end(), root.begin(), root.end());
    f.expected.push_back(valid ? 1 : 0);
  }
  return f;
}

// The first OpenCL device (PoCL's CPU device in CI). A machine without one
// fails the test: CI installs pocl-opencl-icd (contrib/install-deps.sh), and
// a silently skipped device test would prove nothing.
inline std::unique_ptr<Device> OpenFirstOpenClDevice() {
  std::vector<std::string> errors;
  std::vector<DeviceInfo> found = EnumerateOpenClDevices(&errors);
  if (found.empty()) {
    ADD_FAILURE() << "no OpenCL device: install pocl-opencl-icd (contrib/install-deps.sh)";
    return nullptr;
  }
  auto device = OpenOpenClDevice(found[0]);
  if (!device.ok()) {
    ADD_FAILURE() << device.status().ToString();
    return nullptr;
  }
  return std::move(device).value();
}

// The smallest nonce high in [start, start + count) meeting `target`, on
// the CPU from the same midstate (crypto::Sha256Transform).
inline std::optional<uint32_t> CpuSearch(const uint32_t midstate[8], const uint32_t target[8],
                                         uint32_t start, uint32_t count) {
  for (uint64_t h = start; h < uint64_t{start} + count; ++h) {
    uint8_t block[64] = {};
    WriteLE32(block, static_cast<uint32_t>(h));
    block[4] = 0x80;
    WriteBE64(block + 56, 2080);
    uint32_t s[8];
    std::memcpy(s, midstate, 32);
    crypto::Sha256Transform(s, block, 1);
    uint8_t second[64] = {};
    for (int i = 0; i < 8; ++i) WriteBE32(second + 4 * i, s[i]);
    second[32] = 0x80;
    WriteBE64(second + 56, 256);
    std::memcpy(s, crypto::kSha256InitialState, 32);
    crypto::Sha256Transform(s, second, 1);
    bool meets = true;
    for (int i = 0; i < 8; ++i) {
      if (s[i] != target[i]) {
        meets = s[i] < target[i];
        break;
      }
    }
    if (meets) return static_cast<uint32_t>(h);
  }
  return std::nullopt;
}

}  // namespace depin::compute::testing

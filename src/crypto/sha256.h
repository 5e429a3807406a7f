// SHA-256 for the whole node: an incremental hasher, one-shot helpers, SHA-256d
// for block hashes and PoW, and batch entry points for the proofs library and
// Merkle trees (many equal-length short messages). The compression function is
// chosen once at start-up from the CPU: SHA-NI, a multi-buffer SIMD path for
// batches (AVX2, 8 lanes), or portable C++. All paths give identical answers.
//
// Thread-safety: free functions are reentrant; a Sha256 object is not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/bytes.h"

namespace depin::crypto {

class Sha256 {
 public:
  static constexpr size_t kOutputSize = 32;
  static constexpr size_t kBlockSize = 64;

  Sha256();
  Sha256& Write(const uint8_t* data, size_t len);
  Sha256& Write(ByteSpan data) { return Write(data.data(), data.size()); }
  void Finalize(uint8_t out[kOutputSize]);
  Hash256 Finalize();
  Sha256& Reset();

  // Midstate access for PoW: after writing a whole number of blocks, the
  // state can be copied and resumed for each nonce.
  const uint32_t* state() const { return state_; }
  uint64_t bytes_written() const { return bytes_; }

 private:
  uint32_t state_[8];
  uint8_t buf_[kBlockSize];
  uint64_t bytes_ = 0;
};

Hash256 Sha256Hash(ByteSpan data);
// SHA-256(SHA-256(data)): block hashes and proof of work.
Hash256 Sha256dHash(ByteSpan data);

// out = SHA-256(left || right) for two 32-byte nodes (Merkle trees).
void Sha256Pair(const uint8_t* left32, const uint8_t* right32, uint8_t* out32);
inline Hash256 Sha256Pair(const Hash256& left, const Hash256& right) {
  Hash256 out;
  Sha256Pair(left.data(), right.data(), out.data());
  return out;
}

// `count` node pairs laid out contiguously (64 bytes each) -> `count` digests
// (32 bytes each). Uses the multi-buffer path when it is faster. `in` and
// `out` may alias exactly (out == in) for in-place tree levels.
void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count);

// `count` messages of `msg_len` bytes each, contiguous -> `count` digests.
void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out);

// out[32 i .. 32 i + 31] = SHA-256(seed || BE32(i)) for i = 0 .. count - 1:
// the counter-mode expansion of LtHash entries. With SHA-NI the rounds that
// only see the seed are done once for all counters.
void Sha256CounterBlocks(const uint8_t seed[32], size_t count, uint8_t* out);

// Raw compression of `nblocks` 64-byte blocks into `state` (big-endian words).
void Sha256Transform(uint32_t state[8], const uint8_t* blocks, size_t nblocks);

// The initial state words of SHA-256.
extern const uint32_t kSha256InitialState[8];

enum class Sha256Impl { kPortable, kShaNi, kAvx2 };
// Which implementation single-message hashing uses on this CPU ("sha-ni",
// "portable"), and which the batch paths use ("avx2-8way", "sha-ni", ...).
std::string Sha256ImplName();
std::string Sha256BatchImplName();
// Tests and benchmarks pin an implementation; returns false if the CPU lacks
// it. Not thread-safe with concurrent hashing: call at start-up or in tests.
bool Sha256ForceImpl(Sha256Impl impl);
// Restore the automatically selected implementation.
void Sha256ResetImpl();

}  // namespace depin::crypto

// Internals shared by the SHA-256 back ends (portable, SHA-NI, AVX2): round
// constants, the precomputed schedule of the constant padding block that
// follows a 64-byte message, and the entry points each back end exports to the
// dispatcher in sha256.cpp. Not for use outside src/crypto/sha256*.cpp.
//
// Thread-safety: constants and reentrant functions only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace depin::crypto::sha256_internal {

inline constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

inline constexpr uint32_t kIv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
constexpr uint32_t SmallSigma0(uint32_t x) { return Rotr(x, 7) ^ Rotr(x, 18) ^ (x >> 3); }
constexpr uint32_t SmallSigma1(uint32_t x) { return Rotr(x, 17) ^ Rotr(x, 19) ^ (x >> 10); }

// W[t] + K[t] for the second block of a 64-byte message: 0x80, zeros, and the
// 512-bit length. It never depends on the data, so every Merkle node hash
// skips that block's message schedule.
constexpr std::array<uint32_t, 64> MakePad64Schedule() {
  std::array<uint32_t, 64> w{};
  w[0] = 0x80000000u;
  w[15] = 512;
  for (int t = 16; t < 64; ++t)
    w[t] = SmallSigma1(w[t - 2]) + w[t - 7] + SmallSigma0(w[t - 15]) + w[t - 16];
  for (int t = 0; t < 64; ++t) w[t] += kK[t];
  return w;
}
inline constexpr std::array<uint32_t, 64> kPad64Wk = MakePad64Schedule();

// Writes the padding tail of a `len`-byte message into `tail` (room for two
// blocks) and returns how many blocks it fills (1 or 2). The caller has
// already compressed the first len / 64 whole blocks.
size_t BuildTail(const uint8_t* msg, size_t len, uint8_t tail[128]);

// Portable C++ (always available).
void TransformPortable(uint32_t state[8], const uint8_t* blocks, size_t nblocks);
void PairPortable(const uint8_t* in64, uint8_t* out32);

// SHA-NI (x86 SHA extensions + SSE4.1). Only call when CpuHasShaNi().
bool CpuHasShaNi();
void TransformShaNi(uint32_t state[8], const uint8_t* blocks, size_t nblocks);
// Independent streams interleaved to hide the latency of the SHA round
// instruction: states[j] absorbs nblocks blocks from blocks[j].
void TransformShaNi2(uint32_t* const states[2], const uint8_t* const blocks[2], size_t nblocks);
void TransformShaNi4(uint32_t* const states[4], const uint8_t* const blocks[4], size_t nblocks);
// N contiguous 64-byte messages -> N contiguous digests; out == in is allowed.
void PairShaNi(const uint8_t* in64, uint8_t* out32);
// Sha256CounterBlocks (sha256.h) for counters first .. first + count - 1.
void CounterBlocksShaNi(const uint8_t* seed32, uint32_t first, size_t count, uint8_t* out);
void PairShaNi2(const uint8_t* in128, uint8_t* out64);
void PairShaNi4(const uint8_t* in256, uint8_t* out128);

// AVX2 eight-lane multi-buffer. Only call when CpuHasAvx2().
bool CpuHasAvx2();
// Eight 64-byte messages (512 contiguous bytes) -> eight digests (256 bytes).
// All input is read before any output is written, so out == in is allowed.
void PairAvx2x8(const uint8_t* in512, uint8_t* out256);
// Compresses one block per lane. state[word][lane]; blocks[lane] points at
// that lane's 64-byte block.
void TransformAvx2x8(uint32_t state[8][8], const uint8_t* const blocks[8]);

}  // namespace depin::crypto::sha256_internal

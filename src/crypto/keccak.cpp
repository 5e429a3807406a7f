#include "crypto/keccak.h"

#include <cstring>

namespace depin::crypto {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

inline uint64_t Rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

// Lanes are little-endian 64-bit words of the byte-oriented state.
inline void XorBlock(uint64_t state[25], const uint8_t* block) {
  for (size_t i = 0; i < Keccak256::kRate / 8; ++i) state[i] ^= ReadLE64(block + 8 * i);
}

}  // namespace

// The 24 rounds with theta, rho+pi, chi and iota unrolled over named lanes, so
// the compiler keeps the state in registers instead of indexing an array.
void KeccakF1600(uint64_t st[25]) {
  uint64_t a00 = st[0], a01 = st[1], a02 = st[2], a03 = st[3], a04 = st[4];
  uint64_t a05 = st[5], a06 = st[6], a07 = st[7], a08 = st[8], a09 = st[9];
  uint64_t a10 = st[10], a11 = st[11], a12 = st[12], a13 = st[13], a14 = st[14];
  uint64_t a15 = st[15], a16 = st[16], a17 = st[17], a18 = st[18], a19 = st[19];
  uint64_t a20 = st[20], a21 = st[21], a22 = st[22], a23 = st[23], a24 = st[24];

  for (int round = 0; round < 24; ++round) {
    // Theta.
    const uint64_t c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20;
    const uint64_t c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21;
    const uint64_t c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22;
    const uint64_t c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23;
    const uint64_t c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24;
    const uint64_t d0 = c4 ^ Rotl(c1, 1);
    const uint64_t d1 = c0 ^ Rotl(c2, 1);
    const uint64_t d2 = c1 ^ Rotl(c3, 1);
    const uint64_t d3 = c2 ^ Rotl(c4, 1);
    const uint64_t d4 = c3 ^ Rotl(c0, 1);

    // Rho and pi: b[y][2x+3y] = rot(a[x][y] ^ d[x], r[x][y]), lane index x + 5y.
    const uint64_t b00 = a00 ^ d0;
    const uint64_t b10 = Rotl(a01 ^ d1, 1);
    const uint64_t b20 = Rotl(a02 ^ d2, 62);
    const uint64_t b05 = Rotl(a03 ^ d3, 28);
    const uint64_t b15 = Rotl(a04 ^ d4, 27);
    const uint64_t b16 = Rotl(a05 ^ d0, 36);
    const uint64_t b01 = Rotl(a06 ^ d1, 44);
    const uint64_t b11 = Rotl(a07 ^ d2, 6);
    const uint64_t b21 = Rotl(a08 ^ d3, 55);
    const uint64_t b06 = Rotl(a09 ^ d4, 20);
    const uint64_t b07 = Rotl(a10 ^ d0, 3);
    const uint64_t b17 = Rotl(a11 ^ d1, 10);
    const uint64_t b02 = Rotl(a12 ^ d2, 43);
    const uint64_t b12 = Rotl(a13 ^ d3, 25);
    const uint64_t b22 = Rotl(a14 ^ d4, 39);
    const uint64_t b23 = Rotl(a15 ^ d0, 41);
    const uint64_t b08 = Rotl(a16 ^ d1, 45);
    const uint64_t b18 = Rotl(a17 ^ d2, 15);
    const uint64_t b03 = Rotl(a18 ^ d3, 21);
    const uint64_t b13 = Rotl(a19 ^ d4, 8);
    const uint64_t b14 = Rotl(a20 ^ d0, 18);
    const uint64_t b24 = Rotl(a21 ^ d1, 2);
    const uint64_t b09 = Rotl(a22 ^ d2, 61);
    const uint64_t b19 = Rotl(a23 ^ d3, 56);
    const uint64_t b04 = Rotl(a24 ^ d4, 14);

    // Chi, row by row; iota on lane 0.
    a00 = b00 ^ (~b01 & b02) ^ kRoundConstants[round];
    a01 = b01 ^ (~b02 & b03);
    a02 = b02 ^ (~b03 & b04);
    a03 = b03 ^ (~b04 & b00);
    a04 = b04 ^ (~b00 & b01);
    a05 = b05 ^ (~b06 & b07);
    a06 = b06 ^ (~b07 & b08);
    a07 = b07 ^ (~b08 & b09);
    a08 = b08 ^ (~b09 & b05);
    a09 = b09 ^ (~b05 & b06);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
  }

  st[0] = a00, st[1] = a01, st[2] = a02, st[3] = a03, st[4] = a04;
  st[5] = a05, st[6] = a06, st[7] = a07, st[8] = a08, st[9] = a09;
  st[10] = a10, st[11] = a11, st[12] = a12, st[13] = a13, st[14] = a14;
  st[15] = a15, st[16] = a16, st[17] = a17, st[18] = a18, st[19] = a19;
  st[20] = a20, st[21] = a21, st[22] = a22, st[23] = a23, st[24] = a24;
}

Keccak256::Keccak256() { std::memset(state_, 0, sizeof(state_)); }

Keccak256& Keccak256::Write(const uint8_t* data, size_t len) {
  if (buf_len_ > 0) {
    const size_t take = std::min(len, kRate - buf_len_);
    std::memcpy(buf_ + buf_len_, data, take);
    buf_len_ += take;
    data += take;
    len -= take;
    if (buf_len_ < kRate) return *this;
    XorBlock(state_, buf_);
    KeccakF1600(state_);
    buf_len_ = 0;
  }
  while (len >= kRate) {
    XorBlock(state_, data);
    KeccakF1600(state_);
    data += kRate;
    len -= kRate;
  }
  if (len > 0) {
    std::memcpy(buf_, data, len);
    buf_len_ = len;
  }
  return *this;
}

Hash256 Keccak256::Finalize() {
  // Original Keccak multi-rate padding: 0x01 ... 0x80 (the two may share a byte).
  std::memset(buf_ + buf_len_, 0, kRate - buf_len_);
  buf_[buf_len_] ^= 0x01;
  buf_[kRate - 1] ^= 0x80;
  XorBlock(state_, buf_);
  KeccakF1600(state_);
  Hash256 out;
  for (int i = 0; i < 4; ++i) WriteLE64(out.data() + 8 * i, state_[i]);
  // Leave the object reusable as a fresh hasher, like Sha256 after Finalize+Reset.
  std::memset(state_, 0, sizeof(state_));
  buf_len_ = 0;
  return out;
}

Hash256 Keccak256Hash(ByteSpan data) { return Keccak256().Write(data).Finalize(); }

}  // namespace depin::crypto

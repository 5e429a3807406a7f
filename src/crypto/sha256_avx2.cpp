// Eight-lane multi-buffer SHA-256 with AVX2: each 32-bit element of a ymm
// register belongs to a different message, so one instruction stream hashes
// eight messages. Used for batches on CPUs without SHA-NI. As in
// sha256_shani.cpp, functions carry their own target attribute and are only
// called after CpuHasAvx2().
#include <immintrin.h>

#include "crypto/sha256_internal.h"

#define DEPIN_TARGET_AVX2 __attribute__((target("avx2")))

namespace depin::crypto::sha256_internal {
namespace {

DEPIN_TARGET_AVX2 inline __m256i Add(__m256i a, __m256i b) { return _mm256_add_epi32(a, b); }
DEPIN_TARGET_AVX2 inline __m256i Xor(__m256i a, __m256i b) { return _mm256_xor_si256(a, b); }

template <int N>
DEPIN_TARGET_AVX2 inline __m256i Rotr(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi32(x, N), _mm256_slli_epi32(x, 32 - N));
}

DEPIN_TARGET_AVX2 inline __m256i BigSigma0(__m256i x) {
  return Xor(Xor(Rotr<2>(x), Rotr<13>(x)), Rotr<22>(x));
}
DEPIN_TARGET_AVX2 inline __m256i BigSigma1(__m256i x) {
  return Xor(Xor(Rotr<6>(x), Rotr<11>(x)), Rotr<25>(x));
}
DEPIN_TARGET_AVX2 inline __m256i SmallSigma0x8(__m256i x) {
  return Xor(Xor(Rotr<7>(x), Rotr<18>(x)), _mm256_srli_epi32(x, 3));
}
DEPIN_TARGET_AVX2 inline __m256i SmallSigma1x8(__m256i x) {
  return Xor(Xor(Rotr<17>(x), Rotr<19>(x)), _mm256_srli_epi32(x, 10));
}

DEPIN_TARGET_AVX2 inline void Round(__m256i& a, __m256i& b, __m256i& c, __m256i& d, __m256i& e,
                                    __m256i& f, __m256i& g, __m256i& h, __m256i wk) {
  const __m256i ch = Xor(g, _mm256_and_si256(e, Xor(f, g)));
  const __m256i maj =
      _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
  const __m256i t1 = Add(Add(h, BigSigma1(e)), Add(ch, wk));
  const __m256i t2 = Add(BigSigma0(a), maj);
  d = Add(d, t1);
  h = Add(t1, t2);
}

// Eight rounds; the working variables rotate back to their names afterwards.
DEPIN_TARGET_AVX2 inline void EightRounds(__m256i (&s)[8], const __m256i (&wk)[8]) {
  __m256i &a = s[0], &b = s[1], &c = s[2], &d = s[3], &e = s[4], &f = s[5], &g = s[6], &h = s[7];
  Round(a, b, c, d, e, f, g, h, wk[0]);
  Round(h, a, b, c, d, e, f, g, wk[1]);
  Round(g, h, a, b, c, d, e, f, wk[2]);
  Round(f, g, h, a, b, c, d, e, wk[3]);
  Round(e, f, g, h, a, b, c, d, wk[4]);
  Round(d, e, f, g, h, a, b, c, wk[5]);
  Round(c, d, e, f, g, h, a, b, wk[6]);
  Round(b, c, d, e, f, g, h, a, wk[7]);
}

DEPIN_TARGET_AVX2 inline __m256i ByteSwapMask() {
  return _mm256_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL, 0x0c0d0e0f08090a0bLL,
                           0x0405060700010203LL);
}

// 8x8 transpose of 32-bit elements: row r element c -> row c element r.
DEPIN_TARGET_AVX2 inline void Transpose8(__m256i (&r)[8]) {
  const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]);
  const __m256i t1 = _mm256_unpackhi_epi32(r[0], r[1]);
  const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]);
  const __m256i t3 = _mm256_unpackhi_epi32(r[2], r[3]);
  const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]);
  const __m256i t5 = _mm256_unpackhi_epi32(r[4], r[5]);
  const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]);
  const __m256i t7 = _mm256_unpackhi_epi32(r[6], r[7]);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2);
  const __m256i u1 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3);
  const __m256i u3 = _mm256_unpackhi_epi64(t1, t3);
  const __m256i u4 = _mm256_unpacklo_epi64(t4, t6);
  const __m256i u5 = _mm256_unpackhi_epi64(t4, t6);
  const __m256i u6 = _mm256_unpacklo_epi64(t5, t7);
  const __m256i u7 = _mm256_unpackhi_epi64(t5, t7);
  r[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
  r[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
  r[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
  r[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
  r[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
  r[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
  r[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
  r[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
}

// Loads 32 bytes at `offset` of each lane's block as big-endian words,
// transposed so w[i] holds word i of all eight lanes.
DEPIN_TARGET_AVX2 inline void LoadWords(const uint8_t* const (&blocks)[8], int offset,
                                        __m256i (&w)[8]) {
  const __m256i mask = ByteSwapMask();
  for (int l = 0; l < 8; ++l)
    w[l] = _mm256_shuffle_epi8(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[l] + offset)), mask);
  Transpose8(w);
}

// Compresses one message block per lane into s (word-major state).
DEPIN_TARGET_AVX2 inline void CompressBlock(__m256i (&s)[8], const uint8_t* const (&blocks)[8]) {
  __m256i w[16];
  __m256i lo[8], hi[8];
  LoadWords(blocks, 0, lo);
  LoadWords(blocks, 32, hi);
  for (int i = 0; i < 8; ++i) {
    w[i] = lo[i];
    w[8 + i] = hi[i];
  }
  __m256i save[8];
  for (int i = 0; i < 8; ++i) save[i] = s[i];
#pragma GCC unroll 8
  for (int t0 = 0; t0 < 64; t0 += 8) {
    __m256i wk[8];
    for (int i = 0; i < 8; ++i) {
      const int t = t0 + i;
      if (t >= 16) {
        w[t & 15] = Add(Add(SmallSigma1x8(w[(t - 2) & 15]), w[(t - 7) & 15]),
                        Add(SmallSigma0x8(w[(t - 15) & 15]), w[t & 15]));
      }
      wk[i] = Add(w[t & 15], _mm256_set1_epi32(static_cast<int>(kK[t])));
    }
    EightRounds(s, wk);
  }
  for (int i = 0; i < 8; ++i) s[i] = Add(s[i], save[i]);
}

// The constant padding block after 64-byte messages: no schedule to compute.
DEPIN_TARGET_AVX2 inline void CompressPad64Block(__m256i (&s)[8]) {
  __m256i save[8];
  for (int i = 0; i < 8; ++i) save[i] = s[i];
#pragma GCC unroll 8
  for (int t0 = 0; t0 < 64; t0 += 8) {
    __m256i wk[8];
    for (int i = 0; i < 8; ++i) wk[i] = _mm256_set1_epi32(static_cast<int>(kPad64Wk[t0 + i]));
    EightRounds(s, wk);
  }
  for (int i = 0; i < 8; ++i) s[i] = Add(s[i], save[i]);
}

}  // namespace

bool CpuHasAvx2() {
  // Also checks that the OS saves ymm state (XGETBV), unlike a bare CPUID bit.
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
}

DEPIN_TARGET_AVX2 void PairAvx2x8(const uint8_t* in512, uint8_t* out256) {
  __m256i s[8];
  for (int i = 0; i < 8; ++i) s[i] = _mm256_set1_epi32(static_cast<int>(kIv[i]));
  const uint8_t* const blocks[8] = {in512,       in512 + 64,  in512 + 128, in512 + 192,
                                    in512 + 256, in512 + 320, in512 + 384, in512 + 448};
  CompressBlock(s, blocks);
  CompressPad64Block(s);
  Transpose8(s);
  const __m256i mask = ByteSwapMask();
  for (int l = 0; l < 8; ++l)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out256 + 32 * l),
                        _mm256_shuffle_epi8(s[l], mask));
}

DEPIN_TARGET_AVX2 void TransformAvx2x8(uint32_t state[8][8], const uint8_t* const blocks[8]) {
  __m256i s[8];
  for (int i = 0; i < 8; ++i) s[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(state[i]));
  const uint8_t* const lanes[8] = {blocks[0], blocks[1], blocks[2], blocks[3],
                                   blocks[4], blocks[5], blocks[6], blocks[7]};
  CompressBlock(s, lanes);
  for (int i = 0; i < 8; ++i) _mm256_storeu_si256(reinterpret_cast<__m256i*>(state[i]), s[i]);
}

}  // namespace depin::crypto::sha256_internal

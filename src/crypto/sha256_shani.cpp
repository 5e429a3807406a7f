// SHA-256 compression with the x86 SHA extensions. Each function carries its
// own target attribute (rather than compiling the file with -msha) so that no
// code reachable on CPUs without SHA-NI is built with those instructions; the
// dispatcher only calls in here after CpuHasShaNi().
//
// The N-stream templates interleave independent messages: one stream is bound
// by the latency of SHA256RNDS2. On Zen 4, 4 streams gave 1.5x the pairs/s of
// 2 streams and 8 streams were slower again (register spills), so batches run
// 4 at a time.
#include <cpuid.h>
#include <immintrin.h>

#include <cstring>

#include "crypto/sha256_internal.h"

#define DEPIN_TARGET_SHANI __attribute__((target("sha,sse4.1,ssse3")))

namespace depin::crypto::sha256_internal {
namespace {

DEPIN_TARGET_SHANI inline __m128i ByteSwapMask() {
  return _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
}

DEPIN_TARGET_SHANI inline __m128i Load128(const void* p) {
  return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

// state[8] (A..H) -> the ABEF / CDGH register layout the round instruction uses.
DEPIN_TARGET_SHANI inline void LoadState(const uint32_t* state, __m128i& abef, __m128i& cdgh) {
  const __m128i cdab = _mm_shuffle_epi32(Load128(state), 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(Load128(state + 4), 0x1B);
  abef = _mm_alignr_epi8(cdab, efgh, 8);
  cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
}

// Inverse of LoadState: dcba holds A..D, hgfe holds E..H in memory order.
DEPIN_TARGET_SHANI inline void UnpackState(__m128i abef, __m128i cdgh, __m128i& dcba,
                                           __m128i& hgfe) {
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  hgfe = _mm_alignr_epi8(dchg, feba, 8);
}

DEPIN_TARGET_SHANI inline void StoreState(__m128i abef, __m128i cdgh, uint32_t* state) {
  __m128i dcba, hgfe;
  UnpackState(abef, cdgh, dcba, hgfe);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), dcba);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), hgfe);
}

// Big-endian digest bytes.
DEPIN_TARGET_SHANI inline void StoreDigest(__m128i abef, __m128i cdgh, uint8_t* out32) {
  __m128i dcba, hgfe;
  UnpackState(abef, cdgh, dcba, hgfe);
  const __m128i mask = ByteSwapMask();
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out32), _mm_shuffle_epi8(dcba, mask));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out32 + 16), _mm_shuffle_epi8(hgfe, mask));
}

DEPIN_TARGET_SHANI inline void FourRounds(__m128i& abef, __m128i& cdgh, __m128i wk) {
  cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
  abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
}

// Rounds 4g .. 4g + 3 of one stream. From g = 4 on, the schedule words
// W[4g .. 4g + 3] are first computed in place from the ring m (W[t-16..t-13],
// W[t-15..t-12], W[t-7..t-4], W[t-2..t-1]).
DEPIN_TARGET_SHANI inline void RoundGroup(__m128i (&m)[4], int g, __m128i k, __m128i& abef,
                                          __m128i& cdgh) {
  if (g >= 4) {
    const __m128i w16 = _mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]);
    const __m128i w7 = _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4);
    m[g & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(w16, w7), m[(g + 3) & 3]);
  }
  FourRounds(abef, cdgh, _mm_add_epi32(m[g & 3], k));
}

// One 64-byte block for each of N streams, rounds interleaved across streams.
template <int N>
DEPIN_TARGET_SHANI inline void CompressBlock(__m128i (&abef)[N], __m128i (&cdgh)[N],
                                             const uint8_t* const* data) {
  const __m128i mask = ByteSwapMask();
  __m128i abef_save[N], cdgh_save[N], m[N][4];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    abef_save[j] = abef[j];
    cdgh_save[j] = cdgh[j];
#pragma GCC unroll 4
    for (int g = 0; g < 4; ++g) m[j][g] = _mm_shuffle_epi8(Load128(data[j] + 16 * g), mask);
  }
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    const __m128i k = Load128(&kK[4 * g]);
#pragma GCC unroll 4
    for (int j = 0; j < N; ++j) RoundGroup(m[j], g, k, abef[j], cdgh[j]);
  }
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    abef[j] = _mm_add_epi32(abef[j], abef_save[j]);
    cdgh[j] = _mm_add_epi32(cdgh[j], cdgh_save[j]);
  }
}

// The constant padding block after a 64-byte message: its schedule is kPad64Wk.
template <int N>
DEPIN_TARGET_SHANI inline void CompressPad64Block(__m128i (&abef)[N], __m128i (&cdgh)[N]) {
  __m128i abef_save[N], cdgh_save[N];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    abef_save[j] = abef[j];
    cdgh_save[j] = cdgh[j];
  }
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    const __m128i wk = Load128(&kPad64Wk[4 * g]);
#pragma GCC unroll 4
    for (int j = 0; j < N; ++j) FourRounds(abef[j], cdgh[j], wk);
  }
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    abef[j] = _mm_add_epi32(abef[j], abef_save[j]);
    cdgh[j] = _mm_add_epi32(cdgh[j], cdgh_save[j]);
  }
}

template <int N>
DEPIN_TARGET_SHANI inline void TransformStreams(uint32_t* const states[],
                                                const uint8_t* const blocks[], size_t nblocks) {
  __m128i abef[N], cdgh[N];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) LoadState(states[j], abef[j], cdgh[j]);
  for (size_t i = 0; i < nblocks; ++i) {
    const uint8_t* data[N];
#pragma GCC unroll 4
    for (int j = 0; j < N; ++j) data[j] = blocks[j] + 64 * i;
    CompressBlock<N>(abef, cdgh, data);
  }
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) StoreState(abef[j], cdgh[j], states[j]);
}

// N contiguous 64-byte messages -> N contiguous digests. Every input is read
// before the first digest is stored, so out == in is safe.
template <int N>
DEPIN_TARGET_SHANI inline void PairStreams(const uint8_t* in, uint8_t* out) {
  __m128i abef[N], cdgh[N];
  const uint8_t* data[N];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    LoadState(kIv, abef[j], cdgh[j]);
    data[j] = in + 64 * j;
  }
  CompressBlock<N>(abef, cdgh, data);
  CompressPad64Block<N>(abef, cdgh);
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) StoreDigest(abef[j], cdgh[j], out + 32 * j);
}

// SHA-256(seed || BE32(counter)) for N consecutive counters: a one-block
// message whose first eight words are the seed for every stream, so rounds
// 0..7 are done once (`mid_*`) and each stream starts at round 8. Words 8..15
// are the counter, the 0x80 pad byte, zeros and the 288-bit length.
template <int N>
DEPIN_TARGET_SHANI inline void CounterStreams(const __m128i (&seed)[2], __m128i mid_abef,
                                              __m128i mid_cdgh, __m128i iv_abef, __m128i iv_cdgh,
                                              uint32_t counter, uint8_t* out) {
  __m128i abef[N], cdgh[N], m[N][4];
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    abef[j] = mid_abef;
    cdgh[j] = mid_cdgh;
    m[j][0] = seed[0];
    m[j][1] = seed[1];
    m[j][2] = _mm_set_epi32(0, 0, static_cast<int>(0x80000000u),
                            static_cast<int>(counter + static_cast<uint32_t>(j)));
    m[j][3] = _mm_set_epi32(36 * 8, 0, 0, 0);
  }
#pragma GCC unroll 14
  for (int g = 2; g < 16; ++g) {
    const __m128i k = Load128(&kK[4 * g]);
#pragma GCC unroll 4
    for (int j = 0; j < N; ++j) RoundGroup(m[j], g, k, abef[j], cdgh[j]);
  }
#pragma GCC unroll 4
  for (int j = 0; j < N; ++j) {
    StoreDigest(_mm_add_epi32(abef[j], iv_abef), _mm_add_epi32(cdgh[j], iv_cdgh), out + 32 * j);
  }
}

}  // namespace

DEPIN_TARGET_SHANI void CounterBlocksShaNi(const uint8_t* seed32, uint32_t first, size_t count,
                                           uint8_t* out) {
  const __m128i mask = ByteSwapMask();
  const __m128i seed[2] = {_mm_shuffle_epi8(Load128(seed32), mask),
                           _mm_shuffle_epi8(Load128(seed32 + 16), mask)};
  __m128i iv_abef, iv_cdgh;
  LoadState(kIv, iv_abef, iv_cdgh);
  __m128i mid_abef = iv_abef, mid_cdgh = iv_cdgh;
  FourRounds(mid_abef, mid_cdgh, _mm_add_epi32(seed[0], Load128(&kK[0])));
  FourRounds(mid_abef, mid_cdgh, _mm_add_epi32(seed[1], Load128(&kK[4])));
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    CounterStreams<4>(seed, mid_abef, mid_cdgh, iv_abef, iv_cdgh, first + static_cast<uint32_t>(i),
                      out + 32 * i);
  }
  for (; i < count; ++i) {
    CounterStreams<1>(seed, mid_abef, mid_cdgh, iv_abef, iv_cdgh, first + static_cast<uint32_t>(i),
                      out + 32 * i);
  }
}

bool CpuHasShaNi() {
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool ssse3 = (ecx >> 9) & 1;
  const bool sse41 = (ecx >> 19) & 1;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  const bool sha = (ebx >> 29) & 1;
  return ssse3 && sse41 && sha;
}

DEPIN_TARGET_SHANI void TransformShaNi(uint32_t state[8], const uint8_t* blocks, size_t nblocks) {
  __m128i abef[1], cdgh[1];
  LoadState(state, abef[0], cdgh[0]);
  for (; nblocks > 0; --nblocks, blocks += 64) {
    const uint8_t* const data[1] = {blocks};
    CompressBlock<1>(abef, cdgh, data);
  }
  StoreState(abef[0], cdgh[0], state);
}

DEPIN_TARGET_SHANI void TransformShaNi2(uint32_t* const states[2], const uint8_t* const blocks[2],
                                        size_t nblocks) {
  TransformStreams<2>(states, blocks, nblocks);
}

DEPIN_TARGET_SHANI void TransformShaNi4(uint32_t* const states[4], const uint8_t* const blocks[4],
                                        size_t nblocks) {
  TransformStreams<4>(states, blocks, nblocks);
}

DEPIN_TARGET_SHANI void PairShaNi(const uint8_t* in64, uint8_t* out32) {
  PairStreams<1>(in64, out32);
}
DEPIN_TARGET_SHANI void PairShaNi2(const uint8_t* in128, uint8_t* out64) {
  PairStreams<2>(in128, out64);
}
DEPIN_TARGET_SHANI void PairShaNi4(const uint8_t* in256, uint8_t* out128) {
  PairStreams<4>(in256, out128);
}

}  // namespace depin::crypto::sha256_internal

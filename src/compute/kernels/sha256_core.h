/* The SHA-256 device core: written once in the C subset that OpenCL C, CUDA
 * C++ and host C++ share, and included by the OpenCL kernels
 * (sha256_kernels.cl, embedded in the binary at build time), the CUDA
 * kernels (sha256_kernels.cu) and a host test that checks it against
 * crypto/sha256.h.
 *
 * What it computes (identical to the CPU paths, no truncation anywhere):
 *   - sha256_compress: one compression of a 16-word block (big-endian words);
 *   - sha256_node_hash: SHA-256(left || right) of two 32-byte nodes, the
 *     parent of every Merkle tree in the proofs library (tree_d, tree_c,
 *     tree_r) and every step of a Merkle path;
 *   - sha256_message: SHA-256 of a byte string in global memory (column
 *     hashes, recomputed SDR labels);
 *   - sha256d_header_tail: SHA-256d of a 260-byte block header from the
 *     midstate after its first 256 bytes, given the high 32 bits of the
 *     nonce (the only header bytes in the fifth block; chain/miner.h);
 *   - sha256_meets_target: digest <= target, both as big-endian numbers.
 *
 * States and digests are 8 big-endian words: word i is bytes 4i..4i+3.
 * The including file defines nothing; this header picks its dialect from
 * __OPENCL_VERSION__ / __CUDACC__. */
#ifndef DEPIN_COMPUTE_KERNELS_SHA256_CORE_H
#define DEPIN_COMPUTE_KERNELS_SHA256_CORE_H

#if defined(__OPENCL_VERSION__)
typedef uint sha_u32;
typedef ulong sha_u64;
typedef uchar sha_u8;
#define SHA_FN static inline
#define SHA_GLOBAL __global
#define SHA_CONST __constant
#define SHA_CAST(T, x) ((T)(x))
#define SHA_UNROLL _Pragma("unroll")
#elif defined(__CUDACC__)
#include <stdint.h>
typedef uint32_t sha_u32;
typedef uint64_t sha_u64;
typedef uint8_t sha_u8;
#define SHA_FN static __device__ __forceinline__
#define SHA_GLOBAL
#define SHA_CONST __constant__
#define SHA_CAST(T, x) static_cast<T>(x)
#define SHA_UNROLL _Pragma("unroll")
#else
#include <stdint.h>
typedef uint32_t sha_u32;
typedef uint64_t sha_u64;
typedef uint8_t sha_u8;
#define SHA_FN static inline
#define SHA_GLOBAL
#define SHA_CONST static const
#define SHA_CAST(T, x) static_cast<T>(x)
#define SHA_UNROLL
#endif

SHA_CONST sha_u32 kSha256K[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

SHA_FN sha_u32 sha_rotr(sha_u32 x, sha_u32 n) { return (x >> n) | (x << (32u - n)); }

SHA_FN void sha256_init(sha_u32 s[8]) {
  s[0] = 0x6a09e667u;
  s[1] = 0xbb67ae85u;
  s[2] = 0x3c6ef372u;
  s[3] = 0xa54ff53au;
  s[4] = 0x510e527fu;
  s[5] = 0x9b05688cu;
  s[6] = 0x1f83d9abu;
  s[7] = 0x5be0cd19u;
}

/* One compression of the block `w` (16 big-endian words) into `s`. */
SHA_FN void sha256_compress(sha_u32 s[8], const sha_u32 block[16]) {
  sha_u32 w[16];
  sha_u32 a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
  int i;
  for (i = 0; i < 16; ++i) w[i] = block[i];
  /* Fully unrolled on devices, so the schedule's ring indices are constants
   * and w[] stays in registers. */
  SHA_UNROLL
  for (i = 0; i < 64; ++i) {
    sha_u32 wi;
    if (i < 16) {
      wi = w[i];
    } else {
      sha_u32 w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
      sha_u32 s0 = sha_rotr(w15, 7) ^ sha_rotr(w15, 18) ^ (w15 >> 3);
      sha_u32 s1 = sha_rotr(w2, 17) ^ sha_rotr(w2, 19) ^ (w2 >> 10);
      wi = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
      w[i & 15] = wi;
    }
    sha_u32 S1 = sha_rotr(e, 6) ^ sha_rotr(e, 11) ^ sha_rotr(e, 25);
    sha_u32 ch = (e & f) ^ (~e & g);
    sha_u32 t1 = h + S1 + ch + kSha256K[i] + wi;
    sha_u32 S0 = sha_rotr(a, 2) ^ sha_rotr(a, 13) ^ sha_rotr(a, 22);
    sha_u32 maj = (a & b) ^ (a & c) ^ (b & c);
    sha_u32 t2 = S0 + maj;
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  s[0] += a;
  s[1] += b;
  s[2] += c;
  s[3] += d;
  s[4] += e;
  s[5] += f;
  s[6] += g;
  s[7] += h;
}

/* SHA-256(left || right): the Merkle parent of two 32-byte nodes. The
 * second block is the constant padding of a 64-byte message. */
SHA_FN void sha256_node_hash(const sha_u32 left[8], const sha_u32 right[8], sha_u32 out[8]) {
  sha_u32 block[16];
  int i;
  for (i = 0; i < 8; ++i) {
    block[i] = left[i];
    block[8 + i] = right[i];
  }
  sha256_init(out);
  sha256_compress(out, block);
  block[0] = 0x80000000u;
  for (i = 1; i < 15; ++i) block[i] = 0;
  block[15] = 512u;
  sha256_compress(out, block);
}

SHA_FN sha_u32 sha_load_be32(const SHA_GLOBAL sha_u8* p) {
  return (SHA_CAST(sha_u32, p[0]) << 24) | (SHA_CAST(sha_u32, p[1]) << 16) |
         (SHA_CAST(sha_u32, p[2]) << 8) | SHA_CAST(sha_u32, p[3]);
}

SHA_FN void sha_store_be32(SHA_GLOBAL sha_u8* p, sha_u32 v) {
  p[0] = SHA_CAST(sha_u8, v >> 24);
  p[1] = SHA_CAST(sha_u8, v >> 16);
  p[2] = SHA_CAST(sha_u8, v >> 8);
  p[3] = SHA_CAST(sha_u8, v);
}

/* Eight big-endian words from 32 bytes of global memory, and back. */
SHA_FN void sha_load_node(const SHA_GLOBAL sha_u8* p, sha_u32 out[8]) {
  int i;
  for (i = 0; i < 8; ++i) out[i] = sha_load_be32(p + 4 * i);
}

SHA_FN void sha_store_node(SHA_GLOBAL sha_u8* p, const sha_u32 v[8]) {
  int i;
  for (i = 0; i < 8; ++i) sha_store_be32(p + 4 * i, v[i]);
}

/* SHA-256 of `len` bytes at `msg` (global memory), with the standard
 * padding: whole blocks first, then one or two final blocks. */
SHA_FN void sha256_message(const SHA_GLOBAL sha_u8* msg, sha_u64 len, sha_u32 out[8]) {
  sha_u32 block[16];
  sha_u64 full = len / 64u, b, i;
  sha256_init(out);
  for (b = 0; b < full; ++b) {
    for (i = 0; i < 16; ++i) block[i] = sha_load_be32(msg + 64u * b + 4u * i);
    sha256_compress(out, block);
  }
  /* The tail: len % 64 bytes, 0x80, zeros, the bit length (big-endian). */
  {
    sha_u64 rest = len - 64u * full;
    const SHA_GLOBAL sha_u8* tail = msg + 64u * full;
    for (i = 0; i < 16; ++i) block[i] = 0;
    for (i = 0; i < rest; ++i)
      block[i / 4] |= SHA_CAST(sha_u32, tail[i]) << (24u - 8u * SHA_CAST(sha_u32, i % 4));
    block[rest / 4] |= 0x80u << (24u - 8u * SHA_CAST(sha_u32, rest % 4));
    if (rest >= 56u) {
      sha256_compress(out, block);
      for (i = 0; i < 16; ++i) block[i] = 0;
    }
    block[14] = SHA_CAST(sha_u32, (len * 8u) >> 32);
    block[15] = SHA_CAST(sha_u32, len * 8u);
    sha256_compress(out, block);
  }
}

/* SHA-256d of a 260-byte header whose first 256 bytes are compressed into
 * `midstate`; the fifth block holds the nonce's high 32 bits
 * (little-endian), the padding and the length, 2080 bits. */
SHA_FN void sha256d_header_tail(const sha_u32 midstate[8], sha_u32 nonce_high, sha_u32 out[8]) {
  sha_u32 block[16];
  sha_u32 s[8];
  int i;
  for (i = 0; i < 8; ++i) s[i] = midstate[i];
  block[0] = ((nonce_high & 0xffu) << 24) | ((nonce_high & 0xff00u) << 8) |
             ((nonce_high >> 8) & 0xff00u) | (nonce_high >> 24);
  block[1] = 0x80000000u;
  for (i = 2; i < 15; ++i) block[i] = 0;
  block[15] = 2080u;
  sha256_compress(s, block);
  for (i = 0; i < 8; ++i) block[i] = s[i];
  block[8] = 0x80000000u;
  for (i = 9; i < 15; ++i) block[i] = 0;
  block[15] = 256u;
  sha256_init(out);
  sha256_compress(out, block);
}

/* hash <= target, both 8 big-endian words (the most significant first). */
SHA_FN int sha256_meets_target(const sha_u32 hash[8], const sha_u32 target[8]) {
  int i;
  for (i = 0; i < 8; ++i) {
    if (hash[i] != target[i]) return hash[i] < target[i];
  }
  return 1;
}

#endif /* DEPIN_COMPUTE_KERNELS_SHA256_CORE_H */

/* OpenCL kernels over the shared SHA-256 core. This file is embedded in the
 * binary at build time (CMake writes it, with sha256_core.h in place of the
 * #include, into a generated .cpp) and compiled at run time for the chosen
 * device; the CUDA kernels in sha256_kernels.cu do the same work. */
#include "sha256_core.h"

/* count messages of msg_len bytes, contiguous -> count digests. */
__kernel void sha256_batch(__global const uchar* in, ulong msg_len, ulong count,
                           __global uchar* out) {
  ulong i = get_global_id(0);
  if (i >= count) return;
  uint h[8];
  sha256_message(in + i * msg_len, msg_len, h);
  sha_store_node(out + i * 32u, h);
}

/* count 64-byte node pairs at in[in_off..] -> count parents at out[out_off..]
 * (offsets in bytes): one level of a Merkle tree, or a batch of pairs. */
__kernel void sha256_pairs(__global const uchar* in, ulong in_off, __global uchar* out,
                           ulong out_off, ulong count) {
  ulong i = get_global_id(0);
  if (i >= count) return;
  uint l[8], r[8], h[8];
  sha_load_node(in + in_off + i * 64u, l);
  sha_load_node(in + in_off + i * 64u + 32u, r);
  sha256_node_hash(l, r, h);
  sha_store_node(out + out_off + i * 32u, h);
}

/* Merkle path verification: path i climbs from leaves[i] with the siblings
 * at siblings[32 * sib_off[i] ..] (height[i] of them, the leaf level
 * first); bit l of index[i] set means the running node is the right child
 * at level l. ok[i] = the climb ends at roots[i]. */
__kernel void merkle_verify(__global const uchar* leaves, __global const ulong* index,
                            __global const uint* height, __global const ulong* sib_off,
                            __global const uchar* siblings, __global const uchar* roots,
                            ulong count, __global uchar* ok) {
  ulong i = get_global_id(0);
  if (i >= count) return;
  uint node[8], sib[8], root[8];
  sha_load_node(leaves + i * 32u, node);
  ulong idx = index[i];
  uint levels = height[i];
  __global const uchar* s = siblings + sib_off[i] * 32u;
  for (uint level = 0; level < levels; ++level) {
    sha_load_node(s + level * 32u, sib);
    if ((idx >> level) & 1u) {
      sha256_node_hash(sib, node, node);
    } else {
      sha256_node_hash(node, sib, node);
    }
  }
  sha_load_node(roots + i * 32u, root);
  uchar same = 1;
  for (int w = 0; w < 8; ++w) same &= (uchar)(node[w] == root[w]);
  ok[i] = same;
}

/* PoW: nonce highs [start, start + count) from the midstate; state[0] is the
 * found flag, state[1] the smallest solving high found so far. Work-items
 * that start after a solution is known return at once (early exit). */
__kernel void pow_search(__global const uint* midstate, __global const uint* target, uint start,
                         uint count, __global volatile uint* state) {
  uint i = (uint)get_global_id(0);
  if (i >= count) return;
  if (state[0] != 0u && state[1] < start + i) return;
  uint mid[8], tgt[8], h[8];
  for (int w = 0; w < 8; ++w) {
    mid[w] = midstate[w];
    tgt[w] = target[w];
  }
  sha256d_header_tail(mid, start + i, h);
  if (sha256_meets_target(h, tgt)) {
    atomic_min(&state[1], start + i);
    atomic_xchg(&state[0], 1u);
  }
}

// HashBackend: where batch SHA-256 work runs. Proof verification (PoRep /
// PoSt Merkle paths and column hashes) is expressed as uniform batches so
// that a device (CUDA, OpenCL; src/compute) can take them; the CPU backend
// is the reference and every other backend must give the same digests.
//
// Callers take a `const HashBackend*` in their options; null means the CPU.
//
// Besides the two flat batches, a device backend offers whole jobs that would
// otherwise cost one host round trip per tree level (VerifyMerklePaths,
// BuildTreeLevels). They return false when the job was not done (the CPU
// backend offers none; a device failed, which the backend logs and counts):
// the caller then does the job on the CPU, so a verdict never depends on
// the backend. MinDeviceBatch() tells callers from what size a single large
// call beats splitting the work over CPU threads.
//
// Thread-safety: implementations are immutable or internally synchronized;
// the methods may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace depin::crypto {

// Merkle paths to verify in one job. Path i starts at leaves[32 i], climbs
// heights[i] levels with the siblings at siblings[32 * sibling_offsets[i]]
// (leaf level first; bit l of indices[i] set: the running node is the right
// child at level l), and must end at roots[32 i].
struct MerklePathBatch {
  size_t count = 0;
  const uint8_t* leaves = nullptr;
  const uint64_t* indices = nullptr;
  const uint32_t* heights = nullptr;
  const uint64_t* sibling_offsets = nullptr;
  const uint8_t* siblings = nullptr;
  size_t sibling_nodes = 0;  // nodes in `siblings`
  const uint8_t* roots = nullptr;
};

// The reference: ok[i] = 1 when path i reaches its root, else 0.
void VerifyMerklePathsCpu(const MerklePathBatch& batch, uint8_t* ok);

class HashBackend {
 public:
  virtual ~HashBackend() = default;
  // "cpu", "cuda:0", "opencl:pocl:0", ... for logs and getgpuinfo.
  virtual std::string_view name() const = 0;
  // `count` messages of `msg_len` bytes each, contiguous -> `count` digests.
  virtual void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) const = 0;
  // `count` 64-byte node pairs -> `count` digests; `out` may equal `in`.
  virtual void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count) const = 0;

  // Items (messages, pairs, paths) from which one call should carry a whole
  // batch; SIZE_MAX: never (split it over CPU threads instead).
  virtual size_t MinDeviceBatch() const { return SIZE_MAX; }
  // ok[i] = path i reaches its root. False: not done, verify on the CPU.
  virtual bool VerifyMerklePaths(const MerklePathBatch& /*batch*/, uint8_t* /*ok*/) const {
    return false;
  }
  // The interior of the tree over `leaves` (n of them, a power of two >= 2):
  // (n - 1) * 32 bytes at `out`, level 1 first, the root last (the layout of
  // storage/proofs/merkle_tree.h). False: not done, build it on the CPU.
  virtual bool BuildTreeLevels(const uint8_t* /*leaves*/, uint64_t /*n*/, uint8_t* /*out*/) const {
    return false;
  }
};

// The CPU backend (SHA-NI / AVX2 multi-buffer where the CPU has them).
const HashBackend& CpuHashBackend();

// `backend` or, when null, the CPU backend.
inline const HashBackend& HashBackendOrCpu(const HashBackend* backend) {
  return backend != nullptr ? *backend : CpuHashBackend();
}

}  // namespace depin::crypto

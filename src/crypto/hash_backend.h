// HashBackend: where batch SHA-256 work runs. Proof verification (PoRep /
// PoSt Merkle paths and column hashes) is expressed as uniform batches so
// that a device (CUDA, OpenCL; src/compute) can take them; the CPU backend
// is the reference and every other backend must give the same digests.
//
// Callers take a `const HashBackend*` in their options; null means the CPU.
//
// Thread-safety: implementations are immutable or internally synchronized;
// the methods may be called from several threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace depin::crypto {

class HashBackend {
 public:
  virtual ~HashBackend() = default;
  // "cpu", "cuda:0", "opencl:pocl:0", ... for logs and getgpuinfo.
  virtual std::string_view name() const = 0;
  // `count` messages of `msg_len` bytes each, contiguous -> `count` digests.
  virtual void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) const = 0;
  // `count` 64-byte node pairs -> `count` digests; `out` may equal `in`.
  virtual void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count) const = 0;
};

// The CPU backend (SHA-NI / AVX2 multi-buffer where the CPU has them).
const HashBackend& CpuHashBackend();

// `backend` or, when null, the CPU backend.
inline const HashBackend& HashBackendOrCpu(const HashBackend* backend) {
  return backend != nullptr ? *backend : CpuHashBackend();
}

}  // namespace depin::crypto

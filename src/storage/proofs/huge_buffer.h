// A large zero-initialised byte buffer aligned to 2 MiB and, where the kernel
// allows, backed by transparent huge pages. Labeling reads 13 random parent
// labels per node from layers of up to 32 GiB; with 4 KiB pages nearly every
// read is also a TLB miss, which costs more than the SHA-256 work itself at
// 512 MiB and above.
//
// Thread-safety: a plain owning value; concurrent reads are fine, writes to
// disjoint ranges from different threads are fine.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.h"

namespace depin::storage::proofs {

class HugeBuffer {
 public:
  HugeBuffer() = default;
  explicit HugeBuffer(size_t bytes);
  ~HugeBuffer();
  HugeBuffer(HugeBuffer&& other) noexcept;
  HugeBuffer& operator=(HugeBuffer&& other) noexcept;
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  ByteSpan span() const { return ByteSpan(data_, size_); }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace depin::storage::proofs

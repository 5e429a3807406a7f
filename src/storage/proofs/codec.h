// Byte readers and writers for the proof encodings: big-endian integers and
// 32-byte nodes, with a reader that fails with "<prefix>-decode-truncated"
// instead of reading past the end. Internal to the proofs library.
//
// Thread-safety: plain values, not shared.
#pragma once

#include <cstdint>
#include <string>

#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

class ByteWriter {
 public:
  explicit ByteWriter(uint64_t reserve) { out_.reserve(reserve); }
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
  }
  void U32(uint32_t v) {
    uint8_t b[4];
    WriteBE32(b, v);
    out_.insert(out_.end(), b, b + 4);
  }
  void U64(uint64_t v) {
    uint8_t b[8];
    WriteBE64(b, v);
    out_.insert(out_.end(), b, b + 8);
  }
  void Node(const Hash256& h) { out_.insert(out_.end(), h.begin(), h.end()); }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

class ByteReader {
 public:
  ByteReader(ByteSpan in, std::string prefix) : in_(in), prefix_(std::move(prefix)) {}

  // All reads after a failure are no-ops; check ok() / status() at the end
  // of a section.
  uint8_t U8() { return static_cast<uint8_t>(Take(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Take(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Take(4)); }
  uint64_t U64() { return Take(8); }
  Hash256 Node() {
    Hash256 h;
    if (Need(32)) {
      h = Hash256(in_.data() + pos_);
      pos_ += 32;
    }
    return h;
  }
  uint64_t remaining() const { return in_.size() - pos_; }
  bool ok() const { return ok_; }
  Status status() const {
    return ok_ ? Status::Ok() : Status::Error(prefix_ + "-decode-truncated", "encoding ends early");
  }

 private:
  bool Need(size_t n) {
    if (ok_ && remaining() >= n) return true;
    ok_ = false;
    return false;
  }
  uint64_t Take(size_t n) {
    if (!Need(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | in_[pos_ + i];
    pos_ += n;
    return v;
  }

  ByteSpan in_;
  std::string prefix_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace depin::storage::proofs

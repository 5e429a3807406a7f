#include "chain/undo.h"

#include <algorithm>
#include <cassert>
#include <string>

namespace depin::chain {
namespace {

constexpr uint8_t kHasBefore = 1;
constexpr uint8_t kHasAfter = 2;

void PutU32(Bytes& out, size_t v) {
  uint8_t b[4];
  WriteLE32(b, static_cast<uint32_t>(v));
  out.insert(out.end(), b, b + 4);
}

void PutBlob(Bytes& out, ByteSpan blob) {
  PutU32(out, blob.size());
  out.insert(out.end(), blob.begin(), blob.end());
}

Status Bad(const std::string& what) { return Status::Corruption("undo-bad-encoding", what); }

// Bounds-checked reader over the record.
class Reader {
 public:
  explicit Reader(ByteSpan data) : data_(data) {}
  size_t remaining() const { return data_.size() - pos_; }
  bool U8(uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  bool U32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = ReadLE32(data_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool Blob(size_t max_len, Bytes& out, Status& error) {
    uint32_t len = 0;
    if (!U32(len)) {
      error = Bad("truncated length");
      return false;
    }
    if (len > max_len) {
      error = Bad("length " + std::to_string(len) + " exceeds limit " + std::to_string(max_len));
      return false;
    }
    if (remaining() < len) {
      error = Bad("truncated data");
      return false;
    }
    out.assign(data_.begin() + static_cast<std::ptrdiff_t>(pos_),
               data_.begin() + static_cast<std::ptrdiff_t>(pos_ + len));
    pos_ += len;
    return true;
  }

 private:
  ByteSpan data_;
  size_t pos_ = 0;
};

}  // namespace

Bytes EncodeBlockUndo(const BlockUndo& undo) { return EncodeUndoDiff(undo.diff); }

Bytes EncodeUndoDiff(const consensus::StateDiff& diff) {
  size_t size = 5;
  for (const auto& c : diff) {
    size += 4 + c.key.size() + 1 + (c.before ? 4 + c.before->size() : 0) +
            (c.after ? 4 + c.after->size() : 0);
  }
  Bytes out;
  out.reserve(size);
  out.push_back(kUndoVersion);
  PutU32(out, diff.size());
  for (const auto& c : diff) {
    // A record that Decode would refuse must never be written: the block
    // could then never be disconnected.
    assert(c.key.size() <= kMaxUndoKeySize);
    assert(c.before || c.after);
    PutBlob(out, c.key);
    out.push_back(static_cast<uint8_t>((c.before ? kHasBefore : 0) | (c.after ? kHasAfter : 0)));
    if (c.before) PutBlob(out, *c.before);
    if (c.after) PutBlob(out, *c.after);
  }
  return out;
}

Result<BlockUndo> DecodeBlockUndo(ByteSpan data) {
  Reader r(data);
  uint8_t version = 0;
  if (!r.U8(version)) return Bad("empty record");
  if (version != kUndoVersion) return Bad("unknown undo version " + std::to_string(version));
  uint32_t count = 0;
  if (!r.U32(count)) return Bad("truncated change count");
  // Each change takes at least 4 (key length) + 1 (flags) + 4 (one value
  // length) bytes, which bounds the count before anything is allocated.
  if (count > r.remaining() / 9) {
    return Bad("change count " + std::to_string(count) + " exceeds record size");
  }
  BlockUndo undo;
  undo.diff.reserve(count);
  Status error;
  for (uint32_t i = 0; i < count; ++i) {
    consensus::StateChange change;
    if (!r.Blob(kMaxUndoKeySize, change.key, error)) return error;
    if (!undo.diff.empty() && !(undo.diff.back().key < change.key)) {
      return Bad("keys not strictly increasing at change " + std::to_string(i));
    }
    uint8_t flags = 0;
    if (!r.U8(flags)) return Bad("truncated flags");
    if ((flags & ~(kHasBefore | kHasAfter)) != 0 || flags == 0) {
      return Bad("invalid change flags " + std::to_string(flags));
    }
    if (flags & kHasBefore) {
      Bytes v;
      if (!r.Blob(kMaxUndoValueSize, v, error)) return error;
      change.before = std::move(v);
    }
    if (flags & kHasAfter) {
      Bytes v;
      if (!r.Blob(kMaxUndoValueSize, v, error)) return error;
      change.after = std::move(v);
    }
    undo.diff.push_back(std::move(change));
  }
  if (r.remaining() != 0) return Bad(std::to_string(r.remaining()) + " trailing bytes");
  return undo;
}

}  // namespace depin::chain

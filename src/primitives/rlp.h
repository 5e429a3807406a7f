// Recursive Length Prefix (RLP), Ethereum's encoding for transactions and
// receipts. The encoder writes canonical RLP only. The decoder is strict, so
// that every accepted byte string has exactly one decoding and re-encodes to
// itself (tx hashes are taken over the received bytes):
//   - a single byte below 0x80 must be encoded as itself ("rlp-non-canonical");
//   - long-form lengths must exceed 55 and have no leading zero bytes
//     ("rlp-non-canonical-size");
//   - an item must fit in its input ("rlp-truncated"); lengths are checked
//     against the bytes actually present, so no read leaves the input and
//     8-byte length fields cannot overflow size_t arithmetic;
//   - nothing may follow a complete item ("rlp-trailing-bytes");
//   - integers have no leading zero bytes ("rlp-leading-zeros") and fit their
//     type ("rlp-uint-overflow");
//   - a string where a list is expected or vice versa is
//     "rlp-expected-list" / "rlp-expected-string";
//   - generic tree decoding stops at kMaxDepth nesting levels ("rlp-too-deep").
//
// Typical use: Encoder for writing, ListReader to walk a known schema.
//
// Thread-safety: plain values; an Encoder or ListReader is used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::rlp {

// Nesting bound for DecodeTree; schema-driven readers are bounded by their schema.
inline constexpr int kMaxDepth = 32;

// Builds one RLP encoding. Lists nest: BeginList() ... EndList().
class Encoder {
 public:
  Encoder& AddBytes(ByteSpan bytes);
  Encoder& AddString(std::string_view s) { return AddBytes(AsSpan(s)); }
  // Integers as minimal big-endian strings (zero is the empty string, 0x80).
  Encoder& AddUint(uint64_t v);
  Encoder& AddUint(const Uint256& v);
  // Appends an already encoded item verbatim.
  Encoder& AddRaw(ByteSpan encoded);
  Encoder& BeginList();
  Encoder& EndList();
  // Capacity for an encoding of about `bytes`, to grow the buffer once.
  Encoder& Reserve(size_t bytes) {
    out_.reserve(bytes);
    return *this;
  }

  // Moves the encoding out; every BeginList must have been closed (asserts).
  Bytes Finish();
  const Bytes& buffer() const { return out_; }

 private:
  Bytes out_;
  std::vector<size_t> open_lists_;  // payload start offsets of unclosed lists
};

// Encodes one byte string as an RLP item.
Bytes EncodeBytes(ByteSpan bytes);
// Wraps an already concatenated list payload in a list header.
Bytes EncodeListPayload(ByteSpan payload);
// Appends a string or list header for a payload of `len` bytes.
void AppendHeader(Bytes& out, bool is_list, size_t len);

// One decoded item: its kind, its payload and the whole encoding.
struct Item {
  bool is_list = false;
  ByteSpan payload;
  ByteSpan encoded;
};

// Decodes the item at the start of `data`, strictly; `data` may continue.
Result<Item> DecodeItemPrefix(ByteSpan data);
// Decodes exactly one item spanning all of `data` ("rlp-trailing-bytes").
Result<Item> DecodeItem(ByteSpan data);

// Integer payload rules shared by readers: no leading zeros, fits the type.
Result<uint64_t> DecodeUint64Payload(ByteSpan payload);
Result<Uint256> DecodeUint256Payload(ByteSpan payload);

// Walks the items of one list (or a top-level sequence) in order. It views the
// bytes it was given, which must outlive it.
class ListReader {
 public:
  explicit ListReader(ByteSpan payload) : rest_(payload) {}

  // Reads the list item spanning all of `data` and returns a reader over it.
  static Result<ListReader> FromList(ByteSpan data);

  bool AtEnd() const { return rest_.empty(); }
  size_t remaining_bytes() const { return rest_.size(); }
  // Items left, counted by walking headers (strict); for field-count checks.
  Result<size_t> CountItems() const;

  Result<Item> Next();
  Result<ByteSpan> ReadBytes();  // a string item's payload
  Result<uint64_t> ReadUint64();
  Result<Uint256> ReadUint256();
  Result<ListReader> ReadList();  // a list item, as a reader over its payload
  // "rlp-trailing-bytes" when items remain.
  Status ExpectEnd() const;

 private:
  ByteSpan rest_;
};

// A generic decoded tree, for tests, tooling and fuzzing.
struct Value {
  bool is_list = false;
  Bytes bytes;               // when !is_list
  std::vector<Value> items;  // when is_list
  friend bool operator==(const Value&, const Value&) = default;
};

Result<Value> DecodeTree(ByteSpan data);
Bytes EncodeTree(const Value& v);

}  // namespace depin::rlp

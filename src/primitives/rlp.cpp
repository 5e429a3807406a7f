#include "primitives/rlp.h"

#include <cassert>

namespace depin::rlp {
namespace {

unsigned ByteLength(uint64_t v) {
  unsigned n = 0;
  while (v != 0) {
    ++n;
    v >>= 8;
  }
  return n;
}

size_t HeaderSize(size_t len) { return len <= 55 ? 1 : 1 + ByteLength(len); }

void WriteHeader(uint8_t* p, bool is_list, size_t len) {
  uint8_t base = is_list ? 0xc0 : 0x80;
  if (len <= 55) {
    p[0] = static_cast<uint8_t>(base + len);
    return;
  }
  unsigned n = ByteLength(len);
  p[0] = static_cast<uint8_t>(base + 55 + n);
  for (unsigned i = 0; i < n; ++i) p[1 + i] = static_cast<uint8_t>(len >> (8 * (n - 1 - i)));
}

Status Err(const char* code, const char* msg) { return Status::Error(code, msg); }

Result<Value> DecodeTreeAt(ByteSpan data, int depth) {
  if (depth > kMaxDepth) return Err("rlp-too-deep", "nesting exceeds the limit");
  auto item = DecodeItem(data);
  if (!item) return item.status();
  Value v;
  v.is_list = item->is_list;
  if (!item->is_list) {
    v.bytes.assign(item->payload.begin(), item->payload.end());
    return v;
  }
  ByteSpan rest = item->payload;
  while (!rest.empty()) {
    auto child = DecodeItemPrefix(rest);
    if (!child) return child.status();
    auto sub = DecodeTreeAt(child->encoded, depth + 1);
    if (!sub) return sub.status();
    v.items.push_back(std::move(*sub));
    rest = rest.subspan(child->encoded.size());
  }
  return v;
}

}  // namespace

void AppendHeader(Bytes& out, bool is_list, size_t len) {
  size_t at = out.size();
  out.resize(at + HeaderSize(len));
  WriteHeader(out.data() + at, is_list, len);
}

Encoder& Encoder::AddBytes(ByteSpan bytes) {
  if (bytes.size() == 1 && bytes[0] < 0x80) {
    out_.push_back(bytes[0]);
    return *this;
  }
  AppendHeader(out_, /*is_list=*/false, bytes.size());
  out_.insert(out_.end(), bytes.begin(), bytes.end());
  return *this;
}

Encoder& Encoder::AddUint(uint64_t v) {
  uint8_t buf[8];
  WriteBE64(buf, v);
  unsigned n = ByteLength(v);
  return AddBytes(ByteSpan(buf + 8 - n, n));
}

Encoder& Encoder::AddUint(const Uint256& v) { return AddBytes(v.ToMinimalBigEndian()); }

Encoder& Encoder::AddRaw(ByteSpan encoded) {
  out_.insert(out_.end(), encoded.begin(), encoded.end());
  return *this;
}

Encoder& Encoder::BeginList() {
  open_lists_.push_back(out_.size());
  return *this;
}

Encoder& Encoder::EndList() {
  assert(!open_lists_.empty() && "EndList without BeginList");
  size_t start = open_lists_.back();
  open_lists_.pop_back();
  size_t len = out_.size() - start;
  uint8_t header[9];
  size_t hsize = HeaderSize(len);
  WriteHeader(header, /*is_list=*/true, len);
  out_.insert(out_.begin() + static_cast<std::ptrdiff_t>(start), header, header + hsize);
  return *this;
}

Bytes Encoder::Finish() {
  assert(open_lists_.empty() && "unclosed RLP list");
  return std::move(out_);
}

Bytes EncodeBytes(ByteSpan bytes) { return Encoder().AddBytes(bytes).Finish(); }

Bytes EncodeListPayload(ByteSpan payload) {
  Bytes out;
  out.reserve(HeaderSize(payload.size()) + payload.size());
  AppendHeader(out, /*is_list=*/true, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<Item> DecodeItemPrefix(ByteSpan data) {
  if (data.empty()) return Err("rlp-truncated", "no item");
  uint8_t b = data[0];
  Item item;
  if (b < 0x80) {
    item.payload = data.first(1);
    item.encoded = data.first(1);
    return item;
  }
  item.is_list = b >= 0xc0;
  uint8_t base = item.is_list ? 0xc0 : 0x80;
  size_t header = 1;
  uint64_t len = 0;
  if (b - base <= 55) {
    len = static_cast<uint64_t>(b - base);
  } else {
    size_t len_of_len = static_cast<size_t>(b - base - 55);  // 1..8
    if (data.size() - 1 < len_of_len) return Err("rlp-truncated", "length field cut short");
    if (data[1] == 0) return Err("rlp-non-canonical-size", "length has leading zero bytes");
    for (size_t i = 0; i < len_of_len; ++i) len = (len << 8) | data[1 + i];
    if (len <= 55) return Err("rlp-non-canonical-size", "long form used for a short item");
    header += len_of_len;
  }
  // Compare in uint64 against what is present: len may be up to 2^64-1.
  if (len > data.size() - header) return Err("rlp-truncated", "item exceeds its input");
  size_t n = static_cast<size_t>(len);
  item.payload = data.subspan(header, n);
  item.encoded = data.first(header + n);
  if (!item.is_list && n == 1 && item.payload[0] < 0x80) {
    return Err("rlp-non-canonical", "single byte below 0x80 must encode as itself");
  }
  return item;
}

Result<Item> DecodeItem(ByteSpan data) {
  auto item = DecodeItemPrefix(data);
  if (!item) return item;
  if (item->encoded.size() != data.size()) {
    return Err("rlp-trailing-bytes", "bytes follow a complete item");
  }
  return item;
}

Result<uint64_t> DecodeUint64Payload(ByteSpan payload) {
  if (!payload.empty() && payload[0] == 0) {
    return Err("rlp-leading-zeros", "integer has leading zero bytes");
  }
  if (payload.size() > 8) return Err("rlp-uint-overflow", "integer exceeds 64 bits");
  uint64_t v = 0;
  for (uint8_t b : payload) v = (v << 8) | b;
  return v;
}

Result<Uint256> DecodeUint256Payload(ByteSpan payload) {
  if (!payload.empty() && payload[0] == 0) {
    return Err("rlp-leading-zeros", "integer has leading zero bytes");
  }
  if (payload.size() > 32) return Err("rlp-uint-overflow", "integer exceeds 256 bits");
  return Uint256::FromBigEndian(payload);
}

Result<ListReader> ListReader::FromList(ByteSpan data) {
  auto item = DecodeItem(data);
  if (!item) return item.status();
  if (!item->is_list) return Err("rlp-expected-list", "expected a list");
  return ListReader(item->payload);
}

Result<size_t> ListReader::CountItems() const {
  size_t count = 0;
  ByteSpan rest = rest_;
  while (!rest.empty()) {
    auto item = DecodeItemPrefix(rest);
    if (!item) return item.status();
    rest = rest.subspan(item->encoded.size());
    ++count;
  }
  return count;
}

Result<Item> ListReader::Next() {
  auto item = DecodeItemPrefix(rest_);
  if (item) rest_ = rest_.subspan(item->encoded.size());
  return item;
}

Result<ByteSpan> ListReader::ReadBytes() {
  auto item = Next();
  if (!item) return item.status();
  if (item->is_list) return Err("rlp-expected-string", "expected a string");
  return item->payload;
}

Result<uint64_t> ListReader::ReadUint64() {
  auto b = ReadBytes();
  if (!b) return b.status();
  return DecodeUint64Payload(*b);
}

Result<Uint256> ListReader::ReadUint256() {
  auto b = ReadBytes();
  if (!b) return b.status();
  return DecodeUint256Payload(*b);
}

Result<ListReader> ListReader::ReadList() {
  auto item = Next();
  if (!item) return item.status();
  if (!item->is_list) return Err("rlp-expected-list", "expected a list");
  return ListReader(item->payload);
}

Status ListReader::ExpectEnd() const {
  if (!rest_.empty()) return Err("rlp-trailing-bytes", "unexpected items at the end of a list");
  return Status::Ok();
}

Result<Value> DecodeTree(ByteSpan data) { return DecodeTreeAt(data, 0); }

Bytes EncodeTree(const Value& v) {
  if (!v.is_list) return EncodeBytes(v.bytes);
  Bytes payload;
  for (const Value& child : v.items) {
    Bytes c = EncodeTree(child);
    payload.insert(payload.end(), c.begin(), c.end());
  }
  return EncodeListPayload(payload);
}

}  // namespace depin::rlp

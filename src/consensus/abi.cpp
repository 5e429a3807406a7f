#include "consensus/abi.h"

#include <algorithm>

#include "crypto/keccak.h"

namespace depin::abi {
namespace {

Bytes Word(const Uint256& v) {
  Bytes w(32);
  v.ToBigEndian32(w.data());
  return w;
}

Bytes PaddedDynamic(ByteSpan b) {
  Bytes out = Word(Uint256(b.size()));
  out.insert(out.end(), b.begin(), b.end());
  out.resize(32 + (b.size() + 31) / 32 * 32, 0);
  return out;
}

}  // namespace

Selector SelectorOf(std::string_view signature) {
  Hash256 h = crypto::Keccak256Hash(AsSpan(signature));
  return {h[0], h[1], h[2], h[3]};
}

Hash256 EventTopic(std::string_view signature) { return crypto::Keccak256Hash(AsSpan(signature)); }

Encoder& Encoder::Uint(const Uint256& v) {
  args_.push_back({false, Word(v)});
  return *this;
}

Encoder& Encoder::Address(const depin::Address& a) {
  depin::Bytes w(32, 0);
  std::copy(a.begin(), a.end(), w.begin() + 12);
  args_.push_back({false, std::move(w)});
  return *this;
}

Encoder& Encoder::Bool(bool b) { return Uint(Uint256(b ? 1 : 0)); }

Encoder& Encoder::Bytes32(const Hash256& h) {
  args_.push_back({false, depin::Bytes(h.begin(), h.end())});
  return *this;
}

Encoder& Encoder::Bytes(ByteSpan b) {
  args_.push_back({true, PaddedDynamic(b)});
  return *this;
}

Encoder& Encoder::String(std::string_view s) { return Bytes(AsSpan(s)); }

Encoder& Encoder::UintArray(const std::vector<Uint256>& values) {
  depin::Bytes data = Word(Uint256(values.size()));
  for (const Uint256& v : values) {
    depin::Bytes w = Word(v);
    data.insert(data.end(), w.begin(), w.end());
  }
  args_.push_back({true, std::move(data)});
  return *this;
}

Encoder& Encoder::AddressArray(const std::vector<depin::Address>& values) {
  depin::Bytes data = Word(Uint256(values.size()));
  for (const depin::Address& a : values) {
    data.insert(data.end(), 12, 0);
    data.insert(data.end(), a.begin(), a.end());
  }
  args_.push_back({true, std::move(data)});
  return *this;
}

namespace {

// A dynamic array of dynamic elements (each already encoded): the count, one
// offset per element (from the first offset word), then the elements.
Bytes DynamicElementArray(const std::vector<Bytes>& elements) {
  Bytes data = Word(Uint256(elements.size()));
  Bytes tail;
  for (const Bytes& e : elements) {
    Bytes offset = Word(Uint256(32 * elements.size() + tail.size()));
    data.insert(data.end(), offset.begin(), offset.end());
    tail.insert(tail.end(), e.begin(), e.end());
  }
  data.insert(data.end(), tail.begin(), tail.end());
  return data;
}

}  // namespace

Encoder& Encoder::StringArray(const std::vector<std::string>& values) {
  std::vector<depin::Bytes> elements;
  elements.reserve(values.size());
  for (const std::string& v : values) elements.push_back(PaddedDynamic(AsSpan(v)));
  args_.push_back({true, DynamicElementArray(elements)});
  return *this;
}

Encoder& Encoder::BytesArray(const std::vector<depin::Bytes>& values) {
  std::vector<depin::Bytes> elements;
  elements.reserve(values.size());
  for (const depin::Bytes& v : values) elements.push_back(PaddedDynamic(v));
  args_.push_back({true, DynamicElementArray(elements)});
  return *this;
}

Encoder& Encoder::Tuple(const Encoder& members) {
  args_.push_back({members.IsDynamic(), members.Finish()});
  return *this;
}

Encoder& Encoder::TupleArray(const std::vector<Encoder>& elements) {
  const bool dynamic = !elements.empty() && elements.front().IsDynamic();
  std::vector<depin::Bytes> encoded;
  encoded.reserve(elements.size());
  for (const Encoder& e : elements) encoded.push_back(e.Finish());
  if (dynamic) {
    args_.push_back({true, DynamicElementArray(encoded)});
    return *this;
  }
  depin::Bytes data = Word(Uint256(elements.size()));
  for (const depin::Bytes& e : encoded) data.insert(data.end(), e.begin(), e.end());
  args_.push_back({true, std::move(data)});
  return *this;
}

bool Encoder::IsDynamic() const {
  return std::any_of(args_.begin(), args_.end(), [](const Arg& a) { return a.dynamic; });
}

depin::Bytes Encoder::Finish() const {
  depin::Bytes head;
  depin::Bytes tail;
  // A dynamic argument takes one offset word in the head; a static one (a
  // word, or a static tuple's words) sits there whole.
  size_t head_size = 0;
  for (const Arg& a : args_) head_size += a.dynamic ? 32 : a.data.size();
  for (const Arg& a : args_) {
    if (a.dynamic) {
      depin::Bytes offset = Word(Uint256(head_size + tail.size()));
      head.insert(head.end(), offset.begin(), offset.end());
      tail.insert(tail.end(), a.data.begin(), a.data.end());
    } else {
      head.insert(head.end(), a.data.begin(), a.data.end());
    }
  }
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

depin::Bytes Encoder::FinishCall(const Selector& selector) const {
  depin::Bytes out(selector.begin(), selector.end());
  depin::Bytes body = Finish();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Result<ByteSpan> Decoder::Word(size_t index) const {
  if (index > body_.size() / 32 || (index + 1) * 32 > body_.size()) {
    return Status::Error("abi-short-data", "call data too short for its arguments");
  }
  return body_.subspan(index * 32, 32);
}

Result<Uint256> Decoder::Uint() {
  auto w = Word(next_);
  if (!w.ok()) return w.status();
  ++next_;
  return Uint256::FromBigEndian32(w->data());
}

Result<uint64_t> Decoder::Uint64() {
  auto v = Uint();
  if (!v.ok()) return v.status();
  if (!v->FitsUint64()) return Status::Error("abi-uint64-overflow", "integer argument too large");
  return v->Low64();
}

Result<depin::Address> Decoder::Address() {
  auto w = Word(next_);
  if (!w.ok()) return w.status();
  ++next_;
  if (!std::all_of(w->begin(), w->begin() + 12, [](uint8_t b) { return b == 0; })) {
    return Status::Error("abi-bad-address", "address argument has non-zero padding");
  }
  return depin::Address(w->data() + 12);
}

Result<bool> Decoder::Bool() {
  auto v = Uint();
  if (!v.ok()) return v.status();
  if (*v > Uint256(1)) return Status::Error("abi-bad-bool", "bool argument is not 0 or 1");
  return !v->IsZero();
}

Result<Hash256> Decoder::Bytes32() {
  auto w = Word(next_);
  if (!w.ok()) return w.status();
  ++next_;
  return Hash256(w->data());
}

Result<size_t> Decoder::NextOffset() {
  auto offset_word = Uint();
  if (!offset_word.ok()) return offset_word.status();
  if (!offset_word->FitsUint64() || offset_word->Low64() % 32 != 0 ||
      offset_word->Low64() > body_.size()) {
    return Status::Error("abi-bad-offset", "dynamic argument offset out of range");
  }
  return static_cast<size_t>(offset_word->Low64());
}

Result<size_t> Decoder::ArrayCount(size_t offset, size_t max_count) const {
  if (body_.size() - offset < 32) return Status::Error("abi-short-data", "missing length word");
  Uint256 len = Uint256::FromBigEndian32(body_.data() + offset);
  if (!len.FitsUint64() || len.Low64() > max_count) {
    return Status::Error("abi-too-long", "array argument longer than allowed");
  }
  const size_t n = len.Low64();
  if ((body_.size() - offset - 32) / 32 < n) {
    return Status::Error("abi-short-data", "array argument runs past the end");
  }
  return n;
}

Result<ByteSpan> Decoder::Dynamic(size_t max_len) {
  auto offset = NextOffset();
  if (!offset.ok()) return offset.status();
  if (body_.size() - *offset < 32) return Status::Error("abi-short-data", "missing length word");
  Uint256 len = Uint256::FromBigEndian32(body_.data() + *offset);
  if (!len.FitsUint64() || len.Low64() > max_len) {
    return Status::Error("abi-too-long", "dynamic argument longer than allowed");
  }
  const size_t n = len.Low64();
  if (body_.size() - *offset - 32 < n) {
    return Status::Error("abi-short-data", "dynamic argument runs past the end");
  }
  return body_.subspan(*offset + 32, n);
}

Result<depin::Bytes> Decoder::Bytes(size_t max_len) {
  auto span = Dynamic(max_len);
  if (!span.ok()) return span.status();
  return depin::Bytes(span->begin(), span->end());
}

Result<std::string> Decoder::String(size_t max_len) {
  auto span = Dynamic(max_len);
  if (!span.ok()) return span.status();
  return std::string(span->begin(), span->end());
}

Result<ByteSpan> Decoder::ArrayWords(size_t max_count) {
  auto offset = NextOffset();
  if (!offset.ok()) return offset.status();
  auto n = ArrayCount(*offset, max_count);
  if (!n.ok()) return n.status();
  return body_.subspan(*offset + 32, 32 * *n);
}

Result<std::vector<Decoder>> Decoder::DynamicTupleArray(size_t max_count) {
  auto offset = NextOffset();
  if (!offset.ok()) return offset.status();
  auto n = ArrayCount(*offset, max_count);
  if (!n.ok()) return n.status();
  // Element offsets count from the word after the length.
  const size_t base = *offset + 32;
  std::vector<Decoder> out;
  out.reserve(*n);
  for (size_t i = 0; i < *n; ++i) {
    const Uint256 rel = Uint256::FromBigEndian32(body_.data() + base + 32 * i);
    if (!rel.FitsUint64() || rel.Low64() % 32 != 0 || rel.Low64() > body_.size() - base) {
      return Status::Error("abi-bad-offset", "tuple element offset out of range");
    }
    out.emplace_back(body_.subspan(base + rel.Low64()));
  }
  return out;
}

Result<std::vector<uint64_t>> Decoder::Uint64Array(size_t max_count) {
  auto words = ArrayWords(max_count);
  if (!words.ok()) return words.status();
  std::vector<uint64_t> out;
  out.reserve(words->size() / 32);
  for (size_t i = 0; i < words->size(); i += 32) {
    Uint256 v = Uint256::FromBigEndian32(words->data() + i);
    if (!v.FitsUint64()) return Status::Error("abi-uint64-overflow", "array element too large");
    out.push_back(v.Low64());
  }
  return out;
}

Result<std::vector<depin::Address>> Decoder::AddressArray(size_t max_count) {
  auto words = ArrayWords(max_count);
  if (!words.ok()) return words.status();
  std::vector<depin::Address> out;
  out.reserve(words->size() / 32);
  for (size_t i = 0; i < words->size(); i += 32) {
    if (!std::all_of(words->begin() + i, words->begin() + i + 12,
                     [](uint8_t b) { return b == 0; })) {
      return Status::Error("abi-bad-address", "address element has non-zero padding");
    }
    out.emplace_back(words->data() + i + 12);
  }
  return out;
}

Result<std::pair<Selector, ByteSpan>> SplitCall(ByteSpan calldata) {
  if (calldata.size() < 4)
    return Status::Error("abi-short-calldata", "call data shorter than a selector");
  Selector sel{calldata[0], calldata[1], calldata[2], calldata[3]};
  return std::make_pair(sel, calldata.subspan(4));
}

}  // namespace depin::abi

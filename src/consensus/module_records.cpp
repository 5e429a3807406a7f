#include "consensus/module_records.h"

#include <algorithm>

namespace depin::consensus {

Status RecordRules::Corrupt(std::string_view what) const {
  return Status::Error(StatusKind::kCorruption, std::string(prefix_) + "-corrupt-state",
                       std::string(what) + " record does not decode");
}

Status RecordRules::Negative(std::string_view what) const {
  return Status::Error(StatusKind::kCorruption, std::string(prefix_) + "-corrupt-state",
                       std::string(what) + " would go negative");
}

Status RecordRules::Overflow() const {
  return Status::Error(std::string(prefix_) + "-overflow", "amount overflows");
}

RecordWriter& RecordWriter::U8(uint8_t v) {
  out_.push_back(v);
  return *this;
}

RecordWriter& RecordWriter::U16(uint16_t v) {
  out_.push_back(static_cast<uint8_t>(v >> 8));
  out_.push_back(static_cast<uint8_t>(v));
  return *this;
}

RecordWriter& RecordWriter::U32(uint32_t v) {
  uint8_t b[4];
  WriteBE32(b, v);
  out_.insert(out_.end(), b, b + 4);
  return *this;
}

RecordWriter& RecordWriter::U64(uint64_t v) {
  uint8_t b[8];
  WriteBE64(b, v);
  out_.insert(out_.end(), b, b + 8);
  return *this;
}

RecordWriter& RecordWriter::U256(const Uint256& v) { return Bytes32(v.ToHash()); }

RecordWriter& RecordWriter::Bytes32(const Hash256& h) {
  out_.insert(out_.end(), h.begin(), h.end());
  return *this;
}

RecordWriter& RecordWriter::Addr(const Address& a) {
  out_.insert(out_.end(), a.begin(), a.end());
  return *this;
}

RecordWriter& RecordWriter::Blob(ByteSpan b) {
  U64(b.size());
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}

Uint256 RecordReader::U256() {
  if (!Need(32)) return Uint256();
  const Uint256 v = Uint256::FromBigEndian32(in_.data() + pos_);
  pos_ += 32;
  return v;
}

Hash256 RecordReader::Bytes32() {
  if (!Need(32)) return Hash256();
  const Hash256 h(in_.data() + pos_);
  pos_ += 32;
  return h;
}

Address RecordReader::Addr() {
  if (!Need(20)) return Address();
  const Address a(in_.data() + pos_);
  pos_ += 20;
  return a;
}

Bytes RecordReader::Blob() {
  const uint64_t n = U64();
  if (!Need(n)) return {};
  Bytes b(in_.begin() + static_cast<ptrdiff_t>(pos_),
          in_.begin() + static_cast<ptrdiff_t>(pos_ + n));
  pos_ += n;
  return b;
}

std::string RecordReader::Str() {
  const Bytes b = Blob();
  return std::string(b.begin(), b.end());
}

bool RecordReader::Need(uint64_t n) {
  if (ok_ && remaining() >= n) return true;
  ok_ = false;
  return false;
}

uint64_t RecordReader::Take(size_t n) {
  if (!Need(n)) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | in_[pos_ + i];
  pos_ += n;
  return v;
}

Status RuleError(std::string_view rule, std::string message) {
  return Status::Error(std::string(rule), std::move(message));
}

Bytes RecordKey(char tag, std::initializer_list<ByteSpan> parts) {
  Bytes k{static_cast<uint8_t>(tag)};
  for (ByteSpan p : parts) k.insert(k.end(), p.begin(), p.end());
  return k;
}

std::array<uint8_t, 8> KeyId(uint64_t v) {
  std::array<uint8_t, 8> b;
  WriteBE64(b.data(), v);
  return b;
}

Result<uint64_t> ReadCounter(ModuleContext& ctx, const RecordRules& rules, ByteSpan key) {
  auto raw = ctx.Get(key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return uint64_t{0};
  if ((*raw)->size() != 8) return rules.Corrupt("counter");
  return ReadBE64((*raw)->data());
}

Status WriteCounter(ModuleContext& ctx, ByteSpan key, uint64_t v) {
  if (v == 0) return ctx.Erase(key);
  auto b = KeyId(v);
  return ctx.Put(key, Bytes(b.begin(), b.end()));
}

Result<uint64_t> NextRecordId(ModuleContext& ctx, const RecordRules& rules, ByteSpan key) {
  auto last = ReadCounter(ctx, rules, key);
  if (!last.ok()) return last.status();
  DEPIN_RETURN_IF_ERROR(WriteCounter(ctx, key, *last + 1));
  return *last + 1;
}

Result<Uint256> AddAmount(const RecordRules& rules, const Uint256& a, const Uint256& b) {
  auto s = CheckedAdd(a, b);
  if (!s) return rules.Overflow();
  return *s;
}

Result<Uint256> SubAmount(const RecordRules& rules, const Uint256& a, const Uint256& b,
                          std::string_view what) {
  auto s = CheckedSub(a, b);
  if (!s) return rules.Negative(what);
  return *s;
}

Hash256 AddressTopic(const Address& a) {
  Hash256 t;
  std::copy(a.begin(), a.end(), t.data() + 12);
  return t;
}

Hash256 UintTopic(uint64_t v) { return Uint256(v).ToHash(); }

Result<std::vector<uint64_t>> ScanIds(ModuleContext& ctx, const RecordRules& rules,
                                      const Bytes& prefix, uint64_t after, size_t limit) {
  Bytes start_after;
  if (after != 0) {
    start_after = prefix;
    auto b = KeyId(after);
    start_after.insert(start_after.end(), b.begin(), b.end());
  }
  auto entries = ctx.Scan(prefix, start_after, limit);
  if (!entries.ok()) return entries.status();
  std::vector<uint64_t> ids;
  for (const StateEntry& e : *entries) {
    if (e.key.size() != prefix.size() + 8) return rules.Corrupt("index key");
    ids.push_back(ReadBE64(e.key.data() + prefix.size()));
  }
  return ids;
}

Result<std::vector<AddressRecord>> ScanAddressRecords(ModuleContext& ctx, const RecordRules& rules,
                                                      char tag, ByteSpan start_after, size_t limit,
                                                      std::string_view what) {
  auto entries = ctx.Scan(Bytes{static_cast<uint8_t>(tag)}, start_after, limit);
  if (!entries.ok()) return entries.status();
  std::vector<AddressRecord> out;
  out.reserve(entries->size());
  for (StateEntry& e : *entries) {
    if (e.key.size() != 21) return rules.Corrupt(what);  // tag || 20-byte address
    out.push_back(AddressRecord{Address(e.key.data() + 1), std::move(e.value)});
  }
  return out;
}

}  // namespace depin::consensus

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

// Record plumbing for native modules: how a module (compute market, storage
// market) keeps its objects in its own key space (ModuleContext::Get / Put /
// Scan) and names what goes wrong. A record type T has
//   static Result<T> Decode(ByteSpan raw);
// and a key is a one-byte tag followed by fixed-width parts (RecordKey), ids
// big-endian so that a prefix scan walks them in id order.
//
// Every failure carries the module's rule prefix (RecordRules): a missing
// record is the module's own rule ("compute-unknown-order: no order 7"), a
// record or index key that does not decode, or an amount that would go
// negative, is kCorruption "<prefix>-corrupt-state" (the node stops; never a
// peer's fault), an amount that overflows "<prefix>-overflow". These are
// consensus-visible revert reasons: a module's rules and messages do not
// change when it moves onto these helpers.
//
// Gas is what the ModuleContext calls below charge; the helpers add none of
// their own, and make exactly the calls their comments name.
//
// Thread-safety: stateless functions over the caller's ModuleContext.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "consensus/module.h"
#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::consensus {

// The most entries a paginated list view returns, whatever `limit` asks.
inline constexpr uint64_t kMaxRecordListLimit = 1000;

// Names a module's failures from its rule prefix ("compute", "storage").
class RecordRules {
 public:
  constexpr explicit RecordRules(std::string_view prefix) : prefix_(prefix) {}

  // kCorruption "<prefix>-corrupt-state": "<what> record does not decode".
  Status Corrupt(std::string_view what) const;
  // kCorruption "<prefix>-corrupt-state": "<what> would go negative".
  Status Negative(std::string_view what) const;
  // "<prefix>-overflow": "amount overflows".
  Status Overflow() const;

 private:
  std::string_view prefix_;
};

// A rule failure: code `rule`, kInvalid.
Status RuleError(std::string_view rule, std::string message);

// --- Encoding ------------------------------------------------------------------

// A record's fields in order, big-endian and fixed width: U8 / U16 / U32 /
// U64, U256 as 32 bytes, Bytes32 and Addr as their raw 32 and 20 bytes, Blob
// as a U64 length and the bytes, Str as a Blob.
class RecordWriter {
 public:
  RecordWriter() = default;
  explicit RecordWriter(size_t reserve) { out_.reserve(reserve); }

  RecordWriter& U8(uint8_t v);
  RecordWriter& U16(uint16_t v);
  RecordWriter& U32(uint32_t v);
  RecordWriter& U64(uint64_t v);
  RecordWriter& U256(const Uint256& v);
  RecordWriter& Bytes32(const Hash256& h);
  RecordWriter& Addr(const Address& a);
  RecordWriter& Blob(ByteSpan b);
  RecordWriter& Str(std::string_view s) { return Blob(AsSpan(s)); }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads what RecordWriter wrote. A read past the end fails the reader: it
// and every later read give zero / empty; check ok() or Done() at the end.
class RecordReader {
 public:
  explicit RecordReader(ByteSpan in) : in_(in) {}

  uint8_t U8() { return static_cast<uint8_t>(Take(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Take(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Take(4)); }
  uint64_t U64() { return Take(8); }
  Uint256 U256();
  Hash256 Bytes32();
  Address Addr();
  Bytes Blob();
  std::string Str();

  bool ok() const { return ok_; }
  uint64_t remaining() const { return in_.size() - pos_; }
  // Everything read and nothing left.
  bool Done() const { return ok_ && pos_ == in_.size(); }

 private:
  bool Need(uint64_t n);
  uint64_t Take(size_t n);

  ByteSpan in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// --- Keys ----------------------------------------------------------------------

// `tag` followed by `parts`.
Bytes RecordKey(char tag, std::initializer_list<ByteSpan> parts);
// `v` big-endian: ids in keys sort in numeric order.
std::array<uint8_t, 8> KeyId(uint64_t v);

// --- Loading -------------------------------------------------------------------

// The record at `key` (nullopt: none); a value that does not decode is
// T::Decode's error.
template <typename T>
Result<std::optional<T>> LoadRecord(ModuleContext& ctx, ByteSpan key) {
  auto raw = ctx.Get(key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<T>();
  auto v = T::Decode(**raw);
  if (!v.ok()) return v.status();
  return std::optional<T>(std::move(v).value());
}

// The record at `key`, or `rule` with message `missing()` when there is none
// (`missing` runs only then).
template <typename T, typename Missing>
Result<T> LoadRecordOr(ModuleContext& ctx, ByteSpan key, std::string_view rule, Missing&& missing) {
  auto v = LoadRecord<T>(ctx, key);
  if (!v.ok()) return v.status();
  if (!v->has_value()) return RuleError(rule, missing());
  return std::move(**v);
}

// Ok when there is no record at `key`, else `rule` with message `present()`.
// A record there that does not decode is T::Decode's error.
template <typename T, typename Present>
Status RequireNoRecord(ModuleContext& ctx, ByteSpan key, std::string_view rule, Present&& present) {
  auto v = LoadRecord<T>(ctx, key);
  if (!v.ok()) return v.status();
  if (v->has_value()) return RuleError(rule, present());
  return Status::Ok();
}

// --- Counters ------------------------------------------------------------------

// An 8-byte big-endian counter at `key` (absent: 0); another size is
// rules.Corrupt("counter").
Result<uint64_t> ReadCounter(ModuleContext& ctx, const RecordRules& rules, ByteSpan key);
// Writes the counter; 0 erases it.
Status WriteCounter(ModuleContext& ctx, ByteSpan key, uint64_t v);
// Counts the counter at `key` up by one and returns the new value: ids start
// at 1.
Result<uint64_t> NextRecordId(ModuleContext& ctx, const RecordRules& rules, ByteSpan key);

// --- Amounts -------------------------------------------------------------------

// a + b, or rules.Overflow().
Result<Uint256> AddAmount(const RecordRules& rules, const Uint256& a, const Uint256& b);
// a - b, or rules.Negative(what): the module's books would be wrong.
Result<Uint256> SubAmount(const RecordRules& rules, const Uint256& a, const Uint256& b,
                          std::string_view what);

// --- Events --------------------------------------------------------------------

// An indexed address argument: the address left-padded to 32 bytes.
Hash256 AddressTopic(const Address& a);
// An indexed uint256 argument.
Hash256 UintTopic(uint64_t v);

// --- Paginated views -----------------------------------------------------------

// The paging arguments a list view ends with, decoded in order: IdPage is
// (uint256 afterId, uint256 limit), ids after `after` (0: from the first);
// AddressPage is (address after, uint256 limit), records keyed
// `tag || address` after `after` (the zero address: from the first).
template <typename Cursor>
struct ListPage {
  Cursor after{};
  uint64_t limit = 0;

  static Result<ListPage> Decode(abi::Decoder& args) {
    auto after = DecodeCursor(args);
    if (!after.ok()) return after.status();
    auto limit = args.Uint64();
    if (!limit.ok()) return limit.status();
    return ListPage{*after, *limit};
  }
  // `limit` cut to kMaxRecordListLimit.
  uint64_t capped_limit() const { return std::min(limit, kMaxRecordListLimit); }
  // The key a scan under `tag` starts after (empty: from the first).
  Bytes StartAfter(char tag) const requires std::is_same_v<Cursor, Address> {
    return after == Address() ? Bytes() : RecordKey(tag, {after.span()});
  }

 private:
  static Result<Cursor> DecodeCursor(abi::Decoder& args) {
    if constexpr (std::is_same_v<Cursor, Address>) {
      return args.Address();
    } else {
      return args.Uint64();
    }
  }
};
using IdPage = ListPage<uint64_t>;
using AddressPage = ListPage<Address>;

// One ModuleContext::Scan of the index entries `prefix || id` (8-byte
// big-endian id) after id `after` (0: from the first), at most `limit`: the
// ids in order. An entry of another length is rules.Corrupt("index key").
Result<std::vector<uint64_t>> ScanIds(ModuleContext& ctx, const RecordRules& rules,
                                      const Bytes& prefix, uint64_t after, size_t limit);

// A list view's page: the ids after `page.after` under `prefix` (as ScanIds)
// that `keep(id)` (-> Result<bool>) accepts, at most page.capped_limit().
// Filtered pages may need several scans, each charged: it scans again for
// what is still wanted until a scan finds nothing.
template <typename Keep>
Result<std::vector<Uint256>> ListIds(ModuleContext& ctx, const RecordRules& rules,
                                     const Bytes& prefix, const IdPage& page, Keep&& keep) {
  const size_t want = page.capped_limit();
  std::vector<Uint256> out;
  uint64_t cursor = page.after;
  while (out.size() < want) {
    auto ids = ScanIds(ctx, rules, prefix, cursor, want - out.size());
    if (!ids.ok()) return ids.status();
    if (ids->empty()) break;
    for (uint64_t id : *ids) {
      cursor = id;
      Result<bool> kept = keep(id);
      if (!kept.ok()) return kept.status();
      if (*kept) out.emplace_back(id);
    }
  }
  return out;
}

// An entry of the records keyed `tag || address`.
struct AddressRecord {
  Address address;
  Bytes value;
};
// One ModuleContext::Scan of the records keyed `tag || address` after the
// key `start_after` (empty: from the first), at most `limit`, in address
// order. A key of another length is rules.Corrupt(what).
Result<std::vector<AddressRecord>> ScanAddressRecords(ModuleContext& ctx, const RecordRules& rules,
                                                      char tag, ByteSpan start_after, size_t limit,
                                                      std::string_view what);

}  // namespace depin::consensus

// The consensus view of chain state: a flat key/value space. Accounts live
// under 'a' || address; module objects under 'm' || module address || the
// module's own key. Consensus reads through StateReader (the chain layer backs
// it with LevelDB) and produces a StateDiff: for every key a block touched,
// its value before and after. The diff is everything the chain layer needs to
// write the block (new values), its undo record (old values) and the LtHash16
// state root update (remove old entry, add new entry).
//
// Thread-safety: StateReader implementations must allow concurrent Get calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::consensus {

inline constexpr uint8_t kAccountPrefix = 'a';
inline constexpr uint8_t kModulePrefix = 'm';

Bytes AccountKey(const Address& address);
Bytes ModuleKey(const Address& module, ByteSpan key);

struct Account {
  uint64_t nonce = 0;
  Uint256 balance;
  bool IsEmpty() const { return nonce == 0 && balance.IsZero(); }
  friend bool operator==(const Account&, const Account&) = default;
};

// 8-byte LE nonce || 32-byte BE balance.
inline constexpr size_t kAccountEncodedSize = 40;
Bytes EncodeAccount(const Account& account);
Result<Account> DecodeAccount(ByteSpan data);

struct StateEntry {
  Bytes key;
  Bytes value;
  friend bool operator==(const StateEntry&, const StateEntry&) = default;
};

class StateReader {
 public:
  virtual ~StateReader() = default;
  // nullopt when the key is absent. Implementations backed by storage report
  // I/O failures out of band (chain::StateView::read_error()).
  virtual std::optional<Bytes> Get(ByteSpan key) const = 0;
  // Up to `limit` entries whose keys start with `prefix` and sort strictly
  // after `start_after` (empty: from the first), in key order (bytewise, as
  // LevelDB orders them). Paginate by passing the last key returned. I/O
  // failures are reported as Get's are.
  virtual std::vector<StateEntry> Scan(ByteSpan prefix, ByteSpan start_after,
                                       size_t limit) const = 0;
};

// Scan over `base` with an ordered overlay on top: `overlay` maps keys to
// entries, `current(entry)` gives the overlay's value for a key (nullopt:
// deleted, hiding the base's). What StateCache and the chain's historical
// views answer Scan with.
template <typename Overlay, typename Current>
std::vector<StateEntry> ScanWithOverlay(const StateReader& base, const Overlay& overlay,
                                        Current current, ByteSpan prefix, ByteSpan start_after,
                                        size_t limit);

// One touched key. nullopt means absent (created when before is nullopt,
// deleted when after is nullopt). Keys with before == after are not listed.
struct StateChange {
  Bytes key;
  std::optional<Bytes> before;
  std::optional<Bytes> after;
  friend bool operator==(const StateChange&, const StateChange&) = default;
};
// Sorted by key, keys unique: the order is part of nothing consensus-critical
// (LtHash is order-free) but keeps undo records and tests deterministic.
using StateDiff = std::vector<StateChange>;

// Inverse of a diff (before and after swapped): what undo applies.
StateDiff InvertDiff(const StateDiff& diff);

// Whether `key` starts with `prefix`.
bool HasPrefix(ByteSpan key, ByteSpan prefix);

template <typename Overlay, typename Current>
std::vector<StateEntry> ScanWithOverlay(const StateReader& base, const Overlay& overlay,
                                        Current current, ByteSpan prefix, ByteSpan start_after,
                                        size_t limit) {
  std::vector<StateEntry> out;
  if (limit == 0) return out;
  const BytesLess less;
  auto ov =
      less(start_after, prefix) ? overlay.lower_bound(prefix) : overlay.upper_bound(start_after);
  Bytes base_cursor(start_after.begin(), start_after.end());
  std::vector<StateEntry> page = base.Scan(prefix, base_cursor, limit);
  size_t bi = 0;
  while (out.size() < limit) {
    if (bi == page.size() && page.size() == limit) {
      // Overlay deletions may have used the page up: read the next one.
      base_cursor = page.back().key;
      page = base.Scan(prefix, base_cursor, limit);
      bi = 0;
    }
    const bool have_base = bi < page.size();
    const bool have_overlay = ov != overlay.end() && HasPrefix(ov->first, prefix);
    if (!have_base && !have_overlay) break;
    if (have_overlay && (!have_base || !less(page[bi].key, ov->first))) {
      if (have_base && !less(ov->first, page[bi].key)) ++bi;  // same key: the overlay wins
      const std::optional<Bytes>& value = current(ov->second);
      if (value) out.push_back({ov->first, *value});
      ++ov;
    } else {
      out.push_back(page[bi]);
      ++bi;
    }
  }
  return out;
}

}  // namespace depin::consensus

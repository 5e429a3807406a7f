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

class StateReader {
 public:
  virtual ~StateReader() = default;
  // nullopt when the key is absent. Implementations backed by storage report
  // I/O failures out of band (chain::StateView::read_error()).
  virtual std::optional<Bytes> Get(ByteSpan key) const = 0;
};

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

}  // namespace depin::consensus

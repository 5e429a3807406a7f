// A journaled write overlay over a StateReader. Block execution reads through
// it and writes into it; Checkpoint/RevertTo undo a failed module call (its
// writes, value transfer and logs vanish while the fee stays charged). Diff()
// lists every key whose value differs from the underlying reader, with the
// value before and after: the input to the state root, the LevelDB batch and
// the undo record. Because undo is generic here, modules never write undo code.
//
// Thread-safety: single-threaded; one cache per block being executed.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "consensus/state.h"
#include "util/bytes.h"

namespace depin::consensus {

class StateCache {
 public:
  explicit StateCache(const StateReader& base) : base_(base) {}
  // The journal and the recent-key slots point into entries_.
  StateCache(const StateCache&) = delete;
  StateCache& operator=(const StateCache&) = delete;

  std::optional<Bytes> Get(ByteSpan key);
  void Put(ByteSpan key, Bytes value);
  void Erase(ByteSpan key);
  // StateReader::Scan over the current values: writes and erases made
  // through this cache (earlier in the block, the tx, the call) included.
  std::vector<StateEntry> Scan(ByteSpan prefix, ByteSpan start_after, size_t limit) const;

  // Accounts ("account-bad-encoding" from a corrupt store is a fatal error:
  // Get returns an empty account and records the failure in status()).
  Account GetAccount(const Address& address);
  void PutAccount(const Address& address, const Account& account);

  using Checkpoint = size_t;
  Checkpoint MakeCheckpoint() const { return journal_.size(); }
  void RevertTo(Checkpoint checkpoint);

  StateDiff Diff() const;
  // First storage error met while reading (corrupt account encoding).
  const Status& status() const { return status_; }

 private:
  struct Entry {
    std::optional<Bytes> original;  // value in base_
    std::optional<Bytes> current;
  };
  struct JournalRecord {
    Entry* entry;                   // map nodes never move
    std::optional<Bytes> previous;  // `current` before the write
  };
  Entry& Load(ByteSpan key);

  const StateReader& base_;
  std::map<Bytes, Entry, BytesLess> entries_;
  // The last keys loaded: a transfer loads its sender and recipient several
  // times in a row, and a hit here skips the ordered map's ~15 key compares.
  static constexpr size_t kRecent = 4;
  struct Recent {
    const Bytes* key = nullptr;
    Entry* entry = nullptr;
  };
  Recent recent_[kRecent];
  size_t recent_next_ = 0;
  std::vector<JournalRecord> journal_;
  Status status_;
};

}  // namespace depin::consensus

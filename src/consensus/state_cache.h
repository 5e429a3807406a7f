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

  std::optional<Bytes> Get(ByteSpan key);
  void Put(ByteSpan key, Bytes value);
  void Erase(ByteSpan key);

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
    Bytes key;
    std::optional<Bytes> previous;  // `current` before the write
  };
  Entry& Load(ByteSpan key);

  const StateReader& base_;
  std::map<Bytes, Entry, BytesLess> entries_;
  std::vector<JournalRecord> journal_;
  Status status_;
};

}  // namespace depin::consensus

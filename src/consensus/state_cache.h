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

#include "consensus/module_trace.h"
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

  struct Checkpoint {
    size_t journal = 0;
    size_t trace = 0;
  };
  Checkpoint MakeCheckpoint() const { return {journal_.size(), trace_.size()}; }
  // Undoes the writes since `checkpoint`, and drops the trace records made
  // since then.
  void RevertTo(Checkpoint checkpoint);

  // The module trace (consensus/module_trace.h): not consensus data, kept
  // here so that it reverts with the state it describes. Off unless enabled
  // (block execution enables it; pools, eth_call and the assembler do not).
  void EnableTrace() { tracing_ = true; }
  bool tracing() const { return tracing_; }
  // Appends a record (when tracing) and returns its index.
  size_t AddTrace(TraceRecord record) {
    if (!tracing_) return 0;
    trace_.push_back(std::move(record));
    return trace_.size() - 1;
  }
  // The record AddTrace returned `index` for, to complete it (a nested
  // call's outcome); null when not tracing or reverted since.
  TraceRecord* TraceAt(size_t index) {
    return tracing_ && index < trace_.size() ? &trace_[index] : nullptr;
  }
  size_t TraceSize() const { return trace_.size(); }
  const std::vector<TraceRecord>& trace() const { return trace_; }

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
  bool tracing_ = false;
  std::vector<TraceRecord> trace_;
  Status status_;
};

}  // namespace depin::consensus

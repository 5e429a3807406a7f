// HistoricalStateView: the state after an older block of the active chain,
// rebuilt from the tip state and the undo records of the blocks above it
// (undo.h), for RPC queries at a past block (eth_getBalance, eth_call, ...).
//
// The state after block N, with the tip at T > N, is for each key the
// `before` value in the undo record of the lowest block in N+1..T whose diff
// touches the key, and the tip value when none does. Build reads those
// records once, through the same LevelDB snapshot as the tip state it falls
// back to, and keeps the befores in an overlay; Get answers from the overlay,
// then from the snapshot. The cost is one read and decode of every undo
// record between N and the tip, so callers bound the depth
// (Chainstate::StateHistoryDepth()).
//
// I/O errors: Build reports them; Get (which cannot) answers nullopt and
// remembers the first one, as StateView does (read_error()).
//
// Thread-safety: immutable once built; Get may be called concurrently from
// any thread. A view must not outlive the ChainDb.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "chain/chain_db.h"
#include "chain/state_store.h"
#include "consensus/state.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::chain {

class HistoricalStateView : public consensus::StateReader {
 public:
  // The state after the block below `undone`: `undone` lists the blocks
  // above it up to the tip of `snapshot`, lowest first. Errors:
  // "undo-missing" when a block has no undo record, the record's decode
  // error ("undo-bad-encoding"), the database's, and "state-history-too-large"
  // when the records add up to more than `max_undo_bytes` (the overlay would
  // hold about that much: one request must not take gigabytes).
  static Result<std::unique_ptr<HistoricalStateView>> Build(
      const ChainDb& db, std::shared_ptr<const DbSnapshot> snapshot,
      const std::vector<Hash256>& undone, size_t max_undo_bytes);

  HistoricalStateView(const HistoricalStateView&) = delete;
  HistoricalStateView& operator=(const HistoricalStateView&) = delete;

  // StateReader: nullopt when absent or on I/O error (see read_error()).
  std::optional<Bytes> Get(ByteSpan key) const override;
  // StateReader: the tip's keys with the overlay merged over them.
  std::vector<consensus::StateEntry> Scan(ByteSpan prefix, ByteSpan start_after,
                                          size_t limit) const override;

  // The first I/O error met by Get or Scan; ok when none.
  Status read_error() const { return tip_.read_error(); }
  // Keys whose value differs between this state and the tip (or was
  // touched in between): what the view holds in memory.
  size_t overlay_size() const { return overlay_.size(); }

 private:
  HistoricalStateView(const ChainDb& db, std::shared_ptr<const DbSnapshot> snapshot);

  StateView tip_;  // the tip state, pinned to the snapshot the undo was read from
  // Key -> value after the wanted block (nullopt: absent then).
  std::map<Bytes, std::optional<Bytes>, BytesLess> overlay_;
};

}  // namespace depin::chain

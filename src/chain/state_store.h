// StateStore: the consensus state (state.h's key space) kept in ChainDb under
// 's' || consensus key, plus the LtHash16 lanes of the tip state under 'L'.
// Block connect reads through it as a consensus::StateReader, then puts the
// block's StateDiff (WriteDiff) and new lanes (WriteTipLtHash) into the same
// batch as the undo record and the tip, so state and tip move together.
//
// RPC reads a StateView pinned to a LevelDB snapshot (StateStore::Snapshot):
// every read of one request sees the same state, even while blocks connect.
//
// I/O errors: StateReader::Get cannot return a Status, so a view that meets
// one answers nullopt and remembers the first error (read_error()). A caller
// that judges a block with a view must check read_error() before calling the
// block invalid: a disk error is a node failure, not a consensus verdict.
// Read() and GetAccount() report errors directly.
//
// Thread-safety: all methods may be called concurrently from any thread.
// Views must not outlive the ChainDb.
#pragma once

#include <memory>
#include <optional>

#include "chain/chain_db.h"
#include "consensus/state.h"
#include "crypto/lthash.h"
#include "primitives/address.h"
#include "util/bytes.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin::chain {

// A read-only view of the state: live (tip as of each read) or pinned to a
// snapshot.
class StateView : public consensus::StateReader {
 public:
  StateView(const ChainDb& db, std::shared_ptr<const DbSnapshot> snapshot);
  StateView(const StateView&) = delete;
  StateView& operator=(const StateView&) = delete;

  // StateReader: nullopt when absent or on I/O error (see read_error()).
  std::optional<Bytes> Get(ByteSpan key) const override;
  // StateReader: an ordered walk of the LevelDB keys; stops short on an I/O
  // error (see read_error()).
  std::vector<consensus::StateEntry> Scan(ByteSpan prefix, ByteSpan start_after,
                                          size_t limit) const override;

  // The same with the error reported.
  Result<std::optional<Bytes>> Read(ByteSpan key) const;
  // The account at `address`; an absent key is the empty account.
  // "account-bad-encoding" when the stored record is malformed.
  Result<consensus::Account> GetAccount(const Address& address) const;
  // The lanes of the state this view sees; nullopt before genesis is connected.
  // "lthash-bad-size" when the record is malformed.
  Result<std::optional<crypto::LtHash16>> ReadTipLtHash() const;

  // The first I/O error met by Get; ok when none.
  Status read_error() const;

 protected:
  const ChainDb& db_;

 private:
  std::shared_ptr<const DbSnapshot> snapshot_;  // null: live reads
  mutable Mutex mu_;
  mutable Status read_error_ GUARDED_BY(mu_);
  void NoteError(const Status& error) const;
};

class StateStore : public StateView {
 public:
  explicit StateStore(const ChainDb& db);

  // A view pinned to the database as of now.
  std::unique_ptr<StateView> Snapshot() const;

  // Puts each change's after value, or deletes the key when it has none.
  static void WriteDiff(WriteBatch& batch, const consensus::StateDiff& diff);
  static void WriteTipLtHash(WriteBatch& batch, const crypto::LtHash16& lanes);
};

// 's' || consensus key.
Bytes StateDbKey(ByteSpan consensus_key);

}  // namespace depin::chain

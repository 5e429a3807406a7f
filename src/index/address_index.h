// AddressIndex: an address's history on the active chain, newest first, for
// explorers (getaddresshistory, getaddresssummary, ots_searchTransactions*,
// ots_getTransactionBySenderAndNonce). A BaseIndex: its own database in
// <network datadir>/indexes/addressindex/, built in the background for an
// existing chain (with progress in the log), resumable from its best block
// after a restart, and kept consistent across reorgs by removing exactly the
// entries a block added. Enabled by -addressindex (default off).
//
// What a block adds, per address, in the block's order:
//   tx        a tx the address sent (out), received (in), or sent to itself
//             (self); counterparty is the other side, value the tx's value;
//   call      a module call that touched the address: an indexed address
//             argument of an event the call emitted (the module's ABI says
//             which topics are addresses), or the target of a nested module
//             call (Multicall3); also events of deferred work at the end of
//             the block;
//   transfer  value a module paid (consensus/module_trace.h): in for the
//             payee, out for the module.
// Blocks connected before module traces were kept have no trace: their
// transfers are missing. The index says so in the log, and rebuilds itself
// once -reindex has filled the traces.
//
// Keys (big-endian numbers, so key order is chain order):
//   'h' || address || height (8) || position (4) || seq (4) -> entry
//        position is the tx index, or kEndOfBlock (after every tx); seq
//        orders one address's entries at one position. Newest first is a
//        backwards walk from a position; a page never scans what it skips.
//   'c' || address -> counters (entries, txs, plain value sent / received)
//   'n' || sender || nonce (8) -> tx hash
//   'm' || height (8) -> block hash: blocks indexed without a module trace
//
// Thread-safety: as BaseIndex; the query methods may be called from any
// thread between Start and Stop (each reads a consistent LevelDB snapshot).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "index/base_index.h"

namespace depin::index {

enum class AddressEntryKind : uint8_t { kTx = 0, kCall = 1, kTransfer = 2 };
enum class AddressDirection : uint8_t { kIn = 0, kOut = 1, kSelf = 2 };

std::string_view AddressEntryKindName(AddressEntryKind kind);  // "tx", "call", "transfer"
std::string_view AddressDirectionName(AddressDirection dir);   // "in", "out", "self"

// Where an entry sits: the order of the index.
struct AddressEntryPos {
  uint64_t height = 0;
  uint32_t position = 0;  // tx index or kEndOfBlock
  uint32_t seq = 0;
  friend auto operator<=>(const AddressEntryPos&, const AddressEntryPos&) = default;
};

struct AddressEntry {
  AddressEntryPos pos;
  AddressEntryKind kind = AddressEntryKind::kTx;
  AddressDirection direction = AddressDirection::kIn;
  Address counterparty;
  Uint256 value;
  std::optional<Address> module;
  std::optional<std::array<uint8_t, 4>> method;  // the call's selector
  std::optional<Hash256> tx_hash;                // null at the end of the block
  Hash256 block_hash;

  friend bool operator==(const AddressEntry&, const AddressEntry&) = default;
};

struct AddressCounters {
  uint64_t entries = 0;
  uint64_t txs = 0;  // distinct txs with an entry for the address
  Uint256 sent;      // plain value of successful txs it sent
  Uint256 received;  // plain value of successful txs it received
};

// A tx an address took part in (ots_searchTransactions*).
struct AddressTx {
  uint64_t height = 0;
  uint32_t position = 0;
  Hash256 tx_hash;
};

class AddressIndex : public BaseIndex {
 public:
  static constexpr const char* kName = "addressindex";
  static constexpr uint32_t kEndOfBlock = 0xFFFFFFFF;

  AddressIndex(chain::Chainstate& chainstate, const IndexOptions& options);
  ~AddressIndex() override;

  // Up to `count` entries older than `before` (newest first; from the newest
  // when absent). `more` says whether older entries exist.
  Result<std::vector<AddressEntry>> History(const Address& address, size_t count,
                                            std::optional<AddressEntryPos> before,
                                            bool* more) const;
  Result<AddressCounters> Counters(const Address& address) const;
  // The oldest and the newest entry (nullopt: none).
  Result<std::optional<AddressEntry>> Oldest(const Address& address) const;
  Result<std::optional<AddressEntry>> Newest(const Address& address) const;

  // Txs of blocks below `before_height` (newest first), or above
  // `after_height` (oldest first), until at least `page_size` txs and the
  // rest of the last block reached (as Otterscan pages); `more` says whether
  // further txs exist in that direction. Each scan stops after
  // `max_entries` entries (bounded work) with kLimitExceeded.
  Result<std::vector<AddressTx>> TxsBefore(const Address& address, uint64_t before_height,
                                           size_t page_size, size_t max_entries, bool* more) const;
  Result<std::vector<AddressTx>> TxsAfter(const Address& address, uint64_t after_height,
                                          size_t page_size, size_t max_entries, bool* more) const;
  Result<std::optional<Hash256>> TxBySenderNonce(const Address& sender, uint64_t nonce) const;

  // The entries `block` adds, per address, in order (tests; CustomAppend).
  struct BlockEntries {
    std::map<Address, std::vector<AddressEntry>> by_address;
    std::map<Address, AddressCounters> counters;  // this block's share
    std::vector<std::pair<std::pair<Address, uint64_t>, Hash256>> nonces;
  };
  BlockEntries EntriesOf(const IndexBlock& block) const;

 protected:
  Status CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) override;
  Status CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) override;
  bool NeedsFullBlocks() const override { return true; }
  std::string CustomRebuildReason() override;

 private:
  // Per module and event topic: which topics carry an address argument.
  std::map<std::pair<Address, Hash256>, std::vector<size_t>> address_topics_;
  // Said once per run: blocks without a trace.
  std::atomic<bool> warned_traceless_{false};
};

}  // namespace depin::index

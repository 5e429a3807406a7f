// TxIndex: where each tx of the active chain sits (block hash and position),
// so RPC finds a mined tx by its hash (eth_getTransactionByHash,
// eth_getTransactionReceipt, getrawtransaction). A BaseIndex: its own
// database in <network datadir>/indexes/txindex/, filled in the background
// and then from the validation signals; enabled by -txindex (default on).
//
// Until it has caught up (synced()) a lookup can miss txs of blocks it has
// not reached: callers say "still being built" instead of "not found"
// (FindTx returns kNotFound either way; ask synced() / Summary()).
//
// Thread-safety: as BaseIndex; FindTx may be called from any thread between
// Start and Stop.
#pragma once

#include <optional>

#include "chain/chainstate.h"
#include "index/base_index.h"

namespace depin::index {

class TxIndex : public BaseIndex {
 public:
  static constexpr const char* kName = "txindex";

  TxIndex(chain::Chainstate& chainstate, const IndexOptions& options);
  ~TxIndex() override;

  // The tx's place in the active chain: nullopt when the index holds no
  // entry for it or its block is no longer active; a database error
  // otherwise.
  Result<std::optional<chain::TxLocation>> FindTx(const Hash256& tx_hash) const;

 protected:
  Status CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) override;
  Status CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) override;
};

}  // namespace depin::index

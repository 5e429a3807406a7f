// The storage market's query interface (consensus/module.h, "Query"): the
// facts about a storage deal other modules may read, and nothing else. Its
// reader today is the compute market: a data-local lease pays its provider
// only for the blocks in which the deal it names was served, i.e. stored in
// an active sector and proven (docs/markets.md, "Data-local orders").
//
// A deal is served in a block b when the deal was active at b (activated at
// or before b, not ended at or before b) and b lies in no faulty period of
// its sector: a settlement without a valid PoSt covers [segment start,
// check), and those blocks are unserved. Whether a block was served is known
// once its period is settled, so answers cover blocks below `known_until`
// only.
//
// Header-only, so that a module that reads it does not depend on the
// storage market's code.
//
// Thread-safety: as consensus::Module (immutable; the context is the
// caller's).
#pragma once

#include <cstdint>
#include <optional>

#include "consensus/module.h"
#include "primitives/address.h"
#include "util/status.h"

namespace depin::storage {

// Where the storage market publishes it (0x...2000, StorageMarketAddress()).
inline Address StorageQueriesAddress() { return ModuleAddress(0x2000); }

struct DealService {
  Address provider;     // who stores the deal
  bool active = false;  // in an active sector now (sealed, proven, not ended)
  // Served or not is settled for every block below this height: the deal's
  // sector's next settlement start while it is active, the current height
  // while it waits for activation (nothing before is served), and no limit
  // once it has ended.
  uint64_t known_until = 0;
};

class StorageQueries : public consensus::QueryInterface {
 public:
  // The deal's service facts; nullopt when there is no such deal.
  virtual Result<std::optional<DealService>> GetDealService(consensus::ModuleContext& ctx,
                                                            uint64_t deal) const = 0;
  // How many blocks of [from, to) the deal was not served in; `to` must not
  // pass known_until ("storage-query-unsettled"), and the deal must exist
  // ("storage-unknown-deal"). Constant work whatever the range.
  virtual Result<uint64_t> UnservedBlocks(consensus::ModuleContext& ctx, uint64_t deal,
                                          uint64_t from, uint64_t to) const = 0;
};

}  // namespace depin::storage

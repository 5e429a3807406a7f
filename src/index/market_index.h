// MarketIndex: who and what of the two market modules (compute at 0x...1000,
// storage at 0x...2000) by participant, so an explorer can list an address's
// orders, bids, leases, providers, deals and sectors without crawling every
// block, and so the stats RPCs have running counters instead of a scan over
// every object. A BaseIndex (-marketindex, default off): its own database in
// <network datadir>/indexes/marketindex/, built in the background for an
// existing chain, then kept up from the validation signals.
//
// What it stores is learned from the modules' events in the receipts
// (docs/abi/compute.json, docs/abi/storage.json), deferred work's receipt
// included:
//   - an object record per order, bid, lease, provider (per module), deal and
//     sector: the height it was first seen and the few facts the counters
//     need (GPU model and count, price);
//   - a participant entry per (address, object) with the address's roles
//     (tenant, provider, client, bidder, auditor) and a count per (address,
//     kind) (CountFor);
//   - running counters: open orders, active leases, registered compute and
//     storage providers, GPUs registered and leased per normalized model,
//     faulty sectors per proving period, and the leases started per height
//     (their model and price: getmarketstats' medians).
// It does not store an object's current state: states change lazily (a lease
// closes when its escrow runs out, a deal expires, a sector expires when its
// deals end) and only the module's views are never stale, so RPC asks them
// at query time (DESIGN.md "lazy but never stale"). The counters above are
// exact because each of those transitions emits an event (the compute
// market closes a lease by deferred work at its projected end).
//
// Reorgs: every key a block changes is recorded with its previous value in
// an undo record of the index's own ('u' || height || hash), so removing the
// block restores the counters exactly, whatever the events were.
//
// Thread-safety: as BaseIndex; the readers may be called from any thread
// between Start and Stop (they read committed data only).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/base_index.h"
#include "primitives/address.h"
#include "primitives/uint256.h"

namespace depin::index {

enum class MarketKind : uint8_t {
  kOrder = 1,
  kBid = 2,
  kLease = 3,
  kProvider = 4,
  kDeal = 5,
  kSector = 6,
};
std::string_view MarketKindName(MarketKind kind);
std::optional<MarketKind> ParseMarketKind(std::string_view name);

// Roles are bits: one address may be tenant and provider of one lease.
enum MarketRole : uint8_t {
  kRoleTenant = 1,
  kRoleProvider = 2,
  kRoleClient = 4,
  kRoleBidder = 8,
  kRoleAuditor = 16,
};
// "tenant", "provider", ... of one bit.
std::string_view MarketRoleName(uint8_t role_bit);

enum class MarketModule : uint8_t { kCompute = 1, kStorage = 2 };

// Names one object. Orders, bids, leases and deals: `id`. A provider:
// `address` and `module`. A sector: `address` (its provider) and `id` (its
// number).
struct MarketObjectRef {
  MarketKind kind = MarketKind::kOrder;
  uint64_t id = 0;
  Address address;
  MarketModule module = MarketModule::kCompute;

  // kind || kind-specific key; sorts by kind, then id (or provider).
  Bytes Encode() const;
  static std::optional<MarketObjectRef> Decode(ByteSpan bytes);
  friend bool operator==(const MarketObjectRef&, const MarketObjectRef&) = default;
};

// What the index keeps about one object.
struct MarketObjectRecord {
  uint64_t height = 0;  // first seen
  Address first;        // order/lease: tenant; bid: bidder; deal: client
  Address second;       // lease/deal: provider
  uint64_t number = 0;  // order/lease: GPUs; bid: its order; deal: its sector
  uint64_t gpus = 0;    // compute provider: gpu.count
  Uint256 price;        // lease and bid: price per block
  std::string model;    // bid, lease, compute provider: normalized GPU model
  bool live = false;    // order: open; lease: active; provider: registered

  Bytes Encode() const;
  static std::optional<MarketObjectRecord> Decode(ByteSpan bytes);
};

// One participant entry (getmarketobjects).
struct MarketParticipation {
  MarketObjectRef object;
  uint8_t roles = 0;  // MarketRole bits
  uint64_t height = 0;
};

struct MarketPage {
  std::vector<MarketParticipation> entries;
  // Set when entries remain after the last one examined: pass it back as
  // `after` to continue.
  std::optional<MarketObjectRef> next;
};

struct ModelCount {
  std::string model;
  uint64_t registered = 0;
  uint64_t leased = 0;
};

struct LeaseStart {
  uint64_t height = 0;
  uint64_t lease_id = 0;
  std::string model;
  Uint256 price;
};

struct MarketCounters {
  uint64_t open_orders = 0;
  uint64_t active_leases = 0;
  uint64_t compute_providers = 0;
  uint64_t storage_providers = 0;  // ever registered (the module has no deregistration)
};

class MarketIndex : public BaseIndex {
 public:
  static constexpr const char* kName = "marketindex";
  // Bounds on one reader call (the RPC layer's limits stay below them).
  static constexpr size_t kMaxPage = 1000;
  static constexpr size_t kMaxModels = 1000;

  MarketIndex(chain::Chainstate& chainstate, const IndexOptions& options);
  ~MarketIndex() override;

  // A consistent view for several reads (getmarketstats): pass it to the
  // readers below; null reads the latest committed data.
  std::unique_ptr<chain::DbSnapshot> Snapshot() const;
  // The height of the last block whose entries the view holds.
  Result<uint64_t> Height(const chain::DbSnapshot* view = nullptr) const;

  // The address's objects in key order (kind, then id), starting after
  // `after`, of one kind or all; at most `limit` entries returned and at
  // most `max_examined` entries read (`accept` may skip some: a state
  // filter). next is set when the walk stopped before the end.
  Result<MarketPage> ListFor(const Address& address, std::optional<MarketKind> kind,
                             const std::optional<MarketObjectRef>& after, size_t limit,
                             size_t max_examined,
                             const std::function<bool(const MarketParticipation&)>& accept) const;

  // How many objects of `kind` the address takes part in (any role), O(1):
  // for getaddresssummary's leases, orders and deals.
  Result<uint64_t> CountFor(const Address& address, MarketKind kind) const;

  // The object's record; nullopt when the index never saw it.
  Result<std::optional<MarketObjectRecord>> Find(const MarketObjectRef& ref) const;

  // Sectors numbered `number` of any provider (search by bare number), at
  // most `limit`.
  Result<std::vector<Address>> SectorProviders(uint64_t number, size_t limit) const;

  Result<MarketCounters> Counters(const chain::DbSnapshot* view = nullptr) const;
  // GPUs registered and leased per model, at most `limit` models (sorted).
  Result<std::vector<ModelCount>> Gpus(size_t limit, const chain::DbSnapshot* view = nullptr) const;
  // Leases started at heights [from, to], oldest first, at most `limit`.
  Result<std::vector<LeaseStart>> LeasesStarted(uint64_t from, uint64_t to, size_t limit,
                                                const chain::DbSnapshot* view = nullptr) const;
  // Storage providers (registered at some point), at most `limit`.
  Result<std::vector<Address>> StorageProviders(size_t limit,
                                                const chain::DbSnapshot* view = nullptr) const;
  // Faulty sectors (SectorFaulty events) in proving period `period`.
  Result<uint64_t> FaultsInPeriod(uint64_t period, const chain::DbSnapshot* view = nullptr) const;

 protected:
  Status CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) override;
  Status CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) override;
  // Events only: the receipts, never the decoded txs.
  bool NeedsReceipts() const override { return true; }
};

}  // namespace depin::index

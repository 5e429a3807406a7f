#include "market/compute_market.h"

#include <algorithm>
#include <optional>

#include "consensus/abi.h"
#include "consensus/gas.h"
#include "consensus/module_records.h"
#include "crypto/access_box.h"
#include "crypto/secp256k1.h"
#include "market/gpu_attributes.h"
#include "storage/queries.h"

namespace depin::market {
namespace {

using consensus::AbiParam;
using consensus::AddressTopic;
using consensus::ComputeMarketParams;
using consensus::FunctionTable;
using consensus::KeyId;
using consensus::LoadRecord;
using consensus::LoadRecordOr;
using consensus::ModuleContext;
using consensus::ModuleEvent;
using consensus::ModuleFunction;
using consensus::Mutability;
using consensus::RecordKey;
using consensus::RecordReader;
using consensus::RecordWriter;
using consensus::UintTopic;

constexpr uint8_t kRecordVersion = 1;

// --- Errors ------------------------------------------------------------------

constexpr consensus::RecordRules kRules("compute");

Status Rule(std::string_view rule, std::string message) {
  return consensus::RuleError(rule, std::move(message));
}
Status Corrupt(std::string_view what) { return kRules.Corrupt(what); }

// --- Records -------------------------------------------------------------------

struct Provider {
  std::string host_uri;
  Attributes attributes;
  Uint256 stake;
  uint64_t active_leases = 0;
  uint64_t leased_gpus = 0;
  uint64_t open_bids = 0;
  uint64_t registered_at = 0;

  uint64_t FreeGpus() const {
    const uint64_t n = GpuCount(attributes);
    return n > leased_gpus ? n - leased_gpus : 0;
  }
  Bytes Encode() const {
    return RecordWriter()
        .U8(kRecordVersion)
        .Str(host_uri)
        .Str(FormatAttributes(attributes))
        .U256(stake)
        .U64(active_leases)
        .U64(leased_gpus)
        .U64(open_bids)
        .U64(registered_at)
        .Take();
  }
  static Result<Provider> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Provider p;
    const uint8_t version = r.U8();
    p.host_uri = r.Str();
    const std::string attrs = r.Str();
    p.stake = r.U256();
    p.active_leases = r.U64();
    p.leased_gpus = r.U64();
    p.open_bids = r.U64();
    p.registered_at = r.U64();
    if (!r.Done() || version != kRecordVersion) return Corrupt("provider");
    auto parsed = ParseAttributes(attrs);
    if (!parsed.ok()) return Corrupt("provider attributes");
    p.attributes = std::move(parsed).value();
    return p;
  }
};

// An auditor's attestation: the exact pairs it attested, for the provider's
// registration of `registered_at`.
struct Attestation {
  std::vector<std::pair<std::string, std::string>> pairs;
  uint64_t registered_at = 0;
  uint64_t signed_at = 0;

  // Valid while every attested value still reads the same.
  bool ValidFor(const Provider& p) const {
    if (p.registered_at != registered_at) return false;
    return std::all_of(pairs.begin(), pairs.end(), [&](const auto& kv) {
      return AttributeValue(p.attributes, kv.first) == kv.second;
    });
  }
  bool Covers(const std::vector<std::string>& keys) const {
    return std::all_of(keys.begin(), keys.end(), [&](const std::string& k) {
      return std::any_of(pairs.begin(), pairs.end(), [&](const auto& kv) { return kv.first == k; });
    });
  }
  std::string Text() const {
    std::string out;
    for (const auto& [k, v] : pairs) out += (out.empty() ? "" : ";") + k + "=" + v;
    return out;
  }
  Bytes Encode() const {
    RecordWriter w;
    w.U8(kRecordVersion).U64(registered_at).U64(signed_at).U64(pairs.size());
    for (const auto& [k, v] : pairs) w.Str(k).Str(v);
    return w.Take();
  }
  static Result<Attestation> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Attestation a;
    const uint8_t version = r.U8();
    a.registered_at = r.U64();
    a.signed_at = r.U64();
    const uint64_t n = r.U64();
    if (n > kMaxAttributes) return Corrupt("attestation");
    for (uint64_t i = 0; i < n; ++i) {
      std::string k = r.Str();
      std::string v = r.Str();
      a.pairs.emplace_back(std::move(k), std::move(v));
    }
    if (!r.Done() || version != kRecordVersion) return Corrupt("attestation");
    return a;
  }
};

struct Order {
  Address tenant;
  std::string spec;  // canonical (FormatSpec)
  Uint256 max_price;
  uint64_t duration = 0;
  uint64_t bidding_end = 0;  // bids in blocks <= this; the award runs at its end
  std::vector<Address> auditors;
  uint64_t data_deal_id = 0;
  Hash256 manifest_hash;
  crypto::PublicKey tenant_key;
  Uint256 escrow;
  OrderState state = OrderState::kOpen;
  uint64_t open_bids = 0;
  uint64_t created_at = 0;
  uint64_t ended_at = 0;

  Bytes Encode() const {
    RecordWriter w;
    w.U8(kRecordVersion).Addr(tenant).Str(spec).U256(max_price).U64(duration).U64(bidding_end);
    w.U64(auditors.size());
    for (const Address& a : auditors) w.Addr(a);
    w.U64(data_deal_id).U256(Uint256::FromBigEndian32(manifest_hash.data()));
    w.Blob(ByteSpan(tenant_key.data(), tenant_key.size()));
    w.U256(escrow).U8(static_cast<uint8_t>(state)).U64(open_bids).U64(created_at).U64(ended_at);
    return w.Take();
  }
  static Result<Order> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Order o;
    const uint8_t version = r.U8();
    o.tenant = r.Addr();
    o.spec = r.Str();
    o.max_price = r.U256();
    o.duration = r.U64();
    o.bidding_end = r.U64();
    const uint64_t n = r.U64();
    if (n > kMaxRequiredAuditors) return Corrupt("order");
    for (uint64_t i = 0; i < n; ++i) o.auditors.push_back(r.Addr());
    o.data_deal_id = r.U64();
    o.manifest_hash = r.U256().ToHash();
    const Bytes key = r.Blob();
    o.escrow = r.U256();
    const uint8_t state = r.U8();
    o.open_bids = r.U64();
    o.created_at = r.U64();
    o.ended_at = r.U64();
    if (!r.Done() || version != kRecordVersion || key.size() != 64 || state < 1 || state > 4) {
      return Corrupt("order");
    }
    o.tenant_key = crypto::PublicKey(key.data());
    o.state = static_cast<OrderState>(state);
    return o;
  }
};

struct Bid {
  uint64_t order_id = 0;
  Address provider;
  Uint256 price;
  std::string gpu_model;
  Uint256 deposit;
  BidState state = BidState::kOpen;
  uint64_t placed_at = 0;

  Bytes Encode() const {
    return RecordWriter()
        .U8(kRecordVersion)
        .U64(order_id)
        .Addr(provider)
        .U256(price)
        .Str(gpu_model)
        .U256(deposit)
        .U8(static_cast<uint8_t>(state))
        .U64(placed_at)
        .Take();
  }
  static Result<Bid> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Bid b;
    const uint8_t version = r.U8();
    b.order_id = r.U64();
    b.provider = r.Addr();
    b.price = r.U256();
    b.gpu_model = r.Str();
    b.deposit = r.U256();
    const uint8_t state = r.U8();
    b.placed_at = r.U64();
    if (!r.Done() || version != kRecordVersion || state < 1 || state > 4) return Corrupt("bid");
    b.state = static_cast<BidState>(state);
    return b;
  }
};

struct Lease {
  Address tenant;
  Address provider;
  uint64_t bid_id = 0;
  std::string gpu_model;
  uint64_t gpu_count = 0;
  Uint256 price;  // per block
  uint64_t start = 0;
  uint64_t term_end = 0;
  Uint256 deposited;  // escrow put in, in all
  Uint256 withdrawn;  // paid to the provider so far
  Uint256 bid_deposit;
  LeaseState state = LeaseState::kActive;
  uint64_t closed_at = 0;
  uint64_t reason = 0;
  uint64_t close_job = 0;  // height of the queued close
  Bytes access;            // the provider's access box for the tenant
  // Data-local leases (the order named a storage deal; 0: none): pay for a
  // block goes to the provider only once the storage market has settled the
  // block as served (storage/queries.h); pay for an unserved block goes back
  // to the tenant. Blocks below `served_to` are resolved: `served_pay` is
  // the provider's part, `refunded` the tenant's.
  uint64_t deal_id = 0;
  uint64_t served_to = 0;
  Uint256 served_pay;
  Uint256 refunded;

  // The height the escrow pays up to (capped at the term's end).
  uint64_t FundedUntil() const {
    const Uint256 blocks = deposited / price;
    const uint64_t term = term_end - start;
    if (!blocks.FitsUint64() || blocks.Low64() >= term) return term_end;
    return start + blocks.Low64();
  }
  // The close height: actual once closed, projected while active.
  uint64_t End() const { return state == LeaseState::kClosed ? closed_at : FundedUntil(); }
  bool ClosedAt(uint64_t h) const { return state == LeaseState::kClosed || h >= FundedUntil(); }
  uint64_t NaturalReason() const {
    return FundedUntil() < term_end ? kReasonInsufficientFunds : kReasonTermEnded;
  }
  // Earned by the provider up to height h: price x (min(h, end) - start);
  // never more than `deposited` (End() <= start + deposited / price).
  Uint256 Accrued(uint64_t h) const {
    const uint64_t until = std::min(h, End());
    if (until <= start) return Uint256();
    return *CheckedMul(price, Uint256(until - start));
  }
  bool DataLocal() const { return deal_id != 0; }
  // The provider's pay up to height h as far as resolved: a data-local
  // lease's pay for blocks settled as served, else Accrued(h).
  Uint256 Earned(uint64_t h) const { return DataLocal() ? served_pay : Accrued(h); }

  Bytes Encode() const {
    return RecordWriter()
        .U8(kRecordVersion)
        .Addr(tenant)
        .Addr(provider)
        .U64(bid_id)
        .Str(gpu_model)
        .U64(gpu_count)
        .U256(price)
        .U64(start)
        .U64(term_end)
        .U256(deposited)
        .U256(withdrawn)
        .U256(bid_deposit)
        .U8(static_cast<uint8_t>(state))
        .U64(closed_at)
        .U64(reason)
        .U64(close_job)
        .Blob(access)
        .U64(deal_id)
        .U64(served_to)
        .U256(served_pay)
        .U256(refunded)
        .Take();
  }
  static Result<Lease> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Lease l;
    const uint8_t version = r.U8();
    l.tenant = r.Addr();
    l.provider = r.Addr();
    l.bid_id = r.U64();
    l.gpu_model = r.Str();
    l.gpu_count = r.U64();
    l.price = r.U256();
    l.start = r.U64();
    l.term_end = r.U64();
    l.deposited = r.U256();
    l.withdrawn = r.U256();
    l.bid_deposit = r.U256();
    const uint8_t state = r.U8();
    l.closed_at = r.U64();
    l.reason = r.U64();
    l.close_job = r.U64();
    l.access = r.Blob();
    l.deal_id = r.U64();
    l.served_to = r.U64();
    l.served_pay = r.U256();
    l.refunded = r.U256();
    if (!r.Done() || version != kRecordVersion || state < 1 || state > 2 || l.price.IsZero() ||
        l.term_end <= l.start) {
      return Corrupt("lease");
    }
    l.state = static_cast<LeaseState>(state);
    return l;
  }
};

// --- Keys (module-local) -----------------------------------------------------

Bytes ProviderKey(const Address& a) { return RecordKey('P', {a.span()}); }
Bytes AttestationKey(const Address& p, const Address& auditor) {
  return RecordKey('A', {p.span(), auditor.span()});
}
Bytes OrderKey(uint64_t id) { return RecordKey('O', {KeyId(id)}); }
Bytes TenantOrderKey(const Address& t, uint64_t id) {
  return RecordKey('o', {t.span(), KeyId(id)});
}
Bytes BidKey(uint64_t id) { return RecordKey('B', {KeyId(id)}); }
Bytes OrderBidKey(uint64_t order, uint64_t bid) {
  return RecordKey('b', {KeyId(order), KeyId(bid)});
}
Bytes OpenBidKey(uint64_t order, uint64_t bid) {
  return RecordKey('u', {KeyId(order), KeyId(bid)});
}
Bytes BidderKey(uint64_t order, const Address& p) {
  return RecordKey('q', {KeyId(order), p.span()});
}
Bytes LeaseKey(uint64_t id) { return RecordKey('L', {KeyId(id)}); }
Bytes TenantLeaseKey(const Address& t, uint64_t id) {
  return RecordKey('t', {t.span(), KeyId(id)});
}
Bytes ProviderLeaseKey(const Address& p, uint64_t id) {
  return RecordKey('p', {p.span(), KeyId(id)});
}
const Bytes& NextOrderIdKey() {
  static const Bytes k{'N'};
  return k;
}
const Bytes& NextBidIdKey() {
  static const Bytes k{'M'};
  return k;
}
// Deferred work keys.
Bytes AwardJob(uint64_t order) { return RecordKey('W', {KeyId(order)}); }
Bytes CloseJob(uint64_t lease) { return RecordKey('C', {KeyId(lease)}); }

Result<Provider> LoadProvider(ModuleContext& ctx, const Address& a) {
  return LoadRecordOr<Provider>(ctx, ProviderKey(a), "compute-unknown-provider", [&] {
    return a.ToChecksumHex() + " is not a registered provider";
  });
}
Result<Order> LoadOrder(ModuleContext& ctx, uint64_t id) {
  return LoadRecordOr<Order>(ctx, OrderKey(id), "compute-unknown-order",
                             [&] { return "no order " + std::to_string(id); });
}
Result<Bid> LoadBid(ModuleContext& ctx, uint64_t id) {
  return LoadRecordOr<Bid>(ctx, BidKey(id), "compute-unknown-bid",
                           [&] { return "no bid " + std::to_string(id); });
}
Result<Lease> LoadLease(ModuleContext& ctx, uint64_t id) {
  return LoadRecordOr<Lease>(ctx, LeaseKey(id), "compute-unknown-lease",
                             [&] { return "no lease " + std::to_string(id); });
}

Result<uint64_t> NextId(ModuleContext& ctx, const Bytes& key) {
  return consensus::NextRecordId(ctx, kRules, key);
}

Result<Uint256> Add(const Uint256& a, const Uint256& b) {
  return consensus::AddAmount(kRules, a, b);
}
Result<Uint256> Sub(const Uint256& a, const Uint256& b, std::string_view what) {
  return consensus::SubAmount(kRules, a, b, what);
}

// Removes a queued entry that may already have been consumed: a deferred run
// that failed is reverted but its entry is gone ("deferred-not-scheduled").
Status CancelIfQueued(ModuleContext& ctx, uint64_t height, ByteSpan key) {
  Status s = ctx.CancelDeferred(height, key);
  if (!s.ok() && s.code() == "deferred-not-scheduled") return Status::Ok();
  return s;
}

// The storage market's facts about deal `id` (nullopt: no such deal), through
// its published query interface.
Result<std::optional<storage::DealService>> QueryDealService(ModuleContext& ctx, uint64_t id) {
  return ctx.Query<storage::StorageQueries>(
      storage::StorageQueriesAddress(),
      [&](const storage::StorageQueries& q, ModuleContext& storage_ctx) {
        return q.GetDealService(storage_ctx, id);
      });
}

// Calls fn(bid_id, bid) for each of order `order`'s open bids in id order, at
// most `limit`: one scan of the open-bid index, each bid loaded just before
// its call.
template <typename Fn>
Status ForEachOpenBid(ModuleContext& ctx, uint64_t order, size_t limit, Fn&& fn) {
  auto entries = ctx.Scan(RecordKey('u', {KeyId(order)}), {}, limit);
  if (!entries.ok()) return entries.status();
  for (const consensus::StateEntry& e : *entries) {
    if (e.key.size() != 17) return Corrupt("open bid key");
    const uint64_t bid_id = ReadBE64(e.key.data() + 9);
    auto b = LoadBid(ctx, bid_id);
    if (!b.ok()) return b.status();
    DEPIN_RETURN_IF_ERROR(fn(bid_id, *b));
  }
  return Status::Ok();
}

// "compute-order-not-open" / "compute-bid-not-open" unless the order or bid
// `id` is open.
Status RequireOpen(uint64_t id, const Order& order) {
  if (order.state == OrderState::kOpen) return Status::Ok();
  return Rule("compute-order-not-open",
              "order " + std::to_string(id) + " is " + std::string(OrderStateName(order.state)));
}
Status RequireOpen(uint64_t id, const Bid& bid) {
  if (bid.state == BidState::kOpen) return Status::Ok();
  return Rule("compute-bid-not-open",
              "bid " + std::to_string(id) + " is " + std::string(BidStateName(bid.state)));
}
// "compute-lease-closed" once lease `id` has closed by height h.
Status RequireOpenAt(uint64_t id, const Lease& lease, uint64_t h) {
  if (!lease.ClosedAt(h)) return Status::Ok();
  return Rule("compute-lease-closed",
              "lease " + std::to_string(id) + " closed at block " + std::to_string(lease.End()));
}

// --- Events --------------------------------------------------------------------

const ModuleEvent kProviderRegistered{
    .name = "ProviderRegistered",
    .inputs = {{"provider", "address", true},
               {"hostUri", "string", false},
               {"attributes", "string", false},
               {"stake", "uint256", false}},
    .help = "registerProvider() registered `provider`; `attributes` in canonical form."};
const ModuleEvent kAttributesUpdated{
    .name = "AttributesUpdated",
    .inputs = {{"provider", "address", true}, {"attributes", "string", false}},
    .help = "updateAttributes() replaced the provider's attributes (canonical form)."};
const ModuleEvent kProviderDeregistered{
    .name = "ProviderDeregistered",
    .inputs = {{"provider", "address", true}, {"stake", "uint256", false}},
    .help = "deregisterProvider() paid the stake back and removed the provider."};
const ModuleEvent kAttributesSigned{
    .name = "AttributesSigned",
    .inputs = {{"provider", "address", true},
               {"auditor", "address", true},
               {"attested", "string", false}},
    .help = "signAttributes(): `auditor` attests the key=value pairs in `attested`."};
const ModuleEvent kOrderCreated{
    .name = "OrderCreated",
    .inputs = {{"orderId", "uint256", true},
               {"tenant", "address", true},
               {"spec", "string", false},
               {"maxPricePerBlock", "uint256", false},
               {"durationBlocks", "uint256", false},
               {"biddingEnd", "uint256", false},
               {"escrow", "uint256", false}},
    .help = "createOrder() opened order `orderId`; bids are taken up to block `biddingEnd`."};
const ModuleEvent kOrderEnded{
    .name = "OrderEnded",
    .inputs = {{"orderId", "uint256", true},
               {"state", "uint8", false},
               {"refund", "uint256", false}},
    .help =
        "The order was cancelled (state 3) or closed without a winner (state 4); "
        "`refund` went back to the tenant."};
const ModuleEvent kBidPlaced{.name = "BidPlaced",
                             .inputs = {{"bidId", "uint256", true},
                                        {"orderId", "uint256", true},
                                        {"provider", "address", true},
                                        {"pricePerBlock", "uint256", false},
                                        {"gpuModel", "string", false}},
                             .help = "bid() placed bid `bidId` with its deposit."};
const ModuleEvent kBidEnded{
    .name = "BidEnded",
    .inputs = {{"bidId", "uint256", true}, {"state", "uint8", false}, {"refund", "uint256", false}},
    .help = "The bid was withdrawn (state 2) or lost (4); `refund` went back to its provider."};
const ModuleEvent kLeaseCreated{
    .name = "LeaseCreated",
    .inputs = {{"leaseId", "uint256", true},
               {"tenant", "address", true},
               {"provider", "address", true},
               {"bidId", "uint256", false},
               {"pricePerBlock", "uint256", false},
               {"startBlock", "uint256", false},
               {"termEnd", "uint256", false},
               {"projectedEnd", "uint256", false}},
    .help =
        "A bid won (accepted, or lowest at the window's end): the lease runs from "
        "`startBlock`; its escrow pays until `projectedEnd`."};
const ModuleEvent kEscrowDeposited{
    .name = "EscrowDeposited",
    .inputs = {{"leaseId", "uint256", true},
               {"amount", "uint256", false},
               {"projectedEnd", "uint256", false}},
    .help = "depositEscrow() topped the lease's escrow up; it now pays until `projectedEnd`."};
const ModuleEvent kLowEscrow{
    .name = "LowEscrow",
    .inputs = {{"leaseId", "uint256", true},
               {"remaining", "uint256", false},
               {"blocksLeft", "uint256", false}},
    .help =
        "A touch (withdrawLease, depositEscrow, the award) found the escrow paying for "
        "fewer than low_escrow_blocks more blocks before the term's end."};
const ModuleEvent kLeaseWithdrawn{
    .name = "LeaseWithdrawn",
    .inputs = {{"leaseId", "uint256", true},
               {"provider", "address", true},
               {"amount", "uint256", false}},
    .help = "withdrawLease() paid the provider what the lease had earned."};
const ModuleEvent kUnservedRefunded{
    .name = "UnservedRefunded",
    .inputs = {{"leaseId", "uint256", true},
               {"tenant", "address", true},
               {"amount", "uint256", false},
               {"resolvedTo", "uint256", false}},
    .help =
        "A data-local lease paid the tenant back `amount` for blocks below `resolvedTo` in "
        "which the storage deal it names was not served (faulty proving periods, or before "
        "the deal's activation or after its end)."};
const ModuleEvent kLeaseClosed{
    .name = "LeaseClosed",
    .inputs = {{"leaseId", "uint256", true},
               {"reason", "uint256", false},
               {"closedAt", "uint256", false},
               {"paidTotal", "uint256", false},
               {"refund", "uint256", false}},
    .help =
        "The lease closed at block `closedAt` with `reason` (tenant 1-9999, provider "
        "10000-19999, 20000 term ended, 20001 insufficient funds); the provider earned "
        "`paidTotal` in all and the tenant got `refund` back."};
const ModuleEvent kBidDepositForfeited{
    .name = "BidDepositForfeited",
    .inputs = {{"leaseId", "uint256", true},
               {"tenant", "address", true},
               {"amount", "uint256", false}},
    .help =
        "The provider closed a running lease with a provider reason: its bid deposit "
        "went to the tenant."};
const ModuleEvent kAccessDetailsPosted{
    .name = "AccessDetailsPosted",
    .inputs = {{"leaseId", "uint256", true}, {"tenant", "address", true}, {"box", "bytes", false}},
    .help =
        "postAccessDetails(): the access details, sealed to the tenant's key "
        "(crypto/access_box.h)."};

// --- The module ----------------------------------------------------------------

class ComputeMarket final : public consensus::Module {
 public:
  explicit ComputeMarket(const ComputeMarketParams& params)
      : params_(params), table_(MakeTable()) {}

  Address address() const override { return ComputeMarketAddress(); }
  std::string_view name() const override { return "compute"; }
  const FunctionTable& functions() const override { return table_; }
  Status RunDeferred(ModuleContext& ctx, uint64_t due_height, ByteSpan key) const override;

 private:
  FunctionTable MakeTable();

  // Handlers.
  Result<Bytes> RegisterProvider(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> UpdateAttributes(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> DeregisterProvider(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> SignAttributes(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> CreateOrder(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> CancelOrder(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> PlaceBid(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> WithdrawBid(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> AcceptBid(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> DepositEscrow(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> WithdrawLease(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> CloseLease(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> PostAccessDetails(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetProvider(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetAttestation(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListProviders(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetOrder(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListOrders(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetBid(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListBids(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ExplainOrder(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetLease(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListLeases(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetEscrow(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetLeaseService(ModuleContext& ctx, abi::Decoder& args) const;

  // Steps.
  // A data-local order's clause (storage/queries.h): only the provider
  // storing the deal, while its sector is active, may bid. nullopt: passes.
  Result<std::optional<std::string>> DataLocalMismatch(ModuleContext& ctx, const Address& who,
                                                       const Order& order) const;
  // A data-local lease's blocks [served_to, min(h, end, what the storage
  // market has settled)) split into the provider's pay for served blocks
  // and the tenant's refund for unserved ones (nothing for other leases).
  struct Resolution {
    uint64_t to = 0;
    Uint256 served;
    Uint256 unserved;
  };
  Result<Resolution> Resolve(ModuleContext& ctx, const Lease& lease, uint64_t h) const;
  // Applies Resolve: the served part joins served_pay, the unserved part is
  // paid to the tenant (UnservedRefunded).
  Status ResolveService(ModuleContext& ctx, uint64_t id, Lease& lease, uint64_t h) const;
  // Why `p` may not bid on `order` (spec, then auditors); nullopt: it may.
  Result<std::optional<std::string>> Mismatch(ModuleContext& ctx, const Address& who,
                                              const Provider& p, const Order& order,
                                              const OrderSpec& spec) const;
  // Ends the bidding of order `id`: `winner` (acceptBid) or the lowest open
  // bid whose provider still has the GPUs; the others are refunded.
  Status Award(ModuleContext& ctx, uint64_t id, Order& order, std::optional<uint64_t> winner) const;
  Status EndBid(ModuleContext& ctx, uint64_t bid_id, Bid& bid, BidState state) const;
  // Closes lease `id` at block `at` with `reason`: the provider gets what it
  // earned, the tenant the rest of the escrow, the bid deposit goes back (or
  // to the tenant when `forfeit`), the provider's GPUs are freed.
  Status Close(ModuleContext& ctx, uint64_t id, Lease& lease, uint64_t at, uint64_t reason,
               bool forfeit) const;
  Status ScheduleClose(ModuleContext& ctx, uint64_t id, Lease& lease) const;
  Status MaybeLowEscrow(ModuleContext& ctx, uint64_t id, const Lease& lease) const;
  uint64_t AwardGas() const {
    return consensus::kComputeAwardBaseGas +
           consensus::kComputeAwardPerBidGas * params_.max_bids_per_order +
           consensus::kDeferredScheduleGas + consensus::kComputeLeaseCloseGas;
  }

  ComputeMarketParams params_;
  FunctionTable table_;
};

// registerProvider(string hostUri, string attributes) payable
Result<Bytes> ComputeMarket::RegisterProvider(ModuleContext& ctx, abi::Decoder& args) const {
  auto uri = args.String(kMaxHostUriBytes);
  if (!uri.ok()) return uri.status();
  auto text = args.String(kMaxAttributesBytes);
  if (!text.ok()) return text.status();
  auto attrs = ParseAttributes(*text);
  if (!attrs.ok()) return attrs.status();
  if (uri->empty()) return Rule("compute-bad-host-uri", "the host URI is empty");
  DEPIN_RETURN_IF_ERROR(consensus::RequireNoRecord<Provider>(
      ctx, ProviderKey(ctx.sender()), "compute-provider-exists", [&] {
        return ctx.sender().ToChecksumHex() + " is already registered (use updateAttributes)";
      }));
  if (ctx.value() < params_.min_provider_stake) {
    return Rule("compute-stake-too-low", "registering needs a stake of at least " +
                                             params_.min_provider_stake.ToDecimal() + " wei");
  }
  Provider p;
  p.host_uri = std::move(uri).value();
  p.attributes = std::move(attrs).value();
  p.stake = ctx.value();
  p.registered_at = ctx.block().height;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kProviderRegistered, {AddressTopic(ctx.sender())},
                                      abi::Encoder()
                                          .String(p.host_uri)
                                          .String(FormatAttributes(p.attributes))
                                          .Uint(p.stake)
                                          .Finish()));
  return Bytes();
}

// updateAttributes(string attributes)
Result<Bytes> ComputeMarket::UpdateAttributes(ModuleContext& ctx, abi::Decoder& args) const {
  auto text = args.String(kMaxAttributesBytes);
  if (!text.ok()) return text.status();
  auto attrs = ParseAttributes(*text);
  if (!attrs.ok()) return attrs.status();
  auto p = LoadProvider(ctx, ctx.sender());
  if (!p.ok()) return p.status();
  if (GpuCount(*attrs) < p->leased_gpus) {
    return Rule("compute-gpus-leased", "gpu.count " + std::to_string(GpuCount(*attrs)) +
                                           " is below the " + std::to_string(p->leased_gpus) +
                                           " GPUs under active leases");
  }
  p->attributes = std::move(attrs).value();
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p->Encode()));
  DEPIN_RETURN_IF_ERROR(
      ctx.EmitEvent(kAttributesUpdated, {AddressTopic(ctx.sender())},
                    abi::Encoder().String(FormatAttributes(p->attributes)).Finish()));
  return Bytes();
}

// deregisterProvider()
Result<Bytes> ComputeMarket::DeregisterProvider(ModuleContext& ctx, abi::Decoder&) const {
  auto p = LoadProvider(ctx, ctx.sender());
  if (!p.ok()) return p.status();
  if (p->active_leases != 0 || p->open_bids != 0) {
    return Rule("compute-provider-busy", "deregistering needs no active lease and no open bid (" +
                                             std::to_string(p->active_leases) + " leases, " +
                                             std::to_string(p->open_bids) + " bids)");
  }
  DEPIN_RETURN_IF_ERROR(ctx.Erase(ProviderKey(ctx.sender())));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(ctx.sender(), p->stake));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kProviderDeregistered, {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(p->stake).Finish()));
  return Bytes();
}

// signAttributes(address provider, string keys): keys comma-separated.
Result<Bytes> ComputeMarket::SignAttributes(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto keys = args.String(kMaxAttributesBytes);
  if (!keys.ok()) return keys.status();
  auto p = LoadProvider(ctx, *who);
  if (!p.ok()) return p.status();
  Attestation a;
  a.registered_at = p->registered_at;
  a.signed_at = ctx.block().height;
  std::string_view rest = *keys;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string key(rest.substr(0, comma));
    auto value = AttributeValue(p->attributes, key);
    if (!value) {
      return Rule("compute-bad-attestation", "the provider has no attribute '" + key + "'");
    }
    if (std::any_of(a.pairs.begin(), a.pairs.end(),
                    [&](const auto& kv) { return kv.first == key; })) {
      return Rule("compute-bad-attestation", "key " + key + " given twice");
    }
    a.pairs.emplace_back(key, *value);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  std::sort(a.pairs.begin(), a.pairs.end());
  DEPIN_RETURN_IF_ERROR(ctx.Put(AttestationKey(*who, ctx.sender()), a.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kAttributesSigned,
                                      {AddressTopic(*who), AddressTopic(ctx.sender())},
                                      abi::Encoder().String(a.Text()).Finish()));
  return Bytes();
}

// createOrder(string spec, uint256 maxPricePerBlock, uint256 durationBlocks,
//             uint256 biddingWindow, address[] requiredAuditors, uint256 dataDealId,
//             bytes32 manifestHash, bytes tenantPubKey) payable -> uint256 orderId
Result<Bytes> ComputeMarket::CreateOrder(ModuleContext& ctx, abi::Decoder& args) const {
  auto spec_text = args.String(kMaxSpecBytes);
  if (!spec_text.ok()) return spec_text.status();
  auto max_price = args.Uint();
  if (!max_price.ok()) return max_price.status();
  auto duration = args.Uint();
  if (!duration.ok()) return duration.status();
  auto window = args.Uint();
  if (!window.ok()) return window.status();
  auto auditors = args.AddressArray(kMaxRequiredAuditors);
  if (!auditors.ok()) {
    if (auditors.status().code() == "abi-too-long") {
      return Rule("compute-bad-auditors",
                  "at most " + std::to_string(kMaxRequiredAuditors) + " required auditors");
    }
    return auditors.status();
  }
  auto deal = args.Uint64();
  if (!deal.ok()) return deal.status();
  auto manifest = args.Bytes32();
  if (!manifest.ok()) return manifest.status();
  auto key = args.Bytes(65);
  if (!key.ok()) return key.status();

  auto spec = ParseSpec(*spec_text, /*need_gpu=*/true);
  if (!spec.ok()) return spec.status();
  if (max_price->IsZero()) return Rule("compute-bad-price", "max price per block is zero");
  if (duration->IsZero() || *duration > Uint256(params_.max_lease_blocks)) {
    return Rule("compute-bad-duration",
                "the term is 1.." + std::to_string(params_.max_lease_blocks) + " blocks");
  }
  const uint64_t term = duration->Low64();
  const uint64_t w = window->IsZero() ? params_.bidding_window_blocks
                                      : (window->FitsUint64() ? window->Low64() : ~uint64_t{0});
  if (w > params_.max_bidding_window_blocks) {
    return Rule("compute-bad-window",
                "the bidding window is 1.." + std::to_string(params_.max_bidding_window_blocks) +
                    " blocks (0: " + std::to_string(params_.bidding_window_blocks) + ")");
  }
  for (size_t i = 0; i < auditors->size(); ++i) {
    if ((*auditors)[i] == Address() ||
        std::find(auditors->begin(), auditors->begin() + static_cast<ptrdiff_t>(i),
                  (*auditors)[i]) != auditors->begin() + static_cast<ptrdiff_t>(i)) {
      return Rule("compute-bad-auditors", "a required auditor is zero or given twice");
    }
  }
  auto pub = crypto::ParsePublicKey(*key);
  if (key->size() == 64) {
    Bytes prefixed{0x04};
    prefixed.insert(prefixed.end(), key->begin(), key->end());
    pub = crypto::ParsePublicKey(prefixed);
  }
  if (!pub.ok() || Address::FromPublicKey(*pub) != ctx.sender()) {
    return Rule("compute-bad-pubkey",
                "tenantPubKey must be the sender's own secp256k1 public key (33, 64 or 65 bytes)");
  }
  auto full = CheckedMul(*max_price, Uint256(term));
  if (!full) return Rule("compute-overflow", "max price x duration overflows");
  const Uint256 least = *CheckedMul(*max_price, Uint256(std::min(term, params_.min_escrow_blocks)));
  if (ctx.value() < least) {
    return Rule("compute-escrow-too-low",
                "the escrow must cover " +
                    std::to_string(std::min(term, params_.min_escrow_blocks)) +
                    " blocks at the max price: " + least.ToDecimal() + " wei");
  }
  if (ctx.value() > *full) {
    return Rule("compute-escrow-over-term", "the escrow exceeds the whole term at the max price: " +
                                                full->ToDecimal() + " wei");
  }
  if (*deal != 0) {
    auto service = QueryDealService(ctx, *deal);
    if (!service.ok()) return service.status();
    if (!service->has_value()) {
      return Rule("compute-unknown-deal", "no storage deal " + std::to_string(*deal));
    }
  }
  auto id = NextId(ctx, NextOrderIdKey());
  if (!id.ok()) return id.status();
  const uint64_t h = ctx.block().height;
  Order o;
  o.tenant = ctx.sender();
  o.spec = FormatSpec(*spec);
  o.max_price = *max_price;
  o.duration = term;
  o.bidding_end = h + w;
  o.auditors = std::move(auditors).value();
  o.data_deal_id = *deal;
  o.manifest_hash = *manifest;
  o.tenant_key = *pub;
  o.escrow = ctx.value();
  o.created_at = h;
  DEPIN_RETURN_IF_ERROR(ctx.Put(OrderKey(*id), o.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Put(TenantOrderKey(o.tenant, *id), Bytes{1}));
  // The award at the window's end happens whatever anyone does.
  DEPIN_RETURN_IF_ERROR(ctx.ScheduleDeferred(o.bidding_end, AwardJob(*id), AwardGas()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kOrderCreated, {UintTopic(*id), AddressTopic(o.tenant)},
                                      abi::Encoder()
                                          .String(o.spec)
                                          .Uint(o.max_price)
                                          .Uint(o.duration)
                                          .Uint(o.bidding_end)
                                          .Uint(o.escrow)
                                          .Finish()));
  return abi::Encoder().Uint(*id).Finish();
}

// cancelOrder(uint256 orderId)
Result<Bytes> ComputeMarket::CancelOrder(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto o = LoadOrder(ctx, *id);
  if (!o.ok()) return o.status();
  if (o->tenant != ctx.sender()) {
    return Rule("compute-not-order-tenant", "only the order's tenant may cancel it");
  }
  DEPIN_RETURN_IF_ERROR(RequireOpen(*id, *o));
  // Every open bid goes back: the bidders did nothing wrong.
  DEPIN_RETURN_IF_ERROR(ForEachOpenBid(
      ctx, *id, params_.max_bids_per_order,
      [&](uint64_t bid_id, Bid& b) { return EndBid(ctx, bid_id, b, BidState::kLost); }));
  DEPIN_RETURN_IF_ERROR(CancelIfQueued(ctx, o->bidding_end, AwardJob(*id)));
  const Uint256 refund = o->escrow;
  o->state = OrderState::kCancelled;
  o->escrow = Uint256();
  o->open_bids = 0;
  o->ended_at = ctx.block().height;
  DEPIN_RETURN_IF_ERROR(ctx.Put(OrderKey(*id), o->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(o->tenant, refund));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(
      kOrderEnded, {UintTopic(*id)},
      abi::Encoder().Uint(static_cast<uint8_t>(OrderState::kCancelled)).Uint(refund).Finish()));
  return Bytes();
}

Result<std::optional<std::string>> ComputeMarket::Mismatch(ModuleContext& ctx, const Address& who,
                                                           const Provider& p, const Order& order,
                                                           const OrderSpec& spec) const {
  auto local = DataLocalMismatch(ctx, who, order);
  if (!local.ok() || local->has_value()) return local;
  if (auto failed = FirstFailedClause(spec, p.attributes, p.FreeGpus())) {
    return std::optional<std::string>(*failed);
  }
  const std::vector<std::string> keys = SpecKeys(spec);
  for (const Address& auditor : order.auditors) {
    auto a = LoadRecord<Attestation>(ctx, AttestationKey(who, auditor));
    if (!a.ok()) return a.status();
    if (!a->has_value()) {
      return std::optional<std::string>("auditor " + auditor.ToChecksumHex() + ": no attestation");
    }
    if (!(*a)->ValidFor(p)) {
      return std::optional<std::string>("auditor " + auditor.ToChecksumHex() +
                                        ": attestation lapsed (an attested value changed)");
    }
    if (!(*a)->Covers(keys)) {
      return std::optional<std::string>("auditor " + auditor.ToChecksumHex() +
                                        ": attestation does not cover the keys the spec reads");
    }
  }
  return std::optional<std::string>();
}

// bid(uint256 orderId, uint256 pricePerBlock, string gpuModel) payable -> uint256 bidId
Result<Bytes> ComputeMarket::PlaceBid(ModuleContext& ctx, abi::Decoder& args) const {
  auto order_id = args.Uint64();
  if (!order_id.ok()) return order_id.status();
  auto price = args.Uint();
  if (!price.ok()) return price.status();
  auto model_text = args.String(kMaxAttributeValueBytes);
  if (!model_text.ok()) return model_text.status();
  auto o = LoadOrder(ctx, *order_id);
  if (!o.ok()) return o.status();
  const uint64_t h = ctx.block().height;
  if (o->state != OrderState::kOpen || h > o->bidding_end) {
    return Rule("compute-bidding-closed", "order " + std::to_string(*order_id) + " takes no bids");
  }
  auto p = LoadProvider(ctx, ctx.sender());
  if (!p.ok()) return p.status();
  if (price->IsZero()) return Rule("compute-bid-zero", "the price per block is zero");
  if (*price > o->max_price) {
    return Rule("compute-bid-above-max-price",
                price->ToDecimal() + " wei exceeds the order's " + o->max_price.ToDecimal());
  }
  if (ctx.value() != params_.bid_deposit) {
    return Rule("compute-bad-bid-deposit",
                "send exactly the bid deposit: " + params_.bid_deposit.ToDecimal() + " wei");
  }
  auto spec = ParseSpec(o->spec, /*need_gpu=*/true);
  if (!spec.ok()) return Corrupt("order spec");
  const std::string model = NormalizeGpuModel(*model_text);
  if (!spec->models.empty() &&
      std::find(spec->models.begin(), spec->models.end(), model) == spec->models.end()) {
    return Rule("compute-bid-model-not-accepted", "the order does not accept '" + model + "'");
  }
  if (AttributeValue(p->attributes, "gpu.model") != model) {
    return Rule("compute-bid-model-not-offered", "the provider's GPUs are not '" + model + "'");
  }
  auto mismatch = Mismatch(ctx, ctx.sender(), *p, *o, *spec);
  if (!mismatch.ok()) return mismatch.status();
  if (mismatch->has_value()) {
    const bool audit = (*mismatch)->rfind("auditor", 0) == 0;
    const bool local = (*mismatch)->rfind("data-local", 0) == 0;
    return Rule(audit   ? "compute-provider-unattested"
                : local ? "compute-bid-not-data-local"
                        : "compute-provider-mismatch",
                **mismatch);
  }
  auto prior = ctx.Get(BidderKey(*order_id, ctx.sender()));
  if (!prior.ok()) return prior.status();
  if (prior->has_value()) {
    return Rule("compute-already-bid", "the provider has an open bid on this order");
  }
  if (o->open_bids >= params_.max_bids_per_order) {
    return Rule("compute-too-many-bids",
                "the order has " + std::to_string(params_.max_bids_per_order) + " open bids");
  }
  auto id = NextId(ctx, NextBidIdKey());
  if (!id.ok()) return id.status();
  Bid b;
  b.order_id = *order_id;
  b.provider = ctx.sender();
  b.price = *price;
  b.gpu_model = model;
  b.deposit = ctx.value();
  b.placed_at = h;
  o->open_bids++;
  p->open_bids++;
  DEPIN_RETURN_IF_ERROR(ctx.Put(BidKey(*id), b.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Put(OrderBidKey(*order_id, *id), Bytes{1}));
  DEPIN_RETURN_IF_ERROR(ctx.Put(OpenBidKey(*order_id, *id), Bytes{1}));
  auto idb = KeyId(*id);
  DEPIN_RETURN_IF_ERROR(ctx.Put(BidderKey(*order_id, ctx.sender()), Bytes(idb.begin(), idb.end())));
  DEPIN_RETURN_IF_ERROR(ctx.Put(OrderKey(*order_id), o->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p->Encode()));
  DEPIN_RETURN_IF_ERROR(
      ctx.EmitEvent(kBidPlaced, {UintTopic(*id), UintTopic(*order_id), AddressTopic(ctx.sender())},
                    abi::Encoder().Uint(b.price).String(b.gpu_model).Finish()));
  return abi::Encoder().Uint(*id).Finish();
}

// A bid leaves the open set: withdrawn or lost (deposit back), or won (the
// deposit moves into the lease; the caller writes the bid).
Status ComputeMarket::EndBid(ModuleContext& ctx, uint64_t bid_id, Bid& bid, BidState state) const {
  auto p = LoadProvider(ctx, bid.provider);
  if (!p.ok()) return p.status();
  if (p->open_bids == 0) return Corrupt("provider bid count");
  p->open_bids--;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(bid.provider), p->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Erase(OpenBidKey(bid.order_id, bid_id)));
  DEPIN_RETURN_IF_ERROR(ctx.Erase(BidderKey(bid.order_id, bid.provider)));
  bid.state = state;
  DEPIN_RETURN_IF_ERROR(ctx.Put(BidKey(bid_id), bid.Encode()));
  if (state == BidState::kWon) return Status::Ok();
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(bid.provider, bid.deposit));
  return ctx.EmitEvent(kBidEnded, {UintTopic(bid_id)},
                       abi::Encoder().Uint(static_cast<uint8_t>(state)).Uint(bid.deposit).Finish());
}

// withdrawBid(uint256 bidId)
Result<Bytes> ComputeMarket::WithdrawBid(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto b = LoadBid(ctx, *id);
  if (!b.ok()) return b.status();
  if (b->provider != ctx.sender()) {
    return Rule("compute-not-bid-owner", "only the bid's provider may withdraw it");
  }
  DEPIN_RETURN_IF_ERROR(RequireOpen(*id, *b));
  auto o = LoadOrder(ctx, b->order_id);
  if (!o.ok()) return o.status();
  if (o->open_bids == 0) return Corrupt("order bid count");
  o->open_bids--;
  DEPIN_RETURN_IF_ERROR(ctx.Put(OrderKey(b->order_id), o->Encode()));
  DEPIN_RETURN_IF_ERROR(EndBid(ctx, *id, *b, BidState::kWithdrawn));
  return Bytes();
}

Status ComputeMarket::Award(ModuleContext& ctx, uint64_t id, Order& order,
                            std::optional<uint64_t> winner) const {
  auto spec = ParseSpec(order.spec, /*need_gpu=*/true);
  if (!spec.ok()) return Corrupt("order spec");
  std::vector<std::pair<uint64_t, Bid>> bids;
  DEPIN_RETURN_IF_ERROR(
      ForEachOpenBid(ctx, id, params_.max_bids_per_order, [&](uint64_t bid_id, Bid& b) {
        bids.emplace_back(bid_id, std::move(b));
        return Status::Ok();
      }));
  if (!winner) {
    // Lowest price whose provider still has the GPUs; bids are in id order,
    // so a strict '<' keeps the earliest of equal prices.
    for (const auto& [bid_id, b] : bids) {
      auto p = LoadRecord<Provider>(ctx, ProviderKey(b.provider));
      if (!p.ok()) return p.status();
      if (!p->has_value() || (*p)->FreeGpus() < spec->count) continue;
      if (!winner) {
        winner = bid_id;
        continue;
      }
      const auto best =
          std::find_if(bids.begin(), bids.end(), [&](const auto& x) { return x.first == *winner; });
      if (b.price < best->second.price) winner = bid_id;
    }
  }
  for (auto& [bid_id, b] : bids) {
    if (winner && bid_id == *winner) continue;
    DEPIN_RETURN_IF_ERROR(EndBid(ctx, bid_id, b, BidState::kLost));
  }
  const uint64_t h = ctx.block().height;
  order.open_bids = 0;
  order.ended_at = h;
  if (!winner) {
    const Uint256 refund = order.escrow;
    order.state = OrderState::kClosed;
    order.escrow = Uint256();
    DEPIN_RETURN_IF_ERROR(ctx.Put(OrderKey(id), order.Encode()));
    DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(order.tenant, refund));
    return ctx.EmitEvent(
        kOrderEnded, {UintTopic(id)},
        abi::Encoder().Uint(static_cast<uint8_t>(OrderState::kClosed)).Uint(refund).Finish());
  }
  auto it =
      std::find_if(bids.begin(), bids.end(), [&](const auto& x) { return x.first == *winner; });
  if (it == bids.end()) return Corrupt("winning bid");
  Bid& won = it->second;
  DEPIN_RETURN_IF_ERROR(EndBid(ctx, *winner, won, BidState::kWon));
  auto p = LoadProvider(ctx, won.provider);
  if (!p.ok()) return p.status();
  p->active_leases++;
  p->leased_gpus += spec->count;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(won.provider), p->Encode()));
  Lease l;
  l.tenant = order.tenant;
  l.provider = won.provider;
  l.bid_id = *winner;
  l.gpu_model = won.gpu_model;
  l.gpu_count = spec->count;
  l.price = won.price;
  l.start = h;
  l.term_end = h + order.duration;
  l.deposited = order.escrow;
  l.bid_deposit = won.deposit;
  l.deal_id = order.data_deal_id;
  l.served_to = h;
  order.state = OrderState::kLeased;
  order.escrow = Uint256();
  DEPIN_RETURN_IF_ERROR(ctx.Put(OrderKey(id), order.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Put(TenantLeaseKey(l.tenant, id), Bytes{1}));
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderLeaseKey(l.provider, id), Bytes{1}));
  DEPIN_RETURN_IF_ERROR(ScheduleClose(ctx, id, l));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(
      kLeaseCreated, {UintTopic(id), AddressTopic(l.tenant), AddressTopic(l.provider)},
      abi::Encoder()
          .Uint(l.bid_id)
          .Uint(l.price)
          .Uint(l.start)
          .Uint(l.term_end)
          .Uint(l.FundedUntil())
          .Finish()));
  return MaybeLowEscrow(ctx, id, l);
}

// Queues the lease's close at its projected end and writes the lease.
Status ComputeMarket::ScheduleClose(ModuleContext& ctx, uint64_t id, Lease& lease) const {
  const uint64_t end = lease.FundedUntil();
  if (lease.close_job != end) {
    if (lease.close_job > ctx.block().height) {
      DEPIN_RETURN_IF_ERROR(CancelIfQueued(ctx, lease.close_job, CloseJob(id)));
    }
    DEPIN_RETURN_IF_ERROR(
        ctx.ScheduleDeferred(end, CloseJob(id), consensus::kComputeLeaseCloseGas));
    lease.close_job = end;
  }
  return ctx.Put(LeaseKey(id), lease.Encode());
}

Status ComputeMarket::MaybeLowEscrow(ModuleContext& ctx, uint64_t id, const Lease& lease) const {
  const uint64_t h = ctx.block().height;
  const uint64_t end = lease.FundedUntil();
  if (lease.state != LeaseState::kActive || end >= lease.term_end || end <= h ||
      end - h >= params_.low_escrow_blocks) {
    return Status::Ok();
  }
  auto remaining = Sub(lease.deposited, lease.Accrued(h), "escrow");
  if (!remaining.ok()) return remaining.status();
  return ctx.EmitEvent(kLowEscrow, {UintTopic(id)},
                       abi::Encoder().Uint(*remaining).Uint(end - h).Finish());
}

// acceptBid(uint256 bidId)
Result<Bytes> ComputeMarket::AcceptBid(ModuleContext& ctx, abi::Decoder& args) const {
  auto bid_id = args.Uint64();
  if (!bid_id.ok()) return bid_id.status();
  auto b = LoadBid(ctx, *bid_id);
  if (!b.ok()) return b.status();
  auto o = LoadOrder(ctx, b->order_id);
  if (!o.ok()) return o.status();
  if (o->tenant != ctx.sender()) {
    return Rule("compute-not-order-tenant", "only the order's tenant may accept a bid");
  }
  DEPIN_RETURN_IF_ERROR(RequireOpen(b->order_id, *o));
  DEPIN_RETURN_IF_ERROR(RequireOpen(*bid_id, *b));
  auto p = LoadProvider(ctx, b->provider);
  if (!p.ok()) return p.status();
  auto spec = ParseSpec(o->spec, /*need_gpu=*/true);
  if (!spec.ok()) return Corrupt("order spec");
  if (p->FreeGpus() < spec->count) {
    return Rule("compute-provider-no-capacity",
                "the provider has " + std::to_string(p->FreeGpus()) +
                    " free GPUs, the order wants " + std::to_string(spec->count));
  }
  DEPIN_RETURN_IF_ERROR(CancelIfQueued(ctx, o->bidding_end, AwardJob(b->order_id)));
  DEPIN_RETURN_IF_ERROR(Award(ctx, b->order_id, *o, *bid_id));
  return Bytes();
}

Result<std::optional<std::string>> ComputeMarket::DataLocalMismatch(ModuleContext& ctx,
                                                                    const Address& who,
                                                                    const Order& order) const {
  if (order.data_deal_id == 0) return std::optional<std::string>();
  auto service = QueryDealService(ctx, order.data_deal_id);
  if (!service.ok()) return service.status();
  const std::string deal = "data-local: storage deal " + std::to_string(order.data_deal_id);
  if (!service->has_value()) return std::optional<std::string>(deal + " does not exist");
  if ((*service)->provider != who) {
    return std::optional<std::string>(deal + " is stored by " +
                                      (*service)->provider.ToChecksumHex());
  }
  if (!(*service)->active) {
    return std::optional<std::string>(deal + " is not in an active sector");
  }
  return std::optional<std::string>();
}

Result<ComputeMarket::Resolution> ComputeMarket::Resolve(ModuleContext& ctx, const Lease& lease,
                                                         uint64_t h) const {
  Resolution none;
  none.to = lease.served_to;
  const uint64_t until = std::min(h, lease.End());
  if (!lease.DataLocal() || until <= lease.served_to) return none;
  return ctx.Query<storage::StorageQueries>(
      storage::StorageQueriesAddress(),
      [&](const storage::StorageQueries& q, ModuleContext& storage_ctx) -> Result<Resolution> {
        auto service = q.GetDealService(storage_ctx, lease.deal_id);
        if (!service.ok()) return service.status();
        if (!service->has_value()) return Corrupt("lease's storage deal");
        const uint64_t to = std::min(until, (*service)->known_until);
        if (to <= lease.served_to) return none;
        auto unserved = q.UnservedBlocks(storage_ctx, lease.deal_id, lease.served_to, to);
        if (!unserved.ok()) return unserved.status();
        const uint64_t blocks = to - lease.served_to;
        if (*unserved > blocks) return Corrupt("unserved blocks");
        Resolution r;
        r.to = to;
        r.served = *CheckedMul(lease.price, Uint256(blocks - *unserved));
        r.unserved = *CheckedMul(lease.price, Uint256(*unserved));
        return r;
      });
}

Status ComputeMarket::ResolveService(ModuleContext& ctx, uint64_t id, Lease& lease,
                                     uint64_t h) const {
  auto r = Resolve(ctx, lease, h);
  if (!r.ok()) return r.status();
  if (r->to == lease.served_to) return Status::Ok();
  // Both parts come out of what the escrow paid for (price x blocks), so
  // neither sum can pass `deposited`.
  lease.served_to = r->to;
  lease.served_pay = *CheckedAdd(lease.served_pay, r->served);
  lease.refunded = *CheckedAdd(lease.refunded, r->unserved);
  if (r->unserved.IsZero()) return Status::Ok();
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(lease.tenant, r->unserved));
  return ctx.EmitEvent(kUnservedRefunded, {UintTopic(id), AddressTopic(lease.tenant)},
                       abi::Encoder().Uint(r->unserved).Uint(r->to).Finish());
}

Status ComputeMarket::Close(ModuleContext& ctx, uint64_t id, Lease& lease, uint64_t at,
                            uint64_t reason, bool forfeit) const {
  const uint64_t h = ctx.block().height;
  lease.state = LeaseState::kClosed;
  lease.closed_at = at;
  lease.reason = reason;
  // A data-local lease pays what is settled as served so far; the rest of
  // what the escrow paid for stays here until the storage market settles
  // it (withdrawLease then resolves it).
  DEPIN_RETURN_IF_ERROR(ResolveService(ctx, id, lease, at));
  const Uint256 earned = lease.Earned(at);
  auto to_provider = Sub(earned, lease.withdrawn, "unwithdrawn pay");
  if (!to_provider.ok()) return to_provider.status();
  auto refund = Sub(lease.deposited, lease.Accrued(at), "escrow left");
  if (!refund.ok()) return refund.status();
  lease.withdrawn = earned;
  const Uint256 deposit = lease.bid_deposit;
  lease.bid_deposit = Uint256();
  if (lease.close_job > h) {
    DEPIN_RETURN_IF_ERROR(CancelIfQueued(ctx, lease.close_job, CloseJob(id)));
  }
  lease.close_job = 0;
  DEPIN_RETURN_IF_ERROR(ctx.Put(LeaseKey(id), lease.Encode()));
  auto p = LoadProvider(ctx, lease.provider);
  if (!p.ok()) return p.status();
  if (p->active_leases == 0 || p->leased_gpus < lease.gpu_count) {
    return Corrupt("provider lease counts");
  }
  p->active_leases--;
  p->leased_gpus -= lease.gpu_count;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(lease.provider), p->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(lease.provider, *to_provider));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(lease.tenant, *refund));
  if (forfeit) {
    DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(lease.tenant, deposit));
    DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kBidDepositForfeited,
                                        {UintTopic(id), AddressTopic(lease.tenant)},
                                        abi::Encoder().Uint(deposit).Finish()));
  } else {
    DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(lease.provider, deposit));
  }
  return ctx.EmitEvent(kLeaseClosed, {UintTopic(id)},
                       abi::Encoder().Uint(reason).Uint(at).Uint(earned).Uint(*refund).Finish());
}

// depositEscrow(uint256 leaseId) payable
Result<Bytes> ComputeMarket::DepositEscrow(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  if (l->tenant != ctx.sender()) {
    return Rule("compute-not-lease-tenant", "only the lease's tenant may deposit escrow");
  }
  DEPIN_RETURN_IF_ERROR(RequireOpenAt(*id, *l, ctx.block().height));
  if (ctx.value().IsZero()) return Rule("compute-bad-deposit", "the deposit is zero");
  auto deposited = Add(l->deposited, ctx.value());
  if (!deposited.ok()) return deposited.status();
  const Uint256 full = *CheckedMul(l->price, Uint256(l->term_end - l->start));
  if (*deposited > full) {
    return Rule("compute-escrow-over-term",
                "the escrow would exceed the whole term's price: " + full.ToDecimal() + " wei");
  }
  l->deposited = *deposited;
  DEPIN_RETURN_IF_ERROR(ScheduleClose(ctx, *id, *l));
  DEPIN_RETURN_IF_ERROR(
      ctx.EmitEvent(kEscrowDeposited, {UintTopic(*id)},
                    abi::Encoder().Uint(ctx.value()).Uint(l->FundedUntil()).Finish()));
  DEPIN_RETURN_IF_ERROR(MaybeLowEscrow(ctx, *id, *l));
  return Bytes();
}

// withdrawLease(uint256 leaseId) -> uint256 amount
Result<Bytes> ComputeMarket::WithdrawLease(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  const bool provider = l->provider == ctx.sender();
  const bool tenant = l->tenant == ctx.sender() && l->DataLocal();
  if (!provider && !tenant) {
    return Rule("compute-not-lease-provider",
                "only the lease's provider may withdraw its pay (and a data-local lease's "
                "tenant its refunds)");
  }
  const uint64_t h = ctx.block().height;
  const Uint256 withdrawn_before = l->withdrawn;
  const Uint256 refunded_before = l->refunded;
  if (l->state == LeaseState::kActive && l->ClosedAt(h)) {
    // The escrow or the term ran out: settle the close it owes.
    DEPIN_RETURN_IF_ERROR(Close(ctx, *id, *l, l->FundedUntil(), l->NaturalReason(), false));
  } else {
    DEPIN_RETURN_IF_ERROR(ResolveService(ctx, *id, *l, h));
    const Uint256 earned = l->Earned(h);
    auto due = Sub(earned, l->withdrawn, "unwithdrawn pay");
    if (!due.ok()) return due.status();
    l->withdrawn = earned;
    DEPIN_RETURN_IF_ERROR(ctx.Put(LeaseKey(*id), l->Encode()));
    DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(l->provider, *due));
    if (l->state == LeaseState::kActive) DEPIN_RETURN_IF_ERROR(MaybeLowEscrow(ctx, *id, *l));
  }
  const Uint256 to_provider = *CheckedSub(l->withdrawn, withdrawn_before);
  const Uint256 to_tenant = *CheckedSub(l->refunded, refunded_before);
  if (to_provider.IsZero() && to_tenant.IsZero()) {
    return Rule("compute-nothing-to-withdraw", "the lease owes nothing now");
  }
  if (!to_provider.IsZero()) {
    DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kLeaseWithdrawn,
                                        {UintTopic(*id), AddressTopic(l->provider)},
                                        abi::Encoder().Uint(to_provider).Finish()));
  }
  return abi::Encoder().Uint(provider ? to_provider : to_tenant).Finish();
}

// closeLease(uint256 leaseId, uint256 reason)
Result<Bytes> ComputeMarket::CloseLease(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto reason = args.Uint();
  if (!reason.ok()) return reason.status();
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  const bool tenant = ctx.sender() == l->tenant;
  const bool provider = ctx.sender() == l->provider;
  if (!tenant && !provider) {
    return Rule("compute-not-lease-party", "only the lease's tenant or provider may close it");
  }
  const uint64_t r = reason->FitsUint64() ? reason->Low64() : ~uint64_t{0};
  const bool tenant_band = r >= kTenantReasonMin && r <= kTenantReasonMax;
  const bool provider_band = r >= kProviderReasonMin && r <= kProviderReasonMax;
  if ((tenant && !tenant_band) || (!tenant && !provider_band)) {
    return Rule("compute-bad-reason", tenant ? "a tenant closes with a reason in 1-9999"
                                             : "a provider closes with a reason in 10000-19999");
  }
  const uint64_t h = ctx.block().height;
  DEPIN_RETURN_IF_ERROR(RequireOpenAt(*id, *l, h));
  DEPIN_RETURN_IF_ERROR(Close(ctx, *id, *l, h, r, /*forfeit=*/!tenant));
  return Bytes();
}

// postAccessDetails(uint256 leaseId, bytes box)
Result<Bytes> ComputeMarket::PostAccessDetails(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto box = args.Bytes(kMaxAccessDetailsBytes + crypto::kAccessBoxOverhead);
  if (!box.ok()) {
    if (box.status().code() == "abi-too-long") {
      return Rule("compute-access-too-long", "access details are at most " +
                                                 std::to_string(kMaxAccessDetailsBytes) +
                                                 " bytes before sealing");
    }
    return box.status();
  }
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  if (l->provider != ctx.sender()) {
    return Rule("compute-not-lease-provider", "only the lease's provider posts access details");
  }
  if (l->ClosedAt(ctx.block().height)) {
    return Rule("compute-lease-closed", "lease " + std::to_string(*id) + " is closed");
  }
  if (box->size() < crypto::kAccessBoxOverhead || (*box)[0] != crypto::kAccessBoxVersion) {
    return Rule("compute-bad-access-box", "not a sealed access box (crypto/access_box.h)");
  }
  l->access = *box;
  DEPIN_RETURN_IF_ERROR(ctx.Put(LeaseKey(*id), l->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kAccessDetailsPosted,
                                      {UintTopic(*id), AddressTopic(l->tenant)},
                                      abi::Encoder().Bytes(*box).Finish()));
  return Bytes();
}

Status ComputeMarket::RunDeferred(ModuleContext& ctx, uint64_t, ByteSpan key) const {
  if (key.size() != 9) return Corrupt("deferred key");
  const uint64_t id = ReadBE64(key.data() + 1);
  if (key[0] == 'W') {
    auto o = LoadOrder(ctx, id);
    if (!o.ok()) return o.status();
    if (o->state != OrderState::kOpen) return Status::Ok();
    return Award(ctx, id, *o, std::nullopt);
  }
  if (key[0] == 'C') {
    auto l = LoadLease(ctx, id);
    if (!l.ok()) return l.status();
    if (!l->ClosedAt(ctx.block().height) || l->state == LeaseState::kClosed) return Status::Ok();
    return Close(ctx, id, *l, l->FundedUntil(), l->NaturalReason(), /*forfeit=*/false);
  }
  return Corrupt("deferred key");
}

// --- Views ---------------------------------------------------------------------

Result<Bytes> ComputeMarket::GetProvider(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto p = LoadRecord<Provider>(ctx, ProviderKey(*who));
  if (!p.ok()) return p.status();
  const Provider v = p->value_or(Provider());
  return abi::Encoder()
      .Bool(p->has_value())
      .String(v.host_uri)
      .String(FormatAttributes(v.attributes))
      .Uint(v.stake)
      .Uint(v.active_leases)
      .Uint(v.leased_gpus)
      .Uint(v.open_bids)
      .Uint(v.registered_at)
      .Finish();
}

Result<Bytes> ComputeMarket::GetAttestation(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto auditor = args.Address();
  if (!auditor.ok()) return auditor.status();
  auto a = LoadRecord<Attestation>(ctx, AttestationKey(*who, *auditor));
  if (!a.ok()) return a.status();
  auto p = LoadRecord<Provider>(ctx, ProviderKey(*who));
  if (!p.ok()) return p.status();
  const Attestation v = a->value_or(Attestation());
  const bool valid = a->has_value() && p->has_value() && v.ValidFor(**p);
  return abi::Encoder()
      .Bool(a->has_value())
      .String(v.Text())
      .Bool(valid)
      .Uint(v.signed_at)
      .Finish();
}

// listProviders(string filter, address after, uint256 limit) -> address[]
Result<Bytes> ComputeMarket::ListProviders(ModuleContext& ctx, abi::Decoder& args) const {
  auto filter_text = args.String(kMaxSpecBytes);
  if (!filter_text.ok()) return filter_text.status();
  auto page = consensus::AddressPage::Decode(args);
  if (!page.ok()) return page.status();
  const bool filtered = !filter_text->empty();
  auto filter = ParseSpec(*filter_text, /*need_gpu=*/false);
  if (!filter.ok()) return filter.status();
  // A filter without a count clause lists providers whatever their free GPUs.
  const std::string clauses = ";" + *filter_text;
  if (clauses.find(";count=") == std::string::npos) filter->count = 0;
  const size_t want = page->capped_limit();
  std::vector<Address> out;
  Bytes start_after = page->StartAfter('P');
  while (out.size() < want) {
    auto entries = consensus::ScanAddressRecords(ctx, kRules, 'P', start_after, want - out.size(),
                                                 "provider key");
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    for (const consensus::AddressRecord& e : *entries) {
      start_after = ProviderKey(e.address);
      if (filtered) {
        auto p = Provider::Decode(e.value);
        if (!p.ok()) return p.status();
        if (FirstFailedClause(*filter, p->attributes, p->FreeGpus())) continue;
      }
      out.push_back(e.address);
    }
  }
  return abi::Encoder().AddressArray(out).Finish();
}

Result<Bytes> ComputeMarket::GetOrder(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto o = LoadOrder(ctx, *id);
  if (!o.ok()) return o.status();
  return abi::Encoder()
      .Address(o->tenant)
      .String(o->spec)
      .Uint(o->max_price)
      .Uint(o->duration)
      .Uint(o->bidding_end)
      .AddressArray(o->auditors)
      .Uint(o->data_deal_id)
      .Bytes32(o->manifest_hash)
      .Bytes(ByteSpan(o->tenant_key.data(), o->tenant_key.size()))
      .Uint(o->escrow)
      .Uint(static_cast<uint8_t>(o->state))
      .Uint(o->open_bids)
      .Uint(o->created_at)
      .Finish();
}

// listOrders(address tenant, uint8 state, uint256 afterId, uint256 limit) -> uint256[]
Result<Bytes> ComputeMarket::ListOrders(ModuleContext& ctx, abi::Decoder& args) const {
  auto tenant = args.Address();
  if (!tenant.ok()) return tenant.status();
  auto state = args.Uint64();
  if (!state.ok()) return state.status();
  auto page = consensus::IdPage::Decode(args);
  if (!page.ok()) return page.status();
  if (*state > 4) return Rule("compute-bad-state", "order states are 1..4 (0: any)");
  const Bytes prefix = *tenant == Address() ? Bytes{'O'} : RecordKey('o', {tenant->span()});
  auto ids = consensus::ListIds(ctx, kRules, prefix, *page, [&](uint64_t id) -> Result<bool> {
    if (*state == 0) return true;
    auto o = LoadOrder(ctx, id);
    if (!o.ok()) return o.status();
    return static_cast<uint64_t>(o->state) == *state;
  });
  if (!ids.ok()) return ids.status();
  return abi::Encoder().UintArray(*ids).Finish();
}

Result<Bytes> ComputeMarket::GetBid(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto b = LoadBid(ctx, *id);
  if (!b.ok()) return b.status();
  return abi::Encoder()
      .Uint(b->order_id)
      .Address(b->provider)
      .Uint(b->price)
      .String(b->gpu_model)
      .Uint(b->deposit)
      .Uint(static_cast<uint8_t>(b->state))
      .Uint(b->placed_at)
      .Finish();
}

// listBids(uint256 orderId, uint256 afterId, uint256 limit) -> uint256[]
Result<Bytes> ComputeMarket::ListBids(ModuleContext& ctx, abi::Decoder& args) const {
  auto order = args.Uint64();
  if (!order.ok()) return order.status();
  auto page = consensus::IdPage::Decode(args);
  if (!page.ok()) return page.status();
  auto o = LoadOrder(ctx, *order);
  if (!o.ok()) return o.status();
  auto ids = consensus::ScanIds(ctx, kRules, RecordKey('b', {KeyId(*order)}), page->after,
                                page->capped_limit());
  if (!ids.ok()) return ids.status();
  return abi::Encoder().UintArray(std::vector<Uint256>(ids->begin(), ids->end())).Finish();
}

// explainOrder(uint256 orderId, address after, uint256 limit)
//   -> (address[] providers, string[] failures)
Result<Bytes> ComputeMarket::ExplainOrder(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto page = consensus::AddressPage::Decode(args);
  if (!page.ok()) return page.status();
  auto o = LoadOrder(ctx, *id);
  if (!o.ok()) return o.status();
  auto spec = ParseSpec(o->spec, /*need_gpu=*/true);
  if (!spec.ok()) return Corrupt("order spec");
  auto entries = consensus::ScanAddressRecords(ctx, kRules, 'P', page->StartAfter('P'),
                                               page->capped_limit(), "provider key");
  if (!entries.ok()) return entries.status();
  std::vector<Address> providers;
  std::vector<std::string> failures;
  for (const consensus::AddressRecord& e : *entries) {
    const Address& who = e.address;
    auto p = Provider::Decode(e.value);
    if (!p.ok()) return p.status();
    auto why = Mismatch(ctx, who, *p, *o, *spec);
    if (!why.ok()) return why.status();
    providers.push_back(who);
    failures.push_back(why->value_or(""));
  }
  return abi::Encoder().AddressArray(providers).StringArray(failures).Finish();
}

Result<Bytes> ComputeMarket::GetLease(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  const uint64_t h = ctx.block().height;
  const bool closed = l->ClosedAt(h);
  const uint64_t reason = l->state == LeaseState::kClosed ? l->reason
                          : closed                        ? l->NaturalReason()
                                                          : 0;
  return abi::Encoder()
      .Address(l->tenant)
      .Address(l->provider)
      .Uint(l->bid_id)
      .String(l->gpu_model)
      .Uint(l->gpu_count)
      .Uint(l->price)
      .Uint(l->start)
      .Uint(l->term_end)
      .Uint(static_cast<uint8_t>(closed ? LeaseState::kClosed : LeaseState::kActive))
      .Uint(l->End())
      .Uint(reason)
      .Uint(l->Accrued(h))
      .Uint(l->withdrawn)
      .Bytes(l->access)
      .Finish();
}

// listLeases(address tenant, address provider, uint8 state, uint256 afterId,
//            uint256 limit) -> uint256[]; state as of the queried height.
Result<Bytes> ComputeMarket::ListLeases(ModuleContext& ctx, abi::Decoder& args) const {
  auto tenant = args.Address();
  if (!tenant.ok()) return tenant.status();
  auto provider = args.Address();
  if (!provider.ok()) return provider.status();
  auto state = args.Uint64();
  if (!state.ok()) return state.status();
  auto page = consensus::IdPage::Decode(args);
  if (!page.ok()) return page.status();
  if (*state > 2) return Rule("compute-bad-state", "lease states are 1..2 (0: any)");
  const Address zero;
  const Bytes prefix = *tenant != zero     ? RecordKey('t', {tenant->span()})
                       : *provider != zero ? RecordKey('p', {provider->span()})
                                           : Bytes{'L'};
  const uint64_t h = ctx.block().height;
  auto ids = consensus::ListIds(ctx, kRules, prefix, *page, [&](uint64_t id) -> Result<bool> {
    if (*state == 0 && (*tenant == zero || *provider == zero)) return true;
    auto l = LoadLease(ctx, id);
    if (!l.ok()) return l.status();
    const uint64_t s = l->ClosedAt(h) ? 2 : 1;
    return (*state == 0 || s == *state) && (*provider == zero || l->provider == *provider);
  });
  if (!ids.ok()) return ids.status();
  return abi::Encoder().UintArray(*ids).Finish();
}

// getEscrow(uint256 leaseId) -> (balance, accrued, withdrawable, projectedEnd, closed)
Result<Bytes> ComputeMarket::GetEscrow(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  const uint64_t h = ctx.block().height;
  const Uint256 accrued = l->Accrued(h);
  const bool closed = l->ClosedAt(h);
  // A closed lease's escrow has been (or is owed) back to the tenant.
  auto balance = Sub(l->deposited, accrued, "escrow");
  if (!balance.ok()) return balance.status();
  auto resolved = Resolve(ctx, *l, h);
  if (!resolved.ok()) return resolved.status();
  const Uint256 earned = l->DataLocal() ? *CheckedAdd(l->served_pay, resolved->served) : accrued;
  auto withdrawable = Sub(earned, l->withdrawn, "unwithdrawn pay");
  if (!withdrawable.ok()) return withdrawable.status();
  return abi::Encoder()
      .Uint(closed ? Uint256() : *balance)
      .Uint(accrued)
      .Uint(*withdrawable)
      .Uint(l->End())
      .Bool(closed)
      .Finish();
}

// getLeaseService(uint256 leaseId) -> (dealId, resolvedTo, servedPay, refunded, pending)
Result<Bytes> ComputeMarket::GetLeaseService(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto l = LoadLease(ctx, *id);
  if (!l.ok()) return l.status();
  const uint64_t h = ctx.block().height;
  auto r = Resolve(ctx, *l, h);
  if (!r.ok()) return r.status();
  const Uint256 served = *CheckedAdd(l->served_pay, r->served);
  const Uint256 refunded = *CheckedAdd(l->refunded, r->unserved);
  const Uint256 accrued = l->Accrued(h);
  const Uint256 resolved = *CheckedAdd(served, refunded);
  // A lease that is not data-local resolves nothing: all of it is served.
  const Uint256 pending = l->DataLocal() ? SaturatingSub(accrued, resolved) : Uint256();
  return abi::Encoder()
      .Uint(l->deal_id)
      .Uint(l->DataLocal() ? r->to : std::min(h, l->End()))
      .Uint(l->DataLocal() ? served : accrued)
      .Uint(refunded)
      .Uint(pending)
      .Finish();
}

// --- The table -----------------------------------------------------------------

FunctionTable ComputeMarket::MakeTable() {
  auto bind = [this](auto method) { return consensus::BindHandler(this, method); };
  auto view = [&](std::string name, std::vector<AbiParam> inputs, std::vector<AbiParam> outputs,
                  std::string help, auto method) {
    return ModuleFunction{.name = std::move(name),
                          .inputs = std::move(inputs),
                          .outputs = std::move(outputs),
                          .mutability = Mutability::kView,
                          .gas = consensus::kComputeViewGas,
                          .help = std::move(help),
                          .handler = bind(method)};
  };
  return FunctionTable(
      {
          ModuleFunction{
              .name = "registerProvider",
              .inputs = {{"hostUri", "string"}, {"attributes", "string"}},
              .outputs = {},
              .mutability = Mutability::kPayable,
              .gas = consensus::kComputeRegisterGas,
              .help = "Registers the sender as a provider with the value sent as stake (at least "
                      "min_provider_stake). `attributes` is `key=value;...` with gpu.vendor, "
                      "gpu.model, gpu.count, gpu.vramGiB and gpu.interface (docs/markets.md).",
              .handler = bind(&ComputeMarket::RegisterProvider)},
          ModuleFunction{
              .name = "updateAttributes",
              .inputs = {{"attributes", "string"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = consensus::kComputeUpdateGas,
              .help = "Replaces the provider's attributes; gpu.count may not fall below the GPUs "
                      "under active leases. Attestations of changed values lapse.",
              .handler = bind(&ComputeMarket::UpdateAttributes)},
          ModuleFunction{.name = "deregisterProvider",
                         .inputs = {},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputeDeregisterGas,
                         .help = "Removes the provider and pays its stake back, once it has no "
                                 "active lease and no open bid.",
                         .handler = bind(&ComputeMarket::DeregisterProvider)},
          ModuleFunction{
              .name = "signAttributes",
              .inputs = {{"provider", "address"}, {"keys", "string"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = consensus::kComputeSignGas,
              .help = "The sender, as auditor, attests the provider's current values of `keys` "
                      "(comma-separated); the attestation lapses when one of them changes.",
              .handler = bind(&ComputeMarket::SignAttributes)},
          ModuleFunction{
              .name = "createOrder",
              .inputs = {{"spec", "string"},
                         {"maxPricePerBlock", "uint256"},
                         {"durationBlocks", "uint256"},
                         {"biddingWindow", "uint256"},
                         {"requiredAuditors", "address[]"},
                         {"dataDealId", "uint256"},
                         {"manifestHash", "bytes32"},
                         {"tenantPubKey", "bytes"}},
              .outputs = {{"orderId", "uint256"}},
              .mutability = Mutability::kPayable,
              .gas = consensus::kComputeCreateOrderGas,
              .help = "Opens an order; the value sent is the escrow (at least min_escrow_blocks "
                      "at the max price, at most the whole term). biddingWindow 0 takes the "
                      "network's default. tenantPubKey is the sender's own public key; access "
                      "details are sealed to it. Prepays the award at the window's end.",
              .handler = bind(&ComputeMarket::CreateOrder)},
          ModuleFunction{.name = "cancelOrder",
                         .inputs = {{"orderId", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputeCancelOrderGas,
                         .help = "The tenant cancels an open order: escrow and every open bid's "
                                 "deposit go back.",
                         .handler = bind(&ComputeMarket::CancelOrder)},
          ModuleFunction{
              .name = "bid",
              .inputs = {{"orderId", "uint256"},
                         {"pricePerBlock", "uint256"},
                         {"gpuModel", "string"}},
              .outputs = {{"bidId", "uint256"}},
              .mutability = Mutability::kPayable,
              .gas = consensus::kComputeBidGas,
              .help = "A provider whose attributes match the spec, attested by every required "
                      "auditor, bids with exactly bid_deposit; gpuModel is its own model and one "
                      "the order accepts.",
              .handler = bind(&ComputeMarket::PlaceBid)},
          ModuleFunction{.name = "withdrawBid",
                         .inputs = {{"bidId", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputeWithdrawBidGas,
                         .help = "The provider withdraws an open bid; its deposit goes back.",
                         .handler = bind(&ComputeMarket::WithdrawBid)},
          ModuleFunction{.name = "acceptBid",
                         .inputs = {{"bidId", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputeAcceptBidGas,
                         .help = "The tenant accepts an open bid of its open order: the lease "
                                 "starts now, the other bids' deposits go back.",
                         .handler = bind(&ComputeMarket::AcceptBid)},
          ModuleFunction{.name = "depositEscrow",
                         .inputs = {{"leaseId", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kPayable,
                         .gas = consensus::kComputeDepositGas,
                         .help = "The tenant tops the escrow of an active lease up (at most to "
                                 "the whole term's price); its close moves later.",
                         .handler = bind(&ComputeMarket::DepositEscrow)},
          ModuleFunction{.name = "withdrawLease",
                         .inputs = {{"leaseId", "uint256"}},
                         .outputs = {{"amount", "uint256"}},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputeWithdrawLeaseGas,
                         .help = "Pays the provider what the lease has earned and not yet paid: "
                                 "price x (min(now, end) - start) - withdrawn. A data-local "
                                 "lease earns only for blocks the storage market has settled "
                                 "as served (getLeaseService); either party may call it to "
                                 "resolve newly settled blocks, the tenant getting the refund "
                                 "for unserved ones.",
                         .handler = bind(&ComputeMarket::WithdrawLease)},
          ModuleFunction{.name = "closeLease",
                         .inputs = {{"leaseId", "uint256"}, {"reason", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputeCloseLeaseGas,
                         .help = "The tenant (reason 1-9999) or the provider (10000-19999) closes "
                                 "an active lease now; a provider forfeits its bid deposit to the "
                                 "tenant.",
                         .handler = bind(&ComputeMarket::CloseLease)},
          ModuleFunction{.name = "postAccessDetails",
                         .inputs = {{"leaseId", "uint256"}, {"box", "bytes"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kComputePostAccessGas,
                         .help = "The provider posts the lease's access details sealed to the "
                                 "tenant's key (crypto/access_box.h; aad = the lease id as a "
                                 "32-byte word).",
                         .handler = bind(&ComputeMarket::PostAccessDetails)},
          view("getProvider", {{"provider", "address"}},
               {{"registered", "bool"},
                {"hostUri", "string"},
                {"attributes", "string"},
                {"stake", "uint256"},
                {"activeLeases", "uint256"},
                {"leasedGpus", "uint256"},
                {"openBids", "uint256"},
                {"registeredAt", "uint256"}},
               "The provider (registered false: none); attributes in canonical form.",
               &ComputeMarket::GetProvider),
          view("getAttestation", {{"provider", "address"}, {"auditor", "address"}},
               {{"exists", "bool"},
                {"attested", "string"},
                {"valid", "bool"},
                {"signedAt", "uint256"}},
               "The auditor's attestation of the provider; valid while every attested value "
               "still reads the same.",
               &ComputeMarket::GetAttestation),
          view("listProviders", {{"filter", "string"}, {"after", "address"}, {"limit", "uint256"}},
               {{"providers", "address[]"}},
               "Providers after `after` in address order whose attributes match `filter` (the "
               "spec grammar; empty: all); at most `limit` (<= 1000).",
               &ComputeMarket::ListProviders),
          view("getOrder", {{"orderId", "uint256"}},
               {{"tenant", "address"},
                {"spec", "string"},
                {"maxPricePerBlock", "uint256"},
                {"durationBlocks", "uint256"},
                {"biddingEnd", "uint256"},
                {"requiredAuditors", "address[]"},
                {"dataDealId", "uint256"},
                {"manifestHash", "bytes32"},
                {"tenantPubKey", "bytes"},
                {"escrow", "uint256"},
                {"state", "uint8"},
                {"openBids", "uint256"},
                {"createdAt", "uint256"}},
               "The order; spec in canonical form; escrow is what it holds while open.",
               &ComputeMarket::GetOrder),
          view("listOrders",
               {{"tenant", "address"},
                {"state", "uint8"},
                {"afterId", "uint256"},
                {"limit", "uint256"}},
               {{"orderIds", "uint256[]"}},
               "Order ids after `afterId`, by tenant (zero address: any) and state (0: any); at "
               "most `limit` (<= 1000).",
               &ComputeMarket::ListOrders),
          view("getBid", {{"bidId", "uint256"}},
               {{"orderId", "uint256"},
                {"provider", "address"},
                {"pricePerBlock", "uint256"},
                {"gpuModel", "string"},
                {"deposit", "uint256"},
                {"state", "uint8"},
                {"placedAt", "uint256"}},
               "The bid.", &ComputeMarket::GetBid),
          view("listBids", {{"orderId", "uint256"}, {"afterId", "uint256"}, {"limit", "uint256"}},
               {{"bidIds", "uint256[]"}},
               "The order's bid ids after `afterId`, in order placed; at most `limit` (<= 1000).",
               &ComputeMarket::ListBids),
          view("explainOrder", {{"orderId", "uint256"}, {"after", "address"}, {"limit", "uint256"}},
               {{"providers", "address[]"}, {"failures", "string[]"}},
               "Registered providers after `after` (at most `limit`, <= 1000), each with the "
               "first spec clause or auditor requirement it fails (empty: it may bid).",
               &ComputeMarket::ExplainOrder),
          view("getLease", {{"leaseId", "uint256"}},
               {{"tenant", "address"},
                {"provider", "address"},
                {"bidId", "uint256"},
                {"gpuModel", "string"},
                {"gpuCount", "uint256"},
                {"pricePerBlock", "uint256"},
                {"startBlock", "uint256"},
                {"termEnd", "uint256"},
                {"state", "uint8"},
                {"endBlock", "uint256"},
                {"reason", "uint256"},
                {"paidTotal", "uint256"},
                {"withdrawn", "uint256"},
                {"accessBox", "bytes"}},
               "The lease as of this block: state 2 once its end (actual, or projected from "
               "the escrow) has passed; paidTotal = price x (min(now, end) - start).",
               &ComputeMarket::GetLease),
          view("listLeases",
               {{"tenant", "address"},
                {"provider", "address"},
                {"state", "uint8"},
                {"afterId", "uint256"},
                {"limit", "uint256"}},
               {{"leaseIds", "uint256[]"}},
               "Lease ids after `afterId`, by tenant and provider (zero address: any) and state "
               "as of this block (0: any); at most `limit` (<= 1000).",
               &ComputeMarket::ListLeases),
          view("getEscrow", {{"leaseId", "uint256"}},
               {{"balance", "uint256"},
                {"accrued", "uint256"},
                {"withdrawable", "uint256"},
                {"projectedEnd", "uint256"},
                {"closed", "bool"}},
               "The lease's escrow as of this block: what it still holds, what the provider "
               "has earned and can withdraw, and the block it closes at.",
               &ComputeMarket::GetEscrow),
          view("getLeaseService", {{"leaseId", "uint256"}},
               {{"dealId", "uint256"},
                {"resolvedTo", "uint256"},
                {"servedPay", "uint256"},
                {"refunded", "uint256"},
                {"pending", "uint256"}},
               "A data-local lease's service as of this block (dealId 0: not data-local): "
               "blocks below `resolvedTo` are settled by the storage market, `servedPay` is "
               "the provider's pay for served ones, `refunded` the tenant's for unserved ones, "
               "and `pending` what the escrow paid for blocks not settled yet.",
               &ComputeMarket::GetLeaseService),
      },
      {kProviderRegistered, kAttributesUpdated, kProviderDeregistered, kAttributesSigned,
       kOrderCreated, kOrderEnded, kBidPlaced, kBidEnded, kLeaseCreated, kEscrowDeposited,
       kLowEscrow, kLeaseWithdrawn, kLeaseClosed, kBidDepositForfeited, kAccessDetailsPosted,
       kUnservedRefunded});
}

}  // namespace

Address ComputeMarketAddress() { return ModuleAddress(0x1000); }

std::shared_ptr<const consensus::Module> MakeComputeMarket(const ComputeMarketParams& params) {
  return std::make_shared<ComputeMarket>(params);
}

std::string_view OrderStateName(OrderState state) {
  switch (state) {
    case OrderState::kOpen:
      return "open";
    case OrderState::kLeased:
      return "leased";
    case OrderState::kCancelled:
      return "cancelled";
    case OrderState::kClosed:
      return "closed";
  }
  return "unknown";
}

std::string_view BidStateName(BidState state) {
  switch (state) {
    case BidState::kOpen:
      return "open";
    case BidState::kWithdrawn:
      return "withdrawn";
    case BidState::kWon:
      return "won";
    case BidState::kLost:
      return "lost";
  }
  return "unknown";
}

std::string_view LeaseStateName(LeaseState state) {
  switch (state) {
    case LeaseState::kActive:
      return "active";
    case LeaseState::kClosed:
      return "closed";
  }
  return "unknown";
}

}  // namespace depin::market

#include "storage/market.h"

#include <algorithm>
#include <bit>
#include <set>

#include "consensus/abi.h"
#include "consensus/deferred_queue.h"
#include "consensus/gas.h"
#include "consensus/module_records.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/codec.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/labels.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/queries.h"

namespace depin::storage {
namespace {

using consensus::AbiParam;
using consensus::AddressTopic;
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
using consensus::StorageMarketParams;
using consensus::UintTopic;
using consensus::WriteCounter;
using proofs::SectorSize;

constexpr size_t kMaxUriBytes = 256;
// A proof or its inputs never exceed a tx.
constexpr size_t kMaxProofBytes = kMaxTxSize;
constexpr size_t kMaxSectorsPerCall = 10000;
constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint8_t kRecordVersion = 1;

// --- Errors ------------------------------------------------------------------

constexpr consensus::RecordRules kRules("storage");

Status Rule(std::string_view rule, std::string message) {
  return consensus::RuleError(rule, std::move(message));
}
Status Corrupt(std::string_view what) { return kRules.Corrupt(what); }

// --- Records -------------------------------------------------------------------

struct Provider {
  std::string uri;
  Uint256 price_per_gib;  // wei per GiB of piece per block
  uint64_t min_duration = 0;
  uint64_t sector_size = 0;
  Uint256 stake;   // everything the provider has put in, collateral included
  Uint256 locked;  // the part of the stake locked as deal collateral
  Uint256 earnings;
  uint64_t active_sectors = 0;
  uint64_t precommitted = 0;
  uint64_t registered_at = 0;

  Bytes Encode() const {
    RecordWriter w(256 + uri.size());
    w.U8(kRecordVersion);
    w.U256(price_per_gib);
    w.U64(min_duration);
    w.U64(sector_size);
    w.U256(stake);
    w.U256(locked);
    w.U256(earnings);
    w.U64(active_sectors);
    w.U64(precommitted);
    w.U64(registered_at);
    w.U16(static_cast<uint16_t>(uri.size()));
    for (char c : uri) w.U8(static_cast<uint8_t>(c));
    return w.Take();
  }
  static Result<Provider> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Provider p;
    const uint8_t version = r.U8();
    p.price_per_gib = r.U256();
    p.min_duration = r.U64();
    p.sector_size = r.U64();
    p.stake = r.U256();
    p.locked = r.U256();
    p.earnings = r.U256();
    p.active_sectors = r.U64();
    p.precommitted = r.U64();
    p.registered_at = r.U64();
    const uint16_t n = r.U16();
    if (!r.ok() || version != kRecordVersion || r.remaining() != n) return Corrupt("provider");
    for (uint16_t i = 0; i < n; ++i) p.uri.push_back(static_cast<char>(r.U8()));
    return p;
  }
};

struct Deal {
  Address client;
  Address provider;
  Hash256 comm_d;
  uint64_t piece_size = 0;
  uint64_t start = 0;
  uint64_t end = 0;
  Uint256 price;                // per block
  Uint256 client_collateral;    // returned when the deal ends
  Uint256 provider_collateral;  // locked at activation, what is left of it
  Uint256 paid;                 // to the provider so far
  Uint256 fees;                 // fault fees paid to the client so far
  DealState state = DealState::kProposed;
  bool in_sector = false;
  uint64_t sector = 0;
  uint64_t proposed_at = 0;
  uint64_t activated_at = 0;
  uint64_t ended_at = 0;
  uint64_t faulty_periods = 0;

  // price x (end - start): checked at proposal, so it cannot overflow here.
  Uint256 Total() const { return *CheckedMul(price, Uint256(end - start)); }
  // Payment for the blocks of [from, to) inside the deal's term.
  Uint256 PaymentFor(uint64_t from, uint64_t to) const {
    const uint64_t a = std::max(from, start);
    const uint64_t b = std::min(to, end);
    if (b <= a) return Uint256();
    return *CheckedMul(price, Uint256(b - a));
  }

  Bytes Encode() const {
    RecordWriter w(512);
    w.U8(kRecordVersion);
    w.Addr(client);
    w.Addr(provider);
    w.Bytes32(comm_d);
    w.U64(piece_size);
    w.U64(start);
    w.U64(end);
    w.U256(price);
    w.U256(client_collateral);
    w.U256(provider_collateral);
    w.U256(paid);
    w.U256(fees);
    w.U8(static_cast<uint8_t>(state));
    w.U8(in_sector ? 1 : 0);
    w.U64(sector);
    w.U64(proposed_at);
    w.U64(activated_at);
    w.U64(ended_at);
    w.U64(faulty_periods);
    return w.Take();
  }
  static Result<Deal> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Deal d;
    const uint8_t version = r.U8();
    d.client = r.Addr();
    d.provider = r.Addr();
    d.comm_d = r.Bytes32();
    d.piece_size = r.U64();
    d.start = r.U64();
    d.end = r.U64();
    d.price = r.U256();
    d.client_collateral = r.U256();
    d.provider_collateral = r.U256();
    d.paid = r.U256();
    d.fees = r.U256();
    const uint8_t state = r.U8();
    d.in_sector = r.U8() != 0;
    d.sector = r.U64();
    d.proposed_at = r.U64();
    d.activated_at = r.U64();
    d.ended_at = r.U64();
    d.faulty_periods = r.U64();
    if (!r.ok() || version != kRecordVersion || r.remaining() != 0 || state < 1 || state > 6) {
      return Corrupt("deal");
    }
    d.state = static_cast<DealState>(state);
    return d;
  }
};

struct Sector {
  SectorState state = SectorState::kPreCommitted;
  uint64_t size = 0;
  Hash256 comm_r;
  Hash256 comm_d;
  uint64_t ticket_height = 0;
  uint64_t precommit_height = 0;
  Uint256 deposit;
  uint64_t partitions_proven = 0;  // bit p: partition p's PoRep accepted
  uint64_t activated_at = 0;
  uint64_t deadline = 0;
  uint64_t segment_start = 0;     // the next settlement covers [segment_start, check)
  uint64_t pending_period = 0;    // the period the next settlement is for
  uint64_t scheduled_period = 0;  // the latest period with a queued settlement
  uint64_t proven_period = 0;     // 1 + the latest period proven by a PoSt; 0: none
  uint32_t consecutive_faults = 0;
  bool declared_faulty = false;
  uint64_t faulty_periods = 0;
  std::vector<uint64_t> deals;

  Bytes Encode() const {
    RecordWriter w(256 + 8 * deals.size());
    w.U8(kRecordVersion);
    w.U8(static_cast<uint8_t>(state));
    w.U64(size);
    w.Bytes32(comm_r);
    w.Bytes32(comm_d);
    w.U64(ticket_height);
    w.U64(precommit_height);
    w.U256(deposit);
    w.U64(partitions_proven);
    w.U64(activated_at);
    w.U64(deadline);
    w.U64(segment_start);
    w.U64(pending_period);
    w.U64(scheduled_period);
    w.U64(proven_period);
    w.U32(consecutive_faults);
    w.U8(declared_faulty ? 1 : 0);
    w.U64(faulty_periods);
    w.U16(static_cast<uint16_t>(deals.size()));
    for (uint64_t id : deals) w.U64(id);
    return w.Take();
  }
  static Result<Sector> Decode(ByteSpan raw) {
    RecordReader r(raw);
    Sector s;
    const uint8_t version = r.U8();
    const uint8_t state = r.U8();
    s.size = r.U64();
    s.comm_r = r.Bytes32();
    s.comm_d = r.Bytes32();
    s.ticket_height = r.U64();
    s.precommit_height = r.U64();
    s.deposit = r.U256();
    s.partitions_proven = r.U64();
    s.activated_at = r.U64();
    s.deadline = r.U64();
    s.segment_start = r.U64();
    s.pending_period = r.U64();
    s.scheduled_period = r.U64();
    s.proven_period = r.U64();
    s.consecutive_faults = r.U32();
    s.declared_faulty = r.U8() != 0;
    s.faulty_periods = r.U64();
    const uint16_t n = r.U16();
    if (!r.ok() || version != kRecordVersion || state < 1 || state > 5 ||
        r.remaining() != uint64_t{n} * 8) {
      return Corrupt("sector");
    }
    s.state = static_cast<SectorState>(state);
    for (uint16_t i = 0; i < n; ++i) s.deals.push_back(r.U64());
    return s;
  }
};

// --- Keys (module-local) -----------------------------------------------------

Bytes ProviderKey(const Address& a) { return RecordKey('P', {a.span()}); }
Bytes DealKey(uint64_t id) { return RecordKey('D', {KeyId(id)}); }
Bytes SectorKey(const Address& a, uint64_t n) { return RecordKey('S', {a.span(), KeyId(n)}); }
Bytes ClientDealKey(const Address& c, uint64_t id) { return RecordKey('c', {c.span(), KeyId(id)}); }
Bytes ProviderDealKey(const Address& p, uint64_t id) {
  return RecordKey('p', {p.span(), KeyId(id)});
}
Bytes DeadlineCountKey(const Address& p, uint64_t d) {
  return RecordKey('K', {p.span(), KeyId(d)});
}
// A deal's faulty periods, for StorageQueries::UnservedBlocks: one record
// per faulty settlement, keyed by its check height, holding the segment's
// start and the deal's faulty blocks up to the check (cumulative), and the
// cumulative total. Any range's count is then two lookups.
Bytes FaultPrefix(uint64_t deal) { return RecordKey('F', {KeyId(deal)}); }
Bytes FaultKey(uint64_t deal, uint64_t check) {
  return RecordKey('F', {KeyId(deal), KeyId(check)});
}
Bytes FaultTotalKey(uint64_t deal) { return RecordKey('G', {KeyId(deal)}); }
const Bytes& NextDealIdKey() {
  static const Bytes k{'N'};
  return k;
}
// Deferred work keys.
Bytes DealExpiryJob(uint64_t id) { return RecordKey('X', {KeyId(id)}); }
Bytes PreCommitExpiryJob(const Address& p, uint64_t n) {
  return RecordKey('E', {p.span(), KeyId(n)});
}
Bytes CheckJob(const Address& p, uint64_t n, uint64_t period) {
  return RecordKey('C', {p.span(), KeyId(n), KeyId(period)});
}

Result<Provider> LoadProvider(ModuleContext& ctx, const Address& a) {
  return LoadRecordOr<Provider>(ctx, ProviderKey(a), "storage-unknown-provider", [&] {
    return a.ToChecksumHex() + " is not a registered provider";
  });
}
Result<Deal> LoadDeal(ModuleContext& ctx, uint64_t id) {
  return LoadRecordOr<Deal>(ctx, DealKey(id), "storage-unknown-deal",
                            [&] { return "no deal " + std::to_string(id); });
}
Result<Sector> LoadSector(ModuleContext& ctx, const Address& p, uint64_t n) {
  return LoadRecordOr<Sector>(ctx, SectorKey(p, n), "storage-unknown-sector", [&] {
    return p.ToChecksumHex() + " has no sector " + std::to_string(n);
  });
}

Result<uint64_t> ReadCounter(ModuleContext& ctx, ByteSpan key) {
  return consensus::ReadCounter(ctx, kRules, key);
}
Result<Uint256> Add(const Uint256& a, const Uint256& b) {
  return consensus::AddAmount(kRules, a, b);
}
Result<Uint256> Sub(const Uint256& a, const Uint256& b, std::string_view what) {
  return consensus::SubAmount(kRules, a, b, what);
}
// Takes `amount` of the provider's locked collateral out of its stake (a
// fault fee, or what a termination hands to the clients).
Status TakeCollateral(Provider& p, const Uint256& amount) {
  auto locked = Sub(p.locked, amount, "locked collateral");
  if (!locked.ok()) return locked.status();
  auto stake = Sub(p.stake, amount, "stake");
  if (!stake.ok()) return stake.status();
  p.locked = *locked;
  p.stake = *stake;
  return Status::Ok();
}
Uint256 Percent(const Uint256& v, uint64_t percent) { return MulDivSaturating(v, percent, 100); }

// --- Events --------------------------------------------------------------------

const ModuleEvent kProviderRegistered{
    .name = "ProviderRegistered",
    .inputs = {{"provider", "address", true},
               {"sectorSize", "uint256", false},
               {"stake", "uint256", false}},
    .help = "registerProvider() registered `provider` with `stake`."};
const ModuleEvent kProviderUpdated{
    .name = "ProviderUpdated",
    .inputs = {{"provider", "address", true}, {"stake", "uint256", false}},
    .help = "updateProvider() changed the provider's terms; `stake` is its stake now."};
const ModuleEvent kStakeWithdrawn{
    .name = "StakeWithdrawn",
    .inputs = {{"provider", "address", true}, {"amount", "uint256", false}},
    .help = "withdrawStake() paid `amount` of the stake back."};
const ModuleEvent kEarningsWithdrawn{
    .name = "EarningsWithdrawn",
    .inputs = {{"provider", "address", true}, {"amount", "uint256", false}},
    .help = "withdrawEarnings() paid the provider's earnings."};
const ModuleEvent kDealProposed{
    .name = "DealProposed",
    .inputs = {{"dealId", "uint256", true},
               {"client", "address", true},
               {"provider", "address", true},
               {"commD", "bytes32", false},
               {"pieceSize", "uint256", false},
               {"startBlock", "uint256", false},
               {"endBlock", "uint256", false},
               {"pricePerBlock", "uint256", false}},
    .help = "proposeDeal() stored deal `dealId` with its payment and client collateral."};
const ModuleEvent kDealActivated{
    .name = "DealActivated",
    .inputs = {{"dealId", "uint256", true},
               {"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"providerCollateral", "uint256", false}},
    .help = "A prove-commit activated the deal in `sectorNumber`, locking `providerCollateral`."};
const ModuleEvent kDealEnded{
    .name = "DealEnded",
    .inputs = {{"dealId", "uint256", true},
               {"state", "uint8", false},
               {"paidToProvider", "uint256", false},
               {"paidToClient", "uint256", false}},
    .help =
        "The deal ended in `state` (3 expired, 4 cancelled, 5 completed, 6 terminated); "
        "`paidToClient` is what this event paid the client (refund, collateral)."};
const ModuleEvent kSectorPreCommitted{
    .name = "SectorPreCommitted",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"commR", "bytes32", false},
               {"commD", "bytes32", false}},
    .help = "preCommitSector() recorded the sector; `commD` follows from its deals' pieces."};
const ModuleEvent kPreCommitExpired{
    .name = "SectorPreCommitExpired",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"depositToClients", "uint256", false}},
    .help = "The sector was not proven in time; its deposit went to its deals' clients."};
const ModuleEvent kSectorActivated{
    .name = "SectorActivated",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"deadline", "uint256", false},
               {"firstCheck", "uint256", false}},
    .help =
        "Every PoRep partition was proven: the sector is active in `deadline`, first "
        "settled at height `firstCheck`."};
const ModuleEvent kPoStSubmitted{
    .name = "PoStSubmitted",
    .inputs = {{"provider", "address", true},
               {"deadline", "uint256", true},
               {"period", "uint256", false},
               {"sectors", "uint256", false}},
    .help = "submitPoSt() proved `sectors` sectors of the deadline for `period`."};
const ModuleEvent kSectorPaid{
    .name = "SectorPeriodPaid",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"period", "uint256", false},
               {"payment", "uint256", false}},
    .help = "A proven period was settled: `payment` went to the provider's earnings."};
const ModuleEvent kSectorFaulty{
    .name = "SectorFaulty",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"period", "uint256", false},
               {"fee", "uint256", false},
               {"declared", "bool", false}},
    .help =
        "A period without a valid proof: nothing paid, `fee` from the provider's "
        "collateral to the deals' clients."};
const ModuleEvent kSectorTerminated{
    .name = "SectorTerminated",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"collateralToClients", "uint256", false}},
    .help =
        "Too many faulty periods in a row: the sector's deals ended, its remaining "
        "collateral went to their clients."};
const ModuleEvent kFaultDeclared{
    .name = "FaultDeclared",
    .inputs = {{"provider", "address", true},
               {"sectorNumber", "uint256", true},
               {"faulty", "bool", false}},
    .help = "declareFaults() (`faulty` true) or declareRecovered() (false) for the sector."};

// --- Gas of deferred runs ----------------------------------------------------

// What one settlement run may spend: the reads and writes of the sector, the
// provider and each deal, the payments and the events (measured worst case
// in the tests, with margin).
uint64_t SettleRunGas(size_t deals) {
  return consensus::kStorageSettleBaseGas + consensus::kStorageSettlePerDealGas * deals;
}
// A settlement prepaid for a chain of `runs` runs: each faulty run queues
// the next from what is left of its own allowance, so `runs` faulty periods
// in a row are settled whoever pays for nothing more.
uint64_t SettleChainGas(size_t deals, uint64_t runs) {
  const uint64_t per =
      SettleRunGas(deals) + consensus::kDeferredScheduleGas + consensus::kDeferredMinGas;
  return per * runs;
}

// --- The module ----------------------------------------------------------------

class StorageMarket final : public consensus::Module, public StorageQueries {
 public:
  explicit StorageMarket(const StorageMarketParams& params)
      : params_(params), schedule_(params), table_(MakeTable()) {}

  Address address() const override { return StorageMarketAddress(); }
  std::string_view name() const override { return "storage"; }
  const FunctionTable& functions() const override { return table_; }

  Result<std::vector<consensus::ProofCheck>> ProofChecks(ByteSpan calldata) const override;
  std::vector<Status> VerifyProofs(const std::vector<const consensus::ProofCheck*>& checks,
                                   const consensus::ProofCheckOptions& options) const override;
  Status RunDeferred(ModuleContext& ctx, uint64_t due_height, ByteSpan key) const override;
  const consensus::QueryInterface* queries() const override { return this; }

  // StorageQueries.
  Result<std::optional<DealService>> GetDealService(ModuleContext& ctx,
                                                    uint64_t deal) const override;
  Result<uint64_t> UnservedBlocks(ModuleContext& ctx, uint64_t deal, uint64_t from,
                                  uint64_t to) const override;

 private:
  FunctionTable MakeTable();

  // Handlers.
  Result<Bytes> RegisterProvider(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> UpdateProvider(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> WithdrawStake(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> WithdrawEarnings(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ProposeDeal(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> CancelDeal(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> PreCommitSector(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ProveCommitSector(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> SubmitPoSt(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> DeclareFaults(ModuleContext& ctx, abi::Decoder& args, bool faulty) const;
  Result<Bytes> GetProvider(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetDeal(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetSector(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> GetDeadline(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListDeals(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListProviders(ModuleContext& ctx, abi::Decoder& args) const;
  Result<Bytes> ListSectors(ModuleContext& ctx, abi::Decoder& args) const;

  // Steps.
  // "storage-post-bad-deadline" unless `deadline` is one of a period's.
  Status CheckDeadline(uint64_t deadline) const {
    if (deadline < schedule_.deadlines()) return Status::Ok();
    return Rule("storage-post-bad-deadline",
                "there are " + std::to_string(schedule_.deadlines()) + " deadlines per period");
  }
  // The height a sector pre-committed at `precommit_height` expires at
  // unless proven: the seed delay, then the prove-commit window.
  uint64_t PreCommitExpiry(uint64_t precommit_height) const {
    return precommit_height + params_.seal_seed_delay_blocks + params_.prove_commit_window_blocks;
  }
  Status Activate(ModuleContext& ctx, const Address& provider_addr, uint64_t number,
                  Sector& sector) const;
  Status EndDeal(ModuleContext& ctx, uint64_t id, Deal& deal, DealState state,
                 const Uint256& extra_to_client) const;
  Status Settle(ModuleContext& ctx, const Address& provider_addr, uint64_t number,
                uint64_t period) const;
  Status ExpireDeal(ModuleContext& ctx, uint64_t id) const;
  Status ExpirePreCommit(ModuleContext& ctx, const Address& provider_addr, uint64_t number) const;
  Status ChangeDeadlineCount(ModuleContext& ctx, const Address& p, uint64_t d, int delta) const;
  // Records [from, check) as a faulty period of the deal (FaultKey).
  Status RecordFault(ModuleContext& ctx, uint64_t deal, uint64_t from, uint64_t check) const;
  // The deal's faulty blocks below `height` (its faulty periods recorded so far).
  Result<uint64_t> FaultyBlocksBelow(ModuleContext& ctx, uint64_t deal, uint64_t height) const;

  StorageMarketParams params_;
  ProvingSchedule schedule_;
  FunctionTable table_;
  abi::Selector prove_commit_;
  abi::Selector submit_post_;
};

// The terms registerProvider and updateProvider take first: (string uri,
// uint256 pricePerGiBPerBlock, uint256 minDurationBlocks).
struct ProviderTerms {
  std::string uri;
  Uint256 price_per_gib;
  uint64_t min_duration = 0;

  static Result<ProviderTerms> Decode(abi::Decoder& args) {
    ProviderTerms terms;
    auto uri = args.String(kMaxUriBytes);
    if (!uri.ok()) return uri.status();
    terms.uri = std::move(uri).value();
    auto price = args.Uint();
    if (!price.ok()) return price.status();
    terms.price_per_gib = *price;
    auto min_duration = args.Uint64();
    if (!min_duration.ok()) return min_duration.status();
    terms.min_duration = *min_duration;
    return terms;
  }
  void ApplyTo(Provider& p) && {
    p.uri = std::move(uri);
    p.price_per_gib = price_per_gib;
    p.min_duration = min_duration;
  }
};

// registerProvider(string uri, uint256 pricePerGiBPerBlock, uint256 minDurationBlocks,
//                  uint256 sectorSize) payable
Result<Bytes> StorageMarket::RegisterProvider(ModuleContext& ctx, abi::Decoder& args) const {
  auto terms = ProviderTerms::Decode(args);
  if (!terms.ok()) return terms.status();
  auto sector_size = args.Uint64();
  if (!sector_size.ok()) return sector_size.status();
  DEPIN_RETURN_IF_ERROR(consensus::RequireNoRecord<Provider>(
      ctx, ProviderKey(ctx.sender()), "storage-provider-exists", [&] {
        return ctx.sender().ToChecksumHex() + " is already registered (use updateProvider)";
      }));
  if (std::find(params_.sector_sizes.begin(), params_.sector_sizes.end(), *sector_size) ==
      params_.sector_sizes.end()) {
    return Rule("storage-bad-sector-size",
                std::to_string(*sector_size) + " bytes is not a sector size of this network");
  }
  if (ctx.value() < params_.min_provider_stake) {
    return Rule("storage-stake-too-low", "registering needs a stake of at least " +
                                             params_.min_provider_stake.ToDecimal() + " wei");
  }
  Provider p;
  std::move(terms).value().ApplyTo(p);
  p.sector_size = *sector_size;
  p.stake = ctx.value();
  p.registered_at = ctx.block().height;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kProviderRegistered, {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(p.sector_size).Uint(p.stake).Finish()));
  return Bytes();
}

// updateProvider(string uri, uint256 pricePerGiBPerBlock, uint256 minDurationBlocks) payable
Result<Bytes> StorageMarket::UpdateProvider(ModuleContext& ctx, abi::Decoder& args) const {
  auto terms = ProviderTerms::Decode(args);
  if (!terms.ok()) return terms.status();
  auto p = LoadProvider(ctx, ctx.sender());
  if (!p.ok()) return p.status();
  std::move(terms).value().ApplyTo(*p);
  auto stake = Add(p->stake, ctx.value());
  if (!stake.ok()) return stake.status();
  p->stake = *stake;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kProviderUpdated, {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(p->stake).Finish()));
  return Bytes();
}

// withdrawStake(uint256 amount)
Result<Bytes> StorageMarket::WithdrawStake(ModuleContext& ctx, abi::Decoder& args) const {
  auto amount = args.Uint();
  if (!amount.ok()) return amount.status();
  auto p = LoadProvider(ctx, ctx.sender());
  if (!p.ok()) return p.status();
  if (p->active_sectors != 0 || p->precommitted != 0) {
    return Rule("storage-stake-in-use",
                "stake is withdrawable once no sector is active or pre-committed (" +
                    std::to_string(p->active_sectors) + " active, " +
                    std::to_string(p->precommitted) + " pre-committed)");
  }
  auto free_stake = Sub(p->stake, p->locked, "free stake");
  if (!free_stake.ok()) return free_stake.status();
  if (*amount > *free_stake) {
    return Rule("storage-stake-insufficient",
                "asked " + amount->ToDecimal() + " wei, the stake is " + free_stake->ToDecimal());
  }
  p->stake = *CheckedSub(p->stake, *amount);
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(ctx.sender(), *amount));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kStakeWithdrawn, {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(*amount).Finish()));
  return Bytes();
}

// withdrawEarnings() -> uint256
Result<Bytes> StorageMarket::WithdrawEarnings(ModuleContext& ctx, abi::Decoder&) const {
  auto p = LoadProvider(ctx, ctx.sender());
  if (!p.ok()) return p.status();
  const Uint256 amount = p->earnings;
  if (amount.IsZero()) return Rule("storage-no-earnings", "nothing to withdraw");
  p->earnings = Uint256();
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(ctx.sender()), p->Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(ctx.sender(), amount));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kEarningsWithdrawn, {AddressTopic(ctx.sender())},
                                      abi::Encoder().Uint(amount).Finish()));
  return abi::Encoder().Uint(amount).Finish();
}

// proposeDeal(address provider, bytes32 commD, uint256 pieceSize, uint256 startBlock,
//             uint256 endBlock, uint256 pricePerBlock) payable -> uint256 dealId
Result<Bytes> StorageMarket::ProposeDeal(ModuleContext& ctx, abi::Decoder& args) const {
  auto provider_addr = args.Address();
  if (!provider_addr.ok()) return provider_addr.status();
  auto comm_d = args.Bytes32();
  if (!comm_d.ok()) return comm_d.status();
  auto piece_size = args.Uint64();
  if (!piece_size.ok()) return piece_size.status();
  auto start = args.Uint64();
  if (!start.ok()) return start.status();
  auto end = args.Uint64();
  if (!end.ok()) return end.status();
  auto price = args.Uint();
  if (!price.ok()) return price.status();
  auto p = LoadProvider(ctx, *provider_addr);
  if (!p.ok()) return p.status();
  const uint64_t h = ctx.block().height;
  if (p->stake < params_.min_provider_stake) {
    return Rule("storage-provider-understaked", "the provider's stake is below the minimum");
  }
  if (Status s = proofs::CheckPieceSize(*piece_size); !s.ok()) {
    return Rule("storage-deal-bad-piece-size", s.message());
  }
  if (*piece_size > p->sector_size) {
    return Rule("storage-deal-bad-piece-size", "a piece of " + std::to_string(*piece_size) +
                                                   " bytes does not fit the provider's " +
                                                   std::to_string(p->sector_size) +
                                                   "-byte sectors");
  }
  if (*start <= h) {
    return Rule("storage-deal-start-passed", "start block " + std::to_string(*start) +
                                                 " is not after the current block " +
                                                 std::to_string(h));
  }
  if (*start - h > ctx.block().deferred_horizon) {
    return Rule("storage-deal-start-too-far", "start block is more than " +
                                                  std::to_string(ctx.block().deferred_horizon) +
                                                  " blocks ahead");
  }
  if (*end <= *start) return Rule("storage-deal-bad-term", "end block is not after start block");
  if (*end - *start < p->min_duration) {
    return Rule("storage-deal-too-short", "the provider takes deals of at least " +
                                              std::to_string(p->min_duration) + " blocks");
  }
  if (price->IsZero()) return Rule("storage-deal-bad-price", "price per block is zero");
  // The provider's ask for this piece, rounded up to the wei.
  auto ask_total = CheckedMul(p->price_per_gib, Uint256(*piece_size));
  if (!ask_total) return Rule("storage-overflow", "the provider's ask overflows");
  const Uint256 ask = SaturatingAdd(*ask_total, Uint256(kGiB - 1)) / Uint256(kGiB);
  if (*price < ask) {
    return Rule("storage-deal-price-below-ask",
                "price per block " + price->ToDecimal() + " wei is below the provider's ask of " +
                    ask.ToDecimal() + " wei for " + std::to_string(*piece_size) + " bytes");
  }
  auto total = CheckedMul(*price, Uint256(*end - *start));
  if (!total) return Rule("storage-overflow", "price x duration overflows");
  const Uint256 client_collateral = Percent(*total, params_.client_collateral_percent);
  auto due = Add(*total, client_collateral);
  if (!due.ok()) return due.status();
  if (!CheckedMul(*total, Uint256(std::max<uint64_t>(params_.provider_collateral_percent, 1)))) {
    return Rule("storage-overflow", "the provider collateral overflows");
  }
  if (ctx.value() != *due) {
    return Rule("storage-deal-wrong-value",
                "send exactly the payment plus client collateral: " + due->ToDecimal() + " wei (" +
                    total->ToDecimal() + " + " + client_collateral.ToDecimal() + "), not " +
                    ctx.value().ToDecimal());
  }
  auto next_id = consensus::NextRecordId(ctx, kRules, NextDealIdKey());
  if (!next_id.ok()) return next_id.status();
  const uint64_t id = *next_id;
  Deal d;
  d.client = ctx.sender();
  d.provider = *provider_addr;
  d.comm_d = *comm_d;
  d.piece_size = *piece_size;
  d.start = *start;
  d.end = *end;
  d.price = *price;
  d.client_collateral = client_collateral;
  d.proposed_at = h;
  DEPIN_RETURN_IF_ERROR(ctx.Put(DealKey(id), d.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Put(ClientDealKey(d.client, id), Bytes{1}));
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderDealKey(d.provider, id), Bytes{1}));
  // Not active by its start block: refunded then, whatever anyone does.
  DEPIN_RETURN_IF_ERROR(
      ctx.ScheduleDeferred(*start, DealExpiryJob(id), consensus::kStorageDealExpiryGas));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(
      kDealProposed, {UintTopic(id), AddressTopic(d.client), AddressTopic(d.provider)},
      abi::Encoder()
          .Bytes32(d.comm_d)
          .Uint(d.piece_size)
          .Uint(d.start)
          .Uint(d.end)
          .Uint(d.price)
          .Finish()));
  return abi::Encoder().Uint(id).Finish();
}

Status StorageMarket::EndDeal(ModuleContext& ctx, uint64_t id, Deal& deal, DealState state,
                              const Uint256& extra_to_client) const {
  // What the client gets back: the payment not spent on proven periods, its
  // collateral, and `extra_to_client` (the provider's remaining collateral
  // on termination).
  auto unspent = Sub(deal.Total(), deal.paid, "unspent payment");
  if (!unspent.ok()) return unspent.status();
  auto refund = Add(*unspent, deal.client_collateral);
  if (!refund.ok()) return refund.status();
  refund = Add(*refund, extra_to_client);
  if (!refund.ok()) return refund.status();
  deal.state = state;
  deal.ended_at = ctx.block().height;
  deal.client_collateral = Uint256();
  DEPIN_RETURN_IF_ERROR(ctx.Put(DealKey(id), deal.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(deal.client, *refund));
  return ctx.EmitEvent(
      kDealEnded, {UintTopic(id)},
      abi::Encoder().Uint(static_cast<uint8_t>(state)).Uint(deal.paid).Uint(*refund).Finish());
}

// cancelDeal(uint256 dealId)
Result<Bytes> StorageMarket::CancelDeal(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto d = LoadDeal(ctx, *id);
  if (!d.ok()) return d.status();
  if (d->client != ctx.sender()) {
    return Rule("storage-not-deal-client", "only the deal's client may cancel it");
  }
  if (d->state != DealState::kProposed) {
    return Rule("storage-deal-not-cancellable",
                "deal " + std::to_string(*id) + " is " + std::string(DealStateName(d->state)));
  }
  DEPIN_RETURN_IF_ERROR(EndDeal(ctx, *id, *d, DealState::kCancelled, Uint256()));
  return Bytes();
}

// preCommitSector(uint256 sectorNumber, bytes32 commR, uint256[] dealIds,
//                 uint256 ticketHeight) payable
Result<Bytes> StorageMarket::PreCommitSector(ModuleContext& ctx, abi::Decoder& args) const {
  auto number = args.Uint64();
  if (!number.ok()) return number.status();
  auto comm_r = args.Bytes32();
  if (!comm_r.ok()) return comm_r.status();
  auto deal_ids = args.Uint64Array(params_.max_deals_per_sector);
  if (!deal_ids.ok()) {
    if (deal_ids.status().code() == "abi-too-long") {
      return Rule(
          "storage-precommit-too-many-deals",
          "a sector holds at most " + std::to_string(params_.max_deals_per_sector) + " deals");
    }
    return deal_ids.status();
  }
  auto ticket_height = args.Uint64();
  if (!ticket_height.ok()) return ticket_height.status();
  const Address& me = ctx.sender();
  auto p = LoadProvider(ctx, me);
  if (!p.ok()) return p.status();
  const uint64_t h = ctx.block().height;
  DEPIN_RETURN_IF_ERROR(consensus::RequireNoRecord<Sector>(
      ctx, SectorKey(me, *number), "storage-sector-number-used",
      [&] { return "sector number " + std::to_string(*number) + " was used before"; }));
  if (ctx.value() != params_.precommit_deposit) {
    return Rule(
        "storage-precommit-wrong-deposit",
        "send exactly the pre-commit deposit of " + params_.precommit_deposit.ToDecimal() + " wei");
  }
  if (deal_ids->empty()) return Rule("storage-precommit-no-deals", "a sector names its deals");
  if (*ticket_height >= h) {
    return Rule("storage-precommit-bad-ticket", "the ticket must come from an earlier block");
  }
  if (h - *ticket_height > params_.ticket_max_age_blocks) {
    return Rule(
        "storage-precommit-bad-ticket",
        "the ticket is older than " + std::to_string(params_.ticket_max_age_blocks) + " blocks");
  }
  auto ticket = ctx.block().RandomnessAt(*ticket_height);
  if (!ticket.ok()) return ticket.status();
  auto size = SectorSize::FromBytes(p->sector_size);
  if (!size) return Corrupt("provider sector size");
  std::set<uint64_t> seen;
  std::vector<proofs::PieceInfo> pieces;
  std::vector<Deal> deals;
  for (uint64_t id : *deal_ids) {
    if (!seen.insert(id).second) {
      return Rule("storage-precommit-duplicate-deal", "deal " + std::to_string(id) + " twice");
    }
    auto d = LoadDeal(ctx, id);
    if (!d.ok()) return d.status();
    if (d->provider != me) {
      return Rule("storage-precommit-not-your-deal",
                  "deal " + std::to_string(id) + " was proposed to another provider");
    }
    if (d->state != DealState::kProposed || d->in_sector) {
      return Rule("storage-precommit-deal-unavailable",
                  "deal " + std::to_string(id) + " is " + std::string(DealStateName(d->state)) +
                      (d->in_sector ? " in sector " + std::to_string(d->sector) : ""));
    }
    if (d->start <= h) {
      return Rule("storage-precommit-deal-unavailable",
                  "deal " + std::to_string(id) + " starts at " + std::to_string(d->start));
    }
    pieces.push_back({d->comm_d, d->piece_size});
    deals.push_back(std::move(d).value());
  }
  auto comm_d = proofs::CommDFromPieces(pieces, *size);
  if (!comm_d.ok()) return Rule("storage-precommit-pieces-too-large", comm_d.status().message());
  Sector s;
  s.state = SectorState::kPreCommitted;
  s.size = p->sector_size;
  s.comm_r = *comm_r;
  s.comm_d = *comm_d;
  s.ticket_height = *ticket_height;
  s.precommit_height = h;
  s.deposit = ctx.value();
  s.deals = *deal_ids;
  for (size_t i = 0; i < deals.size(); ++i) {
    deals[i].in_sector = true;
    deals[i].sector = *number;
    DEPIN_RETURN_IF_ERROR(ctx.Put(DealKey((*deal_ids)[i]), deals[i].Encode()));
  }
  DEPIN_RETURN_IF_ERROR(ctx.Put(SectorKey(me, *number), s.Encode()));
  p->precommitted += 1;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(me), p->Encode()));
  const uint64_t expiry = PreCommitExpiry(h);
  DEPIN_RETURN_IF_ERROR(
      ctx.ScheduleDeferred(expiry, PreCommitExpiryJob(me, *number),
                           consensus::kStoragePreCommitExpiryBaseGas +
                               consensus::kStoragePreCommitExpiryPerDealGas * deals.size()));
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kSectorPreCommitted, {AddressTopic(me), UintTopic(*number)},
                                      abi::Encoder().Bytes32(s.comm_r).Bytes32(s.comm_d).Finish()));
  return Bytes();
}

// proveCommitSector(uint256 sectorNumber, bytes publicInputs, bytes proof): one
// PoRep partition; the sector activates with its last partition.
Result<Bytes> StorageMarket::ProveCommitSector(ModuleContext& ctx, abi::Decoder& args) const {
  auto number = args.Uint64();
  if (!number.ok()) return number.status();
  auto inputs_raw = args.Bytes(kMaxProofBytes);
  if (!inputs_raw.ok()) return inputs_raw.status();
  auto inputs = proofs::DecodePoRepPublicInputs(*inputs_raw);
  if (!inputs.ok()) return inputs.status();
  const Address& me = ctx.sender();
  auto s = LoadSector(ctx, me, *number);
  if (!s.ok()) return s.status();
  if (s->state == SectorState::kActive) {
    return Rule("storage-provecommit-duplicate",
                "sector " + std::to_string(*number) + " is already active");
  }
  if (s->state != SectorState::kPreCommitted) {
    return Rule("storage-sector-not-precommitted", "sector " + std::to_string(*number) + " is " +
                                                       std::string(SectorStateName(s->state)));
  }
  const uint64_t h = ctx.block().height;
  const uint64_t seed_height = s->precommit_height + params_.seal_seed_delay_blocks;
  if (h <= seed_height) {
    return Rule("storage-provecommit-too-early",
                "the seed comes from block " + std::to_string(seed_height) + "; prove after it");
  }
  auto size = SectorSize::FromBytes(s->size);
  if (!size) return Corrupt("sector size");
  const proofs::ProofParams pp = proofs::ParamsFor(*size);
  if (inputs->size != *size) {
    return Rule("storage-provecommit-wrong-inputs", "the proof is for another sector size");
  }
  if (inputs->partition >= pp.porep_partitions) {
    return Rule("storage-provecommit-wrong-inputs", "partition " +
                                                        std::to_string(inputs->partition) + " of " +
                                                        std::to_string(pp.porep_partitions));
  }
  if ((s->partitions_proven >> inputs->partition) & 1) {
    return Rule("storage-provecommit-duplicate",
                "partition " + std::to_string(inputs->partition) + " is already proven");
  }
  if (inputs->comm_r != s->comm_r || inputs->comm_d != s->comm_d) {
    return Rule("storage-provecommit-wrong-inputs", "CommR or CommD differs from the pre-commit's");
  }
  auto ticket = ctx.block().RandomnessAt(s->ticket_height);
  if (!ticket.ok()) return ticket.status();
  proofs::ProviderAddress pa(me.data());
  if (inputs->replica_id != proofs::ReplicaId(pa, *number, *ticket, s->comm_d, *size)) {
    return Rule("storage-provecommit-wrong-inputs",
                "the replica id is not this provider's, sector's and ticket's");
  }
  auto seed = ctx.block().RandomnessAt(seed_height);
  if (!seed.ok()) return seed.status();
  if (inputs->seed != *seed) {
    return Rule("storage-provecommit-wrong-inputs",
                "the seed is not block " + std::to_string(seed_height) + "'s hash");
  }
  s->partitions_proven |= uint64_t{1} << inputs->partition;
  if (std::popcount(s->partitions_proven) == static_cast<int>(pp.porep_partitions)) {
    DEPIN_RETURN_IF_ERROR(Activate(ctx, me, *number, *s));
  }
  DEPIN_RETURN_IF_ERROR(ctx.Put(SectorKey(me, *number), s->Encode()));
  return Bytes();
}

Status StorageMarket::Activate(ModuleContext& ctx, const Address& me, uint64_t number,
                               Sector& s) const {
  const uint64_t h = ctx.block().height;
  auto p = LoadProvider(ctx, me);
  if (!p.ok()) return p.status();
  std::vector<uint64_t> live;
  for (uint64_t id : s.deals) {
    auto d = LoadDeal(ctx, id);
    if (!d.ok()) return d.status();
    // A deal that expired or was cancelled while the sector sealed stays
    // ended; its piece is still in the sector, unpaid.
    if (d->state != DealState::kProposed) continue;
    const Uint256 collateral = Percent(d->Total(), params_.provider_collateral_percent);
    auto locked = Add(p->locked, collateral);
    if (!locked.ok()) return locked.status();
    if (*locked > p->stake) {
      return Rule("storage-insufficient-stake", "activating deal " + std::to_string(id) +
                                                    " locks " + collateral.ToDecimal() +
                                                    " wei of collateral; free stake is " +
                                                    SaturatingSub(p->stake, p->locked).ToDecimal());
    }
    p->locked = *locked;
    d->provider_collateral = collateral;
    d->state = DealState::kActive;
    d->activated_at = h;
    DEPIN_RETURN_IF_ERROR(ctx.Put(DealKey(id), d->Encode()));
    DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kDealActivated,
                                        {UintTopic(id), AddressTopic(me), UintTopic(number)},
                                        abi::Encoder().Uint(collateral).Finish()));
    live.push_back(id);
  }
  DEPIN_RETURN_IF_ERROR(
      ctx.CancelDeferred(PreCommitExpiry(s.precommit_height), PreCommitExpiryJob(me, number)));
  DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(me, s.deposit));
  s.deposit = Uint256();
  p->precommitted -= 1;
  s.deals = live;
  s.activated_at = h;
  s.deadline = schedule_.DeadlineOf(number);
  s.segment_start = h;
  s.pending_period = schedule_.FirstPeriodFrom(h, s.deadline);
  const uint64_t first_check = schedule_.Check(s.pending_period, s.deadline);
  if (live.empty()) {
    s.state = SectorState::kExpired;
  } else {
    s.state = SectorState::kActive;
    s.scheduled_period = s.pending_period;
    p->active_sectors += 1;
    DEPIN_RETURN_IF_ERROR(ChangeDeadlineCount(ctx, me, s.deadline, +1));
    DEPIN_RETURN_IF_ERROR(
        ctx.ScheduleDeferred(first_check, CheckJob(me, number, s.pending_period),
                             SettleChainGas(live.size(), params_.max_consecutive_faults)));
  }
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(me), p->Encode()));
  return ctx.EmitEvent(kSectorActivated, {AddressTopic(me), UintTopic(number)},
                       abi::Encoder().Uint(s.deadline).Uint(first_check).Finish());
}

Status StorageMarket::ChangeDeadlineCount(ModuleContext& ctx, const Address& p, uint64_t d,
                                          int delta) const {
  auto n = ReadCounter(ctx, DeadlineCountKey(p, d));
  if (!n.ok()) return n.status();
  if (delta < 0 && *n == 0) return Corrupt("deadline count");
  return WriteCounter(ctx, DeadlineCountKey(p, d), delta < 0 ? *n - 1 : *n + 1);
}

// submitPoSt(uint256 deadline, bytes publicInputs, bytes proof)
Result<Bytes> StorageMarket::SubmitPoSt(ModuleContext& ctx, abi::Decoder& args) const {
  auto deadline = args.Uint64();
  if (!deadline.ok()) return deadline.status();
  auto inputs_raw = args.Bytes(kMaxProofBytes);
  if (!inputs_raw.ok()) return inputs_raw.status();
  auto inputs = proofs::DecodePoStPublicInputs(*inputs_raw);
  if (!inputs.ok()) return inputs.status();
  const Address& me = ctx.sender();
  const uint64_t h = ctx.block().height;
  DEPIN_RETURN_IF_ERROR(CheckDeadline(*deadline));
  if (inputs->sectors.empty()) return Rule("storage-post-no-sectors", "the PoSt proves nothing");
  auto open_period = schedule_.OpenWindowAt(h, *deadline);
  std::set<uint64_t> seen;
  for (const proofs::PoStSectorInfo& info : inputs->sectors) {
    const std::string which = "sector " + std::to_string(info.sector_number);
    if (!seen.insert(info.sector_number).second) {
      return Rule("storage-post-duplicate", which + " is listed twice");
    }
    auto s = LoadSector(ctx, me, info.sector_number);
    if (!s.ok()) return s.status();
    if (s->state != SectorState::kActive) {
      return Rule("storage-post-sector-not-active",
                  which + " is " + std::string(SectorStateName(s->state)));
    }
    if (s->deadline != *deadline) {
      return Rule("storage-post-wrong-deadline",
                  which + " is proven in deadline " + std::to_string(s->deadline));
    }
    if (info.size.bytes() != s->size || info.comm_r != s->comm_r) {
      return Rule("storage-post-wrong-sector", which + ": size or CommR differs from the chain's");
    }
    const uint64_t open = schedule_.Open(s->pending_period, *deadline);
    if (s->proven_period == s->pending_period + 1) {
      return Rule("storage-post-duplicate",
                  which + " is already proven for period " + std::to_string(s->pending_period));
    }
    if (h <= open) {
      // A proof for the window that just closed (its settlement ran at the
      // end of the check block) is late, not early.
      if (s->pending_period > 0) {
        const uint64_t previous = schedule_.Open(s->pending_period - 1, *deadline);
        auto before = ctx.block().RandomnessAt(previous);
        if (before.ok() && *before == inputs->randomness) {
          return Rule("storage-post-late",
                      which + "'s window for period " + std::to_string(s->pending_period - 1) +
                          " closed at block " +
                          std::to_string(schedule_.Check(s->pending_period - 1, *deadline)));
        }
      }
      return Rule("storage-post-early",
                  which + "'s window opens after block " + std::to_string(open));
    }
    if (!open_period || *open_period != s->pending_period) {
      return Rule("storage-post-late",
                  which + "'s window for period " + std::to_string(s->pending_period) +
                      " closed at " +
                      std::to_string(schedule_.Check(s->pending_period, *deadline)));
    }
    auto randomness = ctx.block().RandomnessAt(open);
    if (!randomness.ok()) return randomness.status();
    if (inputs->randomness != *randomness) {
      return Rule("storage-post-wrong-randomness",
                  "the proof answers " + inputs->randomness.Hex() + ", the challenge is block " +
                      std::to_string(open) + "'s hash " + randomness->Hex());
    }
    s->proven_period = s->pending_period + 1;
    s->declared_faulty = false;
    // This PoSt pays for the next period's settlement, prepaid for a chain
    // of faulty periods (SettleChainGas), unless the sector ends first.
    uint64_t last_end = 0;
    for (uint64_t id : s->deals) {
      auto d = LoadDeal(ctx, id);
      if (!d.ok()) return d.status();
      if (d->state == DealState::kActive) last_end = std::max(last_end, d->end);
    }
    const uint64_t next = s->pending_period + 1;
    if (s->scheduled_period < next && last_end > schedule_.Check(s->pending_period, *deadline)) {
      DEPIN_RETURN_IF_ERROR(ctx.ScheduleDeferred(
          schedule_.Check(next, *deadline), CheckJob(me, info.sector_number, next),
          SettleChainGas(s->deals.size(), params_.max_consecutive_faults)));
      s->scheduled_period = next;
    }
    DEPIN_RETURN_IF_ERROR(ctx.Put(SectorKey(me, info.sector_number), s->Encode()));
  }
  DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(
      kPoStSubmitted, {AddressTopic(me), UintTopic(*deadline)},
      abi::Encoder().Uint(open_period.value_or(0)).Uint(inputs->sectors.size()).Finish()));
  return Bytes();
}

// declareFaults(uint256[] sectors) / declareRecovered(uint256[] sectors)
Result<Bytes> StorageMarket::DeclareFaults(ModuleContext& ctx, abi::Decoder& args,
                                           bool faulty) const {
  auto numbers = args.Uint64Array(kMaxSectorsPerCall);
  if (!numbers.ok()) return numbers.status();
  const Address& me = ctx.sender();
  const uint64_t h = ctx.block().height;
  for (uint64_t n : *numbers) {
    auto s = LoadSector(ctx, me, n);
    if (!s.ok()) return s.status();
    if (s->state != SectorState::kActive) {
      return Rule("storage-declare-not-active",
                  "sector " + std::to_string(n) + " is " + std::string(SectorStateName(s->state)));
    }
    const uint64_t open = schedule_.Open(s->pending_period, s->deadline);
    if (h >= open) {
      return Rule("storage-declare-too-late",
                  "sector " + std::to_string(n) + "'s deadline opened at block " +
                      std::to_string(open) + "; declare before it opens");
    }
    s->declared_faulty = faulty;
    DEPIN_RETURN_IF_ERROR(ctx.Put(SectorKey(me, n), s->Encode()));
    DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kFaultDeclared, {AddressTopic(me), UintTopic(n)},
                                        abi::Encoder().Bool(faulty).Finish()));
  }
  return Bytes();
}

// Settles period `period` of a sector at its check height (deferred work).
Status StorageMarket::Settle(ModuleContext& ctx, const Address& me, uint64_t number,
                             uint64_t period) const {
  auto loaded = LoadRecord<Sector>(ctx, SectorKey(me, number));
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return Status::Ok();
  Sector s = std::move(**loaded);
  // Stale: the sector ended, or this period was settled already.
  if (s.state != SectorState::kActive || s.pending_period != period) return Status::Ok();
  auto p = LoadProvider(ctx, me);
  if (!p.ok()) return p.status();
  const uint64_t check = schedule_.Check(period, s.deadline);
  const bool proven = s.proven_period == period + 1;
  const uint64_t fee_permille =
      s.declared_faulty ? params_.declared_fault_fee_permille : params_.fault_fee_permille;
  if (proven) {
    s.consecutive_faults = 0;
  } else {
    s.consecutive_faults += 1;
    s.faulty_periods += 1;
  }
  const bool terminate = !proven && s.consecutive_faults >= params_.max_consecutive_faults;
  Uint256 paid_total;
  Uint256 fee_total;
  Uint256 to_clients_on_termination;
  std::vector<uint64_t> still_live;
  for (uint64_t id : s.deals) {
    auto d = LoadDeal(ctx, id);
    if (!d.ok()) return d.status();
    if (d->state != DealState::kActive) continue;
    const Uint256 due = d->PaymentFor(s.segment_start, check);
    if (proven) {
      d->paid = *CheckedAdd(d->paid, due);
      auto earnings = Add(p->earnings, due);
      if (!earnings.ok()) return earnings.status();
      p->earnings = *earnings;
      paid_total = *CheckedAdd(paid_total, due);
    } else {
      Uint256 fee = MulDivSaturating(due, fee_permille, 1000);
      fee = std::min(fee, d->provider_collateral);
      d->provider_collateral = *CheckedSub(d->provider_collateral, fee);
      DEPIN_RETURN_IF_ERROR(TakeCollateral(*p, fee));
      d->fees = *CheckedAdd(d->fees, fee);
      d->faulty_periods += 1;
      DEPIN_RETURN_IF_ERROR(RecordFault(ctx, id, s.segment_start, check));
      DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(d->client, fee));
      fee_total = *CheckedAdd(fee_total, fee);
    }
    if (terminate) {
      // The rest of the provider's collateral goes to the client with its
      // unspent payment and its own collateral.
      const Uint256 collateral = d->provider_collateral;
      DEPIN_RETURN_IF_ERROR(TakeCollateral(*p, collateral));
      d->provider_collateral = Uint256();
      to_clients_on_termination = *CheckedAdd(to_clients_on_termination, collateral);
      DEPIN_RETURN_IF_ERROR(EndDeal(ctx, id, *d, DealState::kTerminated, collateral));
    } else if (d->end <= check) {
      // The deal's term is over: its collateral is the provider's again.
      auto locked = Sub(p->locked, d->provider_collateral, "locked collateral");
      if (!locked.ok()) return locked.status();
      p->locked = *locked;
      d->provider_collateral = Uint256();
      DEPIN_RETURN_IF_ERROR(EndDeal(ctx, id, *d, DealState::kCompleted, Uint256()));
    } else {
      DEPIN_RETURN_IF_ERROR(ctx.Put(DealKey(id), d->Encode()));
      still_live.push_back(id);
    }
  }
  if (proven) {
    DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kSectorPaid, {AddressTopic(me), UintTopic(number)},
                                        abi::Encoder().Uint(period).Uint(paid_total).Finish()));
  } else {
    DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(
        kSectorFaulty, {AddressTopic(me), UintTopic(number)},
        abi::Encoder().Uint(period).Uint(fee_total).Bool(s.declared_faulty).Finish()));
  }
  s.segment_start = check;
  s.pending_period = period + 1;
  if (terminate || still_live.empty()) {
    s.state = terminate ? SectorState::kTerminated : SectorState::kExpired;
    p->active_sectors -= 1;
    DEPIN_RETURN_IF_ERROR(ChangeDeadlineCount(ctx, me, s.deadline, -1));
    if (terminate) {
      DEPIN_RETURN_IF_ERROR(ctx.EmitEvent(kSectorTerminated, {AddressTopic(me), UintTopic(number)},
                                          abi::Encoder().Uint(to_clients_on_termination).Finish()));
    }
  }
  s.deals = s.state == SectorState::kActive ? still_live : s.deals;
  const bool chain = s.state == SectorState::kActive && s.scheduled_period == period;
  if (chain) s.scheduled_period = period + 1;
  DEPIN_RETURN_IF_ERROR(ctx.Put(SectorKey(me, number), s.Encode()));
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(me), p->Encode()));
  if (chain) {
    // Nobody paid for the next settlement (no PoSt this period): this run
    // queues it from what is left of its own prepaid chain.
    // ScheduleDeferred charges the queue read and the entry's write on top
    // of the gas it prepays.
    const uint64_t reserve = consensus::kDeferredScheduleGas + consensus::kModuleReadGas;
    const uint64_t left = ctx.gas_left();
    if (left < reserve + consensus::kDeferredMinGas) {
      return Status::Error("storage-settle-chain-exhausted",
                           "no gas left to queue the next settlement");
    }
    DEPIN_RETURN_IF_ERROR(ctx.ScheduleDeferred(schedule_.Check(period + 1, s.deadline),
                                               CheckJob(me, number, period + 1), left - reserve));
  }
  return Status::Ok();
}

Status StorageMarket::RecordFault(ModuleContext& ctx, uint64_t deal, uint64_t from,
                                  uint64_t check) const {
  if (check <= from) return Status::Ok();
  auto total = ReadCounter(ctx, FaultTotalKey(deal));
  if (!total.ok()) return total.status();
  const uint64_t after = *total + (check - from);
  Bytes record(16);
  WriteBE64(record.data(), from);
  WriteBE64(record.data() + 8, after);
  DEPIN_RETURN_IF_ERROR(ctx.Put(FaultKey(deal, check), std::move(record)));
  return WriteCounter(ctx, FaultTotalKey(deal), after);
}

Result<uint64_t> StorageMarket::FaultyBlocksBelow(ModuleContext& ctx, uint64_t deal,
                                                  uint64_t height) const {
  // The first faulty period ending after `height`: every earlier one is
  // wholly below it, this one partly or not at all, later ones not at all.
  const Bytes prefix = FaultPrefix(deal);
  auto next = ctx.Scan(prefix, FaultKey(deal, height), 1);
  if (!next.ok()) return next.status();
  if (next->empty()) return ReadCounter(ctx, FaultTotalKey(deal));
  const consensus::StateEntry& e = next->front();
  if (e.key.size() != prefix.size() + 8 || e.value.size() != 16) return Corrupt("fault record");
  const uint64_t check = ReadBE64(e.key.data() + prefix.size());
  const uint64_t from = ReadBE64(e.value.data());
  const uint64_t after = ReadBE64(e.value.data() + 8);
  if (from >= check || after < check - from) return Corrupt("fault record");
  const uint64_t before = after - (check - from);
  return height > from ? before + (height - from) : before;
}

Result<std::optional<DealService>> StorageMarket::GetDealService(ModuleContext& ctx,
                                                                 uint64_t id) const {
  auto d = LoadRecord<Deal>(ctx, DealKey(id));
  if (!d.ok()) return d.status();
  if (!d->has_value()) return std::optional<DealService>();
  const Deal& deal = **d;
  DealService service;
  service.provider = deal.provider;
  if (deal.state == DealState::kActive) {
    auto s = LoadSector(ctx, deal.provider, deal.sector);
    if (!s.ok()) return s.status();
    service.active = s->state == SectorState::kActive;
    service.known_until = s->segment_start;
  } else if (deal.state == DealState::kProposed) {
    service.known_until = ctx.block().height;
  } else {
    service.known_until = ~uint64_t{0};
  }
  return std::optional<DealService>(service);
}

Result<uint64_t> StorageMarket::UnservedBlocks(ModuleContext& ctx, uint64_t id, uint64_t from,
                                               uint64_t to) const {
  if (to <= from) return uint64_t{0};
  auto service = GetDealService(ctx, id);
  if (!service.ok()) return service.status();
  if (!service->has_value()) return Rule("storage-unknown-deal", "no deal " + std::to_string(id));
  if (to > (*service)->known_until) {
    return Rule("storage-query-unsettled", "deal " + std::to_string(id) +
                                               " is settled below block " +
                                               std::to_string((*service)->known_until) + " only");
  }
  auto d = LoadDeal(ctx, id);
  if (!d.ok()) return d.status();
  // Never activated: nothing was ever served.
  if (d->activated_at == 0) return to - from;
  // The served span [activated_at, ended_at) less its faulty periods.
  const uint64_t served_end =
      d->state == DealState::kActive ? ~uint64_t{0} : std::max(d->ended_at, d->activated_at);
  const uint64_t a = std::clamp(from, d->activated_at, served_end);
  const uint64_t b = std::clamp(to, d->activated_at, served_end);
  uint64_t unserved = (to - from) - (b - a);
  if (b > a) {
    auto below_b = FaultyBlocksBelow(ctx, id, b);
    if (!below_b.ok()) return below_b.status();
    auto below_a = FaultyBlocksBelow(ctx, id, a);
    if (!below_a.ok()) return below_a.status();
    if (*below_b < *below_a || *below_b - *below_a > b - a) return Corrupt("fault records");
    unserved += *below_b - *below_a;
  }
  return unserved;
}

Status StorageMarket::ExpireDeal(ModuleContext& ctx, uint64_t id) const {
  auto loaded = LoadRecord<Deal>(ctx, DealKey(id));
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return Status::Ok();
  Deal d = std::move(**loaded);
  if (d.state != DealState::kProposed) return Status::Ok();
  return EndDeal(ctx, id, d, DealState::kExpired, Uint256());
}

Status StorageMarket::ExpirePreCommit(ModuleContext& ctx, const Address& me,
                                      uint64_t number) const {
  auto loaded = LoadRecord<Sector>(ctx, SectorKey(me, number));
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return Status::Ok();
  Sector s = std::move(**loaded);
  if (s.state != SectorState::kPreCommitted) return Status::Ok();
  // The deposit goes to the clients of the sector's deals, pro rata by piece
  // size (the remainder of the division to the first), and the deals are
  // free to go into another sector before they start.
  std::vector<Deal> deals;
  uint64_t total_size = 0;
  for (uint64_t id : s.deals) {
    auto d = LoadDeal(ctx, id);
    if (!d.ok()) return d.status();
    total_size += d->piece_size;
    deals.push_back(std::move(d).value());
  }
  Uint256 given;
  for (size_t i = 0; i < deals.size(); ++i) {
    Uint256 share = MulDivSaturating(s.deposit, deals[i].piece_size, total_size);
    if (i == 0) {
      Uint256 rest;
      for (size_t j = 1; j < deals.size(); ++j) {
        rest = *CheckedAdd(rest, MulDivSaturating(s.deposit, deals[j].piece_size, total_size));
      }
      share = *CheckedSub(s.deposit, rest);
    }
    DEPIN_RETURN_IF_ERROR(ctx.PayFromModule(deals[i].client, share));
    given = *CheckedAdd(given, share);
    if (deals[i].in_sector && deals[i].sector == number) {
      deals[i].in_sector = false;
      deals[i].sector = 0;
      DEPIN_RETURN_IF_ERROR(ctx.Put(DealKey(s.deals[i]), deals[i].Encode()));
    }
  }
  s.state = SectorState::kPreCommitExpired;
  s.deposit = Uint256();
  DEPIN_RETURN_IF_ERROR(ctx.Put(SectorKey(me, number), s.Encode()));
  auto p = LoadProvider(ctx, me);
  if (!p.ok()) return p.status();
  p->precommitted -= 1;
  DEPIN_RETURN_IF_ERROR(ctx.Put(ProviderKey(me), p->Encode()));
  return ctx.EmitEvent(kPreCommitExpired, {AddressTopic(me), UintTopic(number)},
                       abi::Encoder().Uint(given).Finish());
}

Status StorageMarket::RunDeferred(ModuleContext& ctx, uint64_t, ByteSpan key) const {
  if (key.empty()) return Corrupt("deferred key");
  const char tag = static_cast<char>(key[0]);
  if (tag == 'X' && key.size() == 9) return ExpireDeal(ctx, ReadBE64(key.data() + 1));
  if (tag == 'E' && key.size() == 29) {
    return ExpirePreCommit(ctx, Address(key.data() + 1), ReadBE64(key.data() + 21));
  }
  if (tag == 'C' && key.size() == 37) {
    return Settle(ctx, Address(key.data() + 1), ReadBE64(key.data() + 21),
                  ReadBE64(key.data() + 29));
  }
  return Corrupt("deferred key");
}

// --- Views ---------------------------------------------------------------------

Result<Bytes> StorageMarket::GetProvider(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto p = LoadRecord<Provider>(ctx, ProviderKey(*who));
  if (!p.ok()) return p.status();
  const Provider v = p->value_or(Provider());
  return abi::Encoder()
      .Bool(p->has_value())
      .String(v.uri)
      .Uint(v.price_per_gib)
      .Uint(v.min_duration)
      .Uint(v.sector_size)
      .Uint(v.stake)
      .Uint(v.locked)
      .Uint(v.earnings)
      .Uint(v.active_sectors)
      .Uint(v.precommitted)
      .Finish();
}

Result<Bytes> StorageMarket::GetDeal(ModuleContext& ctx, abi::Decoder& args) const {
  auto id = args.Uint64();
  if (!id.ok()) return id.status();
  auto d = LoadDeal(ctx, *id);
  if (!d.ok()) return d.status();
  return abi::Encoder()
      .Address(d->client)
      .Address(d->provider)
      .Bytes32(d->comm_d)
      .Uint(d->piece_size)
      .Uint(d->start)
      .Uint(d->end)
      .Uint(d->price)
      .Uint(static_cast<uint8_t>(d->state))
      .Bool(d->in_sector)
      .Uint(d->sector)
      .Uint(d->paid)
      .Uint(d->fees)
      .Uint(d->provider_collateral)
      .Uint(d->client_collateral)
      .Uint(d->faulty_periods)
      .Finish();
}

Result<Bytes> StorageMarket::GetSector(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto number = args.Uint64();
  if (!number.ok()) return number.status();
  auto s = LoadSector(ctx, *who, *number);
  if (!s.ok()) return s.status();
  std::vector<Uint256> deals(s->deals.begin(), s->deals.end());
  const bool active = s->state == SectorState::kActive;
  return abi::Encoder()
      .Uint(static_cast<uint8_t>(s->state))
      .Uint(s->size)
      .Bytes32(s->comm_r)
      .Bytes32(s->comm_d)
      .Uint(s->precommit_height)
      .Uint(s->activated_at)
      .Uint(s->deadline)
      .Uint(active ? schedule_.Open(s->pending_period, s->deadline) : 0)
      .Uint(active ? schedule_.Check(s->pending_period, s->deadline) : 0)
      .Bool(active && s->proven_period == s->pending_period + 1)
      .Uint(s->consecutive_faults)
      .Bool(s->declared_faulty)
      .Uint(s->faulty_periods)
      .UintArray(deals)
      .Finish();
}

// getDeadline(address provider, uint256 deadline) -> the window a PoSt for it
// answers next at this height.
Result<Bytes> StorageMarket::GetDeadline(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto d = args.Uint64();
  if (!d.ok()) return d.status();
  DEPIN_RETURN_IF_ERROR(CheckDeadline(*d));
  const uint64_t h = ctx.block().height;
  auto open_now = schedule_.OpenWindowAt(h, *d);
  const uint64_t period = open_now ? *open_now : schedule_.FirstPeriodFrom(h, *d);
  auto sectors = ReadCounter(ctx, DeadlineCountKey(*who, *d));
  if (!sectors.ok()) return sectors.status();
  return abi::Encoder()
      .Uint(period)
      .Uint(schedule_.Open(period, *d))
      .Uint(schedule_.Check(period, *d))
      .Bool(open_now.has_value())
      .Uint(*sectors)
      .Finish();
}

// listDeals(address client, address provider, uint8 state, uint256 afterId,
//           uint256 limit) -> uint256[]
Result<Bytes> StorageMarket::ListDeals(ModuleContext& ctx, abi::Decoder& args) const {
  auto client = args.Address();
  if (!client.ok()) return client.status();
  auto provider = args.Address();
  if (!provider.ok()) return provider.status();
  auto state = args.Uint64();
  if (!state.ok()) return state.status();
  auto page = consensus::IdPage::Decode(args);
  if (!page.ok()) return page.status();
  if (*state > 6) return Rule("storage-bad-state", "deal states are 1..6 (0: any)");
  const Address zero;
  Bytes prefix;
  if (*client != zero) {
    prefix = RecordKey('c', {client->span()});
  } else if (*provider != zero) {
    prefix = RecordKey('p', {provider->span()});
  } else {
    prefix = Bytes{'D'};
  }
  auto ids = consensus::ListIds(ctx, kRules, prefix, *page, [&](uint64_t id) -> Result<bool> {
    if (*state == 0 && (*client == zero || *provider == zero)) return true;
    auto d = LoadDeal(ctx, id);
    if (!d.ok()) return d.status();
    return (*state == 0 || static_cast<uint64_t>(d->state) == *state) &&
           (*provider == zero || d->provider == *provider);
  });
  if (!ids.ok()) return ids.status();
  return abi::Encoder().UintArray(*ids).Finish();
}

// listProviders(address after, uint256 limit) -> address[]
Result<Bytes> StorageMarket::ListProviders(ModuleContext& ctx, abi::Decoder& args) const {
  auto page = consensus::AddressPage::Decode(args);
  if (!page.ok()) return page.status();
  auto entries = consensus::ScanAddressRecords(ctx, kRules, 'P', page->StartAfter('P'),
                                               page->capped_limit(), "provider key");
  if (!entries.ok()) return entries.status();
  std::vector<Address> out;
  for (const consensus::AddressRecord& e : *entries) out.push_back(e.address);
  return abi::Encoder().AddressArray(out).Finish();
}

// listSectors(address provider, uint256 afterSector, uint256 limit) -> uint256[]
// (afterSector 0 starts at the first; sector 0 itself is listed then).
Result<Bytes> StorageMarket::ListSectors(ModuleContext& ctx, abi::Decoder& args) const {
  auto who = args.Address();
  if (!who.ok()) return who.status();
  auto page = consensus::IdPage::Decode(args);
  if (!page.ok()) return page.status();
  auto ids = consensus::ScanIds(ctx, kRules, RecordKey('S', {who->span()}), page->after,
                                page->capped_limit());
  if (!ids.ok()) return ids.status();
  return abi::Encoder().UintArray(std::vector<Uint256>(ids->begin(), ids->end())).Finish();
}

// --- Proof checks --------------------------------------------------------------

Result<std::vector<consensus::ProofCheck>> StorageMarket::ProofChecks(ByteSpan calldata) const {
  auto split = abi::SplitCall(calldata);
  if (!split.ok()) return std::vector<consensus::ProofCheck>{};
  const bool porep = split->first == prove_commit_;
  if (!porep && split->first != submit_post_) return std::vector<consensus::ProofCheck>{};
  abi::Decoder args(split->second);
  auto first = args.Uint();
  auto inputs = args.Bytes(kMaxProofBytes);
  auto proof = args.Bytes(kMaxProofBytes);
  if (!first.ok() || !inputs.ok() || !proof.ok()) {
    const Status& why = !first.ok()    ? first.status()
                        : !inputs.ok() ? inputs.status()
                                       : proof.status();
    return Status::Error("storage-bad-proof-call",
                         std::string(porep ? "proveCommitSector" : "submitPoSt") +
                             " arguments do not decode: " + why.ToString());
  }
  consensus::ProofCheck check;
  check.module = address();
  check.kind = porep ? kPoRepProofKind : kPoStProofKind;
  check.public_inputs = std::move(inputs).value();
  check.proof = std::move(proof).value();
  return std::vector<consensus::ProofCheck>{std::move(check)};
}

std::vector<Status> StorageMarket::VerifyProofs(
    const std::vector<const consensus::ProofCheck*>& checks,
    const consensus::ProofCheckOptions& options) const {
  std::vector<Status> verdicts(checks.size(), Status::Ok());
  proofs::BatchVerifier verifier(
      proofs::BatchVerifierOptions{.threads = options.threads, .hash = options.hash});
  std::vector<std::pair<size_t, size_t>> slots;  // (check, verifier index)
  for (size_t i = 0; i < checks.size(); ++i) {
    const consensus::ProofCheck& c = *checks[i];
    if (c.kind == kPoRepProofKind) {
      auto inputs = proofs::DecodePoRepPublicInputs(c.public_inputs);
      if (!inputs.ok()) {
        verdicts[i] = inputs.status();
        continue;
      }
      auto proof = proofs::DecodePoRepProof(c.proof);
      if (!proof.ok()) {
        verdicts[i] = proof.status();
        continue;
      }
      slots.emplace_back(i, verifier.AddPoRep(*inputs, std::move(proof).value()));
    } else if (c.kind == kPoStProofKind) {
      auto inputs = proofs::DecodePoStPublicInputs(c.public_inputs);
      if (!inputs.ok()) {
        verdicts[i] = inputs.status();
        continue;
      }
      auto proof = proofs::DecodePoStProof(c.proof);
      if (!proof.ok()) {
        verdicts[i] = proof.status();
        continue;
      }
      slots.emplace_back(i, verifier.AddPoSt(std::move(inputs).value(), std::move(proof).value()));
    } else {
      verdicts[i] =
          Status::Error("storage-unknown-proof-kind", "proof kind " + std::to_string(c.kind));
    }
  }
  if (!slots.empty()) {
    std::vector<Status> batch = verifier.Verify();
    for (const auto& [check, index] : slots) verdicts[check] = batch[index];
  }
  return verdicts;
}

// --- The table -----------------------------------------------------------------

FunctionTable StorageMarket::MakeTable() {
  auto bind = [this](auto method) { return consensus::BindHandler(this, method); };
  prove_commit_ = abi::SelectorOf("proveCommitSector(uint256,bytes,bytes)");
  submit_post_ = abi::SelectorOf("submitPoSt(uint256,bytes,bytes)");
  const std::vector<AbiParam> provider_out = {{"registered", "bool"},
                                              {"uri", "string"},
                                              {"pricePerGiBPerBlock", "uint256"},
                                              {"minDurationBlocks", "uint256"},
                                              {"sectorSize", "uint256"},
                                              {"stake", "uint256"},
                                              {"lockedCollateral", "uint256"},
                                              {"earnings", "uint256"},
                                              {"activeSectors", "uint256"},
                                              {"preCommittedSectors", "uint256"}};
  const std::vector<AbiParam> deal_out = {{"client", "address"},
                                          {"provider", "address"},
                                          {"commD", "bytes32"},
                                          {"pieceSize", "uint256"},
                                          {"startBlock", "uint256"},
                                          {"endBlock", "uint256"},
                                          {"pricePerBlock", "uint256"},
                                          {"state", "uint8"},
                                          {"inSector", "bool"},
                                          {"sectorNumber", "uint256"},
                                          {"paid", "uint256"},
                                          {"faultFeesReceived", "uint256"},
                                          {"providerCollateral", "uint256"},
                                          {"clientCollateral", "uint256"},
                                          {"faultyPeriods", "uint256"}};
  const std::vector<AbiParam> sector_out = {{"state", "uint8"},
                                            {"sectorSize", "uint256"},
                                            {"commR", "bytes32"},
                                            {"commD", "bytes32"},
                                            {"preCommitHeight", "uint256"},
                                            {"activationHeight", "uint256"},
                                            {"deadline", "uint256"},
                                            {"nextWindowOpen", "uint256"},
                                            {"nextCheck", "uint256"},
                                            {"provenThisPeriod", "bool"},
                                            {"consecutiveFaults", "uint256"},
                                            {"declaredFaulty", "bool"},
                                            {"faultyPeriods", "uint256"},
                                            {"dealIds", "uint256[]"}};
  return FunctionTable(
      {
          ModuleFunction{
              .name = "registerProvider",
              .inputs = {{"uri", "string"},
                         {"pricePerGiBPerBlock", "uint256"},
                         {"minDurationBlocks", "uint256"},
                         {"sectorSize", "uint256"}},
              .outputs = {},
              .mutability = Mutability::kPayable,
              .gas = consensus::kStorageRegisterGas,
              .help = "Registers the sender as a provider; the value sent is its stake (at least "
                      "min_provider_stake). `uri` is where clients upload and retrieve "
                      "(at most 256 bytes); `sectorSize` one of the network's sizes.",
              .handler = bind(&StorageMarket::RegisterProvider)},
          ModuleFunction{.name = "updateProvider",
                         .inputs = {{"uri", "string"},
                                    {"pricePerGiBPerBlock", "uint256"},
                                    {"minDurationBlocks", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kPayable,
                         .gas = consensus::kStorageUpdateGas,
                         .help = "Changes the provider's terms for new deals; the value sent is "
                                 "added to its stake.",
                         .handler = bind(&StorageMarket::UpdateProvider)},
          ModuleFunction{.name = "withdrawStake",
                         .inputs = {{"amount", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kStorageWithdrawGas,
                         .help = "Pays `amount` of the stake back once no sector is active or "
                                 "pre-committed (storage-stake-in-use).",
                         .handler = bind(&StorageMarket::WithdrawStake)},
          ModuleFunction{.name = "withdrawEarnings",
                         .inputs = {},
                         .outputs = {{"amount", "uint256"}},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kStorageWithdrawGas,
                         .help = "Pays the provider what its proven periods earned.",
                         .handler = bind(&StorageMarket::WithdrawEarnings)},
          ModuleFunction{
              .name = "proposeDeal",
              .inputs = {{"provider", "address"},
                         {"commD", "bytes32"},
                         {"pieceSize", "uint256"},
                         {"startBlock", "uint256"},
                         {"endBlock", "uint256"},
                         {"pricePerBlock", "uint256"}},
              .outputs = {{"dealId", "uint256"}},
              .mutability = Mutability::kPayable,
              .gas = consensus::kStorageProposeGas,
              .help = "Proposes a deal: send exactly pricePerBlock x (endBlock - startBlock) "
                      "plus client_collateral_percent of it. `commD` is the piece commitment "
                      "(`depin-cli storage commd`), `pieceSize` a power of two >= 256 that fits "
                      "the provider's sectors; the price must meet the provider's ask. Not "
                      "active by `startBlock`, the deal expires and is refunded in full.",
              .handler = bind(&StorageMarket::ProposeDeal)},
          ModuleFunction{.name = "cancelDeal",
                         .inputs = {{"dealId", "uint256"}},
                         .outputs = {},
                         .mutability = Mutability::kNonPayable,
                         .gas = consensus::kStorageCancelGas,
                         .help = "The client cancels a deal before activation: refunded in full.",
                         .handler = bind(&StorageMarket::CancelDeal)},
          ModuleFunction{
              .name = "preCommitSector",
              .inputs = {{"sectorNumber", "uint256"},
                         {"commR", "bytes32"},
                         {"dealIds", "uint256[]"},
                         {"ticketHeight", "uint256"}},
              .outputs = {},
              .mutability = Mutability::kPayable,
              .gas = consensus::kStoragePreCommitGas,
              .help = "Pre-commits a sealed sector holding the deals' pieces in order "
                      "(CommD follows from them); the ticket is block `ticketHeight`'s hash, "
                      "at most ticket_max_age_blocks old. Send precommit_deposit: returned "
                      "at activation, paid to the deals' clients if the sector is not proven "
                      "within seal_seed_delay_blocks + prove_commit_window_blocks.",
              .handler = bind(&StorageMarket::PreCommitSector)},
          ModuleFunction{
              .name = "proveCommitSector",
              .inputs = {{"sectorNumber", "uint256"},
                         {"publicInputs", "bytes"},
                         {"proof", "bytes"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = consensus::kStorageProveCommitGas,
              .help = "One PoRep partition (storage/proofs encodings), checked like a signature "
                      "before execution. Its inputs must match the pre-commit: CommR, CommD, "
                      "the replica id and the seed (block preCommitHeight + "
                      "seal_seed_delay_blocks). The last partition activates the sector and "
                      "its deals, locking provider collateral from the stake.",
              .handler = bind(&StorageMarket::ProveCommitSector)},
          ModuleFunction{
              .name = "submitPoSt",
              .inputs = {{"deadline", "uint256"}, {"publicInputs", "bytes"}, {"proof", "bytes"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = consensus::kStorageSubmitPoStGas,
              .help = "Proves the listed sectors of `deadline` for the window open now: the "
                      "randomness is the hash of the block the window opened at. Prepays the "
                      "next period's settlement.",
              .handler = bind(&StorageMarket::SubmitPoSt)},
          ModuleFunction{
              .name = "declareFaults",
              .inputs = {{"sectors", "uint256[]"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = consensus::kStorageDeclareGas,
              .help = "Declares sectors faulty before their deadline opens: a faulty "
                      "period then costs the declared fee rate.",
              .handler = [this](ModuleContext& ctx,
                                abi::Decoder& args) { return DeclareFaults(ctx, args, true); }},
          ModuleFunction{
              .name = "declareRecovered",
              .inputs = {{"sectors", "uint256[]"}},
              .outputs = {},
              .mutability = Mutability::kNonPayable,
              .gas = consensus::kStorageDeclareGas,
              .help = "Withdraws a fault declaration before the deadline opens.",
              .handler = [this](ModuleContext& ctx,
                                abi::Decoder& args) { return DeclareFaults(ctx, args, false); }},
          ModuleFunction{.name = "getProvider",
                         .inputs = {{"provider", "address"}},
                         .outputs = provider_out,
                         .mutability = Mutability::kView,
                         .gas = consensus::kStorageViewGas,
                         .help = "A provider's terms and balances (registered false if none).",
                         .handler = bind(&StorageMarket::GetProvider)},
          ModuleFunction{.name = "getDeal",
                         .inputs = {{"dealId", "uint256"}},
                         .outputs = deal_out,
                         .mutability = Mutability::kView,
                         .gas = consensus::kStorageViewGas,
                         .help = "A deal (storage-unknown-deal). state: 1 proposed, 2 active, 3 "
                                 "expired, 4 cancelled, 5 completed, 6 terminated.",
                         .handler = bind(&StorageMarket::GetDeal)},
          ModuleFunction{.name = "getSector",
                         .inputs = {{"provider", "address"}, {"sectorNumber", "uint256"}},
                         .outputs = sector_out,
                         .mutability = Mutability::kView,
                         .gas = consensus::kStorageViewGas,
                         .help = "A sector (storage-unknown-sector). state: 1 pre-committed, 2 "
                                 "active, 3 expired, 4 terminated, 5 pre-commit expired.",
                         .handler = bind(&StorageMarket::GetSector)},
          ModuleFunction{.name = "getDeadline",
                         .inputs = {{"provider", "address"}, {"deadline", "uint256"}},
                         .outputs = {{"period", "uint256"},
                                     {"windowOpen", "uint256"},
                                     {"check", "uint256"},
                                     {"isOpen", "bool"},
                                     {"activeSectors", "uint256"}},
                         .mutability = Mutability::kView,
                         .gas = consensus::kStorageViewGas,
                         .help = "The deadline's window open now or next: its challenge "
                                 "randomness is block `windowOpen`'s hash, PoSts are accepted up "
                                 "to block `check`, then the period is settled.",
                         .handler = bind(&StorageMarket::GetDeadline)},
          ModuleFunction{.name = "listDeals",
                         .inputs = {{"client", "address"},
                                    {"provider", "address"},
                                    {"state", "uint8"},
                                    {"afterId", "uint256"},
                                    {"limit", "uint256"}},
                         .outputs = {{"dealIds", "uint256[]"}},
                         .mutability = Mutability::kView,
                         .gas = consensus::kStorageViewGas,
                         .help = "Deal ids after `afterId` in order, by client or provider (zero "
                                 "address: any) and state (0: any); at most `limit` (<= 1000).",
                         .handler = bind(&StorageMarket::ListDeals)},
          ModuleFunction{.name = "listProviders",
                         .inputs = {{"after", "address"}, {"limit", "uint256"}},
                         .outputs = {{"providers", "address[]"}},
                         .mutability = Mutability::kView,
                         .gas = consensus::kStorageViewGas,
                         .help = "Registered providers after `after` in address order; at most "
                                 "`limit` (<= 1000).",
                         .handler = bind(&StorageMarket::ListProviders)},
          ModuleFunction{
              .name = "listSectors",
              .inputs = {{"provider", "address"}, {"afterSector", "uint256"}, {"limit", "uint256"}},
              .outputs = {{"sectorNumbers", "uint256[]"}},
              .mutability = Mutability::kView,
              .gas = consensus::kStorageViewGas,
              .help = "The provider's sector numbers after `afterSector` (0: from the "
                      "first); at most `limit` (<= 1000).",
              .handler = bind(&StorageMarket::ListSectors)},
      },
      {kProviderRegistered, kProviderUpdated, kStakeWithdrawn, kEarningsWithdrawn, kDealProposed,
       kDealActivated, kDealEnded, kSectorPreCommitted, kPreCommitExpired, kSectorActivated,
       kPoStSubmitted, kSectorPaid, kSectorFaulty, kSectorTerminated, kFaultDeclared});
}

}  // namespace

Address StorageMarketAddress() { return ModuleAddress(0x2000); }

std::shared_ptr<const consensus::Module> MakeStorageMarket(const StorageMarketParams& params) {
  return std::make_shared<StorageMarket>(params);
}

std::string_view DealStateName(DealState state) {
  switch (state) {
    case DealState::kProposed:
      return "proposed";
    case DealState::kActive:
      return "active";
    case DealState::kExpired:
      return "expired";
    case DealState::kCancelled:
      return "cancelled";
    case DealState::kCompleted:
      return "completed";
    case DealState::kTerminated:
      return "terminated";
  }
  return "unknown";
}

std::string_view SectorStateName(SectorState state) {
  switch (state) {
    case SectorState::kPreCommitted:
      return "pre-committed";
    case SectorState::kActive:
      return "active";
    case SectorState::kExpired:
      return "expired";
    case SectorState::kTerminated:
      return "terminated";
    case SectorState::kPreCommitExpired:
      return "pre-commit-expired";
  }
  return "unknown";
}

ProvingSchedule::ProvingSchedule(const StorageMarketParams& params)
    : period_(std::max<uint64_t>(params.proving_period_blocks, 1)),
      deadlines_(std::max<uint64_t>(params.deadlines_per_period, 1)),
      window_(std::max<uint64_t>(period_ / deadlines_, 1)),
      response_(std::max<uint64_t>(params.post_response_blocks, 1)) {}

uint64_t ProvingSchedule::Open(uint64_t period, uint64_t deadline) const {
  if (period > (~uint64_t{0} - deadline * window_) / period_) return ~uint64_t{0};
  return period * period_ + deadline * window_;
}

uint64_t ProvingSchedule::Check(uint64_t period, uint64_t deadline) const {
  const uint64_t open = Open(period, deadline);
  return open > ~uint64_t{0} - response_ ? ~uint64_t{0} : open + response_;
}

uint64_t ProvingSchedule::FirstPeriodFrom(uint64_t height, uint64_t deadline) const {
  const uint64_t offset = deadline * window_;
  if (height <= offset) return 0;
  return (height - offset + period_ - 1) / period_;
}

std::optional<uint64_t> ProvingSchedule::OpenWindowAt(uint64_t height, uint64_t deadline) const {
  const uint64_t offset = deadline * window_;
  if (height <= offset) return std::nullopt;
  const uint64_t period = (height - 1 - offset) / period_;
  const uint64_t open = Open(period, deadline);
  if (height > open && height - open <= response_) return period;
  return std::nullopt;
}

}  // namespace depin::storage

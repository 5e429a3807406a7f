#include "index/market_index.h"

#include <algorithm>
#include <map>

#include "consensus/abi.h"
#include "market/compute_market.h"
#include "market/gpu_attributes.h"
#include "storage/market.h"

namespace depin::index {

namespace {

namespace key {
inline constexpr uint8_t kObject = 'o';        // 'o' || ref -> MarketObjectRecord
inline constexpr uint8_t kParticipant = 'p';   // 'p' || address || ref -> roles || BE64 height
inline constexpr uint8_t kCount = 'c';         // 'c' || address || kind -> BE64
inline constexpr uint8_t kGlobal = 'g';        // 'g' || name -> BE64
inline constexpr uint8_t kModel = 'm';         // 'm' || 'r'|'l' || model -> BE64
inline constexpr uint8_t kLeaseStart = 's';    // 's' || BE64 height || BE64 id -> price || model
inline constexpr uint8_t kFaults = 'f';        // 'f' || BE64 period -> BE64
inline constexpr uint8_t kSectorNumber = 'n';  // 'n' || BE64 number || provider -> ""
inline constexpr uint8_t kUndo = 'u';          // 'u' || BE64 height || hash -> undo list
inline constexpr uint8_t kHeight = 'h';        // 'h' -> BE64 height of the best block
}  // namespace key

constexpr std::string_view kOpenOrders = "openorders";
constexpr std::string_view kActiveLeases = "activeleases";
constexpr std::string_view kComputeProviders = "cproviders";
constexpr std::string_view kStorageProviders = "sproviders";
constexpr size_t kMaxEventString = 4096;

Bytes Be64(uint64_t v) {
  Bytes out(8);
  WriteBE64(out.data(), v);
  return out;
}

void Append(Bytes& out, ByteSpan more) { out.insert(out.end(), more.begin(), more.end()); }

Bytes Key(uint8_t prefix, std::initializer_list<ByteSpan> parts) {
  Bytes suffix;
  for (ByteSpan p : parts) Append(suffix, p);
  return chain::MakeKey(prefix, suffix);
}

ByteSpan Str(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

uint64_t DecodeU64(const std::optional<Bytes>& v) {
  return v && v->size() == 8 ? ReadBE64(v->data()) : 0;
}

// Reads through the block's own writes; records each written key's value
// before the block (its undo).
class Overlay {
 public:
  explicit Overlay(const chain::ChainDb& db) : db_(db) {}

  Result<std::optional<Bytes>> Get(const Bytes& k) const {
    if (auto it = writes_.find(k); it != writes_.end()) return it->second;
    return db_.Get(k);
  }
  void Put(const Bytes& k, Bytes v) { writes_[k] = std::move(v); }
  void Delete(const Bytes& k) { writes_[k] = std::nullopt; }

  Result<uint64_t> GetU64(const Bytes& k) const {
    auto v = Get(k);
    if (!v.ok()) return v.status();
    return DecodeU64(*v);
  }
  // Adds `delta` (may be negative); never below zero (a counter that would
  // go negative means an event the index did not see: keep it at zero).
  Status Add(const Bytes& k, int64_t delta) {
    auto v = GetU64(k);
    if (!v.ok()) return v.status();
    uint64_t n = *v;
    if (delta < 0) {
      n = n >= static_cast<uint64_t>(-delta) ? n - static_cast<uint64_t>(-delta) : 0;
    } else {
      n += static_cast<uint64_t>(delta);
    }
    if (n == 0) {
      Delete(k);
    } else {
      Put(k, Be64(n));
    }
    return Status::Ok();
  }

  // Writes the changes to `batch` and returns the undo list: per key,
  // 1 byte (had a value) || BE32 key length || key || [BE32 len || value].
  Result<Bytes> Finish(chain::WriteBatch& batch) const {
    Bytes undo;
    for (const auto& [k, v] : writes_) {
      auto before = db_.Get(k);
      if (!before.ok()) return before.status();
      undo.push_back(before->has_value() ? 1 : 0);
      uint8_t len[4];
      WriteBE32(len, static_cast<uint32_t>(k.size()));
      Append(undo, ByteSpan(len, 4));
      Append(undo, k);
      if (before->has_value()) {
        WriteBE32(len, static_cast<uint32_t>((*before)->size()));
        Append(undo, ByteSpan(len, 4));
        Append(undo, **before);
      }
      if (v) {
        batch.Put(k, *v);
      } else {
        batch.Delete(k);
      }
    }
    return undo;
  }
  bool empty() const { return writes_.empty(); }

 private:
  const chain::ChainDb& db_;
  std::map<Bytes, std::optional<Bytes>> writes_;
};

Bytes UndoKey(const IndexBlock& block) {
  return Key(key::kUndo, {Be64(block.height), block.hash.span()});
}

Bytes ObjectKey(const MarketObjectRef& ref) { return chain::MakeKey(key::kObject, ref.Encode()); }
Bytes GlobalKey(std::string_view name) { return chain::MakeKey(key::kGlobal, Str(name)); }
Bytes ModelKey(char which, std::string_view model) {
  Bytes k = chain::MakeKey(key::kModel);
  k.push_back(static_cast<uint8_t>(which));
  Append(k, Str(model));
  return k;
}

Uint256 TopicUint(const Hash256& topic) { return Uint256::FromBigEndian32(topic.data()); }
Address TopicAddress(const Hash256& topic) { return Address(topic.data() + 12); }
uint64_t TopicU64(const Hash256& topic) {
  const Uint256 v = TopicUint(topic);
  return v.FitsUint64() ? v.Low64() : UINT64_MAX;
}

struct Topics {
  Hash256 provider_registered_c =
      abi::EventTopic("ProviderRegistered(address,string,string,uint256)");
  Hash256 attributes_updated = abi::EventTopic("AttributesUpdated(address,string)");
  Hash256 provider_deregistered = abi::EventTopic("ProviderDeregistered(address,uint256)");
  Hash256 attributes_signed = abi::EventTopic("AttributesSigned(address,address,string)");
  Hash256 order_created =
      abi::EventTopic("OrderCreated(uint256,address,string,uint256,uint256,uint256,uint256)");
  Hash256 order_ended = abi::EventTopic("OrderEnded(uint256,uint8,uint256)");
  Hash256 bid_placed = abi::EventTopic("BidPlaced(uint256,uint256,address,uint256,string)");
  Hash256 lease_created = abi::EventTopic(
      "LeaseCreated(uint256,address,address,uint256,uint256,uint256,uint256,uint256)");
  Hash256 lease_closed = abi::EventTopic("LeaseClosed(uint256,uint256,uint256,uint256,uint256)");
  Hash256 provider_registered_s = abi::EventTopic("ProviderRegistered(address,uint256,uint256)");
  Hash256 deal_proposed = abi::EventTopic(
      "DealProposed(uint256,address,address,bytes32,uint256,uint256,uint256,uint256)");
  Hash256 deal_activated = abi::EventTopic("DealActivated(uint256,address,uint256,uint256)");
  Hash256 sector_precommitted =
      abi::EventTopic("SectorPreCommitted(address,uint256,bytes32,bytes32)");
  Hash256 sector_faulty = abi::EventTopic("SectorFaulty(address,uint256,uint256,uint256,bool)");
};

const Topics& T() {
  static const Topics topics;
  return topics;
}

// Applies one block's market events to the overlay.
class EventApplier {
 public:
  EventApplier(Overlay& o, uint64_t height) : o_(o), height_(height) {}

  Status Apply(const Log& log) {
    if (log.topics.empty()) return Status::Ok();
    if (log.address == market::ComputeMarketAddress()) return Compute(log);
    if (log.address == storage::StorageMarketAddress()) return Storage(log);
    return Status::Ok();
  }

 private:
  Result<std::optional<MarketObjectRecord>> Load(const MarketObjectRef& ref) const {
    auto raw = o_.Get(ObjectKey(ref));
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return std::optional<MarketObjectRecord>();
    auto rec = MarketObjectRecord::Decode(**raw);
    if (!rec) return Status::Corruption("marketindex-bad-entry", "damaged object record");
    return rec;
  }
  void Save(const MarketObjectRef& ref, const MarketObjectRecord& rec) {
    o_.Put(ObjectKey(ref), rec.Encode());
  }
  // A new object (first seen now) unless already known.
  Result<MarketObjectRecord> LoadOrNew(const MarketObjectRef& ref) const {
    auto rec = Load(ref);
    if (!rec.ok()) return rec.status();
    if (rec->has_value()) return **rec;
    MarketObjectRecord fresh;
    fresh.height = height_;
    return fresh;
  }

  Status Participant(const Address& who, const MarketObjectRef& ref, uint8_t role) {
    const Bytes k = Key(key::kParticipant, {who.span(), ref.Encode()});
    auto raw = o_.Get(k);
    if (!raw.ok()) return raw.status();
    Bytes v(9);
    if (raw->has_value() && (*raw)->size() == 9) {
      v = **raw;
      if ((v[0] & role) == role) return Status::Ok();
      v[0] |= role;
      o_.Put(k, v);
      return Status::Ok();
    }
    v[0] = role;
    WriteBE64(v.data() + 1, height_);
    o_.Put(k, v);
    // A new (address, object) pair counts once, whatever its roles.
    Bytes ck = Key(key::kCount, {who.span()});
    ck.push_back(static_cast<uint8_t>(ref.kind));
    return o_.Add(ck, 1);
  }

  static std::pair<std::string, uint64_t> GpuOf(std::string_view attributes) {
    auto parsed = market::ParseAttributes(attributes);
    if (!parsed.ok()) return {"", 0};
    auto model = market::AttributeValue(*parsed, "gpu.model");
    return {model ? market::NormalizeGpuModel(*model) : "", market::GpuCount(*parsed)};
  }

  Status Compute(const Log& log) {
    const Topics& t = T();
    const Hash256& t0 = log.topics[0];
    abi::Decoder d(log.data);
    if (t0 == t.provider_registered_c && log.topics.size() == 2) {
      MarketObjectRef ref{MarketKind::kProvider, 0, TopicAddress(log.topics[1]),
                          MarketModule::kCompute};
      auto host = d.String(kMaxEventString);
      auto attrs = d.String(kMaxEventString);
      if (!host.ok() || !attrs.ok()) return Status::Ok();
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      if (rec->live) DEPIN_RETURN_IF_ERROR(UnregisterGpus(*rec));
      auto [model, count] = GpuOf(*attrs);
      rec->model = model;
      rec->gpus = count;
      if (!rec->live) DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kComputeProviders), 1));
      rec->live = true;
      DEPIN_RETURN_IF_ERROR(o_.Add(ModelKey('r', model), static_cast<int64_t>(count)));
      Save(ref, *rec);
      return Participant(ref.address, ref, kRoleProvider);
    }
    if (t0 == t.attributes_updated && log.topics.size() == 2) {
      MarketObjectRef ref{MarketKind::kProvider, 0, TopicAddress(log.topics[1]),
                          MarketModule::kCompute};
      auto attrs = d.String(kMaxEventString);
      if (!attrs.ok()) return Status::Ok();
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      if (rec->live) DEPIN_RETURN_IF_ERROR(UnregisterGpus(*rec));
      auto [model, count] = GpuOf(*attrs);
      rec->model = model;
      rec->gpus = count;
      if (rec->live) {
        DEPIN_RETURN_IF_ERROR(o_.Add(ModelKey('r', model), static_cast<int64_t>(count)));
      }
      Save(ref, *rec);
      return Status::Ok();
    }
    if (t0 == t.provider_deregistered && log.topics.size() == 2) {
      MarketObjectRef ref{MarketKind::kProvider, 0, TopicAddress(log.topics[1]),
                          MarketModule::kCompute};
      auto rec = Load(ref);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value() || !(*rec)->live) return Status::Ok();
      DEPIN_RETURN_IF_ERROR(UnregisterGpus(**rec));
      DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kComputeProviders), -1));
      (*rec)->live = false;
      Save(ref, **rec);
      return Status::Ok();
    }
    if (t0 == t.attributes_signed && log.topics.size() == 3) {
      MarketObjectRef ref{MarketKind::kProvider, 0, TopicAddress(log.topics[1]),
                          MarketModule::kCompute};
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      Save(ref, *rec);
      return Participant(TopicAddress(log.topics[2]), ref, kRoleAuditor);
    }
    if (t0 == t.order_created && log.topics.size() == 3) {
      MarketObjectRef ref{MarketKind::kOrder, TopicU64(log.topics[1]), Address(),
                          MarketModule::kCompute};
      auto spec = d.String(kMaxEventString);
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      rec->first = TopicAddress(log.topics[2]);
      rec->number = 1;
      if (spec.ok()) {
        auto parsed = market::ParseSpec(*spec, /*need_gpu=*/false);
        if (parsed.ok()) rec->number = parsed->count;
      }
      if (!rec->live) DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kOpenOrders), 1));
      rec->live = true;
      Save(ref, *rec);
      return Participant(rec->first, ref, kRoleTenant);
    }
    if (t0 == t.order_ended && log.topics.size() == 2) {
      return EndOrder(TopicU64(log.topics[1]));
    }
    if (t0 == t.bid_placed && log.topics.size() == 4) {
      MarketObjectRef ref{MarketKind::kBid, TopicU64(log.topics[1]), Address(),
                          MarketModule::kCompute};
      auto price = d.Uint();
      auto model = d.String(kMaxEventString);
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      rec->number = TopicU64(log.topics[2]);
      rec->first = TopicAddress(log.topics[3]);
      if (price.ok()) rec->price = *price;
      if (model.ok()) rec->model = market::NormalizeGpuModel(*model);
      Save(ref, *rec);
      return Participant(rec->first, ref, kRoleBidder);
    }
    if (t0 == t.lease_created && log.topics.size() == 4) {
      const uint64_t id = TopicU64(log.topics[1]);
      MarketObjectRef ref{MarketKind::kLease, id, Address(), MarketModule::kCompute};
      auto bid_id = d.Uint64();
      auto price = d.Uint();
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      rec->first = TopicAddress(log.topics[2]);
      rec->second = TopicAddress(log.topics[3]);
      if (price.ok()) rec->price = *price;
      if (bid_id.ok()) {
        auto bid =
            Load(MarketObjectRef{MarketKind::kBid, *bid_id, Address(), MarketModule::kCompute});
        if (!bid.ok()) return bid.status();
        if (bid->has_value()) rec->model = (*bid)->model;
      }
      // Lease ids are order ids: the order is leased now.
      auto order = Load(MarketObjectRef{MarketKind::kOrder, id, Address(), MarketModule::kCompute});
      if (!order.ok()) return order.status();
      rec->number = order->has_value() ? (*order)->number : 1;
      DEPIN_RETURN_IF_ERROR(EndOrder(id));
      if (!rec->live) {
        DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kActiveLeases), 1));
        DEPIN_RETURN_IF_ERROR(o_.Add(ModelKey('l', rec->model), static_cast<int64_t>(rec->number)));
      }
      rec->live = true;
      Save(ref, *rec);
      Bytes start(32);
      rec->price.ToBigEndian32(start.data());
      Append(start, Str(rec->model));
      o_.Put(Key(key::kLeaseStart, {Be64(height_), Be64(id)}), start);
      DEPIN_RETURN_IF_ERROR(Participant(rec->first, ref, kRoleTenant));
      return Participant(rec->second, ref, kRoleProvider);
    }
    if (t0 == t.lease_closed && log.topics.size() == 2) {
      MarketObjectRef ref{MarketKind::kLease, TopicU64(log.topics[1]), Address(),
                          MarketModule::kCompute};
      auto rec = Load(ref);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value() || !(*rec)->live) return Status::Ok();
      DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kActiveLeases), -1));
      DEPIN_RETURN_IF_ERROR(
          o_.Add(ModelKey('l', (*rec)->model), -static_cast<int64_t>((*rec)->number)));
      (*rec)->live = false;
      Save(ref, **rec);
    }
    return Status::Ok();
  }

  Status UnregisterGpus(const MarketObjectRecord& rec) {
    return o_.Add(ModelKey('r', rec.model), -static_cast<int64_t>(rec.gpus));
  }

  Status EndOrder(uint64_t id) {
    MarketObjectRef ref{MarketKind::kOrder, id, Address(), MarketModule::kCompute};
    auto rec = Load(ref);
    if (!rec.ok()) return rec.status();
    if (!rec->has_value() || !(*rec)->live) return Status::Ok();
    DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kOpenOrders), -1));
    (*rec)->live = false;
    Save(ref, **rec);
    return Status::Ok();
  }

  Status Storage(const Log& log) {
    const Topics& t = T();
    const Hash256& t0 = log.topics[0];
    abi::Decoder d(log.data);
    if (t0 == t.provider_registered_s && log.topics.size() == 2) {
      MarketObjectRef ref{MarketKind::kProvider, 0, TopicAddress(log.topics[1]),
                          MarketModule::kStorage};
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      if (!rec->live) DEPIN_RETURN_IF_ERROR(o_.Add(GlobalKey(kStorageProviders), 1));
      rec->live = true;
      Save(ref, *rec);
      return Participant(ref.address, ref, kRoleProvider);
    }
    if (t0 == t.deal_proposed && log.topics.size() == 4) {
      MarketObjectRef ref{MarketKind::kDeal, TopicU64(log.topics[1]), Address(),
                          MarketModule::kStorage};
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      rec->first = TopicAddress(log.topics[2]);
      rec->second = TopicAddress(log.topics[3]);
      Save(ref, *rec);
      DEPIN_RETURN_IF_ERROR(Participant(rec->first, ref, kRoleClient));
      return Participant(rec->second, ref, kRoleProvider);
    }
    if (t0 == t.deal_activated && log.topics.size() == 4) {
      MarketObjectRef ref{MarketKind::kDeal, TopicU64(log.topics[1]), Address(),
                          MarketModule::kStorage};
      auto rec = Load(ref);
      if (!rec.ok()) return rec.status();
      if (!rec->has_value()) return Status::Ok();
      (*rec)->number = TopicU64(log.topics[3]);
      Save(ref, **rec);
      return Status::Ok();
    }
    if (t0 == t.sector_precommitted && log.topics.size() == 3) {
      MarketObjectRef ref{MarketKind::kSector, TopicU64(log.topics[2]), TopicAddress(log.topics[1]),
                          MarketModule::kStorage};
      auto rec = LoadOrNew(ref);
      if (!rec.ok()) return rec.status();
      rec->first = ref.address;
      Save(ref, *rec);
      o_.Put(Key(key::kSectorNumber, {Be64(ref.id), ref.address.span()}), Bytes());
      return Participant(ref.address, ref, kRoleProvider);
    }
    if (t0 == t.sector_faulty && log.topics.size() == 3) {
      auto period = d.Uint64();
      if (!period.ok()) return Status::Ok();
      return o_.Add(Key(key::kFaults, {Be64(*period)}), 1);
    }
    return Status::Ok();
  }

  Overlay& o_;
  uint64_t height_;
};

}  // namespace

std::string_view MarketKindName(MarketKind kind) {
  switch (kind) {
    case MarketKind::kOrder:
      return "order";
    case MarketKind::kBid:
      return "bid";
    case MarketKind::kLease:
      return "lease";
    case MarketKind::kProvider:
      return "provider";
    case MarketKind::kDeal:
      return "deal";
    case MarketKind::kSector:
      return "sector";
  }
  return "unknown";
}

std::optional<MarketKind> ParseMarketKind(std::string_view name) {
  for (uint8_t k = 1; k <= 6; ++k) {
    if (MarketKindName(static_cast<MarketKind>(k)) == name) return static_cast<MarketKind>(k);
  }
  return std::nullopt;
}

std::string_view MarketRoleName(uint8_t role_bit) {
  switch (role_bit) {
    case kRoleTenant:
      return "tenant";
    case kRoleProvider:
      return "provider";
    case kRoleClient:
      return "client";
    case kRoleBidder:
      return "bidder";
    case kRoleAuditor:
      return "auditor";
    default:
      return "unknown";
  }
}

Bytes MarketObjectRef::Encode() const {
  Bytes out{static_cast<uint8_t>(kind)};
  switch (kind) {
    case MarketKind::kProvider:
      out.push_back(static_cast<uint8_t>(module));
      Append(out, address.span());
      break;
    case MarketKind::kSector:
      Append(out, address.span());
      Append(out, Be64(id));
      break;
    default:
      Append(out, Be64(id));
  }
  return out;
}

std::optional<MarketObjectRef> MarketObjectRef::Decode(ByteSpan b) {
  if (b.empty() || b[0] < 1 || b[0] > 6) return std::nullopt;
  MarketObjectRef ref;
  ref.kind = static_cast<MarketKind>(b[0]);
  switch (ref.kind) {
    case MarketKind::kProvider:
      if (b.size() != 22 || (b[1] != 1 && b[1] != 2)) return std::nullopt;
      ref.module = static_cast<MarketModule>(b[1]);
      ref.address = Address(b.data() + 2);
      return ref;
    case MarketKind::kSector:
      if (b.size() != 29) return std::nullopt;
      ref.module = MarketModule::kStorage;
      ref.address = Address(b.data() + 1);
      ref.id = ReadBE64(b.data() + 21);
      return ref;
    default:
      if (b.size() != 9) return std::nullopt;
      ref.module = ref.kind == MarketKind::kDeal ? MarketModule::kStorage : MarketModule::kCompute;
      ref.id = ReadBE64(b.data() + 1);
      return ref;
  }
}

// height || first || second || number || gpus || price || live || model.
Bytes MarketObjectRecord::Encode() const {
  Bytes out = Be64(height);
  Append(out, first.span());
  Append(out, second.span());
  Append(out, Be64(number));
  Append(out, Be64(gpus));
  uint8_t p[32];
  price.ToBigEndian32(p);
  Append(out, ByteSpan(p, 32));
  out.push_back(live ? 1 : 0);
  Append(out, Str(model));
  return out;
}

std::optional<MarketObjectRecord> MarketObjectRecord::Decode(ByteSpan b) {
  constexpr size_t kFixed = 8 + 20 + 20 + 8 + 8 + 32 + 1;
  if (b.size() < kFixed || b[kFixed - 1] > 1) return std::nullopt;
  MarketObjectRecord r;
  r.height = ReadBE64(b.data());
  r.first = Address(b.data() + 8);
  r.second = Address(b.data() + 28);
  r.number = ReadBE64(b.data() + 48);
  r.gpus = ReadBE64(b.data() + 56);
  r.price = Uint256::FromBigEndian32(b.data() + 64);
  r.live = b[96] == 1;
  r.model.assign(reinterpret_cast<const char*>(b.data()) + kFixed, b.size() - kFixed);
  return r;
}

MarketIndex::MarketIndex(chain::Chainstate& chainstate, const IndexOptions& options)
    : BaseIndex(kName, chainstate, options) {}

MarketIndex::~MarketIndex() { Stop(); }

Status MarketIndex::CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) {
  if (!block.receipts) {
    return Status::Error(StatusKind::kCorruption, "marketindex-no-receipts",
                         "block " + block.hash.Hex() + " came without receipts");
  }
  batch.Put(chain::MakeKey(key::kHeight), Be64(block.height));
  Overlay overlay(*db());
  EventApplier applier(overlay, block.height);
  for (const Receipt& receipt : *block.receipts) {
    if (receipt.status == 0) continue;
    for (const Log& log : receipt.logs) DEPIN_RETURN_IF_ERROR(applier.Apply(log));
  }
  if (overlay.empty()) return Status::Ok();
  auto undo = overlay.Finish(batch);
  if (!undo.ok()) return undo.status();
  batch.Put(UndoKey(block), *undo);
  return Status::Ok();
}

Status MarketIndex::CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) {
  batch.Put(chain::MakeKey(key::kHeight), Be64(block.height - 1));
  const Bytes k = UndoKey(block);
  auto raw = db()->Get(k);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return Status::Ok();  // the block changed nothing here
  const Bytes& u = **raw;
  size_t pos = 0;
  auto read_len = [&](size_t* out) {
    if (u.size() - pos < 4) return false;
    *out = ReadBE32(u.data() + pos);
    pos += 4;
    return u.size() - pos >= *out;
  };
  while (pos < u.size()) {
    const bool had = u[pos++] == 1;
    size_t klen = 0;
    if (!read_len(&klen)) break;
    const ByteSpan entry_key(u.data() + pos, klen);
    pos += klen;
    if (!had) {
      batch.Delete(entry_key);
      continue;
    }
    size_t vlen = 0;
    if (!read_len(&vlen)) {
      pos = u.size() + 1;
      break;
    }
    batch.Put(entry_key, ByteSpan(u.data() + pos, vlen));
    pos += vlen;
  }
  if (pos != u.size()) {
    return Status::Corruption("marketindex-bad-undo",
                              "undo record of block " + block.hash.Hex() + " is damaged");
  }
  batch.Delete(k);
  return Status::Ok();
}

namespace {

Status Stopped() {
  return Status::Error(StatusKind::kInterrupted, "index-stopped", "the market index is stopped");
}

}  // namespace

std::unique_ptr<chain::DbSnapshot> MarketIndex::Snapshot() const {
  return db() == nullptr ? nullptr : db()->GetSnapshot();
}

Result<uint64_t> MarketIndex::Height(const chain::DbSnapshot* view) const {
  if (db() == nullptr) return Stopped();
  auto raw = db()->Get(chain::MakeKey(key::kHeight), view);
  if (!raw.ok()) return raw.status();
  return DecodeU64(*raw);
}

Result<MarketPage> MarketIndex::ListFor(
    const Address& address, std::optional<MarketKind> kind,
    const std::optional<MarketObjectRef>& after, size_t limit, size_t max_examined,
    const std::function<bool(const MarketParticipation&)>& accept) const {
  if (db() == nullptr) return Stopped();
  limit = std::min(limit, kMaxPage);
  Bytes prefix = Key(key::kParticipant, {address.span()});
  if (kind) prefix.push_back(static_cast<uint8_t>(*kind));
  auto it = db()->NewPrefixIterator(prefix);
  if (after) {
    Bytes from = Key(key::kParticipant, {address.span(), after->Encode()});
    from.push_back(0);  // strictly after
    it->Seek(from);
  } else {
    it->Seek(prefix);
  }
  MarketPage page;
  size_t examined = 0;
  const size_t ref_at = 1 + 20;
  for (; it->Valid(); it->Next()) {
    // Stopped with entries left: `next` (the last one examined) continues.
    if (page.entries.size() >= limit || examined >= max_examined) break;
    const ByteSpan k = it->key();
    const ByteSpan v = it->value();
    auto ref = MarketObjectRef::Decode(k.subspan(ref_at));
    if (!ref || v.size() != 9) {
      return Status::Corruption("marketindex-bad-entry", "damaged participant entry");
    }
    ++examined;
    MarketParticipation p{*ref, v[0], ReadBE64(v.data() + 1)};
    page.next = *ref;
    if (!accept || accept(p)) page.entries.push_back(p);
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  if (!it->Valid()) page.next.reset();
  return page;
}

Result<uint64_t> MarketIndex::CountFor(const Address& address, MarketKind kind) const {
  if (db() == nullptr) return Stopped();
  Bytes k = Key(key::kCount, {address.span()});
  k.push_back(static_cast<uint8_t>(kind));
  auto raw = db()->Get(k);
  if (!raw.ok()) return raw.status();
  return DecodeU64(*raw);
}

Result<std::optional<MarketObjectRecord>> MarketIndex::Find(const MarketObjectRef& ref) const {
  if (db() == nullptr) return Stopped();
  auto raw = db()->Get(ObjectKey(ref));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<MarketObjectRecord>();
  auto rec = MarketObjectRecord::Decode(**raw);
  if (!rec) return Status::Corruption("marketindex-bad-entry", "damaged object record");
  return rec;
}

Result<std::vector<Address>> MarketIndex::SectorProviders(uint64_t number, size_t limit) const {
  if (db() == nullptr) return Stopped();
  const Bytes prefix = Key(key::kSectorNumber, {Be64(number)});
  std::vector<Address> out;
  auto it = db()->NewPrefixIterator(prefix);
  for (it->Seek(prefix); it->Valid() && out.size() < limit; it->Next()) {
    if (it->key().size() != prefix.size() + 20) continue;
    out.emplace_back(it->key().data() + prefix.size());
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  return out;
}

Result<MarketCounters> MarketIndex::Counters(const chain::DbSnapshot* view) const {
  if (db() == nullptr) return Stopped();
  MarketCounters c;
  auto read = [&](std::string_view name, uint64_t* out) -> Status {
    auto raw = db()->Get(GlobalKey(name), view);
    if (!raw.ok()) return raw.status();
    *out = DecodeU64(*raw);
    return Status::Ok();
  };
  DEPIN_RETURN_IF_ERROR(read(kOpenOrders, &c.open_orders));
  DEPIN_RETURN_IF_ERROR(read(kActiveLeases, &c.active_leases));
  DEPIN_RETURN_IF_ERROR(read(kComputeProviders, &c.compute_providers));
  DEPIN_RETURN_IF_ERROR(read(kStorageProviders, &c.storage_providers));
  return c;
}

Result<std::vector<ModelCount>> MarketIndex::Gpus(size_t limit,
                                                  const chain::DbSnapshot* view) const {
  if (db() == nullptr) return Stopped();
  limit = std::min(limit, kMaxModels);
  std::map<std::string, ModelCount> by_model;
  for (char which : {'r', 'l'}) {
    const Bytes prefix = ModelKey(which, "");
    auto it = db()->NewPrefixIterator(prefix, view);
    size_t n = 0;
    for (it->Seek(prefix); it->Valid() && n < limit; it->Next(), ++n) {
      const ByteSpan k = it->key().subspan(prefix.size());
      std::string model(reinterpret_cast<const char*>(k.data()), k.size());
      const uint64_t count = it->value().size() == 8 ? ReadBE64(it->value().data()) : 0;
      ModelCount& m = by_model[model];
      m.model = model;
      (which == 'r' ? m.registered : m.leased) = count;
    }
    DEPIN_RETURN_IF_ERROR(it->status());
  }
  std::vector<ModelCount> out;
  for (auto& [model, m] : by_model) {
    if (out.size() >= limit) break;
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<LeaseStart>> MarketIndex::LeasesStarted(uint64_t from, uint64_t to, size_t limit,
                                                           const chain::DbSnapshot* view) const {
  if (db() == nullptr) return Stopped();
  const Bytes prefix = chain::MakeKey(key::kLeaseStart);
  std::vector<LeaseStart> out;
  auto it = db()->NewPrefixIterator(prefix, view);
  for (it->Seek(Key(key::kLeaseStart, {Be64(from)})); it->Valid() && out.size() < limit;
       it->Next()) {
    const ByteSpan k = it->key();
    const ByteSpan v = it->value();
    if (k.size() != prefix.size() + 16 || v.size() < 32) {
      return Status::Corruption("marketindex-bad-entry", "damaged lease start entry");
    }
    LeaseStart s;
    s.height = ReadBE64(k.data() + prefix.size());
    if (s.height > to) break;
    s.lease_id = ReadBE64(k.data() + prefix.size() + 8);
    s.price = Uint256::FromBigEndian32(v.data());
    s.model.assign(reinterpret_cast<const char*>(v.data()) + 32, v.size() - 32);
    out.push_back(std::move(s));
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  return out;
}

Result<std::vector<Address>> MarketIndex::StorageProviders(size_t limit,
                                                           const chain::DbSnapshot* view) const {
  if (db() == nullptr) return Stopped();
  Bytes prefix = chain::MakeKey(key::kObject);
  prefix.push_back(static_cast<uint8_t>(MarketKind::kProvider));
  prefix.push_back(static_cast<uint8_t>(MarketModule::kStorage));
  std::vector<Address> out;
  auto it = db()->NewPrefixIterator(prefix, view);
  for (it->Seek(prefix); it->Valid() && out.size() < limit; it->Next()) {
    if (it->key().size() != prefix.size() + 20) continue;
    out.emplace_back(it->key().data() + prefix.size());
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  return out;
}

Result<uint64_t> MarketIndex::FaultsInPeriod(uint64_t period, const chain::DbSnapshot* view) const {
  if (db() == nullptr) return Stopped();
  auto raw = db()->Get(Key(key::kFaults, {Be64(period)}), view);
  if (!raw.ok()) return raw.status();
  return DecodeU64(*raw);
}

}  // namespace depin::index

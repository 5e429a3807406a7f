// The compute market's native views (compute_*): each runs the module's own
// view through the same path as eth_call (rpc/eth_module_view.h), at a block
// parameter, and answers JSON objects with amounts in decimal wei strings.
// Lease state, end and pay are the module's effective values at that block
// (a lease whose escrow ran out reads closed). A view's revert (unknown
// order, unknown lease) is -32000 with the rule name first.
#include "rpc/eth_compute.h"

#include "consensus/abi.h"
#include "market/compute_market.h"
#include "market/gpu_attributes.h"
#include "rpc/eth_module_view.h"
#include "rpc/node_methods.h"

namespace depin::eth_rpc {

using depin::rpc_json::Alloc;
using depin::rpc_json::Wei;

namespace {

constexpr uint64_t kDefaultListLimit = 100;
constexpr uint64_t kMaxListLimit = 1000;

ModuleViewResult RunView(const EthApi& api, const RpcRequest& req, std::string_view signature,
                         const abi::Encoder& args) {
  return RunModuleView(api, req, market::ComputeMarketAddress(),
                       "the compute market is not active on this network",
                       ModuleCallData(signature, args));
}

Value Str(const std::string& s, Alloc& a) { return Value(s.c_str(), a); }
Value Addr(const Address& x, Alloc& a) { return Str(x.ToChecksumHex(), a); }

std::string OrderStateText(uint64_t s) {
  if (s < 1 || s > 4) return "unknown";
  return std::string(market::OrderStateName(static_cast<market::OrderState>(s)));
}
std::string BidStateText(uint64_t s) {
  if (s < 1 || s > 4) return "unknown";
  return std::string(market::BidStateName(static_cast<market::BidState>(s)));
}
std::string LeaseStateText(uint64_t s) {
  if (s < 1 || s > 2) return "unknown";
  return std::string(market::LeaseStateName(static_cast<market::LeaseState>(s)));
}

// Optional parameters, checked.
struct ListArgs {
  uint64_t after = 0;
  uint64_t limit = kDefaultListLimit;
};
// `paged_by_id`: the method has an afterid parameter (the provider lists
// page by address instead).
std::optional<RpcError> ReadList(const RpcRequest& req, ListArgs& out, bool paged_by_id = true) {
  if (paged_by_id && req.Has("afterid")) out.after = req.GetUint("afterid");
  if (req.Has("limit")) out.limit = req.GetUint("limit");
  if (out.limit > kMaxListLimit) return Invalid("limit is at most 1000");
  return std::nullopt;
}
std::optional<RpcError> OptionalAddress(const RpcRequest& req, std::string_view name,
                                        Address& out) {
  if (!req.Has(name)) return std::nullopt;
  auto a = Address::Parse(req.GetString(name));
  if (!a) return Invalid(std::string(name) + ": " + a.status().message());
  out = *a;
  return std::nullopt;
}

std::optional<RpcError> ProviderObject(const EthApi& api, const RpcRequest& req, const Address& who,
                                       Value& doc, Alloc& a) {
  auto view = RunView(api, req, "getProvider(address)", abi::Encoder().Address(who));
  if (view.error) return view.error;
  AbiWords w(view.output);
  doc.SetObject();
  doc.AddMember("address", Addr(who, a), a);
  doc.AddMember("registered", w.NextBool(), a);
  doc.AddMember("hosturi", Str(w.NextString(), a), a);
  Value attrs(rapidjson::kObjectType);
  auto parsed = market::ParseAttributes(w.NextString());
  if (parsed.ok()) {
    for (const auto& [k, v] : *parsed) attrs.AddMember(Str(k, a), Str(v, a), a);
  }
  doc.AddMember("attributes", attrs, a);
  doc.AddMember("stake", Wei(w.Next(), a), a);
  doc.AddMember("activeleases", w.Next64(), a);
  doc.AddMember("leasedgpus", w.Next64(), a);
  doc.AddMember("openbids", w.Next64(), a);
  doc.AddMember("registeredat", w.Next64(), a);
  return std::nullopt;
}

std::optional<RpcError> OrderObject(const EthApi& api, const RpcRequest& req, uint64_t id,
                                    Value& doc, Alloc& a) {
  auto view = RunView(api, req, "getOrder(uint256)", abi::Encoder().Uint(id));
  if (view.error) return view.error;
  AbiWords w(view.output);
  doc.SetObject();
  doc.AddMember("id", id, a);
  doc.AddMember("tenant", Addr(w.NextAddress(), a), a);
  doc.AddMember("spec", Str(w.NextString(), a), a);
  doc.AddMember("maxpriceperblock", Wei(w.Next(), a), a);
  doc.AddMember("durationblocks", w.Next64(), a);
  doc.AddMember("biddingend", w.Next64(), a);
  Value auditors(rapidjson::kArrayType);
  for (const Address& x : w.NextAddressArray()) auditors.PushBack(Addr(x, a), a);
  doc.AddMember("requiredauditors", auditors, a);
  doc.AddMember("datadealid", w.Next64(), a);
  doc.AddMember("manifesthash", Str(w.NextHash().Hex(), a), a);
  doc.AddMember("tenantpubkey", Str(HexEncode(w.NextBytes()), a), a);
  doc.AddMember("escrow", Wei(w.Next(), a), a);
  doc.AddMember("state", Str(OrderStateText(w.Next64()), a), a);
  doc.AddMember("openbids", w.Next64(), a);
  doc.AddMember("createdat", w.Next64(), a);
  return std::nullopt;
}

std::optional<RpcError> BidObject(const EthApi& api, const RpcRequest& req, uint64_t id, Value& doc,
                                  Alloc& a) {
  auto view = RunView(api, req, "getBid(uint256)", abi::Encoder().Uint(id));
  if (view.error) return view.error;
  AbiWords w(view.output);
  doc.SetObject();
  doc.AddMember("id", id, a);
  doc.AddMember("orderid", w.Next64(), a);
  doc.AddMember("provider", Addr(w.NextAddress(), a), a);
  doc.AddMember("priceperblock", Wei(w.Next(), a), a);
  doc.AddMember("gpumodel", Str(w.NextString(), a), a);
  doc.AddMember("deposit", Wei(w.Next(), a), a);
  doc.AddMember("state", Str(BidStateText(w.Next64()), a), a);
  doc.AddMember("placedat", w.Next64(), a);
  return std::nullopt;
}

std::optional<RpcError> LeaseObject(const EthApi& api, const RpcRequest& req, uint64_t id,
                                    Value& doc, Alloc& a) {
  auto view = RunView(api, req, "getLease(uint256)", abi::Encoder().Uint(id));
  if (view.error) return view.error;
  AbiWords w(view.output);
  doc.SetObject();
  doc.AddMember("id", id, a);
  doc.AddMember("tenant", Addr(w.NextAddress(), a), a);
  doc.AddMember("provider", Addr(w.NextAddress(), a), a);
  doc.AddMember("bidid", w.Next64(), a);
  doc.AddMember("gpumodel", Str(w.NextString(), a), a);
  doc.AddMember("gpucount", w.Next64(), a);
  doc.AddMember("priceperblock", Wei(w.Next(), a), a);
  doc.AddMember("startblock", w.Next64(), a);
  doc.AddMember("termend", w.Next64(), a);
  doc.AddMember("state", Str(LeaseStateText(w.Next64()), a), a);
  doc.AddMember("endblock", w.Next64(), a);
  doc.AddMember("reason", w.Next64(), a);
  doc.AddMember("paidtotal", Wei(w.Next(), a), a);
  doc.AddMember("withdrawn", Wei(w.Next(), a), a);
  const Bytes box = w.NextBytes();
  if (box.empty()) {
    doc.AddMember("accessbox", Value(rapidjson::kNullType), a);
  } else {
    doc.AddMember("accessbox", Str(HexEncode(box), a), a);
  }
  return std::nullopt;
}

// Runs a list view and answers each id as `object`.
template <typename ObjectFn>
RpcResult IdList(const EthApi& api, const RpcRequest& req, std::string_view signature,
                 const abi::Encoder& args, ObjectFn object) {
  auto view = RunView(api, req, signature, args);
  if (view.error) return *view.error;
  AbiWords w(view.output);
  Document doc(rapidjson::kArrayType);
  for (const Uint256& id : w.NextUintArray()) {
    Value v;
    if (auto err = object(api, req, id.Low64(), v, doc.GetAllocator())) return *err;
    doc.PushBack(v, doc.GetAllocator());
  }
  return Json(std::move(doc));
}

template <typename ObjectFn>
RpcResult One(const EthApi& api, const RpcRequest& req, uint64_t id, ObjectFn object) {
  Document doc;
  if (auto err = object(api, req, id, doc, doc.GetAllocator())) return *err;
  return Json(std::move(doc));
}

}  // namespace

RpcTable ComputeRpcTable(std::shared_ptr<EthApi> api) {
  RpcTable t{"compute", {}};
  const std::string block_help =
      "block parameter as eth_call's (number, tag or EIP-1898 object); the state after it";
  auto block = [&] { return RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help); };
  auto after_id = [] {
    return RpcParam::Optional("afterid", RpcType::kUint, "0", "ids larger than this (pagination)");
  };
  auto limit = [] {
    return RpcParam::Optional("limit", RpcType::kUint, "100", "at most this many (<= 1000)");
  };
  const std::string provider_fields =
      "object: address, registered, hosturi, attributes (object, canonical), stake (wei), "
      "activeleases, leasedgpus, openbids, registeredat";
  t.AddPublic("compute_getProvider",
              {RpcParam::Required("address", RpcType::kAddress, "the provider"), block()},
              "A compute provider (registered false if none).", provider_fields,
              [api](const RpcRequest& req) -> RpcResult {
                auto who = Address::Parse(req.GetString("address"));
                if (!who) return Invalid(who.status().message());
                Document doc;
                if (auto err = ProviderObject(*api, req, *who, doc, doc.GetAllocator()))
                  return *err;
                return Json(std::move(doc));
              });
  t.AddPublic(
      "compute_listProviders",
      {RpcParam::Optional("filter", RpcType::kString, "\"\"",
                          "a spec (docs/markets.md) the attributes must match, e.g. "
                          "\"model=rtx4090;region=eu-west\"; empty: all"),
       RpcParam::Optional("after", RpcType::kAddress, "", "providers after this address"), limit(),
       block()},
      "Registered compute providers in address order whose attributes match the filter, each as "
      "compute_getProvider. A bad filter is -32000 compute-bad-spec.",
      "array of provider objects", [api](const RpcRequest& req) -> RpcResult {
        Address after;
        if (auto err = OptionalAddress(req, "after", after)) return *err;
        ListArgs list;
        if (auto err = ReadList(req, list, /*paged_by_id=*/false)) return *err;
        const std::string filter = req.Has("filter") ? req.GetString("filter") : "";
        auto view = RunView(*api, req, "listProviders(string,address,uint256)",
                            abi::Encoder().String(filter).Address(after).Uint(list.limit));
        if (view.error) return *view.error;
        AbiWords w(view.output);
        Document doc(rapidjson::kArrayType);
        for (const Address& who : w.NextAddressArray()) {
          Value v;
          if (auto err = ProviderObject(*api, req, who, v, doc.GetAllocator())) return *err;
          doc.PushBack(v, doc.GetAllocator());
        }
        return Json(std::move(doc));
      });
  t.AddPublic(
      "compute_getOrder", {RpcParam::Required("id", RpcType::kUint, "the order id"), block()},
      "A compute order (-32000 compute-unknown-order if none). state: open, leased, cancelled or "
      "closed.",
      "object: id, tenant, spec, maxpriceperblock (wei), durationblocks, biddingend, "
      "requiredauditors, datadealid, manifesthash, tenantpubkey, escrow (wei), state, openbids, "
      "createdat",
      [api](const RpcRequest& req) -> RpcResult {
        return One(*api, req, req.GetUint("id"), OrderObject);
      });
  t.AddPublic(
      "compute_listOrders",
      {RpcParam::Optional("tenant", RpcType::kAddress, "", "only this tenant's orders"),
       RpcParam::Optional("state", RpcType::kString, "", "open, leased, cancelled or closed"),
       after_id(), limit(), block()},
      "Orders in id order, each as compute_getOrder. Page with afterid = the last id returned.",
      "array of order objects", [api](const RpcRequest& req) -> RpcResult {
        Address tenant;
        if (auto err = OptionalAddress(req, "tenant", tenant)) return *err;
        uint64_t state = 0;
        if (req.Has("state")) {
          for (uint64_t s = 1; s <= 4; ++s) {
            if (OrderStateText(s) == req.GetString("state")) state = s;
          }
          if (state == 0) return Invalid("state must be open, leased, cancelled or closed");
        }
        ListArgs list;
        if (auto err = ReadList(req, list)) return *err;
        return IdList(*api, req, "listOrders(address,uint8,uint256,uint256)",
                      abi::Encoder().Address(tenant).Uint(state).Uint(list.after).Uint(list.limit),
                      OrderObject);
      });
  t.AddPublic(
      "compute_listBids",
      {RpcParam::Required("orderid", RpcType::kUint, "the order"), after_id(), limit(), block()},
      "The order's bids in the order placed. state: open, withdrawn, won or lost.",
      "array of objects: id, orderid, provider, priceperblock (wei), gpumodel, deposit (wei), "
      "state, placedat",
      [api](const RpcRequest& req) -> RpcResult {
        ListArgs list;
        if (auto err = ReadList(req, list)) return *err;
        return IdList(*api, req, "listBids(uint256,uint256,uint256)",
                      abi::Encoder().Uint(req.GetUint("orderid")).Uint(list.after).Uint(list.limit),
                      BidObject);
      });
  t.AddPublic(
      "compute_explainOrder",
      {RpcParam::Required("orderid", RpcType::kUint, "the order"),
       RpcParam::Optional("after", RpcType::kAddress, "", "providers after this address"), limit(),
       block()},
      "Why did nobody bid: each registered provider with the first spec clause (or required "
      "auditor) it fails; eligible true when it may bid.",
      "array of objects: provider, eligible, failure", [api](const RpcRequest& req) -> RpcResult {
        Address after;
        if (auto err = OptionalAddress(req, "after", after)) return *err;
        ListArgs list;
        if (auto err = ReadList(req, list, /*paged_by_id=*/false)) return *err;
        auto view =
            RunView(*api, req, "explainOrder(uint256,address,uint256)",
                    abi::Encoder().Uint(req.GetUint("orderid")).Address(after).Uint(list.limit));
        if (view.error) return *view.error;
        AbiWords w(view.output);
        const std::vector<Address> providers = w.NextAddressArray();
        const std::vector<std::string> failures = w.NextStringArray();
        Document doc(rapidjson::kArrayType);
        auto& a = doc.GetAllocator();
        for (size_t i = 0; i < providers.size() && i < failures.size(); ++i) {
          Value o(rapidjson::kObjectType);
          o.AddMember("provider", Addr(providers[i], a), a);
          o.AddMember("eligible", failures[i].empty(), a);
          o.AddMember("failure", Str(failures[i], a), a);
          doc.PushBack(o, a);
        }
        return Json(std::move(doc));
      });
  const std::string lease_fields =
      "object: id, tenant, provider, bidid, gpumodel, gpucount, priceperblock (wei), startblock, "
      "termend, state (active or closed, as of the block), endblock (actual or projected), "
      "reason (0 while active; 1-9999 tenant, 10000-19999 provider, 20000 term ended, 20001 "
      "insufficient funds), paidtotal, withdrawn (wei), accessbox (hex or null)";
  t.AddPublic(
      "compute_getLease", {RpcParam::Required("id", RpcType::kUint, "the lease id"), block()},
      "A lease as of the block (-32000 compute-unknown-lease if none): a lease whose escrow ran "
      "out reads closed at the height it ran out even if nothing touched it.",
      lease_fields, [api](const RpcRequest& req) -> RpcResult {
        return One(*api, req, req.GetUint("id"), LeaseObject);
      });
  t.AddPublic(
      "compute_listLeases",
      {RpcParam::Optional("tenant", RpcType::kAddress, "", "only this tenant's leases"),
       RpcParam::Optional("provider", RpcType::kAddress, "", "only this provider's leases"),
       RpcParam::Optional("state", RpcType::kString, "", "active or closed (as of the block)"),
       after_id(), limit(), block()},
      "Leases in id order, each as compute_getLease. Page with afterid = the last id returned.",
      "array of lease objects", [api](const RpcRequest& req) -> RpcResult {
        Address tenant;
        Address provider;
        if (auto err = OptionalAddress(req, "tenant", tenant)) return *err;
        if (auto err = OptionalAddress(req, "provider", provider)) return *err;
        uint64_t state = 0;
        if (req.Has("state")) {
          for (uint64_t s = 1; s <= 2; ++s) {
            if (LeaseStateText(s) == req.GetString("state")) state = s;
          }
          if (state == 0) return Invalid("state must be active or closed");
        }
        ListArgs list;
        if (auto err = ReadList(req, list)) return *err;
        return IdList(*api, req, "listLeases(address,address,uint8,uint256,uint256)",
                      abi::Encoder()
                          .Address(tenant)
                          .Address(provider)
                          .Uint(state)
                          .Uint(list.after)
                          .Uint(list.limit),
                      LeaseObject);
      });
  t.AddPublic(
      "compute_getEscrow", {RpcParam::Required("id", RpcType::kUint, "the lease id"), block()},
      "A lease's escrow as of the block: what it still holds, what the provider has earned and "
      "can withdraw, and the block the lease closes at (projected while active).",
      "object: id, balance, accrued, withdrawable (wei), projectedend, closed; and for a "
      "data-local lease (its order named a storage deal) datadeal, resolvedto (blocks below it "
      "are settled by the storage market), servedpay, refunded (wei paid back for blocks the "
      "deal was not served), pending (wei paid for blocks not settled yet); datadeal 0 and the "
      "rest absent otherwise",
      [api](const RpcRequest& req) -> RpcResult {
        const uint64_t id = req.GetUint("id");
        auto view = RunView(*api, req, "getEscrow(uint256)", abi::Encoder().Uint(id));
        if (view.error) return *view.error;
        auto service = RunView(*api, req, "getLeaseService(uint256)", abi::Encoder().Uint(id));
        if (service.error) return *service.error;
        AbiWords w(view.output);
        Document doc(rapidjson::kObjectType);
        auto& a = doc.GetAllocator();
        doc.AddMember("id", id, a);
        doc.AddMember("balance", Wei(w.Next(), a), a);
        doc.AddMember("accrued", Wei(w.Next(), a), a);
        doc.AddMember("withdrawable", Wei(w.Next(), a), a);
        doc.AddMember("projectedend", w.Next64(), a);
        doc.AddMember("closed", w.NextBool(), a);
        AbiWords s(service.output);
        const uint64_t deal = s.Next64();
        doc.AddMember("datadeal", deal, a);
        if (deal != 0) {
          doc.AddMember("resolvedto", s.Next64(), a);
          doc.AddMember("servedpay", Wei(s.Next(), a), a);
          doc.AddMember("refunded", Wei(s.Next(), a), a);
          doc.AddMember("pending", Wei(s.Next(), a), a);
        }
        return Json(std::move(doc));
      });
  return t;
}

}  // namespace depin::eth_rpc

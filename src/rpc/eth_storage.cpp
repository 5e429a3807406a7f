// The storage market's native views (storage_*): each runs the module's own
// view through the same path as eth_call (rpc/eth_call), at a block
// parameter, and answers JSON objects with amounts in decimal wei strings,
// as the node's other native methods do. A view's revert (unknown deal,
// unknown sector) is -32000 with the rule name first.
#include "rpc/eth_storage.h"

#include "consensus/abi.h"
#include "rpc/eth_module_view.h"
#include "rpc/node_methods.h"

using depin::rpc_json::Alloc;
using depin::rpc_json::Wei;
#include "storage/market.h"

namespace depin::eth_rpc {

using namespace eth_json;

namespace {

constexpr size_t kDefaultListLimit = 100;

ModuleViewResult RunView(const EthApi& api, const RpcRequest& req, Bytes calldata) {
  return RunModuleView(api, req, storage::StorageMarketAddress(),
                       "the storage market is not active on this network", std::move(calldata));
}

Bytes CallData(std::string_view signature, const abi::Encoder& args) {
  return ModuleCallData(signature, args);
}

using Words = AbiWords;

std::string DealStateText(uint64_t state) {
  if (state < 1 || state > 6) return "unknown";
  return std::string(storage::DealStateName(static_cast<storage::DealState>(state)));
}

std::string SectorStateText(uint64_t state) {
  if (state < 1 || state > 5) return "unknown";
  return std::string(storage::SectorStateName(static_cast<storage::SectorState>(state)));
}

std::optional<RpcError> ProviderObject(const EthApi& api, const RpcRequest& req, const Address& who,
                                       Value& doc, Alloc& a) {
  auto view = RunView(api, req, CallData("getProvider(address)", abi::Encoder().Address(who)));
  if (view.error) return view.error;
  Words w(view.output);
  doc.SetObject();
  doc.AddMember("address", Value(who.ToChecksumHex().c_str(), a), a);
  const bool registered = w.NextBool();
  doc.AddMember("registered", registered, a);
  doc.AddMember("uri", Value(w.NextString().c_str(), a), a);
  doc.AddMember("pricepergibperblock", Wei(w.Next(), a), a);
  doc.AddMember("mindurationblocks", w.Next64(), a);
  doc.AddMember("sectorsize", w.Next64(), a);
  doc.AddMember("stake", Wei(w.Next(), a), a);
  doc.AddMember("lockedcollateral", Wei(w.Next(), a), a);
  doc.AddMember("earnings", Wei(w.Next(), a), a);
  doc.AddMember("activesectors", w.Next64(), a);
  doc.AddMember("precommittedsectors", w.Next64(), a);
  return std::nullopt;
}

std::optional<RpcError> DealObject(const EthApi& api, const RpcRequest& req, uint64_t id,
                                   Value& doc, Alloc& a) {
  auto view = RunView(api, req, CallData("getDeal(uint256)", abi::Encoder().Uint(id)));
  if (view.error) return view.error;
  Words w(view.output);
  doc.SetObject();
  doc.AddMember("id", id, a);
  doc.AddMember("client", Value(w.NextAddress().ToChecksumHex().c_str(), a), a);
  doc.AddMember("provider", Value(w.NextAddress().ToChecksumHex().c_str(), a), a);
  doc.AddMember("commd", Value(w.NextHash().Hex().c_str(), a), a);
  doc.AddMember("piecesize", w.Next64(), a);
  doc.AddMember("startblock", w.Next64(), a);
  doc.AddMember("endblock", w.Next64(), a);
  doc.AddMember("priceperblock", Wei(w.Next(), a), a);
  doc.AddMember("state", Value(DealStateText(w.Next64()).c_str(), a), a);
  const bool in_sector = w.NextBool();
  const uint64_t sector = w.Next64();
  if (in_sector) {
    doc.AddMember("sector", sector, a);
  } else {
    doc.AddMember("sector", Value(rapidjson::kNullType), a);
  }
  doc.AddMember("paid", Wei(w.Next(), a), a);
  doc.AddMember("faultfeesreceived", Wei(w.Next(), a), a);
  doc.AddMember("providercollateral", Wei(w.Next(), a), a);
  doc.AddMember("clientcollateral", Wei(w.Next(), a), a);
  doc.AddMember("faultyperiods", w.Next64(), a);
  return std::nullopt;
}

RpcResult SectorObject(const EthApi& api, const RpcRequest& req, const Address& provider,
                       uint64_t number) {
  auto view = RunView(
      api, req,
      CallData("getSector(address,uint256)", abi::Encoder().Address(provider).Uint(number)));
  if (view.error) return *view.error;
  Words w(view.output);
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("provider", Value(provider.ToChecksumHex().c_str(), a), a);
  doc.AddMember("number", number, a);
  doc.AddMember("state", Value(SectorStateText(w.Next64()).c_str(), a), a);
  doc.AddMember("sectorsize", w.Next64(), a);
  doc.AddMember("commr", Value(w.NextHash().Hex().c_str(), a), a);
  doc.AddMember("commd", Value(w.NextHash().Hex().c_str(), a), a);
  doc.AddMember("precommitheight", w.Next64(), a);
  doc.AddMember("activationheight", w.Next64(), a);
  doc.AddMember("deadline", w.Next64(), a);
  doc.AddMember("nextwindowopen", w.Next64(), a);
  doc.AddMember("nextcheck", w.Next64(), a);
  doc.AddMember("proventhisperiod", w.NextBool(), a);
  doc.AddMember("consecutivefaults", w.Next64(), a);
  doc.AddMember("declaredfaulty", w.NextBool(), a);
  doc.AddMember("faultyperiods", w.Next64(), a);
  Value deals(rapidjson::kArrayType);
  for (const Uint256& id : w.NextUintArray()) deals.PushBack(id.Low64(), a);
  doc.AddMember("deals", deals, a);
  return Json(std::move(doc));
}

Result<Address> AddressParam(const RpcRequest& req, std::string_view name) {
  return Address::Parse(req.GetString(name));
}

}  // namespace

RpcTable StorageRpcTable(std::shared_ptr<EthApi> api) {
  RpcTable t{"storage", {}};
  const std::string block_help =
      "block parameter as eth_call's (number, tag or EIP-1898 object); the state after it";
  t.AddPublic(
      "storage_getProvider",
      {RpcParam::Required("address", RpcType::kAddress, "the provider"),
       RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help)},
      "A storage provider's terms, stake and earnings (registered false if none).",
      "object: address, registered, uri, pricepergibperblock (wei), mindurationblocks, "
      "sectorsize, stake, lockedcollateral, earnings (wei), activesectors, precommittedsectors",
      [api](const RpcRequest& req) -> RpcResult {
        auto who = AddressParam(req, "address");
        if (!who) return Invalid(who.status().message());
        Document doc;
        if (auto err = ProviderObject(*api, req, *who, doc, doc.GetAllocator())) return *err;
        return Json(std::move(doc));
      });
  t.AddPublic(
      "storage_listProviders",
      {RpcParam::Optional("after", RpcType::kAddress, "", "list providers after this address"),
       RpcParam::Optional("limit", RpcType::kUint, "100", "at most this many (<= 1000)"),
       RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help)},
      "Registered storage providers in address order, each as storage_getProvider.",
      "array of provider objects", [api](const RpcRequest& req) -> RpcResult {
        Address after;
        if (req.Has("after")) {
          auto a = AddressParam(req, "after");
          if (!a) return Invalid(a.status().message());
          after = *a;
        }
        const uint64_t limit = req.Has("limit") ? req.GetUint("limit") : kDefaultListLimit;
        if (limit > 1000) return Invalid("limit is at most 1000");
        auto view = RunView(
            *api, req,
            CallData("listProviders(address,uint256)", abi::Encoder().Address(after).Uint(limit)));
        if (view.error) return *view.error;
        Words w(view.output);
        Document doc(rapidjson::kArrayType);
        for (const Uint256& word : w.NextUintArray()) {
          const Hash256 h = word.ToHash();
          Value v;
          if (auto err = ProviderObject(*api, req, Address(h.data() + 12), v, doc.GetAllocator())) {
            return *err;
          }
          doc.PushBack(v, doc.GetAllocator());
        }
        return Json(std::move(doc));
      });
  t.AddPublic(
      "storage_getDeal",
      {RpcParam::Required("id", RpcType::kUint, "the deal id"),
       RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help)},
      "A storage deal (-32000 storage-unknown-deal if none). state: proposed, active, expired, "
      "cancelled, completed or terminated.",
      "object: id, client, provider, commd, piecesize, startblock, endblock, priceperblock (wei), "
      "state, sector (null until pre-committed), paid, faultfeesreceived, providercollateral, "
      "clientcollateral (wei), faultyperiods",
      [api](const RpcRequest& req) -> RpcResult {
        Document doc;
        if (auto err = DealObject(*api, req, req.GetUint("id"), doc, doc.GetAllocator())) {
          return *err;
        }
        return Json(std::move(doc));
      });
  t.AddPublic(
      "storage_listDeals",
      {RpcParam::Optional("client", RpcType::kAddress, "", "only this client's deals"),
       RpcParam::Optional("provider", RpcType::kAddress, "", "only this provider's deals"),
       RpcParam::Optional("state", RpcType::kString, "", "only deals in this state"),
       RpcParam::Optional("afterid", RpcType::kUint, "0", "deals with a larger id (pagination)"),
       RpcParam::Optional("limit", RpcType::kUint, "100", "at most this many (<= 1000)"),
       RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help)},
      "Deals in id order, filtered by client, provider and state, each as storage_getDeal. "
      "Page with afterid = the last id returned.",
      "array of deal objects", [api](const RpcRequest& req) -> RpcResult {
        Address client;
        Address provider;
        if (req.Has("client")) {
          auto a = AddressParam(req, "client");
          if (!a) return Invalid(a.status().message());
          client = *a;
        }
        if (req.Has("provider")) {
          auto a = AddressParam(req, "provider");
          if (!a) return Invalid(a.status().message());
          provider = *a;
        }
        uint64_t state = 0;
        if (req.Has("state")) {
          const std::string name = req.GetString("state");
          for (uint64_t s = 1; s <= 6; ++s) {
            if (DealStateText(s) == name) state = s;
          }
          if (state == 0) {
            return Invalid(
                "state must be proposed, active, expired, cancelled, completed or "
                "terminated");
          }
        }
        const uint64_t limit = req.Has("limit") ? req.GetUint("limit") : kDefaultListLimit;
        if (limit > 1000) return Invalid("limit is at most 1000");
        const uint64_t after = req.Has("afterid") ? req.GetUint("afterid") : 0;
        auto view = RunView(
            *api, req,
            CallData("listDeals(address,address,uint8,uint256,uint256)",
                     abi::Encoder().Address(client).Address(provider).Uint(state).Uint(after).Uint(
                         limit)));
        if (view.error) return *view.error;
        Words w(view.output);
        Document doc(rapidjson::kArrayType);
        for (const Uint256& id : w.NextUintArray()) {
          Value v;
          if (auto err = DealObject(*api, req, id.Low64(), v, doc.GetAllocator())) return *err;
          doc.PushBack(v, doc.GetAllocator());
        }
        return Json(std::move(doc));
      });
  t.AddPublic("storage_getSector",
              {RpcParam::Required("provider", RpcType::kAddress, "the provider"),
               RpcParam::Required("number", RpcType::kUint, "the sector number"),
               RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help)},
              "A provider's sector (-32000 storage-unknown-sector if none). state: pre-committed, "
              "active, expired, terminated or pre-commit-expired.",
              "object: provider, number, state, sectorsize, commr, commd, precommitheight, "
              "activationheight, deadline, nextwindowopen, nextcheck, proventhisperiod, "
              "consecutivefaults, declaredfaulty, faultyperiods, deals",
              [api](const RpcRequest& req) -> RpcResult {
                auto who = AddressParam(req, "provider");
                if (!who) return Invalid(who.status().message());
                return SectorObject(*api, req, *who, req.GetUint("number"));
              });
  t.AddPublic(
      "storage_getDeadlines",
      {RpcParam::Required("provider", RpcType::kAddress, "the provider"),
       RpcParam::Optional("block", RpcType::kAny, "\"latest\"", block_help)},
      "Every proving deadline of the provider: the window open now or next (its challenge is "
      "the hash of block windowopen; PoSts are accepted up to block check) and its active "
      "sectors.",
      "array of objects: deadline, period, windowopen, check, isopen, activesectors",
      [api](const RpcRequest& req) -> RpcResult {
        auto who = AddressParam(req, "provider");
        if (!who) return Invalid(who.status().message());
        const uint64_t deadlines =
            api->ready() ? api->ctx().params->storage.deadlines_per_period : 0;
        Document doc(rapidjson::kArrayType);
        auto& a = doc.GetAllocator();
        for (uint64_t d = 0; d < deadlines; ++d) {
          auto view = RunView(
              *api, req,
              CallData("getDeadline(address,uint256)", abi::Encoder().Address(*who).Uint(d)));
          if (view.error) return *view.error;
          Words w(view.output);
          Value o(rapidjson::kObjectType);
          o.AddMember("deadline", d, a);
          o.AddMember("period", w.Next64(), a);
          o.AddMember("windowopen", w.Next64(), a);
          o.AddMember("check", w.Next64(), a);
          o.AddMember("isopen", w.NextBool(), a);
          o.AddMember("activesectors", w.Next64(), a);
          doc.PushBack(o, a);
        }
        if (!api->ready()) return NotReady();
        return Json(std::move(doc));
      });
  t.AddPublic(
      "storage_getParams", {},
      "The storage market's parameters on this network (ChainParams): what a client needs to "
      "propose a deal (the collateral it sends) and a provider to plan sealing and proving.",
      "object: activationheight, sectorsizes [bytes], sealseeddelayblocks, "
      "provecommitwindowblocks, ticketmaxageblocks, provingperiodblocks, deadlinesperperiod, "
      "postresponseblocks, maxconsecutivefaults, minproviderstake, precommitdeposit (wei), "
      "providercollateralpercent, clientcollateralpercent, faultfeepermille, "
      "declaredfaultfeepermille, maxdealspersector",
      [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        const consensus::StorageMarketParams& p = api->ctx().params->storage;
        Document doc(rapidjson::kObjectType);
        auto& a = doc.GetAllocator();
        doc.AddMember("activationheight", p.activation_height, a);
        Value sizes(rapidjson::kArrayType);
        for (uint64_t size : p.sector_sizes) sizes.PushBack(size, a);
        doc.AddMember("sectorsizes", sizes, a);
        doc.AddMember("sealseeddelayblocks", p.seal_seed_delay_blocks, a);
        doc.AddMember("provecommitwindowblocks", p.prove_commit_window_blocks, a);
        doc.AddMember("ticketmaxageblocks", p.ticket_max_age_blocks, a);
        doc.AddMember("provingperiodblocks", p.proving_period_blocks, a);
        doc.AddMember("deadlinesperperiod", p.deadlines_per_period, a);
        doc.AddMember("postresponseblocks", p.post_response_blocks, a);
        doc.AddMember("maxconsecutivefaults", p.max_consecutive_faults, a);
        doc.AddMember("minproviderstake", Wei(p.min_provider_stake, a), a);
        doc.AddMember("precommitdeposit", Wei(p.precommit_deposit, a), a);
        doc.AddMember("providercollateralpercent", p.provider_collateral_percent, a);
        doc.AddMember("clientcollateralpercent", p.client_collateral_percent, a);
        doc.AddMember("faultfeepermille", p.fault_fee_permille, a);
        doc.AddMember("declaredfaultfeepermille", p.declared_fault_fee_permille, a);
        doc.AddMember("maxdealspersector", p.max_deals_per_sector, a);
        return Json(std::move(doc));
      });
  return t;
}

}  // namespace depin::eth_rpc

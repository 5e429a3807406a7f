#include "rpc/net_methods.h"

#include <chrono>

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;

RpcError Disabled() { return RpcError::Server("P2P networking is disabled"); }

Value Str(std::string_view s, Document::AllocatorType& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

RpcResult GetPeerInfo(const net::NetManager& net) {
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  for (const net::PeerInfo& p : net.GetPeerInfo()) {
    Value o(rapidjson::kObjectType);
    o.AddMember("id", p.id, a);
    o.AddMember("addr", Str(p.address, a), a);
    o.AddMember("addrlocal", Str(p.local_address, a), a);
    o.AddMember("inbound", p.inbound, a);
    o.AddMember("manual", p.manual, a);
    o.AddMember("handshake", p.handshake_done, a);
    o.AddMember("version", p.version, a);
    o.AddMember("subver", Str(p.user_agent, a), a);
    o.AddMember("services", p.services, a);
    o.AddMember("startingheight", p.start_height, a);
    o.AddMember("synced_headers", p.synced_headers, a);
    o.AddMember("bytessent", p.bytes_sent, a);
    o.AddMember("bytesrecv", p.bytes_received, a);
    o.AddMember("conntime", p.connected_seconds, a);
    if (p.ping_ms) o.AddMember("pingtime", *p.ping_ms / 1000.0, a);
    if (p.min_ping_ms) o.AddMember("minping", *p.min_ping_ms / 1000.0, a);
    if (p.ping_wait_ms) o.AddMember("pingwait", *p.ping_wait_ms / 1000.0, a);
    o.AddMember("misbehavior", p.misbehavior, a);
    o.AddMember("blocks_in_flight", static_cast<uint64_t>(p.blocks_in_flight), a);
    o.AddMember("addr_rate_limited", p.addr_rate_limited, a);
    o.AddMember("pending_getdata", static_cast<uint64_t>(p.pending_getdata), a);
    o.AddMember("tx_requests", static_cast<uint64_t>(p.tx_requests), a);
    o.AddMember("tx_announcements_dropped", p.tx_announcements_dropped, a);
    doc.PushBack(o, a);
  }
  return RpcResult(std::move(doc));
}

RpcResult ListBanned(const net::NetManager& net) {
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  for (const net::BanEntry& e : net.ListBanned()) {
    Value o(rapidjson::kObjectType);
    o.AddMember("address", Str(e.subnet.ToString(), a), a);
    o.AddMember("ban_created", e.created, a);
    o.AddMember("banned_until", e.until, a);
    doc.PushBack(o, a);
  }
  return RpcResult(std::move(doc));
}

RpcResult GetNetTotals(const net::NetManager& net) {
  net::NetTotals t = net.Totals();
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("totalbytesrecv", t.bytes_received, a);
  doc.AddMember("totalbytessent", t.bytes_sent, a);
  doc.AddMember("orphantxs", static_cast<uint64_t>(t.orphan_txs), a);
  doc.AddMember("orphantxbytes", static_cast<uint64_t>(t.orphan_tx_bytes), a);
  doc.AddMember("orphanblocks", static_cast<uint64_t>(t.orphan_blocks), a);
  doc.AddMember("orphanblockbytes", static_cast<uint64_t>(t.orphan_block_bytes), a);
  doc.AddMember("timemillis",
                static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()),
                a);
  return RpcResult(std::move(doc));
}

}  // namespace

void NetworkInfoFields(const net::NetManager* net, Value& obj, Document::AllocatorType& a) {
  size_t in = net ? net->ConnectionCount(true, false) : 0;
  size_t out = net ? net->ConnectionCount(false, true) : 0;
  obj.AddMember("networkactive", net != nullptr, a);
  obj.AddMember("connections", static_cast<uint64_t>(in + out), a);
  obj.AddMember("connections_in", static_cast<uint64_t>(in), a);
  obj.AddMember("connections_out", static_cast<uint64_t>(out), a);
  Value local(rapidjson::kArrayType);
  if (net != nullptr) {
    for (const std::string& addr : net->LocalAddresses()) local.PushBack(Str(addr, a), a);
  }
  obj.AddMember("localaddresses", local, a);
}

RpcTable NetRpcTable(net::NetManager* net) {
  RpcTable t{"network", {}};
  t.methods.push_back(RpcMethod{
      .name = "getpeerinfo",
      .access = RpcAccess::kAdmin,
      .params = {},
      .help = "Returns one object per connected peer.",
      .result = "array of objects: id, addr, addrlocal, inbound, manual, handshake, version, "
                "subver, services, startingheight, synced_headers, bytessent, bytesrecv, "
                "conntime, pingtime, minping, pingwait (seconds), misbehavior, blocks_in_flight, "
                "addr_rate_limited (addresses from this peer's addr messages dropped by the "
                "rate limit), pending_getdata (items it asked for not yet sent; reading from "
                "it is held meanwhile), tx_requests (its announced txs being fetched, at most "
                "5000), tx_announcements_dropped (past that cap)",
      .handler = [net](const RpcRequest&) -> RpcResult {
        if (net == nullptr) return Disabled();
        return GetPeerInfo(*net);
      }});
  t.methods.push_back(RpcMethod{.name = "getconnectioncount",
                                .access = RpcAccess::kPublic,
                                .params = {},
                                .help = "Returns the number of peers with a completed handshake.",
                                .result = "number",
                                .handler = [net](const RpcRequest&) -> RpcResult {
                                  if (net == nullptr) return RpcResult::Uint(0);
                                  return RpcResult::Uint(net->ConnectionCount(true, true));
                                }});
  t.methods.push_back(
      RpcMethod{.name = "addnode",
                .access = RpcAccess::kAdmin,
                .params = {RpcParam::Required("node", RpcType::kString, "host:port (IP address)"),
                           RpcParam::Required("command", RpcType::kString,
                                              "add (keep connected), remove, or onetry")},
                .help = "Adds or removes a peer that the node keeps connected, or connects once.",
                .result = "null",
                .handler = [net](const RpcRequest& req) -> RpcResult {
                  if (net == nullptr) return Disabled();
                  Status s = net->AddNode(req.GetString("node"), req.GetString("command"));
                  if (!s.ok()) {
                    int code = s.Is(StatusKind::kInvalid) ? kRpcInvalidParams : kRpcServerError;
                    return RpcError::FromStatus(s, code);
                  }
                  return RpcResult::Null();
                }});
  t.methods.push_back(RpcMethod{
      .name = "disconnectnode",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Optional("address", RpcType::kString, "\"\"", "host:port of the peer"),
                 RpcParam::Optional("nodeid", RpcType::kUint, "",
                                    "peer id from getpeerinfo, when no address is given")},
      .help = "Disconnects a peer by address or id.",
      .result = "null",
      .handler = [net](const RpcRequest& req) -> RpcResult {
        if (net == nullptr) return Disabled();
        std::string address = req.GetString("address");
        std::optional<uint64_t> id;
        if (req.Has("nodeid")) id = req.GetUint("nodeid");
        if (address.empty() == !id.has_value())
          return RpcError::InvalidParams("give exactly one of address and nodeid");
        Status s = net->DisconnectNode(address, id);
        if (!s.ok()) return RpcError::FromStatus(s);
        return RpcResult::Null();
      }});
  t.methods.push_back(RpcMethod{
      .name = "setban",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Required("subnet", RpcType::kString,
                                    "IP address or CIDR subnet (1.2.3.0/24)"),
                 RpcParam::Required("command", RpcType::kString, "add or remove"),
                 RpcParam::Optional("bantime", RpcType::kUint, "0",
                                    "seconds (0: the node's -bantime), or a unix time with "
                                    "absolute"),
                 RpcParam::Optional("absolute", RpcType::kBool, "false",
                                    "bantime is an absolute unix time")},
      .help = "Bans a subnet (disconnecting its peers) or lifts a ban. The list is persisted.",
      .result = "null",
      .handler = [net](const RpcRequest& req) -> RpcResult {
        if (net == nullptr) return Disabled();
        Status s = net->SetBan(req.GetString("subnet"), req.GetString("command"),
                               req.GetUint("bantime"), req.GetBool("absolute"));
        if (!s.ok()) {
          int code = s.Is(StatusKind::kNotFound) ? kRpcServerError : kRpcInvalidParams;
          return RpcError::FromStatus(s, code);
        }
        return RpcResult::Null();
      }});
  t.methods.push_back(RpcMethod{
      .name = "listbanned",
      .access = RpcAccess::kAdmin,
      .params = {},
      .help = "Lists banned subnets.",
      .result = "array of objects: address (subnet), ban_created, banned_until (unix seconds)",
      .handler = [net](const RpcRequest&) -> RpcResult {
        if (net == nullptr) return Disabled();
        return ListBanned(*net);
      }});
  t.methods.push_back(RpcMethod{.name = "clearbanned",
                                .access = RpcAccess::kAdmin,
                                .params = {},
                                .help = "Removes every ban.",
                                .result = "null",
                                .handler = [net](const RpcRequest&) -> RpcResult {
                                  if (net == nullptr) return Disabled();
                                  net->ClearBanned();
                                  return RpcResult::Null();
                                }});
  t.methods.push_back(
      RpcMethod{.name = "getnettotals",
                .access = RpcAccess::kPublic,
                .params = {},
                .help = "Returns bytes sent and received over P2P since the node started, and "
                        "what the orphan pools hold now (txs from peers waiting on funds or "
                        "an earlier nonce; blocks received before their parent's data, held in "
                        "memory up to -maxorphanblocks and -maxorphanblockbuffer).",
                .result = "object: totalbytesrecv, totalbytessent, orphantxs, orphantxbytes, "
                          "orphanblocks, orphanblockbytes, timemillis",
                .handler = [net](const RpcRequest&) -> RpcResult {
                  if (net == nullptr) return Disabled();
                  return GetNetTotals(*net);
                }});
  t.methods.push_back(RpcMethod{.name = "ping",
                                .access = RpcAccess::kAdmin,
                                .params = {},
                                .help = "Sends a ping to every peer; getpeerinfo shows the "
                                        "round trip in pingtime.",
                                .result = "null",
                                .handler = [net](const RpcRequest&) -> RpcResult {
                                  if (net == nullptr) return Disabled();
                                  net->PingAll();
                                  return RpcResult::Null();
                                }});
  return t;
}

}  // namespace depin

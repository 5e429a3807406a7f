// Control RPC methods: node identity, uptime and shutdown. (`help` is built
// into the dispatcher.)
#include "rpc/net_methods.h"
#include "rpc/node_methods.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;

RpcResult GetNetworkInfo(const NodeRpcContext& ctx) {
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("version", Str(ctx.version, a), a);
  doc.AddMember("subversion", Str("/depind:" + ctx.version + "/", a), a);
  doc.AddMember("protocolversion", 1, a);
  if (ctx.params != nullptr) {
    doc.AddMember("chain", Str(ctx.params->name, a), a);
    doc.AddMember("chainid", ctx.params->chain_id, a);
  }
  bool p2p = ctx.net != nullptr;
  NetworkInfoFields(ctx.net, doc, a);
  doc.AddMember("localport", ctx.p2p_port, a);
  doc.AddMember("rpcport", ctx.rpc_port, a);
  if (ctx.rpc_public_port) {
    doc.AddMember("rpcpublicport", *ctx.rpc_public_port, a);
  } else {
    doc.AddMember("rpcpublicport", Value(), a);
  }
  doc.AddMember("warnings", Str(p2p ? "" : "P2P networking is off", a), a);
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable ControlRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"node", {}};
  const NodeRpcContext* c = &ctx;
  t.methods.push_back(RpcMethod{
      .name = "getnetworkinfo",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Returns the node's version, chain and listening ports.",
      .result = "object: version, subversion, protocolversion, chain, chainid, networkactive, "
                "connections, connections_in, connections_out, localaddresses, localport, rpcport, "
                "rpcpublicport, warnings",
      .handler = [c](const RpcRequest&) { return GetNetworkInfo(*c); }});
  t.methods.push_back(
      RpcMethod{.name = "uptime",
                .access = RpcAccess::kPublic,
                .params = {},
                .help = "Returns the seconds since the node started.",
                .result = "number",
                .handler = [c](const RpcRequest&) {
                  auto elapsed = std::chrono::steady_clock::now() - c->start_time;
                  return RpcResult::Uint(static_cast<uint64_t>(
                      std::chrono::duration_cast<std::chrono::seconds>(elapsed).count()));
                }});
  t.methods.push_back(RpcMethod{
      .name = "stop",
      .access = RpcAccess::kAdmin,
      .params = {},
      .help = "Shuts the node down cleanly (stops RPC and the miner, flushes and closes the "
              "database); the reply is sent first.",
      .result = "string: \"depind stopping\"",
      .handler = [c](const RpcRequest&) -> RpcResult {
        if (c->request_shutdown) c->request_shutdown();
        return RpcResult::String("depind stopping");
      }});
  return t;
}

}  // namespace depin

// The compute provider over HTTP and RPC: PUT /compute/leases/{id}/manifest
// and compute_getProviderStatus (compute_provider_role.h).
#include <charconv>

#include "market/provider/compute_provider_role.h"
#include "rpc/node_methods.h"

namespace depin::market {
namespace {

HttpReply Error(unsigned status, const std::string& code, const std::string& message) {
  std::string json = "{\"error\":\"" + code + "\",\"message\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') json += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) json += c;
  }
  return HttpReply::Json(status, json + "\"}\n");
}

HttpReply Manifest(ComputeProviderRole* role, const HttpRequest& req) {
  constexpr std::string_view kPrefix = "/compute/leases/";
  constexpr std::string_view kSuffix = "/manifest";
  std::string_view path = req.path;
  path.remove_prefix(kPrefix.size());
  if (path.size() <= kSuffix.size() || path.substr(path.size() - kSuffix.size()) != kSuffix) {
    return Error(404, "not-found", "no such resource");
  }
  const std::string_view id_text = path.substr(0, path.size() - kSuffix.size());
  uint64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id == 0) {
    return Error(400, "bad-request", "the lease id must be a decimal number");
  }
  const auto sig_text = req.Header("x-depin-signature");
  auto sig = HexDecode(sig_text.value_or(""));
  if (!sig_text || !sig.ok()) {
    return Error(403, "compute-manifest-not-signed",
                 "X-Depin-Signature must carry the tenant's personal_sign of keccak256(manifest)");
  }
  Status s = role->ReceiveManifest(id, req.body, *sig);
  if (s.ok()) return HttpReply::Json(200, "{\"lease\":" + std::to_string(id) + "}\n");
  const std::string& code = s.code();
  const unsigned status = code == "compute-unknown-lease" || code == "compute-not-my-lease" ? 404
                          : code == "compute-manifest-mismatch"                             ? 422
                          : code == "compute-manifest-not-signed"                           ? 403
                                                                                            : 500;
  return Error(status, code, s.message());
}

}  // namespace

HttpRoutes ComputeProviderRoutes(ComputeProviderRole* role) {
  HttpRoutes routes;
  routes.push_back(
      HttpRoute{.prefix = "/compute/leases/",
                .methods = {"PUT"},
                .max_body_bytes = 1 << 20,
                .handler = [role](const HttpRequest& r) { return Manifest(role, r); }});
  return routes;
}

RpcTable ComputeProviderRpcTable(ComputeProviderRole* role) {
  RpcTable t{"computeprovider", {}};
  t.methods.push_back(RpcMethod{
      .name = "compute_getProviderStatus",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "The local compute provider's work: its address, whether it is registered, its "
              "attributes on chain, the orders it bid on, each lease it ran hooks for (started "
              "or closed) and the pay it withdrew.",
      .result = "object: address, registered, attributes, bids [orderId], leases [{id, state}], "
                "withdrawn (wei), lasterror",
      .handler = [role](const RpcRequest&) -> RpcResult {
        if (role == nullptr) {
          return RpcError::Server(
              "no compute provider role: start depind with -computeprovider=KEYFILE");
        }
        const ComputeProviderRole::StatusInfo info = role->Snapshot();
        rapidjson::Document doc(rapidjson::kObjectType);
        auto& a = doc.GetAllocator();
        doc.AddMember("address", rpc_json::Str(info.address.ToChecksumHex(), a), a);
        doc.AddMember("registered", info.registered, a);
        doc.AddMember("attributes", rpc_json::Str(info.attributes, a), a);
        rapidjson::Value bids(rapidjson::kArrayType);
        for (uint64_t id : info.bids) bids.PushBack(id, a);
        doc.AddMember("bids", bids, a);
        rapidjson::Value leases(rapidjson::kArrayType);
        for (const auto& [id, state] : info.leases) {
          rapidjson::Value o(rapidjson::kObjectType);
          o.AddMember("id", id, a);
          o.AddMember("state", rpc_json::Str(state, a), a);
          leases.PushBack(o, a);
        }
        doc.AddMember("leases", leases, a);
        doc.AddMember("withdrawn", rpc_json::Wei(info.withdrawn, a), a);
        doc.AddMember("lasterror", rpc_json::Str(info.last_error, a), a);
        return RpcResult(std::move(doc));
      }});
  return t;
}

}  // namespace depin::market

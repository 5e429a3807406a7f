// storage_getSealingStatus and storage_importDealData: the local storage
// provider role over RPC (provider_role.h). Without -storageprovider both
// answer -32000 "no storage provider role".
#include "rpc/node_methods.h"
#include "storage/provider/provider_role.h"

namespace depin::storage {
namespace {

using rpc_json::Str;

RpcError NoRole() {
  return RpcError::Server("no storage provider role: start depind with -storageprovider=KEYFILE");
}

}  // namespace

RpcTable StorageProviderRpcTable(StorageProviderRole* role) {
  RpcTable t{"storageprovider", {}};
  t.methods.push_back(RpcMethod{
      .name = "storage_getSealingStatus",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "The local storage provider's work: its address, whether it is registered, the "
              "deals whose data is staged, and each sector job's stage (sealing, sealed, "
              "precommitted, proving-commit, active, ended, failed) with its deals.",
      .result = "object: address, registered, stageddeals, sectors [{number, stage, deals, "
                "lasterror}], postssent, lasterror",
      .handler = [role](const RpcRequest&) -> RpcResult {
        if (role == nullptr) return NoRole();
        const StorageProviderRole::StatusInfo info = role->Snapshot();
        rapidjson::Document doc(rapidjson::kObjectType);
        auto& a = doc.GetAllocator();
        doc.AddMember("address", Str(info.address.ToChecksumHex(), a), a);
        doc.AddMember("registered", info.registered, a);
        rapidjson::Value staged(rapidjson::kArrayType);
        for (uint64_t id : info.staged_deals) staged.PushBack(id, a);
        doc.AddMember("stageddeals", staged, a);
        rapidjson::Value sectors(rapidjson::kArrayType);
        for (const auto& s : info.sectors) {
          rapidjson::Value o(rapidjson::kObjectType);
          o.AddMember("number", s.number, a);
          o.AddMember("stage", Str(s.stage, a), a);
          rapidjson::Value deals(rapidjson::kArrayType);
          for (uint64_t id : s.deals) deals.PushBack(id, a);
          o.AddMember("deals", deals, a);
          o.AddMember("lasterror", Str(s.last_error, a), a);
          sectors.PushBack(o, a);
        }
        doc.AddMember("sectors", sectors, a);
        doc.AddMember("postssent", info.posts_sent, a);
        doc.AddMember("lasterror", Str(info.last_error, a), a);
        return RpcResult(std::move(doc));
      }});
  t.methods.push_back(RpcMethod{
      .name = "storage_importDealData",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Required("dealid", RpcType::kUint, "a deal proposed to this provider"),
                 RpcParam::Required("path", RpcType::kString,
                                    "a file on this machine holding the deal's data")},
      .help = "Stages a deal's data from a local file for sealing (offline data transfer): the "
              "deal must be proposed to this provider and not yet in a sector, and the file's "
              "piece commitment must be the deal's commD (provider-data-mismatch otherwise).",
      .result = "true",
      .handler = [role](const RpcRequest& req) -> RpcResult {
        if (role == nullptr) return NoRole();
        Status s = role->ImportDealData(req.GetUint("dealid"), req.GetString("path"));
        if (!s.ok()) return RpcError::Server(s.ToString());
        return RpcResult::Bool(true);
      }});
  return t;
}

}  // namespace depin::storage

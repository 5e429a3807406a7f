// `depin-cli storage ...`: the storage market from the command line.
//   commd FILE --sector-size 8MiB   the commitment a client quotes, computed locally
//   providers                       registered providers (storage_listProviders)
//   deals [--client A] [--provider A] [--state S]   deals (storage_listDeals)
//   status                          the node's own provider role (storage_getSealingStatus)
#include <rapidjson/document.h>

#include "cli/commands.h"
#include "cli/rpc_client.h"
#include "cli/rpc_params.h"
#include "cli/sector_size_arg.h"
#include "storage/proofs/comm_d.h"

namespace depin::cli {

namespace po = boost::program_options;

namespace {

std::string Text(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name)) return "-";
  const rapidjson::Value& v = obj[name];
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsBool()) return v.GetBool() ? "yes" : "no";
  if (v.IsNull()) return "-";
  return "?";
}

// The RPC's result for `method`, or prints the error and returns null.
std::optional<rapidjson::Document> Query(CommandContext& ctx, const std::string& method,
                                         const std::string& params) {
  const CliOptions& o = ctx.options;
  RpcClient client(RpcClientOptions{.host = o.rpcconnect,
                                    .port = o.rpcport,
                                    .credentials = RpcCredentials(o),
                                    .timeout = std::chrono::seconds(o.rpcclienttimeout)});
  auto result = client.CallResult(method, params);
  if (!result) {
    Fail(ctx.err, result.status().message());
    return std::nullopt;
  }
  return std::move(result).value();
}

int Providers(CommandContext& ctx) {
  auto list = Query(ctx, "storage_listProviders", "[]");
  if (!list) return 1;
  if (!list->IsArray() || list->Empty()) {
    ctx.out << "no registered storage providers\n";
    return 0;
  }
  for (const auto& p : list->GetArray()) {
    ctx.out << Text(p, "address") << "  sector " << Text(p, "sectorsize") << " B  ask "
            << Text(p, "pricepergibperblock") << " wei/GiB/block  stake " << Text(p, "stake")
            << " wei  active sectors " << Text(p, "activesectors") << "  " << Text(p, "uri")
            << "\n";
  }
  return 0;
}

int Deals(CommandContext& ctx) {
  std::string params = "{";
  auto add = [&params](const char* name, const std::string& value) {
    if (params.size() > 1) params += ",";
    params += "\"" + std::string(name) + "\":" + JsonString(value);
  };
  if (auto v = OptionValue(ctx.vm, "client")) add("client", *v);
  if (auto v = OptionValue(ctx.vm, "provider")) add("provider", *v);
  if (auto v = OptionValue(ctx.vm, "state")) add("state", *v);
  params += "}";
  auto list = Query(ctx, "storage_listDeals", params);
  if (!list) return 1;
  if (!list->IsArray() || list->Empty()) {
    ctx.out << "no deals\n";
    return 0;
  }
  for (const auto& d : list->GetArray()) {
    ctx.out << "deal " << Text(d, "id") << "  " << Text(d, "state") << "  client "
            << Text(d, "client") << "  provider " << Text(d, "provider") << "  blocks "
            << Text(d, "startblock") << ".." << Text(d, "endblock") << "  piece "
            << Text(d, "piecesize") << " B  paid " << Text(d, "paid") << " wei  sector "
            << Text(d, "sector") << "\n";
  }
  return 0;
}

int Status(CommandContext& ctx) {
  auto s = Query(ctx, "storage_getSealingStatus", "[]");
  if (!s) return 1;
  ctx.out << "provider " << Text(*s, "address")
          << (Text(*s, "registered") == "yes" ? "" : " (not yet registered)") << "\n";
  if (s->HasMember("stageddeals") && (*s)["stageddeals"].IsArray()) {
    ctx.out << "staged deals:";
    for (const auto& id : (*s)["stageddeals"].GetArray()) {
      if (id.IsUint64()) ctx.out << " " << id.GetUint64();
    }
    ctx.out << "\n";
  }
  if (s->HasMember("sectors") && (*s)["sectors"].IsArray()) {
    for (const auto& sec : (*s)["sectors"].GetArray()) {
      ctx.out << "sector " << Text(sec, "number") << "  " << Text(sec, "stage");
      if (Text(sec, "lasterror") != "" && Text(sec, "lasterror") != "-") {
        ctx.out << "  (" << Text(sec, "lasterror") << ")";
      }
      ctx.out << "\n";
    }
  }
  ctx.out << "PoSts sent: " << Text(*s, "postssent") << "\n";
  return 0;
}

int CommD(CommandContext& ctx) {
  if (ctx.args.size() != 2) {
    return Fail(ctx.err, "usage: depin-cli storage commd FILE --sector-size SIZE");
  }
  auto size_text = OptionValue(ctx.vm, "sector-size");
  if (!size_text) return Fail(ctx.err, "storage commd needs --sector-size (e.g. 8MiB)");
  auto size = ParseSectorSize(*size_text);
  if (!size) return Fail(ctx.err, size.status().message());
  auto commd = storage::proofs::CommDOfFile(ctx.args[1], *size);
  if (!commd) {
    if (commd.status().Is(StatusKind::kLimitExceeded)) {
      return Fail(ctx.err, ctx.args[1] + " is larger than the " + *size_text + " sector");
    }
    return Fail(ctx.err, commd.status().message());
  }
  ctx.out << commd->Hex() << "\n";
  return 0;
}

}  // namespace

po::options_description StorageCommandOptions() {
  po::options_description d("storage options");
  d.add_options()("sector-size", ValueOption(),
                  "sector size: 2KiB, 8MiB (tests, regtest), 512MiB, 32GiB, or bytes")(
      "client", ValueOption(), "deals: only this client's")("provider", ValueOption(),
                                                            "deals: only this provider's")(
      "state", ValueOption(),
      "deals: only in this state (proposed, active, expired, cancelled, completed, terminated)");
  return d;
}

int RunStorageCommand(CommandContext& ctx) {
  const std::string sub = ctx.args.empty() ? "" : ctx.args[0];
  if (sub == "commd") return CommD(ctx);
  if (sub == "providers" && ctx.args.size() == 1) return Providers(ctx);
  if (sub == "deals" && ctx.args.size() == 1) return Deals(ctx);
  if (sub == "status" && ctx.args.size() == 1) return Status(ctx);
  return Fail(ctx.err,
              "usage: depin-cli storage commd FILE --sector-size SIZE | providers | deals "
              "[--client A] [--provider A] [--state S] | status");
}

}  // namespace depin::cli

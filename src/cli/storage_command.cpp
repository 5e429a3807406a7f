// `depin-cli storage ...`: the storage market from the command line.
//   commd FILE --sector-size 8MiB   the commitment a client quotes, computed locally
//   providers                       registered providers (storage_listProviders)
//   deals [--client A] [--provider A] [--state S]   deals (storage_listDeals)
//   status                          the node's own provider role (storage_getSealingStatus)
//   deal --provider A --file F --duration N [--price P] [--start-in B] --from K
//                                   proposes a deal, uploads the file to the provider
//                                   once the proposal is in a block, waits for activation
//   retrieve DEALID OUT             downloads an active deal's data from its provider
//                                   (resumable, in ranges) and checks it against commD
#include <rapidjson/document.h>

#include <bit>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/commands.h"
#include "cli/rpc_client.h"
#include "cli/rpc_params.h"
#include "cli/sector_size_arg.h"
#include "cli/submit.h"
#include "cli/tx_options.h"
#include "consensus/abi.h"
#include "storage/proofs/comm_d.h"

namespace depin::cli {

namespace po = boost::program_options;

namespace {

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
    ctx.out << FieldText(p, "address") << "  sector " << FieldText(p, "sectorsize") << " B  ask "
            << FieldText(p, "pricepergibperblock") << " wei/GiB/block  stake "
            << FieldText(p, "stake") << " wei  active sectors " << FieldText(p, "activesectors")
            << "  " << FieldText(p, "uri") << "\n";
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
    ctx.out << "deal " << FieldText(d, "id") << "  " << FieldText(d, "state") << "  client "
            << FieldText(d, "client") << "  provider " << FieldText(d, "provider") << "  blocks "
            << FieldText(d, "startblock") << ".." << FieldText(d, "endblock") << "  piece "
            << FieldText(d, "piecesize") << " B  paid " << FieldText(d, "paid") << " wei  sector "
            << FieldText(d, "sector") << "\n";
  }
  return 0;
}

int Status(CommandContext& ctx) {
  auto s = Query(ctx, "storage_getSealingStatus", "[]");
  if (!s) return 1;
  ctx.out << "provider " << FieldText(*s, "address")
          << (FieldText(*s, "registered") == "yes" ? "" : " (not yet registered)") << "\n";
  if (s->HasMember("stageddeals") && (*s)["stageddeals"].IsArray()) {
    ctx.out << "staged deals:";
    for (const auto& id : (*s)["stageddeals"].GetArray()) {
      if (id.IsUint64()) ctx.out << " " << id.GetUint64();
    }
    ctx.out << "\n";
  }
  if (s->HasMember("sectors") && (*s)["sectors"].IsArray()) {
    for (const auto& sec : (*s)["sectors"].GetArray()) {
      ctx.out << "sector " << FieldText(sec, "number") << "  " << FieldText(sec, "stage");
      if (FieldText(sec, "lasterror") != "" && FieldText(sec, "lasterror") != "-") {
        ctx.out << "  (" << FieldText(sec, "lasterror") << ")";
      }
      ctx.out << "\n";
    }
  }
  ctx.out << "PoSts sent: " << FieldText(*s, "postssent") << "\n";
  return 0;
}

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kUploadChunk = 4 << 20;    // bytes per PUT
constexpr uint64_t kDownloadChunk = 8 << 20;  // bytes per ranged GET
constexpr uint64_t kDefaultStartIn = 240;     // blocks from now to the deal's start
constexpr uint64_t kDefaultDealWait = 3600;   // seconds
constexpr int kHttpAttempts = 5;

std::string Str(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name) || !obj[name].IsString()) return "";
  return obj[name].GetString();
}

// The message of a provider's JSON error reply, or its status line.
std::string HttpError(const HttpResponse& r) {
  rapidjson::Document doc;
  doc.Parse(r.body.data(), r.body.size());
  std::string what = "HTTP " + std::to_string(r.status);
  if (!doc.HasParseError() && doc.IsObject()) {
    what += ": " + Str(doc, "error") + ": " + Str(doc, "message");
  } else if (!r.body.empty()) {
    what += ": " + r.body.substr(0, r.body.find('\n'));
  }
  return what;
}

std::optional<std::string> HeaderOf(const HttpResponse& r, const std::string& lower_name) {
  for (const auto& [name, value] : r.headers) {
    if (name == lower_name) return value;
  }
  return std::nullopt;
}

// SendHttp with retries on transport failures (connection refused or lost).
Result<HttpResponse> SendWithRetry(CommandContext& ctx, const HttpEndpoint& to,
                                   const HttpRequestSpec& spec) {
  for (int attempt = 1;; ++attempt) {
    auto r = SendHttp(to, spec);
    if (r || attempt == kHttpAttempts) return r;
    ctx.err << "warning: " << r.status().message() << "; retrying (" << attempt << "/"
            << kHttpAttempts - 1 << ")\n";
    std::this_thread::sleep_for(std::chrono::seconds(attempt));
  }
}

// Uploads `file` to the provider for `deal`, resuming where it stands.
int Upload(CommandContext& ctx, const HttpUri& uri, uint64_t deal, const std::string& file,
           uint64_t size, uint64_t chunk_bytes) {
  const std::string target = uri.base + "storage/deals/" + std::to_string(deal);
  auto state =
      SendWithRetry(ctx, uri.endpoint,
                    {.method = "GET", .target = target + "/upload", .headers = {}, .body = ""});
  if (!state) return Fail(ctx.err, state.status().message());
  if (state->status != 200) return Fail(ctx.err, "upload state: " + HttpError(*state));
  rapidjson::Document doc;
  doc.Parse(state->body.data(), state->body.size());
  uint64_t offset = 0;
  if (!doc.HasParseError() && doc.IsObject()) {
    if (doc.HasMember("complete") && doc["complete"].IsBool() && doc["complete"].GetBool()) {
      ctx.out << "deal " << deal << ": the provider has the data already\n";
      return 0;
    }
    if (doc.HasMember("received") && doc["received"].IsUint64() && doc.HasMember("total") &&
        doc["total"].IsUint64() && doc["total"].GetUint64() == size) {
      offset = doc["received"].GetUint64();
    }
  }
  if (offset > 0) ctx.out << "resuming the upload at byte " << offset << "\n";
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ctx.err, "cannot read " + file);
  int last_percent = -1;
  while (offset < size) {
    const uint64_t n = std::min(chunk_bytes, size - offset);
    std::string chunk(n, '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(chunk.data(), static_cast<std::streamsize>(n))) {
      return Fail(ctx.err, "cannot read " + file);
    }
    HttpRequestSpec put{.method = "PUT",
                        .target = target,
                        .headers = {{"Content-Type", "application/octet-stream"},
                                    {"Content-Range", "bytes " + std::to_string(offset) + "-" +
                                                          std::to_string(offset + n - 1) + "/" +
                                                          std::to_string(size)}},
                        .body = std::move(chunk)};
    auto r = SendWithRetry(ctx, uri.endpoint, put);
    if (!r) return Fail(ctx.err, r.status().message());
    if (r->status == 409) {
      // The provider holds another amount (an earlier attempt landed): go on
      // from there.
      auto at = HeaderOf(*r, "upload-offset");
      auto v =
          at ? ParseUint64Option("Upload-Offset", *at) : Result<uint64_t>(Status::Error("", ""));
      if (v && *v != offset && *v <= size) {
        offset = *v;
        continue;
      }
    }
    if (r->status != 200) return Fail(ctx.err, "upload refused: " + HttpError(*r));
    offset += n;
    const int percent = static_cast<int>(offset * 100 / size);
    if (percent / 10 != last_percent / 10 || offset == size) {
      ctx.out << "uploaded " << offset << " / " << size << " bytes (" << percent << "%)\n";
      ctx.out.flush();
      last_percent = percent;
    }
  }
  return 0;
}

int Deal(CommandContext& ctx) {
  if (ctx.args.size() != 1) {
    return Fail(ctx.err,
                "usage: depin-cli storage deal --provider ADDR --file F --duration BLOCKS "
                "[--price WEI] [--start-in BLOCKS] --from KEYSTORE");
  }
  auto provider_text = OptionValue(ctx.vm, "provider");
  auto file = OptionValue(ctx.vm, "file");
  auto duration_text = OptionValue(ctx.vm, "duration");
  if (!provider_text || !file || !duration_text) {
    return Fail(ctx.err, "storage deal needs --provider, --file and --duration");
  }
  auto provider = Address::Parse(*provider_text);
  if (!provider) return Fail(ctx.err, "--provider: " + provider.status().message());
  auto duration = ParseUint64Option("duration", *duration_text);
  if (!duration) return Fail(ctx.err, duration.status().message());
  uint64_t start_in = kDefaultStartIn;
  if (auto t = OptionValue(ctx.vm, "start-in")) {
    auto v = ParseUint64Option("start-in", *t);
    if (!v) return Fail(ctx.err, v.status().message());
    start_in = *v;
  }
  uint64_t wait_timeout = kDefaultDealWait;
  if (auto t = OptionValue(ctx.vm, "wait-timeout")) {
    auto v = ParseUint64Option("wait-timeout", *t);
    if (!v) return Fail(ctx.err, v.status().message());
    wait_timeout = *v;
  }
  uint64_t chunk_bytes = kUploadChunk;
  if (auto t = OptionValue(ctx.vm, "upload-chunk")) {
    auto v = ParseUint64Option("upload-chunk", *t);
    if (!v) return Fail(ctx.err, v.status().message());
    if (*v == 0 || *v > (16 << 20)) return Fail(ctx.err, "--upload-chunk must be 1..16777216");
    chunk_bytes = *v;
  }
  auto no_wait = FlagValue(ctx.vm, "no-wait");
  if (!no_wait) return Fail(ctx.err, no_wait.status().message());
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(*file, ec);
  if (ec) return Fail(ctx.err, "cannot read " + *file + ": " + ec.message());
  if (size == 0) return Fail(ctx.err, *file + " is empty");

  RpcClient client = ClientFor(ctx);
  auto p = client.CallResult("storage_getProvider", "[" + JsonString(provider->Hex()) + "]");
  if (!p) return Fail(ctx.err, p.status().message());
  if (!p->IsObject() || !(*p)["registered"].IsBool() || !(*p)["registered"].GetBool()) {
    return Fail(ctx.err, provider->ToChecksumHex() + " is not a registered storage provider");
  }
  auto sector_size = UintField(*p, "storage_getProvider", "sectorsize");
  auto min_duration = UintField(*p, "storage_getProvider", "mindurationblocks");
  auto ask = WeiField(*p, "storage_getProvider", "pricepergibperblock");
  if (!sector_size || !min_duration || !ask) return Fail(ctx.err, "storage_getProvider: bad reply");
  auto uri = ParseHttpUri(Str(*p, "uri"));
  if (!uri) return Fail(ctx.err, uri.status().message());
  const uint64_t piece_size = std::max<uint64_t>(256, std::bit_ceil(size));
  if (piece_size > *sector_size) {
    return Fail(ctx.err, *file + " (" + std::to_string(size) +
                             " bytes) does not fit the provider's " + std::to_string(*sector_size) +
                             "-byte sectors");
  }
  if (*duration < *min_duration) {
    return Fail(ctx.err, "the provider takes deals of at least " + std::to_string(*min_duration) +
                             " blocks");
  }
  Uint256 price;
  if (auto t = OptionValue(ctx.vm, "price")) {
    auto v = Uint256::FromDecimal(*t);
    if (!v) return Fail(ctx.err, "--price must be a decimal amount of wei per block");
    price = *v;
  } else {
    // The provider's ask for this piece, rounded up as the market rounds it.
    auto ask_total = CheckedMul(*ask, Uint256(piece_size));
    if (!ask_total) return Fail(ctx.err, "the provider's ask overflows");
    price = SaturatingAdd(*ask_total, Uint256(kGiB - 1)) / Uint256(kGiB);
    if (price.IsZero()) price = Uint256(1);
  }
  auto params = client.CallResult("storage_getParams", "[]");
  if (!params) return Fail(ctx.err, params.status().message());
  auto collateral_percent = UintField(*params, "storage_getParams", "clientcollateralpercent");
  if (!collateral_percent) return Fail(ctx.err, collateral_percent.status().message());
  auto height = client.CallResult("getblockcount", "[]");
  if (!height || !height->IsUint64()) return Fail(ctx.err, "getblockcount failed");
  const uint64_t start = height->GetUint64() + start_in;
  const uint64_t end = start + *duration;

  auto commd = storage::proofs::PieceCommitmentOfFile(*file, piece_size);
  if (!commd) return Fail(ctx.err, commd.status().message());
  const auto total = CheckedMul(price, Uint256(*duration));
  if (!total) return Fail(ctx.err, "price x duration overflows");
  const auto value = CheckedAdd(*total, MulDivSaturating(*total, *collateral_percent, 100));
  if (!value) return Fail(ctx.err, "price x duration overflows");
  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  const Address market = ModuleAddress(0x2000);
  const Bytes calldata = abi::Encoder()
                             .Address(*provider)
                             .Bytes32(*commd)
                             .Uint(piece_size)
                             .Uint(start)
                             .Uint(end)
                             .Uint(price)
                             .FinishCall(abi::SelectorOf(
                                 "proposeDeal(address,bytes32,uint256,uint256,uint256,uint256)"));
  ctx.out << "proposing a deal to " << provider->ToChecksumHex() << ": " << size << " bytes in a "
          << piece_size << "-byte piece, commD " << commd->Hex() << ", blocks " << start << ".."
          << end << ", " << price.ToDecimal() << " wei/block, sending " << value->ToDecimal()
          << " wei (payment plus " << *collateral_percent << "% collateral)\n";
  const auto started = std::chrono::steady_clock::now();
  auto receipt = CallModuleAndWait(ctx, client, *key, market, calldata, *value, "proposal",
                                   std::chrono::seconds(wait_timeout));
  if (!receipt) return Fail(ctx.err, receipt.status().message());
  auto deal_id = IndexedIdFromReceipt(
      *receipt, "DealProposed(uint256,address,address,bytes32,uint256,uint256,uint256,uint256)");
  if (!deal_id) return Fail(ctx.err, deal_id.status().message());
  const uint64_t deal = *deal_id;
  const auto deadline = started + std::chrono::seconds(wait_timeout);
  ctx.out << "deal " << deal << " proposed; uploading to " << Str(*p, "uri") << "\n";
  ctx.out.flush();
  if (int rc = Upload(ctx, *uri, deal, *file, size, chunk_bytes); rc != 0) return rc;
  if (*no_wait) {
    ctx.out << "deal " << deal << ": data uploaded\n";
    return 0;
  }
  ctx.out << "waiting for the provider to seal and prove deal " << deal << " (it must by block "
          << start << ")\n";
  ctx.out.flush();
  std::string last;
  while (true) {
    auto d = client.CallResult("storage_getDeal", "[" + std::to_string(deal) + "]");
    if (!d && !d.status().Is(StatusKind::kTimeout)) return Fail(ctx.err, d.status().message());
    if (d && d->IsObject()) {
      const std::string state = Str(*d, "state");
      const std::string sector =
          (*d)["sector"].IsUint64() ? std::to_string((*d)["sector"].GetUint64()) : "";
      const std::string now = state + (sector.empty() ? "" : " in sector " + sector);
      if (now != last) {
        ctx.out << "deal " << deal << ": " << now << "\n";
        ctx.out.flush();
        last = now;
      }
      if (state == "active") return 0;
      if (state != "proposed") return Fail(ctx.err, "deal " + std::to_string(deal) + " " + state);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Fail(ctx.err, "deal " + std::to_string(deal) + " not active after " +
                               std::to_string(wait_timeout) + " s (see --wait-timeout)");
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

int Retrieve(CommandContext& ctx) {
  if (ctx.args.size() != 3) return Fail(ctx.err, "usage: depin-cli storage retrieve DEALID OUT");
  auto deal = ParseUint64Option("DEALID", ctx.args[1]);
  if (!deal) return Fail(ctx.err, deal.status().message());
  const std::string out_path = ctx.args[2];
  RpcClient client = ClientFor(ctx);
  auto d = client.CallResult("storage_getDeal", "[" + std::to_string(*deal) + "]");
  if (!d) return Fail(ctx.err, d.status().message());
  const std::string state = Str(*d, "state");
  if (state != "active") {
    return Fail(ctx.err, "deal " + std::to_string(*deal) + " is " + state +
                             ": providers serve the data of active deals only");
  }
  auto piece_size = UintField(*d, "storage_getDeal", "piecesize");
  auto commd = Hash256::FromHex(Str(*d, "commd"));
  if (!piece_size || !commd) return Fail(ctx.err, "storage_getDeal: bad reply");
  auto p = client.CallResult("storage_getProvider", "[" + JsonString(Str(*d, "provider")) + "]");
  if (!p) return Fail(ctx.err, p.status().message());
  auto uri = ParseHttpUri(Str(*p, "uri"));
  if (!uri) return Fail(ctx.err, uri.status().message());
  const std::string target = uri->base + "storage/deals/" + std::to_string(*deal);
  const std::string part = out_path + ".part";
  std::error_code ec;
  uint64_t offset = std::filesystem::exists(part, ec) ? std::filesystem::file_size(part, ec) : 0;
  if (offset > 0) ctx.out << "resuming at byte " << offset << "\n";
  std::ofstream out(part, std::ios::binary | std::ios::app);
  if (!out) return Fail(ctx.err, "cannot write " + part);
  std::optional<uint64_t> length;
  int last_percent = -1;
  while (!length || offset < *length) {
    HttpRequestSpec get{.method = "GET",
                        .target = target,
                        .headers = {{"Range", "bytes=" + std::to_string(offset) + "-" +
                                                  std::to_string(offset + kDownloadChunk - 1)}},
                        .body = "",
                        .max_response_bytes = kDownloadChunk + 4096};
    auto r = SendWithRetry(ctx, uri->endpoint, get);
    if (!r) return Fail(ctx.err, r.status().message());
    if (r->status == 416 && offset > 0) break;  // the part file already holds it all
    if (r->status != 206 && r->status != 200) return Fail(ctx.err, "retrieval: " + HttpError(*r));
    if (r->status == 200) {
      // Served whole (a server ignoring Range): start over with it.
      out.close();
      out.open(part, std::ios::binary | std::ios::trunc);
      offset = 0;
      length = r->body.size();
    } else {
      const auto range = HeaderOf(*r, "content-range");
      const size_t slash = range ? range->rfind('/') : std::string::npos;
      auto total = slash == std::string::npos
                       ? Result<uint64_t>(Status::Error("cli-bad-reply", ""))
                       : ParseUint64Option("Content-Range", range->substr(slash + 1));
      if (!total) return Fail(ctx.err, "retrieval: the reply has no usable Content-Range");
      length = *total;
    }
    if (*length > *piece_size) {
      return Fail(ctx.err, "the provider serves more bytes than the deal's piece");
    }
    out.write(r->body.data(), static_cast<std::streamsize>(r->body.size()));
    if (!out) return Fail(ctx.err, "cannot write " + part);
    offset += r->body.size();
    if (r->body.empty() && offset < *length) return Fail(ctx.err, "retrieval: empty reply");
    const int percent = *length == 0 ? 100 : static_cast<int>(offset * 100 / *length);
    if (percent / 10 != last_percent / 10) {
      ctx.out << "retrieved " << offset << " / " << *length << " bytes (" << percent << "%)\n";
      ctx.out.flush();
      last_percent = percent;
    }
  }
  out.close();
  auto got = storage::proofs::PieceCommitmentOfFile(part, *piece_size);
  if (!got) return Fail(ctx.err, got.status().message());
  if (*got != *commd) {
    std::filesystem::remove(part, ec);
    return Fail(ctx.err, "the data served for deal " + std::to_string(*deal) +
                             " does not match its commD " + commd->Hex() + " (got " + got->Hex() +
                             "); nothing written");
  }
  std::filesystem::rename(part, out_path, ec);
  if (ec) return Fail(ctx.err, "cannot move " + part + " to " + out_path + ": " + ec.message());
  ctx.out << "deal " << *deal << ": " << offset << " bytes written to " << out_path
          << ", commD verified\n";
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
      "deals: only in this state (proposed, active, expired, cancelled, completed, terminated)")(
      "file", ValueOption(), "deal: the file to store")(
      "duration", ValueOption(), "deal: blocks the provider keeps and proves the data")(
      "price", ValueOption(), "deal: wei per block (default: the provider's ask for the piece)")(
      "start-in", ValueOption(),
      "deal: blocks from now until the deal must be active (default 240; longer for big "
      "sectors, which take longer to seal)")(
      "from", ValueOption(),
      "deal: the client, a keystore file or an address in the keystore "
      "folder")("password-file", ValueOption(),
                "deal: read the keystore password from this file's first line")(
      "keystore-dir", ValueOption(), "keystore folder (default <datadir>/<network>/keystore)")(
      "wait-timeout", ValueOption(),
      "deal: seconds to wait for the proposal's block and the activation (default 3600)")(
      "no-wait", FlagOption(), "deal: return once the data is uploaded")(
      "upload-chunk", ValueOption(),
      "deal: bytes per upload request (default 4 MiB, at most 16 MiB)");
  return d;
}

int RunStorageCommand(CommandContext& ctx) {
  const std::string sub = ctx.args.empty() ? "" : ctx.args[0];
  if (sub == "commd") return CommD(ctx);
  if (sub == "providers" && ctx.args.size() == 1) return Providers(ctx);
  if (sub == "deals" && ctx.args.size() == 1) return Deals(ctx);
  if (sub == "status" && ctx.args.size() == 1) return Status(ctx);
  if (sub == "deal") return Deal(ctx);
  if (sub == "retrieve") return Retrieve(ctx);
  return Fail(ctx.err,
              "usage: depin-cli storage commd FILE --sector-size SIZE | providers | deals "
              "[--client A] [--provider A] [--state S] | status | deal --provider A --file F "
              "--duration N [--price P] [--start-in B] --from K | retrieve DEALID OUT");
}

}  // namespace depin::cli

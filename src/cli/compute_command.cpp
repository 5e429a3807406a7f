// `depin-cli compute ...`: the tenant's side of the compute market.
//   order --spec S --max-price WEI --duration N [--window W] [--auditors A,B]
//         [--deal ID] [--manifest FILE] [--escrow WEI] --from K
//                              createOrder (escrow default: the whole term at the max price)
//   bids ORDER                 its bids (compute_listBids)
//   explain ORDER              each provider and the first clause it fails
//   accept BID --from K        acceptBid
//   manifest LEASE FILE --from K   sends the manifest, signed, to the lease's provider
//   lease LEASE [--from K]     the lease and its escrow; with --from, opens the access details
//   close LEASE [--reason N] --from K   closeLease (tenant reasons 1-9999, default 1)
#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/rpc_client.h"
#include "cli/rpc_params.h"
#include "cli/submit.h"
#include "cli/tx_options.h"
#include "consensus/abi.h"
#include "crypto/access_box.h"
#include "crypto/keccak.h"

namespace depin::cli {

namespace po = boost::program_options;

namespace {

constexpr std::chrono::seconds kWait{300};

Address Market() { return ModuleAddress(0x1000); }

Result<uint64_t> IdArg(const CommandContext& ctx, size_t i, const char* what) {
  if (ctx.args.size() <= i)
    return Status::Error("cli-bad-option", std::string(what) + " is missing");
  return ParseUint64Option(what, ctx.args[i]);
}

Result<Uint256> WeiOption(const CommandContext& ctx, const char* name) {
  auto text = OptionValue(ctx.vm, name);
  if (!text) return Status::Error("cli-bad-option", std::string("--") + name + " is required");
  auto v = Uint256::FromDecimal(*text);
  if (!v)
    return Status::Error("cli-bad-option", std::string("--") + name + " must be wei (decimal)");
  return *v;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(StatusKind::kIo, "cli-io", "cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Order(CommandContext& ctx) {
  auto spec = OptionValue(ctx.vm, "spec");
  if (!spec) return Fail(ctx.err, "compute order needs --spec (e.g. \"model=rtx-4090;count=2\")");
  auto max_price = WeiOption(ctx, "max-price");
  if (!max_price) return Fail(ctx.err, max_price.status().message());
  auto duration_text = OptionValue(ctx.vm, "duration");
  if (!duration_text) return Fail(ctx.err, "compute order needs --duration BLOCKS");
  auto duration = ParseUint64Option("duration", *duration_text);
  if (!duration) return Fail(ctx.err, duration.status().message());
  uint64_t window = 0;
  if (auto t = OptionValue(ctx.vm, "window")) {
    auto v = ParseUint64Option("window", *t);
    if (!v) return Fail(ctx.err, v.status().message());
    window = *v;
  }
  uint64_t deal = 0;
  if (auto t = OptionValue(ctx.vm, "deal")) {
    auto v = ParseUint64Option("deal", *t);
    if (!v) return Fail(ctx.err, v.status().message());
    deal = *v;
  }
  std::vector<Address> auditors;
  if (auto t = OptionValue(ctx.vm, "auditors")) {
    std::stringstream in(*t);
    std::string one;
    while (std::getline(in, one, ',')) {
      auto a = Address::Parse(one);
      if (!a) return Fail(ctx.err, "--auditors: " + one + " is not an address");
      auditors.push_back(*a);
    }
  }
  Hash256 manifest_hash;
  if (auto path = OptionValue(ctx.vm, "manifest")) {
    auto body = ReadWholeFile(*path);
    if (!body) return Fail(ctx.err, body.status().message());
    manifest_hash = crypto::Keccak256Hash(AsSpan(*body));
  }
  Uint256 escrow;
  if (OptionValue(ctx.vm, "escrow")) {
    auto v = WeiOption(ctx, "escrow");
    if (!v) return Fail(ctx.err, v.status().message());
    escrow = *v;
  } else {
    auto whole = CheckedMul(*max_price, Uint256(*duration));
    if (!whole) return Fail(ctx.err, "max price x duration overflows");
    escrow = *whole;
  }
  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  const crypto::PublicKey pub = key->GetPublicKey();
  RpcClient client = ClientFor(ctx);
  const Bytes calldata =
      abi::Encoder()
          .String(*spec)
          .Uint(*max_price)
          .Uint(*duration)
          .Uint(window)
          .AddressArray(auditors)
          .Uint(deal)
          .Bytes32(manifest_hash)
          .Bytes(Bytes(pub.data(), pub.data() + pub.size()))
          .FinishCall(abi::SelectorOf(
              "createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)"));
  auto receipt =
      CallModuleAndWait(ctx, client, *key, Market(), calldata, escrow, "createOrder", kWait);
  if (!receipt) return Fail(ctx.err, receipt.status().message());
  auto id = IndexedIdFromReceipt(
      *receipt, "OrderCreated(uint256,address,string,uint256,uint256,uint256,uint256)");
  if (!id) return Fail(ctx.err, id.status().message());
  ctx.out << "order " << *id << " created with " << escrow.ToDecimal() << " wei of escrow\n";
  return 0;
}

int Bids(CommandContext& ctx) {
  auto order = IdArg(ctx, 1, "ORDER");
  if (!order) return Fail(ctx.err, order.status().message());
  RpcClient client = ClientFor(ctx);
  auto list = client.CallResult("compute_listBids", "[" + std::to_string(*order) + "]");
  if (!list) return Fail(ctx.err, list.status().message());
  if (!list->IsArray() || list->Empty()) {
    ctx.out << "no bids on order " << *order << "\n";
    return 0;
  }
  for (const auto& b : list->GetArray()) {
    ctx.out << "bid " << FieldText(b, "id") << "  " << FieldText(b, "state") << "  provider "
            << FieldText(b, "provider") << "  " << FieldText(b, "gpumodel") << "  "
            << FieldText(b, "priceperblock") << " wei/block\n";
  }
  return 0;
}

int Explain(CommandContext& ctx) {
  auto order = IdArg(ctx, 1, "ORDER");
  if (!order) return Fail(ctx.err, order.status().message());
  RpcClient client = ClientFor(ctx);
  auto list = client.CallResult("compute_explainOrder", "[" + std::to_string(*order) + "]");
  if (!list) return Fail(ctx.err, list.status().message());
  if (!list->IsArray() || list->Empty()) {
    ctx.out << "no registered compute providers\n";
    return 0;
  }
  for (const auto& p : list->GetArray()) {
    ctx.out << FieldText(p, "provider") << "  "
            << (FieldText(p, "eligible") == "yes" ? "may bid"
                                                  : "cannot bid: " + FieldText(p, "failure"))
            << "\n";
  }
  return 0;
}

int Accept(CommandContext& ctx) {
  auto bid = IdArg(ctx, 1, "BID");
  if (!bid) return Fail(ctx.err, bid.status().message());
  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  RpcClient client = ClientFor(ctx);
  auto receipt =
      CallModuleAndWait(ctx, client, *key, Market(),
                        abi::Encoder().Uint(*bid).FinishCall(abi::SelectorOf("acceptBid(uint256)")),
                        Uint256(), "acceptBid", kWait);
  if (!receipt) return Fail(ctx.err, receipt.status().message());
  auto lease = IndexedIdFromReceipt(
      *receipt, "LeaseCreated(uint256,address,address,uint256,uint256,uint256,uint256,uint256)");
  if (!lease) return Fail(ctx.err, lease.status().message());
  ctx.out << "lease " << *lease << " started\n";
  return 0;
}

int Close(CommandContext& ctx) {
  auto lease = IdArg(ctx, 1, "LEASE");
  if (!lease) return Fail(ctx.err, lease.status().message());
  uint64_t reason = 1;
  if (auto t = OptionValue(ctx.vm, "reason")) {
    auto v = ParseUint64Option("reason", *t);
    if (!v) return Fail(ctx.err, v.status().message());
    reason = *v;
  }
  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  RpcClient client = ClientFor(ctx);
  auto receipt = CallModuleAndWait(ctx, client, *key, Market(),
                                   abi::Encoder().Uint(*lease).Uint(reason).FinishCall(
                                       abi::SelectorOf("closeLease(uint256,uint256)")),
                                   Uint256(), "closeLease", kWait);
  if (!receipt) return Fail(ctx.err, receipt.status().message());
  ctx.out << "lease " << *lease << " closed (reason " << reason << ")\n";
  return 0;
}

int Lease(CommandContext& ctx) {
  auto lease = IdArg(ctx, 1, "LEASE");
  if (!lease) return Fail(ctx.err, lease.status().message());
  RpcClient client = ClientFor(ctx);
  auto l = client.CallResult("compute_getLease", "[" + std::to_string(*lease) + "]");
  if (!l) return Fail(ctx.err, l.status().message());
  auto e = client.CallResult("compute_getEscrow", "[" + std::to_string(*lease) + "]");
  if (!e) return Fail(ctx.err, e.status().message());
  ctx.out << "lease " << *lease << "  " << FieldText(*l, "state") << "  tenant "
          << FieldText(*l, "tenant") << "  provider " << FieldText(*l, "provider") << "\n"
          << "  " << FieldText(*l, "gpucount") << " x " << FieldText(*l, "gpumodel") << " at "
          << FieldText(*l, "priceperblock") << " wei/block, blocks " << FieldText(*l, "startblock")
          << ".." << FieldText(*l, "termend") << "\n"
          << "  escrow " << FieldText(*e, "balance") << " wei, projected end block "
          << FieldText(*e, "projectedend") << ", paid " << FieldText(*l, "paidtotal") << " wei\n";
  const std::string box = FieldText(*l, "accessbox");
  if (!OptionValue(ctx.vm, "from")) {
    if (box != "-") ctx.out << "  access details posted (open them with --from)\n";
    return 0;
  }
  if (box == "-") {
    ctx.out << "  no access details yet\n";
    return 0;
  }
  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  auto sealed = HexDecode(box);
  if (!sealed) return Fail(ctx.err, "compute_getLease: bad accessbox");
  auto plain = crypto::OpenAccessBox(*key, *sealed, abi::Encoder().Uint(*lease).Finish());
  if (!plain) {
    return Fail(ctx.err, "cannot open the access details with this key: " +
                             plain.status().message() + " (only the tenant's key opens them)");
  }
  ctx.out << "  access: " << std::string(plain->begin(), plain->end()) << "\n";
  return 0;
}

int Manifest(CommandContext& ctx) {
  auto lease = IdArg(ctx, 1, "LEASE");
  if (!lease) return Fail(ctx.err, lease.status().message());
  if (ctx.args.size() != 3)
    return Fail(ctx.err, "usage: depin-cli compute manifest LEASE FILE --from K");
  auto body = ReadWholeFile(ctx.args[2]);
  if (!body) return Fail(ctx.err, body.status().message());
  RpcClient client = ClientFor(ctx);
  auto l = client.CallResult("compute_getLease", "[" + std::to_string(*lease) + "]");
  if (!l) return Fail(ctx.err, l.status().message());
  auto p =
      client.CallResult("compute_getProvider", "[" + JsonString(FieldText(*l, "provider")) + "]");
  if (!p) return Fail(ctx.err, p.status().message());
  auto uri = ParseHttpUri(FieldText(*p, "hosturi"));
  if (!uri) return Fail(ctx.err, uri.status().message());
  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  // personal_sign (EIP-191) of keccak256(manifest).
  const Hash256 hash = crypto::Keccak256Hash(AsSpan(*body));
  crypto::Keccak256 h;
  h.Write(
      AsSpan(std::string_view("\x19"
                              "Ethereum Signed Message:\n32")));
  h.Write(hash.span());
  const crypto::RecoverableSignature sig = key->Sign(h.Finalize());
  Bytes signature(sig.r.begin(), sig.r.end());
  signature.insert(signature.end(), sig.s.begin(), sig.s.end());
  signature.push_back(static_cast<uint8_t>(27 + sig.recid));
  HttpRequestSpec put{
      .method = "PUT",
      .target = uri->base + "compute/leases/" + std::to_string(*lease) + "/manifest",
      .headers = {{"Content-Type", "application/octet-stream"},
                  {"X-Depin-Signature", HexEncode(signature)}},
      .body = *body};
  auto r = SendHttp(uri->endpoint, put);
  if (!r) return Fail(ctx.err, r.status().message());
  if (r->status != 200)
    return Fail(ctx.err, "manifest refused: HTTP " + std::to_string(r->status) + ": " + r->body);
  ctx.out << "manifest " << hash.Hex() << " (" << body->size() << " bytes) delivered for lease "
          << *lease << "\n";
  return 0;
}

}  // namespace

po::options_description ComputeCommandOptions() {
  po::options_description d("compute options");
  d.add_options()("spec", ValueOption(), "order: what is wanted, e.g. model=rtx-4090;count=2")(
      "max-price", ValueOption(), "order: the most wei per block the tenant pays")(
      "duration", ValueOption(), "order: the lease term in blocks")(
      "window", ValueOption(), "order: blocks bids are taken (default the network's)")(
      "auditors", ValueOption(), "order: addresses that must have attested the provider, a,b")(
      "deal", ValueOption(), "order: a storage deal the provider must hold (data-local)")(
      "manifest", ValueOption(), "order: the workload manifest file (its keccak256 is committed)")(
      "escrow", ValueOption(), "order: wei deposited (default max price x duration)")(
      "reason", ValueOption(), "close: the reason code, 1-9999 for a tenant (default 1)")(
      "from", ValueOption(), "the tenant: a keystore file or an address in the keystore folder")(
      "password-file", ValueOption(), "read the keystore password from this file's first line")(
      "keystore-dir", ValueOption(), "keystore folder (default <datadir>/<network>/keystore)");
  return d;
}

int RunComputeCommand(CommandContext& ctx) {
  const std::string sub = ctx.args.empty() ? "" : ctx.args[0];
  if (sub == "order" && ctx.args.size() == 1) return Order(ctx);
  if (sub == "bids" && ctx.args.size() == 2) return Bids(ctx);
  if (sub == "explain" && ctx.args.size() == 2) return Explain(ctx);
  if (sub == "accept" && ctx.args.size() == 2) return Accept(ctx);
  if (sub == "manifest" && ctx.args.size() == 3) return Manifest(ctx);
  if (sub == "lease" && ctx.args.size() == 2) return Lease(ctx);
  if (sub == "close" && ctx.args.size() == 2) return Close(ctx);
  return Fail(ctx.err,
              "usage: depin-cli compute order --spec S --max-price WEI --duration N --from K | "
              "bids ORDER | explain ORDER | accept BID --from K | manifest LEASE FILE --from K | "
              "lease LEASE [--from K] | close LEASE [--reason N] --from K");
}

}  // namespace depin::cli

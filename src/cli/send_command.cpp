// `depin-cli send`: unlocks a keystore, reads the chain id, the sender's
// pending nonce and the next base fee from the node, signs locally and
// submits with sendrawtransaction. --wait polls getrawtransaction until the
// tx is in a block and reports its receipt.
#include <rapidjson/document.h>

#include <chrono>
#include <thread>

#include "cli/commands.h"
#include "cli/keystore_files.h"
#include "cli/rpc_client.h"
#include "cli/rpc_params.h"
#include "cli/tx_builder.h"
#include "cli/tx_options.h"

namespace depin::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kDefaultWaitSeconds = 300;

Result<uint64_t> UintField(const rapidjson::Value& obj, const char* method, const char* name) {
  if (obj.IsObject()) {
    auto it = obj.FindMember(name);
    if (it != obj.MemberEnd() && it->value.IsUint64()) return it->value.GetUint64();
  }
  return Status::Error("rpc-bad-response", std::string(method) + " has no numeric " + name);
}

// Amounts in native RPC results are decimal strings of wei.
Result<Uint256> WeiField(const rapidjson::Value& obj, const char* method, const char* name) {
  if (obj.IsObject()) {
    auto it = obj.FindMember(name);
    if (it != obj.MemberEnd() && it->value.IsString()) {
      auto v = Uint256::FromDecimal(it->value.GetString());
      if (v) return *v;
    }
    if (it != obj.MemberEnd() && it->value.IsUint64()) return Uint256(it->value.GetUint64());
  }
  return Status::Error("rpc-bad-response", std::string(method) + " has no wei amount " + name);
}

// --from is a keystore file, or an address looked up in the keystore folder.
Result<fs::path> ResolveFrom(const CommandContext& ctx, const std::string& from) {
  std::error_code ec;
  if (fs::is_regular_file(from, ec)) return fs::path(from);
  auto address = Address::Parse(from);
  if (!address) {
    return Status::Error("cli-bad-option",
                         "--from: " + from + " is neither a keystore file nor an address");
  }
  return FindKeystore(KeystoreDirFor(ctx), *address);
}

int WaitForInclusion(CommandContext& ctx, RpcClient& client, const std::string& hash,
                     uint64_t timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  std::string params = "[" + JsonString(hash) + ",true]";
  while (true) {
    auto reply = client.Call("getrawtransaction", params);
    if (!reply && !reply.status().Is(StatusKind::kTimeout)) {
      return Fail(ctx.err, reply.status().message());
    }
    if (reply && !reply->is_error && reply->result.IsObject() &&
        reply->result.HasMember("blockhash")) {
      const rapidjson::Value& tx = reply->result;
      auto height = UintField(tx, "getrawtransaction", "height");
      std::string block = tx["blockhash"].IsString() ? tx["blockhash"].GetString() : "";
      uint64_t status = 1;
      uint64_t gas_used = 0;
      if (tx.HasMember("receipt")) {
        auto receipt_status = UintField(tx["receipt"], "receipt", "status");
        status = receipt_status && *receipt_status == 0 ? 0 : 1;
        auto gas = UintField(tx["receipt"], "receipt", "gasused");
        if (gas) gas_used = *gas;
      }
      ctx.out << "block " << (height ? std::to_string(*height) : std::string("?")) << " " << block
              << " status " << status << " gas used " << gas_used << "\n";
      if (status == 0) return Fail(ctx.err, "transaction " + hash + " failed (status 0)");
      return 0;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Fail(ctx.err, "transaction " + hash + " not in a block after " +
                               std::to_string(timeout_s) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

po::options_description SendCommandOptions() {
  po::options_description d("send options");
  auto flag = &FlagOption;
  auto value = &ValueOption;
  d.add_options()                                                                             //
      ("from", value(), "the sender: a keystore file, or an address in the keystore folder")  //
      ("password-file", value(), "read the keystore password from this file's first line")    //
      ("keystore-dir", value(), "keystore folder (default <datadir>/<network>/keystore)")     //
      ("wait", flag(), "wait until the tx is in a block and print its status")                //
      ("wait-timeout", value(), "seconds --wait waits (default 300)");
  AddTxOptions(d);
  return d;
}

int RunSendCommand(CommandContext& ctx) {
  if (!ctx.args.empty()) return Fail(ctx.err, "send takes no positional arguments");
  auto fields = ParseTxOptions(ctx.vm);
  if (!fields) return Fail(ctx.err, fields.status().message());
  auto from = OptionValue(ctx.vm, "from");
  if (!from) return Fail(ctx.err, "send needs --from");
  if (!fields->to) return Fail(ctx.err, "send needs --to");
  auto wait = FlagValue(ctx.vm, "wait");
  if (!wait) return Fail(ctx.err, wait.status().message());
  uint64_t wait_timeout = kDefaultWaitSeconds;
  if (auto text = OptionValue(ctx.vm, "wait-timeout")) {
    auto v = ParseUint64Option("wait-timeout", *text);
    if (!v) return Fail(ctx.err, v.status().message());
    wait_timeout = *v;
  }

  auto path = ResolveFrom(ctx, *from);
  if (!path) return Fail(ctx.err, path.status().message());
  auto key = UnlockKeystore(*path, OptionValue(ctx.vm, "password-file").value_or(""));
  if (!key) return Fail(ctx.err, key.status().message());
  Address sender = Address::FromPublicKey(key->GetPublicKey());

  const CliOptions& o = ctx.options;
  RpcClient client(RpcClientOptions{.host = o.rpcconnect,
                                    .port = o.rpcport,
                                    .credentials = RpcCredentials(o),
                                    .timeout = std::chrono::seconds(o.rpcclienttimeout)});
  auto info = client.CallResult("getblockchaininfo", "[]");
  if (!info) return Fail(ctx.err, info.status().message());
  auto chain_id = UintField(*info, "getblockchaininfo", "chainid");
  if (!chain_id) return Fail(ctx.err, chain_id.status().message());

  uint64_t nonce = 0;
  if (fields->nonce) {
    nonce = *fields->nonce;
  } else {
    auto account = client.CallResult("getaccount", "[" + JsonString(sender.Hex()) + "]");
    if (!account) return Fail(ctx.err, account.status().message());
    auto pending = UintField(*account, "getaccount", "pendingnonce");
    if (!pending) return Fail(ctx.err, pending.status().message());
    nonce = *pending;
  }

  Uint256 tip = fields->tip.value_or(Uint256(kDefaultTipWei));
  Uint256 max_fee;
  if (fields->max_fee) {
    max_fee = *fields->max_fee;
  } else {
    auto pool = client.CallResult("getmempoolinfo", "[]");
    if (!pool) return Fail(ctx.err, pool.status().message());
    auto base_fee = WeiField(*pool, "getmempoolinfo", "nextbasefee");
    if (!base_fee) return Fail(ctx.err, base_fee.status().message());
    max_fee = DefaultMaxFee(*base_fee, tip);
  }

  TxRequest request{.chain_id = *chain_id,
                    .nonce = nonce,
                    .to = fields->to,
                    .value = fields->value,
                    .data = fields->data,
                    .gas_limit = fields->gas.value_or(0),
                    .max_fee_per_gas = max_fee,
                    .max_priority_fee_per_gas = tip,
                    .legacy = false};
  auto tx = BuildSignedTx(request, *key);
  if (!tx) return Fail(ctx.err, tx.status().message());
  auto sent =
      client.CallResult("sendrawtransaction", "[" + JsonString(HexEncode(tx->Encode())) + "]");
  if (!sent) return Fail(ctx.err, sent.status().message());
  std::string hash = sent->IsString() ? sent->GetString() : tx->Hash().Hex();
  ctx.out << hash << "\n";
  ctx.out.flush();
  if (!*wait) return 0;
  return WaitForInclusion(ctx, client, hash, wait_timeout);
}

}  // namespace depin::cli

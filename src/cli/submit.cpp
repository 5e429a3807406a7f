#include "cli/submit.h"

#include "cli/keystore_files.h"
#include "cli/rpc_params.h"
#include "cli/tx_options.h"

namespace depin::cli {

namespace fs = std::filesystem;

Result<uint64_t> UintField(const rapidjson::Value& obj, const char* method, const char* name) {
  if (obj.IsObject()) {
    auto it = obj.FindMember(name);
    if (it != obj.MemberEnd() && it->value.IsUint64()) return it->value.GetUint64();
  }
  return Status::Error("rpc-bad-response", std::string(method) + " has no numeric " + name);
}

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

Result<crypto::PrivateKey> UnlockFrom(const CommandContext& ctx) {
  auto from = OptionValue(ctx.vm, "from");
  if (!from) return Status::Error("cli-bad-option", "--from is required");
  auto path = ResolveFrom(ctx, *from);
  if (!path) return path.status();
  return UnlockKeystore(*path, OptionValue(ctx.vm, "password-file").value_or(""));
}

RpcClient ClientFor(const CommandContext& ctx) {
  const CliOptions& o = ctx.options;
  return RpcClient(RpcClientOptions{.host = o.rpcconnect,
                                    .port = o.rpcport,
                                    .credentials = RpcCredentials(o),
                                    .timeout = std::chrono::seconds(o.rpcclienttimeout)});
}

Result<std::string> SubmitTx(RpcClient& client, const crypto::PrivateKey& key, TxRequest request,
                             const SubmitChoices& choices) {
  const Address sender = Address::FromPublicKey(key.GetPublicKey());
  auto info = client.CallResult("getblockchaininfo", "[]");
  if (!info) return info.status();
  auto chain_id = UintField(*info, "getblockchaininfo", "chainid");
  if (!chain_id) return chain_id.status();
  request.chain_id = *chain_id;
  if (choices.nonce) {
    request.nonce = *choices.nonce;
  } else {
    auto account = client.CallResult("getaccount", "[" + JsonString(sender.Hex()) + "]");
    if (!account) return account.status();
    auto pending = UintField(*account, "getaccount", "pendingnonce");
    if (!pending) return pending.status();
    request.nonce = *pending;
  }
  if (choices.max_fee) {
    request.max_fee_per_gas = *choices.max_fee;
  } else {
    auto pool = client.CallResult("getmempoolinfo", "[]");
    if (!pool) return pool.status();
    auto base_fee = WeiField(*pool, "getmempoolinfo", "nextbasefee");
    if (!base_fee) return base_fee.status();
    request.max_fee_per_gas = DefaultMaxFee(*base_fee, request.max_priority_fee_per_gas);
  }
  auto tx = BuildSignedTx(request, key);
  if (!tx) return tx.status();
  auto sent =
      client.CallResult("sendrawtransaction", "[" + JsonString(HexEncode(tx->Encode())) + "]");
  if (!sent) return sent.status();
  return sent->IsString() ? std::string(sent->GetString()) : tx->Hash().Hex();
}

}  // namespace depin::cli

#include "cli/submit.h"

#include <chrono>
#include <thread>

#include "cli/keystore_files.h"
#include "cli/rpc_params.h"
#include "cli/tx_options.h"
#include "consensus/abi.h"

namespace depin::cli {

namespace fs = std::filesystem;

std::string FieldText(const rapidjson::Value& obj, const char* name) {
  if (!obj.IsObject() || !obj.HasMember(name)) return "-";
  const rapidjson::Value& v = obj[name];
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsBool()) return v.GetBool() ? "yes" : "no";
  if (v.IsNull()) return "-";
  return "?";
}

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

namespace depin::cli {

Result<rapidjson::Document> CallModuleAndWait(CommandContext& ctx, RpcClient& client,
                                              const crypto::PrivateKey& key, const Address& module,
                                              const Bytes& calldata, const Uint256& value,
                                              const std::string& what,
                                              std::chrono::seconds timeout) {
  const Address from = Address::FromPublicKey(key.GetPublicKey());
  const std::string call_json = "{\"from\":" + JsonString(from.Hex()) +
                                ",\"to\":" + JsonString(module.Hex()) +
                                ",\"value\":" + JsonString(value.ToQuantityHex()) +
                                ",\"data\":" + JsonString(HexEncode(calldata)) + "}";
  auto gas = client.CallResult("eth_estimateGas", "[" + call_json + "]");
  if (!gas) return Status::Error("cli-call-fails", what + " would fail: " + gas.status().message());
  auto gas_value = Uint256::FromHex(gas->IsString() ? gas->GetString() : "");
  if (!gas_value) return Status::Error("rpc-bad-response", "eth_estimateGas: bad reply");
  TxRequest request{.chain_id = 0,
                    .nonce = 0,
                    .to = module,
                    .value = value,
                    .data = calldata,
                    .gas_limit = gas_value->Low64() + gas_value->Low64() / 4,
                    .max_fee_per_gas = Uint256(),
                    .max_priority_fee_per_gas = Uint256(kDefaultTipWei),
                    .legacy = false};
  auto hash = SubmitTx(client, key, request, {});
  if (!hash) return hash.status();
  ctx.out << what << " tx " << *hash << "\n";
  ctx.out.flush();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto receipt = client.CallResult("eth_getTransactionReceipt", "[" + JsonString(*hash) + "]");
    if (!receipt && !receipt.status().Is(StatusKind::kTimeout)) return receipt.status();
    if (receipt && receipt->IsObject()) {
      auto status = receipt->FindMember("status");
      if (status == receipt->MemberEnd() || !status->value.IsString() ||
          std::string_view(status->value.GetString()) != "0x1") {
        return Status::Error("cli-call-failed", what + " " + *hash + " failed in its block");
      }
      return std::move(receipt).value();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error(StatusKind::kTimeout, "cli-timeout",
                           what + " " + *hash + " is not in a block after " +
                               std::to_string(timeout.count()) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
}

Result<uint64_t> IndexedIdFromReceipt(const rapidjson::Value& receipt,
                                      std::string_view event_signature) {
  const std::string topic = abi::EventTopic(event_signature).Hex();
  auto logs = receipt.FindMember("logs");
  if (logs != receipt.MemberEnd() && logs->value.IsArray()) {
    for (const auto& log : logs->value.GetArray()) {
      auto topics = log.FindMember("topics");
      if (topics == log.MemberEnd() || !topics->value.IsArray() || topics->value.Size() < 2 ||
          !topics->value[0].IsString() || topic != topics->value[0].GetString() ||
          !topics->value[1].IsString()) {
        continue;
      }
      auto id = Uint256::FromHex(topics->value[1].GetString());
      if (id) return id->Low64();
    }
  }
  return Status::Error("rpc-bad-response",
                       "the receipt has no " + std::string(event_signature) + " event");
}

}  // namespace depin::cli

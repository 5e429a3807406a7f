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
#include "cli/submit.h"
#include "cli/tx_builder.h"
#include "cli/tx_options.h"

namespace depin::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kDefaultWaitSeconds = 300;

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

  auto key = UnlockFrom(ctx);
  if (!key) return Fail(ctx.err, key.status().message());
  RpcClient client = ClientFor(ctx);
  TxRequest request{.chain_id = 0,
                    .nonce = 0,
                    .to = fields->to,
                    .value = fields->value,
                    .data = fields->data,
                    .gas_limit = fields->gas.value_or(0),
                    .max_fee_per_gas = Uint256(),
                    .max_priority_fee_per_gas = fields->tip.value_or(Uint256(kDefaultTipWei)),
                    .legacy = false};
  auto sent = SubmitTx(client, *key, request, {.nonce = fields->nonce, .max_fee = fields->max_fee});
  if (!sent) return Fail(ctx.err, sent.status().message());
  const std::string hash = *sent;
  ctx.out << hash << "\n";
  ctx.out.flush();
  if (!*wait) return 0;
  return WaitForInclusion(ctx, client, hash, wait_timeout);
}

}  // namespace depin::cli

// `depin-cli sign`: builds and signs a transaction from options alone and
// prints the raw envelope as hex, for offline machines. No RPC.
#include "cli/commands.h"
#include "cli/keystore_files.h"
#include "cli/tx_builder.h"
#include "cli/tx_options.h"

namespace depin::cli {

namespace po = boost::program_options;

po::options_description SignCommandOptions() {
  po::options_description d("sign options");
  auto flag = &FlagOption;
  auto value = &ValueOption;
  d.add_options()                                                                              //
      ("key-file", value(), "a file holding the hex private key")                              //
      ("keystore", value(), "a V3 keystore file (password from --password-file or a prompt)")  //
      ("password-file", value(), "read the keystore password from this file's first line")     //
      ("chain-id", value(), "chain id (default: the selected network's)")                      //
      ("legacy", flag(), "an EIP-155 legacy tx (gas price = --max-fee) instead of EIP-1559");
  AddTxOptions(d);
  return d;
}

int RunSignCommand(CommandContext& ctx) {
  if (!ctx.args.empty()) return Fail(ctx.err, "sign takes no positional arguments");
  auto fields = ParseTxOptions(ctx.vm);
  if (!fields) return Fail(ctx.err, fields.status().message());
  auto legacy = FlagValue(ctx.vm, "legacy");
  if (!legacy) return Fail(ctx.err, legacy.status().message());
  if (!fields->to) return Fail(ctx.err, "sign needs --to");
  if (!fields->nonce) return Fail(ctx.err, "sign needs --nonce (offline, there is no node to ask)");
  if (!fields->max_fee) {
    return Fail(ctx.err, "sign needs --max-fee (offline, there is no base fee to read)");
  }

  auto key_file = OptionValue(ctx.vm, "key-file");
  auto keystore = OptionValue(ctx.vm, "keystore");
  if (key_file.has_value() == keystore.has_value()) {
    return Fail(ctx.err, "sign needs exactly one of --key-file or --keystore");
  }
  Result<crypto::PrivateKey> key = Status::Error("key-invalid");
  if (key_file) {
    auto text = ReadSmallFile(*key_file);
    if (!text) return Fail(ctx.err, text.status().message());
    key = ParsePrivateKeyHex(*text);
    if (!key) return Fail(ctx.err, *key_file + ": " + key.status().message());
  } else {
    key = UnlockKeystore(*keystore, OptionValue(ctx.vm, "password-file").value_or(""));
    if (!key) return Fail(ctx.err, key.status().message());
  }

  uint64_t chain_id = consensus::ParamsFor(ctx.options.network).chain_id;
  if (auto text = OptionValue(ctx.vm, "chain-id")) {
    auto id = ParseUint64Option("chain-id", *text);
    if (!id) return Fail(ctx.err, id.status().message());
    chain_id = *id;
  }
  TxRequest request{.chain_id = chain_id,
                    .nonce = *fields->nonce,
                    .to = fields->to,
                    .value = fields->value,
                    .data = fields->data,
                    .gas_limit = fields->gas.value_or(0),
                    .max_fee_per_gas = *fields->max_fee,
                    .max_priority_fee_per_gas = fields->tip.value_or(Uint256(kDefaultTipWei)),
                    .legacy = *legacy};
  if (!request.legacy && !fields->tip && request.max_priority_fee_per_gas > *fields->max_fee) {
    request.max_priority_fee_per_gas = *fields->max_fee;
  }
  auto tx = BuildSignedTx(request, *key);
  if (!tx) return Fail(ctx.err, tx.status().message());
  ctx.out << HexEncode(tx->Encode()) << "\n";
  return 0;
}

}  // namespace depin::cli

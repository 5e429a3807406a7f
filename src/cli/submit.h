// What the commands that send a transaction share (send, storage deal):
// finding and unlocking the sender's keystore, and filling a transaction's
// chain id, nonce and fees from the node before signing it locally and
// submitting it.
//
// Thread-safety: main thread only (as every command).
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "cli/commands.h"
#include "cli/rpc_client.h"
#include "cli/tx_builder.h"
#include "crypto/secp256k1.h"

namespace depin::cli {

// A member of an RPC result as a table cell: strings as they are, numbers
// in decimal, booleans yes/no, "-" when absent or null.
std::string FieldText(const rapidjson::Value& obj, const char* name);

// A numeric member of an RPC result ("rpc-bad-response" when absent).
Result<uint64_t> UintField(const rapidjson::Value& obj, const char* method, const char* name);
// A wei amount (native RPC results write them as decimal strings).
Result<Uint256> WeiField(const rapidjson::Value& obj, const char* method, const char* name);

// --from is a keystore file, or an address looked up in the keystore folder.
Result<std::filesystem::path> ResolveFrom(const CommandContext& ctx, const std::string& from);
// The key of --from, unlocked with --password-file or a prompt.
Result<crypto::PrivateKey> UnlockFrom(const CommandContext& ctx);

// The RPC client for the global options.
RpcClient ClientFor(const CommandContext& ctx);

// Fills chain_id from the node, the nonce (unless given) from the sender's
// pending nonce and the fee cap (unless given) from the next base fee, then
// signs and submits. Returns the tx hash (0x hex).
struct SubmitChoices {
  std::optional<uint64_t> nonce;
  std::optional<Uint256> max_fee;
};
Result<std::string> SubmitTx(RpcClient& client, const crypto::PrivateKey& key, TxRequest request,
                             const SubmitChoices& choices);

}  // namespace depin::cli

namespace depin::cli {

// A module call from `key`: estimated (a call that would revert fails here
// with the module's rule, nothing sent), signed, submitted, and waited for
// until it is in a block (at most timeout). Prints "<what> tx <hash>" to
// ctx.out. Returns the receipt; a receipt with status 0 is an error.
Result<rapidjson::Document> CallModuleAndWait(CommandContext& ctx, RpcClient& client,
                                              const crypto::PrivateKey& key, const Address& module,
                                              const Bytes& calldata, const Uint256& value,
                                              const std::string& what,
                                              std::chrono::seconds timeout);

// The first topic after the signature of the receipt's first log whose
// topic 0 is keccak256(event_signature): an indexed id (deal, order, bid).
Result<uint64_t> IndexedIdFromReceipt(const rapidjson::Value& receipt,
                                      std::string_view event_signature);

}  // namespace depin::cli

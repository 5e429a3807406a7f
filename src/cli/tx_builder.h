// Building and signing transactions in depin-cli, for `send` (fields filled
// from the node over RPC) and `sign` (every field given, no node). Signing is
// local: the key never leaves the process.
//
// Error codes: "tx-build-tip-above-fee-cap", "tx-build-gas-too-low", and
// "key-invalid" for a private key that does not parse.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/secp256k1.h"
#include "primitives/address.h"
#include "primitives/transaction.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::cli {

// Gas for a plain transfer, and the default for a module call when --gas is
// not given (enough for the market functions' fixed schedule).
inline constexpr uint64_t kTransferGas = 21000;
inline constexpr uint64_t kDefaultCallGas = 200000;
// Wallets' usual tip on an idle chain.
inline constexpr uint64_t kDefaultTipWei = kWeiPerGwei;

struct TxRequest {
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  std::optional<Address> to;
  Uint256 value;
  Bytes data;
  uint64_t gas_limit = 0;   // 0: DefaultGasLimit(data)
  Uint256 max_fee_per_gas;  // legacy: the gas price
  Uint256 max_priority_fee_per_gas;
  bool legacy = false;  // EIP-155 legacy instead of EIP-1559
};

uint64_t DefaultGasLimit(const Bytes& data);

// The fee cap `send` uses by default: twice the next base fee plus the tip,
// which stays valid through several blocks of rising base fee.
Uint256 DefaultMaxFee(const Uint256& next_base_fee, const Uint256& tip);

// A signed transaction for the request.
Result<Transaction> BuildSignedTx(const TxRequest& request, const crypto::PrivateKey& key);

// A private key written as 64 hex digits, with optional 0x and surrounding
// whitespace (a key file's contents).
Result<crypto::PrivateKey> ParsePrivateKeyHex(std::string_view text);

}  // namespace depin::cli

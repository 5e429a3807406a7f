#include "cli/tx_builder.h"

namespace depin::cli {

uint64_t DefaultGasLimit(const Bytes& data) {
  return data.empty() ? kTransferGas : kDefaultCallGas;
}

Uint256 DefaultMaxFee(const Uint256& next_base_fee, const Uint256& tip) {
  return SaturatingAdd(SaturatingAdd(next_base_fee, next_base_fee), tip);
}

Result<Transaction> BuildSignedTx(const TxRequest& request, const crypto::PrivateKey& key) {
  Transaction tx;
  tx.type = request.legacy ? TxType::kLegacy : TxType::kDynamicFee;
  tx.chain_id = request.chain_id;
  tx.nonce = request.nonce;
  tx.to = request.to;
  tx.value = request.value;
  tx.data = request.data;
  tx.gas_limit = request.gas_limit != 0 ? request.gas_limit : DefaultGasLimit(request.data);
  if (tx.gas_limit < kTransferGas) {
    return Status::Error("tx-build-gas-too-low", "gas " + std::to_string(tx.gas_limit) +
                                                     " is below the 21000 every tx pays");
  }
  if (request.legacy) {
    tx.max_fee_per_gas = request.max_fee_per_gas;
    tx.max_priority_fee_per_gas = request.max_fee_per_gas;
  } else {
    if (request.max_priority_fee_per_gas > request.max_fee_per_gas) {
      return Status::Error("tx-build-tip-above-fee-cap",
                           "tip " + request.max_priority_fee_per_gas.ToDecimal() +
                               " wei is above the fee cap " + request.max_fee_per_gas.ToDecimal() +
                               " wei");
    }
    tx.max_fee_per_gas = request.max_fee_per_gas;
    tx.max_priority_fee_per_gas = request.max_priority_fee_per_gas;
  }
  tx.Sign(key);
  return tx;
}

Result<crypto::PrivateKey> ParsePrivateKeyHex(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  auto bytes = HexDecode(text);
  if (!bytes || bytes->size() != 32) {
    return Status::Error("key-invalid", "a private key is 64 hex digits (optionally 0x-prefixed)");
  }
  return crypto::PrivateKey::FromBytes(*bytes);
}

}  // namespace depin::cli

#include "consensus/tx_validation.h"

#include <string>

#include "consensus/gas.h"

namespace depin::consensus {

std::optional<Uint256> MaxCost(const Transaction& tx) {
  auto gas_cost = CheckedMul(Uint256(tx.gas_limit), tx.max_fee_per_gas);
  if (!gas_cost) return std::nullopt;
  return CheckedAdd(*gas_cost, tx.value);
}

Status CheckTransactionStateless(const Transaction& tx, const ChainParams& params,
                                 const ModuleRegistry& modules) {
  if (tx.chain_id != params.chain_id) {
    return Status::Error("tx-wrong-chain-id", "invalid chain id: have " +
                                                  std::to_string(tx.chain_id) + " want " +
                                                  std::to_string(params.chain_id));
  }
  if (tx.max_priority_fee_per_gas > tx.max_fee_per_gas) {
    return Status::Error("tx-tip-above-fee-cap",
                         "max priority fee per gas higher than max fee per gas");
  }
  const uint64_t intrinsic = IntrinsicGas(tx);
  if (tx.gas_limit < intrinsic) {
    return Status::Error("tx-intrinsic-gas", "intrinsic gas too low: have " +
                                                 std::to_string(tx.gas_limit) + ", want " +
                                                 std::to_string(intrinsic));
  }
  if (tx.gas_limit > params.block_gas_limit) {
    return Status::Error("tx-gas-limit-too-high", "exceeds block gas limit");
  }
  return CheckCallTarget(tx.to, tx.data, modules);
}

Status CheckCallTarget(const std::optional<Address>& to, ByteSpan data,
                       const ModuleRegistry& modules) {
  if (!to) {
    return Status::Error("tx-contract-creation",
                         "contract creation is not supported: this chain has no EVM; call a "
                         "native module instead (docs/modules.md)");
  }
  if (!data.empty() && !modules.IsModuleAddress(*to)) {
    return Status::Error(
        "tx-data-to-non-module",
        "data sent to a non-module address " + to->ToChecksumHex() +
            ": this chain has no EVM; send plain transfers with empty data, or call a native "
            "module (compute market 0x0000000000000000000000000000000000001000, storage market "
            "0x0000000000000000000000000000000000002000)");
  }
  return Status::Ok();
}

Status CheckTransactionAgainstAccount(const Transaction& tx, const Account& sender,
                                      const Uint256& base_fee) {
  if (tx.nonce < sender.nonce) {
    return Status::Error(StatusKind::kStale, "tx-nonce-too-low",
                         "nonce too low: tx: " + std::to_string(tx.nonce) +
                             " state: " + std::to_string(sender.nonce));
  }
  if (tx.nonce > sender.nonce) {
    return Status::Error(StatusKind::kMissingParent, "tx-nonce-too-high",
                         "nonce too high: tx: " + std::to_string(tx.nonce) +
                             " state: " + std::to_string(sender.nonce));
  }
  if (tx.max_fee_per_gas < base_fee) {
    return Status::Error(StatusKind::kPolicy, "tx-fee-cap-below-base-fee",
                         "max fee per gas less than block base fee: maxFeePerGas: " +
                             tx.max_fee_per_gas.ToDecimal() + ", baseFee: " + base_fee.ToDecimal());
  }
  auto cost = MaxCost(tx);
  if (!cost || *cost > sender.balance) {
    return Status::Error(StatusKind::kMissingParent, "tx-insufficient-funds",
                         "insufficient funds for gas * price + value: have " +
                             sender.balance.ToDecimal() + " want " +
                             (cost ? cost->ToDecimal() : std::string("more than 2^256")));
  }
  return Status::Ok();
}

}  // namespace depin::consensus

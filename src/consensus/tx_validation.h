// Transaction rules. Stateless checks (chain id, gas, fee fields, where data
// may go) and checks against the sender's account (nonce, funds, base fee).
// Codes name the rule ("tx-nonce-too-low"); messages start with
// go-ethereum's wording ("nonce too low") because wallet libraries classify
// errors by that text.
#pragma once

#include "consensus/module.h"
#include "consensus/params.h"
#include "consensus/state.h"
#include "primitives/transaction.h"

namespace depin::consensus {

// Codes and geth messages:
//   tx-wrong-chain-id          "invalid chain id"
//   tx-intrinsic-gas           "intrinsic gas too low"
//   tx-gas-limit-too-high      "exceeds block gas limit"
//   tx-tip-above-fee-cap       "max priority fee per gas higher than max fee per gas"
//   tx-contract-creation       "contract creation is not supported: this chain has no EVM"
//   tx-data-to-non-module      "data sent to a non-module address ..." (the hint)
Status CheckTransactionStateless(const Transaction& tx, const ChainParams& params,
                                 const ModuleRegistry& modules);

// The last two of those: what a tx or a simulated call (eth_call,
// eth_estimateGas) may be sent to. A plain address takes only empty data;
// there is no contract creation.
Status CheckCallTarget(const std::optional<Address>& to, ByteSpan data,
                       const ModuleRegistry& modules);

//   tx-nonce-too-low           "nonce too low"                 kind kStale
//   tx-nonce-too-high          "nonce too high"                kind kMissingParent
//   tx-insufficient-funds      "insufficient funds for gas * price + value"
//                                                              kind kMissingParent
//   tx-fee-cap-below-base-fee  "max fee per gas less than block base fee"  kind kPolicy
// The kinds say what the tx is to a pool (an earlier nonce was mined, a
// predecessor or funds may still come, the base fee may fall); in a block
// every one of them makes the block invalid (ExecuteBlock's verdicts are
// kInvalid).
Status CheckTransactionAgainstAccount(const Transaction& tx, const Account& sender,
                                      const Uint256& base_fee);

// gas_limit * max_fee + value, or nullopt on overflow (treated as insufficient funds).
std::optional<Uint256> MaxCost(const Transaction& tx);

}  // namespace depin::consensus

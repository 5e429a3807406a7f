// The state transition: applies a block's txs to state and pays the miner.
// Per tx: sender nonce + 1; value to `to` (a module receives it before its
// call); a module call runs with gas_limit - intrinsic as allowance; a failed
// call (error or out of gas) reverts its effects and gets receipt status 0, but
// the fee is charged. Fee = gas_used * (base_fee + tip): the base-fee part is
// burned, the tip goes to the header's miner, with the block subsidy at the end.
// An intrinsically invalid tx (bad nonce, funds, fee cap...) fails the block.
// After the txs, the block runs its due deferred work (deferred_queue.h),
// whose logs go into a system receipt after the txs' receipts.
//
// Thread-safety: pure functions of their inputs; callers provide the cache.
#pragma once

#include <vector>

#include "consensus/module.h"
#include "consensus/module_trace.h"
#include "consensus/params.h"
#include "consensus/state_cache.h"
#include "primitives/block.h"
#include "primitives/receipt.h"

namespace depin::consensus {

struct TxOutcome {
  Receipt receipt;
  Bytes return_data;  // module call output
  // Why the module call failed (receipt.status == 0), ok otherwise: its kind
  // (kOutOfGas when the allowance ran out), its rule name (code, e.g.
  // "testmod-insufficient-deposit") and message.
  Status revert;
  Uint256 burned;
  Uint256 tip;

  // The revert's rule name ("" when the call succeeded).
  const std::string& revert_code() const { return revert.code(); }
  // The Solidity Error(string) text wallets see: "rule-name: message".
  std::string RevertReason() const { return revert.ok() ? std::string() : revert.ToString(); }
};

// Applies one tx on top of `state`. `cumulative_gas` is the block's gas used
// before this tx. Errors mean the tx is invalid in this position (the state is
// left unchanged then).
Result<TxOutcome> ApplyTransaction(StateCache& state, const BlockContext& block,
                                   const VerifiedTx& tx, const ModuleRegistry& modules,
                                   const ChainParams& params, uint64_t cumulative_gas);

struct BlockExecution {
  // One per tx, in block order; then, when deferred work ran in this block,
  // the system receipt (below). The receipts root covers all of them.
  std::vector<Receipt> receipts;
  uint64_t gas_used = 0;  // by the txs: the header's gas used
  // Deferred work run at the end of the block (deferred_queue.h): entries
  // run and their gas. Prepaid by the txs that scheduled them, so it is in
  // neither the header's gas used nor the base fee's update.
  uint32_t deferred_entries_run = 0;
  uint64_t deferred_gas_used = 0;
  Uint256 burned;
  Uint256 miner_reward;  // tips + subsidy
  StateDiff diff;
  // Not consensus data: value moved by modules and their nested calls, per
  // tx and at the end of the block (consensus/module_trace.h).
  BlockTrace trace;
};

// The system receipt: appended after the txs' receipts when at least one
// deferred entry ran in the block. Status 1, type legacy (no type byte),
// gas used = the block's deferred gas, cumulative gas = the txs' gas plus
// that, the deferred runs' logs and their bloom. It has no tx; RPC shows its
// logs with transactionIndex = the block's tx count and
// transactionHash = SystemTxHash(block hash).
bool HasSystemReceipt(size_t tx_count, size_t receipt_count);
Hash256 SystemTxHash(const Hash256& block_hash);

// Executes every tx and the end-of-block steps: due deferred work (with its
// system receipt), then the miner reward. "tx-block-gas-exhausted" if a tx's
// gas does not fit what is left; tx errors carry the tx's code with its index in the message.
Result<BlockExecution> ExecuteBlock(const StateReader& base, const BlockContext& block,
                                    const std::vector<TxRef>& txs, const ModuleRegistry& modules,
                                    const ChainParams& params);

// A read-only or scratch call for eth_call / eth_estimateGas: runs `tx`-like
// parameters against `base` without a signature or nonce check and discards
// the effects.
struct CallRequest {
  Address from;
  std::optional<Address> to;
  Uint256 value;
  Bytes data;
  uint64_t gas_limit = 0;  // 0 = block gas limit
};
Result<TxOutcome> SimulateCall(const StateReader& base, const BlockContext& block,
                               const CallRequest& call, const ModuleRegistry& modules,
                               const ChainParams& params);

// EIP-1559: the base fee of the block after `parent` (elasticity and
// denominator from params; floor min_base_fee; block 1 gets initial_base_fee).
Uint256 NextBaseFee(const BlockHeader& parent, const ChainParams& params);

}  // namespace depin::consensus

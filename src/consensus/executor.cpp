#include "consensus/executor.h"

#include <string>

#include "consensus/deferred_queue.h"
#include "consensus/gas.h"
#include "consensus/tx_validation.h"
#include "crypto/keccak.h"

namespace depin::consensus {
namespace {

uint64_t SaturatingAddU64(uint64_t a, uint64_t b) {
  return a > ~uint64_t{0} - b ? ~uint64_t{0} : a + b;
}

Status Credit(StateCache& state, const Address& to, const Uint256& amount) {
  if (amount.IsZero()) return Status::Ok();
  Account account = state.GetAccount(to);
  auto sum = CheckedAdd(account.balance, amount);
  if (!sum) return Status::Error("balance-overflow", "balance would overflow");
  account.balance = *sum;
  state.PutAccount(to, account);
  return Status::Ok();
}

Status Debit(StateCache& state, const Address& from, const Uint256& amount) {
  if (amount.IsZero()) return Status::Ok();
  Account account = state.GetAccount(from);
  auto left = CheckedSub(account.balance, amount);
  if (!left) {
    return Status::Error("tx-insufficient-funds", "insufficient funds for gas * price + value");
  }
  account.balance = *left;
  state.PutAccount(from, account);
  return Status::Ok();
}

struct CallOutcome {
  bool success = true;
  uint64_t gas_used = 0;  // beyond intrinsic
  std::vector<Log> logs;
  Bytes return_data;
  Status revert;
};

// Value transfer plus (for a module) the call. On failure every effect since
// the checkpoint is reverted; the caller still charges gas.
Result<CallOutcome> RunCall(StateCache& state, const BlockContext& block, const Address& from,
                            const Address& to, const Uint256& value, ByteSpan data,
                            uint64_t gas_allowance, const ModuleRegistry& modules) {
  CallOutcome out;
  const StateCache::Checkpoint checkpoint = state.MakeCheckpoint();
  DEPIN_RETURN_IF_ERROR(Debit(state, from, value));
  DEPIN_RETURN_IF_ERROR(Credit(state, to, value));
  const Module* module = modules.Find(to);
  if (module == nullptr) return out;  // plain transfer (data was checked empty)
  if (modules.ActiveAt(to, block.height) == nullptr) {
    state.RevertTo(checkpoint);
    out.success = false;
    out.revert = Status::Error("module-not-active", "the module at " + to.ToChecksumHex() +
                                                        " is not active at height " +
                                                        std::to_string(block.height));
    return out;
  }
  ModuleContext ctx(state, block, to, from, value, gas_allowance, /*read_only=*/false, &modules);
  Result<Bytes> result = CallModule(*module, ctx, data);
  out.gas_used = ctx.gas_used();
  if (result.ok()) {
    out.logs = ctx.logs();
    out.return_data = std::move(result).value();
  } else {
    state.RevertTo(checkpoint);
    out.success = false;
    out.revert = result.status();
  }
  return out;
}

}  // namespace

bool HasSystemReceipt(size_t tx_count, size_t receipt_count) { return receipt_count > tx_count; }

Hash256 SystemTxHash(const Hash256& block_hash) {
  Bytes preimage = {'d', 'e', 'p', 'i', 'n', '-', 's', 'y', 's', 't', 'e', 'm'};
  preimage.insert(preimage.end(), block_hash.begin(), block_hash.end());
  return crypto::Keccak256Hash(preimage);
}

Uint256 NextBaseFee(const BlockHeader& parent, const ChainParams& params) {
  if (parent.height == 0) return params.initial_base_fee;
  const uint64_t target = parent.gas_limit / params.elasticity_multiplier;
  Uint256 next = parent.base_fee;
  if (target == 0 || parent.gas_used == target) {
    // unchanged
  } else if (parent.gas_used > target) {
    // base * (used - target) / target / denominator, at least 1 wei. A header
    // chain of full blocks can push the base fee towards 2^256 without more
    // work than the tip: the product saturates instead of overflowing.
    Uint256 delta = MulDivSaturating(parent.base_fee, parent.gas_used - target, target) /
                    Uint256(params.base_fee_change_denominator);
    if (delta.IsZero()) delta = Uint256(1);
    next = SaturatingAdd(parent.base_fee, delta);
  } else {
    Uint256 delta = MulDivSaturating(parent.base_fee, target - parent.gas_used, target) /
                    Uint256(params.base_fee_change_denominator);
    next = SaturatingSub(parent.base_fee, delta);
  }
  if (next < params.min_base_fee) next = params.min_base_fee;
  return next;
}

Result<TxOutcome> ApplyTransaction(StateCache& state, const BlockContext& block,
                                   const VerifiedTx& vtx, const ModuleRegistry& modules,
                                   const ChainParams& params, uint64_t cumulative_gas) {
  const Transaction& tx = vtx.tx;
  DEPIN_RETURN_IF_ERROR(CheckTransactionStateless(tx, params, modules));
  if (tx.gas_limit > block.gas_limit - std::min(cumulative_gas, block.gas_limit)) {
    return Status::Error("tx-block-gas-exhausted", "gas limit reached");
  }
  Account sender = state.GetAccount(vtx.sender);
  DEPIN_RETURN_IF_ERROR(state.status());
  DEPIN_RETURN_IF_ERROR(CheckTransactionAgainstAccount(tx, sender, block.base_fee));

  const uint64_t intrinsic = IntrinsicGas(tx);
  // Fee cap >= base fee was checked, so the subtraction cannot underflow.
  const Uint256 tip =
      Min(tx.max_priority_fee_per_gas, *CheckedSub(tx.max_fee_per_gas, block.base_fee));
  const Uint256 price = *CheckedAdd(block.base_fee, tip);

  // An error below makes the tx invalid: undo the nonce bump and any debit so
  // the state is left unchanged, as the header promises.
  const StateCache::Checkpoint start = state.MakeCheckpoint();
  sender.nonce += 1;
  state.PutAccount(vtx.sender, sender);

  auto call = RunCall(state, block, vtx.sender, *tx.to, tx.value, tx.data, tx.gas_limit - intrinsic,
                      modules);
  if (!call.ok()) {
    state.RevertTo(start);
    return call.status();
  }

  TxOutcome out;
  const uint64_t gas_used = intrinsic + call->gas_used;
  // Affordable: balance >= gas_limit * fee_cap + value was checked and a
  // failed call returned the value.
  auto fee = CheckedMul(Uint256(gas_used), price);
  Status charged =
      fee ? Debit(state, vtx.sender, *fee)
          : Status::Error("tx-insufficient-funds", "insufficient funds for gas * price + value");
  if (!charged.ok()) {
    state.RevertTo(start);
    return charged;
  }
  out.burned = *CheckedMul(Uint256(gas_used), block.base_fee);
  out.tip = *CheckedMul(Uint256(gas_used), tip);

  out.receipt.type = tx.type;
  out.receipt.status = call->success ? 1 : 0;
  out.receipt.gas_used = gas_used;
  out.receipt.cumulative_gas_used = cumulative_gas + gas_used;
  out.receipt.logs = std::move(call->logs);
  out.receipt.bloom = LogsBloom(out.receipt.logs);
  out.return_data = std::move(call->return_data);
  out.revert = std::move(call->revert);
  return out;
}

Result<BlockExecution> ExecuteBlock(const StateReader& base, const BlockContext& block,
                                    const std::vector<TxRef>& txs, const ModuleRegistry& modules,
                                    const ChainParams& params) {
  StateCache state(base);
  state.EnableTrace();
  BlockExecution exec;
  Uint256 tips;
  exec.receipts.reserve(txs.size());
  // The trace records made since the last call, at `position`.
  auto collect_trace = [&state, &exec](uint32_t position) {
    const std::vector<TraceRecord>& records = state.trace();
    for (size_t k = exec.trace.size(); k < records.size(); ++k) {
      exec.trace.push_back(BlockTraceEntry{position, records[k]});
    }
  };
  for (size_t i = 0; i < txs.size(); ++i) {
    auto outcome = ApplyTransaction(state, block, *txs[i], modules, params, exec.gas_used);
    if (!outcome.ok()) {
      // Any tx error makes the block invalid, whatever it would mean to a
      // pool; a state read failure stays what it is.
      const Status& s = outcome.status();
      return Status::Error(
          s.IsLocalFailure() ? s.kind() : StatusKind::kInvalid, s.code(),
          "tx " + std::to_string(i) + " (" + txs[i]->hash.Hex() + "): " + s.message());
    }
    exec.gas_used = outcome->receipt.cumulative_gas_used;
    exec.burned = SaturatingAdd(exec.burned, outcome->burned);
    tips = SaturatingAdd(tips, outcome->tip);
    exec.receipts.push_back(std::move(outcome->receipt));
    collect_trace(static_cast<uint32_t>(i));
  }
  auto deferred = RunDueDeferred(state, block, modules);
  if (!deferred.ok()) return deferred.status();
  collect_trace(kTraceEndOfBlock);
  if (deferred->entries_run > 0) {
    exec.deferred_entries_run = deferred->entries_run;
    exec.deferred_gas_used = deferred->gas_used;
    Receipt system;
    system.type = TxType::kLegacy;
    system.status = 1;
    system.gas_used = deferred->gas_used;
    system.cumulative_gas_used = SaturatingAddU64(exec.gas_used, deferred->gas_used);
    system.logs = std::move(deferred->logs);
    system.bloom = LogsBloom(system.logs);
    exec.receipts.push_back(std::move(system));
  }
  auto reward = CheckedAdd(tips, BlockSubsidy(block.height, params));
  if (!reward) return Status::Error("block-reward-overflow", "miner reward overflows");
  exec.miner_reward = *reward;
  DEPIN_RETURN_IF_ERROR(Credit(state, block.miner, exec.miner_reward));
  DEPIN_RETURN_IF_ERROR(state.status());
  exec.diff = state.Diff();
  return exec;
}

Result<TxOutcome> SimulateCall(const StateReader& base, const BlockContext& block,
                               const CallRequest& call, const ModuleRegistry& modules,
                               const ChainParams& params) {
  StateCache state(base);
  Transaction shape;
  shape.data = call.data;
  const uint64_t intrinsic = IntrinsicGas(shape);
  const uint64_t gas_limit = call.gas_limit == 0 ? params.block_gas_limit : call.gas_limit;
  if (gas_limit < intrinsic) {
    return Status::Error("tx-intrinsic-gas", "intrinsic gas too low: have " +
                                                 std::to_string(gas_limit) + ", want " +
                                                 std::to_string(intrinsic));
  }
  DEPIN_RETURN_IF_ERROR(CheckCallTarget(call.to, call.data, modules));
  auto result = RunCall(state, block, call.from, *call.to, call.value, call.data,
                        gas_limit - intrinsic, modules);
  if (!result.ok()) return result.status();
  TxOutcome out;
  out.receipt.status = result->success ? 1 : 0;
  out.receipt.gas_used = intrinsic + result->gas_used;
  out.receipt.cumulative_gas_used = out.receipt.gas_used;
  out.receipt.logs = std::move(result->logs);
  out.receipt.bloom = LogsBloom(out.receipt.logs);
  out.return_data = std::move(result->return_data);
  out.revert = std::move(result->revert);
  return out;
}

}  // namespace depin::consensus

#include "chain/block_assembler.h"

#include <algorithm>
#include <set>

#include "consensus/executor.h"
#include "consensus/state_cache.h"
#include "primitives/merkle.h"

namespace depin::chain {
namespace {

// A tip change between reading the context and computing the state root
// makes the build stale; a few retries cover a burst of blocks.
constexpr int kMaxAttempts = 4;
constexpr size_t kExtraTagBytes = 24;

Status TipChanged() {
  return Status::Error(StatusKind::kStale, "assembler-tip-changed",
                       "the chain tip changed while building a block");
}

}  // namespace

Hash256 MakeBlockExtra(const std::string& tag, uint64_t height) {
  Hash256 extra;
  std::copy_n(tag.begin(), std::min(tag.size(), kExtraTagBytes), extra.data());
  WriteLE64(extra.data() + kExtraTagBytes, height);
  return extra;
}

BlockAssembler::BlockAssembler(const BlockAssemblerOptions& options, Chainstate& chainstate,
                               const Mempool* mempool)
    : options_(options), chainstate_(chainstate), mempool_(mempool) {}

Result<BlockTemplate> BlockAssembler::CreateNewBlock(const Address& coinbase, uint64_t now) const {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto result = TryCreate(coinbase, now);
    if (result.ok() || !result.status().Is(StatusKind::kStale)) return result;
  }
  return TipChanged();
}

Result<BlockTemplate> BlockAssembler::TryCreate(const Address& coinbase, uint64_t now) const {
  const consensus::ChainParams& params = chainstate_.params();
  const consensus::ModuleRegistry& modules = chainstate_.modules();
  const Chainstate::NextBlock next = chainstate_.NextBlockContext();
  const std::shared_ptr<const consensus::StateReader> state = chainstate_.StateAtTip();
  // The state must belong to the tip the context was read from.
  if (chainstate_.NextBlockContext().parent_hash != next.parent_hash) return TipChanged();

  auto ctx_or =
      chainstate_.BlockContextFor(next.HeaderFor(coinbase, std::max(now, next.min_timestamp)));
  if (!ctx_or.ok()) return ctx_or.status();
  const consensus::BlockContext& ctx = *ctx_or;

  const uint64_t gas_budget =
      options_.max_gas != 0 ? std::min(options_.max_gas, next.gas_limit) : next.gas_limit;
  const size_t size_limit = options_.max_block_size != 0
                                ? std::min(options_.max_block_size, params.max_block_size)
                                : params.max_block_size;
  // Header and tx count are fixed; the rest is for txs (each with a length).
  const size_t fixed_size = BlockHeader::kSerializedSize + 4;
  const size_t tx_bytes_budget = size_limit > fixed_size ? size_limit - fixed_size : 0;

  std::vector<TxRef> candidates;
  if (mempool_ != nullptr) {
    candidates = mempool_->SelectForBlock(next.base_fee, gas_budget, tx_bytes_budget);
  }

  // Trial execution in selection order. A tx that fails here (its sender's
  // earlier tx failed, the pool's view of the account was stale...) is left
  // out, and so are the same sender's later txs, whose nonces would not fit.
  consensus::StateCache trial(*state);
  std::vector<TxRef> chosen;
  std::set<Address> failed_senders;
  uint64_t cumulative_gas = 0;
  for (const TxRef& tx : candidates) {
    if (failed_senders.count(tx->sender) != 0) continue;
    const consensus::StateCache::Checkpoint checkpoint = trial.MakeCheckpoint();
    auto outcome = consensus::ApplyTransaction(trial, ctx, *tx, modules, params, cumulative_gas);
    if (!outcome.ok() || outcome->receipt.cumulative_gas_used > gas_budget) {
      trial.RevertTo(checkpoint);
      failed_senders.insert(tx->sender);
      continue;
    }
    cumulative_gas = outcome->receipt.cumulative_gas_used;
    chosen.push_back(tx);
  }

  // The authoritative run: exactly what validation computes, end-of-block
  // hooks and miner reward included.
  auto built = BuildBlock(chainstate_, next, *state, std::move(chosen), coinbase, ctx.timestamp,
                          MakeBlockExtra(options_.extra_tag, next.height));
  if (!built.ok()) return built.status();
  // StateRootAfter reads the tip's root: it must still be the parent.
  if (chainstate_.Tip().hash != next.parent_hash) return TipChanged();
  std::shared_ptr<Block> block = std::move(built->block);
  const consensus::BlockExecution& exec = built->exec;

  auto target = CompactToTarget(next.bits);
  if (!target.ok()) return target.status();

  BlockTemplate tmpl;
  tmpl.serialized_size = block->SerializedSize();
  tmpl.block = std::move(block);
  tmpl.receipts = std::move(built->exec.receipts);
  tmpl.target = *target;
  tmpl.min_timestamp = next.min_timestamp;
  tmpl.subsidy = consensus::BlockSubsidy(next.height, params);
  tmpl.fees = SaturatingSub(exec.miner_reward, tmpl.subsidy);
  return tmpl;
}

Result<BuiltBlock> BuildBlock(const Chainstate& chainstate, const Chainstate::NextBlock& next,
                              const consensus::StateReader& state, std::vector<TxRef> txs,
                              const Address& miner, uint64_t timestamp, const Hash256& extra) {
  const consensus::ChainParams& params = chainstate.params();
  auto ctx = chainstate.BlockContextFor(next.HeaderFor(miner, timestamp));
  if (!ctx.ok()) return ctx.status();
  auto exec = consensus::ExecuteBlock(state, *ctx, txs, chainstate.modules(), params);
  if (!exec.ok()) return exec.status();

  BuiltBlock built;
  built.block = std::make_shared<Block>();
  BlockHeader& header = built.block->header;
  header.version = 1;
  header.height = next.height;
  header.parent_hash = next.parent_hash;
  header.tx_root = TxRoot(txs);
  header.receipts_root = ReceiptsRoot(exec->receipts);
  header.state_root = chainstate.StateRootAfter(exec->diff);
  header.miner = miner;
  header.timestamp = timestamp;
  header.bits = next.bits;
  header.gas_limit = next.gas_limit;
  header.gas_used = exec->gas_used;
  header.base_fee = next.base_fee;
  header.extra = extra;
  header.nonce = 0;
  built.block->txs = std::move(txs);
  built.exec = std::move(exec).value();
  return built;
}

}  // namespace depin::chain

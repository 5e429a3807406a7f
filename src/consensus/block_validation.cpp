#include "consensus/block_validation.h"

#include <set>
#include <string>

#include "consensus/pow.h"
#include "consensus/tx_validation.h"
#include "primitives/merkle.h"

namespace depin::consensus {

Status CheckHeader(const BlockHeader& header, const ChainParams& params) {
  if (header.version != 1) {
    return Status::Error("block-bad-version",
                         "unknown block version " + std::to_string(header.version));
  }
  return CheckProofOfWork(header, params);
}

Status ContextualCheckHeader(const BlockHeader& header, const ParentInfo& parent,
                             uint64_t adjusted_now, const ChainParams& params) {
  if (header.parent_hash != parent.header.Hash()) {
    return Status::Error("block-bad-prevblk", "parent hash does not match the parent");
  }
  if (header.height != parent.header.height + 1) {
    return Status::Error("block-bad-height", "height is not parent height + 1");
  }
  if (header.bits != NextWorkRequired(parent.header, parent.asert_anchor_time, params)) {
    return Status::Error("block-bad-difficulty", "bits do not match the ASERT schedule");
  }
  if (header.timestamp <= parent.median_time_past) {
    return Status::Error("block-time-too-old", "timestamp not after the median of the last " +
                                                   std::to_string(params.median_time_span) +
                                                   " blocks");
  }
  if (header.timestamp > adjusted_now + params.max_future_block_time) {
    return Status::Error(StatusKind::kNotYetValid, "block-time-too-new",
                         "timestamp too far in the future");
  }
  if (header.gas_limit != params.block_gas_limit) {
    return Status::Error("block-bad-gas-limit", "gas limit differs from the chain's");
  }
  if (header.gas_used > header.gas_limit) {
    return Status::Error("block-gas-used-exceeds-limit", "gas used above the gas limit");
  }
  if (header.base_fee != NextBaseFee(parent.header, params)) {
    return Status::Error("block-bad-base-fee", "base fee does not follow EIP-1559 from the parent");
  }
  return Status::Ok();
}

Status CheckBlockBody(const Block& block, const ChainParams& params,
                      const ModuleRegistry& modules) {
  if (block.SerializedSize() > params.max_block_size) {
    return Status::Error("block-too-large", "block exceeds the byte limit");
  }
  if (TxRoot(block.txs) != block.header.tx_root) {
    return Status::Error(StatusKind::kMutated, "block-bad-tx-root",
                         "tx root does not match the transactions");
  }
  std::set<Hash256> seen;
  for (size_t i = 0; i < block.txs.size(); ++i) {
    const VerifiedTx& vtx = *block.txs[i];
    if (!seen.insert(vtx.hash).second) {
      return Status::Error("block-duplicate-tx", "tx " + std::to_string(i) + " appears twice");
    }
    Status s = CheckTransactionStateless(vtx.tx, params, modules);
    if (!s.ok()) {
      return Status::Error(s.code(),
                           "tx " + std::to_string(i) + " (" + vtx.hash.Hex() + "): " + s.message());
    }
  }
  return Status::Ok();
}

}  // namespace depin::consensus

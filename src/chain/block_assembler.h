// BlockAssembler: builds the next block on the chain tip for the miner and
// for getblocktemplate. It takes the context of the next block from the
// chainstate (height, parent, bits, base fee, gas limit, minimum timestamp),
// picks mempool txs by effective tip in per-sender nonce order within the gas
// and byte limits, executes them on the tip state (a tx that fails in its
// position, e.g. because the sender's earlier tx failed, is left out with the
// sender's later txs), then runs consensus::ExecuteBlock on the chosen list so
// the receipts, gas used and state diff are exactly what validation will
// compute, and fills tx root, receipts root and state root. The returned
// header has nonce 0; the miner searches it.
//
// Thread-safety: a BlockAssembler holds no mutable state; CreateNewBlock may
// be called from any thread. If the tip moves while a block is built the
// build restarts (a few times, then fails with "assembler-tip-changed").
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "consensus/executor.h"
#include "primitives/block.h"
#include "primitives/receipt.h"
#include "util/status.h"

namespace depin::chain {

struct BlockAssemblerOptions {
  // Written at the start of the header's 32-byte extra field, followed by
  // the height (8 bytes LE) so that blocks of different miners differ.
  std::string extra_tag = "depin";
  // Lower limits than the chain's, for tests and operators (0 = chain's).
  uint64_t max_gas = 0;
  size_t max_block_size = 0;
};

// A block ready for the nonce search, with what getblocktemplate reports.
struct BlockTemplate {
  std::shared_ptr<Block> block;  // header complete except the nonce (0)
  std::vector<Receipt> receipts;
  Uint256 target;              // from header.bits
  uint64_t min_timestamp = 0;  // median time past + 1
  Uint256 fees;                // tips paid to the miner
  Uint256 subsidy;             // block subsidy
  size_t serialized_size = 0;  // of the block
};

class BlockAssembler {
 public:
  // `mempool` may be null: blocks are then empty.
  BlockAssembler(const BlockAssemblerOptions& options, Chainstate& chainstate,
                 const Mempool* mempool);

  // The next block on the tip paying `coinbase`, with
  // timestamp = max(now, min_timestamp).
  Result<BlockTemplate> CreateNewBlock(const Address& coinbase, uint64_t now) const;

 private:
  Result<BlockTemplate> TryCreate(const Address& coinbase, uint64_t now) const;

  const BlockAssemblerOptions options_;
  Chainstate& chainstate_;
  const Mempool* mempool_;
};

// A block of exactly `txs`, in that order, on the tip that `next` and `state`
// describe, as validation will compute it: the txs and end-of-block steps are
// executed, and tx root, receipts root, state root and gas used are filled in;
// the nonce is 0. A tx that is invalid in its position fails the build with
// its rule. `chainstate`'s tip must still be `next`'s parent (StateRootAfter
// reads the tip's lanes). The assembler uses it after choosing txs; tests,
// benchmarks and depin-chaingen build blocks of chosen txs with it.
struct BuiltBlock {
  std::shared_ptr<Block> block;
  consensus::BlockExecution exec;  // receipts, miner reward, diff
};
Result<BuiltBlock> BuildBlock(const Chainstate& chainstate, const Chainstate::NextBlock& next,
                              const consensus::StateReader& state, std::vector<TxRef> txs,
                              const Address& miner, uint64_t timestamp, const Hash256& extra);

// The extra field the assembler writes: tag bytes (at most 24) then the height
// as 8 bytes LE at offset 24.
Hash256 MakeBlockExtra(const std::string& tag, uint64_t height);

}  // namespace depin::chain

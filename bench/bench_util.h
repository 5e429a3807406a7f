// Helpers the chain benchmarks share: deterministic keys and a chainstate on
// a scratch folder. A failure to open aborts (a benchmark has no one to
// report to).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "consensus/module.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "primitives/block.h"
#include "util/bytes.h"

namespace depin::bench {

// Key i of a family: 32 bytes of `fill` with i + 1 in the last four.
inline crypto::PrivateKey Key(uint8_t fill, uint32_t i) {
  Bytes secret(32, fill);
  WriteBE32(secret.data() + 28, i + 1);
  return crypto::PrivateKey::FromBytes(secret).value();
}

inline std::unique_ptr<chain::Chainstate> OpenChain(const consensus::ChainParams& params,
                                                    const consensus::ModuleRegistry& modules,
                                                    const std::string& dir, bool sync_writes,
                                                    chain::ValidationSignals* signals = nullptr) {
  chain::ChainstateOptions options;
  options.datadir = dir;
  options.sync_writes = sync_writes;
  options.signals = signals;
  auto opened = chain::Chainstate::Open(params, modules, options);
  if (!opened.ok()) std::abort();
  return std::move(opened).value();
}

// Connects `block` as block 1 of `chain`; on failure the benchmark is
// skipped with the reason and false is returned (the caller breaks).
inline bool ConnectFirstBlock(benchmark::State& state, chain::Chainstate& chain,
                              std::shared_ptr<const Block> block) {
  Status s = chain.ProcessBlock(block);
  if (s.ok() && chain.Tip().height == 1) return true;
  state.SkipWithError(s.ok() ? "block 1 did not become the tip" : s.ToString().c_str());
  return false;
}

// Decodes a serialized block (senders recovered on `threads`) and connects
// it as block 1, as a node receiving it would.
inline bool DecodeAndConnectFirstBlock(benchmark::State& state, chain::Chainstate& chain,
                                       const Bytes& raw, size_t max_block_size, unsigned threads) {
  auto block = DecodeBlock(raw, max_block_size, threads);
  if (!block.ok()) {
    state.SkipWithError(block.status().ToString().c_str());
    return false;
  }
  return ConnectFirstBlock(state, chain, std::make_shared<const Block>(std::move(block).value()));
}

}  // namespace depin::bench

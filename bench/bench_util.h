// Helpers the chain benchmarks share: deterministic keys and a chainstate on
// a scratch folder. A failure to open aborts (a benchmark has no one to
// report to).
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "consensus/module.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
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

}  // namespace depin::bench

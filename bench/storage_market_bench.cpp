// The storage market's proof budget on main (issue 11's benchmark): a block
// filled with submitPoSt txs for 32 GiB sectors, each tx as many sectors as
// fit kMaxTxSize, the block as many txs as fit max_block_size. The proofs go
// through the module's own path (ProofChecks from the calldata, then
// VerifyProofs as one batch, what the block's proof check queue calls) on
// this machine's cores. Counters:
//   sectors_per_block, block_ms (median wall time), share_of_15s,
//   sectors_per_day_10pct: 32 GiB sectors whose daily PoSt fits 10% of the
//   block space of a day's 5,760 blocks.
// Proofs are synthetic (bench/synthetic_proofs.h): paths through a virtual
// tree of height 30 verify exactly like a real 32 GiB replica's.
#include <benchmark/benchmark.h>

#include <thread>
#include <vector>

#include "consensus/abi.h"
#include "consensus/params.h"
#include "primitives/transaction.h"
#include "storage/market.h"
#include "synthetic_proofs.h"

namespace depin::storage {
namespace {

using proofs::SectorSize;

// Fixed overhead of a submitPoSt tx around its two byte arguments: the RLP
// envelope and signature (~120 bytes), the selector and the ABI head and
// length words (4 + 5 x 32), the inputs' header (1 + 32 + 4).
constexpr size_t kTxOverhead = 120 + 4 + 5 * 32 + 37;
constexpr size_t kInputBytesPerSector = 8 + 1 + 32;

Bytes PoStCall(uint64_t first_sector, size_t sectors, const Hash256& randomness) {
  proofs::PoStPublicInputs in;
  in.randomness = randomness;
  proofs::PoStProof proof;
  for (size_t i = 0; i < sectors; ++i) {
    auto [info, p] =
        proofs::SyntheticPoStSector(SectorSize::Size32GiB(), randomness, first_sector + i);
    in.sectors.push_back(info);
    proof.sectors.push_back(std::move(p));
  }
  return abi::Encoder()
      .Uint(0)
      .Bytes(proofs::EncodePoStPublicInputs(in))
      .Bytes(proofs::EncodePoStProof(proof))
      .FinishCall(abi::SelectorOf("submitPoSt(uint256,bytes,bytes)"));
}

void BM_StorageMarketPoStBlock32GiB(benchmark::State& state) {
  const consensus::ChainParams params = consensus::MainParams();
  const auto market = MakeStorageMarket(params.storage);
  const SectorSize size = SectorSize::Size32GiB();
  const size_t per_sector = proofs::PoStProofBytesPerSector(size) + kInputBytesPerSector;
  const size_t sectors_per_tx = (kMaxTxSize - kTxOverhead) / per_sector;
  const size_t tx_bytes = kTxOverhead + sectors_per_tx * per_sector;
  const size_t txs = params.max_block_size / tx_bytes;
  Hash256 randomness;
  randomness[0] = 0x5a;
  std::vector<consensus::ProofCheck> checks;
  for (size_t t = 0; t < txs; ++t) {
    const Bytes call = PoStCall(t * sectors_per_tx, sectors_per_tx, randomness);
    auto c = market->ProofChecks(call);
    if (!c.ok() || c->size() != 1) {
      state.SkipWithError("ProofChecks failed");
      return;
    }
    checks.push_back(std::move((*c)[0]));
  }
  std::vector<const consensus::ProofCheck*> ptrs;
  for (const auto& c : checks) ptrs.push_back(&c);
  consensus::ProofCheckOptions options;
  options.threads = std::thread::hardware_concurrency();
  for (auto _ : state) {
    auto verdicts = market->VerifyProofs(ptrs, options);
    for (const Status& s : verdicts) {
      if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    }
  }
  const double sectors = static_cast<double>(txs * sectors_per_tx);
  state.counters["txs"] = static_cast<double>(txs);
  state.counters["sectors_per_block"] = sectors;
  state.counters["block_bytes"] = static_cast<double>(txs * tx_bytes);
  state.counters["threads"] = static_cast<double>(options.threads);
  // 10% of a day's block space over the bytes one sector's daily PoSt takes.
  const double blocks_per_day = 86400.0 / static_cast<double>(params.target_spacing);
  const double day_bytes = 0.10 * blocks_per_day * static_cast<double>(params.max_block_size);
  state.counters["sectors_per_day_10pct"] =
      day_bytes / (static_cast<double>(tx_bytes) / static_cast<double>(sectors_per_tx));
  state.counters["PiB_per_day_10pct"] =
      state.counters["sectors_per_day_10pct"] * 32.0 / (1024.0 * 1024.0);
}
BENCHMARK(BM_StorageMarketPoStBlock32GiB)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace depin::storage

// Primitives throughput: decoding alone (RLP + field checks), decoding with
// sender recovery (the cost that matters for relay and blocks), block decode
// with recovery spread over threads, and Merkle roots over tx hashes.
// Decode without recovery should be a small fraction of decode + recover;
// block decode at N threads should approach N x the one-thread rate.
#include <benchmark/benchmark.h>

#include <vector>

#include "primitives/block.h"
#include "primitives/merkle.h"
#include "primitives/transaction.h"

namespace depin {
namespace {

Transaction BenchTx(uint64_t nonce, bool legacy) {
  Transaction tx;
  tx.type = legacy ? TxType::kLegacy : TxType::kDynamicFee;
  tx.chain_id = 1;
  tx.nonce = nonce;
  tx.max_fee_per_gas = Uint256(30 * kWeiPerGwei);
  tx.max_priority_fee_per_gas = legacy ? tx.max_fee_per_gas : Uint256(kWeiPerGwei);
  tx.gas_limit = 21000;
  tx.to = ModuleAddress(0x1000);
  tx.value = Dpn(1);
  return tx;
}

Bytes SignedEnvelope(uint64_t nonce, bool legacy) {
  auto key = *crypto::PrivateKey::FromBytes(Bytes(32, 0x44));
  Transaction tx = BenchTx(nonce, legacy);
  tx.Sign(key);
  return tx.Encode();
}

void BM_TxDecode(benchmark::State& state) {
  Bytes env = SignedEnvelope(1, /*legacy=*/state.range(0) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(DecodeTransaction(env));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TxDecode)->Arg(0)->Arg(1)->ArgName("legacy");

void BM_TxDecodeAndRecover(benchmark::State& state) {
  Bytes env = SignedEnvelope(1, /*legacy=*/state.range(0) != 0);
  for (auto _ : state) benchmark::DoNotOptimize(DecodeAndVerifyTransaction(env));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TxDecodeAndRecover)->Arg(0)->Arg(1)->ArgName("legacy");

void BM_BlockDecode(benchmark::State& state) {
  Block block;
  for (uint64_t i = 0; i < 2000; ++i) {
    block.txs.push_back(*DecodeAndVerifyTransaction(SignedEnvelope(i, /*legacy=*/false)));
  }
  Bytes raw = block.Serialize();
  auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(DecodeBlock(raw, raw.size(), threads));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(block.txs.size()));
}
BENCHMARK(BM_BlockDecode)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->ArgName("threads")->UseRealTime();

void BM_MerkleRoot(benchmark::State& state) {
  std::vector<Hash256> leaves(static_cast<size_t>(state.range(0)));
  for (size_t i = 0; i < leaves.size(); ++i) WriteLE64(leaves[i].data(), i);
  for (auto _ : state) benchmark::DoNotOptimize(MerkleRoot(leaves));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MerkleRoot)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace depin

// Crypto throughput against the limits that matter:
//  - OpenSSL's SHA-256 over a large buffer is "the SHA-256 limit" in 64-byte
//    blocks per second; a Merkle pair is two blocks, so Sha256PairBatch should
//    reach at least 0.8 x (limit / 2) pairs per second.
//  - Raw libsecp256k1 recovery (+ serialization) bounds RecoverPublicKey,
//    which should stay within 5% of it.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <cstring>
#include <random>

#include "crypto/keccak.h"
#include "crypto/secp256k1.h"
#include "crypto/sha256.h"

namespace depin::crypto {
namespace {

Bytes RandomBuffer(size_t n) {
  std::mt19937_64 rng(n);
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

void BM_OpenSSLSha256_16KiB(benchmark::State& state) {
  const Bytes buf = RandomBuffer(16 * 1024);
  uint8_t out[32];
  unsigned int len = 0;
  for (auto _ : state) {
    EVP_Digest(buf.data(), buf.size(), out, &len, EVP_sha256(), nullptr);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(buf.size() / 64));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
}
BENCHMARK(BM_OpenSSLSha256_16KiB);

void BM_Sha256_16KiB(benchmark::State& state) {
  const Bytes buf = RandomBuffer(16 * 1024);
  for (auto _ : state) benchmark::DoNotOptimize(Sha256Hash(buf));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(buf.size() / 64));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buf.size()));
  state.SetLabel(Sha256ImplName());
}
BENCHMARK(BM_Sha256_16KiB);

constexpr size_t kPairsPerIteration = 4096;

void RunPairBatch(benchmark::State& state) {
  const Bytes in = RandomBuffer(64 * kPairsPerIteration);
  Bytes out(32 * kPairsPerIteration);
  for (auto _ : state) {
    Sha256PairBatch(in.data(), out.data(), kPairsPerIteration);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kPairsPerIteration));
  state.SetLabel(Sha256BatchImplName());
}

// Pairs per second with the automatically selected back end.
void BM_Sha256PairBatch(benchmark::State& state) { RunPairBatch(state); }
BENCHMARK(BM_Sha256PairBatch);

// The same pinned to each back end (0 portable, 1 SHA-NI, 2 AVX2) to justify
// the automatic choice.
void BM_Sha256PairBatchImpl(benchmark::State& state) {
  if (!Sha256ForceImpl(static_cast<Sha256Impl>(state.range(0)))) {
    state.SkipWithError("implementation not supported on this CPU");
    return;
  }
  RunPairBatch(state);
  Sha256ResetImpl();
}
BENCHMARK(BM_Sha256PairBatchImpl)->Arg(0)->Arg(1)->Arg(2);

void BM_Sha256Pair(benchmark::State& state) {
  const Bytes in = RandomBuffer(64);
  Hash256 left(in.data()), right(in.data() + 32);
  for (auto _ : state) {
    left = Sha256Pair(left, right);
    benchmark::DoNotOptimize(left);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Pair);

// Block-header-sized messages (80 bytes), as hashed for PoW candidates.
void BM_Sha256Batch_80B(benchmark::State& state) {
  constexpr size_t kCount = 1024;
  const Bytes in = RandomBuffer(80 * kCount);
  Bytes out(32 * kCount);
  for (auto _ : state) {
    Sha256Batch(in.data(), 80, kCount, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kCount));
  state.SetLabel(Sha256BatchImplName());
}
BENCHMARK(BM_Sha256Batch_80B);

void BM_Sha256d_80B(benchmark::State& state) {
  const Bytes in = RandomBuffer(80);
  for (auto _ : state) benchmark::DoNotOptimize(Sha256dHash(in));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256d_80B);

void BM_Keccak256_32B(benchmark::State& state) {
  const Bytes in = RandomBuffer(32);
  for (auto _ : state) benchmark::DoNotOptimize(Keccak256Hash(in));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Keccak256_32B);

void BM_Keccak256_16KiB(benchmark::State& state) {
  const Bytes in = RandomBuffer(16 * 1024);
  for (auto _ : state) benchmark::DoNotOptimize(Keccak256Hash(in));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(in.size()));
}
BENCHMARK(BM_Keccak256_16KiB);

struct SignedDigest {
  Hash256 digest;
  RecoverableSignature sig;
};

SignedDigest MakeSignedDigest() {
  const Bytes seed = RandomBuffer(32);
  auto key = PrivateKey::FromBytes(Keccak256Hash(seed).span());
  SignedDigest out;
  out.digest = Keccak256Hash(AsSpan("depin bench"));
  out.sig = key->Sign(out.digest);
  return out;
}

// The floor: libsecp256k1 recovery of a pre-parsed signature plus the
// uncompressed serialization every caller needs for an address.
void BM_Secp256k1RawRecover(benchmark::State& state) {
  const SignedDigest sd = MakeSignedDigest();
  secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  uint8_t compact[64];
  std::memcpy(compact, sd.sig.r.data(), 32);
  std::memcpy(compact + 32, sd.sig.s.data(), 32);
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, compact, sd.sig.recid)) {
    state.SkipWithError("parse failed");
    return;
  }
  uint8_t ser[65];
  for (auto _ : state) {
    secp256k1_pubkey pub;
    if (!secp256k1_ecdsa_recover(ctx, &pub, &sig, sd.digest.data())) state.SkipWithError("recover");
    size_t len = sizeof(ser);
    secp256k1_ec_pubkey_serialize(ctx, ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
    benchmark::DoNotOptimize(ser);
  }
  state.SetItemsProcessed(state.iterations());
  secp256k1_context_destroy(ctx);
}
BENCHMARK(BM_Secp256k1RawRecover);

void BM_RecoverPublicKey(benchmark::State& state) {
  const SignedDigest sd = MakeSignedDigest();
  for (auto _ : state) {
    auto pub = RecoverPublicKey(sd.digest, sd.sig);
    benchmark::DoNotOptimize(pub);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecoverPublicKey);

void BM_Sign(benchmark::State& state) {
  const SignedDigest sd = MakeSignedDigest();
  auto key = PrivateKey::FromBytes(Keccak256Hash(RandomBuffer(32)).span());
  for (auto _ : state) benchmark::DoNotOptimize(key->Sign(sd.digest));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sign);

}  // namespace
}  // namespace depin::crypto

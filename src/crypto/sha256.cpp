// Portable SHA-256 compression, the incremental hasher, and the dispatcher
// that routes one-shot and batch hashing to the fastest back end for this CPU.
#include "crypto/sha256.h"

#include <atomic>
#include <cstring>

#include "crypto/sha256_internal.h"

namespace depin::crypto {

const uint32_t kSha256InitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

namespace sha256_internal {
namespace {

constexpr uint32_t BigSigma0(uint32_t x) { return Rotr(x, 2) ^ Rotr(x, 13) ^ Rotr(x, 22); }
constexpr uint32_t BigSigma1(uint32_t x) { return Rotr(x, 6) ^ Rotr(x, 11) ^ Rotr(x, 25); }
constexpr uint32_t Ch(uint32_t e, uint32_t f, uint32_t g) { return g ^ (e & (f ^ g)); }
constexpr uint32_t Maj(uint32_t a, uint32_t b, uint32_t c) { return (a & b) | (c & (a | b)); }

// 64 rounds over a schedule that already includes K[t].
void RoundsPortable(uint32_t state[8], const uint32_t wk[64]) {
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t t1 = h + BigSigma1(e) + Ch(e, f, g) + wk[t];
    const uint32_t t2 = BigSigma0(a) + Maj(a, b, c);
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

void StoreDigest(const uint32_t state[8], uint8_t* out32) {
  for (int i = 0; i < 8; ++i) WriteBE32(out32 + 4 * i, state[i]);
}

}  // namespace

size_t BuildTail(const uint8_t* msg, size_t len, uint8_t tail[128]) {
  const size_t rem = len % 64;
  const size_t blocks = rem < 56 ? 1 : 2;
  if (rem > 0) std::memcpy(tail, msg + (len - rem), rem);
  tail[rem] = 0x80;
  std::memset(tail + rem + 1, 0, blocks * 64 - rem - 1 - 8);
  WriteBE64(tail + blocks * 64 - 8, static_cast<uint64_t>(len) * 8);
  return blocks;
}

void TransformPortable(uint32_t state[8], const uint8_t* blocks, size_t nblocks) {
  for (; nblocks > 0; --nblocks, blocks += 64) {
    uint32_t w[64];
    for (int t = 0; t < 16; ++t) w[t] = ReadBE32(blocks + 4 * t);
    for (int t = 16; t < 64; ++t)
      w[t] = SmallSigma1(w[t - 2]) + w[t - 7] + SmallSigma0(w[t - 15]) + w[t - 16];
    for (int t = 0; t < 64; ++t) w[t] += kK[t];
    RoundsPortable(state, w);
  }
}

void PairPortable(const uint8_t* in64, uint8_t* out32) {
  uint32_t state[8];
  std::memcpy(state, kIv, sizeof(state));
  TransformPortable(state, in64, 1);
  RoundsPortable(state, kPad64Wk.data());
  StoreDigest(state, out32);
}

}  // namespace sha256_internal

namespace {

namespace si = sha256_internal;

// One back end: how single messages are compressed and how batches run.
struct Backend {
  Sha256Impl impl;
  const char* name;
  void (*transform)(uint32_t state[8], const uint8_t* blocks, size_t nblocks);
  void (*pair)(const uint8_t* in64, uint8_t* out32);
  void (*pair_batch)(const uint8_t* in, uint8_t* out, size_t count);
  void (*batch)(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out);
  void (*counter_blocks)(const uint8_t* seed32, uint32_t first, size_t count, uint8_t* out);
};

void HashOne(void (*transform)(uint32_t*, const uint8_t*, size_t), const uint8_t* msg, size_t len,
             uint8_t* out32) {
  uint32_t state[8];
  std::memcpy(state, si::kIv, sizeof(state));
  transform(state, msg, len / 64);
  uint8_t tail[128];
  transform(state, tail, si::BuildTail(msg, len, tail));
  for (int i = 0; i < 8; ++i) WriteBE32(out32 + 4 * i, state[i]);
}

void PairBatchPortable(const uint8_t* in, uint8_t* out, size_t count) {
  for (size_t i = 0; i < count; ++i) si::PairPortable(in + 64 * i, out + 32 * i);
}

void BatchPortable(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) {
  for (size_t i = 0; i < count; ++i)
    HashOne(si::TransformPortable, in + msg_len * i, msg_len, out + 32 * i);
}

void PairBatchShaNi(const uint8_t* in, uint8_t* out, size_t count) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4) si::PairShaNi4(in + 64 * i, out + 32 * i);
  if (i + 2 <= count) {
    si::PairShaNi2(in + 64 * i, out + 32 * i);
    i += 2;
  }
  if (i < count) si::PairShaNi(in + 64 * i, out + 32 * i);
}

// Hashes `N` equal-length messages starting at `in` with interleaved streams.
template <size_t N>
void HashStreamsShaNi(const uint8_t* in, size_t msg_len, uint8_t* out,
                      void (*transform)(uint32_t* const*, const uint8_t* const*, size_t)) {
  uint32_t state[N][8];
  uint32_t* states[N];
  const uint8_t* msgs[N];
  uint8_t tails[N][128];
  const uint8_t* tail_ptrs[N];
  size_t tail_blocks = 0;
  for (size_t j = 0; j < N; ++j) {
    std::memcpy(state[j], si::kIv, sizeof(state[j]));
    states[j] = state[j];
    msgs[j] = in + msg_len * j;
    tail_blocks = si::BuildTail(msgs[j], msg_len, tails[j]);
    tail_ptrs[j] = tails[j];
  }
  transform(states, msgs, msg_len / 64);
  transform(states, tail_ptrs, tail_blocks);
  for (size_t j = 0; j < N; ++j)
    for (int w = 0; w < 8; ++w) WriteBE32(out + 32 * j + 4 * w, state[j][w]);
}

void BatchShaNi(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4)
    HashStreamsShaNi<4>(in + msg_len * i, msg_len, out + 32 * i, si::TransformShaNi4);
  if (i + 2 <= count) {
    HashStreamsShaNi<2>(in + msg_len * i, msg_len, out + 32 * i, si::TransformShaNi2);
    i += 2;
  }
  if (i < count) HashOne(si::TransformShaNi, in + msg_len * i, msg_len, out + 32 * i);
}

void PairBatchAvx2(const uint8_t* in, uint8_t* out, size_t count) {
  size_t i = 0;
  for (; i + 8 <= count; i += 8) si::PairAvx2x8(in + 64 * i, out + 32 * i);
  if (i == count) return;
  // Fill the unused lanes with copies of the last pair; their digests are dropped.
  uint8_t lanes_in[8 * 64];
  uint8_t lanes_out[8 * 32];
  const size_t rest = count - i;
  std::memcpy(lanes_in, in + 64 * i, 64 * rest);
  for (size_t l = rest; l < 8; ++l) std::memcpy(lanes_in + 64 * l, in + 64 * (count - 1), 64);
  si::PairAvx2x8(lanes_in, lanes_out);
  std::memcpy(out + 32 * i, lanes_out, 32 * rest);
}

void BatchAvx2(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) {
  const size_t full_blocks = msg_len / 64;
  for (size_t i = 0; i < count; i += 8) {
    const size_t lanes = count - i < 8 ? count - i : 8;
    uint32_t state[8][8];
    for (int w = 0; w < 8; ++w)
      for (int l = 0; l < 8; ++l) state[w][l] = si::kIv[w];
    // Unused lanes repeat the last message; their digests are dropped.
    const uint8_t* msg[8];
    for (size_t l = 0; l < 8; ++l) msg[l] = in + msg_len * (i + (l < lanes ? l : lanes - 1));
    const uint8_t* ptrs[8];
    for (size_t b = 0; b < full_blocks; ++b) {
      for (int l = 0; l < 8; ++l) ptrs[l] = msg[l] + 64 * b;
      si::TransformAvx2x8(state, ptrs);
    }
    uint8_t tails[8][128];
    size_t tail_blocks = 0;
    for (int l = 0; l < 8; ++l) tail_blocks = si::BuildTail(msg[l], msg_len, tails[l]);
    for (size_t b = 0; b < tail_blocks; ++b) {
      for (int l = 0; l < 8; ++l) ptrs[l] = tails[l] + 64 * b;
      si::TransformAvx2x8(state, ptrs);
    }
    for (size_t l = 0; l < lanes; ++l)
      for (int w = 0; w < 8; ++w) WriteBE32(out + 32 * (i + l) + 4 * w, state[w][l]);
  }
}

// The 36-byte messages seed || BE32(counter), hashed by a back end's batch
// path, 64 at a time.
template <void (*BatchFn)(const uint8_t*, size_t, size_t, uint8_t*)>
void CounterBlocksByBatch(const uint8_t* seed32, uint32_t first, size_t count, uint8_t* out) {
  constexpr size_t kLen = 36;
  constexpr size_t kChunk = 64;
  uint8_t messages[kChunk * kLen];
  for (size_t done = 0; done < count; done += kChunk) {
    const size_t n = count - done < kChunk ? count - done : kChunk;
    for (size_t i = 0; i < n; ++i) {
      std::memcpy(messages + i * kLen, seed32, 32);
      WriteBE32(messages + i * kLen + 32, first + static_cast<uint32_t>(done + i));
    }
    BatchFn(messages, kLen, n, out + 32 * done);
  }
}

constexpr Backend kPortableBackend = {Sha256Impl::kPortable,
                                      "portable",
                                      si::TransformPortable,
                                      si::PairPortable,
                                      PairBatchPortable,
                                      BatchPortable,
                                      CounterBlocksByBatch<BatchPortable>};
constexpr Backend kShaNiBackend = {Sha256Impl::kShaNi,    "sha-ni",       si::TransformShaNi,
                                   si::PairShaNi,         PairBatchShaNi, BatchShaNi,
                                   si::CounterBlocksShaNi};
// AVX2 only helps many messages at once; single messages stay portable.
constexpr Backend kAvx2Backend = {
    Sha256Impl::kAvx2, "avx2-8way", si::TransformPortable,          si::PairPortable,
    PairBatchAvx2,     BatchAvx2,   CounterBlocksByBatch<BatchAvx2>};

struct Selection {
  const Backend* single;
  const Backend* batch;
};

// Measured on AMD Zen 4 (see bench/crypto_bench.cpp): four interleaved SHA-NI
// streams give about 2x the pairs/s of eight AVX2 lanes for batches, so SHA-NI serves both where
// present and AVX2 is the batch fallback on CPUs without SHA extensions.
Selection AutoSelection() {
  if (si::CpuHasShaNi()) return {&kShaNiBackend, &kShaNiBackend};
  if (si::CpuHasAvx2()) return {&kPortableBackend, &kAvx2Backend};
  return {&kPortableBackend, &kPortableBackend};
}

// The selection is computed once; Sha256ForceImpl may swap it for tests and
// benchmarks, so it is atomic rather than a plain constant.
struct ActiveSelection {
  std::atomic<const Backend*> single;
  std::atomic<const Backend*> batch;
};

ActiveSelection& Active() {
  static ActiveSelection active{AutoSelection().single, AutoSelection().batch};
  return active;
}

const Backend& Single() { return *Active().single.load(std::memory_order_relaxed); }
const Backend& Batch() { return *Active().batch.load(std::memory_order_relaxed); }

}  // namespace

Sha256::Sha256() { Reset(); }

Sha256& Sha256::Reset() {
  std::memcpy(state_, si::kIv, sizeof(state_));
  bytes_ = 0;
  return *this;
}

Sha256& Sha256::Write(const uint8_t* data, size_t len) {
  // An empty span may carry a null pointer, and memcpy from null is
  // undefined even for zero bytes (UBSan, via LtHash of an empty value).
  if (len == 0) return *this;
  const auto transform = Single().transform;
  size_t used = bytes_ % kBlockSize;
  bytes_ += len;
  if (used > 0) {
    const size_t take = len < kBlockSize - used ? len : kBlockSize - used;
    std::memcpy(buf_ + used, data, take);
    data += take;
    len -= take;
    used += take;
    if (used < kBlockSize) return *this;
    transform(state_, buf_, 1);
  }
  if (len >= kBlockSize) {
    transform(state_, data, len / kBlockSize);
    data += len - len % kBlockSize;
    len %= kBlockSize;
  }
  if (len > 0) std::memcpy(buf_, data, len);
  return *this;
}

void Sha256::Finalize(uint8_t out[kOutputSize]) {
  uint8_t tail[128];
  const size_t used = bytes_ % kBlockSize;
  if (used > 0) std::memcpy(tail, buf_, used);
  tail[used] = 0x80;
  const size_t blocks = used < 56 ? 1 : 2;
  std::memset(tail + used + 1, 0, blocks * 64 - used - 1 - 8);
  WriteBE64(tail + blocks * 64 - 8, bytes_ * 8);
  Single().transform(state_, tail, blocks);
  for (int i = 0; i < 8; ++i) WriteBE32(out + 4 * i, state_[i]);
  Reset();
}

Hash256 Sha256::Finalize() {
  Hash256 out;
  Finalize(out.data());
  return out;
}

Hash256 Sha256Hash(ByteSpan data) {
  Hash256 out;
  HashOne(Single().transform, data.data(), data.size(), out.data());
  return out;
}

Hash256 Sha256dHash(ByteSpan data) {
  const auto transform = Single().transform;
  uint8_t block[64];
  HashOne(transform, data.data(), data.size(), block);
  // The second hash is always one block: the 32-byte digest plus fixed padding.
  block[32] = 0x80;
  std::memset(block + 33, 0, 64 - 33 - 8);
  WriteBE64(block + 56, 256);
  uint32_t state[8];
  std::memcpy(state, si::kIv, sizeof(state));
  transform(state, block, 1);
  Hash256 out;
  for (int i = 0; i < 8; ++i) WriteBE32(out.data() + 4 * i, state[i]);
  return out;
}

void Sha256Pair(const uint8_t* left32, const uint8_t* right32, uint8_t* out32) {
  uint8_t block[64];
  std::memcpy(block, left32, 32);
  std::memcpy(block + 32, right32, 32);
  Single().pair(block, out32);
}

void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count) {
  Batch().pair_batch(in, out, count);
}

void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) {
  if (msg_len == 64) {
    Batch().pair_batch(in, out, count);
    return;
  }
  Batch().batch(in, msg_len, count, out);
}

void Sha256CounterBlocks(const uint8_t seed[32], size_t count, uint8_t* out) {
  Batch().counter_blocks(seed, 0, count, out);
}

void Sha256Transform(uint32_t state[8], const uint8_t* blocks, size_t nblocks) {
  Single().transform(state, blocks, nblocks);
}

std::string Sha256ImplName() { return Single().name; }
std::string Sha256BatchImplName() { return Batch().name; }

bool Sha256ForceImpl(Sha256Impl impl) {
  const Backend* backend = nullptr;
  switch (impl) {
    case Sha256Impl::kPortable:
      backend = &kPortableBackend;
      break;
    case Sha256Impl::kShaNi:
      if (!si::CpuHasShaNi()) return false;
      backend = &kShaNiBackend;
      break;
    case Sha256Impl::kAvx2:
      if (!si::CpuHasAvx2()) return false;
      backend = &kAvx2Backend;
      break;
  }
  if (backend == nullptr) return false;
  Active().single.store(backend, std::memory_order_relaxed);
  Active().batch.store(backend, std::memory_order_relaxed);
  return true;
}

void Sha256ResetImpl() {
  const Selection auto_selection = AutoSelection();
  Active().single.store(auto_selection.single, std::memory_order_relaxed);
  Active().batch.store(auto_selection.batch, std::memory_order_relaxed);
}

}  // namespace depin::crypto

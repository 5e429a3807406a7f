#include "primitives/block.h"

#include <algorithm>
#include <thread>

#include "crypto/keccak.h"
#include "crypto/sha256.h"

namespace depin {
namespace {

// Below this many txs per thread, starting threads costs more than it saves.
constexpr size_t kMinTxsPerThread = 16;

// Smallest possible tx record: a 4-byte length and a 1-byte envelope. Used to
// reject absurd counts before reserving memory for them.
constexpr size_t kMinTxRecordSize = 5;

Status Err(const char* code, std::string msg) { return Status::Error(code, std::move(msg)); }

Status TxError(size_t index, const Status& s) {
  return Status::Error(s.code(), "tx " + std::to_string(index) + ": " + s.message());
}

struct DecodedTx {
  Transaction tx;
  ByteSpan envelope;
};

// Recovers senders of txs[begin, end) into out[i]; stops at its first failure
// and reports it in `error` (with its index), leaving later slots empty.
void RecoverRange(std::vector<DecodedTx>& txs, std::vector<TxRef>& out, size_t begin, size_t end,
                  size_t* error_index, Status* error) {
  for (size_t i = begin; i < end; ++i) {
    auto sender = txs[i].tx.RecoverSender();
    if (!sender) {
      *error_index = i;
      *error = sender.status();
      return;
    }
    auto vtx = std::make_shared<VerifiedTx>();
    vtx->hash = crypto::Keccak256Hash(txs[i].envelope);
    vtx->size = txs[i].envelope.size();
    vtx->sender = *sender;
    vtx->tx = std::move(txs[i].tx);
    out[i] = std::move(vtx);
  }
}

}  // namespace

void BlockHeader::SerializeTo(uint8_t out[kSerializedSize]) const {
  uint8_t* p = out;
  WriteLE32(p, version);
  p += 4;
  WriteLE64(p, height);
  p += 8;
  for (const Hash256* h : {&parent_hash, &tx_root, &receipts_root, &state_root}) {
    std::memcpy(p, h->data(), 32);
    p += 32;
  }
  std::memcpy(p, miner.data(), Address::kSize);
  p += Address::kSize;
  WriteLE64(p, timestamp);
  p += 8;
  WriteLE32(p, bits);
  p += 4;
  WriteLE64(p, gas_limit);
  p += 8;
  WriteLE64(p, gas_used);
  p += 8;
  base_fee.ToLittleEndian32(p);
  p += 32;
  std::memcpy(p, extra.data(), 32);
  p += 32;
  WriteLE64(p, nonce);
}

Bytes BlockHeader::Serialize() const {
  Bytes out(kSerializedSize);
  SerializeTo(out.data());
  return out;
}

Result<BlockHeader> BlockHeader::Deserialize(ByteSpan data) {
  if (data.size() != kSerializedSize) {
    return Err("header-bad-size", "header must be " + std::to_string(kSerializedSize) + " bytes");
  }
  const uint8_t* p = data.data();
  BlockHeader h;
  h.version = ReadLE32(p);
  p += 4;
  h.height = ReadLE64(p);
  p += 8;
  for (Hash256* x : {&h.parent_hash, &h.tx_root, &h.receipts_root, &h.state_root}) {
    *x = Hash256(p);
    p += 32;
  }
  h.miner = Address(p);
  p += Address::kSize;
  h.timestamp = ReadLE64(p);
  p += 8;
  h.bits = ReadLE32(p);
  p += 4;
  h.gas_limit = ReadLE64(p);
  p += 8;
  h.gas_used = ReadLE64(p);
  p += 8;
  h.base_fee = Uint256::FromLittleEndian32(p);
  p += 32;
  h.extra = Hash256(p);
  p += 32;
  h.nonce = ReadLE64(p);
  return h;
}

Hash256 BlockHeader::Hash() const {
  uint8_t buf[kSerializedSize];
  SerializeTo(buf);
  return crypto::Sha256dHash(ByteSpan(buf, kSerializedSize));
}

bool HashMeetsTarget(const Hash256& hash, const Uint256& target) {
  return Uint256::FromBigEndian32(hash.data()) <= target;
}

size_t Block::SerializedSize() const {
  size_t size = BlockHeader::kSerializedSize + 4;
  for (const TxRef& tx : txs) size += 4 + tx->size;
  return size;
}

Bytes Block::Serialize() const {
  Bytes out(BlockHeader::kSerializedSize + 4);
  out.reserve(SerializedSize());
  header.SerializeTo(out.data());
  WriteLE32(out.data() + BlockHeader::kSerializedSize, static_cast<uint32_t>(txs.size()));
  for (const TxRef& tx : txs) {
    Bytes env = tx->tx.Encode();
    uint8_t len[4];
    WriteLE32(len, static_cast<uint32_t>(env.size()));
    out.insert(out.end(), len, len + 4);
    out.insert(out.end(), env.begin(), env.end());
  }
  return out;
}

Result<Block> DecodeBlock(ByteSpan data, size_t max_size) {
  return DecodeBlock(data, max_size, /*recovery_threads=*/1);
}

Result<std::vector<Hash256>> DecodeBlockTxHashes(ByteSpan data, size_t max_size) {
  if (data.size() > max_size) {
    return Err("block-too-large", "block exceeds " + std::to_string(max_size) + " bytes");
  }
  if (data.size() < BlockHeader::kSerializedSize + 4) {
    return Err("block-truncated", "block shorter than header and tx count");
  }
  ByteSpan rest = data.subspan(BlockHeader::kSerializedSize);
  const uint32_t count = ReadLE32(rest.data());
  rest = rest.subspan(4);
  if (count > rest.size() / kMinTxRecordSize) {
    return Err("block-truncated", "tx count exceeds what the block can hold");
  }
  std::vector<Hash256> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (rest.size() < 4) return Err("block-truncated", "tx length cut short");
    const uint32_t len = ReadLE32(rest.data());
    rest = rest.subspan(4);
    if (len > rest.size()) return Err("block-truncated", "tx envelope exceeds the block");
    out.push_back(crypto::Keccak256Hash(rest.first(len)));
    rest = rest.subspan(len);
  }
  if (!rest.empty()) return Err("block-trailing-bytes", "bytes follow the last tx");
  return out;
}

Result<Block> DecodeBlock(ByteSpan data, size_t max_size, unsigned recovery_threads) {
  if (data.size() > max_size) {
    return Err("block-too-large", "block exceeds " + std::to_string(max_size) + " bytes");
  }
  if (data.size() < BlockHeader::kSerializedSize + 4) {
    return Err("block-truncated", "block shorter than header and tx count");
  }
  Block block;
  block.header = *BlockHeader::Deserialize(data.first(BlockHeader::kSerializedSize));
  ByteSpan rest = data.subspan(BlockHeader::kSerializedSize);
  uint32_t count = ReadLE32(rest.data());
  rest = rest.subspan(4);
  if (count > rest.size() / kMinTxRecordSize) {
    return Err("block-truncated", "tx count exceeds what the block can hold");
  }

  std::vector<DecodedTx> decoded;
  decoded.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (rest.size() < 4) return Err("block-truncated", "tx length cut short");
    uint32_t len = ReadLE32(rest.data());
    rest = rest.subspan(4);
    if (len > rest.size()) return Err("block-truncated", "tx envelope exceeds the block");
    ByteSpan envelope = rest.first(len);
    rest = rest.subspan(len);
    auto tx = DecodeTransaction(envelope);
    if (!tx) return TxError(i, tx.status());
    decoded.push_back(DecodedTx{std::move(*tx), envelope});
  }
  if (!rest.empty()) return Err("block-trailing-bytes", "bytes follow the last tx");

  // Each chunk stops at its own first failure; the lowest failing index wins,
  // which is the same tx a sequential pass would report.
  size_t n = decoded.size();
  size_t threads = std::max<size_t>(1, std::min<size_t>(recovery_threads, n / kMinTxsPerThread));
  std::vector<TxRef> out(n);
  std::vector<size_t> error_index(threads, n);
  std::vector<Status> errors(threads);
  size_t chunk = (n + threads - 1) / threads;
  if (threads <= 1) {
    RecoverRange(decoded, out, 0, n, &error_index[0], &errors[0]);
  } else {
    std::vector<std::thread> workers;
    workers.reserve(threads);
    for (size_t t = 0; t < threads; ++t) {
      size_t begin = std::min(n, t * chunk);
      size_t end = std::min(n, begin + chunk);
      workers.emplace_back(RecoverRange, std::ref(decoded), std::ref(out), begin, end,
                           &error_index[t], &errors[t]);
    }
    for (std::thread& w : workers) w.join();
  }
  for (size_t t = 0; t < threads; ++t) {
    if (error_index[t] != n) return TxError(error_index[t], errors[t]);
  }
  block.txs = std::move(out);
  return block;
}

}  // namespace depin

#include "primitives/receipt.h"

#include "crypto/keccak.h"
#include "primitives/rlp.h"

namespace depin {
namespace {

constexpr size_t kMaxTopics = 4;

Status Err(const char* code, const char* msg) { return Status::Error(code, msg); }

// The three bloom bit positions of an item: the low 11 bits of each of the
// first three big-endian byte pairs of keccak256(item).
void BloomBits(ByteSpan item, unsigned out[3]) {
  Hash256 h = crypto::Keccak256Hash(item);
  for (int i = 0; i < 3; ++i) {
    out[i] = ((static_cast<unsigned>(h[2 * i]) << 8) | h[2 * i + 1]) & 2047;
  }
}

Status ReadLog(rlp::ListReader& logs, Log& out) {
  auto log = logs.ReadList();
  if (!log) return log.status();
  auto addr = log->ReadBytes();
  if (!addr) return addr.status();
  if (addr->size() != Address::kSize) return Err("receipt-bad-log", "log address must be 20 bytes");
  out.address = Address(addr->data());
  auto topics = log->ReadList();
  if (!topics) return topics.status();
  while (!topics->AtEnd()) {
    auto topic = topics->ReadBytes();
    if (!topic) return topic.status();
    if (topic->size() != Hash256::kSize) return Err("receipt-bad-log", "topic must be 32 bytes");
    if (out.topics.size() == kMaxTopics) return Err("receipt-bad-log", "more than 4 topics");
    out.topics.emplace_back(topic->data());
  }
  auto data = log->ReadBytes();
  if (!data) return data.status();
  out.data.assign(data->begin(), data->end());
  return log->ExpectEnd();
}

}  // namespace

void BloomAdd(Bloom& bloom, ByteSpan item) {
  unsigned bits[3];
  BloomBits(item, bits);
  // The bloom is a 2048-bit big-endian number: bit 0 is in the last byte.
  for (unsigned b : bits) bloom[255 - b / 8] |= static_cast<uint8_t>(1u << (b % 8));
}

bool BloomMayContain(const Bloom& bloom, ByteSpan item) {
  unsigned bits[3];
  BloomBits(item, bits);
  for (unsigned b : bits) {
    if ((bloom[255 - b / 8] & (1u << (b % 8))) == 0) return false;
  }
  return true;
}

Bloom LogsBloom(const std::vector<Log>& logs) {
  Bloom bloom;
  for (const Log& log : logs) {
    BloomAdd(bloom, log.address.span());
    for (const Hash256& topic : log.topics) BloomAdd(bloom, topic.span());
  }
  return bloom;
}

Bytes Receipt::Encode() const {
  rlp::Encoder e;
  // Type, list headers, status, gas and the bloom take under 300 bytes.
  size_t size = 300;
  for (const Log& log : logs) size += 32 + 33 * log.topics.size() + 9 + log.data.size();
  e.Reserve(size);
  if (type != TxType::kLegacy) e.AddRaw(Bytes{static_cast<uint8_t>(type)});
  // Status is an integer: 1 encodes as 0x01, 0 as the empty string 0x80.
  e.BeginList().AddUint(uint64_t{status}).AddUint(cumulative_gas_used).AddBytes(bloom.span());
  e.BeginList();
  for (const Log& log : logs) {
    e.BeginList().AddBytes(log.address.span()).BeginList();
    for (const Hash256& topic : log.topics) e.AddBytes(topic.span());
    e.EndList().AddBytes(log.data).EndList();
  }
  e.EndList().EndList();
  return e.Finish();
}

Result<Receipt> DecodeReceipt(ByteSpan data) {
  if (data.empty()) return Err("receipt-empty", "empty receipt");
  Receipt receipt;
  if (data[0] >= 0xc0) {
    receipt.type = TxType::kLegacy;
  } else if (data[0] == static_cast<uint8_t>(TxType::kDynamicFee) ||
             data[0] == static_cast<uint8_t>(TxType::kAccessList)) {
    receipt.type = static_cast<TxType>(data[0]);
    data = data.subspan(1);
  } else {
    return Err("receipt-type-unsupported", "unknown receipt type");
  }
  auto r = rlp::ListReader::FromList(data);
  if (!r) return r.status();
  auto status = r->ReadUint64();
  if (!status) return status.status();
  // Pre-Byzantium receipts carried a state root here; this chain never did.
  if (*status > 1) return Err("receipt-bad-status", "status must be 0 or 1");
  receipt.status = static_cast<uint8_t>(*status);
  auto cumulative = r->ReadUint64();
  if (!cumulative) return cumulative.status();
  receipt.cumulative_gas_used = *cumulative;
  auto bloom = r->ReadBytes();
  if (!bloom) return bloom.status();
  if (bloom->size() != Bloom::kSize) return Err("receipt-bad-bloom", "bloom must be 256 bytes");
  receipt.bloom = Bloom(bloom->data());
  auto logs = r->ReadList();
  if (!logs) return logs.status();
  while (!logs->AtEnd()) {
    Log log;
    DEPIN_RETURN_IF_ERROR(ReadLog(*logs, log));
    receipt.logs.push_back(std::move(log));
  }
  DEPIN_RETURN_IF_ERROR(r->ExpectEnd());
  return receipt;
}

}  // namespace depin

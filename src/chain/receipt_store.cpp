#include "chain/receipt_store.h"

namespace depin::chain {

Bytes EncodeReceipts(const std::vector<Receipt>& receipts, const std::vector<Bytes>& encoded) {
  size_t size = 4;
  for (const Bytes& enc : encoded) size += 12 + enc.size();
  Bytes out(4);
  out.reserve(size);
  WriteLE32(out.data(), static_cast<uint32_t>(receipts.size()));
  for (size_t i = 0; i < receipts.size(); ++i) {
    const Bytes& enc = encoded[i];
    size_t at = out.size();
    out.resize(at + 12);
    WriteLE64(out.data() + at, receipts[i].gas_used);
    WriteLE32(out.data() + at + 8, static_cast<uint32_t>(enc.size()));
    out.insert(out.end(), enc.begin(), enc.end());
  }
  return out;
}

Result<std::vector<Receipt>> DecodeReceipts(ByteSpan data) {
  auto bad = [] {
    return Status::Corruption("receipts-bad-encoding", "stored receipts are damaged");
  };
  if (data.size() < 4) return bad();
  const uint32_t count = ReadLE32(data.data());
  size_t at = 4;
  if (count > data.size() / 12) return bad();
  std::vector<Receipt> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (data.size() - at < 12) return bad();
    const uint64_t gas_used = ReadLE64(data.data() + at);
    const uint32_t len = ReadLE32(data.data() + at + 8);
    at += 12;
    if (data.size() - at < len) return bad();
    auto r = DecodeReceipt(data.subspan(at, len));
    if (!r.ok()) return bad();
    at += len;
    r->gas_used = gas_used;
    out.push_back(std::move(r).value());
  }
  if (at != data.size()) return bad();
  return out;
}

}  // namespace depin::chain

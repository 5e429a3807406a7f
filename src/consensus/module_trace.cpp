#include "consensus/module_trace.h"

#include <algorithm>

namespace depin::consensus {

namespace {

constexpr uint8_t kTraceVersion = 1;
constexpr size_t kFixedEntrySize = 4 + 1 + 2 + 1 + 20 + 20 + 32 + 4;

}  // namespace

Bytes EncodeBlockTrace(const BlockTrace& trace) {
  size_t size = 5;
  for (const BlockTraceEntry& e : trace) size += kFixedEntrySize + e.record.input.size();
  Bytes out(5);
  out.reserve(size);
  out[0] = kTraceVersion;
  WriteLE32(out.data() + 1, static_cast<uint32_t>(trace.size()));
  for (const BlockTraceEntry& e : trace) {
    const TraceRecord& r = e.record;
    const size_t at = out.size();
    out.resize(at + kFixedEntrySize);
    uint8_t* p = out.data() + at;
    WriteLE32(p, e.position);
    p[4] = static_cast<uint8_t>(r.kind);
    p[5] = static_cast<uint8_t>(r.depth & 0xFF);
    p[6] = static_cast<uint8_t>(r.depth >> 8);
    p[7] = r.success ? 1 : 0;
    std::copy(r.from.begin(), r.from.end(), p + 8);
    std::copy(r.to.begin(), r.to.end(), p + 28);
    r.value.ToBigEndian32(p + 48);
    WriteLE32(p + 80, static_cast<uint32_t>(r.input.size()));
    out.insert(out.end(), r.input.begin(), r.input.end());
  }
  return out;
}

Result<BlockTrace> DecodeBlockTrace(ByteSpan data) {
  auto bad = [] {
    return Status::Corruption("trace-bad-encoding", "stored module trace is damaged");
  };
  if (data.size() < 5 || data[0] != kTraceVersion) return bad();
  const uint32_t count = ReadLE32(data.data() + 1);
  if (count > (data.size() - 5) / kFixedEntrySize) return bad();
  BlockTrace out;
  out.reserve(count);
  size_t at = 5;
  for (uint32_t i = 0; i < count; ++i) {
    if (data.size() - at < kFixedEntrySize) return bad();
    const uint8_t* p = data.data() + at;
    BlockTraceEntry e;
    e.position = ReadLE32(p);
    if (p[4] > static_cast<uint8_t>(TraceKind::kCall) || p[7] > 1) return bad();
    e.record.kind = static_cast<TraceKind>(p[4]);
    e.record.depth = static_cast<uint16_t>(p[5] | (p[6] << 8));
    e.record.success = p[7] == 1;
    e.record.from = Address(p + 8);
    e.record.to = Address(p + 28);
    e.record.value = Uint256::FromBigEndian32(p + 48);
    const uint32_t len = ReadLE32(p + 80);
    at += kFixedEntrySize;
    if (data.size() - at < len) return bad();
    e.record.input.assign(data.begin() + static_cast<std::ptrdiff_t>(at),
                          data.begin() + static_cast<std::ptrdiff_t>(at + len));
    at += len;
    out.push_back(std::move(e));
  }
  if (at != data.size()) return bad();
  return out;
}

}  // namespace depin::consensus

#include "net/protocol.h"

#include <cstring>

#include "crypto/sha256.h"

namespace depin::net {

namespace {

// Appends fixed-width little-endian fields.
class Writer {
 public:
  void U8(uint8_t v) { out_.push_back(v); }
  void U16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v));
    out_.push_back(static_cast<uint8_t>(v >> 8));
  }
  void U32(uint32_t v) {
    size_t at = Grow(4);
    WriteLE32(out_.data() + at, v);
  }
  void U64(uint64_t v) {
    size_t at = Grow(8);
    WriteLE64(out_.data() + at, v);
  }
  void Raw(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }
  Bytes Take() { return std::move(out_); }

 private:
  size_t Grow(size_t n) {
    size_t at = out_.size();
    out_.resize(at + n);
    return at;
  }
  Bytes out_;
};

// Reads fixed-width little-endian fields; every read past the end sets a
// sticky failure so decoders check once at the end.
class Reader {
 public:
  explicit Reader(ByteSpan data) : data_(data) {}
  bool Need(size_t n) {
    if (failed_ || data_.size() - pos_ < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  uint8_t U8() { return Need(1) ? data_[pos_++] : 0; }
  uint16_t U16() {
    if (!Need(2)) return 0;
    uint16_t v = static_cast<uint16_t>(data_[pos_] | (data_[pos_ + 1] << 8));
    pos_ += 2;
    return v;
  }
  uint32_t U32() {
    if (!Need(4)) return 0;
    uint32_t v = ReadLE32(data_.data() + pos_);
    pos_ += 4;
    return v;
  }
  uint64_t U64() {
    if (!Need(8)) return 0;
    uint64_t v = ReadLE64(data_.data() + pos_);
    pos_ += 8;
    return v;
  }
  ByteSpan Raw(size_t n) {
    if (!Need(n)) return {};
    ByteSpan s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  Hash256 Hash() {
    ByteSpan s = Raw(32);
    return s.size() == 32 ? Hash256(s.data()) : Hash256();
  }
  size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool failed() const { return failed_; }
  // Ok when every read succeeded and nothing is left over.
  Status Finish(std::string_view what) const {
    if (failed_) return Status::Error("msg-truncated", std::string(what) + " payload is truncated");
    if (pos_ != data_.size())
      return Status::Error("msg-trailing-bytes", std::string(what) + " payload has trailing bytes");
    return Status::Ok();
  }

 private:
  ByteSpan data_;
  size_t pos_ = 0;
  bool failed_ = false;
};

void WriteAddress(Writer& w, const NetAddress& a) {
  w.Raw(ByteSpan(a.ip.data(), a.ip.size()));
  w.U16(a.port);
}

NetAddress ReadAddress(Reader& r) {
  NetAddress a;
  ByteSpan ip = r.Raw(16);
  if (ip.size() == 16) std::memcpy(a.ip.data(), ip.data(), 16);
  a.port = r.U16();
  return a;
}

// Counts are u32; a count the remaining bytes cannot hold fails before any
// allocation sized by it.
Result<size_t> ReadCount(Reader& r, size_t max, size_t item_size, std::string_view what,
                         std::string_view too_many_code) {
  uint32_t count = r.U32();
  if (r.failed())
    return Status::Error("msg-truncated", std::string(what) + " payload is truncated");
  if (count > max)
    return Status::Error(StatusKind::kLimitExceeded, std::string(too_many_code),
                         std::string(what) + " carries " + std::to_string(count) + " items");
  if (r.remaining() < size_t{count} * item_size)
    return Status::Error("msg-truncated", std::string(what) + " payload is truncated");
  return static_cast<size_t>(count);
}

}  // namespace

std::array<uint8_t, 4> PayloadChecksum(ByteSpan payload) {
  Hash256 h = crypto::Sha256dHash(payload);
  return {h[0], h[1], h[2], h[3]};
}

Result<MessageHeader> DecodeMessageHeader(ByteSpan data, const Magic& magic, size_t max_payload) {
  if (data.size() != kMessageHeaderSize)
    return Status::Error("frame-truncated", "message header must be 24 bytes");
  MessageHeader h;
  std::memcpy(h.magic.data(), data.data(), 4);
  if (h.magic != magic)
    return Status::Error(StatusKind::kWrongNetwork, "frame-bad-magic",
                         "network magic does not match");
  const uint8_t* cmd = data.data() + 4;
  size_t len = 0;
  while (len < kCommandSize && cmd[len] != 0) {
    if (cmd[len] < 0x20 || cmd[len] > 0x7e)
      return Status::Error("frame-bad-command", "command has non-printable bytes");
    ++len;
  }
  if (len == 0) return Status::Error("frame-bad-command", "empty command");
  for (size_t i = len; i < kCommandSize; ++i) {
    if (cmd[i] != 0) return Status::Error("frame-bad-command", "command padding is not NUL");
  }
  h.command.assign(reinterpret_cast<const char*>(cmd), len);
  h.length = ReadLE32(data.data() + 16);
  if (h.length > max_payload) {
    return Status::Error(StatusKind::kLimitExceeded, "frame-oversized",
                         "payload of " + std::to_string(h.length) + " bytes exceeds the limit of " +
                             std::to_string(max_payload));
  }
  std::memcpy(h.checksum.data(), data.data() + 20, 4);
  return h;
}

Status VerifyPayload(const MessageHeader& header, ByteSpan payload) {
  if (payload.size() != header.length)
    return Status::Error("frame-truncated", "payload length differs from the header's");
  if (PayloadChecksum(payload) != header.checksum)
    return Status::Error(StatusKind::kMutated, "frame-bad-checksum", "payload checksum mismatch");
  return Status::Ok();
}

Bytes EncodeMessage(const Magic& magic, std::string_view command, ByteSpan payload) {
  Bytes out(kMessageHeaderSize + payload.size(), 0);
  std::memcpy(out.data(), magic.data(), 4);
  std::memcpy(out.data() + 4, command.data(), std::min(command.size(), kCommandSize));
  WriteLE32(out.data() + 16, static_cast<uint32_t>(payload.size()));
  auto sum = PayloadChecksum(payload);
  std::memcpy(out.data() + 20, sum.data(), 4);
  if (!payload.empty())
    std::memcpy(out.data() + kMessageHeaderSize, payload.data(), payload.size());
  return out;
}

Bytes EncodeVersion(const VersionMessage& m) {
  Writer w;
  w.U32(m.version);
  w.U64(m.services);
  w.U64(m.timestamp);
  w.U64(m.chain_id);
  w.Raw(m.genesis_hash.span());
  w.U64(m.best_height);
  w.U64(m.nonce);
  w.U16(m.listen_port);
  WriteAddress(w, m.addr_recv);
  size_t n = std::min(m.user_agent.size(), kMaxUserAgentLength);
  w.U16(static_cast<uint16_t>(n));
  w.Raw(AsSpan(std::string_view(m.user_agent).substr(0, n)));
  return w.Take();
}

Result<VersionMessage> DecodeVersion(ByteSpan payload) {
  Reader r(payload);
  VersionMessage m;
  m.version = r.U32();
  m.services = r.U64();
  m.timestamp = r.U64();
  m.chain_id = r.U64();
  m.genesis_hash = r.Hash();
  m.best_height = r.U64();
  m.nonce = r.U64();
  m.listen_port = r.U16();
  m.addr_recv = ReadAddress(r);
  uint16_t ua_len = r.U16();
  if (ua_len > kMaxUserAgentLength)
    return Status::Error("msg-bad-version", "user agent longer than 256 bytes");
  ByteSpan ua = r.Raw(ua_len);
  for (uint8_t c : ua) {
    if (c < 0x20 || c > 0x7e) return Status::Error("msg-bad-version", "user agent not printable");
  }
  m.user_agent.assign(ua.begin(), ua.end());
  DEPIN_RETURN_IF_ERROR(r.Finish("version"));
  return m;
}

Bytes EncodeNonce(uint64_t nonce) {
  Writer w;
  w.U64(nonce);
  return w.Take();
}

Result<uint64_t> DecodeNonce(ByteSpan payload) {
  Reader r(payload);
  uint64_t v = r.U64();
  DEPIN_RETURN_IF_ERROR(r.Finish("ping"));
  return v;
}

Bytes EncodeGetHeaders(const GetHeadersMessage& m) {
  Writer w;
  w.U32(static_cast<uint32_t>(m.locator.size()));
  for (const Hash256& h : m.locator) w.Raw(h.span());
  w.Raw(m.stop.span());
  return w.Take();
}

Result<GetHeadersMessage> DecodeGetHeaders(ByteSpan payload) {
  Reader r(payload);
  auto count = ReadCount(r, kMaxLocatorHashes, 32, "getheaders", "msg-too-many-locator-hashes");
  if (!count) return count.status();
  GetHeadersMessage m;
  m.locator.reserve(*count);
  for (size_t i = 0; i < *count; ++i) m.locator.push_back(r.Hash());
  m.stop = r.Hash();
  DEPIN_RETURN_IF_ERROR(r.Finish("getheaders"));
  return m;
}

Bytes EncodeHeaders(const std::vector<BlockHeader>& headers) {
  Bytes out(4 + headers.size() * BlockHeader::kSerializedSize);
  WriteLE32(out.data(), static_cast<uint32_t>(headers.size()));
  uint8_t* p = out.data() + 4;
  for (const BlockHeader& h : headers) {
    h.SerializeTo(p);
    p += BlockHeader::kSerializedSize;
  }
  return out;
}

Result<std::vector<BlockHeader>> DecodeHeaders(ByteSpan payload) {
  Reader r(payload);
  auto count = ReadCount(r, kMaxHeadersPerMessage, BlockHeader::kSerializedSize, "headers",
                         "msg-too-many-headers");
  if (!count) return count.status();
  std::vector<BlockHeader> headers;
  headers.reserve(*count);
  for (size_t i = 0; i < *count; ++i) {
    auto h = BlockHeader::Deserialize(r.Raw(BlockHeader::kSerializedSize));
    if (!h) return Status::Error("msg-bad-header", h.status().message());
    headers.push_back(*h);
  }
  DEPIN_RETURN_IF_ERROR(r.Finish("headers"));
  return headers;
}

Bytes EncodeInv(const std::vector<InvItem>& items) {
  Writer w;
  w.U32(static_cast<uint32_t>(items.size()));
  for (const InvItem& i : items) {
    w.U8(static_cast<uint8_t>(i.type));
    w.Raw(i.hash.span());
  }
  return w.Take();
}

Result<std::vector<InvItem>> DecodeInv(ByteSpan payload) {
  Reader r(payload);
  auto count = ReadCount(r, kMaxInvPerMessage, 33, "inv", "msg-too-many-inv");
  if (!count) return count.status();
  std::vector<InvItem> items;
  items.reserve(*count);
  for (size_t i = 0; i < *count; ++i) {
    uint8_t type = r.U8();
    if (type != static_cast<uint8_t>(InvType::kTx) && type != static_cast<uint8_t>(InvType::kBlock))
      return Status::Error("msg-bad-inv-type", "unknown inventory type " + std::to_string(type));
    items.push_back(InvItem{static_cast<InvType>(type), r.Hash()});
  }
  DEPIN_RETURN_IF_ERROR(r.Finish("inv"));
  return items;
}

Bytes EncodeAddr(const std::vector<AddrEntry>& entries) {
  Writer w;
  w.U32(static_cast<uint32_t>(entries.size()));
  for (const AddrEntry& e : entries) {
    w.U64(e.time);
    w.U64(e.services);
    WriteAddress(w, e.address);
  }
  return w.Take();
}

Result<std::vector<AddrEntry>> DecodeAddr(ByteSpan payload) {
  Reader r(payload);
  auto count = ReadCount(r, kMaxAddrPerMessage, 34, "addr", "msg-too-many-addr");
  if (!count) return count.status();
  std::vector<AddrEntry> entries;
  entries.reserve(*count);
  for (size_t i = 0; i < *count; ++i) {
    AddrEntry e;
    e.time = r.U64();
    e.services = r.U64();
    e.address = ReadAddress(r);
    entries.push_back(e);
  }
  DEPIN_RETURN_IF_ERROR(r.Finish("addr"));
  return entries;
}

Status DecodeEmpty(ByteSpan payload) {
  if (!payload.empty()) return Status::Error("msg-trailing-bytes", "payload must be empty");
  return Status::Ok();
}

}  // namespace depin::net

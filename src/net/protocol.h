// The P2P wire protocol: message framing and one strict codec per message
// type. A frame is
//   magic (4) | command (12, ASCII, NUL-padded) | length (u32 LE) |
//   checksum (first 4 bytes of SHA-256d(payload)) | payload
// The 24-byte header is decoded and checked (magic, command, length against
// kMaxMessageSize) before any payload byte is read, so a huge length field
// costs the reader nothing. Payload decoders reject truncation, trailing
// bytes, counts above their limits and non-canonical values; every error
// code starts with "frame-" or "msg-".
//
// Thread-safety: pure functions over values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "net/net_address.h"
#include "primitives/block.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::net {

using Magic = std::array<uint8_t, 4>;

inline constexpr uint32_t kProtocolVersion = 1;
// Oldest version we talk to.
inline constexpr uint32_t kMinProtocolVersion = 1;
inline constexpr size_t kMessageHeaderSize = 24;
inline constexpr size_t kCommandSize = 12;
// A 4 MiB block plus its framing fits; anything longer is never read.
inline constexpr size_t kMaxMessageSize = (size_t{4} << 20) + 4096;
inline constexpr size_t kMaxHeadersPerMessage = 2000;
inline constexpr size_t kMaxInvPerMessage = 50000;
inline constexpr size_t kMaxAddrPerMessage = 1000;
inline constexpr size_t kMaxLocatorHashes = 101;
inline constexpr size_t kMaxUserAgentLength = 256;

// Service bits.
inline constexpr uint64_t kServiceNetwork = 1;  // serves full blocks

// Commands.
inline constexpr std::string_view kMsgVersion = "version";
inline constexpr std::string_view kMsgVerack = "verack";
inline constexpr std::string_view kMsgPing = "ping";
inline constexpr std::string_view kMsgPong = "pong";
inline constexpr std::string_view kMsgGetHeaders = "getheaders";
inline constexpr std::string_view kMsgHeaders = "headers";
inline constexpr std::string_view kMsgInv = "inv";
inline constexpr std::string_view kMsgGetData = "getdata";
inline constexpr std::string_view kMsgNotFound = "notfound";
inline constexpr std::string_view kMsgBlock = "block";
inline constexpr std::string_view kMsgTx = "tx";
inline constexpr std::string_view kMsgGetAddr = "getaddr";
inline constexpr std::string_view kMsgAddr = "addr";

// ---- Framing ----

struct MessageHeader {
  Magic magic{};
  std::string command;  // without padding
  uint32_t length = 0;
  std::array<uint8_t, 4> checksum{};
};

std::array<uint8_t, 4> PayloadChecksum(ByteSpan payload);

// Decodes exactly kMessageHeaderSize bytes and checks them: "frame-bad-magic",
// "frame-bad-command" (empty, non-printable, or bytes after the first NUL),
// "frame-oversized" (length above `max_payload`).
Result<MessageHeader> DecodeMessageHeader(ByteSpan data, const Magic& magic,
                                          size_t max_payload = kMaxMessageSize);
// "frame-bad-checksum" when the payload does not hash to the header's checksum.
Status VerifyPayload(const MessageHeader& header, ByteSpan payload);
// Header and payload as one buffer. `command` must be at most 12 ASCII bytes.
Bytes EncodeMessage(const Magic& magic, std::string_view command, ByteSpan payload);

// ---- Payloads ----

struct VersionMessage {
  uint32_t version = kProtocolVersion;
  uint64_t services = kServiceNetwork;
  uint64_t timestamp = 0;  // sender's clock, seconds
  uint64_t chain_id = 0;
  Hash256 genesis_hash;
  uint64_t best_height = 0;
  // Random per connection; a version carrying one of our own nonces means
  // we connected to ourselves.
  uint64_t nonce = 0;
  // The sender's listening port (0: not listening), so the receiver can
  // gossip "ip-of-this-connection:listen_port".
  uint16_t listen_port = 0;
  // How the sender sees the receiver (local address discovery).
  NetAddress addr_recv;
  std::string user_agent;  // printable ASCII, at most kMaxUserAgentLength
};
Bytes EncodeVersion(const VersionMessage& m);
Result<VersionMessage> DecodeVersion(ByteSpan payload);

// ping and pong carry one nonce.
Bytes EncodeNonce(uint64_t nonce);
Result<uint64_t> DecodeNonce(ByteSpan payload);

struct GetHeadersMessage {
  // Block locator: hashes from the sender's best header back to genesis,
  // dense at first and then exponentially sparser.
  std::vector<Hash256> locator;
  Hash256 stop;  // zero: as many as fit
};
Bytes EncodeGetHeaders(const GetHeadersMessage& m);
Result<GetHeadersMessage> DecodeGetHeaders(ByteSpan payload);

Bytes EncodeHeaders(const std::vector<BlockHeader>& headers);
// At most kMaxHeadersPerMessage ("msg-too-many-headers").
Result<std::vector<BlockHeader>> DecodeHeaders(ByteSpan payload);

enum class InvType : uint8_t { kTx = 1, kBlock = 2 };
struct InvItem {
  InvType type = InvType::kTx;
  Hash256 hash;
  friend bool operator==(const InvItem&, const InvItem&) = default;
};
// inv, getdata and notfound share this payload.
Bytes EncodeInv(const std::vector<InvItem>& items);
// At most kMaxInvPerMessage ("msg-too-many-inv"); unknown types "msg-bad-inv-type".
Result<std::vector<InvItem>> DecodeInv(ByteSpan payload);

struct AddrEntry {
  uint64_t time = 0;  // last seen, seconds
  uint64_t services = 0;
  NetAddress address;
  friend bool operator==(const AddrEntry&, const AddrEntry&) = default;
};
Bytes EncodeAddr(const std::vector<AddrEntry>& entries);
// At most kMaxAddrPerMessage ("msg-too-many-addr").
Result<std::vector<AddrEntry>> DecodeAddr(ByteSpan payload);

// verack and getaddr: an empty payload ("msg-trailing-bytes" otherwise).
Status DecodeEmpty(ByteSpan payload);

}  // namespace depin::net

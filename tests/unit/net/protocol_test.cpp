// Wire protocol: framing and payload codecs, round trips and every kind of
// malformed input (bad magic, command, checksum, oversized length,
// truncation, trailing bytes, counts beyond limits, random garbage).
#include "net/protocol.h"

#include <gtest/gtest.h>

#include <random>

namespace depin::net {
namespace {

const Magic kMagic = {0xd3, 0x9e, 0x1a, 0x7f};

Hash256 H(uint8_t b) {
  Hash256 h;
  h.bytes.fill(b);
  return h;
}

TEST(Protocol, FrameRoundTrip) {
  Bytes payload = {1, 2, 3, 4, 5};
  Bytes frame = EncodeMessage(kMagic, "ping", payload);
  ASSERT_EQ(frame.size(), kMessageHeaderSize + payload.size());
  auto header = DecodeMessageHeader(ByteSpan(frame).first(kMessageHeaderSize), kMagic);
  ASSERT_TRUE(header.ok()) << header.status().ToString();
  EXPECT_EQ(header->command, "ping");
  EXPECT_EQ(header->length, 5u);
  EXPECT_TRUE(VerifyPayload(*header, ByteSpan(frame).subspan(kMessageHeaderSize)).ok());
}

TEST(Protocol, EmptyPayloadFrame) {
  Bytes frame = EncodeMessage(kMagic, "verack", {});
  auto header = DecodeMessageHeader(frame, kMagic);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->length, 0u);
  EXPECT_TRUE(VerifyPayload(*header, {}).ok());
}

TEST(Protocol, BadMagicIsRejected) {
  Bytes frame = EncodeMessage(kMagic, "ping", Bytes(8, 0));
  frame[0] ^= 0xff;
  auto header = DecodeMessageHeader(ByteSpan(frame).first(kMessageHeaderSize), kMagic);
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.status().code(), "frame-bad-magic");
}

TEST(Protocol, BadChecksumIsRejected) {
  Bytes frame = EncodeMessage(kMagic, "ping", Bytes(8, 7));
  frame.back() ^= 1;
  auto header = DecodeMessageHeader(ByteSpan(frame).first(kMessageHeaderSize), kMagic);
  ASSERT_TRUE(header.ok());
  Status s = VerifyPayload(*header, ByteSpan(frame).subspan(kMessageHeaderSize));
  EXPECT_EQ(s.code(), "frame-bad-checksum");
}

TEST(Protocol, OversizedLengthFailsOnTheHeaderAlone) {
  Bytes header(kMessageHeaderSize, 0);
  std::copy(kMagic.begin(), kMagic.end(), header.begin());
  std::memcpy(header.data() + 4, "block", 5);
  WriteLE32(header.data() + 16, 0xffffffffu);
  auto decoded = DecodeMessageHeader(header, kMagic);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), "frame-oversized");
  WriteLE32(header.data() + 16, static_cast<uint32_t>(kMaxMessageSize));
  EXPECT_TRUE(DecodeMessageHeader(header, kMagic).ok());
  WriteLE32(header.data() + 16, static_cast<uint32_t>(kMaxMessageSize + 1));
  EXPECT_EQ(DecodeMessageHeader(header, kMagic).status().code(), "frame-oversized");
}

TEST(Protocol, BadCommandsAreRejected) {
  Bytes frame = EncodeMessage(kMagic, "ping", {});
  Bytes h(frame.begin(), frame.begin() + kMessageHeaderSize);
  Bytes empty = h;
  std::fill(empty.begin() + 4, empty.begin() + 16, 0);
  EXPECT_EQ(DecodeMessageHeader(empty, kMagic).status().code(), "frame-bad-command");
  Bytes control = h;
  control[5] = 0x01;
  EXPECT_EQ(DecodeMessageHeader(control, kMagic).status().code(), "frame-bad-command");
  Bytes after_nul = h;
  after_nul[10] = 'x';  // "ping\0\0x..."
  EXPECT_EQ(DecodeMessageHeader(after_nul, kMagic).status().code(), "frame-bad-command");
}

TEST(Protocol, TruncatedHeaderAndPayload) {
  Bytes frame = EncodeMessage(kMagic, "ping", Bytes(8, 1));
  EXPECT_EQ(DecodeMessageHeader(ByteSpan(frame).first(10), kMagic).status().code(),
            "frame-truncated");
  auto header = DecodeMessageHeader(ByteSpan(frame).first(kMessageHeaderSize), kMagic);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(VerifyPayload(*header, ByteSpan(frame).subspan(kMessageHeaderSize, 4)).code(),
            "frame-truncated");
}

TEST(Protocol, VersionRoundTrip) {
  VersionMessage v;
  v.timestamp = 1700000000;
  v.chain_id = 1337;
  v.genesis_hash = H(0xab);
  v.best_height = 12345;
  v.nonce = 0x1122334455667788ull;
  v.listen_port = 19745;
  v.addr_recv = NetAddress::Parse("10.1.2.3:555", 0).value();
  v.user_agent = "/depind:0.1.0/";
  auto d = DecodeVersion(EncodeVersion(v));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->chain_id, v.chain_id);
  EXPECT_EQ(d->genesis_hash, v.genesis_hash);
  EXPECT_EQ(d->best_height, v.best_height);
  EXPECT_EQ(d->nonce, v.nonce);
  EXPECT_EQ(d->listen_port, v.listen_port);
  EXPECT_EQ(d->addr_recv, v.addr_recv);
  EXPECT_EQ(d->user_agent, v.user_agent);
}

TEST(Protocol, VersionRejectsTruncationTrailingAndBadAgent) {
  VersionMessage v;
  v.user_agent = "abc";
  Bytes enc = EncodeVersion(v);
  for (size_t n = 0; n < enc.size(); ++n) {
    EXPECT_FALSE(DecodeVersion(ByteSpan(enc).first(n)).ok()) << n;
  }
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(DecodeVersion(trailing).status().code(), "msg-trailing-bytes");
  Bytes bad_agent = enc;
  bad_agent[bad_agent.size() - 1] = 0x07;
  EXPECT_EQ(DecodeVersion(bad_agent).status().code(), "msg-bad-version");
}

TEST(Protocol, HeadersRoundTripAndLimit) {
  std::vector<BlockHeader> headers(3);
  for (size_t i = 0; i < headers.size(); ++i) {
    headers[i].height = i + 1;
    headers[i].nonce = 77 + i;
    headers[i].parent_hash = H(static_cast<uint8_t>(i));
  }
  auto d = DecodeHeaders(EncodeHeaders(headers));
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(*d, headers);

  Bytes too_many(4);
  WriteLE32(too_many.data(), static_cast<uint32_t>(kMaxHeadersPerMessage + 1));
  EXPECT_EQ(DecodeHeaders(too_many).status().code(), "msg-too-many-headers");
  // A count the payload cannot hold fails without allocating for it.
  Bytes lying(4);
  WriteLE32(lying.data(), 1000);
  EXPECT_EQ(DecodeHeaders(lying).status().code(), "msg-truncated");
  Bytes enc = EncodeHeaders(headers);
  enc.push_back(1);
  EXPECT_EQ(DecodeHeaders(enc).status().code(), "msg-trailing-bytes");
}

TEST(Protocol, InvRoundTripAndBadType) {
  std::vector<InvItem> items = {{InvType::kTx, H(1)}, {InvType::kBlock, H(2)}};
  auto d = DecodeInv(EncodeInv(items));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, items);
  Bytes bad = EncodeInv(items);
  bad[4] = 9;
  EXPECT_EQ(DecodeInv(bad).status().code(), "msg-bad-inv-type");
  Bytes too_many(4);
  WriteLE32(too_many.data(), static_cast<uint32_t>(kMaxInvPerMessage + 1));
  EXPECT_EQ(DecodeInv(too_many).status().code(), "msg-too-many-inv");
}

TEST(Protocol, GetHeadersRoundTripAndLocatorLimit) {
  GetHeadersMessage m;
  m.locator = {H(1), H(2), H(3)};
  m.stop = H(9);
  auto d = DecodeGetHeaders(EncodeGetHeaders(m));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->locator, m.locator);
  EXPECT_EQ(d->stop, m.stop);
  GetHeadersMessage big;
  big.locator.assign(kMaxLocatorHashes + 1, H(4));
  EXPECT_EQ(DecodeGetHeaders(EncodeGetHeaders(big)).status().code(), "msg-too-many-locator-hashes");
}

TEST(Protocol, AddrRoundTripAndLimit) {
  std::vector<AddrEntry> entries = {
      {1700000000, kServiceNetwork, NetAddress::Parse("8.8.8.8:9645", 0).value()},
      {1700000001, 0, NetAddress::Parse("[2001:db8::1]:1", 0).value()}};
  auto d = DecodeAddr(EncodeAddr(entries));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, entries);
  std::vector<AddrEntry> many(kMaxAddrPerMessage + 1, entries[0]);
  EXPECT_EQ(DecodeAddr(EncodeAddr(many)).status().code(), "msg-too-many-addr");
}

TEST(Protocol, NonceAndEmpty) {
  auto n = DecodeNonce(EncodeNonce(42));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 42u);
  EXPECT_FALSE(DecodeNonce(Bytes(7, 0)).ok());
  EXPECT_FALSE(DecodeNonce(Bytes(9, 0)).ok());
  EXPECT_TRUE(DecodeEmpty({}).ok());
  EXPECT_FALSE(DecodeEmpty(Bytes{0}).ok());
}

TEST(Protocol, RandomGarbageNeverDecodesWrongly) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Bytes junk(rng() % 300);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    // Must not crash; whatever decodes must re-encode to the same bytes.
    if (auto v = DecodeVersion(junk); v.ok()) {
      EXPECT_EQ(EncodeVersion(*v), junk);
    }
    if (auto h = DecodeHeaders(junk); h.ok()) {
      EXPECT_EQ(EncodeHeaders(*h), junk);
    }
    if (auto inv = DecodeInv(junk); inv.ok()) {
      EXPECT_EQ(EncodeInv(*inv), junk);
    }
    if (auto g = DecodeGetHeaders(junk); g.ok()) {
      EXPECT_EQ(EncodeGetHeaders(*g), junk);
    }
    if (auto a = DecodeAddr(junk); a.ok()) {
      EXPECT_EQ(EncodeAddr(*a), junk);
    }
    if (junk.size() >= kMessageHeaderSize) {
      (void)DecodeMessageHeader(ByteSpan(junk).first(kMessageHeaderSize), kMagic);
    }
  }
}

}  // namespace
}  // namespace depin::net

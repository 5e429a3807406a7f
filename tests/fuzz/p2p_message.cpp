// P2P messages as a peer sends them: the input is a byte stream of frames
// (24-byte header, then the payload). Each header goes through the framing
// decoder with the regtest magic; each payload through the decoder of its
// command, whatever its checksum (so the fuzzer need not find SHA-256d
// preimages to reach the decoders; the checksum check itself runs too).
// Every command the node handles is covered; what decodes must re-encode to
// the same payload, since the codecs are strict.
#include "consensus/params.h"
#include "fuzz.h"
#include "net/protocol.h"

using namespace depin;
using namespace depin::net;

namespace {

void DecodePayload(std::string_view command, ByteSpan payload) {
  if (command == kMsgVersion) {
    auto m = DecodeVersion(payload);
    if (m.ok()) FUZZ_CHECK(fuzz::SameBytes(EncodeVersion(*m), payload));
  } else if (command == kMsgPing || command == kMsgPong) {
    auto m = DecodeNonce(payload);
    if (m.ok()) FUZZ_CHECK(fuzz::SameBytes(EncodeNonce(*m), payload));
  } else if (command == kMsgGetHeaders) {
    auto m = DecodeGetHeaders(payload);
    if (m.ok()) {
      FUZZ_CHECK(m->locator.size() <= kMaxLocatorHashes);
      FUZZ_CHECK(fuzz::SameBytes(EncodeGetHeaders(*m), payload));
    }
  } else if (command == kMsgHeaders) {
    auto m = DecodeHeaders(payload);
    if (m.ok()) {
      FUZZ_CHECK(m->size() <= kMaxHeadersPerMessage);
      FUZZ_CHECK(fuzz::SameBytes(EncodeHeaders(*m), payload));
    }
  } else if (command == kMsgInv || command == kMsgGetData || command == kMsgNotFound) {
    auto m = DecodeInv(payload);
    if (m.ok()) {
      FUZZ_CHECK(m->size() <= kMaxInvPerMessage);
      FUZZ_CHECK(fuzz::SameBytes(EncodeInv(*m), payload));
    }
  } else if (command == kMsgAddr) {
    auto m = DecodeAddr(payload);
    if (m.ok()) {
      FUZZ_CHECK(m->size() <= kMaxAddrPerMessage);
      FUZZ_CHECK(fuzz::SameBytes(EncodeAddr(*m), payload));
    }
  } else if (command == kMsgVerack || command == kMsgGetAddr) {
    FUZZ_CHECK(DecodeEmpty(payload).ok() == payload.empty());
  } else if (command == kMsgBlock) {
    auto m = DecodeBlock(payload, kMaxMessageSize);
    if (m.ok()) FUZZ_CHECK(fuzz::SameBytes(m->Serialize(), payload));
  } else if (command == kMsgTx) {
    auto m = DecodeTransaction(payload);
    if (m.ok()) FUZZ_CHECK(fuzz::SameBytes(m->Encode(), payload));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Magic magic = consensus::RegtestParams().magic;
  ByteSpan rest(data, size);
  while (rest.size() >= kMessageHeaderSize) {
    auto header = DecodeMessageHeader(rest.first(kMessageHeaderSize), magic);
    rest = rest.subspan(kMessageHeaderSize);
    if (!header.ok()) return 0;  // the connection closes here
    FUZZ_CHECK(header->length <= kMaxMessageSize);
    FUZZ_CHECK(!header->command.empty() && header->command.size() <= kCommandSize);
    const uint8_t* header_bytes = rest.data() - kMessageHeaderSize;
    if (rest.size() < header->length) return 0;  // the peer is still sending
    const ByteSpan payload = rest.first(header->length);
    rest = rest.subspan(payload.size());
    if (VerifyPayload(*header, payload).ok()) {
      // A frame that checks out re-encodes to itself.
      const Bytes reframed = EncodeMessage(magic, header->command, payload);
      FUZZ_CHECK(fuzz::SameBytes(reframed, ByteSpan(header_bytes, reframed.size())));
    }
    DecodePayload(header->command, payload);
  }
  return 0;
}

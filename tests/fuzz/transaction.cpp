// Transaction envelopes (legacy, EIP-2930, EIP-1559): the strict decoder,
// sender recovery, and the round trip decode -> Encode -> same bytes (the tx
// hash is keccak256 of the envelope, so two encodings of one tx would give
// it two hashes).
#include "primitives/transaction.h"
#include "fuzz.h"

using namespace depin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan in(data, size);
  auto tx = DecodeTransaction(in);
  auto verified = DecodeAndVerifyTransaction(in);
  if (!tx.ok()) {
    FUZZ_CHECK(!verified.ok());
    return 0;
  }
  const Bytes encoded = tx->Encode();
  FUZZ_CHECK(fuzz::SameBytes(encoded, in));
  FUZZ_CHECK(tx->Hash() == DecodeTransaction(encoded)->Hash());
  (void)tx->SigningHash();
  auto sender = tx->RecoverSender();
  if (verified.ok()) {
    // Recovery is a function of the bytes: the one-step path agrees.
    FUZZ_CHECK(sender.ok());
    FUZZ_CHECK((*verified)->sender == *sender);
    FUZZ_CHECK((*verified)->hash == tx->Hash());
  } else {
    FUZZ_CHECK(!MakeVerifiedTx(*tx).ok());
  }
  return 0;
}

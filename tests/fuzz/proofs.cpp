// PoRep and PoSt proofs as prove-commit and PoSt txs carry them: encoded
// public inputs and an encoded proof. Input: one byte (even: PoRep, odd:
// PoSt), the public inputs as a u16-length-prefixed piece, the proof as the
// rest. What decodes must re-encode to the same bytes; then the single-proof
// verifier and the batch verifier (the path blocks take) must reach the same
// verdict, and for PoSt so must the decode-and-verify entry point.
#include "fuzz.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"

using namespace depin;
using namespace depin::storage::proofs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in(data, size);
  const bool porep = (in.Byte() & 1) == 0;
  const ByteSpan inputs_bytes = in.Piece();
  const ByteSpan proof_bytes = in.Rest();
  BatchVerifierOptions options;
  options.threads = 1;

  if (porep) {
    auto inputs = DecodePoRepPublicInputs(inputs_bytes);
    auto proof = DecodePoRepProof(proof_bytes);
    if (inputs.ok()) FUZZ_CHECK(fuzz::SameBytes(EncodePoRepPublicInputs(*inputs), inputs_bytes));
    if (proof.ok()) FUZZ_CHECK(fuzz::SameBytes(EncodePoRepProof(*proof), proof_bytes));
    if (!inputs.ok() || !proof.ok()) return 0;
    const Status single = VerifyPoRep(*inputs, *proof);
    BatchVerifier batch(options);
    batch.AddPoRep(*inputs, *proof);
    const std::vector<Status> verdicts = batch.Verify();
    FUZZ_CHECK(verdicts.size() == 1);
    FUZZ_CHECK(verdicts[0].ok() == single.ok());
    FUZZ_CHECK(verdicts[0].code() == single.code());
    return 0;
  }

  auto inputs = DecodePoStPublicInputs(inputs_bytes);
  auto proof = DecodePoStProof(proof_bytes);
  if (inputs.ok()) FUZZ_CHECK(fuzz::SameBytes(EncodePoStPublicInputs(*inputs), inputs_bytes));
  if (proof.ok()) FUZZ_CHECK(fuzz::SameBytes(EncodePoStProof(*proof), proof_bytes));
  const EncodedPoSt encoded{inputs_bytes, proof_bytes};
  const std::vector<Status> from_bytes = VerifyEncodedPoSts({&encoded, 1}, options);
  FUZZ_CHECK(from_bytes.size() == 1);
  if (!inputs.ok() || !proof.ok()) {
    FUZZ_CHECK(!from_bytes[0].ok());
    return 0;
  }
  const Status single = VerifyPoSt(*inputs, *proof);
  BatchVerifier batch(options);
  batch.AddPoSt(*inputs, *proof);
  const std::vector<Status> verdicts = batch.Verify();
  FUZZ_CHECK(verdicts.size() == 1);
  FUZZ_CHECK(verdicts[0].code() == single.code());
  FUZZ_CHECK(from_bytes[0].code() == single.code());
  return 0;
}

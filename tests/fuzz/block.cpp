// Block headers and blocks as they arrive from peers and from the block
// files: the fixed-width header, the strict block decoder (with sender
// recovery on one thread and on several), and the framing-only tx-hash
// reader the indexes use. The decoders must agree with each other and with
// the encoders.
#include "primitives/block.h"
#include "fuzz.h"

using namespace depin;

namespace {
// Small enough that the size limit is reached by fuzz inputs too.
constexpr size_t kMaxBlockSize = 64 * 1024;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan in(data, size);

  if (size >= BlockHeader::kSerializedSize) {
    auto header = BlockHeader::Deserialize(in.first(BlockHeader::kSerializedSize));
    FUZZ_CHECK(header.ok());  // every 260 bytes are a header; the rules come later
    FUZZ_CHECK(fuzz::SameBytes(header->Serialize(), in.first(BlockHeader::kSerializedSize)));
    (void)HashMeetsTarget(header->Hash(), Uint256(1) << 200);
  } else {
    FUZZ_CHECK(!BlockHeader::Deserialize(in).ok());
  }

  auto block = DecodeBlock(in, kMaxBlockSize);
  auto hashes = DecodeBlockTxHashes(in, kMaxBlockSize);
  if (!block.ok()) {
    // The parallel decoder reports the same first failure.
    auto parallel = DecodeBlock(in, kMaxBlockSize, /*recovery_threads=*/3);
    FUZZ_CHECK(!parallel.ok() && parallel.status().code() == block.status().code());
    return 0;
  }
  FUZZ_CHECK(fuzz::SameBytes(block->Serialize(), in));
  FUZZ_CHECK(block->SerializedSize() == size);
  FUZZ_CHECK(hashes.ok() && hashes->size() == block->txs.size());
  for (size_t i = 0; i < block->txs.size(); ++i) FUZZ_CHECK((*hashes)[i] == block->txs[i]->hash);
  if (block->txs.size() > 1) {
    auto parallel = DecodeBlock(in, kMaxBlockSize, /*recovery_threads=*/3);
    FUZZ_CHECK(parallel.ok() && parallel->txs.size() == block->txs.size());
    for (size_t i = 0; i < block->txs.size(); ++i) {
      FUZZ_CHECK(parallel->txs[i]->sender == block->txs[i]->sender);
    }
  }
  return 0;
}

// RLP: the strict decoders (item, tree, list reader, integers) and the
// receipt decoder built on them. A strict decoder accepts only canonical
// encodings, so whatever decodes must re-encode to exactly the input.
#include "primitives/rlp.h"
#include "fuzz.h"
#include "primitives/receipt.h"

using namespace depin;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan in(data, size);

  auto item = rlp::DecodeItem(in);
  auto tree = rlp::DecodeTree(in);
  if (tree.ok()) {
    FUZZ_CHECK(fuzz::SameBytes(rlp::EncodeTree(*tree), in));
    // DecodeTree bounds nesting more tightly than DecodeItem (which does not
    // descend), so a tree implies an item, not the other way round.
    FUZZ_CHECK(item.ok());
  }
  if (item.ok()) {
    FUZZ_CHECK(fuzz::SameBytes(item->encoded, in));
    if (!item->is_list) {
      FUZZ_CHECK(fuzz::SameBytes(rlp::EncodeBytes(item->payload), in));
      auto u64 = rlp::DecodeUint64Payload(item->payload);
      auto u256 = rlp::DecodeUint256Payload(item->payload);
      if (u64.ok()) {
        FUZZ_CHECK(u256.ok() && *u256 == Uint256(*u64));
        FUZZ_CHECK(fuzz::SameBytes(rlp::Encoder().AddUint(*u64).Finish(), in));
      }
      if (u256.ok()) FUZZ_CHECK(fuzz::SameBytes(rlp::Encoder().AddUint(*u256).Finish(), in));
    } else {
      FUZZ_CHECK(fuzz::SameBytes(rlp::EncodeListPayload(item->payload), in));
      // Walk the list with the schema reader: every item it yields is a
      // strict item again, and the count agrees with the walk.
      auto reader = rlp::ListReader::FromList(in);
      FUZZ_CHECK(reader.ok());
      auto count = reader->CountItems();
      size_t walked = 0;
      while (!reader->AtEnd()) {
        auto next = reader->Next();
        if (!next.ok()) break;
        FUZZ_CHECK(rlp::DecodeItem(next->encoded).ok());
        ++walked;
      }
      if (count.ok()) FUZZ_CHECK(*count == walked && reader->AtEnd());
    }
  }

  auto receipt = DecodeReceipt(in);
  if (receipt.ok()) FUZZ_CHECK(fuzz::SameBytes(receipt->Encode(), in));
  return 0;
}

#include "chain/block_index.h"

#include <string>

namespace depin::chain {
namespace {

Status Bad(const std::string& what) { return Status::Corruption("blockindex-bad-encoding", what); }

}  // namespace

Bytes EncodeBlockIndexRecord(const BlockIndexRecord& record) {
  Bytes out(kBlockIndexRecordSize);
  uint8_t* p = out.data();
  *p++ = kBlockIndexVersion;
  record.header.SerializeTo(p);
  p += BlockHeader::kSerializedSize;
  record.chain_work.ToBigEndian32(p);
  p += 32;
  WriteLE32(p, record.status);
  p += 4;
  WriteLE32(p, record.pos.file);
  p += 4;
  WriteLE64(p, record.pos.offset);
  p += 8;
  WriteLE32(p, record.pos.size);
  p += 4;
  WriteLE32(p, record.tx_count);
  p += 4;
  WriteLE32(p, 0);  // reserved
  return out;
}

Result<BlockIndexRecord> DecodeBlockIndexRecord(ByteSpan data) {
  if (data.size() != kBlockIndexRecordSize) {
    return Bad("record has " + std::to_string(data.size()) + " bytes, expected " +
               std::to_string(kBlockIndexRecordSize));
  }
  const uint8_t* p = data.data();
  if (p[0] != kBlockIndexVersion) return Bad("unknown record version " + std::to_string(p[0]));
  ++p;
  auto header = BlockHeader::Deserialize(ByteSpan(p, BlockHeader::kSerializedSize));
  if (!header) return Bad("header: " + header.status().ToString());
  p += BlockHeader::kSerializedSize;
  BlockIndexRecord record;
  record.header = *header;
  record.chain_work = Uint256::FromBigEndian32(p);
  p += 32;
  record.status = ReadLE32(p);
  p += 4;
  record.pos.file = ReadLE32(p);
  p += 4;
  record.pos.offset = ReadLE64(p);
  p += 8;
  record.pos.size = ReadLE32(p);
  p += 4;
  record.tx_count = ReadLE32(p);
  p += 4;
  const uint32_t reserved = ReadLE32(p);
  if ((record.status & ~kBlockStatusMask) != 0) {
    return Bad("unknown status bits " + std::to_string(record.status & ~kBlockStatusMask));
  }
  if (record.Has(kBlockHaveData) && record.pos.IsNull()) {
    return Bad("block data flagged but no position");
  }
  if (!record.Has(kBlockHaveData) && record.pos != FlatFilePos{}) {
    return Bad("position present without block data");
  }
  if (reserved != 0) return Bad("reserved field is not zero");
  return record;
}

}  // namespace depin::chain

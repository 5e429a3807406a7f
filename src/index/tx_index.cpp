#include "index/tx_index.h"

namespace depin::index {

namespace {

// 't' || tx hash -> block hash || LE32 position in the block.
constexpr uint8_t kTxKey = 't';

}  // namespace

TxIndex::TxIndex(chain::Chainstate& chainstate, const IndexOptions& options)
    : BaseIndex(kName, chainstate, options) {}

// Stops here, while CustomAppend / CustomRemove still exist.
TxIndex::~TxIndex() { Stop(); }

Status TxIndex::CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) {
  Bytes value(block.hash.begin(), block.hash.end());
  value.resize(36);
  for (size_t i = 0; i < block.tx_hashes.size(); ++i) {
    WriteLE32(value.data() + 32, static_cast<uint32_t>(i));
    batch.Put(chain::MakeKey(kTxKey, block.tx_hashes[i].span()), value);
  }
  return Status::Ok();
}

Status TxIndex::CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) {
  for (const Hash256& hash : block.tx_hashes) batch.Delete(chain::MakeKey(kTxKey, hash.span()));
  return Status::Ok();
}

Result<std::optional<chain::TxLocation>> TxIndex::FindTx(const Hash256& tx_hash) const {
  if (db() == nullptr) return Status::Error(StatusKind::kInterrupted, "index-stopped", "stopped");
  auto raw = db()->Get(chain::MakeKey(kTxKey, tx_hash.span()));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<chain::TxLocation>();
  if ((*raw)->size() != 36) {
    return Status::Corruption("txindex-bad-entry",
                              "tx index entry for " + tx_hash.Hex() + " is damaged");
  }
  chain::TxLocation loc;
  loc.block_hash = Hash256((*raw)->data());
  loc.index = ReadLE32((*raw)->data() + 32);
  auto info = chainstate().LookupBlock(loc.block_hash);
  // An entry of a block that just left the active chain (its removal is
  // still queued) is not an answer.
  if (!info || !info->in_active_chain) return std::optional<chain::TxLocation>();
  loc.height = info->header.height;
  return std::optional<chain::TxLocation>(loc);
}

}  // namespace depin::index

#include "chain/state_store.h"

#include <algorithm>
#include <utility>

namespace depin::chain {

Bytes StateDbKey(ByteSpan consensus_key) { return MakeKey(dbkey::kState, consensus_key); }

StateView::StateView(const ChainDb& db, std::shared_ptr<const DbSnapshot> snapshot)
    : db_(db), snapshot_(std::move(snapshot)) {}

Result<std::optional<Bytes>> StateView::Read(ByteSpan key) const {
  return db_.Get(StateDbKey(key), snapshot_.get());
}

std::optional<Bytes> StateView::Get(ByteSpan key) const {
  auto value = Read(key);
  if (value) return std::move(value).value();
  NoteError(value.status());
  return std::nullopt;
}

void StateView::NoteError(const Status& error) const {
  MutexLock lock(mu_);
  if (read_error_.ok()) read_error_ = error;
}

std::vector<consensus::StateEntry> StateView::Scan(ByteSpan prefix, ByteSpan start_after,
                                                   size_t limit) const {
  std::vector<consensus::StateEntry> out;
  if (limit == 0) return out;
  const Bytes db_prefix = StateDbKey(prefix);
  auto it = db_.NewPrefixIterator(db_prefix, snapshot_.get());
  const size_t skip = db_prefix.size() - prefix.size();  // the store's own prefix
  if (!BytesLess()(start_after, prefix)) {
    const Bytes after = StateDbKey(start_after);
    it->Seek(after);
    if (it->Valid() && it->key().size() == after.size() &&
        std::equal(after.begin(), after.end(), it->key().begin())) {
      it->Next();
    }
  }
  for (; it->Valid() && out.size() < limit; it->Next()) {
    const ByteSpan key = it->key().subspan(skip);
    const ByteSpan value = it->value();
    out.push_back({Bytes(key.begin(), key.end()), Bytes(value.begin(), value.end())});
  }
  if (Status s = it->status(); !s.ok()) NoteError(s);
  return out;
}

Status StateView::read_error() const {
  MutexLock lock(mu_);
  return read_error_;
}

Result<consensus::Account> StateView::GetAccount(const Address& address) const {
  auto value = Read(consensus::AccountKey(address));
  if (!value) return value.status();
  if (!value->has_value()) return consensus::Account{};
  return consensus::DecodeAccount(**value);
}

Result<std::optional<crypto::LtHash16>> StateView::ReadTipLtHash() const {
  auto value = db_.Get(MakeKey(dbkey::kTipLtHash), snapshot_.get());
  if (!value) return value.status();
  if (!value->has_value()) return std::optional<crypto::LtHash16>();
  auto lanes = crypto::LtHash16::Deserialize(**value);
  if (!lanes) return lanes.status();
  return std::optional<crypto::LtHash16>(std::move(lanes).value());
}

StateStore::StateStore(const ChainDb& db) : StateView(db, nullptr) {}

std::unique_ptr<StateView> StateStore::Snapshot() const {
  return std::make_unique<StateView>(db_, std::shared_ptr<const DbSnapshot>(db_.GetSnapshot()));
}

void StateStore::WriteDiff(WriteBatch& batch, const consensus::StateDiff& diff) {
  for (const consensus::StateChange& change : diff) {
    const Bytes key = StateDbKey(change.key);
    if (change.after) {
      batch.Put(key, *change.after);
    } else {
      batch.Delete(key);
    }
  }
}

void StateStore::WriteTipLtHash(WriteBatch& batch, const crypto::LtHash16& lanes) {
  uint8_t bytes[crypto::LtHash16::kSerializedSize];
  lanes.SerializeTo(bytes);
  batch.Put(MakeKey(dbkey::kTipLtHash), ByteSpan(bytes, sizeof(bytes)));
}

}  // namespace depin::chain

#include "consensus/state_cache.h"

namespace depin::consensus {

StateCache::Entry& StateCache::Load(ByteSpan key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) return it->second;
  Entry e;
  e.original = base_.Get(key);
  e.current = e.original;
  return entries_.emplace(Bytes(key.begin(), key.end()), std::move(e)).first->second;
}

std::optional<Bytes> StateCache::Get(ByteSpan key) { return Load(key).current; }

void StateCache::Put(ByteSpan key, Bytes value) {
  Entry& e = Load(key);
  journal_.push_back({Bytes(key.begin(), key.end()), e.current});
  e.current = std::move(value);
}

void StateCache::Erase(ByteSpan key) {
  Entry& e = Load(key);
  journal_.push_back({Bytes(key.begin(), key.end()), e.current});
  e.current.reset();
}

Account StateCache::GetAccount(const Address& address) {
  auto raw = Get(AccountKey(address));
  if (!raw) return Account{};
  auto account = DecodeAccount(*raw);
  if (!account.ok()) {
    if (status_.ok()) status_ = account.status();
    return Account{};
  }
  return *account;
}

void StateCache::PutAccount(const Address& address, const Account& account) {
  // Empty accounts are deleted, as EIP-161 does, so the state (and its root)
  // does not grow with zero-balance addresses.
  if (account.IsEmpty()) {
    Erase(AccountKey(address));
  } else {
    Put(AccountKey(address), EncodeAccount(account));
  }
}

void StateCache::RevertTo(Checkpoint checkpoint) {
  while (journal_.size() > checkpoint) {
    JournalRecord& r = journal_.back();
    entries_.find(r.key)->second.current = std::move(r.previous);
    journal_.pop_back();
  }
}

StateDiff StateCache::Diff() const {
  StateDiff diff;
  for (const auto& [key, e] : entries_) {
    if (e.original == e.current) continue;
    diff.push_back({key, e.original, e.current});
  }
  return diff;
}

}  // namespace depin::consensus

#include "consensus/state_cache.h"

#include <cstring>

namespace depin::consensus {

StateCache::Entry& StateCache::Load(ByteSpan key) {
  for (const Recent& r : recent_) {
    if (r.key != nullptr && r.key->size() == key.size() &&
        std::memcmp(r.key->data(), key.data(), key.size()) == 0) {
      return *r.entry;
    }
  }
  auto it = entries_.lower_bound(key);
  if (it == entries_.end() || BytesLess()(key, it->first)) {
    Entry e;
    e.original = base_.Get(key);
    e.current = e.original;
    it = entries_.emplace_hint(it, Bytes(key.begin(), key.end()), std::move(e));
  }
  recent_[recent_next_] = {&it->first, &it->second};
  recent_next_ = (recent_next_ + 1) % kRecent;
  return it->second;
}

std::optional<Bytes> StateCache::Get(ByteSpan key) { return Load(key).current; }

std::vector<StateEntry> StateCache::Scan(ByteSpan prefix, ByteSpan start_after,
                                         size_t limit) const {
  return ScanWithOverlay(
      base_, entries_, [](const Entry& e) -> const std::optional<Bytes>& { return e.current; },
      prefix, start_after, limit);
}

void StateCache::Put(ByteSpan key, Bytes value) {
  Entry& e = Load(key);
  journal_.push_back({&e, std::move(e.current)});
  e.current = std::move(value);
}

void StateCache::Erase(ByteSpan key) {
  Entry& e = Load(key);
  journal_.push_back({&e, std::move(e.current)});
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
  if (trace_.size() > checkpoint.trace) trace_.resize(checkpoint.trace);
  while (journal_.size() > checkpoint.journal) {
    JournalRecord& r = journal_.back();
    r.entry->current = std::move(r.previous);
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

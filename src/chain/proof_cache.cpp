#include "chain/proof_cache.h"

#include <algorithm>

namespace depin::chain {

VerifiedProofCache::VerifiedProofCache(size_t max_entries)
    : max_entries_(std::max<size_t>(1, max_entries)) {}

bool VerifiedProofCache::Contains(const Hash256& id) const {
  MutexLock lock(mu_);
  return ids_.count(id) != 0;
}

void VerifiedProofCache::Insert(const Hash256& id) {
  MutexLock lock(mu_);
  if (!ids_.insert(id).second) return;
  order_.push_back(id);
  while (ids_.size() > max_entries_ && !order_.empty()) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  // Erased ids leave stale entries in order_; keep it from growing past
  // twice the live set.
  if (order_.size() > 2 * max_entries_) {
    std::deque<Hash256> live;
    for (const Hash256& h : order_) {
      if (ids_.count(h) != 0) live.push_back(h);
    }
    order_ = std::move(live);
  }
}

bool VerifiedProofCache::Erase(const Hash256& id) {
  MutexLock lock(mu_);
  return ids_.erase(id) != 0;
}

size_t VerifiedProofCache::size() const {
  MutexLock lock(mu_);
  return ids_.size();
}

}  // namespace depin::chain

#include "rpc/eth_filters.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <iterator>
#include <random>

namespace depin {

namespace {

Result<Hash256> ParseHash(const rapidjson::Value& v) {
  if (!v.IsString()) return Status::Error("bad-topic", "topic must be a 32-byte hex string");
  auto h = Hash256::FromHex(std::string_view(v.GetString(), v.GetStringLength()));
  if (!h) {
    return Status::Error("bad-topic", "topic must be a 32-byte hex string");
  }
  return *h;
}

Result<Address> ParseAddr(const rapidjson::Value& v) {
  if (!v.IsString()) return Status::Error("bad-address", "address must be a hex string");
  auto a = Address::Parse(std::string_view(v.GetString(), v.GetStringLength()));
  if (!a) return Status::Error("bad-address", "bad address: " + a.status().message());
  return *a;
}

}  // namespace

bool LogCriteria::Matches(const Log& log) const {
  if (!addresses.empty()) {
    bool found = false;
    for (const Address& a : addresses) found = found || a == log.address;
    if (!found) return false;
  }
  for (size_t i = 0; i < topics.size(); ++i) {
    if (topics[i].empty()) continue;
    if (i >= log.topics.size()) return false;
    bool found = false;
    for (const Hash256& t : topics[i]) found = found || t == log.topics[i];
    if (!found) return false;
  }
  return true;
}

bool LogCriteria::MayMatch(const Bloom& bloom) const {
  if (!addresses.empty()) {
    bool any = false;
    for (const Address& a : addresses) any = any || BloomMayContain(bloom, a.span());
    if (!any) return false;
  }
  for (const auto& position : topics) {
    if (position.empty()) continue;
    bool any = false;
    for (const Hash256& t : position) any = any || BloomMayContain(bloom, t.span());
    if (!any) return false;
  }
  return true;
}

Result<LogCriteria> ParseLogCriteria(const rapidjson::Value& filter) {
  LogCriteria c;
  if (!filter.IsObject()) return Status::Error("bad-filter", "filter must be an object");
  if (auto it = filter.FindMember("address"); it != filter.MemberEnd() && !it->value.IsNull()) {
    if (it->value.IsArray()) {
      if (it->value.Size() > kMaxFilterAddresses) {
        return Status::Error(
            "bad-filter", "exceed max addresses: at most " + std::to_string(kMaxFilterAddresses));
      }
      for (const auto& v : it->value.GetArray()) {
        auto a = ParseAddr(v);
        if (!a) return a.status();
        c.addresses.push_back(*a);
      }
    } else {
      auto a = ParseAddr(it->value);
      if (!a) return a.status();
      c.addresses.push_back(*a);
    }
  }
  if (auto it = filter.FindMember("topics"); it != filter.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsArray()) return Status::Error("bad-filter", "topics must be an array");
    if (it->value.Size() > 4) return Status::Error("bad-filter", "at most 4 topic positions");
    for (const auto& position : it->value.GetArray()) {
      std::vector<Hash256> any_of;
      if (position.IsArray()) {
        if (position.Size() > kMaxFilterTopicsPerPosition) {
          return Status::Error("bad-filter", "exceed max topics: at most " +
                                                 std::to_string(kMaxFilterTopicsPerPosition) +
                                                 " per position");
        }
        for (const auto& t : position.GetArray()) {
          auto h = ParseHash(t);
          if (!h) return h.status();
          any_of.push_back(*h);
        }
      } else if (!position.IsNull()) {
        auto h = ParseHash(position);
        if (!h) return h.status();
        any_of.push_back(*h);
      }
      c.topics.push_back(std::move(any_of));
    }
    while (!c.topics.empty() && c.topics.back().empty()) c.topics.pop_back();
  }
  return c;
}

std::string NewEthId() {
  // Random per process, then a counter: unique and not guessable from
  // another client's ids.
  static const std::array<uint64_t, 2> kSeed = [] {
    std::random_device rd;
    return std::array<uint64_t, 2>{(uint64_t{rd()} << 32) | rd(), (uint64_t{rd()} << 32) | rd()};
  }();
  static std::atomic<uint64_t> counter{0};
  uint64_t n = counter.fetch_add(1) + 1;
  // A 64-bit mix (splitmix64) so consecutive ids do not look consecutive.
  uint64_t z = kSeed[1] + n * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  char buf[35];
  std::snprintf(buf, sizeof(buf), "0x%016llx%016llx", static_cast<unsigned long long>(kSeed[0] ^ n),
                static_cast<unsigned long long>(z));
  return buf;
}

EthFilters::EthFilters(chain::Chainstate* chainstate, EthFilterLimits limits)
    : chainstate_(chainstate), limits_(limits) {
  if (chainstate_ != nullptr && chainstate_->signals() != nullptr) {
    chainstate_->signals()->Register(this);
  }
}

EthFilters::~EthFilters() {
  if (chainstate_ != nullptr && chainstate_->signals() != nullptr) {
    chainstate_->signals()->Unregister(this);
  }
}

Result<std::string> EthFilters::Install(Filter filter) {
  MutexLock lock(mu_);
  Clock::time_point now = Clock::now();
  ExpireLocked(now);
  if (filters_.size() >= limits_.max_filters) {
    return Status::Error(StatusKind::kLimitExceeded, "too-many-filters",
                         "too many filters installed; uninstall some first");
  }
  size_t& mine = per_client_[filter.client];
  if (mine >= limits_.per_client) {
    return Status::Error(StatusKind::kLimitExceeded, "too-many-filters",
                         "too many filters for this client (at most " +
                             std::to_string(limits_.per_client) +
                             "); uninstall some or let them expire");
  }
  ++mine;
  filter.last_poll = now;
  std::string id = NewEthId();
  filters_.emplace(id, std::move(filter));
  return id;
}

Result<std::string> EthFilters::NewBlockFilter(const std::string& client) {
  Filter f;
  f.client = client;
  f.kind = Kind::kBlocks;
  return Install(std::move(f));
}

Result<std::string> EthFilters::NewPendingTxFilter(const std::string& client) {
  Filter f;
  f.client = client;
  f.kind = Kind::kPendingTxs;
  return Install(std::move(f));
}

Result<std::string> EthFilters::NewLogFilter(const std::string& client, LogCriteria criteria,
                                             uint64_t from, std::optional<uint64_t> to) {
  Filter f;
  f.client = client;
  f.kind = Kind::kLogs;
  f.spec = LogFilterSpec{std::move(criteria), from, to};
  return Install(std::move(f));
}

bool EthFilters::Uninstall(const std::string& id) {
  MutexLock lock(mu_);
  auto it = filters_.find(id);
  if (it == filters_.end()) return false;
  EraseLocked(it);
  return true;
}

std::optional<EthFilters::LogFilterSpec> EthFilters::GetLogFilter(const std::string& id) {
  MutexLock lock(mu_);
  Clock::time_point now = Clock::now();
  ExpireLocked(now);
  auto it = filters_.find(id);
  if (it == filters_.end() || it->second.kind != Kind::kLogs) return std::nullopt;
  it->second.last_poll = now;
  return it->second.spec;
}

std::optional<EthFilters::Changes> EthFilters::TakeChanges(const std::string& id) {
  MutexLock lock(mu_);
  Clock::time_point now = Clock::now();
  ExpireLocked(now);
  auto it = filters_.find(id);
  if (it == filters_.end()) return std::nullopt;
  Filter& f = it->second;
  f.last_poll = now;
  if (f.kind == Kind::kLogs) {
    std::vector<eth_json::LocatedLog> logs(std::make_move_iterator(f.logs.begin()),
                                           std::make_move_iterator(f.logs.end()));
    f.logs.clear();
    return Changes(std::move(logs));
  }
  std::vector<Hash256> hashes(f.hashes.begin(), f.hashes.end());
  f.hashes.clear();
  return Changes(std::move(hashes));
}

void EthFilters::Expire(Clock::time_point now) {
  MutexLock lock(mu_);
  ExpireLocked(now);
}

void EthFilters::ExpireLocked(Clock::time_point now) {
  for (auto it = filters_.begin(); it != filters_.end();) {
    auto next = std::next(it);
    if (now - it->second.last_poll > limits_.timeout) EraseLocked(it);
    it = next;
  }
}

void EthFilters::EraseLocked(std::map<std::string, Filter>::iterator it) {
  auto client = per_client_.find(it->second.client);
  if (client != per_client_.end() && --client->second == 0) per_client_.erase(client);
  filters_.erase(it);
}

void EthFilters::TransactionAddedToMempool(const TxRef& tx) {
  MutexLock lock(mu_);
  for (auto& [id, f] : filters_) {
    if (f.kind != Kind::kPendingTxs) continue;
    f.hashes.push_back(tx->hash);
    if (f.hashes.size() > kMaxFilterQueue) f.hashes.pop_front();
  }
}

void EthFilters::AddLogs(const std::vector<eth_json::LocatedLog>& logs) {
  for (auto& [id, f] : filters_) {
    if (f.kind != Kind::kLogs) continue;
    for (const eth_json::LocatedLog& l : logs) {
      if (l.block_number < f.spec.from) continue;
      if (f.spec.to && l.block_number > *f.spec.to) continue;
      if (!f.spec.criteria.Matches(l.log)) continue;
      f.logs.push_back(l);
      if (f.logs.size() > kMaxFilterQueue) f.logs.pop_front();
    }
  }
}

void EthFilters::BlockConnected(const chain::BlockEvent& event) {
  const Hash256& hash = event.hash;
  std::vector<eth_json::LocatedLog> logs = eth_json::BlockLogs(*event.block, hash, *event.receipts);
  MutexLock lock(mu_);
  // Abandoned filters stop collecting (and free their slots) without
  // waiting for the next install or poll.
  ExpireLocked(Clock::now());
  for (auto& [id, f] : filters_) {
    if (f.kind != Kind::kBlocks) continue;
    f.hashes.push_back(hash);
    if (f.hashes.size() > kMaxFilterQueue) f.hashes.pop_front();
  }
  AddLogs(logs);
}

void EthFilters::BlockDisconnected(const chain::BlockEvent& event) {
  bool any_log_filter = false;
  {
    MutexLock lock(mu_);
    for (const auto& [id, f] : filters_) any_log_filter = any_log_filter || f.kind == Kind::kLogs;
  }
  if (!any_log_filter) return;
  std::vector<eth_json::LocatedLog> logs =
      eth_json::BlockLogs(*event.block, event.hash, *event.receipts);
  for (eth_json::LocatedLog& l : logs) l.removed = true;
  MutexLock lock(mu_);
  AddLogs(logs);
}

size_t EthFilters::size() const {
  MutexLock lock(mu_);
  return filters_.size();
}

}  // namespace depin

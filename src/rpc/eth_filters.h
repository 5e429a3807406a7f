// Log filter criteria (address and topic sets, as eth_getLogs, eth_newFilter
// and the "logs" subscription take them) and the polling filters of
// eth_newFilter / eth_newBlockFilter / eth_newPendingTransactionFilter.
//
// A polling filter is a queue the chain and mempool events fill: connected
// block hashes, admitted tx hashes, or matching logs (with a copy marked
// removed when a block leaves the active chain, as geth). eth_getFilterChanges
// drains the queue. A filter not polled for EthFilterLimits::timeout is
// dropped (geth: 5 minutes); a queue keeps at most kMaxFilterQueue entries
// (oldest dropped first) so an abandoned filter cannot grow without bound; at
// most EthFilterLimits::max_filters filters exist at once, and one client
// (the caller's IP address) may hold at most per_client of them, so one
// client cannot take every slot.
//
// Use:
//   auto filters = std::make_shared<EthFilters>(&chainstate, limits);  // subscribes
//   std::string id = filters->NewBlockFilter("203.0.113.7");
//   auto changes = filters->TakeChanges(id);
//
// Thread-safety: every method may be called from any thread (one mutex).
// Chain and mempool events arrive on the validation signals thread
// (chainstate.signals()); a filter sees a block once they are delivered.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "rpc/eth_json.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {

// Which logs a filter wants: any of `addresses` (all when empty), and at
// topic position i any of topics[i] (all when empty). Matching is linear in
// the sets, so their sizes are bounded (as geth): at most
// kMaxFilterAddresses addresses and kMaxFilterTopicsPerPosition topics per
// position.
struct LogCriteria {
  std::vector<Address> addresses;
  std::vector<std::vector<Hash256>> topics;  // at most 4 positions

  bool Matches(const Log& log) const;
  // False only when no log behind `bloom` can match.
  bool MayMatch(const Bloom& bloom) const;
};

inline constexpr size_t kMaxFilterAddresses = 1000;
inline constexpr size_t kMaxFilterTopicsPerPosition = 1000;

// Parses the "address" and "topics" members of a filter object. Error
// messages are for -32602.
Result<LogCriteria> ParseLogCriteria(const rapidjson::Value& filter);

// Unique, unguessable id ("0x" + 32 hex digits) for filters and subscriptions.
std::string NewEthId();

inline constexpr size_t kMaxFilterQueue = 10000;

struct EthFilterLimits {
  // Filters installed at once, all clients together.
  size_t max_filters = 10000;
  // Filters one client (IP address) may hold (-rpcfiltersperclient).
  size_t per_client = 256;
  // A filter not polled for this long is dropped (-rpcfiltertimeout).
  std::chrono::milliseconds timeout = std::chrono::minutes(5);
};

class EthFilters : public chain::ValidationInterface {
 public:
  enum class Kind { kBlocks, kPendingTxs, kLogs };

  // Subscribes to chainstate->signals() (`chainstate` may be null in tests);
  // the destructor unsubscribes.
  explicit EthFilters(chain::Chainstate* chainstate, EthFilterLimits limits = {});
  ~EthFilters() override;
  EthFilters(const EthFilters&) = delete;
  EthFilters& operator=(const EthFilters&) = delete;

  // Each returns the new filter's id, or an error (kLimitExceeded,
  // "too-many-filters") when max_filters exist or `client` already holds
  // per_client. A log filter only collects logs of blocks in [from, to] (to
  // unset: no end).
  Result<std::string> NewBlockFilter(const std::string& client) EXCLUDES(mu_);
  Result<std::string> NewPendingTxFilter(const std::string& client) EXCLUDES(mu_);
  Result<std::string> NewLogFilter(const std::string& client, LogCriteria criteria, uint64_t from,
                                   std::optional<uint64_t> to) EXCLUDES(mu_);
  bool Uninstall(const std::string& id) EXCLUDES(mu_);

  struct LogFilterSpec {
    LogCriteria criteria;
    uint64_t from = 0;
    std::optional<uint64_t> to;
  };
  // The criteria of a log filter (eth_getFilterLogs); nullopt when there is
  // no such log filter. Counts as a poll.
  std::optional<LogFilterSpec> GetLogFilter(const std::string& id) EXCLUDES(mu_);

  // What arrived since the last call: hashes for block and pending-tx
  // filters, logs for log filters. nullopt: no such filter.
  using Changes = std::variant<std::vector<Hash256>, std::vector<eth_json::LocatedLog>>;
  std::optional<Changes> TakeChanges(const std::string& id) EXCLUDES(mu_);

  // ValidationInterface.
  void TransactionAddedToMempool(const TxRef& tx) override EXCLUDES(mu_);
  void BlockConnected(const chain::BlockEvent& event) override EXCLUDES(mu_);
  void BlockDisconnected(const chain::BlockEvent& event) override EXCLUDES(mu_);

  size_t size() const EXCLUDES(mu_);

  // Drops filters not polled within the timeout, as of `now`; every call
  // above does this first (tests pass a later time).
  using Clock = std::chrono::steady_clock;
  void Expire(Clock::time_point now) EXCLUDES(mu_);

 private:
  struct Filter {
    std::string client;
    Kind kind = Kind::kBlocks;
    LogFilterSpec spec;
    std::deque<Hash256> hashes;
    std::deque<eth_json::LocatedLog> logs;
    Clock::time_point last_poll;
  };

  Result<std::string> Install(Filter filter) EXCLUDES(mu_);
  void ExpireLocked(Clock::time_point now) REQUIRES(mu_);
  void EraseLocked(std::map<std::string, Filter>::iterator it) REQUIRES(mu_);
  void AddLogs(const std::vector<eth_json::LocatedLog>& logs) REQUIRES(mu_);

  chain::Chainstate* const chainstate_;
  const EthFilterLimits limits_;
  mutable Mutex mu_;
  std::map<std::string, Filter> filters_ GUARDED_BY(mu_);
  // Filters held per client; a client with none has no entry.
  std::map<std::string, size_t> per_client_ GUARDED_BY(mu_);
};

}  // namespace depin

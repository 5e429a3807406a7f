// eth_subscribe over WebSocket: "newHeads", "logs" (with an address/topics
// filter) and "newPendingTransactions" (tx hashes, or whole tx objects with
// `true` as go-ethereum does). Each subscription
// belongs to one RpcSession; notifications are pushed as
//   {"jsonrpc":"2.0","method":"eth_subscription",
//    "params":{"subscription":"0x…","result":…}}
// A block leaving the active chain sends its logs again with removed: true,
// as geth. Subscriptions end with eth_unsubscribe or when their session
// closes (a close hook on the session).
//
// Use (node init, through EthRpcTables):
//   auto subs = std::make_shared<EthSubscriptions>(&chainstate);  // subscribes
//
// Thread-safety: every method may be called from any thread. Chain and
// mempool events arrive on the validation signals thread; sending only
// queues on the session, so a slow client never holds up the other
// subscribers (the server closes a session whose queue overflows), and no
// subscriber holds up block connection.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "rpc/eth_filters.h"
#include "rpc/rpc_session.h"
#include "util/sync.h"

namespace depin {

// Bounds what one websocket client can make the node track (the default of
// -rpcmaxsubscriptions).
inline constexpr size_t kMaxSubscriptionsPerSession = 1000;

class EthSubscriptions : public chain::ValidationInterface,
                         public std::enable_shared_from_this<EthSubscriptions> {
 public:
  enum class Kind { kNewHeads, kLogs, kPendingTxs };

  // Subscribes to chainstate->signals() (`chainstate` may be null in
  // tests); the destructor unsubscribes. One session may hold at most
  // `max_per_session` subscriptions.
  explicit EthSubscriptions(chain::Chainstate* chainstate,
                            size_t max_per_session = kMaxSubscriptionsPerSession);
  ~EthSubscriptions() override;
  EthSubscriptions(const EthSubscriptions&) = delete;
  EthSubscriptions& operator=(const EthSubscriptions&) = delete;

  // Adds a subscription for `session` and returns its id, or an error
  // ("too-many-subscriptions") when the session already has
  // max_per_session. The object must be
  // owned by a shared_ptr (the session's close hook holds a weak one).
  // `full_txs` (newPendingTransactions only) sends whole tx objects, as
  // go-ethereum does for `["newPendingTransactions", true]`.
  Result<std::string> Subscribe(const std::shared_ptr<RpcSession>& session, Kind kind,
                                LogCriteria criteria = {}, bool full_txs = false) EXCLUDES(mu_);
  // Only the session that made a subscription may end it.
  bool Unsubscribe(const RpcSession& session, const std::string& id) EXCLUDES(mu_);
  void DropSession(uint64_t session_id) EXCLUDES(mu_);

  // ValidationInterface.
  void TransactionAddedToMempool(const TxRef& tx) override EXCLUDES(mu_);
  void BlockConnected(const chain::BlockEvent& event) override EXCLUDES(mu_);
  void BlockDisconnected(const chain::BlockEvent& event) override EXCLUDES(mu_);

  size_t size() const EXCLUDES(mu_);
  size_t size(Kind kind) const EXCLUDES(mu_);

  // The notification envelope around `result_json` (serialized JSON).
  static std::string Notification(const std::string& id, const std::string& result_json);

 private:
  struct Subscription {
    Kind kind = Kind::kNewHeads;
    LogCriteria criteria;
    bool full_txs = false;  // kPendingTxs: tx objects rather than hashes
    std::shared_ptr<RpcSession> session;
  };

  static constexpr size_t kKinds = 3;
  static size_t Index(Kind kind) { return static_cast<size_t>(kind); }

  // Sends `logs` (the whole block's) to every matching logs subscription.
  void SendLogs(const std::vector<eth_json::LocatedLog>& logs) EXCLUDES(mu_);
  // A copy of one kind's subscriptions, so events are sent outside the lock
  // and an event of one kind never walks the others.
  std::vector<std::pair<std::string, Subscription>> Snapshot(Kind kind) const EXCLUDES(mu_);

  chain::Chainstate* const chainstate_;
  const size_t max_per_session_;
  mutable Mutex mu_;
  // Subscriptions by kind, then id.
  std::array<std::map<std::string, Subscription>, kKinds> by_kind_ GUARDED_BY(mu_);
  // Each session's subscriptions (id -> kind); a session is here exactly
  // when its close hook is registered.
  std::map<uint64_t, std::map<std::string, Kind>> by_session_ GUARDED_BY(mu_);
};

}  // namespace depin

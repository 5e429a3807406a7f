#include "rpc/eth_subscriptions.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace depin {

namespace {

std::string ToJson(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

EthSubscriptions::EthSubscriptions(chain::Chainstate* chainstate, size_t max_per_session)
    : chainstate_(chainstate), max_per_session_(max_per_session) {
  if (chainstate_ != nullptr && chainstate_->signals() != nullptr) {
    chainstate_->signals()->Register(this);
  }
}

EthSubscriptions::~EthSubscriptions() {
  if (chainstate_ != nullptr && chainstate_->signals() != nullptr) {
    chainstate_->signals()->Unregister(this);
  }
}

std::string EthSubscriptions::Notification(const std::string& id, const std::string& result_json) {
  std::string out;
  out.reserve(result_json.size() + id.size() + 96);
  out += R"({"jsonrpc":"2.0","method":"eth_subscription","params":{"subscription":")";
  out += id;
  out += R"(","result":)";
  out += result_json;
  out += "}}";
  return out;
}

Result<std::string> EthSubscriptions::Subscribe(const std::shared_ptr<RpcSession>& session,
                                                Kind kind, LogCriteria criteria, bool full_txs) {
  std::string id = NewEthId();
  bool first = false;
  {
    MutexLock lock(mu_);
    auto [mine, inserted] = by_session_.try_emplace(session->id());
    if (mine->second.size() >= max_per_session_) {
      return Status::Error(StatusKind::kLimitExceeded, "too-many-subscriptions",
                           "too many subscriptions on this connection (at most " +
                               std::to_string(max_per_session_) + ")");
    }
    first = inserted;
    mine->second.emplace(id, kind);
    by_kind_[Index(kind)].emplace(id, Subscription{kind, std::move(criteria), full_txs, session});
  }
  // One close hook per session drops all of its subscriptions.
  if (!first) return id;
  std::weak_ptr<EthSubscriptions> weak = weak_from_this();
  uint64_t session_id = session->id();
  session->AddCloseHook([weak, session_id] {
    if (auto self = weak.lock()) self->DropSession(session_id);
  });
  return id;
}

bool EthSubscriptions::Unsubscribe(const RpcSession& session, const std::string& id) {
  MutexLock lock(mu_);
  auto mine = by_session_.find(session.id());
  if (mine == by_session_.end()) return false;
  auto it = mine->second.find(id);
  if (it == mine->second.end()) return false;
  by_kind_[Index(it->second)].erase(id);
  // The session keeps its (now empty) entry: its close hook is registered.
  mine->second.erase(it);
  return true;
}

void EthSubscriptions::DropSession(uint64_t session_id) {
  MutexLock lock(mu_);
  auto mine = by_session_.find(session_id);
  if (mine == by_session_.end()) return;
  for (const auto& [id, kind] : mine->second) by_kind_[Index(kind)].erase(id);
  by_session_.erase(mine);
}

std::vector<std::pair<std::string, EthSubscriptions::Subscription>> EthSubscriptions::Snapshot(
    Kind kind) const {
  MutexLock lock(mu_);
  const auto& subs = by_kind_[Index(kind)];
  return std::vector<std::pair<std::string, Subscription>>(subs.begin(), subs.end());
}

void EthSubscriptions::TransactionAddedToMempool(const TxRef& ref) {
  auto subs = Snapshot(Kind::kPendingTxs);
  if (subs.empty()) return;
  const VerifiedTx& tx = *ref;
  const std::string hash = "\"" + tx.hash.Hex() + "\"";
  std::string object;  // rendered once, for the first full subscriber
  for (auto& [id, s] : subs) {
    if (s.full_txs && object.empty()) {
      rapidjson::Document doc;
      rapidjson::Value v = eth_json::TxObject(tx, nullptr, doc.GetAllocator());
      object = ToJson(v);
    }
    s.session->Send(Notification(id, s.full_txs ? object : hash));
  }
}

void EthSubscriptions::SendLogs(const std::vector<eth_json::LocatedLog>& logs) {
  if (logs.empty()) return;
  auto subs = Snapshot(Kind::kLogs);
  for (auto& [id, s] : subs) {
    for (const eth_json::LocatedLog& l : logs) {
      if (!s.criteria.Matches(l.log)) continue;
      rapidjson::Document doc;
      rapidjson::Value v = eth_json::LogObject(l, doc.GetAllocator());
      s.session->Send(Notification(id, ToJson(v)));
    }
  }
}

void EthSubscriptions::BlockConnected(const chain::BlockEvent& event) {
  const Block& block = *event.block;
  const std::vector<Receipt>& receipts = *event.receipts;
  const Hash256& hash = event.hash;
  auto heads = Snapshot(Kind::kNewHeads);
  if (!heads.empty()) {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    Uint256 total;
    if (chainstate_ != nullptr) {
      if (auto info = chainstate_->LookupBlock(hash)) total = info->chain_work;
    }
    eth_json::AddHeaderFields(block.header, hash, total, eth_json::BlockBloom(receipts), doc, a);
    std::string result = ToJson(doc);
    for (auto& [id, s] : heads) s.session->Send(Notification(id, result));
  }
  if (size(Kind::kLogs) != 0) SendLogs(eth_json::BlockLogs(block, hash, receipts));
}

void EthSubscriptions::BlockDisconnected(const chain::BlockEvent& event) {
  if (size(Kind::kLogs) == 0) return;
  std::vector<eth_json::LocatedLog> logs =
      eth_json::BlockLogs(*event.block, event.hash, *event.receipts);
  for (eth_json::LocatedLog& l : logs) l.removed = true;
  SendLogs(logs);
}

size_t EthSubscriptions::size() const {
  MutexLock lock(mu_);
  size_t n = 0;
  for (const auto& subs : by_kind_) n += subs.size();
  return n;
}

size_t EthSubscriptions::size(Kind kind) const {
  MutexLock lock(mu_);
  return by_kind_[Index(kind)].size();
}

}  // namespace depin

#include "chain/validation_signals.h"

#include <exception>
#include <utility>

#include "util/logging.h"

namespace depin::chain {

const char* MempoolRemovalReasonName(MempoolRemovalReason reason) {
  switch (reason) {
    case MempoolRemovalReason::kIncluded:
      return "included";
    case MempoolRemovalReason::kReplaced:
      return "replaced";
    case MempoolRemovalReason::kExpired:
      return "expired";
    case MempoolRemovalReason::kEvicted:
      return "evicted";
    case MempoolRemovalReason::kConflict:
      return "conflict";
    case MempoolRemovalReason::kReorgConflict:
      return "reorg-conflict";
    case MempoolRemovalReason::kRemoved:
      return "removed";
  }
  return "unknown";
}

ValidationSignals::ValidationSignals(const ValidationSignalsOptions& options) : options_(options) {
  thread_ = std::thread([this] { Run(); });
  thread_id_ = thread_.get_id();
}

ValidationSignals::~ValidationSignals() { Stop(); }

void ValidationSignals::Register(ValidationInterface* sub) {
  auto entry = std::make_shared<Subscriber>();
  entry->sub = sub;
  MutexLock lock(mu_);
  subs_.push_back(std::move(entry));
}

void ValidationSignals::Unregister(ValidationInterface* sub) {
  MutexLock lock(mu_);
  std::shared_ptr<Subscriber> entry;
  for (auto it = subs_.begin(); it != subs_.end(); ++it) {
    if ((*it)->sub == sub) {
      entry = *it;
      subs_.erase(it);
      break;
    }
  }
  if (!entry) return;
  entry->removed = true;
  if (std::this_thread::get_id() == thread_id_) return;
  done_cv_.Wait(mu_, [&]() REQUIRES(mu_) { return entry->calls == 0; });
}

void ValidationSignals::SyncWithValidationQueue() {
  if (std::this_thread::get_id() == thread_id_) return;
  MutexLock lock(mu_);
  const uint64_t target = enqueued_;
  done_cv_.Wait(mu_, [&]() REQUIRES(mu_) { return delivered_ >= target || stopped_; });
}

void ValidationSignals::Stop() {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  work_cv_.NotifyAll();
  if (thread_.joinable()) thread_.join();
  {
    MutexLock lock(mu_);
    stopped_ = true;
  }
  done_cv_.NotifyAll();
}

size_t ValidationSignals::QueueLength() const {
  MutexLock lock(mu_);
  return queue_.size();
}

void ValidationSignals::Enqueue(Call call) {
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    queue_.push_back(std::move(call));
    ++enqueued_;
    if (queue_.size() >= warn_length_) {
      LogWarn(options_.logger, LogCategory::kChain,
              "validation signals: {} events wait for a slow subscriber", queue_.size());
      warn_length_ *= 2;
    }
  }
  work_cv_.NotifyOne();
}

void ValidationSignals::Run() {
  SetThreadName("signals");
  mu_.Lock();
  for (;;) {
    work_cv_.Wait(mu_, [this]() REQUIRES(mu_) { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything was delivered
    Call call = std::move(queue_.front());
    queue_.pop_front();
    if (queue_.size() < kQueueWarnLength) warn_length_ = kQueueWarnLength;
    const std::vector<std::shared_ptr<Subscriber>> subs = subs_;
    for (const std::shared_ptr<Subscriber>& s : subs) {
      if (s->removed) continue;
      ++s->calls;
      mu_.Unlock();
      try {
        call(*s->sub);
      } catch (const std::exception& e) {
        // A subscriber's bug must not end delivery to the others.
        LogError(options_.logger, LogCategory::kChain, "validation signals: a subscriber threw: {}",
                 e.what());
      }
      mu_.Lock();
      --s->calls;
      if (s->removed) done_cv_.NotifyAll();
    }
    ++delivered_;
    done_cv_.NotifyAll();
  }
  mu_.Unlock();
}

void ValidationSignals::BlockConnected(BlockEvent event) {
  Enqueue([event = std::move(event)](ValidationInterface& s) { s.BlockConnected(event); });
}

void ValidationSignals::BlockDisconnected(BlockEvent event) {
  Enqueue([event = std::move(event)](ValidationInterface& s) { s.BlockDisconnected(event); });
}

void ValidationSignals::TipChanged(const TipInfo& tip) {
  Enqueue([tip](ValidationInterface& s) { s.TipChanged(tip); });
}

void ValidationSignals::TransactionAddedToMempool(const TxRef& tx) {
  Enqueue([tx](ValidationInterface& s) { s.TransactionAddedToMempool(tx); });
}

void ValidationSignals::TransactionRemovedFromMempool(const TxRef& tx,
                                                      MempoolRemovalReason reason) {
  Enqueue([tx, reason](ValidationInterface& s) { s.TransactionRemovedFromMempool(tx, reason); });
}

}  // namespace depin::chain

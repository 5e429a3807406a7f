// Role: a long-running part of depind that lives beside the chain rather
// than in it: the storage and compute provider roles (-storageprovider,
// -computeprovider) and the optional indexes (-txindex). A role hears the
// chain through the validation signals (it is a ValidationInterface and
// registers itself in Start), keeps its own state under the datadir, and
// never runs under a chainstate lock.
//
// Roles (the container in NodeContext) starts them in the order they were
// added, once the chainstate and mempool exist, and stops them in reverse
// order at shutdown, before the signals queue and the chainstate go.
//
// Use (node/init):
//   node.roles.Add(std::make_unique<IndexRole>(std::make_unique<index::TxIndex>(...)));
//   DEPIN_RETURN_IF_ERROR(node.roles.StartAll(role_context));
//   ...
//   node.roles.StopAll();
//
// Thread-safety: Add, StartAll, StopAll and Find from the main thread only
// (init and shutdown). A role's own methods say what they allow.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/validation_signals.h"
#include "index/base_index.h"
#include "util/metrics.h"
#include "util/status.h"

namespace depin {
class Logger;
}

namespace depin::node {

// What a role may use while it runs; all outlive it.
struct RoleContext {
  chain::Chainstate* chainstate = nullptr;
  chain::ValidationSignals* signals = nullptr;
  chain::Mempool* mempool = nullptr;  // may be null
  Logger* logger = nullptr;
};

class Role : public chain::ValidationInterface {
 public:
  ~Role() override = default;
  // For logs and RPC ("txindex", "storageprovider").
  virtual std::string_view name() const = 0;
  // Subscribes to ctx.signals (if it listens), starts its threads, resumes
  // work left by the last run. A failure stops the node's start-up.
  virtual Status Start(const RoleContext& ctx) = 0;
  // Unsubscribes, ends its threads and saves its state. Idempotent.
  virtual void Stop() = 0;
  // At each -metrics scrape (node/metrics.h), on the metrics listener's
  // thread while the role runs: its counters and gauges, named
  // depin_<role>_... (a role driving GPUs reports their counters here).
  virtual void ReportMetrics(MetricSink& out) const { (void)out; }
};

// An index as a role: the index subscribes itself and catches up on its
// own thread (BaseIndex::Start).
class IndexRole : public Role {
 public:
  explicit IndexRole(std::unique_ptr<index::BaseIndex> index);
  ~IndexRole() override;
  std::string_view name() const override;
  Status Start(const RoleContext& ctx) override;
  void Stop() override;
  const index::BaseIndex& index() const { return *index_; }

 private:
  std::unique_ptr<index::BaseIndex> index_;
};

class Roles {
 public:
  Roles() = default;
  ~Roles();  // StopAll
  Roles(const Roles&) = delete;
  Roles& operator=(const Roles&) = delete;

  // Before StartAll. Names must be unique.
  void Add(std::unique_ptr<Role> role);
  // Starts every role in order; on a failure the ones already started are
  // stopped again and the failure (naming the role) returned.
  Status StartAll(const RoleContext& ctx);
  // Stops the started roles, last added first.
  void StopAll();
  Role* Find(std::string_view name) const;
  const std::vector<std::unique_ptr<Role>>& all() const { return roles_; }

 private:
  std::vector<std::unique_ptr<Role>> roles_;
  size_t started_ = 0;
  Logger* logger_ = nullptr;
};

}  // namespace depin::node

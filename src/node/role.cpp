#include "node/role.h"

#include "util/logging.h"

namespace depin::node {

IndexRole::IndexRole(std::unique_ptr<index::BaseIndex> index) : index_(std::move(index)) {}

IndexRole::~IndexRole() { Stop(); }

std::string_view IndexRole::name() const { return index_->name(); }

Status IndexRole::Start(const RoleContext& ctx) {
  (void)ctx;  // the index was built with the chainstate it follows
  return index_->Start();
}

void IndexRole::Stop() { index_->Stop(); }

Roles::~Roles() { StopAll(); }

void Roles::Add(std::unique_ptr<Role> role) { roles_.push_back(std::move(role)); }

Status Roles::StartAll(const RoleContext& ctx) {
  logger_ = ctx.logger;
  for (; started_ < roles_.size(); ++started_) {
    Role& role = *roles_[started_];
    Status s = role.Start(ctx);
    if (!s.ok()) {
      StopAll();
      return Status::Error(s.kind(), s.code(),
                           std::string(role.name()) + " failed to start: " + s.message());
    }
    LogInfo(logger_, LogCategory::kNode, "role {} started", role.name());
  }
  return Status::Ok();
}

void Roles::StopAll() {
  while (started_ > 0) {
    Role& role = *roles_[--started_];
    LogInfo(logger_, LogCategory::kNode, "shutdown: stopping {}", role.name());
    role.Stop();
  }
}

Role* Roles::Find(std::string_view name) const {
  for (const auto& role : roles_) {
    if (role->name() == name) return role.get();
  }
  return nullptr;
}

}  // namespace depin::node

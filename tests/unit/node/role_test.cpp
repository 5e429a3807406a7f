#include "node/role.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace depin::node {
namespace {

class FakeRole : public Role {
 public:
  FakeRole(std::string name, std::vector<std::string>* log, bool fail = false)
      : name_(std::move(name)), log_(log), fail_(fail) {}
  std::string_view name() const override { return name_; }
  Status Start(const RoleContext& ctx) override {
    (void)ctx;
    log_->push_back("start " + name_);
    if (fail_) return Status::IoError("role-disk", "cannot write its state");
    return Status::Ok();
  }
  void Stop() override { log_->push_back("stop " + name_); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
  bool fail_;
};

TEST(Roles, StartInOrderAndStopInReverse) {
  std::vector<std::string> log;
  {
    Roles roles;
    roles.Add(std::make_unique<FakeRole>("index", &log));
    roles.Add(std::make_unique<FakeRole>("provider", &log));
    ASSERT_TRUE(roles.StartAll(RoleContext{}).ok());
    EXPECT_NE(roles.Find("provider"), nullptr);
    EXPECT_EQ(roles.Find("missing"), nullptr);
    roles.StopAll();
    roles.StopAll();  // idempotent
  }
  EXPECT_EQ(log, (std::vector<std::string>{"start index", "start provider", "stop provider",
                                           "stop index"}));
}

TEST(Roles, AFailedStartStopsTheRolesAlreadyStartedAndNamesTheRole) {
  std::vector<std::string> log;
  Roles roles;
  roles.Add(std::make_unique<FakeRole>("index", &log));
  roles.Add(std::make_unique<FakeRole>("provider", &log, /*fail=*/true));
  Status s = roles.StartAll(RoleContext{});
  EXPECT_TRUE(s.Is(StatusKind::kIo));
  EXPECT_EQ(s.code(), "role-disk");
  EXPECT_NE(s.message().find("provider"), std::string::npos) << s.message();
  EXPECT_EQ(log, (std::vector<std::string>{"start index", "start provider", "stop index"}));
}

TEST(Roles, DestructorStopsStartedRoles) {
  std::vector<std::string> log;
  {
    Roles roles;
    roles.Add(std::make_unique<FakeRole>("index", &log));
    ASSERT_TRUE(roles.StartAll(RoleContext{}).ok());
  }
  EXPECT_EQ(log, (std::vector<std::string>{"start index", "stop index"}));
}

}  // namespace
}  // namespace depin::node

#include "node/shutdown.h"

#include <gtest/gtest.h>

#include <csignal>
#include <thread>

namespace depin::node {
namespace {

TEST(ShutdownSignal, RequestFromAnotherThreadEndsWait) {
  ShutdownSignal signal;
  std::thread t([&] { signal.Request(); });
  EXPECT_EQ(signal.Wait(nullptr), "stop request");
  EXPECT_TRUE(signal.requested());
  t.join();
}

TEST(ShutdownSignal, SigtermEndsWaitAndSighupCallsHangup) {
  ShutdownSignal signal;
  ASSERT_TRUE(signal.InstallSignalHandlers().ok());
  int hangups = 0;
  std::raise(SIGHUP);
  std::raise(SIGTERM);
  EXPECT_EQ(signal.Wait([&] { ++hangups; }), "SIGTERM");
  EXPECT_EQ(hangups, 1);
}

}  // namespace
}  // namespace depin::node

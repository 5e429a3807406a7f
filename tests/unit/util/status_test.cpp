#include "util/status.h"

#include <gtest/gtest.h>

#include <string>

namespace depin {
namespace {

TEST(Status, CarriesCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  const Status s = Status::Error("tx-nonce-too-low", "nonce 3 < 5");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "tx-nonce-too-low");
  EXPECT_EQ(s.message(), "nonce 3 < 5");
  EXPECT_EQ(s.ToString(), "tx-nonce-too-low: nonce 3 < 5");
  const Status bare = Status::Error("hex-invalid");
  EXPECT_EQ(bare.message(), "hex-invalid");
  EXPECT_EQ(bare.ToString(), "hex-invalid");
}

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::Error("not-positive", std::to_string(v));
  return v;
}

Status Chain(int v) {
  DEPIN_RETURN_IF_ERROR(ParsePositive(v).status());
  return Status::Ok();
}

TEST(Result, HoldsValueOrError) {
  auto good = ParsePositive(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 4);
  EXPECT_TRUE(good.status().ok());
  auto bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), "not-positive");
  EXPECT_EQ(bad.status().message(), "-1");
}

TEST(Result, ReturnIfErrorPropagates) {
  EXPECT_TRUE(Chain(1).ok());
  EXPECT_EQ(Chain(0).code(), "not-positive");
}

}  // namespace
}  // namespace depin

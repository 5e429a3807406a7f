#include "util/status.h"

#include <gtest/gtest.h>

#include <set>
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

TEST(Status, ErrorDefaultsToInvalidKind) {
  Status s = Status::Error("tx-nonce-too-low", "nonce 3 < 4");
  EXPECT_EQ(s.kind(), StatusKind::kInvalid);
  EXPECT_TRUE(s.Is(StatusKind::kInvalid));
  EXPECT_FALSE(s.IsLocalFailure());
  EXPECT_EQ(Status::Ok().kind(), StatusKind::kOk);
}

TEST(Status, LocalFailureKindsAreNotTheSendersFault) {
  EXPECT_TRUE(Status::IoError("db-io-error", "disk full").IsLocalFailure());
  EXPECT_TRUE(Status::Corruption("db-corrupt").IsLocalFailure());
  EXPECT_FALSE(Status::NotFound("block-not-found").IsLocalFailure());
  EXPECT_FALSE(Status::Error(StatusKind::kLimitExceeded, "too-many").IsLocalFailure());
}

TEST(Status, WithKindKeepsCodeAndMessage) {
  Status s =
      Status::NotFound("undo-not-found", "undo for block 7").WithKind(StatusKind::kCorruption);
  EXPECT_EQ(s.kind(), StatusKind::kCorruption);
  EXPECT_EQ(s.code(), "undo-not-found");
  EXPECT_EQ(s.message(), "undo for block 7");
  EXPECT_TRUE(Status::Ok().WithKind(StatusKind::kIo).ok());
}

TEST(Status, KindNamesAreDistinct) {
  std::set<std::string> names;
  for (int k = 0; k <= static_cast<int>(kLastStatusKind); ++k) {
    names.insert(StatusKindName(static_cast<StatusKind>(k)));
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kLastStatusKind) + 1);
  EXPECT_EQ(names.count("unknown"), 0u);
}

TEST(Result, ReturnIfErrorPropagates) {
  EXPECT_TRUE(Chain(1).ok());
  EXPECT_EQ(Chain(0).code(), "not-positive");
}

}  // namespace
}  // namespace depin

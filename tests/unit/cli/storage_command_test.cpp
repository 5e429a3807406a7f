// `depin-cli storage commd` against the proofs library's CommD.
#include <gtest/gtest.h>

#include "cli/sector_size_arg.h"
#include "cli_test_util.h"
#include "storage/proofs/comm_d.h"

namespace depin::cli {
namespace {

using storage::proofs::SectorSize;
using testing::RunCliWith;
using testing::ScratchDir;

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
  return s;
}

TEST(StorageCommand, CommDMatchesTheProofsLibrary) {
  ScratchDir dir;
  std::string data = Pattern(1500);
  std::string file = dir.Write("piece", data);
  auto run = RunCliWith({"storage", "commd", file, "--sector-size", "2KiB"});
  ASSERT_EQ(run.code, 0) << run.err;
  auto expected = storage::proofs::CommD(AsSpan(data), SectorSize::Size2KiB());
  ASSERT_TRUE(expected);
  EXPECT_EQ(run.out, expected->Hex() + "\n");

  auto big = RunCliWith({"storage", "commd", file, "--sector-size=8MiB"});
  ASSERT_EQ(big.code, 0) << big.err;
  EXPECT_EQ(big.out, storage::proofs::CommD(AsSpan(data), SectorSize::Size8MiB())->Hex() + "\n");
}

TEST(StorageCommand, RefusesAFileLargerThanTheSector) {
  ScratchDir dir;
  std::string file = dir.Write("piece", Pattern(2049));
  auto run = RunCliWith({"storage", "commd", file, "--sector-size", "2KiB"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("larger than the 2KiB sector"), std::string::npos) << run.err;
}

TEST(StorageCommand, UsageErrors) {
  ScratchDir dir;
  std::string file = dir.Write("piece", "abc");
  EXPECT_EQ(RunCliWith({"storage", "commd", file}).code, 1);
  EXPECT_EQ(RunCliWith({"storage", "commd", file, "--sector-size", "4KiB"}).code, 1);
  EXPECT_EQ(
      RunCliWith({"storage", "commd", (dir.path() / "missing").string(), "--sector-size", "2KiB"})
          .code,
      1);
  EXPECT_EQ(RunCliWith({"storage", "frob", file}).code, 1);
}

TEST(SectorSizeArg, ParsesListedSizesOnly) {
  EXPECT_EQ(*ParseSectorSize("2KiB"), SectorSize::Size2KiB());
  EXPECT_EQ(*ParseSectorSize("8mib"), SectorSize::Size8MiB());
  EXPECT_EQ(*ParseSectorSize("512MiB"), SectorSize::Size512MiB());
  EXPECT_EQ(*ParseSectorSize("32GiB"), SectorSize::Size32GiB());
  EXPECT_EQ(*ParseSectorSize("2048"), SectorSize::Size2KiB());
  for (const char* bad :
       {"", "KiB", "3MiB", "2 KiB", "8MiBs", "99999999999999999999GiB", "-2KiB"}) {
    EXPECT_FALSE(ParseSectorSize(bad)) << bad;
  }
}

}  // namespace
}  // namespace depin::cli

#include "util/file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace depin {
namespace {

std::filesystem::path FreshDir() {
  static int n = 0;
  auto dir = std::filesystem::temp_directory_path() /
             ("depin-file-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string ReadAll(const std::filesystem::path& p) {
  std::string out(std::filesystem::file_size(p), '\0');
  std::ifstream f(p, std::ios::binary);
  f.read(out.data(), static_cast<std::streamsize>(out.size()));
  return out;
}

TEST(WriteFileDurably, CreatesThenReplacesWithoutLeavingTheTemporary) {
  const auto dir = FreshDir();
  const auto path = dir / "state.dat";
  ASSERT_TRUE(WriteFileDurably(path, AsSpan("first, longer contents"), "x-io").ok());
  EXPECT_EQ(ReadAll(path), "first, longer contents");
  ASSERT_TRUE(WriteFileDurably(path, AsSpan("second"), "x-io").ok());
  EXPECT_EQ(ReadAll(path), "second");
  EXPECT_FALSE(std::filesystem::exists(dir / "state.dat.new"));
  ASSERT_TRUE(WriteFileDurably(path, ByteSpan(), "x-io").ok());
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
  std::filesystem::remove_all(dir);
}

TEST(WriteFileDurably, FailureNamesThePathAndKeepsTheOldFile) {
  const auto dir = FreshDir();
  const auto path = dir / "state.dat";
  ASSERT_TRUE(WriteFileDurably(path, AsSpan("kept"), "x-io").ok());
  // The temporary cannot be created where a folder of that name stands.
  std::filesystem::create_directories(dir / "state.dat.new");
  Status s = WriteFileDurably(path, AsSpan("lost"), "x-io");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "x-io");
  EXPECT_NE(s.message().find("state.dat.new"), std::string::npos);
  EXPECT_EQ(ReadAll(path), "kept");
  Status missing = WriteFileDurably(dir / "no" / "such" / "f", AsSpan("x"), "x-io");
  EXPECT_FALSE(missing.ok());
  std::filesystem::remove_all(dir);
}

TEST(ReadFileInto, ReadsAWholeFileOfExactlyTheBufferSize) {
  const auto dir = FreshDir();
  const auto path = dir / "piece";
  // Larger than one read(2) is likely to return from a pipe-sized chunk.
  std::string contents(3 << 20, '\0');
  for (size_t i = 0; i < contents.size(); ++i) contents[i] = static_cast<char>(i * 7 + 1);
  ASSERT_TRUE(WriteFileDurably(path, AsSpan(contents), "x-io").ok());
  std::vector<uint8_t> out(contents.size());
  ASSERT_TRUE(ReadFileInto(path, out, "x-read").ok());
  EXPECT_TRUE(std::equal(out.begin(), out.end(), contents.begin(),
                         [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); }));
  std::vector<uint8_t> none;
  ASSERT_TRUE(WriteFileDurably(dir / "empty", ByteSpan(), "x-io").ok());
  EXPECT_TRUE(ReadFileInto(dir / "empty", none, "x-read").ok());
  std::filesystem::remove_all(dir);
}

TEST(ReadFileInto, AFileOfAnotherSizeOrNoneIsAnErrorNamingIt) {
  const auto dir = FreshDir();
  const auto path = dir / "piece";
  ASSERT_TRUE(WriteFileDurably(path, AsSpan("12345"), "x-io").ok());
  std::vector<uint8_t> longer(6), shorter(4);
  Status s = ReadFileInto(path, longer, "x-read");
  EXPECT_EQ(s.code(), "x-read");
  EXPECT_NE(s.message().find("holds 5 bytes, not 6"), std::string::npos) << s.ToString();
  s = ReadFileInto(path, shorter, "x-read");
  EXPECT_EQ(s.code(), "x-read");
  EXPECT_NE(s.message().find("more than 4 bytes"), std::string::npos) << s.ToString();
  s = ReadFileInto(dir / "missing", shorter, "x-read");
  EXPECT_EQ(s.code(), "x-read");
  EXPECT_NE(s.message().find("cannot open"), std::string::npos) << s.ToString();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace depin

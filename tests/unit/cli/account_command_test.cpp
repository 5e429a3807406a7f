// `depin-cli account` and the keystore files behind it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli/keystore_files.h"
#include "cli_test_util.h"
#include "crypto/keystore.h"

namespace depin::cli {
namespace {

using testing::RunCliWith;
using testing::ScratchDir;

constexpr char kDevKey0[] = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
constexpr char kDevAddress0[] = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

unsigned Mode(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

std::vector<std::string> Args(const ScratchDir& dir, std::vector<std::string> words) {
  std::vector<std::string> args{"-datadir=" + dir.path().string(), "-regtest"};
  args.insert(args.end(), words.begin(), words.end());
  return args;
}

TEST(AccountCommand, NewWritesAReadable0600KeystoreIn0700Folder) {
  ScratchDir dir;
  std::string pw = dir.Write("pw", "correct horse\n");
  auto run = RunCliWith(Args(dir, {"account", "new", "--password-file", pw, "--scrypt-n", "1024"}));
  ASSERT_EQ(run.code, 0) << run.err;
  auto address = Address::Parse(run.out.substr(0, run.out.size() - 1));
  ASSERT_TRUE(address) << run.out;
  EXPECT_EQ(address->ToChecksumHex() + "\n", run.out);

  std::filesystem::path keystore_dir = dir.path() / "regtest" / "keystore";
  EXPECT_EQ(Mode(keystore_dir), 0700u);
  auto entries = ListKeystores(keystore_dir);
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  const KeystoreEntry& e = (*entries)[0];
  EXPECT_EQ(e.address, *address);
  EXPECT_EQ(Mode(e.path), 0600u);
  std::string name = e.path.filename().string();
  EXPECT_TRUE(name.starts_with("UTC--")) << name;
  EXPECT_TRUE(name.ends_with("--" + address->Hex().substr(2))) << name;

  auto keystore = ReadKeystoreFile(e.path);
  ASSERT_TRUE(keystore);
  EXPECT_EQ(keystore->n, 1024u);
  auto key = crypto::DecryptKeystore(*keystore, "correct horse");  // first line, no newline
  ASSERT_TRUE(key);
  EXPECT_EQ(Address::FromPublicKey(key->GetPublicKey()), *address);
  EXPECT_EQ(crypto::DecryptKeystore(*keystore, "wrong").status().code(), "keystore-bad-password");

  auto list = RunCliWith(Args(dir, {"account", "list"}));
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.out, address->ToChecksumHex() + " " + e.path.string() + "\n");
}

TEST(AccountCommand, NewRefusesAnEmptyPassword) {
  ScratchDir dir;
  std::string pw = dir.Write("pw", "\n");
  auto run = RunCliWith(Args(dir, {"account", "new", "--password-file", pw, "--light"}));
  EXPECT_EQ(run.code, 1);
  EXPECT_NE(run.err.find("empty password"), std::string::npos);
}

TEST(AccountCommand, ImportsAHexKeyOnce) {
  ScratchDir dir;
  std::string pw = dir.Write("pw", "pw1");
  std::string key = dir.Write("key", std::string("0x") + kDevKey0 + "\n");
  auto run = RunCliWith(
      Args(dir, {"account", "import", "--key-file", key, "--password-file", pw, "--light"}));
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, std::string(kDevAddress0) + "\n");
  auto again = RunCliWith(
      Args(dir, {"account", "import", "--key-file", key, "--password-file", pw, "--light"}));
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
}

TEST(AccountCommand, ImportsAV3FileFromAnotherWalletKeepingItsPassword) {
  ScratchDir dir;
  auto key = crypto::PrivateKey::FromBytes(*HexDecode(kDevKey0));
  auto ks =
      crypto::EncryptKeystore(*key, "wallet pw", crypto::ScryptParams{.n = 1024, .r = 8, .p = 1});
  ASSERT_TRUE(ks);
  ks->address.clear();  // some wallets leave it out
  std::string json = dir.Write("wallet.json", crypto::KeystoreToJson(*ks));
  std::string wrong = dir.Write("wrong", "nope");
  auto bad =
      RunCliWith(Args(dir, {"account", "import", "--json-file", json, "--password-file", wrong}));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("wrong password"), std::string::npos) << bad.err;

  std::string pw = dir.Write("pw", "wallet pw");
  auto run =
      RunCliWith(Args(dir, {"account", "import", "--json-file", json, "--password-file", pw}));
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, std::string(kDevAddress0) + "\n");
  auto path = FindKeystore(dir.path() / "regtest" / "keystore", *Address::Parse(kDevAddress0));
  ASSERT_TRUE(path);
  auto stored = ReadKeystoreFile(*path);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(crypto::DecryptKeystore(*stored, "wallet pw"));
}

TEST(AccountCommand, SignWithAKeystoreAndABadPasswordFailsClearly) {
  ScratchDir dir;
  std::string pw = dir.Write("pw", "pw1");
  std::string key = dir.Write("key", kDevKey0);
  ASSERT_EQ(RunCliWith(Args(dir, {"account", "import", "--key-file", key, "--password-file", pw,
                                  "--light"}))
                .code,
            0);
  auto path = FindKeystore(dir.path() / "regtest" / "keystore", *Address::Parse(kDevAddress0));
  ASSERT_TRUE(path);
  std::string wrong = dir.Write("wrong", "pw2");
  auto run = RunCliWith({"sign", "--keystore", path->string(), "--password-file", wrong, "--to",
                         kDevAddress0, "--nonce", "0", "--max-fee", "1"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: wrong password for " + path->string() + "\n");
  auto ok = RunCliWith({"sign", "--keystore", path->string(), "--password-file", pw, "--to",
                        kDevAddress0, "--nonce", "0", "--max-fee", "1"});
  EXPECT_EQ(ok.code, 0) << ok.err;
}

TEST(AccountCommand, UsageErrors) {
  ScratchDir dir;
  EXPECT_EQ(RunCliWith(Args(dir, {"account"})).code, 1);
  EXPECT_EQ(RunCliWith(Args(dir, {"account", "frobnicate"})).code, 1);
  EXPECT_EQ(RunCliWith(Args(dir, {"account", "import"})).code, 1);
  EXPECT_EQ(RunCliWith(Args(dir, {"account", "new", "--scrypt-n", "1000"})).code, 1);
  // An empty folder lists nothing.
  auto list = RunCliWith(Args(dir, {"account", "list"}));
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.out, "");
}

TEST(KeystoreFiles, FileNameFollowsGeth) {
  Address a = *Address::Parse(kDevAddress0);
  auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000) +
                                                 std::chrono::nanoseconds(5));
  EXPECT_EQ(KeystoreFileName(a, t),
            "UTC--2023-11-14T22-13-20.000000005Z--f39fd6e51aad88f6f4ce6ab8827279cfffb92266");
}

}  // namespace
}  // namespace depin::cli

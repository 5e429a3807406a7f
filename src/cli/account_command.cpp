// `depin-cli account new|list|import`: V3 keystore files in the keystore
// folder (cli/keystore_files.h).
#include <charconv>

#include "cli/commands.h"
#include "cli/keystore_files.h"
#include "cli/password.h"
#include "cli/tx_builder.h"

namespace depin::cli {

namespace po = boost::program_options;

namespace {

// geth's "light" scrypt: about 4 MiB and a few milliseconds, for tests and
// throwaway regtest keys.
constexpr crypto::ScryptParams kLightScrypt{.n = 4096, .r = 8, .p = 6};

Result<crypto::ScryptParams> ScryptParamsFor(const CommandContext& ctx) {
  crypto::ScryptParams params;
  auto light = FlagValue(ctx.vm, "light");
  if (!light) return light.status();
  if (*light) params = kLightScrypt;
  if (auto n_text = OptionValue(ctx.vm, "scrypt-n")) {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(n_text->data(), n_text->data() + n_text->size(), n);
    if (ec != std::errc() || ptr != n_text->data() + n_text->size() || n < 2 ||
        (n & (n - 1)) != 0) {
      return Status::Error("cli-bad-option", "--scrypt-n must be a power of two >= 2");
    }
    params.n = n;
  }
  return params;
}

PasswordRequest NewPasswordRequest(const CommandContext& ctx) {
  return PasswordRequest{.password_file = OptionValue(ctx.vm, "password-file").value_or(""),
                         .prompt = "Password for the new key file: ",
                         .is_new = true};
}

int WriteNewKeystore(CommandContext& ctx, const crypto::PrivateKey& key) {
  auto params = ScryptParamsFor(ctx);
  if (!params) return Fail(ctx.err, params.status().message());
  auto password = GetPassword(NewPasswordRequest(ctx));
  if (!password) return Fail(ctx.err, password.status().message());
  auto keystore = crypto::EncryptKeystore(key, *password, *params);
  if (!keystore) return Fail(ctx.err, keystore.status().message());
  auto path = WriteKeystoreFile(KeystoreDirFor(ctx), *keystore);
  if (!path) return Fail(ctx.err, path.status().message());
  ctx.out << Address::FromPublicKey(key.GetPublicKey()).ToChecksumHex() << "\n";
  return 0;
}

int AccountNew(CommandContext& ctx) {
  return WriteNewKeystore(ctx, crypto::PrivateKey::Generate());
}

int AccountList(CommandContext& ctx) {
  auto entries = ListKeystores(KeystoreDirFor(ctx));
  if (!entries) return Fail(ctx.err, entries.status().message());
  for (const KeystoreEntry& e : *entries) {
    ctx.out << e.address.ToChecksumHex() << " " << e.path.string() << "\n";
  }
  return 0;
}

int AccountImport(CommandContext& ctx) {
  auto key_file = OptionValue(ctx.vm, "key-file");
  auto json_file = OptionValue(ctx.vm, "json-file");
  if (key_file.has_value() == json_file.has_value()) {
    return Fail(ctx.err, "account import needs exactly one of --key-file or --json-file");
  }
  if (key_file) {
    auto text = ReadSmallFile(*key_file);
    if (!text) return Fail(ctx.err, text.status().message());
    auto key = ParsePrivateKeyHex(*text);
    if (!key) return Fail(ctx.err, *key_file + ": " + key.status().message());
    return WriteNewKeystore(ctx, *key);
  }
  // A V3 file from another wallet keeps its password and encryption; it is
  // decrypted once to prove the password and to learn the address.
  auto keystore = ReadKeystoreFile(*json_file);
  if (!keystore) return Fail(ctx.err, keystore.status().message());
  auto password = GetPassword(
      PasswordRequest{.password_file = OptionValue(ctx.vm, "password-file").value_or(""),
                      .prompt = "Password of " + *json_file + ": "});
  if (!password) return Fail(ctx.err, password.status().message());
  auto key = crypto::DecryptKeystore(*keystore, *password);
  if (!key) {
    if (key.status().Is(StatusKind::kPermissionDenied)) {
      return Fail(ctx.err, "wrong password for " + *json_file);
    }
    return Fail(ctx.err, *json_file + ": " + key.status().message());
  }
  Address address = Address::FromPublicKey(key->GetPublicKey());
  if (!keystore->address.empty() && keystore->address != address.Hex().substr(2)) {
    return Fail(ctx.err, *json_file + ": its address field does not match its key");
  }
  keystore->address = address.Hex().substr(2);
  auto path = WriteKeystoreFile(KeystoreDirFor(ctx), *keystore);
  if (!path) return Fail(ctx.err, path.status().message());
  ctx.out << address.ToChecksumHex() << "\n";
  return 0;
}

}  // namespace

po::options_description AccountCommandOptions() {
  po::options_description d("account options");
  auto flag = &FlagOption;
  auto value = &ValueOption;
  d.add_options()                                                                              //
      ("password-file", value(), "read the password from the first line of this file")         //
      ("light", flag(), "cheap scrypt (n=4096, p=6) for test keys; default is n=262144, r=8")  //
      ("scrypt-n", value(), "scrypt cost n (a power of two) for new key files")                //
      ("keystore-dir", value(), "keystore folder (default <datadir>/<network>/keystore)")      //
      ("key-file", value(), "import: a file holding a hex private key")                        //
      ("json-file", value(), "import: a V3 keystore file from another wallet");
  return d;
}

int RunAccountCommand(CommandContext& ctx) {
  if (ctx.args.size() != 1) return Fail(ctx.err, "usage: depin-cli account new|list|import");
  const std::string& sub = ctx.args[0];
  if (sub == "new") return AccountNew(ctx);
  if (sub == "list") return AccountList(ctx);
  if (sub == "import") return AccountImport(ctx);
  return Fail(ctx.err, "unknown account command \"" + sub + "\" (new, list, import)");
}

}  // namespace depin::cli

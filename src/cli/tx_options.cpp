#include "cli/tx_options.h"

#include <charconv>

#include "cli/amount.h"
#include "cli/cli_options.h"
#include "cli/keystore_files.h"
#include "cli/password.h"
#include "crypto/keystore.h"

namespace depin::cli {

namespace po = boost::program_options;

void AddTxOptions(po::options_description& desc) {
  auto value = &ValueOption;
  desc.add_options()                                                                            //
      ("to", value(), "recipient address, or a module address for a call")                      //
      ("value", value(), "amount to transfer: 1.5 (DPN), 2gwei, 1000wei (default 0)")           //
      ("data", value(), "calldata as hex (module calls)")                                       //
      ("gas", value(), "gas limit (default 21000, or 200000 with --data)")                      //
      ("tip", value(), "max priority fee per gas, gwei unless a unit is given (default 1)")     //
      ("max-fee", value(), "max fee per gas (legacy: gas price), gwei unless a unit is given")  //
      ("nonce", value(), "the sender's nonce");
}

Result<uint64_t> ParseUint64Option(std::string_view name, const std::string& text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::Error(
        "cli-bad-option",
        "--" + std::string(name) + " takes a non-negative integer, not \"" + text + "\"");
  }
  return v;
}

Result<TxOptions> ParseTxOptions(const OptionMap& vm) {
  TxOptions t;
  auto named = [](std::string_view name, const Status& s) {
    return Status::Error(s.code(), "--" + std::string(name) + ": " + s.message());
  };
  if (auto to = OptionValue(vm, "to")) {
    auto address = Address::Parse(*to);
    if (!address) return named("to", address.status());
    t.to = *address;
  }
  if (auto value = OptionValue(vm, "value")) {
    auto amount = ParseAmount(*value, AmountUnit::kDpn);
    if (!amount) return named("value", amount.status());
    t.value = *amount;
  }
  if (auto data = OptionValue(vm, "data")) {
    auto bytes = HexDecode(*data);
    if (!bytes) return named("data", bytes.status());
    t.data = std::move(*bytes);
  }
  for (auto [name, out] : {std::pair<std::string_view, std::optional<uint64_t>*>{"gas", &t.gas},
                           {"nonce", &t.nonce}}) {
    if (auto text = OptionValue(vm, name)) {
      auto v = ParseUint64Option(name, *text);
      if (!v) return v.status();
      *out = *v;
    }
  }
  for (auto [name, out] : {std::pair<std::string_view, std::optional<Uint256>*>{"tip", &t.tip},
                           {"max-fee", &t.max_fee}}) {
    if (auto text = OptionValue(vm, name)) {
      auto amount = ParseAmount(*text, AmountUnit::kGwei);
      if (!amount) return named(name, amount.status());
      *out = *amount;
    }
  }
  return t;
}

Result<crypto::PrivateKey> UnlockKeystore(const std::filesystem::path& path,
                                          const std::string& password_file) {
  auto keystore = ReadKeystoreFile(path);
  if (!keystore) return keystore.status();
  auto password = GetPassword(PasswordRequest{.password_file = password_file,
                                              .prompt = "Password for " + path.string() + ": "});
  if (!password) return password.status();
  auto key = crypto::DecryptKeystore(*keystore, *password);
  if (!key) {
    if (key.status().Is(StatusKind::kPermissionDenied)) {
      return Status::Error(StatusKind::kPermissionDenied, "keystore-bad-password",
                           "wrong password for " + path.string());
    }
    return Status::Error(key.status().kind(), key.status().code(),
                         path.string() + ": " + key.status().message());
  }
  return key;
}

}  // namespace depin::cli

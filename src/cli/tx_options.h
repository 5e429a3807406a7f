// The transaction options `send` and `sign` share (--to, --value, --data,
// --gas, --tip, --max-fee, --nonce) and unlocking a keystore file for them.
// Amounts follow cli/amount.h; --value defaults to DPN and the fee options
// to gwei ("--tip 2" is 2 gwei per gas), the units people quote them in.
//
// Thread-safety: main thread only (unlocking may prompt).
#pragma once

#include <boost/program_options.hpp>
#include <filesystem>
#include <optional>
#include <string>

#include "cli/cli_options.h"
#include "crypto/secp256k1.h"
#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::cli {

void AddTxOptions(boost::program_options::options_description& desc);

struct TxOptions {
  std::optional<Address> to;
  Uint256 value;
  Bytes data;
  std::optional<uint64_t> gas;
  std::optional<Uint256> tip;
  std::optional<Uint256> max_fee;
  std::optional<uint64_t> nonce;
};

// Errors: "cli-bad-option" naming the option, or the amount-* codes.
Result<TxOptions> ParseTxOptions(const OptionMap& vm);

// Decrypts a V3 keystore file; the password from `password_file` or a prompt.
// A wrong password is "keystore-bad-password" with the file named.
Result<crypto::PrivateKey> UnlockKeystore(const std::filesystem::path& path,
                                          const std::string& password_file);

// A decimal uint64 option value.
Result<uint64_t> ParseUint64Option(std::string_view name, const std::string& text);

}  // namespace depin::cli

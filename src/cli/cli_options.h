// depin-cli's command line and depin.conf, bitcoin-cli style:
//
//   depin-cli [options] <method> [params...]      JSON-RPC call
//   depin-cli [options] account|send|sign|storage [command options]
//
// Options before the method are written -name=value (or --name=value); the
// first word without a leading dash is the method, and every word after it
// is a parameter, so negative numbers and dashes in strings pass through.
// The built-in commands parse the words after them as options too
// (`--to ADDR` or `--to=ADDR`), and accept the global options there as well.
//
// Connection settings come from the command line first, then depin.conf's
// section for the network ([main], [test], [regtest]), then its top level,
// then the network's defaults (consensus::ChainParams::default_rpc_port).
// depin.conf is read from the datadir unless -conf says otherwise; keys the
// CLI does not use (depind's) are ignored.
//
// Error codes: "cli-bad-option" (unknown option, malformed value),
// "cli-conflicting-networks", "config-missing", "config-parse".
//
// Thread-safety: parse on the main thread.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/params.h"
#include "util/status.h"

namespace depin::cli {

struct CliOptions {
  std::filesystem::path datadir;
  consensus::Network network = consensus::Network::kMain;
  // datadir/<network subfolder>: where the cookie and keystore live.
  std::filesystem::path network_dir;
  std::string rpcconnect = "127.0.0.1";
  uint16_t rpcport = 0;
  std::string rpcuser;
  std::string rpcpassword;
  std::filesystem::path rpccookiefile;
  bool rpcwait = false;
  int64_t rpcwaittimeout = 0;      // seconds; 0 waits forever
  int64_t rpcclienttimeout = 900;  // seconds; 0 means no deadline
  bool named = false;
  bool read_stdin = false;
  bool help = false;
};

// Parsed options by name: the last value given wins; a flag given bare is "".
using OptionMap = std::map<std::string, std::string, std::less<>>;

// Program_options semantics for an option that takes a value and for a flag
// (-name, -name=1, -name=0). Values are collected as strings and checked by
// their users, so every error names the option the way it was written.
boost::program_options::value_semantic* ValueOption();
boost::program_options::value_semantic* FlagOption();

// The command line split at the method (or built-in command).
struct CommandLine {
  std::vector<std::string> global_tokens;  // the options before it
  std::string command;                     // empty when none was given
  std::vector<std::string> rest;           // every word after it
};
CommandLine SplitCommandLine(int argc, const char* const* argv);

// The options every invocation understands (-datadir, -regtest, -rpcport...).
boost::program_options::options_description GlobalOptionsDescription();

// Parses option words against `desc` into `vm`. Words without a leading dash
// go to `positional` (an error when it is null). With `separate_values`, an
// option's value may be the next word (`--to ADDR`). Flags take -name,
// -name=1 or -name=0.
Status ParseOptionTokens(const std::vector<std::string>& tokens,
                         const boost::program_options::options_description& desc,
                         bool separate_values, OptionMap* vm, std::vector<std::string>* positional);

// An option's value if it was given.
std::optional<std::string> OptionValue(const OptionMap& vm, std::string_view name);
// A flag's value: absent false, "1"/"true"/"" true, "0"/"false" false.
Result<bool> FlagValue(const OptionMap& vm, std::string_view name);

// depin.conf reduced to key/value strings: the top level and one map per
// [section]. Later lines win. Comments start with '#'.
struct ConfigFile {
  std::map<std::string, std::string, std::less<>> top;
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> sections;
};
Result<ConfigFile> ParseConfigText(std::string_view text, std::string_view origin);

// Resolves the global options in `vm` against depin.conf (read from disk, or
// `config` when given, for tests) into CliOptions.
Result<CliOptions> ResolveCliOptions(const OptionMap& vm, const ConfigFile* config = nullptr);

// "user:password" for HTTP Basic auth: -rpcpassword if set, else the cookie
// file's contents, else empty (public methods need no credentials).
std::string RpcCredentials(const CliOptions& options);

// "~/x" against $HOME; empty means ~/.depin.
std::filesystem::path ExpandDataDir(const std::string& arg);

}  // namespace depin::cli

// Node arguments: the command line and depin.conf, parsed with
// Boost.Program_options against one table of options (NodeArgSpecs()). That
// table is the single source of truth for what depind accepts; `-help` and
// depin.conf.example are written from it.
//
// Precedence, highest first: the command line, the config file's section for
// the selected network ([main], [test], [regtest]), the config file's top
// level, the built-in default. A repeatable option (-debug, -rpcauth,
// -rpcallowip) takes all of its values from the first source that has any,
// so a command line value replaces rather than extends the file's.
//
// Options are written `-name=value` or `--name=value`; a flag given without a
// value means 1. Unknown options, malformed numbers and options that make no
// sense inside a network section (-conf, -datadir, -regtest, ...) are errors
// that name the option and where it came from.
//
// Usage (node/init is the only place that reads these):
//   Args args;
//   DEPIN_RETURN_IF_ERROR(args.ParseCommandLine(argc, argv));
//   DEPIN_RETURN_IF_ERROR(args.ReadConfigFile(path, /*required=*/false));
//   auto network = args.SelectNetwork();       // -regtest / -testnet / -dev
//   int64_t port = args.GetInt("rpcport", 8645);
//
// Thread-safety: parse on one thread before any other starts; afterwards the
// const getters may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/params.h"
#include "util/status.h"

namespace depin::node {

enum class ArgKind {
  kFlag,     // boolean: -name, -name=1, -name=0
  kString,   // one value
  kInt,      // one integer value
  kDecimal,  // one non-negative decimal number: 2, 0.5 (no sign, exponent, nan or inf)
  kList,     // repeatable string
};

// Where an option may appear.
enum class ArgScope {
  kAnywhere,         // command line, config top level, network sections
  kNoSection,        // command line or config top level (chooses the network or the file)
  kCommandLineOnly,  // -conf, -help, -version, -dumprpcdocs
};

struct ArgSpec {
  std::string name;
  ArgKind kind = ArgKind::kString;
  ArgScope scope = ArgScope::kAnywhere;
  // As shown in help and depin.conf.example; empty for "unset".
  std::string default_text;
  // One line: what it does and why one would set it.
  std::string help;
  // Help group: "General", "RPC", "Mining", ...
  std::string group;
};

// Every option depind accepts, in help order.
const std::vector<ArgSpec>& NodeArgSpecs();

// The config file's section name for a network ("main", "test", "regtest").
std::string_view NetworkSectionName(consensus::Network network);

class Args {
 public:
  Args();

  // argv[0] is the program name. Errors: "args-unknown-option",
  // "args-bad-value", "args-positional".
  Status ParseCommandLine(int argc, const char* const* argv);
  // Reads a config file. A missing file is ok unless `required`. Errors
  // name the file: "config-missing", "config-parse", "config-bad-value",
  // "config-not-in-section".
  Status ReadConfigFile(const std::filesystem::path& path, bool required);
  // Parses config text directly (tests).
  Status ReadConfigText(std::string_view text, std::string_view origin);

  // Chooses the network from -regtest / -testnet / -dev (command line first,
  // then the file's top level) and makes its section visible to the getters.
  // Errors: "args-conflicting-networks" for -regtest with -testnet.
  Result<consensus::Network> SelectNetwork();

  bool IsSet(std::string_view name) const;
  std::string GetString(std::string_view name, std::string_view fallback) const;
  // Values were validated at parse time, so this cannot fail.
  int64_t GetInt(std::string_view name, int64_t fallback) const;
  // A kDecimal option (checked at parse time: digits, an optional fraction).
  double GetDecimal(std::string_view name, double fallback) const;
  bool GetBool(std::string_view name, bool fallback) const;
  std::vector<std::string> GetList(std::string_view name) const;

  // Sets a value as if given on the command line unless it already is (how
  // -dev implies -regtest and -mine). Returns true if it was set.
  bool SoftSet(std::string_view name, std::string value);

 private:
  using ValueMap = std::map<std::string, std::vector<std::string>, std::less<>>;

  const std::vector<std::string>* Find(std::string_view name) const;

  ValueMap command_line_;
  ValueMap config_top_;
  std::map<std::string, ValueMap, std::less<>> config_sections_;
  std::string section_;  // selected network section, empty before SelectNetwork
};

// Text for `depind -help`, generated from NodeArgSpecs().
std::string ArgsHelpText();
// The full depin.conf.example, generated from NodeArgSpecs(); a unit test
// checks the checked-in file matches.
std::string ConfigExampleText();

}  // namespace depin::node

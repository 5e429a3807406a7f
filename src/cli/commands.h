// The built-in commands of depin-cli (everything that is not a JSON-RPC
// method name): what each accepts and how it runs. cli.cpp parses the
// command's words against Options() together with the global options and
// calls Run() with the result.
//
// Commands print their result to `out` and return the process exit code;
// they report failures to `err` as "error: <message>".
//
// Thread-safety: main thread only.
#pragma once

#include <boost/program_options.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_options.h"

namespace depin::cli {

struct CommandContext {
  CliOptions options;
  OptionMap vm;                   // the command's own options
  std::vector<std::string> args;  // its positional words
  std::ostream& out;
  std::ostream& err;
};

struct BuiltinCommand {
  std::string_view name;
  std::string_view usage;  // synopsis lines for -help
  boost::program_options::options_description (*options)();
  int (*run)(CommandContext& ctx);
};

// account, send, sign, storage, compute.
const std::vector<BuiltinCommand>& BuiltinCommands();

// Prints "error: <message>" and returns 1.
int Fail(std::ostream& err, const std::string& message);

// Each command's entry point and option table (one file per command).
boost::program_options::options_description AccountCommandOptions();
int RunAccountCommand(CommandContext& ctx);
boost::program_options::options_description SendCommandOptions();
int RunSendCommand(CommandContext& ctx);
boost::program_options::options_description SignCommandOptions();
int RunSignCommand(CommandContext& ctx);
boost::program_options::options_description StorageCommandOptions();
int RunStorageCommand(CommandContext& ctx);
boost::program_options::options_description ComputeCommandOptions();
int RunComputeCommand(CommandContext& ctx);

// <network dir>/keystore unless --keystore-dir is given.
std::filesystem::path KeystoreDirFor(const CommandContext& ctx);

}  // namespace depin::cli

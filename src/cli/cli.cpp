#include "cli/cli.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/rpc_client.h"
#include "cli/rpc_params.h"

namespace depin::cli {

namespace po = boost::program_options;

namespace {

// What a node answers while it is still opening its chainstate.
// The node's answer while it loads or rebuilds its chainstate (-28, as
// Bitcoin Core's RPC_IN_WARMUP); the message says what it is doing.
constexpr int kRpcInWarmup = -28;
// An admin method called without (valid) credentials.
constexpr int kRpcUnauthorized = -32001;

// Options as bitcoin-cli lists them: "-name=<value>" (or "--name" for a
// command's own options) with the description indented below.
void PrintOptions(const po::options_description& desc, std::string_view dashes, std::ostream& out) {
  for (const auto& option : desc.options()) {
    bool is_flag = option->semantic()->min_tokens() == 0;
    out << "  " << dashes << option->long_name() << (is_flag ? "" : "=<value>") << "\n"
        << "       " << option->description() << "\n";
  }
}

void PrintHelp(std::ostream& out) {
  out << "Usage:\n"
         "  depin-cli [options] <method> [params]   call a JSON-RPC method (`depin-cli help` "
         "lists them)\n"
         "  depin-cli [options] -named <method> [name=value ...]\n"
         "  depin-cli account new|list|import        manage V3 keystore files\n"
         "  depin-cli send --from F --to A --value V  sign locally and send a transfer\n"
         "  depin-cli sign ...                        sign a transaction offline\n"
         "  depin-cli storage commd FILE --sector-size 8MiB\n"
         "\n"
         "Parameters that parse as JSON are sent as JSON (5, true, {\"a\":1}); others as "
         "strings.\n"
         "Run `depin-cli <command> -help` for a built-in command's options.\n\n"
         "Options:\n";
  PrintOptions(GlobalOptionsDescription(), "-", out);
}

void PrintResult(const rapidjson::Value& result, std::ostream& out) {
  if (result.IsNull()) return;
  if (result.IsString()) {
    out << std::string_view(result.GetString(), result.GetStringLength()) << "\n";
    return;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  result.Accept(writer);
  out << std::string_view(buffer.GetString(), buffer.GetSize()) << "\n";
}

int RunRpcMethod(const CliOptions& options, const std::string& method,
                 std::vector<std::string> words, std::ostream& out, std::ostream& err) {
  if (options.read_stdin) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      words.push_back(line);
    }
  }
  std::string params;
  if (options.named) {
    auto named = BuildNamedParams(words);
    if (!named) return Fail(err, named.status().message());
    params = std::move(*named);
  } else {
    params = BuildPositionalParams(words);
  }
  RpcClient client(RpcClientOptions{.host = options.rpcconnect,
                                    .port = options.rpcport,
                                    .credentials = RpcCredentials(options),
                                    .timeout = std::chrono::seconds(options.rpcclienttimeout)});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.rpcwaittimeout);
  while (true) {
    auto reply = client.Call(method, params);
    bool starting = reply && reply->is_error && reply->error_code == kRpcInWarmup;
    bool down = !reply && reply.status().Is(StatusKind::kUnavailable);
    if (options.rpcwait && (down || starting)) {
      if (options.rpcwaittimeout > 0 && std::chrono::steady_clock::now() >= deadline) {
        return Fail(err, "timeout waiting for the node: " +
                             (down ? reply.status().message() : reply->error_message));
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
      // The node rewrites the cookie when it starts.
      client = RpcClient(RpcClientOptions{.host = options.rpcconnect,
                                          .port = options.rpcport,
                                          .credentials = RpcCredentials(options),
                                          .timeout = client.options().timeout});
      continue;
    }
    const bool refused = (!reply && reply.status().Is(StatusKind::kPermissionDenied)) ||
                         (reply && reply->is_error && reply->error_code == kRpcUnauthorized);
    if (refused && options.rpcpassword.empty() && !std::filesystem::exists(options.rpccookiefile)) {
      // No credentials were sent: say why rather than a bare refusal.
      return Fail(err, "cookie file not found at " + options.rpccookiefile.string() +
                           " (is depind running with this -datadir and network? or pass "
                           "-rpcuser/-rpcpassword)");
    }
    if (!reply) return Fail(err, reply.status().message());
    if (reply->is_error) {
      err << "error code: " << reply->error_code << "\nerror message:\n"
          << reply->error_message << "\n";
      return 1;
    }
    PrintResult(reply->result, out);
    return 0;
  }
}

}  // namespace

int Fail(std::ostream& err, const std::string& message) {
  err << "error: " << message << "\n";
  return 1;
}

const std::vector<BuiltinCommand>& BuiltinCommands() {
  static const std::vector<BuiltinCommand> kCommands = {
      {"account",
       "depin-cli account new [--password-file F] [--light | --scrypt-n N]\n"
       "depin-cli account list\n"
       "depin-cli account import --key-file F | --json-file F [--password-file F]",
       &AccountCommandOptions, &RunAccountCommand},
      {"send",
       "depin-cli send --from KEYFILE|ADDRESS --to ADDRESS --value AMOUNT [--data HEX] "
       "[--wait]\n"
       "  AMOUNT: 1.5 (DPN), 1.5dpn, 2gwei, 1000wei; fee options default to gwei",
       &SendCommandOptions, &RunSendCommand},
      {"sign",
       "depin-cli sign --key-file F | --keystore F --nonce N --to ADDRESS --max-fee FEE\n"
       "               [--value AMOUNT] [--tip FEE] [--gas N] [--data HEX] [--chain-id N] "
       "[--legacy]\n"
       "  prints the signed tx as hex without contacting a node",
       &SignCommandOptions, &RunSignCommand},
      {"storage",
       "depin-cli storage commd FILE --sector-size 2KiB|8MiB|512MiB|32GiB\n"
       "  prints the piece commitment (CommD) of FILE zero-padded to the sector\n"
       "depin-cli storage providers | deals [--client A] [--provider A] [--state S] | status\n"
       "  registered providers, deals, and this node's provider role\n"
       "depin-cli storage deal --provider A --file F --duration N [--price WEI] --from K\n"
       "depin-cli storage retrieve DEALID OUT",
       &StorageCommandOptions, &RunStorageCommand},
      {"compute",
       "depin-cli compute order --spec S --max-price WEI --duration N [--window W]\n"
       "               [--auditors A,B] [--manifest FILE] [--escrow WEI] --from K\n"
       "depin-cli compute bids ORDER | explain ORDER | accept BID --from K\n"
       "depin-cli compute manifest LEASE FILE --from K | lease LEASE [--from K]\n"
       "depin-cli compute close LEASE [--reason N] --from K\n"
       "  the tenant's side of the compute market; lease --from opens the access details",
       &ComputeCommandOptions, &RunComputeCommand},
  };
  return kCommands;
}

std::filesystem::path KeystoreDirFor(const CommandContext& ctx) {
  if (auto dir = OptionValue(ctx.vm, "keystore-dir")) return ExpandDataDir(*dir);
  return ctx.options.network_dir / "keystore";
}

int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CommandLine line = SplitCommandLine(argc, argv);
  po::options_description global = GlobalOptionsDescription();
  OptionMap vm;
  Status parsed = ParseOptionTokens(line.global_tokens, global, /*separate_values=*/false, &vm,
                                    /*positional=*/nullptr);
  if (!parsed.ok()) return Fail(err, parsed.message());

  const BuiltinCommand* builtin = nullptr;
  for (const BuiltinCommand& c : BuiltinCommands()) {
    if (c.name == line.command) builtin = &c;
  }
  std::vector<std::string> positional;
  po::options_description command_options;
  if (builtin != nullptr) {
    command_options.add(builtin->options());
    po::options_description all;
    all.add(global).add(command_options);
    parsed = ParseOptionTokens(line.rest, all, /*separate_values=*/true, &vm, &positional);
    if (!parsed.ok()) return Fail(err, parsed.message());
  }

  auto options = ResolveCliOptions(vm);
  if (!options) return Fail(err, options.status().message());
  if (options->help) {
    if (builtin != nullptr) {
      out << "Usage:\n" << builtin->usage << "\n\nOptions:\n";
      PrintOptions(command_options, "--", out);
    } else {
      PrintHelp(out);
    }
    return 0;
  }
  if (line.command.empty()) {
    err << "error: too few parameters (need at least a method or command)\n"
        << "Try depin-cli -help\n";
    return 1;
  }
  if (builtin != nullptr) {
    CommandContext ctx{*options, std::move(vm), std::move(positional), out, err};
    return builtin->run(ctx);
  }
  return RunRpcMethod(*options, line.command, std::move(line.rest), out, err);
}

}  // namespace depin::cli

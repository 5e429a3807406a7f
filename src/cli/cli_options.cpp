#include "cli/cli_options.h"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli/password.h"

namespace depin::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

std::string Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

Result<int64_t> ParseInt(std::string_view name, const std::string& text) {
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::Error("cli-bad-option",
                         "-" + std::string(name) + " takes an integer, not \"" + text + "\"");
  }
  return v;
}

Result<bool> ParseFlag(std::string_view name, const std::string& text) {
  if (text.empty() || text == "1" || text == "true") return true;
  if (text == "0" || text == "false") return false;
  return Status::Error("cli-bad-option",
                       "-" + std::string(name) + " takes 0 or 1, not \"" + text + "\"");
}

// Command line, then the network's section, then the top level.
std::optional<std::string> Lookup(const OptionMap& vm, const ConfigFile& config,
                                  std::string_view section, std::string_view name) {
  if (auto v = OptionValue(vm, name)) return v;
  if (auto s = config.sections.find(section); s != config.sections.end()) {
    if (auto it = s->second.find(name); it != s->second.end()) return it->second;
  }
  if (auto it = config.top.find(name); it != config.top.end()) return it->second;
  return std::nullopt;
}

}  // namespace

CommandLine SplitCommandLine(int argc, const char* const* argv) {
  CommandLine line;
  int i = 1;
  for (; i < argc; ++i) {
    std::string word = argv[i];
    if (word.size() > 1 && word[0] == '-') {
      line.global_tokens.push_back(std::move(word));
    } else {
      line.command = std::move(word);
      ++i;
      break;
    }
  }
  for (; i < argc; ++i) line.rest.emplace_back(argv[i]);
  return line;
}

po::options_description GlobalOptionsDescription() {
  po::options_description d("Options");
  auto flag = &FlagOption;
  auto value = &ValueOption;
  d.add_options()                                                                              //
      ("help", flag(), "print this help (or a command's, after the command) and exit")         //
      ("datadir", value(), "data directory (default ~/.depin)")                                //
      ("conf", value(), "config file, relative to the datadir (default depin.conf)")           //
      ("regtest", flag(), "use the regression-test chain (also for nodes started -dev)")       //
      ("testnet", flag(), "use the test network")                                              //
      ("dev", flag(), "same as -regtest")                                                      //
      ("rpcconnect", value(), "node address, host or host:port (default 127.0.0.1)")           //
      ("rpcport", value(), "RPC port (default: main 8645, test 18645, regtest 8545)")          //
      ("rpcuser", value(), "user name for HTTP Basic auth (with -rpcpassword)")                //
      ("rpcpassword", value(), "password for HTTP Basic auth; without it the cookie is used")  //
      ("rpccookiefile", value(), "cookie file (default <datadir>/<network>/.cookie)")          //
      ("rpcwait", flag(), "wait for the node to start answering")                              //
      ("rpcwaittimeout", value(), "seconds -rpcwait waits at most (default 0: forever)")       //
      ("rpcclienttimeout", value(), "seconds to wait for a response (default 900, 0: none)")   //
      ("named", flag(), "pass parameters as name=value")                                       //
      ("stdin", flag(), "read further parameters from stdin, one per line");
  return d;
}

Status ParseOptionTokens(const std::vector<std::string>& tokens,
                         const po::options_description& desc, bool separate_values, OptionMap* vm,
                         std::vector<std::string>* positional) {
  namespace style = po::command_line_style;
  int s = style::allow_long | style::long_allow_adjacent | style::allow_long_disguise;
  if (separate_values) s |= style::long_allow_next;
  try {
    po::parsed_options parsed =
        po::command_line_parser(tokens).options(desc).style(s).allow_unregistered().run();
    for (const po::option& o : parsed.options) {
      std::string word = o.original_tokens.empty() ? o.string_key : o.original_tokens.front();
      if (o.string_key.empty() || o.position_key >= 0) {
        if (positional == nullptr) {
          return Status::Error("cli-bad-option", "unexpected argument \"" + word + "\"");
        }
        for (const std::string& v : o.value) positional->push_back(v);
        continue;
      }
      if (o.unregistered) {
        // A negative number is a value, not an option.
        if (positional != nullptr && word.size() > 1 && word[1] >= '0' && word[1] <= '9') {
          positional->push_back(word);
          continue;
        }
        return Status::Error("cli-bad-option", "unknown option " + word);
      }
      const po::option_description* spec = desc.find_nothrow(o.string_key, false);
      bool is_flag = spec != nullptr && spec->semantic()->min_tokens() == 0;
      if (is_flag && o.original_tokens.size() > 1) {
        // Program_options hands a flag the next word as its value; a flag's
        // value must be attached (-wait=0), so that word is positional.
        if (positional == nullptr) {
          return Status::Error("cli-bad-option",
                               "unexpected argument \"" + o.original_tokens[1] + "\"");
        }
        (*vm)[o.string_key] = std::string();
        for (size_t i = 1; i < o.original_tokens.size(); ++i) {
          positional->push_back(o.original_tokens[i]);
        }
        continue;
      }
      (*vm)[o.string_key] = o.value.empty() ? std::string() : o.value.back();
    }
  } catch (const po::error& e) {
    return Status::Error("cli-bad-option", e.what());
  }
  return Status::Ok();
}

std::optional<std::string> OptionValue(const OptionMap& vm, std::string_view name) {
  auto it = vm.find(name);
  if (it == vm.end()) return std::nullopt;
  return it->second;
}

po::value_semantic* ValueOption() { return po::value<std::vector<std::string>>(); }

po::value_semantic* FlagOption() {
  return po::value<std::vector<std::string>>()->implicit_value(std::vector<std::string>{}, "1");
}

Result<bool> FlagValue(const OptionMap& vm, std::string_view name) {
  auto v = OptionValue(vm, name);
  if (!v) return false;
  return ParseFlag(name, *v);
}

Result<ConfigFile> ParseConfigText(std::string_view text, std::string_view origin) {
  ConfigFile config;
  std::map<std::string, std::string, std::less<>>* current = &config.top;
  std::istringstream in{std::string(text)};
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    std::string line = raw;
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    line = Trim(line);
    if (line.empty()) continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) {
        return Status::Error("config-parse", std::string(origin) + ":" + std::to_string(number) +
                                                 ": malformed section \"" + line + "\"");
      }
      current = &config.sections[Trim(std::string_view(line).substr(1, line.size() - 2))];
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Error("config-parse", std::string(origin) + ":" + std::to_string(number) +
                                               ": expected name=value, got \"" + line + "\"");
    }
    (*current)[Trim(std::string_view(line).substr(0, eq))] =
        Trim(std::string_view(line).substr(eq + 1));
  }
  return config;
}

fs::path ExpandDataDir(const std::string& arg) {
  const char* home = std::getenv("HOME");
  fs::path home_dir = home != nullptr ? fs::path(home) : fs::path("/");
  if (arg.empty()) return home_dir / ".depin";
  if (arg == "~") return home_dir;
  if (arg.starts_with("~/")) return home_dir / arg.substr(2);
  std::error_code ec;
  fs::path abs = fs::absolute(arg, ec);
  return ec ? fs::path(arg) : abs;
}

Result<CliOptions> ResolveCliOptions(const OptionMap& vm, const ConfigFile* config) {
  CliOptions o;
  o.datadir = ExpandDataDir(OptionValue(vm, "datadir").value_or(""));
  ConfigFile loaded;
  if (config == nullptr) {
    auto conf_arg = OptionValue(vm, "conf");
    fs::path conf = conf_arg ? fs::path(*conf_arg) : fs::path("depin.conf");
    if (conf.is_relative()) conf = o.datadir / conf;
    std::ifstream in(conf);
    if (in) {
      std::ostringstream text;
      text << in.rdbuf();
      auto parsed = ParseConfigText(text.str(), conf.string());
      if (!parsed) return parsed.status();
      loaded = std::move(*parsed);
    } else if (conf_arg) {
      return Status::Error("config-missing", "cannot read config file " + conf.string());
    }
    config = &loaded;
  }

  // The network: the command line, then the file's top level (a section
  // cannot choose the network it is a section of).
  auto network_flag = [&](std::string_view name) -> Result<bool> {
    if (auto v = OptionValue(vm, name)) return ParseFlag(name, *v);
    if (auto it = config->top.find(name); it != config->top.end()) {
      return ParseFlag(name, it->second);
    }
    return false;
  };
  bool regtest = false;
  for (std::string_view name : {"regtest", "dev"}) {
    auto f = network_flag(name);
    if (!f) return f.status();
    regtest |= *f;
  }
  auto testnet = network_flag("testnet");
  if (!testnet) return testnet.status();
  if (regtest && *testnet) {
    return Status::Error("cli-conflicting-networks", "-testnet cannot be combined with -regtest");
  }
  o.network = regtest    ? consensus::Network::kRegtest
              : *testnet ? consensus::Network::kTest
                         : consensus::Network::kMain;
  consensus::ChainParams params = consensus::ParamsFor(o.network);
  o.network_dir = params.datadir_sub.empty() ? o.datadir : o.datadir / params.datadir_sub;
  std::string section = params.name;

  o.rpcport = params.default_rpc_port;
  std::optional<std::string> port_text = Lookup(vm, *config, section, "rpcport");
  if (auto host = Lookup(vm, *config, section, "rpcconnect")) {
    o.rpcconnect = *host;
    // host:port or [v6]:port; an explicit -rpcport wins.
    std::string port_part;
    if (o.rpcconnect.starts_with("[")) {
      size_t close = o.rpcconnect.find(']');
      if (close != std::string::npos && close + 1 < o.rpcconnect.size() &&
          o.rpcconnect[close + 1] == ':') {
        port_part = o.rpcconnect.substr(close + 2);
      }
      if (close != std::string::npos) o.rpcconnect = o.rpcconnect.substr(1, close - 1);
    } else if (size_t colon = o.rpcconnect.find(':');
               colon != std::string::npos &&
               o.rpcconnect.find(':', colon + 1) == std::string::npos) {
      port_part = o.rpcconnect.substr(colon + 1);
      o.rpcconnect.resize(colon);
    }
    if (!port_part.empty() && !port_text) port_text = port_part;
  }
  if (port_text) {
    auto port = ParseInt("rpcport", *port_text);
    if (!port) return port.status();
    if (*port < 1 || *port > 65535) {
      return Status::Error("cli-bad-option", "-rpcport must be 1..65535, not " + *port_text);
    }
    o.rpcport = static_cast<uint16_t>(*port);
  }
  o.rpcuser = Lookup(vm, *config, section, "rpcuser").value_or("");
  o.rpcpassword = Lookup(vm, *config, section, "rpcpassword").value_or("");
  fs::path cookie = Lookup(vm, *config, section, "rpccookiefile").value_or(".cookie");
  o.rpccookiefile = cookie.is_relative() ? o.network_dir / cookie : cookie;

  auto flag = [&vm](std::string_view name, bool* out) -> Status {
    auto f = FlagValue(vm, name);
    if (!f) return f.status();
    *out = *f;
    return Status::Ok();
  };
  DEPIN_RETURN_IF_ERROR(flag("rpcwait", &o.rpcwait));
  DEPIN_RETURN_IF_ERROR(flag("named", &o.named));
  DEPIN_RETURN_IF_ERROR(flag("stdin", &o.read_stdin));
  DEPIN_RETURN_IF_ERROR(flag("help", &o.help));
  for (auto [name, out] :
       {std::pair<std::string_view, int64_t*>{"rpcwaittimeout", &o.rpcwaittimeout},
        {"rpcclienttimeout", &o.rpcclienttimeout}}) {
    if (auto v = OptionValue(vm, name)) {
      auto n = ParseInt(name, *v);
      if (!n) return n.status();
      if (*n < 0) return Status::Error("cli-bad-option", "-" + std::string(name) + " must be >= 0");
      *out = *n;
    }
  }
  return o;
}

std::string RpcCredentials(const CliOptions& options) {
  if (!options.rpcpassword.empty()) return options.rpcuser + ":" + options.rpcpassword;
  std::ifstream in(options.rpccookiefile);
  if (!in) return {};
  std::string line;
  std::getline(in, line);
  return FirstLine(line);
}

}  // namespace depin::cli

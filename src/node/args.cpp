#include "node/args.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

namespace depin::node {

namespace po = boost::program_options;

namespace {

constexpr std::string_view kSections[] = {"main", "test", "regtest"};

std::string PortsText(uint16_t consensus::ChainParams::*field) {
  return "main " + std::to_string(consensus::MainParams().*field) + ", test " +
         std::to_string(consensus::TestParams().*field) + ", regtest " +
         std::to_string(consensus::RegtestParams().*field);
}

std::vector<ArgSpec> BuildSpecs() {
  using K = ArgKind;
  using S = ArgScope;
  std::vector<ArgSpec> s;
  auto add = [&s](std::string name, K kind, S scope, std::string def, std::string help,
                  std::string group) {
    s.push_back(
        ArgSpec{std::move(name), kind, scope, std::move(def), std::move(help), std::move(group)});
  };
  // General.
  add("help", K::kFlag, S::kCommandLineOnly, "0", "print this help and exit", "General");
  add("version", K::kFlag, S::kCommandLineOnly, "0", "print the version and exit", "General");
  add("dumprpcdocs", K::kFlag, S::kCommandLineOnly, "0",
      "print the RPC reference (docs/rpc.md) generated from the method tables and exit", "General");
  add("dumpconfexample", K::kFlag, S::kCommandLineOnly, "0",
      "print depin.conf.example generated from this option table and exit", "General");
  add("conf", K::kString, S::kCommandLineOnly, "<datadir>/depin.conf",
      "config file to read; relative paths are taken from the datadir", "General");
  add("datadir", K::kString, S::kNoSection, "~/.depin",
      "where chain data, logs and the RPC cookie live; networks other than main use a subfolder",
      "General");
  add("pid", K::kString, S::kAnywhere, "",
      "write the process id to this file (relative to the network folder) for init systems",
      "General");
  add("daemon", K::kFlag, S::kNoSection, "0",
      "fork into the background once start-up checks pass; the parent exits with the result",
      "General");
  add("dbcache", K::kInt, S::kAnywhere, "64",
      "LevelDB cache in MiB (at least 4); more makes sync and RPC reads faster at the cost of "
      "memory",
      "General");
  add("reindex", K::kFlag, S::kAnywhere, "0",
      "rebuild the chainstate from the block files at start (after damage to chainstate/); "
      "needs room for a second copy of blocks/ while it runs",
      "General");
  add("txindex", K::kFlag, S::kAnywhere, "1",
      "keep an index of every tx in the chain (indexes/txindex/) so eth_getTransactionByHash, "
      "eth_getTransactionReceipt and getrawtransaction find mined txs; built in the background",
      "General");
  add("addressindex", K::kFlag, S::kAnywhere, "0",
      "keep an index of every address's txs, module calls and module transfers "
      "(indexes/addressindex/) for getaddresshistory, getaddresssummary and the ots_ search "
      "methods; built in the background",
      "General");
  add("marketindex", K::kFlag, S::kAnywhere, "0",
      "keep an index of the compute and storage markets' orders, bids, leases, providers, deals "
      "and sectors by participant, with running counters (indexes/marketindex/), for "
      "getmarketobjects, getmarketstats and getstoragestats; built in the background",
      "General");
  // Network selection.
  add("regtest", K::kFlag, S::kNoSection, "0",
      "use the local regression-test chain: on-demand blocks at minimum difficulty", "Chain");
  add("testnet", K::kFlag, S::kNoSection, "0", "use the public test network", "Chain");
  add("dev", K::kFlag, S::kNoSection, "0",
      "development node: regtest, built-in miner every -devblocktime seconds, prints the 10 "
      "funded dev accounts, answers the test-node RPC methods (evm_*, anvil_*, hardhat_*); "
      "P2P binds to 127.0.0.1 unless -bind is given",
      "Chain");
  add("devblocktime", K::kDecimal, S::kAnywhere, "2",
      "seconds between blocks in -dev mode, fractions allowed (0.5), at most 86400; 0 mines a "
      "block as soon as a tx arrives (test mode: txs waiting meanwhile share the block); 2 is "
      "short enough for tutorials, long enough to read logs",
      "Chain");
  add("minimumchainwork", K::kString, S::kAnywhere, "the network's (0 until it has blocks)",
      "hex chain work a header chain must reach before its headers are stored and its blocks "
      "downloaded; guards a fresh node against cheap low-work forks (0 turns it off)",
      "Chain");
  // P2P (the listener lands with net/; the port is reserved now so configs stay valid).
  add("port", K::kInt, S::kAnywhere, PortsText(&consensus::ChainParams::default_port),
      "P2P listen port", "Connections");
  add("listen", K::kFlag, S::kAnywhere, "1",
      "accept inbound P2P connections (off with -connect unless given explicitly)", "Connections");
  add("bind", K::kList, S::kAnywhere, "0.0.0.0",
      "address to listen on for P2P (repeatable); the port comes from -port", "Connections");
  add("connect", K::kList, S::kAnywhere, "",
      "connect only to this peer (repeatable); no other outbound connections are made",
      "Connections");
  add("addnode", K::kList, S::kAnywhere, "",
      "peer to keep connected in addition to the automatic ones (repeatable)", "Connections");
  add("seednode", K::kList, S::kAnywhere, "",
      "peer to ask for addresses once at start-up, then disconnect (repeatable)", "Connections");
  add("maxconnections", K::kInt, S::kAnywhere, "125",
      "most P2P connections in total; inbound gets what outbound leaves", "Connections");
  add("maxoutbound", K::kInt, S::kAnywhere, "8",
      "most automatic outbound connections; more peers help sync, each costs bandwidth",
      "Connections");
  add("bantime", K::kInt, S::kAnywhere, "86400", "seconds a misbehaving peer stays banned",
      "Connections");
  add("whitelist", K::kList, S::kAnywhere, "",
      "subnet whose peers are never banned, only disconnected (repeatable)", "Connections");
  add("maxreceivebuffer", K::kInt, S::kAnywhere, "5000",
      "per-peer receive buffer in KiB; reading pauses when a peer sends faster than we process",
      "Connections");
  add("maxsendbuffer", K::kInt, S::kAnywhere, "1000",
      "per-peer send buffer in KiB; serving data pauses while a peer reads slowly", "Connections");
  add("maxorphantx", K::kInt, S::kAnywhere, "100",
      "txs kept while their sender's earlier nonce is missing, from all peers together",
      "Connections");
  add("maxorphanblocks", K::kInt, S::kAnywhere, "1024",
      "blocks kept in memory that arrived before their parent's data (out of order); past it "
      "the ones furthest from the tip wait on disk instead",
      "Connections");
  add("maxorphanblockbuffer", K::kInt, S::kAnywhere, "32768",
      "KiB of blocks that arrived before their parent's data kept in memory; past it the ones "
      "furthest from the tip wait on disk instead",
      "Connections");
  // RPC.
  add("rpcport", K::kInt, S::kAnywhere, PortsText(&consensus::ChainParams::default_rpc_port),
      "JSON-RPC port (HTTP and WebSocket); all methods, admin ones need credentials", "RPC");
  add("rpcbind", K::kList, S::kAnywhere, "127.0.0.1",
      "address to bind the RPC port to (repeatable); loopback unless you mean to expose it", "RPC");
  add("rpcallowip", K::kList, S::kAnywhere, "127.0.0.1 ::1",
      "client addresses or CIDR subnets allowed to connect (repeatable); others are refused",
      "RPC");
  add("rpcauth", K::kList, S::kAnywhere, "",
      "user:salt$hash credentials for admin methods (repeatable); the cookie file always works",
      "RPC");
  add("rpcpublicport", K::kInt, S::kAnywhere, "0",
      "extra listener serving public methods only, with per-IP limits; 0 disables it", "RPC");
  add("rpcpublicbind", K::kList, S::kAnywhere, "127.0.0.1 ::1",
      "address the public RPC listener binds to (repeatable); 0.0.0.0 to serve the internet",
      "RPC");
  add("rpcpublicrate", K::kInt, S::kAnywhere, "20",
      "requests per second each client IP may make on the public port (bursts of twice that)",
      "RPC");
  add("rpcthreads", K::kInt, S::kAnywhere, "4",
      "worker threads executing RPC calls; raise for many concurrent explorers", "RPC");
  add("rpcservertimeout", K::kInt, S::kAnywhere, "30",
      "seconds an idle connection may wait for its next request, and a request's body may take",
      "RPC");
  add("rpcheadertimeout", K::kInt, S::kAnywhere, "5",
      "seconds a started request has to send all its headers; disposes of slowloris senders",
      "RPC");
  add("rpcmaxconnections", K::kInt, S::kAnywhere, "512",
      "connections the main RPC listener holds at once; the public listener counts separately",
      "RPC");
  add("rpcpublicmaxconnections", K::kInt, S::kAnywhere, "512",
      "connections the public RPC listener holds at once, all clients together", "RPC");
  add("rpcpublicmaxperip", K::kInt, S::kAnywhere, "32",
      "connections one client IP may hold on the public RPC listener", "RPC");
  add("rpcadminthreads", K::kInt, S::kAnywhere, "2",
      "worker threads for authenticated calls, so public load never delays the operator", "RPC");
  add("rpcauthfailures", K::kInt, S::kAnywhere, "10",
      "failed logins per client IP before it is locked out (1 s, doubling up to 10 min); "
      "slows password guessing",
      "RPC");
  add("rpcvhosts", K::kList, S::kAnywhere, "localhost",
      "Host header names served besides IP addresses (repeatable; * for any); blocks DNS "
      "rebinding from web pages",
      "RPC");
  add("rpccorsdomain", K::kList, S::kAnywhere, "",
      "browser origins allowed to read replies and open websockets (repeatable; * for any); "
      "without it websockets take localhost pages and the pages this port serves (-explorer)",
      "RPC");
  add("explorer", K::kFlag, S::kAnywhere, "0",
      "serve the web explorer at /explorer/ on the RPC ports (docs/explorer.md); it reads the "
      "chain through the public RPC methods like any client",
      "RPC");
  add("rpcfiltersperclient", K::kInt, S::kAnywhere, "256",
      "eth_newFilter/eth_newBlockFilter filters one client IP may hold (10000 in all)", "RPC");
  add("rpcfiltertimeout", K::kInt, S::kAnywhere, "300",
      "seconds a polling filter lives without eth_getFilterChanges (geth: 5 minutes)", "RPC");
  add("rpcmaxsubscriptions", K::kInt, S::kAnywhere, "1000",
      "eth_subscribe subscriptions one websocket connection may hold", "RPC");
  // Monitoring.
  add("metrics", K::kString, S::kAnywhere, "",
      "ADDR:PORT of a separate listener serving Prometheus metrics at /metrics and a health "
      "check at /health (200 when synced and the datadir is writable, else 503); off when "
      "unset, and never on the RPC ports",
      "Monitoring");
  add("metricsallowip", K::kList, S::kAnywhere, "127.0.0.1 ::1",
      "client addresses or CIDR subnets allowed to scrape -metrics (repeatable); add your "
      "Prometheus server's",
      "Monitoring");
  add("rpcmaxbody", K::kInt, S::kAnywhere, "8192",
      "largest request body (and websocket message) in KiB; larger ones get 413 unread", "RPC");
  add("rpcmaxbatch", K::kInt, S::kAnywhere, "1000",
      "most requests in one JSON-RPC batch; each still costs a rate-limit token", "RPC");
  add("rpcworkqueue", K::kInt, S::kAnywhere, "64",
      "requests waiting for a worker before new ones are answered 503 (-32005 on websockets)",
      "RPC");
  // Mining.
  add("mine", K::kFlag, S::kAnywhere, "0",
      "run the built-in CPU miner; without -dev it mines continuously but paces itself, at most "
      "one block a second while the next block's earliest time is ahead of the clock, so the "
      "chain's time stays near the clock",
      "Mining");
  add("mineraddress", K::kString, S::kAnywhere, "",
      "address paid block rewards and tips; required with -mine except in -dev (dev account 0)",
      "Mining");
  add("minethreads", K::kInt, S::kAnywhere, "1",
      "CPU threads searching nonces; regtest needs only one", "Mining");
  add("minegpu", K::kFlag, S::kAnywhere, "0",
      "search nonces on the GPU chosen by -gpu (the CPU threads take over if it fails or none "
      "is active)",
      "Mining");
  // GPU.
  add("gpu", K::kString, S::kAnywhere, "auto",
      "where batch hashing runs (proof checks, sealing trees, -minegpu): auto (CUDA, else an "
      "OpenCL GPU, else the CPU), cuda, opencl (any OpenCL device, CPU ones included) or none",
      "GPU");
  add("gpudevices", K::kString, S::kAnywhere, "",
      "devices to consider, in order, comma-separated (cuda:0,opencl:1; see getgpuinfo); the "
      "first that opens does the work; default every device -gpu allows",
      "GPU");
  add("gpuminbatch", K::kInt, S::kAnywhere, "4096",
      "smallest batch (hashes, Merkle paths, tree leaves) sent to the GPU; smaller ones run on "
      "the CPU, where the transfer would cost more than the device saves",
      "GPU");
  // Storage provider role.
  add("storageprovider", K::kString, S::kAnywhere, "",
      "run the built-in storage provider with the key in this file (one 0x hex private key, "
      "mode 0600): registers, seals staged deal data into sectors, pre-commits, prove-commits "
      "and answers every PoSt deadline",
      "Storage provider");
  add("sectordir", K::kString, S::kAnywhere, "",
      "the storage provider's working folder (staged data, sealed sectors, job files); default "
      "<network folder>/storage",
      "Storage provider");
  add("storageprice", K::kString, S::kAnywhere, "1000000000",
      "the provider's ask in wei per GiB of piece per block (decimal)", "Storage provider");
  add("storageuri", K::kString, S::kAnywhere, "",
      "the URI registered for clients to upload to and retrieve from (PUT/GET "
      "/storage/deals/{id}, GET /piece/{commD}); default this node's public RPC port if "
      "-rpcpublicport is set, else its RPC port, on 127.0.0.1",
      "Storage provider");
  add("storagesectorsize", K::kString, S::kAnywhere, "",
      "sector size to register and seal (2KiB, 8MiB, 512MiB, 32GiB; one of the network's); "
      "default the network's smallest",
      "Storage provider");
  add("storagestake", K::kString, S::kAnywhere, "",
      "stake sent with the registration, in wei (decimal); default the network's minimum",
      "Storage provider");
  add("storagemindeal", K::kInt, S::kAnywhere, "1", "shortest deal the provider takes, in blocks",
      "Storage provider");
  add("storagediskreserve", K::kString, S::kAnywhere, "",
      "MiB of free disk the provider keeps in -sectordir: an upload that would leave less is "
      "refused (HTTP 507) before it is written; default two sector sizes plus 1 GiB",
      "Storage provider");
  add("parentcachedir", K::kString, S::kAnywhere, "",
      "folder for the memory-mapped DRG parent cache shared by seals (one file per sector size); "
      "default: parents built in memory for each seal",
      "Storage provider");
  // Compute provider role.
  add("computeprovider", K::kString, S::kAnywhere, "",
      "run the built-in compute provider with the key in this file (one 0x hex private key, "
      "mode 0600): registers its GPUs, bids on matching orders, runs -leasehook for each lease "
      "and posts the access details it prints",
      "Compute provider");
  add("computedir", K::kString, S::kAnywhere, "",
      "the compute provider's working folder (bids, lease hook records, manifests); default "
      "<network folder>/compute",
      "Compute provider");
  add("gpus", K::kString, S::kAnywhere, "",
      "the GPUs offered: VENDOR:MODEL:COUNT:VRAMGIB[:pcie|sxm], e.g. nvidia:RTX 4090:2:24 "
      "(names are normalized as the market normalizes them), or auto (also: detect): the GPUs "
      "getgpuinfo lists (CUDA first), the first device's model and how many share it",
      "Compute provider");
  add("computeattributes", K::kString, S::kAnywhere, "",
      "further attributes registered with the GPUs, key=value;key=value (e.g. region=eu-west)",
      "Compute provider");
  add("bidprice", K::kString, S::kAnywhere, "",
      "the bid policy: MODEL:WEI,... wei per GPU per block for each model; orders whose max "
      "price is below that times their GPU count get no bid",
      "Compute provider");
  add("leasehook", K::kString, S::kAnywhere, "",
      "program run as `HOOK start|close` for each lease (environment DEPIN_LEASE_ID, "
      "DEPIN_TENANT, DEPIN_GPU_MODEL, DEPIN_GPU_COUNT, DEPIN_MANIFEST, ...); what it prints at "
      "start is posted as the lease's access details, sealed to the tenant",
      "Compute provider");
  add("computestake", K::kString, S::kAnywhere, "",
      "stake sent with the registration, in wei (decimal); default the network's minimum",
      "Compute provider");
  add("computeuri", K::kString, S::kAnywhere, "",
      "the host URI registered (where tenants send manifests: PUT "
      "/compute/leases/{id}/manifest); default this node's public RPC port if -rpcpublicport is "
      "set, else its RPC port, on 127.0.0.1",
      "Compute provider");
  add("computewithdrawevery", K::kInt, S::kAnywhere, "100",
      "blocks between withdrawals of the pay accrued on active leases", "Compute provider");
  // Mempool.
  add("maxmempool", K::kInt, S::kAnywhere, "300",
      "mempool size limit in MiB (at least 1); the lowest-fee txs are evicted beyond it",
      "Mempool");
  add("maxmempoolfuture", K::kInt, S::kAnywhere, "0",
      "MiB of txs behind a nonce gap (never minable until it fills); 0: an eighth of -maxmempool",
      "Mempool");
  add("mempoolfuturepersender", K::kInt, S::kAnywhere, "16",
      "txs behind a nonce gap one sender may have in the pool", "Mempool");
  add("mintxtip", K::kInt, S::kAnywhere, "0",
      "lowest priority fee per gas (wei) a tx needs to enter the mempool; below it the node "
      "answers \"transaction underpriced\"",
      "Mempool");
  // Logging.
  add("debug", K::kList, S::kAnywhere, "",
      "debug log categories (repeatable): net rpc chain mempool mining storage compute db "
      "validation market provider node index, or all",
      "Logging");
  add("loglevel", K::kString, S::kAnywhere, "info",
      "lowest level written: trace, debug, info, warn, error", "Logging");
  add("printtoconsole", K::kFlag, S::kAnywhere, "0",
      "also write log lines to stdout (default on with -dev)", "Logging");
  // Testing.
  add("testfailblockwrites", K::kInt, S::kAnywhere, "",
      "regtest only: after this many block file writes (genesis counts on a new datadir), every "
      "further one fails as on a full disk (tests of the node stopping cleanly)",
      "Testing");
  add("testsealpause", K::kInt, S::kAnywhere, "",
      "regtest only: the storage provider pauses this many milliseconds after each sealing "
      "layer (tests that stop a provider mid-seal)",
      "Testing");
  return s;
}

const ArgSpec* FindSpec(std::string_view name) {
  for (const ArgSpec& spec : NodeArgSpecs()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// Checks one value against its kind; returns the normalized value.
Result<std::string> CheckValue(const ArgSpec& spec, const std::string& value) {
  switch (spec.kind) {
    case ArgKind::kFlag:
      if (value.empty() || value == "1" || value == "true") return std::string("1");
      if (value == "0" || value == "false") return std::string("0");
      return Status::Error("args-bad-value",
                           "-" + spec.name + " takes 0 or 1, not \"" + value + "\"");
    case ArgKind::kInt: {
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        return Status::Error("args-bad-value",
                             "-" + spec.name + " takes an integer, not \"" + value + "\"");
      }
      return value;
    }
    case ArgKind::kDecimal: {
      // Digits with an optional fraction: what a person means by "0.5
      // seconds". Signs, exponents, nan and inf are refused here, before
      // anything touches the datadir.
      const size_t dot = value.find('.');
      const std::string whole = value.substr(0, dot);
      const std::string fraction = dot == std::string::npos ? "" : value.substr(dot + 1);
      auto digits = [](const std::string& s) {
        return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
      };
      if (!digits(whole) || (dot != std::string::npos && !digits(fraction))) {
        return Status::Error(
            "args-bad-value",
            "-" + spec.name + " takes a number >= 0 such as 2 or 0.5, not \"" + value + "\"");
      }
      return value;
    }
    case ArgKind::kString:
    case ArgKind::kList:
      return value;
  }
  return value;
}

po::options_description Describe(bool with_sections) {
  po::options_description desc;
  for (const ArgSpec& spec : NodeArgSpecs()) {
    auto add = [&desc, &spec](const std::string& name) {
      auto* sem = po::value<std::vector<std::string>>();
      if (spec.kind == ArgKind::kFlag) sem->implicit_value(std::vector<std::string>{}, "1");
      desc.add_options()(name.c_str(), sem, spec.help.c_str());
    };
    add(spec.name);
    if (with_sections) {
      for (std::string_view section : kSections) add(std::string(section) + "." + spec.name);
    }
  }
  return desc;
}

// Adds the parsed options to `out`, validating each value. `origin` names the
// source in errors.
Status Collect(const po::parsed_options& parsed, std::string_view origin, bool from_file,
               std::map<std::string, std::vector<std::string>, std::less<>>& top,
               std::map<std::string, std::map<std::string, std::vector<std::string>, std::less<>>,
                        std::less<>>* sections) {
  for (const po::option& opt : parsed.options) {
    if (opt.unregistered || opt.string_key.empty()) {
      return Status::Error("args-unknown-option",
                           std::string(origin) + ": unknown option " + opt.original_tokens[0]);
    }
    std::string key = opt.string_key;
    std::string section;
    if (size_t dot = key.find('.'); dot != std::string::npos) {
      section = key.substr(0, dot);
      key = key.substr(dot + 1);
    }
    const ArgSpec* spec = FindSpec(key);
    if (spec == nullptr) {
      return Status::Error("args-unknown-option", std::string(origin) + ": unknown option " + key);
    }
    if (from_file && spec->scope == ArgScope::kCommandLineOnly) {
      return Status::Error("config-not-in-section", std::string(origin) + ": -" + key +
                                                        " is only valid on the command line");
    }
    if (!section.empty() && spec->scope != ArgScope::kAnywhere) {
      return Status::Error("config-not-in-section",
                           std::string(origin) + ": -" + key + " is not valid in the [" + section +
                               "] section; put it at the top of the file or on the command line");
    }
    std::vector<std::string> values = opt.value;
    if (values.empty()) values.push_back("");  // a bare flag
    if (spec->kind != ArgKind::kFlag && values.size() == 1 && values[0].empty() && !from_file) {
      return Status::Error(from_file ? "config-bad-value" : "args-bad-value",
                           std::string(origin) + ": -" + key + " needs a value");
    }
    auto& target = section.empty() ? top : (*sections)[section];
    auto& slot = target[key];
    if (spec->kind != ArgKind::kList) slot.clear();  // the last one given wins
    for (const std::string& v : values) {
      auto checked = CheckValue(*spec, v);
      if (!checked) {
        // A bad value in the config file is named as such.
        return Status::Error(from_file ? "config-bad-value" : checked.status().code(),
                             std::string(origin) + ": " + checked.status().message());
      }
      slot.push_back(*checked);
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<ArgSpec>& NodeArgSpecs() {
  static const std::vector<ArgSpec> specs = BuildSpecs();
  return specs;
}

std::string_view NetworkSectionName(consensus::Network network) {
  switch (network) {
    case consensus::Network::kMain:
      return "main";
    case consensus::Network::kTest:
      return "test";
    case consensus::Network::kRegtest:
      return "regtest";
  }
  return "main";
}

Args::Args() = default;

Status Args::ParseCommandLine(int argc, const char* const* argv) {
  try {
    po::options_description desc = Describe(/*with_sections=*/false);
    // Bitcoin-style single-dash long options (-datadir=...) as well as --datadir=...
    auto style = po::command_line_style::unix_style | po::command_line_style::allow_long_disguise;
    style &= ~po::command_line_style::allow_guessing;  // -rpc must not mean -rpcport
    style &= ~po::command_line_style::allow_short;
    style &= ~po::command_line_style::long_allow_next;  // values only as -name=value
    // Bare flags become -name=1 before Program_options sees them: with an
    // implicit value it would take the next token as the flag's value
    // (-regtest -rpcport=1). A bare non-flag option is an error here too.
    std::vector<std::string> tokens;
    for (int i = 1; i < argc; ++i) {
      std::string token = argv[i];
      if (token.size() > 1 && token[0] == '-' && token.find('=') == std::string::npos) {
        std::string name = token.substr(token.find_first_not_of('-'));
        if (const ArgSpec* spec = FindSpec(name)) {
          if (spec->kind != ArgKind::kFlag) {
            return Status::Error("args-bad-value", "command line: -" + name + " needs a value (-" +
                                                       name + "=<value>)");
          }
          token += "=1";
        }
      }
      tokens.push_back(std::move(token));
    }
    po::parsed_options parsed = po::command_line_parser(tokens).options(desc).style(style).run();
    return Collect(parsed, "command line", /*from_file=*/false, command_line_, nullptr);
  } catch (const po::too_many_positional_options_error&) {
    return Status::Error(
        "args-positional",
        "unexpected argument without a leading '-'; options look like -name=value");
  } catch (const po::unknown_option& e) {
    return Status::Error("args-unknown-option", std::string("command line: unknown option ") +
                                                    e.get_option_name() + " (see -help)");
  } catch (const po::error& e) {
    return Status::Error("args-bad-value", std::string("command line: ") + e.what());
  }
}

Status Args::ReadConfigFile(const std::filesystem::path& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (required) {
      return Status::Error("config-missing", "cannot read config file " + path.string());
    }
    return Status::Ok();
  }
  std::stringstream text;
  text << in.rdbuf();
  return ReadConfigText(text.str(), path.string());
}

Status Args::ReadConfigText(std::string_view text, std::string_view origin) {
  try {
    po::options_description desc = Describe(/*with_sections=*/true);
    std::istringstream in{std::string(text)};
    po::parsed_options parsed = po::parse_config_file(in, desc, /*allow_unregistered=*/false);
    return Collect(parsed, origin, /*from_file=*/true, config_top_, &config_sections_);
  } catch (const po::unknown_option& e) {
    std::string name = e.get_option_name();
    std::string hint;
    if (size_t dot = name.find('.'); dot != std::string::npos) {
      std::string section = name.substr(0, dot);
      bool known_section = false;
      for (std::string_view k : kSections) known_section |= (k == section);
      if (!known_section) hint = " (sections are [main], [test] and [regtest])";
    }
    return Status::Error("args-unknown-option",
                         std::string(origin) + ": unknown option " + name + hint);
  } catch (const po::error& e) {
    return Status::Error("config-parse", std::string(origin) + ": " + e.what());
  }
}

Result<consensus::Network> Args::SelectNetwork() {
  // Only the command line and the top level choose; a section cannot.
  auto flag = [this](std::string_view name) {
    const std::vector<std::string>* v = nullptr;
    if (auto it = command_line_.find(name); it != command_line_.end()) {
      v = &it->second;
    } else if (auto jt = config_top_.find(name); jt != config_top_.end()) {
      v = &jt->second;
    }
    return v != nullptr && !v->empty() && v->back() == "1";
  };
  bool regtest = flag("regtest") || flag("dev");
  bool testnet = flag("testnet");
  if (regtest && testnet) {
    return Status::Error("args-conflicting-networks",
                         "-testnet cannot be combined with -regtest or -dev");
  }
  consensus::Network network = regtest   ? consensus::Network::kRegtest
                               : testnet ? consensus::Network::kTest
                                         : consensus::Network::kMain;
  section_ = std::string(NetworkSectionName(network));
  return network;
}

const std::vector<std::string>* Args::Find(std::string_view name) const {
  if (auto it = command_line_.find(name); it != command_line_.end()) return &it->second;
  if (!section_.empty()) {
    if (auto s = config_sections_.find(section_); s != config_sections_.end()) {
      if (auto it = s->second.find(name); it != s->second.end()) return &it->second;
    }
  }
  if (auto it = config_top_.find(name); it != config_top_.end()) return &it->second;
  return nullptr;
}

bool Args::IsSet(std::string_view name) const { return Find(name) != nullptr; }

std::string Args::GetString(std::string_view name, std::string_view fallback) const {
  const auto* v = Find(name);
  if (v == nullptr || v->empty()) return std::string(fallback);
  return v->back();
}

double Args::GetDecimal(std::string_view name, double fallback) const {
  const auto* v = Find(name);
  if (v == nullptr || v->empty() || v->back().empty()) return fallback;
  double out = fallback;
  std::from_chars(v->back().data(), v->back().data() + v->back().size(), out);
  return out;
}

int64_t Args::GetInt(std::string_view name, int64_t fallback) const {
  const auto* v = Find(name);
  if (v == nullptr || v->empty() || v->back().empty()) return fallback;
  int64_t out = fallback;
  std::from_chars(v->back().data(), v->back().data() + v->back().size(), out);
  return out;
}

bool Args::GetBool(std::string_view name, bool fallback) const {
  const auto* v = Find(name);
  if (v == nullptr || v->empty()) return fallback;
  return v->back() == "1";
}

std::vector<std::string> Args::GetList(std::string_view name) const {
  const auto* v = Find(name);
  if (v == nullptr) return {};
  std::vector<std::string> out;
  for (const std::string& s : *v) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

bool Args::SoftSet(std::string_view name, std::string value) {
  if (IsSet(name)) return false;
  command_line_[std::string(name)] = {std::move(value)};
  return true;
}

std::string ArgsHelpText() {
  std::ostringstream out;
  out << "Usage: depind [options]\n\n"
      << "Options may also be set in depin.conf as name=value, at the top or in a\n"
      << "[main], [test] or [regtest] section; the command line wins.\n";
  std::string group;
  for (const ArgSpec& spec : NodeArgSpecs()) {
    if (spec.group != group) {
      group = spec.group;
      out << "\n" << group << ":\n";
    }
    std::string synopsis = "  -" + spec.name;
    if (spec.kind == ArgKind::kInt || spec.kind == ArgKind::kDecimal) synopsis += "=<n>";
    if (spec.kind == ArgKind::kString || spec.kind == ArgKind::kList) synopsis += "=<value>";
    out << synopsis << "\n      " << spec.help;
    if (!spec.default_text.empty() && spec.kind != ArgKind::kFlag) {
      out << " (default: " << spec.default_text << ")";
    }
    out << "\n";
  }
  return out.str();
}

std::string ConfigExampleText() {
  std::ostringstream out;
  out << "# depin.conf.example: every depind option, its default and why you might set it.\n"
      << "# Generated from src/node/args.cpp (NodeArgSpecs); tests/unit/node/args_test.cpp\n"
      << "# checks this file is current. Copy to <datadir>/depin.conf and uncomment.\n"
      << "#\n"
      << "# Lines are name=value. Options at the top apply to every network; those in a\n"
      << "# [main], [test] or [regtest] section only to that network. The command line\n"
      << "# (-name=value) wins over this file. Flags take 1 or 0.\n";
  std::string group;
  for (const ArgSpec& spec : NodeArgSpecs()) {
    if (spec.scope == ArgScope::kCommandLineOnly) continue;
    if (spec.group != group) {
      group = spec.group;
      out << "\n## " << group << "\n";
    }
    out << "\n# " << spec.help << ".\n";
    if (spec.kind == ArgKind::kList) out << "# Repeatable: one line per value.\n";
    if (spec.scope == ArgScope::kNoSection) out << "# Top level only, not in a section.\n";
    std::string def = spec.default_text;
    if (spec.kind == ArgKind::kList && def.find(' ') != std::string::npos) {
      out << "# Default: " << def << "\n#" << spec.name << "=" << def.substr(0, def.find(' '))
          << "\n";
    } else if (def.find(',') != std::string::npos || def.find('<') != std::string::npos ||
               def.find('~') != std::string::npos) {
      out << "# Default: " << def << "\n#" << spec.name << "=\n";
    } else {
      out << "#" << spec.name << "=" << def << "\n";
    }
  }
  out << "\n# Example of a network section:\n# [regtest]\n# rpcport="
      << consensus::RegtestParams().default_rpc_port << "\n";
  return out.str();
}

}  // namespace depin::node

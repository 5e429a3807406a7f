// depin-chaingen: writes a regtest chain of transfer blocks straight into a
// datadir, for the sync benchmark (contrib/bench/sync.sh) and for anyone who
// needs a long chain with real txs quickly. It signs with the ten dev
// accounts, builds each block exactly as the miner would (ExecuteBlock, roots,
// nonce search at regtest difficulty) and connects it through the same
// Chainstate that depind uses, so the result is an ordinary datadir that
// depind opens, serves and validates like any other.
//
//   depin-chaingen --datadir=DIR --blocks=N [--txs=50]
//
// DIR is depind's -datadir (the chain goes to DIR/regtest). An existing chain
// is extended up to height N. depind must not be running on DIR. Writes are
// not fsynced per block (the chain is rebuilt, not recovered, after a crash).
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/chainstate.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "consensus/test_module.h"
#include "node/dev_accounts.h"

namespace {

using namespace depin;

int Usage(const std::string& why) {
  std::cerr << "depin-chaingen: " << why << "\n"
            << "usage: depin-chaingen --datadir=DIR --blocks=N [--txs=50]\n";
  return 2;
}

// Each transfer pays a fresh address, so the state grows as a real chain's.
Address Recipient(uint64_t serial) {
  Address to;
  to.data()[0] = 0xc0;
  WriteBE64(to.data() + 12, serial);
  return to;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) return Usage("unexpected argument " + a);
    size_t eq = a.find('=');
    if (eq == std::string::npos) return Usage("expected --name=value, got " + a);
    opts[a.substr(2, eq - 2)] = a.substr(eq + 1);
  }
  if (!opts.count("datadir") || !opts.count("blocks")) return Usage("--datadir and --blocks");
  const uint64_t blocks = std::strtoull(opts["blocks"].c_str(), nullptr, 10);
  const uint64_t txs_per_block =
      opts.count("txs") ? std::strtoull(opts["txs"].c_str(), nullptr, 10) : 50;
  if (blocks == 0) return Usage("--blocks must be a positive number");

  consensus::ChainParams params = consensus::RegtestParams();
  consensus::ModuleRegistry modules;
  if (params.enable_test_module) {
    modules.Register(consensus::MakeTestModule(), params.test_module_activation_height);
  }
  const std::filesystem::path network_dir =
      std::filesystem::path(opts["datadir"]) / params.datadir_sub;
  std::error_code ec;
  std::filesystem::create_directories(network_dir, ec);
  if (ec) return Usage("cannot create " + network_dir.string() + ": " + ec.message());

  chain::ChainstateOptions options;
  options.datadir = network_dir.string();
  options.sync_writes = false;
  auto opened = chain::Chainstate::Open(params, modules, options);
  if (!opened.ok()) {
    std::cerr << "depin-chaingen: " << opened.status().ToString() << "\n";
    return 1;
  }
  chain::Chainstate& chain = **opened;
  auto accounts = node::DeriveDevAccounts(10);
  if (!accounts.ok()) {
    std::cerr << "depin-chaingen: " << accounts.status().ToString() << "\n";
    return 1;
  }
  std::vector<uint64_t> nonces;
  for (const auto& a : *accounts) nonces.push_back(chain.GetAccount(a.address).nonce);

  const Address miner = Recipient(0);
  const auto start = std::chrono::steady_clock::now();
  uint64_t made = 0;
  for (uint64_t height = chain.Tip().height + 1; height <= blocks; ++height) {
    const auto next = chain.NextBlockContext();
    std::vector<TxRef> txs;
    for (uint64_t i = 0; i < txs_per_block; ++i) {
      const size_t k = i % accounts->size();
      Transaction tx;
      tx.chain_id = params.chain_id;
      tx.nonce = nonces[k]++;
      tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
      tx.max_fee_per_gas = Uint256(10 * kWeiPerGwei);
      tx.gas_limit = 21000;
      tx.to = Recipient(1 + (height - 1) * txs_per_block + i);
      tx.value = Uint256(1000);
      tx.Sign((*accounts)[k].key);
      txs.push_back(MakeVerifiedTx(tx).value());
    }
    auto built = chain::BuildBlock(chain, next, *chain.StateAtTip(), std::move(txs), miner,
                                   std::max(next.min_timestamp, params.genesis_time + 15 * height),
                                   chain::MakeBlockExtra("chaingen", height));
    if (!built.ok()) {
      std::cerr << "depin-chaingen: block " << height << ": " << built.status().ToString() << "\n";
      return 1;
    }
    std::shared_ptr<Block> block = built->block;
    BlockHeader& h = block->header;
    const Uint256 target = CompactToTarget(h.bits).value();
    while (!HashMeetsTarget(h.Hash(), target)) ++h.nonce;
    if (Status s = chain.ProcessBlock(block); !s.ok()) {
      std::cerr << "depin-chaingen: block " << height << ": " << s.ToString() << "\n";
      return 1;
    }
    ++made;
    if (height % 1000 == 0 || height == blocks) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::cerr << "depin-chaingen: height " << height << " (" << made << " blocks in " << secs
                << " s)\n";
    }
  }
  const std::string tip = chain.Tip().hash.Hex();
  chain.Close();
  std::cout << tip << "\n";
  return 0;
}

// JSON-RPC requests as an anonymous caller on the public port sends them:
// the input is a request body (one request or a batch) handed to the real
// dispatcher with the node's real method tables (blockchain, mempool,
// mining, control, chain admin, eth_, the markets' views) over a real
// regtest chainstate, mempool, miner and tx index in a scratch directory.
// The chain holds a few mined blocks with transfers, and the storage and
// compute markets are active, so block, tx, receipt, log, fee and module
// view lookups find something. Whatever the body, the reply is empty (only
// notifications) or valid JSON-RPC 2.0: an object, or an array of them,
// each with "jsonrpc":"2.0" and exactly one of result and error.
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "chain/validation_signals.h"
#include "consensus/params.h"
#include "consensus/test_module.h"
#include "fuzz.h"
#include "index/tx_index.h"
#include "market/compute_market.h"
#include "rpc/eth_methods.h"
#include "rpc/node_methods.h"
#include "rpc/rpc_dispatcher.h"
#include "storage/market.h"
#include "test_util/keys.h"

using namespace depin;

namespace {

constexpr uint64_t kGwei = 1'000'000'000;

std::filesystem::path* scratch = nullptr;

void RemoveScratch() {
  std::error_code ec;
  if (scratch != nullptr) std::filesystem::remove_all(*scratch, ec);
}

class Node {
 public:
  Node() {
    params_ = consensus::RegtestParams();
    params_.compute.activation_height = 0;
    params_.storage.activation_height = 0;
    for (uint8_t i = 1; i <= 3; ++i) {
      params_.genesis_alloc.push_back({test_util::TestAddress(0x7f, i), Dpn(100)});
    }
    modules_.Register(consensus::MakeTestModule());
    modules_.Register(market::MakeComputeMarket(params_.compute));
    modules_.Register(storage::MakeStorageMarket(params_.storage));
    scratch = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                        ("depin-fuzz-rpc-" + std::to_string(::getpid())));
    std::filesystem::remove_all(*scratch);
    std::filesystem::create_directories(*scratch);
    std::atexit(RemoveScratch);

    chain::ChainstateOptions options;
    options.datadir = scratch->string();
    options.sync_writes = false;
    options.script_threads = 1;
    options.signals = &signals_;
    chain_ = chain::Chainstate::Open(params_, modules_, options).value();
    chain::MempoolOptions pool_options;
    pool_options.verify_threads = 1;
    pool_ = std::make_unique<chain::Mempool>(pool_options, *chain_);
    miner_ = std::make_unique<chain::Miner>(chain::MinerOptions{}, *chain_, pool_.get());
    index::IndexOptions index_options;
    index_options.datadir = *scratch;
    tx_index_ = std::make_unique<index::TxIndex>(*chain_, index_options);
    FUZZ_CHECK(tx_index_->Start().ok());

    // Three blocks with two transfers each, then one tx left in the pool.
    const Address coinbase = test_util::TestAddress(0x7f, 60);
    uint64_t nonce = 0;
    for (int b = 0; b < 3; ++b) {
      for (int t = 0; t < 2; ++t) FUZZ_CHECK(pool_->Add(Transfer(nonce++)).ok());
      FUZZ_CHECK(miner_->Generate(1, coinbase).ok());
    }
    FUZZ_CHECK(pool_->Add(Transfer(nonce++)).ok());
    for (int i = 0; i < 2000 && !tx_index_->synced(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    ctx_.params = &params_;
    ctx_.chainstate = chain_.get();
    ctx_.mempool = pool_.get();
    ctx_.miner = miner_.get();
    ctx_.tx_index = tx_index_.get();
    ctx_.indexes = {tx_index_.get()};
    ctx_.miner_address = coinbase;
    ctx_.version = "0.1.0";
    ctx_.mempool_max_bytes = pool_options.max_bytes;
    ctx_.request_shutdown = [] {};
    for (RpcTable& t : NodeRpcTables(ctx_)) FUZZ_CHECK(dispatcher_.AddTable(std::move(t)).ok());
    for (RpcTable& t : EthRpcTables(ctx_)) FUZZ_CHECK(dispatcher_.AddTable(std::move(t)).ok());
  }

  const RpcDispatcher& dispatcher() const { return dispatcher_; }

 private:
  TxRef Transfer(uint64_t nonce) const {
    Transaction tx;
    tx.chain_id = params_.chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = Uint256(kGwei);
    tx.max_fee_per_gas = Uint256(20 * kGwei);
    tx.gas_limit = 21000;
    tx.to = test_util::TestAddress(0x7f, 50);
    tx.value = Uint256(1000 + nonce);
    tx.Sign(test_util::TestKey(0x7f, 1));
    return MakeVerifiedTx(std::move(tx)).value();
  }

  consensus::ChainParams params_;
  consensus::ModuleRegistry modules_;
  chain::ValidationSignals signals_{chain::ValidationSignalsOptions{}};
  std::unique_ptr<chain::Chainstate> chain_;
  std::unique_ptr<chain::Mempool> pool_;
  std::unique_ptr<chain::Miner> miner_;
  std::unique_ptr<index::TxIndex> tx_index_;
  NodeRpcContext ctx_;
  RpcDispatcher dispatcher_;
};

void CheckResponse(const rapidjson::Value& r) {
  FUZZ_CHECK(r.IsObject());
  FUZZ_CHECK(r.HasMember("jsonrpc") && r["jsonrpc"].IsString() &&
             std::string_view(r["jsonrpc"].GetString()) == "2.0");
  FUZZ_CHECK(r.HasMember("id"));
  FUZZ_CHECK(r.HasMember("result") != r.HasMember("error"));
  if (r.HasMember("error")) {
    FUZZ_CHECK(r["error"].IsObject() && r["error"].HasMember("code") &&
               r["error"]["code"].IsInt() && r["error"].HasMember("message"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Node* node = new Node();
  RpcCallContext context;
  context.public_port = true;
  context.remote_address = "127.0.0.1";
  const std::string reply = node->dispatcher().Dispatch(
      std::string_view(reinterpret_cast<const char*>(data), size), context);
  (void)node->dispatcher().RunsInline(std::string_view(reinterpret_cast<const char*>(data), size));
  if (reply.empty()) return 0;
  rapidjson::Document doc;
  doc.Parse(reply.c_str(), reply.size());
  FUZZ_CHECK(!doc.HasParseError());
  if (doc.IsArray()) {
    FUZZ_CHECK(!doc.Empty());
    for (const auto& r : doc.GetArray()) CheckResponse(r);
  } else {
    CheckResponse(doc);
  }
  return 0;
}

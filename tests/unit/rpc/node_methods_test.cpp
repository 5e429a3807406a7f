// The native blockchain, mempool, mining and node tables through the
// dispatcher over a real regtest chainstate, mempool and miner: value
// formats (0x hashes, EIP-55 addresses, decimal wei), verbosities, the
// rules named in rejections, access and the stop hook.
#include "rpc/node_methods.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "compute/gpu.h"
#include "compute/gpu_name.h"
#include "consensus/test_module.h"
#include "index/tx_index.h"
#include "rpc/rpc_dispatcher.h"
#include "test_util/keys.h"

namespace depin {
namespace {

constexpr uint64_t kGwei = 1'000'000'000;

crypto::PrivateKey Key(uint8_t i) { return test_util::TestKey(0x33, i); }
Address AddressOf(uint8_t i) { return test_util::TestAddress(0x33, i); }

class NodeMethodsTest : public ::testing::Test {
 protected:
  NodeMethodsTest() {
    params_ = consensus::RegtestParams();
    for (uint8_t i = 1; i <= 3; ++i) params_.genesis_alloc.push_back({AddressOf(i), Dpn(100)});
    modules_.Register(consensus::MakeTestModule());
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("depin-node-rpc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    chain::ChainstateOptions options;
    options.datadir = dir_.string();
    options.sync_writes = false;
    options.script_threads = 1;
    options.signals = &signals_;
    chain_ = chain::Chainstate::Open(params_, modules_, options).value();
    chain::MempoolOptions pool_options;
    pool_options.verify_threads = 1;
    pool_ = std::make_unique<chain::Mempool>(pool_options, *chain_);
    miner_ = std::make_unique<chain::Miner>(chain::MinerOptions{}, *chain_, pool_.get());
    ctx_.params = &params_;
    ctx_.chainstate = chain_.get();
    index::IndexOptions index_options;
    index_options.datadir = dir_;
    tx_index_ = std::make_unique<index::TxIndex>(*chain_, index_options);
    EXPECT_TRUE(tx_index_->Start().ok());
    // Caught up at once (the chain is at genesis), on its own thread.
    for (int i = 0; i < 1000 && !tx_index_->synced(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ctx_.tx_index = tx_index_.get();
    ctx_.indexes = {tx_index_.get()};
    ctx_.mempool = pool_.get();
    ctx_.miner = miner_.get();
    ctx_.miner_address = AddressOf(60);
    ctx_.version = "0.1.0";
    ctx_.mempool_max_bytes = pool_options.max_bytes;
    ctx_.request_shutdown = [this] { ++stop_requests_; };
    dispatcher_ = std::make_unique<RpcDispatcher>();
    for (RpcTable& t : NodeRpcTables(ctx_)) EXPECT_TRUE(dispatcher_->AddTable(std::move(t)).ok());
  }
  ~NodeMethodsTest() override {
    dispatcher_.reset();
    tx_index_.reset();
    miner_.reset();
    pool_.reset();
    chain_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  rapidjson::Document Call(const std::string& method, const std::string& params = "[]",
                           bool admin = true) {
    RpcCallContext context;
    context.authenticated = admin;
    std::string body =
        R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}";
    std::string reply = dispatcher_->Dispatch(body, context);
    rapidjson::Document doc;
    doc.Parse(reply.c_str());
    EXPECT_FALSE(doc.HasParseError()) << reply;
    return doc;
  }
  // The result of a call that must succeed (copied out of the reply).
  rapidjson::Document Result(const std::string& method, const std::string& params = "[]") {
    rapidjson::Document reply = Call(method, params);
    EXPECT_TRUE(reply.HasMember("result")) << method << " " << params;
    rapidjson::Document out;
    if (reply.HasMember("result")) out.CopyFrom(reply["result"], out.GetAllocator());
    return out;
  }
  std::pair<int, std::string> Error(const std::string& method, const std::string& params,
                                    bool admin = true) {
    rapidjson::Document doc = Call(method, params, admin);
    EXPECT_TRUE(doc.HasMember("error")) << method << " " << params;
    if (!doc.HasMember("error")) return {0, ""};
    return {doc["error"]["code"].GetInt(), doc["error"]["message"].GetString()};
  }

  Transaction Transfer(uint8_t key, uint64_t nonce, uint64_t chain_id = 0) const {
    Transaction tx;
    tx.chain_id = chain_id == 0 ? params_.chain_id : chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = Uint256(kGwei);
    tx.max_fee_per_gas = Uint256(20 * kGwei);
    tx.gas_limit = 21000;
    tx.to = AddressOf(50);
    tx.value = Uint256(1000 + nonce);
    tx.Sign(Key(key));
    return tx;
  }
  static std::string Quote(const std::string& s) { return "[\"" + s + "\"]"; }

  consensus::ChainParams params_;
  consensus::ModuleRegistry modules_;
  std::filesystem::path dir_;
  chain::ValidationSignals signals_{chain::ValidationSignalsOptions{}};
  std::unique_ptr<chain::Chainstate> chain_;
  std::unique_ptr<chain::Mempool> pool_;
  std::unique_ptr<index::TxIndex> tx_index_;
  std::unique_ptr<chain::Miner> miner_;
  NodeRpcContext ctx_;
  std::unique_ptr<RpcDispatcher> dispatcher_;
  int stop_requests_ = 0;
};

TEST_F(NodeMethodsTest, BlockchainInfoAtGenesis) {
  auto info = Result("getblockchaininfo");
  EXPECT_STREQ(info["chain"].GetString(), "regtest");
  EXPECT_EQ(info["chainid"].GetUint64(), params_.chain_id);
  EXPECT_EQ(info["blocks"].GetUint64(), 0u);
  EXPECT_EQ(info["headers"].GetUint64(), 0u);
  EXPECT_EQ(std::string(info["bestblockhash"].GetString()), params_.GenesisHash().Hex());
  EXPECT_EQ(std::string(info["stateroot"].GetString()), chain_->StateRoot().Hex());
  EXPECT_TRUE(info["initialblockdownload"].GetBool());  // genesis is old
  EXPECT_EQ(Result("getblockcount").GetUint64(), 0u);
  EXPECT_EQ(std::string(Result("getblockhash", "[0]").GetString()), params_.GenesisHash().Hex());
}

TEST_F(NodeMethodsTest, AccountsShowWeiAsDecimalAndChecksummedAddresses) {
  std::string lower = AddressOf(1).Hex();
  auto acct = Result("getaccount", Quote(lower));
  EXPECT_EQ(std::string(acct["address"].GetString()), AddressOf(1).ToChecksumHex());
  EXPECT_STREQ(acct["balance"].GetString(), "100000000000000000000");
  EXPECT_EQ(acct["nonce"].GetUint64(), 0u);
  EXPECT_FALSE(acct["ismodule"].GetBool());
  auto module = Result("getaccount", Quote(consensus::TestModuleAddress().Hex()));
  EXPECT_TRUE(module["ismodule"].GetBool());
}

TEST_F(NodeMethodsTest, TransactionsFromPoolToBlockWithReceipts) {
  Transaction a = Transfer(1, 0), b = Transfer(1, 1);
  EXPECT_EQ(std::string(Result("sendrawtransaction", Quote(HexEncode(a.Encode()))).GetString()),
            a.Hash().Hex());
  Result("sendrawtransaction", Quote(HexEncode(b.Encode())));
  EXPECT_EQ(Result("getrawmempool").Size(), 2u);
  EXPECT_EQ(Result("getmempoolinfo")["size"].GetUint64(), 2u);
  EXPECT_EQ(Result("getaccount", Quote(AddressOf(1).Hex()))["pendingnonce"].GetUint64(), 2u);
  auto pending = Result("getrawtransaction", "[\"" + a.Hash().Hex() + "\", true]");
  EXPECT_EQ(pending["confirmations"].GetUint64(), 0u);
  EXPECT_TRUE(pending["inmempool"].GetBool());

  auto hashes = Result("generatetoaddress", "[1, \"" + AddressOf(60).Hex() + "\"]");
  ASSERT_EQ(hashes.Size(), 1u);
  std::string block_hash = hashes[0].GetString();
  EXPECT_EQ(Result("getrawmempool").Size(), 0u);

  auto b1 = Result("getblock", "[\"" + block_hash + "\", 1]");
  ASSERT_EQ(b1["tx"].Size(), 2u);
  EXPECT_EQ(std::string(b1["tx"][0].GetString()), a.Hash().Hex());
  EXPECT_EQ(b1["confirmations"].GetInt64(), 1);
  auto b2 = Result("getblock", "[\"" + block_hash + "\", 2]");
  const auto& tx0 = b2["tx"][0];
  EXPECT_EQ(std::string(tx0["from"].GetString()), AddressOf(1).ToChecksumHex());
  EXPECT_STREQ(tx0["value"].GetString(), "1000");
  EXPECT_EQ(tx0["receipt"]["status"].GetUint(), 1u);
  EXPECT_EQ(b2["tx"][1]["receipt"]["cumulativegasused"].GetUint64(), 42000u);
  std::string raw = Result("getblock", "[\"" + block_hash + "\", 0]").GetString();
  std::string header = Result("getblockheader", "[\"" + block_hash + "\", false]").GetString();
  EXPECT_EQ(raw.substr(0, header.size()), header);

  auto confirmed = Result("getrawtransaction", "[\"" + b.Hash().Hex() + "\", true]");
  EXPECT_EQ(std::string(confirmed["blockhash"].GetString()), block_hash);
  EXPECT_EQ(confirmed["height"].GetUint64(), 1u);
  EXPECT_EQ(confirmed["index"].GetUint(), 1u);
  EXPECT_EQ(confirmed["confirmations"].GetUint64(), 1u);
  EXPECT_EQ(std::string(Result("getrawtransaction", Quote(b.Hash().Hex())).GetString()),
            HexEncode(b.Encode()));
}

TEST_F(NodeMethodsTest, RejectionsNameTheRule) {
  auto [code, message] = Error("sendrawtransaction", Quote(HexEncode(Transfer(1, 0, 1).Encode())));
  EXPECT_EQ(code, kRpcServerError);
  EXPECT_EQ(message.rfind("tx-wrong-chain-id: invalid chain id", 0), 0u) << message;
  Transaction poor = Transfer(40, 0);  // no balance
  auto [code2, message2] = Error("sendrawtransaction", Quote(HexEncode(poor.Encode())));
  EXPECT_EQ(code2, kRpcServerError);
  EXPECT_EQ(message2.rfind("tx-insufficient-funds", 0), 0u) << message2;
  EXPECT_EQ(Error("sendrawtransaction", Quote("0x02")).first, kRpcServerError);
}

TEST_F(NodeMethodsTest, DecodeWorksForAnyChainId) {
  Transaction foreign = Transfer(2, 5, /*chain_id=*/1);
  auto decoded = Result("decoderawtransaction", Quote(HexEncode(foreign.Encode())));
  EXPECT_EQ(decoded["chainid"].GetUint64(), 1u);
  EXPECT_EQ(decoded["nonce"].GetUint64(), 5u);
  EXPECT_EQ(std::string(decoded["from"].GetString()), AddressOf(2).ToChecksumHex());
  EXPECT_EQ(std::string(decoded["hash"].GetString()), foreign.Hash().Hex());
}

TEST_F(NodeMethodsTest, NotFoundIsMinusFive) {
  std::string zero = "\"0x" + std::string(64, '0') + "\"";
  EXPECT_EQ(Error("getblock", "[" + zero + "]").first, kRpcNotFound);
  EXPECT_EQ(Error("getblockheader", "[" + zero + "]").first, kRpcNotFound);
  EXPECT_EQ(Error("getrawtransaction", "[" + zero + "]").first, kRpcNotFound);
  EXPECT_EQ(Error("getblockhash", "[7]").first, kRpcInvalidParams);
  EXPECT_EQ(Error("getblock", "[\"" + params_.GenesisHash().Hex() + "\", 3]").first,
            kRpcInvalidParams);
}

TEST_F(NodeMethodsTest, MiningTemplateAndSubmit) {
  auto tmpl = Result("getblocktemplate");
  EXPECT_EQ(tmpl["height"].GetUint64(), 1u);
  EXPECT_EQ(std::string(tmpl["miner"].GetString()), AddressOf(60).ToChecksumHex());
  EXPECT_EQ(tmpl["nonceoffset"].GetUint64(), BlockHeader::kNonceOffset);
  Bytes block = HexDecode(tmpl["block"].GetString()).value();
  auto header = BlockHeader::Deserialize(ByteSpan(block.data(), BlockHeader::kSerializedSize));
  ASSERT_TRUE(header.ok());
  chain::SearchResult found = chain::SearchNonce(
      *header, *CompactToTarget(header->bits), 1, [] { return false; }, nullptr);
  ASSERT_TRUE(found.found);
  WriteLE64(block.data() + BlockHeader::kNonceOffset, found.nonce);
  auto reply = Call("submitblock", Quote(HexEncode(block)));
  ASSERT_TRUE(reply.HasMember("result"));
  EXPECT_TRUE(reply["result"].IsNull());
  EXPECT_STREQ(Result("submitblock", Quote(HexEncode(block))).GetString(), "duplicate");
  EXPECT_EQ(Result("getblockcount").GetUint64(), 1u);
  auto info = Result("getmininginfo");
  EXPECT_EQ(info["blocks"].GetUint64(), 1u);
  EXPECT_FALSE(info["mining"].GetBool());
}

TEST_F(NodeMethodsTest, GetGpuInfoReportsTheDeviceAndItsFallbacks) {
  EXPECT_EQ(Error("getgpuinfo", "[]").first, kRpcInternalError);  // no device layer yet
  compute::GpuOptions options;
  options.mode = compute::GpuMode::kOpenCl;  // PoCL's CPU device in CI
  options.min_batch = 1;
  auto gpu = compute::Gpu::Open(options);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  ctx_.gpu = gpu.get();
  auto info = Result("getgpuinfo");
  EXPECT_STREQ(info["mode"].GetString(), "opencl");
  EXPECT_TRUE(info["active"].GetBool());
  EXPECT_STREQ(info["device"].GetString(), "opencl:0");
  EXPECT_TRUE(info["paths"]["proofchecks"].GetBool());
  EXPECT_FALSE(info["paths"]["mining"].GetBool());
  ASSERT_GE(info["devices"].Size(), 1u);
  const auto& d = info["devices"][0];
  EXPECT_STREQ(d["id"].GetString(), "opencl:0");
  EXPECT_EQ(std::string(d["model"].GetString()), compute::NormalizeGpuModel(d["name"].GetString()));
  EXPECT_GT(d["vrambytes"].GetUint64(), 0u);
  EXPECT_GT(d["computeunits"].GetUint(), 0u);
  EXPECT_TRUE(d["active"].GetBool());
  EXPECT_EQ(info["counters"]["devicebatches"].GetUint64(), 0u);
  // One batch on the device, one that fails there and is redone on the CPU.
  Bytes pairs(64 * 8, 0x5a), out(32 * 8);
  gpu->hash_backend()->Sha256PairBatch(pairs.data(), out.data(), 8);
  gpu->device()->InjectFaults(1);
  gpu->hash_backend()->Sha256PairBatch(pairs.data(), out.data(), 8);
  info = Result("getgpuinfo");
  EXPECT_EQ(info["counters"]["devicebatches"].GetUint64(), 1u);
  EXPECT_EQ(info["counters"]["fallbacks"].GetUint64(), 1u);
  EXPECT_EQ(info["counters"]["errors"].GetUint64(), 1u);
  EXPECT_NE(std::string(info["counters"]["lasterror"].GetString()).find("gpu-opencl-error"),
            std::string::npos);
  ctx_.gpu = nullptr;
}

TEST_F(NodeMethodsTest, AdminMethodsNeedAuthAndStopSignals) {
  EXPECT_EQ(Error("stop", "[]", /*admin=*/false).first, kRpcUnauthorized);
  EXPECT_EQ(Error("generatetoaddress", "[1, \"" + AddressOf(1).Hex() + "\"]", false).first,
            kRpcUnauthorized);
  EXPECT_EQ(stop_requests_, 0);
  EXPECT_STREQ(Result("stop").GetString(), "depind stopping");
  EXPECT_EQ(stop_requests_, 1);
}

TEST_F(NodeMethodsTest, FeeEstimateCoversBaseFeeRise) {
  auto fee = Result("estimatefee", "[2]");
  Uint256 base = *Uint256::FromDecimal(fee["basefee"].GetString());
  Uint256 tip = *Uint256::FromDecimal(fee["maxpriorityfeepergas"].GetString());
  Uint256 cap = *Uint256::FromDecimal(fee["maxfeepergas"].GetString());
  EXPECT_FALSE(fee["fromhistory"].GetBool());
  EXPECT_EQ(tip, Uint256(kGwei));
  // Two blocks of +12.5% each, plus the tip.
  Uint256 risen = base;
  for (int i = 0; i < 2; ++i) risen = SaturatingAdd(risen, risen / Uint256(8));
  EXPECT_EQ(cap, SaturatingAdd(risen, tip));
  EXPECT_EQ(Error("estimatefee", "[0]").first, kRpcInvalidParams);
}

TEST_F(NodeMethodsTest, NetworkInfoAndUptime) {
  auto info = Result("getnetworkinfo");
  EXPECT_STREQ(info["version"].GetString(), "0.1.0");
  EXPECT_FALSE(info["networkactive"].GetBool());  // no P2P layer in this fixture
  EXPECT_EQ(info["connections"].GetUint64(), 0u);
  EXPECT_EQ(info["chainid"].GetUint64(), params_.chain_id);
  EXPECT_GE(Result("uptime").GetUint64(), 0u);
}

}  // namespace
}  // namespace depin

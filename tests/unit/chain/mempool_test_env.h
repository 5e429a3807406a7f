// Shared fixture for the mempool, block assembler and miner tests: a regtest
// chainstate on a temporary datadir whose genesis also funds a set of test
// keys, and helpers to sign transfers and mine blocks on it.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "chain/validation_signals.h"
#include "consensus/module.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "primitives/transaction.h"

namespace depin::chain::testing {

inline constexpr uint64_t kGwei = kWeiPerGwei;

// Test key i (1..200): secret = 0x11 repeated with the last byte i.
inline crypto::PrivateKey TestKey(uint8_t i) {
  Bytes secret(32, 0x11);
  secret[31] = i;
  return crypto::PrivateKey::FromBytes(secret).value();
}

inline Address AddressOf(const crypto::PrivateKey& key) {
  return Address::FromPublicKey(key.GetPublicKey());
}

// Regtest with test keys 1..funded_keys holding `balance` each; key 200
// holds `poor_balance` (for the funds tests).
inline consensus::ChainParams TestParams(int funded_keys = 20, Uint256 balance = Dpn(100),
                                         Uint256 poor_balance = Uint256(1'000'000 * kGwei)) {
  consensus::ChainParams params = consensus::RegtestParams();
  for (int i = 1; i <= funded_keys; ++i) {
    params.genesis_alloc.push_back({AddressOf(TestKey(static_cast<uint8_t>(i))), balance});
  }
  params.genesis_alloc.push_back({AddressOf(TestKey(200)), poor_balance});
  return params;
}

inline std::filesystem::path UniqueTempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  if (info != nullptr) name += std::string("-") + info->name();
  auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

class ChainEnv {
 public:
  explicit ChainEnv(consensus::ChainParams params = TestParams(),
                    std::vector<std::shared_ptr<const consensus::Module>> modules = {})
      : params_(std::move(params)), dir_(UniqueTempDir("depin-chain")) {
    for (auto& m : modules) modules_.Register(std::move(m));
    ChainstateOptions options;
    options.datadir = dir_.string();
    options.sync_writes = false;
    options.script_threads = 2;
    options.signals = &signals_;
    auto opened = Chainstate::Open(params_, modules_, options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    chain_ = std::move(opened).value();
  }
  ~ChainEnv() {
    chain_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Chainstate& chain() { return *chain_; }
  ValidationSignals& signals() { return signals_; }
  const consensus::ChainParams& params() const { return params_; }

  // A signed EIP-1559 transfer.
  TxRef Transfer(const crypto::PrivateKey& key, uint64_t nonce, Uint256 tip, Uint256 fee_cap,
                 Uint256 value = Uint256(1), uint64_t gas = 21000,
                 std::optional<Address> to = std::nullopt) const {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.chain_id = params_.chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = tip;
    tx.max_fee_per_gas = fee_cap;
    tx.gas_limit = gas;
    tx.to = to ? *to : AddressOf(TestKey(199));
    tx.value = value;
    tx.Sign(key);
    return MakeVerifiedTx(std::move(tx)).value();
  }

  // Assembles a block from `pool` (may be null), solves it at the chain's
  // own target and processes it. Returns the block (null on failure).
  std::shared_ptr<Block> MineBlock(const Mempool* pool, const Address& coinbase, uint64_t now = 0) {
    BlockAssembler assembler(BlockAssemblerOptions{}, *chain_, pool);
    if (now == 0) now = static_cast<uint64_t>(std::time(nullptr));
    auto tmpl = assembler.CreateNewBlock(coinbase, now);
    EXPECT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    if (!tmpl.ok()) return nullptr;
    std::shared_ptr<Block> block = tmpl->block;
    SearchResult found = SearchNonce(
        block->header, tmpl->target, 1, [] { return false; }, nullptr);
    EXPECT_TRUE(found.found);
    block->header.nonce = found.nonce;
    Status status = chain_->ProcessBlock(block);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return status.ok() ? block : nullptr;
  }

 private:
  consensus::ChainParams params_;
  consensus::ModuleRegistry modules_;
  std::filesystem::path dir_;
  ValidationSignals signals_{ValidationSignalsOptions{}};
  std::unique_ptr<Chainstate> chain_;
};

// A subscriber that writes down what it hears, for tests.
class SignalRecorder : public ValidationInterface {
 public:
  explicit SignalRecorder(ValidationSignals& signals) : signals_(signals) {
    signals_.Register(this);
  }
  ~SignalRecorder() override { signals_.Unregister(this); }

  void BlockConnected(const BlockEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back("connected " + std::to_string(event.height));
  }
  void BlockDisconnected(const BlockEvent& event) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back("disconnected " + std::to_string(event.height));
  }
  void TipChanged(const TipInfo& tip) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back("tip " + std::to_string(tip.height));
  }
  void TransactionAddedToMempool(const TxRef& tx) override {
    std::lock_guard<std::mutex> lock(mu_);
    added_.push_back(tx->hash);
    events_.push_back("added");
  }
  void TransactionRemovedFromMempool(const TxRef& tx, MempoolRemovalReason reason) override {
    std::lock_guard<std::mutex> lock(mu_);
    removed_.emplace_back(tx->hash, reason);
    events_.push_back(std::string("removed ") + MempoolRemovalReasonName(reason));
  }

  // Each after SyncWithValidationQueue.
  std::vector<std::string> events() {
    signals_.SyncWithValidationQueue();
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<Hash256> added() {
    signals_.SyncWithValidationQueue();
    std::lock_guard<std::mutex> lock(mu_);
    return added_;
  }
  std::vector<std::pair<Hash256, MempoolRemovalReason>> removed() {
    signals_.SyncWithValidationQueue();
    std::lock_guard<std::mutex> lock(mu_);
    return removed_;
  }
  // The reason `hash` left the pool; nullopt if it did not.
  std::optional<MempoolRemovalReason> ReasonFor(const Hash256& hash) {
    for (const auto& [h, reason] : removed()) {
      if (h == hash) return reason;
    }
    return std::nullopt;
  }
  void Clear() {
    signals_.SyncWithValidationQueue();
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();
    added_.clear();
    removed_.clear();
  }

 private:
  ValidationSignals& signals_;
  std::mutex mu_;
  std::vector<std::string> events_;
  std::vector<Hash256> added_;
  std::vector<std::pair<Hash256, MempoolRemovalReason>> removed_;
};

}  // namespace depin::chain::testing

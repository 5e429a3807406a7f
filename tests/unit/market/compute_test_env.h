// A chain for compute market tests: blocks executed by the real executor
// (txs, deferred work, value transfers, reverts) over an in-memory state,
// parties with real secp256k1 keys (createOrder checks the tenant's public
// key), and calldata builders named after docs/abi/compute.json. Fees are
// zero (base fee 0, no tips), so a balance moves only by what a test sends
// and what the market pays.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/gas.h"
#include "consensus/params.h"
#include "consensus/state.h"
#include "crypto/sha256.h"
#include "market/compute_market.h"
#include "test_util/block_context.h"
#include "test_util/keys.h"
#include "test_util/map_reader.h"

namespace depin::market::testing {

// Party i: a real key (family 0xc7), so its public key can be published.
inline crypto::PrivateKey PartyKey(uint8_t i) { return test_util::TestKey(0xc7, i); }
inline Address Party(uint8_t i) { return test_util::TestAddress(0xc7, i); }
inline Bytes PubKeyOf(uint8_t i) {
  const crypto::PublicKey pub = PartyKey(i).GetPublicKey();
  return Bytes(pub.begin(), pub.end());
}

class ComputeChain {
 public:
  explicit ComputeChain(consensus::ChainParams params = consensus::RegtestParams())
      : params_(std::move(params)) {
    params_.compute.activation_height = 0;
    modules_.Register(MakeComputeMarket(params_.compute));
    hashes_.push_back(BlockHash(0));
  }

  const consensus::ChainParams& params() const { return params_; }
  const consensus::ComputeMarketParams& market() const { return params_.compute; }
  uint64_t height() const { return hashes_.size() - 1; }

  void Fund(const Address& a, const Uint256& amount) {
    consensus::Account acc = Account(a);
    acc.balance = *CheckedAdd(acc.balance, amount);
    state_.map_[consensus::AccountKey(a)] = consensus::EncodeAccount(acc);
  }
  consensus::Account Account(const Address& a) const {
    auto raw = state_.Get(consensus::AccountKey(a));
    if (!raw) return {};
    return *consensus::DecodeAccount(*raw);
  }
  Uint256 Balance(const Address& a) const { return Account(a).balance; }

  TxRef Tx(const Address& from, const Bytes& data, const Uint256& value = Uint256(),
           uint64_t gas = 5'000'000) {
    VerifiedTx v;
    v.sender = from;
    v.tx.chain_id = params_.chain_id;
    v.tx.nonce = nonces_[from]++;
    v.tx.to = ComputeMarketAddress();
    v.tx.value = value;
    v.tx.data = data;
    v.tx.gas_limit = gas;
    v.hash = v.tx.Hash();
    v.size = v.tx.Encode().size();
    return std::make_shared<const VerifiedTx>(std::move(v));
  }

  // Mines the next block with `txs`.
  consensus::BlockExecution Mine(const std::vector<TxRef>& txs = {}) {
    consensus::BlockContext block = NextContext();
    auto exec = consensus::ExecuteBlock(state_, block, txs, modules_, params_);
    EXPECT_TRUE(exec.ok()) << "block " << block.height << ": " << exec.status().ToString();
    if (!exec.ok()) return {};
    state_.Apply(exec->diff);
    hashes_.push_back(BlockHash(block.height));
    subsidies_ = *CheckedAdd(subsidies_, exec->miner_reward);
    burned_ = *CheckedAdd(burned_, exec->burned);
    for (const Receipt& r : exec->receipts) {
      for (const Log& l : r.logs) logs_.push_back(l);
    }
    return std::move(exec).value();
  }
  void MineUntil(uint64_t h) {
    while (height() < h) Mine();
  }

  struct Sent {
    uint8_t status = 0;
    std::string revert;  // "rule: message"
    Bytes output;
    uint64_t gas_used = 0;
  };
  // Sends one tx in its own block (height() after it) and reports its outcome.
  Sent Send(const Address& from, const Bytes& data, const Uint256& value = Uint256()) {
    auto tx = Tx(from, data, value);
    consensus::BlockContext block = NextContext();
    consensus::StateCache scratch(state_);
    auto outcome = consensus::ApplyTransaction(scratch, block, *tx, modules_, params_, 0);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    Sent sent;
    if (outcome.ok()) {
      sent.status = outcome->receipt.status;
      sent.revert = outcome->RevertReason();
      sent.output = outcome->return_data;
      sent.gas_used = outcome->receipt.gas_used;
    }
    Mine({tx});
    return sent;
  }
  // A view as eth_call runs it on the next block (height() + 1).
  Result<Bytes> View(const Bytes& data) const {
    consensus::CallRequest call;
    call.from = Party(0xee);
    call.to = ComputeMarketAddress();
    call.data = data;
    auto outcome = consensus::SimulateCall(state_, NextContext(), call, modules_, params_);
    if (!outcome.ok()) return outcome.status();
    if (outcome->receipt.status == 0) return outcome->revert;
    return outcome->return_data;
  }

  // Logs emitted so far with topic 0 = keccak(signature).
  size_t CountLogs(std::string_view signature) const {
    const Hash256 topic = abi::EventTopic(signature);
    size_t n = 0;
    for (const Log& l : logs_) n += !l.topics.empty() && l.topics[0] == topic;
    return n;
  }
  const std::vector<Log>& logs() const { return logs_; }

  // Every balance plus everything burned, less what the miner was paid:
  // constant while coins only move.
  Uint256 Supply() const {
    Uint256 sum;
    for (const auto& [key, value] : state_.map_) {
      if (key.empty() || key[0] != consensus::kAccountPrefix) continue;
      auto account = consensus::DecodeAccount(value);
      EXPECT_TRUE(account.ok());
      if (account.ok()) sum = *CheckedAdd(sum, account->balance);
    }
    return *CheckedSub(*CheckedAdd(sum, burned_), subsidies_);
  }

 private:
  static Hash256 BlockHash(uint64_t h) { return test_util::TestBlockHash(h); }
  consensus::BlockContext NextContext() const {
    return test_util::NextTestBlock(params_, hashes_, Party(0xfe));
  }

  consensus::ChainParams params_;
  consensus::ModuleRegistry modules_;
  test_util::MapReader state_;
  std::vector<Hash256> hashes_;
  std::map<Address, uint64_t> nonces_;
  std::vector<Log> logs_;
  Uint256 subsidies_;
  Uint256 burned_;
};

// Calldata builders, named after the ABI.
inline Bytes Call(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}
inline std::string GpuAttributes(std::string_view model = "NVIDIA GeForce RTX 4090",
                                 uint64_t count = 8, uint64_t vram = 24,
                                 std::string_view region = "eu-west") {
  return "gpu.vendor=NVIDIA Corporation;gpu.model=" + std::string(model) +
         ";gpu.count=" + std::to_string(count) + ";gpu.vramGiB=" + std::to_string(vram) +
         ";gpu.interface=pcie;region=" + std::string(region);
}
inline Bytes RegisterCall(const std::string& attributes, std::string uri = "https://gpu.example") {
  return Call("registerProvider(string,string)", abi::Encoder().String(uri).String(attributes));
}
inline Bytes UpdateCall(const std::string& attributes) {
  return Call("updateAttributes(string)", abi::Encoder().String(attributes));
}
inline Bytes SignCall(const Address& provider, std::string_view keys) {
  return Call("signAttributes(address,string)", abi::Encoder().Address(provider).String(keys));
}
struct OrderArgs {
  std::string spec = "model=rtx4090;count=2;vram=16;region=eu-west";
  Uint256 max_price = Uint256(1'000'000'000);
  uint64_t duration = 100;
  uint64_t window = 0;
  std::vector<Address> auditors;
  uint64_t deal = 0;
  Bytes pubkey;  // empty: the tenant's own
};
inline Bytes CreateOrderCall(const OrderArgs& a, const Bytes& tenant_pub) {
  return Call("createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
              abi::Encoder()
                  .String(a.spec)
                  .Uint(a.max_price)
                  .Uint(a.duration)
                  .Uint(a.window)
                  .AddressArray(a.auditors)
                  .Uint(a.deal)
                  .Bytes32(Hash256())
                  .Bytes(a.pubkey.empty() ? tenant_pub : a.pubkey));
}
inline Bytes IdCall(std::string_view fn, uint64_t id) {
  return Call(std::string(fn) + "(uint256)", abi::Encoder().Uint(id));
}
inline Bytes BidCall(uint64_t order, const Uint256& price, std::string_view model = "rtx-4090") {
  return Call("bid(uint256,uint256,string)", abi::Encoder().Uint(order).Uint(price).String(model));
}
inline Bytes CloseCall(uint64_t lease, uint64_t reason) {
  return Call("closeLease(uint256,uint256)", abi::Encoder().Uint(lease).Uint(reason));
}

// Word i of an ABI output.
inline Uint256 Word(const Bytes& out, size_t i) {
  EXPECT_GE(out.size(), 32 * (i + 1));
  if (out.size() < 32 * (i + 1)) return Uint256();
  return Uint256::FromBigEndian32(out.data() + 32 * i);
}

// explainOrder's answer: each provider with the first clause it fails ("":
// none).
inline std::map<Address, std::string> ExplainAnswer(const Bytes& out, size_t max = 100) {
  std::map<Address, std::string> why;
  abi::Decoder d(out);
  auto providers = d.AddressArray(max);
  EXPECT_TRUE(providers.ok());
  if (!providers.ok()) return why;
  // Failures: string[] at the offset in word 1; each element by its offset.
  const uint64_t arr = Word(out, 1).Low64();
  for (size_t i = 0; i < providers->size(); ++i) {
    const uint64_t at = arr + 32 + Word(out, arr / 32 + 1 + i).Low64();
    const uint64_t n = Word(out, at / 32).Low64();
    why[(*providers)[i]] = std::string(out.begin() + static_cast<ptrdiff_t>(at + 32),
                                       out.begin() + static_cast<ptrdiff_t>(at + 32 + n));
  }
  return why;
}

}  // namespace depin::market::testing

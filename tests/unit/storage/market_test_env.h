// A chain for storage market tests: blocks executed by the real executor
// (txs, deferred work, value transfers, reverts) over an in-memory state, with
// block hashes as randomness, and helpers that seal real 2 KiB sectors and
// make their PoRep and PoSt proofs. Fees are zero (base fee 0, no tips), so a
// balance moves only by what a test sends and what the market pays.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
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
#include "storage/market.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"
#include "test_util/block_context.h"
#include "test_util/map_reader.h"

namespace depin::storage::testing {

inline Address Party(uint8_t tag) {
  Address a;
  a.data()[0] = 0xaa;
  a.data()[19] = tag;
  return a;
}

class MarketChain {
 public:
  explicit MarketChain(consensus::ChainParams params = consensus::RegtestParams())
      : params_(std::move(params)), schedule_(params_.storage) {
    params_.storage.activation_height = 0;
    modules_.Register(MakeStorageMarket(params_.storage));
    hashes_.push_back(BlockHash(0));
  }

  const consensus::ChainParams& params() const { return params_; }
  const ProvingSchedule& schedule() const { return schedule_; }
  uint64_t height() const { return hashes_.size() - 1; }
  const Hash256& HashAt(uint64_t h) const { return hashes_.at(h); }

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

  // Another module on the same chain (a reader of the storage market's
  // queries); reach it with SendTo / ViewAt.
  void AddModule(std::shared_ptr<const consensus::Module> module) {
    modules_.Register(std::move(module));
  }

  TxRef Tx(const Address& from, const Bytes& data, const Uint256& value = Uint256(),
           uint64_t gas = 5'000'000, const Address& to = StorageMarketAddress()) {
    VerifiedTx v;
    v.sender = from;
    v.tx.chain_id = params_.chain_id;
    v.tx.nonce = nonces_[from]++;
    v.tx.to = to;
    v.tx.value = value;
    v.tx.data = data;
    v.tx.gas_limit = gas;
    v.hash = v.tx.Hash();
    v.size = v.tx.Encode().size();
    return std::make_shared<const VerifiedTx>(std::move(v));
  }

  // Mines the next block with `txs`; returns the execution (receipts, the
  // deferred work that ran).
  consensus::BlockExecution Mine(const std::vector<TxRef>& txs = {}) {
    consensus::BlockContext block = NextContext();
    auto exec = consensus::ExecuteBlock(state_, block, txs, modules_, params_);
    EXPECT_TRUE(exec.ok()) << "block " << block.height << ": " << exec.status().ToString();
    if (!exec.ok()) return {};
    state_.Apply(exec->diff);
    hashes_.push_back(BlockHash(block.height));
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
  // What one tx would do in the next block, without mining it.
  Sent Try(const Address& from, const Bytes& data, const Uint256& value = Uint256()) {
    auto tx = Tx(from, data, value);
    nonces_[from]--;
    consensus::StateCache scratch(state_);
    auto outcome = consensus::ApplyTransaction(scratch, NextContext(), *tx, modules_, params_, 0);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    Sent sent;
    if (outcome.ok()) {
      sent.status = outcome->receipt.status;
      sent.revert = outcome->RevertReason();
      sent.output = outcome->return_data;
      sent.gas_used = outcome->receipt.gas_used;
    }
    return sent;
  }
  // Sends one tx in its own block and reports its outcome.
  Sent Send(const Address& from, const Bytes& data, const Uint256& value = Uint256()) {
    return SendTo(StorageMarketAddress(), from, data, value);
  }
  Sent SendTo(const Address& to, const Address& from, const Bytes& data,
              const Uint256& value = Uint256()) {
    auto tx = Tx(from, data, value, 5'000'000, to);
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
  // A view at the current tip (as eth_call on the next block).
  Result<Bytes> View(const Bytes& data) const { return ViewAt(StorageMarketAddress(), data); }
  Result<Bytes> ViewAt(const Address& to, const Bytes& data) const {
    consensus::CallRequest call;
    call.from = Party(0xee);
    call.to = to;
    call.data = data;
    auto outcome = consensus::SimulateCall(state_, NextContext(), call, modules_, params_);
    if (!outcome.ok()) return outcome.status();
    if (outcome->receipt.status == 0) return outcome->revert;
    return outcome->return_data;
  }

  std::vector<Status> Verify(const std::vector<consensus::ProofCheck>& checks) const {
    std::vector<const consensus::ProofCheck*> ptrs;
    for (const auto& c : checks) ptrs.push_back(&c);
    consensus::ProofCheckOptions options;
    options.threads = 1;
    return modules_.Find(StorageMarketAddress())->VerifyProofs(ptrs, options);
  }
  Result<std::vector<consensus::ProofCheck>> Checks(const Bytes& calldata) const {
    return modules_.Find(StorageMarketAddress())->ProofChecks(calldata);
  }

  // Logs emitted so far with topic 0 = keccak(signature).
  size_t CountLogs(std::string_view signature) const {
    const Hash256 topic = abi::EventTopic(signature);
    size_t n = 0;
    for (const Log& l : logs_) n += !l.topics.empty() && l.topics[0] == topic;
    return n;
  }

  const test_util::MapReader& state() const { return state_; }

 private:
  static Hash256 BlockHash(uint64_t h) { return test_util::TestBlockHash(h); }
  consensus::BlockContext NextContext() const {
    return test_util::NextTestBlock(params_, hashes_, Party(0xfe));
  }

  consensus::ChainParams params_;
  ProvingSchedule schedule_;
  consensus::ModuleRegistry modules_;
  test_util::MapReader state_;
  std::vector<Hash256> hashes_;
  std::map<Address, uint64_t> nonces_;
  std::vector<Log> logs_;
};

// Calldata builders, named after the ABI.
inline Bytes Call(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}
inline Bytes RegisterProviderCall(uint64_t sector_size, const Uint256& price_per_gib,
                                  uint64_t min_duration = 1, std::string uri = "http://sp") {
  return Call("registerProvider(string,uint256,uint256,uint256)",
              abi::Encoder().String(uri).Uint(price_per_gib).Uint(min_duration).Uint(sector_size));
}
inline Bytes ProposeDealCall(const Address& provider, const Hash256& comm_d, uint64_t piece_size,
                             uint64_t start, uint64_t end, const Uint256& price) {
  return Call("proposeDeal(address,bytes32,uint256,uint256,uint256,uint256)", abi::Encoder()
                                                                                  .Address(provider)
                                                                                  .Bytes32(comm_d)
                                                                                  .Uint(piece_size)
                                                                                  .Uint(start)
                                                                                  .Uint(end)
                                                                                  .Uint(price));
}
inline Bytes PreCommitCall(uint64_t number, const Hash256& comm_r,
                           const std::vector<uint64_t>& deals, uint64_t ticket_height) {
  std::vector<Uint256> ids(deals.begin(), deals.end());
  return Call("preCommitSector(uint256,bytes32,uint256[],uint256)",
              abi::Encoder().Uint(number).Bytes32(comm_r).UintArray(ids).Uint(ticket_height));
}
inline Bytes ProveCommitCall(uint64_t number, const Bytes& inputs, const Bytes& proof) {
  return Call("proveCommitSector(uint256,bytes,bytes)",
              abi::Encoder().Uint(number).Bytes(inputs).Bytes(proof));
}
inline Bytes SubmitPoStCall(uint64_t deadline, const Bytes& inputs, const Bytes& proof) {
  return Call("submitPoSt(uint256,bytes,bytes)",
              abi::Encoder().Uint(deadline).Bytes(inputs).Bytes(proof));
}
inline Bytes SectorsCall(std::string_view fn, const std::vector<uint64_t>& sectors) {
  std::vector<Uint256> v(sectors.begin(), sectors.end());
  return Call(std::string(fn) + "(uint256[])", abi::Encoder().UintArray(v));
}

// A sector a provider sealed for real, 2 KiB, in a scratch directory.
class SealedSector {
 public:
  SealedSector(const Address& provider, uint64_t number, const Hash256& ticket,
               const std::vector<Bytes>& pieces_data, const std::vector<uint64_t>& piece_sizes)
      : dir_(std::filesystem::temp_directory_path() /
             ("depin-market-" + std::to_string(::getpid()) + "-" + std::to_string(Counter()++))) {
    std::filesystem::create_directories(dir_);
    std::vector<proofs::PieceInfo> pieces;
    for (size_t i = 0; i < pieces_data.size(); ++i) {
      pieces.push_back({*proofs::PieceCommitment(pieces_data[i], piece_sizes[i]), piece_sizes[i]});
    }
    const auto size = proofs::SectorSize::Size2KiB();
    auto offsets = proofs::PieceOffsets(pieces, size);
    Bytes data(size.bytes(), 0);
    for (size_t i = 0; i < pieces_data.size(); ++i) {
      std::copy(pieces_data[i].begin(), pieces_data[i].end(), data.begin() + (*offsets)[i]);
    }
    auto store = proofs::SectorStore::Open(dir_.string());
    EXPECT_TRUE(store.ok());
    store_ = std::make_unique<proofs::SectorStore>(std::move(store).value());
    proofs::SealInputs in;
    in.size = size;
    in.provider = proofs::ProviderAddress(provider.data());
    in.sector_number = number;
    in.ticket = ticket;
    in.data = data;
    proofs::SealOptions options;
    options.threads = 1;
    auto out = proofs::SealSector(in, *store_, options);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    output_ = *out;
    number_ = number;
  }
  ~SealedSector() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  const proofs::SealOutput& output() const { return output_; }
  // Prove-commit calldata for `partition`, answering `seed`.
  Bytes ProveCommit(const Hash256& seed, uint32_t partition) const {
    auto proof = proofs::GeneratePoRep(*store_, seed, partition);
    EXPECT_TRUE(proof.ok()) << proof.status().ToString();
    proofs::PoRepPublicInputs in;
    in.size = proofs::SectorSize::Size2KiB();
    in.replica_id = output_.replica_id;
    in.seed = seed;
    in.comm_d = output_.comm_d;
    in.comm_r = output_.comm_r;
    in.partition = partition;
    return ProveCommitCall(number_, proofs::EncodePoRepPublicInputs(in),
                           proofs::EncodePoRepProof(*proof));
  }
  proofs::PoStSectorInfo Info() const {
    return {number_, proofs::SectorSize::Size2KiB(), output_.comm_r};
  }
  const proofs::SectorStore& store() const { return *store_; }

 private:
  static int& Counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path dir_;
  std::unique_ptr<proofs::SectorStore> store_;
  proofs::SealOutput output_;
  uint64_t number_ = 0;
};

// PoSt calldata for `deadline` proving `sectors` against `randomness`.
inline Bytes PoStFor(uint64_t deadline, const Hash256& randomness,
                     const std::vector<const SealedSector*>& sectors) {
  std::vector<const proofs::SectorStore*> stores;
  proofs::PoStPublicInputs in;
  in.randomness = randomness;
  for (const SealedSector* s : sectors) {
    stores.push_back(&s->store());
    in.sectors.push_back(s->Info());
  }
  proofs::PoStGeneration gen = proofs::GeneratePoSt(randomness, stores);
  EXPECT_TRUE(gen.faults.empty());
  return SubmitPoStCall(deadline, proofs::EncodePoStPublicInputs(in),
                        proofs::EncodePoStProof(gen.proof));
}

// Seals sector `number` of `provider` holding `deals`' pieces (`data` at
// `sizes`), pre-commits and prove-commits it on `chain`: the sector is
// active when this returns.
inline std::unique_ptr<SealedSector> CommitSector(MarketChain& chain, const Address& provider,
                                                  uint64_t number,
                                                  const std::vector<uint64_t>& deals,
                                                  const std::vector<Bytes>& data,
                                                  const std::vector<uint64_t>& sizes) {
  const uint64_t ticket_height = chain.height() - 1;
  auto sector =
      std::make_unique<SealedSector>(provider, number, chain.HashAt(ticket_height), data, sizes);
  auto pre =
      chain.Send(provider, PreCommitCall(number, sector->output().comm_r, deals, ticket_height),
                 chain.params().storage.precommit_deposit);
  EXPECT_EQ(pre.status, 1) << pre.revert;
  const uint64_t seed_height = chain.height() + chain.params().storage.seal_seed_delay_blocks;
  chain.MineUntil(seed_height);
  const uint32_t partitions = proofs::ParamsFor(proofs::SectorSize::Size2KiB()).porep_partitions;
  for (uint32_t p = 0; p < partitions; ++p) {
    auto r = chain.Send(provider, sector->ProveCommit(chain.HashAt(seed_height), p));
    EXPECT_EQ(r.status, 1) << r.revert;
  }
  return sector;
}

}  // namespace depin::storage::testing

#include "chain/module_client.h"

#include <algorithm>
#include <chrono>

#include "consensus/abi.h"
#include "consensus/executor.h"

namespace depin::chain {
namespace {

const Uint256 kTip(1'000'000'000);  // 1 gwei

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

ModuleClient::ModuleClient(const Chainstate* chainstate, Mempool* mempool,
                           const crypto::PrivateKey* key, const consensus::ChainParams* params)
    : chainstate_(chainstate),
      mempool_(mempool),
      key_(key),
      params_(params),
      address_(Address::FromPublicKey(key->GetPublicKey())) {}

Result<ModuleClient::Simulation> ModuleClient::Simulate(const Address& module,
                                                        const Bytes& calldata,
                                                        const Uint256& value) const {
  auto state = chainstate_->StateAtTip();
  const Chainstate::NextBlock next = chainstate_->NextBlockContext();
  auto block = chainstate_->BlockContextFor(
      next.HeaderFor(Address(), std::max(NowSeconds(), next.min_timestamp)));
  if (!block.ok()) return block.status();
  consensus::CallRequest call;
  call.from = address_;
  call.to = module;
  call.value = value;
  call.data = calldata;
  auto out = consensus::SimulateCall(*state, *block, call, chainstate_->modules(), *params_);
  if (!out.ok()) return out.status();
  if (out->receipt.status == 0) return out->revert;
  return Simulation{next.base_fee, out->receipt.gas_used, std::move(out->return_data)};
}

Result<Bytes> ModuleClient::View(const Address& module, const Bytes& calldata) const {
  auto sim = Simulate(module, calldata, Uint256());
  if (!sim.ok()) return sim.status();
  return std::move(sim->output);
}

bool ModuleClient::Pending(const std::optional<Hash256>& tx) const {
  return tx.has_value() && mempool_->Contains(*tx);
}

Result<Hash256> ModuleClient::Send(const Address& module, const Bytes& calldata,
                                   const Uint256& value) const {
  // Simulated first: a call that would revert is reported, not paid for.
  auto sim = Simulate(module, calldata, value);
  if (!sim.ok()) return sim.status();
  Transaction tx;
  tx.chain_id = params_->chain_id;
  tx.nonce = mempool_->PendingNonce(address_);
  tx.to = module;
  tx.value = value;
  tx.data = calldata;
  tx.max_priority_fee_per_gas = kTip;
  tx.max_fee_per_gas = SaturatingAdd(SaturatingAdd(sim->base_fee, sim->base_fee), kTip);
  tx.gas_limit = sim->gas_used + sim->gas_used / 4 + 50'000;
  tx.Sign(*key_);
  auto added = mempool_->AddRaw(tx.Encode());
  if (!added.ok()) return added.status();
  return (*added)->hash;
}

Uint256 OutputWord(const Bytes& out, size_t i) {
  if (out.size() < 32 * (i + 1)) return Uint256();
  return Uint256::FromBigEndian32(out.data() + 32 * i);
}

}  // namespace depin::chain

#include "consensus/module.h"

#include "consensus/abi.h"
#include "consensus/gas.h"

namespace depin::consensus {

ModuleContext::ModuleContext(StateCache& state, const BlockContext& block, const Address& module,
                             const Address& sender, const Uint256& value, uint64_t gas_limit,
                             bool read_only)
    : state_(state),
      block_(block),
      module_(module),
      sender_(sender),
      value_(value),
      gas_limit_(gas_limit),
      read_only_(read_only) {}

Status ModuleContext::ChargeGas(uint64_t gas) {
  if (gas > gas_limit_ - gas_used_) {
    gas_used_ = gas_limit_;
    return Status::Error("out-of-gas", "out of gas");
  }
  gas_used_ += gas;
  return Status::Ok();
}

Result<std::optional<Bytes>> ModuleContext::Get(ByteSpan key) {
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleReadGas));
  return state_.Get(ModuleKey(module_, key));
}

Status ModuleContext::Put(ByteSpan key, Bytes value) {
  if (read_only_) return Status::Error("write-in-view", "state write in a read-only call");
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleWriteGas + kModuleWriteByteGas * value.size()));
  state_.Put(ModuleKey(module_, key), std::move(value));
  return Status::Ok();
}

Status ModuleContext::Erase(ByteSpan key) {
  if (read_only_) return Status::Error("write-in-view", "state write in a read-only call");
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleWriteGas));
  state_.Erase(ModuleKey(module_, key));
  return Status::Ok();
}

Account ModuleContext::GetAccount(const Address& address) { return state_.GetAccount(address); }

Status ModuleContext::PayFromModule(const Address& to, const Uint256& amount) {
  if (read_only_) return Status::Error("write-in-view", "transfer in a read-only call");
  if (amount.IsZero()) return Status::Ok();
  Account from = state_.GetAccount(module_);
  auto left = CheckedSub(from.balance, amount);
  if (!left) return Status::Error("insufficient-module-balance", "module balance too low");
  from.balance = *left;
  state_.PutAccount(module_, from);
  Account dest = state_.GetAccount(to);
  auto sum = CheckedAdd(dest.balance, amount);
  if (!sum) return Status::Error("balance-overflow", "recipient balance would overflow");
  dest.balance = *sum;
  state_.PutAccount(to, dest);
  return Status::Ok();
}

Status ModuleContext::EmitLog(std::vector<Hash256> topics, Bytes data) {
  if (topics.size() > 4) return Status::Error("log-too-many-topics", "a log has at most 4 topics");
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleLogGas + kModuleLogTopicGas * topics.size() +
                                  kModuleLogByteGas * data.size()));
  logs_.push_back(Log{module_, std::move(topics), std::move(data)});
  return Status::Ok();
}

void ModuleRegistry::Register(std::shared_ptr<const Module> module) {
  Address a = module->address();
  modules_[a] = std::move(module);
}

const Module* ModuleRegistry::Find(const Address& address) const {
  auto it = modules_.find(address);
  return it == modules_.end() ? nullptr : it->second.get();
}

std::vector<const Module*> ModuleRegistry::All() const {
  std::vector<const Module*> out;
  for (const auto& [address, m] : modules_) out.push_back(m.get());
  return out;
}

Bytes EncodeRevertReason(std::string_view reason) {
  return abi::Encoder().String(reason).FinishCall(abi::SelectorOf("Error(string)"));
}

}  // namespace depin::consensus

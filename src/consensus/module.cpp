#include "consensus/module.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "consensus/abi.h"
#include "consensus/deferred_queue.h"
#include "consensus/gas.h"

namespace depin::consensus {

ModuleContext::ModuleContext(StateCache& state, const BlockContext& block, const Address& module,
                             const Address& sender, const Uint256& value, uint64_t gas_limit,
                             bool read_only, const ModuleRegistry* modules)
    : state_(state),
      block_(block),
      module_(module),
      sender_(sender),
      value_(value),
      gas_limit_(gas_limit),
      read_only_(read_only),
      modules_(modules) {}

Status ModuleContext::ChargeGas(uint64_t gas) {
  if (gas > gas_limit_ - gas_used_) {
    gas_used_ = gas_limit_;
    return Status::Error(StatusKind::kOutOfGas, "out-of-gas", "out of gas");
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

Result<std::vector<StateEntry>> ModuleContext::Scan(ByteSpan prefix, ByteSpan start_after,
                                                    size_t limit) {
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleScanGas));
  limit = std::min<uint64_t>(limit, gas_left() / kModuleScanEntryGas);
  const Bytes full_prefix = ModuleKey(module_, prefix);
  const Bytes full_after = start_after.empty() ? Bytes() : ModuleKey(module_, start_after);
  std::vector<StateEntry> entries = state_.Scan(full_prefix, full_after, limit);
  const size_t strip = full_prefix.size() - prefix.size();
  uint64_t bytes = 0;
  for (StateEntry& e : entries) {
    e.key.erase(e.key.begin(), e.key.begin() + static_cast<std::ptrdiff_t>(strip));
    bytes += e.key.size() + e.value.size();
  }
  DEPIN_RETURN_IF_ERROR(
      ChargeGas(kModuleScanEntryGas * entries.size() + kModuleScanByteGas * bytes));
  return entries;
}

Status ModuleContext::ScheduleDeferred(uint64_t height, ByteSpan key, uint64_t gas) {
  if (read_only_) return Status::Error("write-in-view", "scheduling in a read-only call");
  if (height <= block_.height) {
    return Status::Error("deferred-not-in-future", "deferred work for height " +
                                                       std::to_string(height) +
                                                       " must be due after the current block " +
                                                       std::to_string(block_.height));
  }
  if (height - block_.height > block_.deferred_horizon) {
    return Status::Error(StatusKind::kLimitExceeded, "deferred-beyond-horizon",
                         "deferred work for height " + std::to_string(height) + " is more than " +
                             std::to_string(block_.deferred_horizon) + " blocks ahead");
  }
  if (gas < kDeferredMinGas) {
    return Status::Error("deferred-gas-too-low", "deferred work prepays at least " +
                                                     std::to_string(kDeferredMinGas) + " gas");
  }
  if (gas > block_.deferred_gas_per_block) {
    return Status::Error(StatusKind::kLimitExceeded, "deferred-gas-too-high",
                         "deferred work prepays at most the per-block bound of " +
                             std::to_string(block_.deferred_gas_per_block) + " gas");
  }
  if (key.size() > kMaxDeferredKeySize) {
    return Status::Error(
        "deferred-key-too-long",
        "deferred keys have at most " + std::to_string(kMaxDeferredKeySize) + " bytes");
  }
  const Bytes state_key = DeferredStateKey(height, module_, key);
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleReadGas));
  if (state_.Get(state_key).has_value()) {
    return Status::Error("deferred-already-scheduled",
                         "this key is already queued for height " + std::to_string(height));
  }
  DEPIN_RETURN_IF_ERROR(ChargeGas(kDeferredScheduleGas));
  DEPIN_RETURN_IF_ERROR(ChargeGas(gas));
  state_.Put(state_key, EncodeDeferredValue(gas));
  return Status::Ok();
}

Status ModuleContext::CancelDeferred(uint64_t height, ByteSpan key) {
  if (read_only_) return Status::Error("write-in-view", "cancelling in a read-only call");
  const Bytes state_key = DeferredStateKey(height, module_, key);
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleReadGas));
  if (!state_.Get(state_key).has_value()) {
    return Status::Error("deferred-not-scheduled", "nothing is queued under this key");
  }
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleWriteGas));
  state_.Erase(state_key);
  return Status::Ok();
}

Result<const QueryInterface*> ModuleContext::QueryTarget(const Address& publisher) {
  if (query_depth_ >= kMaxQueryDepth) {
    return Status::Error(StatusKind::kLimitExceeded, "query-too-deep",
                         "more than " + std::to_string(kMaxQueryDepth) + " nested module queries");
  }
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleQueryGas));
  const Module* module =
      modules_ != nullptr ? modules_->ActiveAt(publisher, block_.height) : nullptr;
  if (module == nullptr) {
    return Status::Error("query-unknown-module", "no module at " + publisher.ToChecksumHex());
  }
  if (module->queries() == nullptr) {
    return Status::Error("query-not-published",
                         publisher.ToChecksumHex() + " publishes no query interface");
  }
  return module->queries();
}

Status Module::RunDeferred(ModuleContext&, uint64_t, ByteSpan) const {
  return Status::Error("deferred-unhandled", "module does not run deferred work");
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
  if (state_.tracing()) {
    state_.AddTrace(TraceRecord{.kind = TraceKind::kTransfer,
                                .depth = static_cast<uint16_t>(call_depth_),
                                .success = true,
                                .from = module_,
                                .to = to,
                                .value = amount,
                                .input = {}});
  }
  return Status::Ok();
}

Result<ModuleContext::InnerCall> ModuleContext::CallModuleAt(const Address& target,
                                                             const Uint256& value,
                                                             ByteSpan calldata) {
  InnerCall out;
  auto fail = [&out](Status why) -> Result<InnerCall> {
    out.return_data = EncodeRevertReason(why.ToString());
    out.revert = std::move(why);
    return std::move(out);
  };
  // The call's own trace record comes before its checkpoint: a failed call
  // keeps it (marked failed) but loses everything it did inside.
  const size_t trace_index =
      state_.AddTrace(TraceRecord{.kind = TraceKind::kCall,
                                  .depth = static_cast<uint16_t>(call_depth_ + 1),
                                  .success = false,
                                  .from = module_,
                                  .to = target,
                                  .value = value,
                                  .input = Bytes(calldata.begin(), calldata.end())});
  if (call_depth_ >= kMaxCallDepth) {
    return fail(Status::Error(StatusKind::kLimitExceeded, "call-too-deep",
                              "more than " + std::to_string(kMaxCallDepth) + " nested calls"));
  }
  const Module* module = modules_ != nullptr ? modules_->ActiveAt(target, block_.height) : nullptr;
  if (module == nullptr) {
    return fail(Status::Error(
        "call-not-a-module", target.ToChecksumHex() + " is not a native module active at height " +
                                 std::to_string(block_.height) +
                                 ": calls may only target native modules (this chain has no EVM)"));
  }
  // Stateless and decided by the calldata alone, so every node agrees.
  auto proofs = module->ProofChecks(calldata);
  if (!proofs.ok() || !proofs->empty()) {
    return fail(Status::Error(
        "call-carries-proof",
        "a call that carries a proof must be the tx's own call: its proof is checked against "
        "the tx's target only" +
            (proofs.ok() ? std::string() : " (" + proofs.status().ToString() + ")")));
  }
  const StateCache::Checkpoint checkpoint = state_.MakeCheckpoint();
  if (Status paid = PayFromModule(target, value); !paid.ok()) {
    state_.RevertTo(checkpoint);
    return fail(std::move(paid));
  }
  ModuleContext inner(state_, block_, target, module_, value, gas_left(), read_only_, modules_);
  inner.query_depth_ = query_depth_;
  inner.call_depth_ = call_depth_ + 1;
  Result<Bytes> result = CallModule(*module, inner, calldata);
  gas_used_ += inner.gas_used();
  if (!result.ok()) {
    state_.RevertTo(checkpoint);
    const Status& why = result.status();
    if (why.Is(StatusKind::kOutOfGas) || why.IsLocalFailure()) return why;
    return fail(why);
  }
  out.success = true;
  out.return_data = std::move(result).value();
  if (TraceRecord* record = state_.TraceAt(trace_index)) record->success = true;
  for (const Log& log : inner.logs()) logs_.push_back(log);
  return out;
}

Status ModuleContext::EmitLog(std::vector<Hash256> topics, Bytes data) {
  if (read_only_) return Status::Error("write-in-view", "log emitted in a read-only call");
  if (topics.size() > 4) return Status::Error("log-too-many-topics", "a log has at most 4 topics");
  DEPIN_RETURN_IF_ERROR(ChargeGas(kModuleLogGas + kModuleLogTopicGas * topics.size() +
                                  kModuleLogByteGas * data.size()));
  logs_.push_back(Log{module_, std::move(topics), std::move(data)});
  return Status::Ok();
}

Status ModuleContext::EmitEvent(const ModuleEvent& event, const std::vector<Hash256>& indexed,
                                Bytes data) {
  if (indexed.size() != event.IndexedCount()) {
    return Status::Error("event-bad-topics",
                         event.name + " has " + std::to_string(event.IndexedCount()) +
                             " indexed inputs, got " + std::to_string(indexed.size()));
  }
  std::vector<Hash256> topics;
  topics.reserve(1 + indexed.size());
  topics.push_back(event.Topic());
  for (const Hash256& t : indexed) topics.push_back(t);
  return EmitLog(std::move(topics), std::move(data));
}

std::string_view MutabilityName(Mutability mutability) {
  switch (mutability) {
    case Mutability::kView:
      return "view";
    case Mutability::kNonPayable:
      return "nonpayable";
    case Mutability::kPayable:
      return "payable";
  }
  return "nonpayable";
}

namespace {

std::string SignatureOf(const std::string& name, const std::vector<AbiParam>& inputs) {
  std::string s = name + "(";
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (i != 0) s += ",";
    s += inputs[i].CanonicalType();
  }
  return s + ")";
}

}  // namespace

std::string AbiParam::CanonicalType() const {
  constexpr std::string_view kTuple = "tuple";
  if (type.compare(0, kTuple.size(), kTuple) != 0) return type;
  return SignatureOf("", components) + type.substr(kTuple.size());
}

std::string ModuleFunction::Signature() const { return SignatureOf(name, inputs); }

std::string ModuleEvent::Signature() const { return SignatureOf(name, inputs); }

size_t ModuleEvent::IndexedCount() const {
  size_t n = 0;
  for (const AbiParam& p : inputs) n += p.indexed ? 1 : 0;
  return n;
}

FunctionTable::FunctionTable(std::vector<ModuleFunction> functions, std::vector<ModuleEvent> events)
    : functions_(std::move(functions)), events_(std::move(events)) {
  for (size_t i = 0; i < functions_.size(); ++i) {
    if (!by_selector_.emplace(functions_[i].Selector(), i).second) {
      throw std::logic_error("two module functions share the selector of " +
                             functions_[i].Signature());
    }
  }
}

const ModuleFunction* FunctionTable::Find(const abi::Selector& selector) const {
  auto it = by_selector_.find(selector);
  return it == by_selector_.end() ? nullptr : &functions_[it->second];
}

Result<Bytes> CallModule(const Module& module, ModuleContext& ctx, ByteSpan calldata) {
  auto split = abi::SplitCall(calldata);
  if (!split.ok()) return split.status();
  const ModuleFunction* fn = module.functions().Find(split->first);
  if (fn == nullptr) return Status::Error("module-unknown-function", "unknown function selector");
  DEPIN_RETURN_IF_ERROR(ctx.ChargeGas(FunctionCallGas(fn->gas, split->second.size())));
  // Value sent to a function that does not take it would sit in the escrow
  // with nothing recording whose it is.
  if (!ctx.value().IsZero() && fn->mutability != Mutability::kPayable) {
    return Status::Error("module-not-payable", "function is not payable");
  }
  if (fn->mutability == Mutability::kView) ctx.EnterReadOnly();
  abi::Decoder args(split->second);
  return fn->handler(ctx, args);
}

void ModuleRegistry::Register(std::shared_ptr<const Module> module, uint64_t activation_height) {
  Address a = module->address();
  modules_[a] = Entry{std::move(module), activation_height};
}

const Module* ModuleRegistry::Find(const Address& address) const {
  auto it = modules_.find(address);
  return it == modules_.end() ? nullptr : it->second.module.get();
}

const Module* ModuleRegistry::ActiveAt(const Address& address, uint64_t height) const {
  auto it = modules_.find(address);
  if (it == modules_.end() || height < it->second.activation_height) return nullptr;
  return it->second.module.get();
}

std::vector<const Module*> ModuleRegistry::All() const {
  std::vector<const Module*> out;
  for (const auto& [address, e] : modules_) out.push_back(e.module.get());
  return out;
}

Bytes EncodeRevertReason(std::string_view reason) {
  return abi::Encoder().String(reason).FinishCall(abi::SelectorOf("Error(string)"));
}

}  // namespace depin::consensus

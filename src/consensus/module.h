// The Module interface: how native modules (compute market, storage market,
// the regtest test module) plug into consensus. A module owns a fixed address;
// a tx whose `to` is that address and whose data is Solidity-ABI calldata is a
// call. Each module declares a FunctionTable (below): per function its
// Solidity signature, mutability, gas and handler, and its events. CallModule
// dispatches through the table; docs/abi/<name>_module.json and docs/modules.md
// are generated from it (consensus/module_docs.h). The executor gives the
// handler a ModuleContext for the call:
//   - state: the module's own objects (keys are module-local; the context
//     prefixes them), and balances for value transfers out of the module;
//   - gas: the function's fixed and per-byte cost, every state access and
//     log; running out is StatusKind::kOutOfGas;
//   - read-only: a view runs with writes refused ("write-in-view"), in a tx
//     and in eth_call alike;
//   - logs: EVM-style, emitted from the module's address.
// A call that returns an error has its writes, transfers and logs reverted by
// the executor (receipt status 0, fee charged); the error's code is the rule
// name and reaches wallets as Error("rule-name: message"). Undo across blocks
// is generic (StateCache diffs), so a module implements apply and view, never
// undo. Work due at a height goes into the deferred queue
// (ScheduleDeferred / RunDeferred, consensus/deferred_queue.h), never into a
// loop over the module's objects. Modules never reach into each other's
// state: a module publishes a typed read-only QueryInterface and others call
// it through ModuleContext::Query. A module registers with an activation
// height (ChainParams); calls before it revert with "module-not-active".
//
// Thread-safety: a Module is immutable and may be called from several threads
// with different contexts (block execution, eth_call, gas estimation).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/abi.h"
#include "consensus/block_context.h"
#include "consensus/gas.h"
#include "consensus/proof_check.h"
#include "consensus/state_cache.h"
#include "primitives/address.h"
#include "primitives/receipt.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::consensus {

// --- Function tables -------------------------------------------------------
// A module declares its ABI once, as a table that reads like an RPC table
// (rpc/rpc_table.h):
//   FunctionTable({
//       ModuleFunction{
//           .name = "withdraw",
//           .inputs = {{"amount", "uint256"}},
//           .outputs = {},
//           .mutability = Mutability::kNonPayable,
//           .gas = kTestWithdrawGas,  // from consensus/gas.h
//           .help = "Pays `amount` of the caller's deposit back to it.",
//           .handler = Withdraw},
//   }, {ModuleEvent{...}});
// Give every field up to .handler (GCC's -Wmissing-field-initializers).

class ModuleContext;

enum class Mutability : uint8_t { kView, kNonPayable, kPayable };
// "view", "nonpayable", "payable": Solidity's stateMutability.
std::string_view MutabilityName(Mutability mutability);

struct AbiParam {
  std::string name;
  std::string type;      // Solidity type: "uint256", "address", "string", "tuple[]", ...
  bool indexed = false;  // event inputs only: carried as a topic
  // The members of a "tuple" / "tuple[]" type (a struct), as the ABI JSON's
  // "components".
  std::vector<AbiParam> components = {};

  // The type as it appears in a signature: "tuple[]" with members address
  // and bytes is "(address,bytes)[]".
  std::string CanonicalType() const;
};

using FunctionHandler = std::function<Result<Bytes>(ModuleContext& ctx, abi::Decoder& args)>;

// A handler that calls `method` (Result<Bytes> (M::*)(ModuleContext&,
// abi::Decoder&) const) on `module`, which must outlive the table:
//   .handler = BindHandler(this, &ComputeMarket::CreateOrder)
template <typename M, typename Method>
FunctionHandler BindHandler(const M* module, Method method) {
  return [module, method](ModuleContext& ctx, abi::Decoder& args) {
    return (module->*method)(ctx, args);
  };
}

struct ModuleFunction {
  std::string name;
  std::vector<AbiParam> inputs;
  std::vector<AbiParam> outputs;
  Mutability mutability = Mutability::kNonPayable;
  FunctionGas gas;
  std::string help;
  FunctionHandler handler;

  std::string Signature() const;  // "withdraw(uint256)"
  abi::Selector Selector() const { return abi::SelectorOf(Signature()); }
};

struct ModuleEvent {
  std::string name;
  std::vector<AbiParam> inputs;
  std::string help;

  std::string Signature() const;  // "Withdrawn(address,uint256)"
  Hash256 Topic() const { return abi::EventTopic(Signature()); }
  size_t IndexedCount() const;
};

class FunctionTable {
 public:
  // Two functions with one selector are a programming error
  // (std::logic_error at start-up).
  FunctionTable(std::vector<ModuleFunction> functions, std::vector<ModuleEvent> events);

  const ModuleFunction* Find(const abi::Selector& selector) const;
  const std::vector<ModuleFunction>& functions() const { return functions_; }
  const std::vector<ModuleEvent>& events() const { return events_; }

 private:
  std::vector<ModuleFunction> functions_;
  std::vector<ModuleEvent> events_;
  std::map<abi::Selector, size_t> by_selector_;
};

// A typed, read-only query interface a module publishes for other modules
// (Module::queries()): the only way one module learns another's facts. A
// publisher derives an interface from this, e.g.
//   class StorageQueries : public QueryInterface {
//    public:
//     // ctx is the storage module's own read-only context.
//     virtual Result<bool> SectorFaulty(ModuleContext& ctx, uint64_t sector) const = 0;
//   };
// and a caller reaches it with ModuleContext::Query<StorageQueries>(address, ...).
class QueryInterface {
 public:
  virtual ~QueryInterface() = default;
};

class ModuleRegistry;

class ModuleContext {
 public:
  // `modules` (may be null: no queries) is where Query finds publishers.
  ModuleContext(StateCache& state, const BlockContext& block, const Address& module,
                const Address& sender, const Uint256& value, uint64_t gas_limit, bool read_only,
                const ModuleRegistry* modules = nullptr);

  const BlockContext& block() const { return block_; }
  const Address& module_address() const { return module_; }
  const Address& sender() const { return sender_; }
  const Uint256& value() const { return value_; }  // already credited to the module
  bool read_only() const { return read_only_; }
  // From here on the call is read-only (a view was dispatched); there is no
  // way back.
  void EnterReadOnly() { read_only_ = true; }

  // Gas: kOutOfGas ("out-of-gas") once the call's allowance is exceeded; the
  // whole allowance is then used.
  Status ChargeGas(uint64_t gas);
  uint64_t gas_used() const { return gas_used_; }
  uint64_t gas_left() const { return gas_limit_ - gas_used_; }

  // Module-local object store (charged). Writes fail in read-only contexts
  // ("write-in-view").
  Result<std::optional<Bytes>> Get(ByteSpan key);
  Status Put(ByteSpan key, Bytes value);
  Status Erase(ByteSpan key);

  // Account access for settlement.
  Account GetAccount(const Address& address);
  // Moves `amount` from the module's own balance (escrow) to `to`
  // ("insufficient-module-balance").
  Status PayFromModule(const Address& to, const Uint256& amount);

  // Ordered iteration over the module's own keys (for paginated views): up
  // to `limit` entries whose module-local keys start with `prefix` and sort
  // after `start_after` (empty: from the first), in key order, with writes
  // made earlier in the block, the tx and this call included. Charged
  // kModuleScanGas, then per entry and byte returned; `limit` is cut to what
  // the gas left can pay for.
  Result<std::vector<StateEntry>> Scan(ByteSpan prefix, ByteSpan start_after, size_t limit);

  // Queues deferred work: Module::RunDeferred(ctx, height, key) runs at the
  // end of block `height` (or, when that block's bound is used up, a later
  // one), with `gas` - kDeferredMinGas as allowance. Charges
  // kDeferredScheduleGas + `gas` now. Rules and codes: deferred_queue.h.
  Status ScheduleDeferred(uint64_t height, ByteSpan key, uint64_t gas);
  // Removes a queued entry ("deferred-not-scheduled" when there is none);
  // its prepaid gas is not refunded.
  Status CancelDeferred(uint64_t height, ByteSpan key);

  // Calls the query interface Q that module `publisher` publishes:
  // `fn(const Q& queries, ModuleContext& publisher_ctx)` runs with the
  // publisher's own state (read-only; writes fail "write-in-view"), this
  // call's state (writes earlier in the block, the tx and this call are
  // visible), this call's gas (kModuleQueryGas, then whatever the publisher's
  // reads cost) and this module as sender. Errors:
  //   query-unknown-module     no module at `publisher` active at this height
  //   query-not-published      it publishes no Q
  //   query-too-deep           more than kMaxQueryDepth nested queries
  template <typename Q, typename Fn>
  auto Query(const Address& publisher, Fn&& fn)
      -> decltype(fn(std::declval<const Q&>(), std::declval<ModuleContext&>()));
  static constexpr int kMaxQueryDepth = 4;

  // A message call from this module to the module at `target`, as a
  // contract's CALL on Ethereum (Multicall3's inner calls): the target runs
  // through its function table (CallModule) with this module as sender,
  // `value` paid to it from this module's balance, this call's gas left as
  // allowance (what it uses is charged here), this call's read-only state,
  // and its logs join this call's. A failed inner call is an outcome, not an
  // error: its writes, transfer and logs are reverted, `revert` says why and
  // `return_data` carries it as Error(string), as a reverting contract's data:
  //   call-not-a-module             nothing but a module active at `target`
  //                                 at this height takes calls (a plain
  //                                 account, an unknown address)
  //   call-too-deep                 more than kMaxCallDepth nested calls
  //   call-carries-proof            the call carries a proof (or does not
  //                                 decode as one): proofs are checked for
  //                                 the tx's own target only (proof_check.h),
  //                                 so a nested one would go unverified
  //   insufficient-module-balance   this module cannot pay `value`
  //   any revert of the target's function
  // An error is what ends this call too: the inner call ran out of gas
  // (kOutOfGas: its allowance was all this call had left) or a local
  // failure (kIo, kCorruption) reading state.
  struct InnerCall {
    bool success = false;
    Bytes return_data;
    Status revert;
  };
  Result<InnerCall> CallModuleAt(const Address& target, const Uint256& value, ByteSpan calldata);
  static constexpr int kMaxCallDepth = 8;

  // Logs are state changes too: refused in read-only contexts
  // ("write-in-view").
  Status EmitLog(std::vector<Hash256> topics, Bytes data);
  // A Solidity event: topic 0 = keccak(signature), then `indexed` (one topic
  // per indexed input, "event-bad-topics" otherwise), ABI-encoded `data`.
  Status EmitEvent(const ModuleEvent& event, const std::vector<Hash256>& indexed, Bytes data);
  const std::vector<Log>& logs() const { return logs_; }

 private:
  StateCache& state_;
  const BlockContext& block_;
  Address module_;
  Address sender_;
  Uint256 value_;
  uint64_t gas_limit_;
  uint64_t gas_used_ = 0;
  bool read_only_;
  const ModuleRegistry* modules_;
  int query_depth_ = 0;
  int call_depth_ = 0;
  std::vector<Log> logs_;

  // The publisher's read-only context for a query, or why there is none.
  Result<const QueryInterface*> QueryTarget(const Address& publisher);
};

class Module {
 public:
  virtual ~Module() = default;
  virtual Address address() const = 0;
  virtual std::string_view name() const = 0;
  // The functions and events; dispatch (CallModule), the ABI JSON, the docs
  // and the selector test all come from it.
  virtual const FunctionTable& functions() const = 0;
  // Stateless proof checks a call carries, decided by the calldata alone
  // (consensus/proof_check.h); none by default. An error (a proof-carrying
  // call that does not decode) makes the tx invalid.
  virtual Result<std::vector<ProofCheck>> ProofChecks(ByteSpan calldata) const {
    (void)calldata;
    return std::vector<ProofCheck>{};
  }
  // Verifies a batch of this module's checks, as returned by ProofChecks:
  // one verdict per check, in order, deterministic whatever the batch (the
  // verdict of a check never depends on the others in it).
  virtual std::vector<Status> VerifyProofs(const std::vector<const ProofCheck*>& checks,
                                           const ProofCheckOptions& options) const {
    (void)options;
    return std::vector<Status>(checks.size(),
                               Status::Error("module-no-proofs", "this module verifies no proofs"));
  }
  // Deferred work this module queued for `due_height` under `key`
  // (ModuleContext::ScheduleDeferred); runs at the end of a block with no
  // sender and no value. An error reverts the run's effects. The default
  // refuses: a module that never schedules needs nothing here.
  virtual Status RunDeferred(ModuleContext& ctx, uint64_t due_height, ByteSpan key) const;
  // The query interface this module publishes to others (null: none).
  virtual const QueryInterface* queries() const { return nullptr; }
};

// Runs `calldata` against `module`'s function table in `ctx`:
//   abi-short-calldata        fewer than 4 bytes
//   module-unknown-function   no function has the selector
//   out-of-gas (kOutOfGas)    the fixed + per-argument-byte gas does not fit
//   module-not-payable        value sent to a view or nonpayable function
// then makes the context read-only for a view and runs the handler. Ok ->
// ABI-encoded return data; an error is the revert (the executor reverts
// state; its code is the rule name wallets see).
Result<Bytes> CallModule(const Module& module, ModuleContext& ctx, ByteSpan calldata);

// The set of modules on a chain, by address, each with the height from which
// it takes calls (ChainParams). Built once at start-up.
class ModuleRegistry {
 public:
  // Registering an address again replaces the module.
  void Register(std::shared_ptr<const Module> module, uint64_t activation_height = 0);
  // The module at `address`, active or not (its address is a module address
  // from genesis: data sent there is a call, reverted until activation).
  const Module* Find(const Address& address) const;
  // The module at `address` if it is active at `height`.
  const Module* ActiveAt(const Address& address, uint64_t height) const;
  bool IsModuleAddress(const Address& address) const { return Find(address) != nullptr; }
  std::vector<const Module*> All() const;  // ordered by address

 private:
  struct Entry {
    std::shared_ptr<const Module> module;
    uint64_t activation_height = 0;
  };
  std::map<Address, Entry> modules_;
};

template <typename Q, typename Fn>
auto ModuleContext::Query(const Address& publisher, Fn&& fn)
    -> decltype(fn(std::declval<const Q&>(), std::declval<ModuleContext&>())) {
  auto target = QueryTarget(publisher);
  if (!target.ok()) return target.status();
  const Q* typed = dynamic_cast<const Q*>(*target);
  if (typed == nullptr) {
    return Status::Error("query-not-published",
                         publisher.ToChecksumHex() + " publishes no such query interface");
  }
  ModuleContext inner(state_, block_, publisher, module_, Uint256(), gas_left(),
                      /*read_only=*/true, modules_);
  inner.query_depth_ = query_depth_ + 1;
  auto result = fn(*typed, inner);
  gas_used_ += inner.gas_used();
  return result;
}

// Solidity's Error(string) revert payload: 0x08c379a0 || abi.encode(reason).
Bytes EncodeRevertReason(std::string_view reason);

}  // namespace depin::consensus

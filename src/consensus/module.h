// The Module interface: how native modules (compute market, storage market,
// the regtest test module) plug into consensus. A module owns a fixed address;
// a tx whose `to` is that address and whose data is Solidity-ABI calldata is a
// call. The executor gives the module a ModuleContext for the call:
//   - state: the module's own objects (keys are module-local; the context
//     prefixes them), and balances for value transfers out of the module;
//   - gas: every state access and log is charged; the module charges its
//     per-function fixed cost (and per-byte extras) through ChargeGas;
//   - logs: EVM-style, emitted from the module's address.
// A call that returns an error has its writes, transfers and logs reverted by
// the executor (receipt status 0, fee charged); the error message becomes the
// revert reason. Undo across blocks is generic (StateCache diffs), so a module
// implements apply and view, never undo. Modules never reach into each other's
// state; cross-module facts go through narrow query interfaces passed at
// construction.
//
// Thread-safety: a Module is immutable and may be called from several threads
// with different contexts (block execution, eth_call, gas estimation).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/proof_check.h"
#include "consensus/state_cache.h"
#include "primitives/address.h"
#include "primitives/receipt.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::consensus {

struct BlockContext {
  uint64_t height = 0;
  uint64_t timestamp = 0;
  Address miner;
  Hash256 parent_hash;  // also the randomness source for challenges
  Uint256 base_fee;
  uint64_t gas_limit = 0;
  uint64_t chain_id = 0;
};

class ModuleContext {
 public:
  ModuleContext(StateCache& state, const BlockContext& block, const Address& module,
                const Address& sender, const Uint256& value, uint64_t gas_limit, bool read_only);

  const BlockContext& block() const { return block_; }
  const Address& module_address() const { return module_; }
  const Address& sender() const { return sender_; }
  const Uint256& value() const { return value_; }  // already credited to the module
  bool read_only() const { return read_only_; }

  // Gas: "out-of-gas" once the call's allowance is exceeded.
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

  Status EmitLog(std::vector<Hash256> topics, Bytes data);
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
  std::vector<Log> logs_;
};

class Module {
 public:
  virtual ~Module() = default;
  virtual Address address() const = 0;
  virtual std::string_view name() const = 0;
  // Executes a call. Ok -> ABI-encoded return data. Error -> revert with the
  // message as reason (the executor reverts state).
  virtual Result<Bytes> Call(ModuleContext& ctx, ByteSpan calldata) const = 0;
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
  // Called once at the end of every block after its txs (deadlines, expiries);
  // runs with the block's gas limit as allowance and no sender.
  virtual Status EndBlock(ModuleContext& ctx) const {
    (void)ctx;
    return Status::Ok();
  }
};

// The set of modules active on a chain, by address. Built once at start-up.
class ModuleRegistry {
 public:
  void Register(std::shared_ptr<const Module> module);
  const Module* Find(const Address& address) const;
  bool IsModuleAddress(const Address& address) const { return Find(address) != nullptr; }
  std::vector<const Module*> All() const;  // ordered by address

 private:
  std::map<Address, std::shared_ptr<const Module>> modules_;
};

// Solidity's Error(string) revert payload: 0x08c379a0 || abi.encode(reason).
Bytes EncodeRevertReason(std::string_view reason);

}  // namespace depin::consensus

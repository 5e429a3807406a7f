// How a role inside depind talks to a native module as an account would:
// views answered at the tip as eth_call answers them, and signed calls that
// are simulated first (a call that would revert returns its rule instead of
// being paid for) and go through the node's mempool, so P2P relays them as
// any local tx. Used by the storage and compute provider roles.
//
//   ModuleClient client(chainstate, mempool, key, params);
//   auto words = client.View(market, calldata);     // output, or the revert
//   auto tx = client.Send(market, calldata, value);  // tx hash, or the revert
//   if (client.Pending(*tx)) ...                     // still in the mempool
//
// Thread-safety: every method may be called from any thread (the chainstate
// and mempool lock themselves); Send from one thread per key, or nonces race.
#pragma once

#include <optional>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "primitives/address.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::chain {

class ModuleClient {
 public:
  // All must outlive the client.
  ModuleClient(const Chainstate* chainstate, Mempool* mempool, const crypto::PrivateKey* key,
               const consensus::ChainParams* params);

  const Address& address() const { return address_; }

  // The module's output for `calldata` in the next block's context, or its
  // revert as the error.
  Result<Bytes> View(const Address& module, const Bytes& calldata) const;
  // Signs and submits a call (gas from the simulation plus a margin, tip
  // 1 gwei, fee cap twice the next base fee plus the tip); the tx hash.
  Result<Hash256> Send(const Address& module, const Bytes& calldata, const Uint256& value) const;
  // Whether `tx` is still waiting in the mempool.
  bool Pending(const std::optional<Hash256>& tx) const;

 private:
  struct Simulation {
    Uint256 base_fee;  // the next block's
    uint64_t gas_used = 0;
    Bytes output;
  };
  // The call in the next block's context at the tip; its revert as the error.
  Result<Simulation> Simulate(const Address& module, const Bytes& calldata,
                              const Uint256& value) const;

  const Chainstate* chainstate_;
  Mempool* mempool_;
  const crypto::PrivateKey* key_;
  const consensus::ChainParams* params_;
  Address address_;
};

// The i-th 32-byte word of a module's output (zero past its end).
Uint256 OutputWord(const Bytes& out, size_t i);

}  // namespace depin::chain

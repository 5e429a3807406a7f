// Transactions as EIP-2718 envelopes: type 0x02 (EIP-1559), type 0x01
// (EIP-2930: a gas price and an access list) and legacy with EIP-155 replay
// protection. A pre-EIP-155 legacy tx (v = 27/28) and unknown
// types are rejected at decode. Tx hash = keccak256(envelope).
//
// Decoding is strict: RLP must be canonical, integers minimal, no trailing
// bytes, and sizes bounded (kMaxTxSize). Error codes start with "tx-" or "rlp-".
//
// Thread-safety: plain value type; TxRef is shared read-only between threads.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "crypto/secp256k1.h"
#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin {

enum class TxType : uint8_t { kLegacy = 0, kAccessList = 1, kDynamicFee = 2 };

// Largest envelope accepted anywhere (RPC, P2P, blocks): 128 KiB, as geth's pool.
inline constexpr size_t kMaxTxSize = 128 * 1024;

struct AccessListEntry {
  Address address;
  std::vector<Hash256> storage_keys;
  friend bool operator==(const AccessListEntry&, const AccessListEntry&) = default;
};

struct Transaction {
  TxType type = TxType::kDynamicFee;
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  // For legacy and type 0x01 txs both fee fields hold gasPrice.
  Uint256 max_priority_fee_per_gas;
  Uint256 max_fee_per_gas;
  uint64_t gas_limit = 0;
  std::optional<Address> to;  // nullopt = contract creation (decodes, never valid here)
  Uint256 value;
  Bytes data;
  std::vector<AccessListEntry> access_list;  // types 0x01 and 0x02
  // Signature. For legacy, v = chain_id * 2 + 35 + y_parity.
  uint8_t y_parity = 0;
  Uint256 r;
  Uint256 s;

  // The hash that is signed: keccak256(0x02 || rlp([chain_id, nonce, tip, fee cap,
  // gas, to, value, data, access_list])), keccak256(0x01 || rlp([chain_id,
  // nonce, gasPrice, gas, to, value, data, access_list])) or, for legacy,
  // keccak256(rlp([nonce, gasPrice, gas, to, value, data, chain_id, 0, 0])).
  Hash256 SigningHash() const;
  // The bytes SigningHash hashes, for external signers and tests.
  Bytes SigningPayload() const;
  // The EIP-2718 envelope (legacy: bare RLP list).
  Bytes Encode() const;
  Hash256 Hash() const;  // keccak256(Encode())
  // Recovers the sender; rejects high-s ("tx-sig-high-s") and invalid
  // signatures ("tx-sig-invalid").
  Result<Address> RecoverSender() const;
  // Fills y_parity, r, s with a low-s signature by `key`.
  void Sign(const crypto::PrivateKey& key);

  // min(max_fee, base_fee + max_priority_fee) - base_fee; zero when the fee cap
  // is below the base fee.
  Uint256 EffectiveTip(const Uint256& base_fee) const;

  friend bool operator==(const Transaction&, const Transaction&) = default;
};

// Strict decode of an envelope; see the header comment for the rules.
Result<Transaction> DecodeTransaction(ByteSpan envelope);

// A decoded tx with its hash, encoded size and sender computed once; this is
// what the mempool, blocks and relay pass around.
struct VerifiedTx {
  Transaction tx;
  Hash256 hash;
  Address sender;
  size_t size = 0;  // envelope bytes
};
using TxRef = std::shared_ptr<const VerifiedTx>;

// Decode + hash + sender recovery in one step.
Result<TxRef> DecodeAndVerifyTransaction(ByteSpan envelope);
// Wraps an already decoded tx (recovers the sender).
Result<TxRef> MakeVerifiedTx(Transaction tx);

}  // namespace depin

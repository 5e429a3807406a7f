#include "primitives/transaction.h"

#include <stdexcept>

#include "crypto/keccak.h"
#include "primitives/rlp.h"

namespace depin {
namespace {

constexpr uint8_t kAccessListTypeByte = 0x01;
constexpr uint8_t kDynamicFeeTypeByte = 0x02;

Status Err(const char* code, std::string msg) { return Status::Error(code, std::move(msg)); }

// Legacy and type 0x01 txs carry one gas price; the struct keeps it in both
// fee fields.
const Uint256& LegacyGasPrice(const Transaction& tx) {
  if (tx.max_fee_per_gas != tx.max_priority_fee_per_gas) {
    throw std::invalid_argument("a gas-price tx needs max_fee_per_gas == max_priority_fee_per_gas");
  }
  return tx.max_fee_per_gas;
}

void AddTo(rlp::Encoder& e, const std::optional<Address>& to) {
  if (to) {
    e.AddBytes(to->span());
  } else {
    e.AddBytes({});
  }
}

void AddAccessList(rlp::Encoder& e, const std::vector<AccessListEntry>& list) {
  e.BeginList();
  for (const AccessListEntry& entry : list) {
    e.BeginList().AddBytes(entry.address.span()).BeginList();
    for (const Hash256& key : entry.storage_keys) e.AddBytes(key.span());
    e.EndList().EndList();
  }
  e.EndList();
}

// The fields both signing payload and envelope of a type 0x02 tx share.
void AddDynamicFeeBody(rlp::Encoder& e, const Transaction& tx) {
  e.AddUint(tx.chain_id)
      .AddUint(tx.nonce)
      .AddUint(tx.max_priority_fee_per_gas)
      .AddUint(tx.max_fee_per_gas)
      .AddUint(tx.gas_limit);
  AddTo(e, tx.to);
  e.AddUint(tx.value).AddBytes(tx.data);
  AddAccessList(e, tx.access_list);
}

// The fields both signing payload and envelope of a type 0x01 tx share.
void AddAccessListBody(rlp::Encoder& e, const Transaction& tx) {
  e.AddUint(tx.chain_id).AddUint(tx.nonce).AddUint(LegacyGasPrice(tx)).AddUint(tx.gas_limit);
  AddTo(e, tx.to);
  e.AddUint(tx.value).AddBytes(tx.data);
  AddAccessList(e, tx.access_list);
}

void AddLegacyBody(rlp::Encoder& e, const Transaction& tx) {
  e.AddUint(tx.nonce).AddUint(LegacyGasPrice(tx)).AddUint(tx.gas_limit);
  AddTo(e, tx.to);
  e.AddUint(tx.value).AddBytes(tx.data);
}

Bytes Prefixed(uint8_t type, Bytes body) {
  body.insert(body.begin(), type);
  return body;
}

// Reads `to`: empty (creation) or exactly 20 bytes.
Status ReadTo(rlp::ListReader& r, std::optional<Address>& to) {
  auto b = r.ReadBytes();
  if (!b) return b.status();
  if (b->empty()) {
    to.reset();
  } else if (b->size() == Address::kSize) {
    to = Address(b->data());
  } else {
    return Err("tx-bad-to", "to must be empty or 20 bytes");
  }
  return Status::Ok();
}

Status ReadAccessList(rlp::ListReader& r, std::vector<AccessListEntry>& out) {
  auto list = r.ReadList();
  if (!list) return list.status();
  while (!list->AtEnd()) {
    auto entry = list->ReadList();
    if (!entry) return entry.status();
    auto addr = entry->ReadBytes();
    if (!addr) return addr.status();
    if (addr->size() != Address::kSize) {
      return Err("tx-bad-access-list", "access list address must be 20 bytes");
    }
    auto keys = entry->ReadList();
    if (!keys) return keys.status();
    DEPIN_RETURN_IF_ERROR(entry->ExpectEnd());
    AccessListEntry e;
    e.address = Address(addr->data());
    while (!keys->AtEnd()) {
      auto key = keys->ReadBytes();
      if (!key) return key.status();
      if (key->size() != Hash256::kSize) {
        return Err("tx-bad-access-list", "storage key must be 32 bytes");
      }
      e.storage_keys.emplace_back(key->data());
    }
    out.push_back(std::move(e));
  }
  return Status::Ok();
}

// Assigns the value of a Result to `dst` or returns its error.
#define DEPIN_TX_ASSIGN_OR_RETURN(dst, expr) \
  do {                                       \
    auto r_ = (expr);                        \
    if (!r_) return r_.status();             \
    (dst) = std::move(*r_);                  \
  } while (0)

// Types 0x02 and 0x01 share their layout but for the fee fields: 0x02 has
// tip and fee cap (12 fields), 0x01 one gas price (11 fields).
Result<Transaction> DecodeTyped(ByteSpan body, TxType type) {
  const bool dynamic = type == TxType::kDynamicFee;
  auto r = rlp::ListReader::FromList(body);
  if (!r) return r.status();
  auto count = r->CountItems();
  if (!count) return count.status();
  if (*count != (dynamic ? 12u : 11u)) {
    return Err("tx-field-count",
               dynamic ? "type 0x02 tx has 12 fields" : "type 0x01 tx has 11 fields");
  }
  Transaction tx;
  tx.type = type;
  DEPIN_TX_ASSIGN_OR_RETURN(tx.chain_id, r->ReadUint64());
  DEPIN_TX_ASSIGN_OR_RETURN(tx.nonce, r->ReadUint64());
  if (dynamic) {
    DEPIN_TX_ASSIGN_OR_RETURN(tx.max_priority_fee_per_gas, r->ReadUint256());
    DEPIN_TX_ASSIGN_OR_RETURN(tx.max_fee_per_gas, r->ReadUint256());
  } else {
    DEPIN_TX_ASSIGN_OR_RETURN(tx.max_fee_per_gas, r->ReadUint256());
    tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
  }
  DEPIN_TX_ASSIGN_OR_RETURN(tx.gas_limit, r->ReadUint64());
  DEPIN_RETURN_IF_ERROR(ReadTo(*r, tx.to));
  DEPIN_TX_ASSIGN_OR_RETURN(tx.value, r->ReadUint256());
  ByteSpan data;
  DEPIN_TX_ASSIGN_OR_RETURN(data, r->ReadBytes());
  tx.data.assign(data.begin(), data.end());
  DEPIN_RETURN_IF_ERROR(ReadAccessList(*r, tx.access_list));
  uint64_t parity = 0;
  DEPIN_TX_ASSIGN_OR_RETURN(parity, r->ReadUint64());
  if (parity > 1) return Err("tx-bad-y-parity", "y_parity must be 0 or 1");
  tx.y_parity = static_cast<uint8_t>(parity);
  DEPIN_TX_ASSIGN_OR_RETURN(tx.r, r->ReadUint256());
  DEPIN_TX_ASSIGN_OR_RETURN(tx.s, r->ReadUint256());
  return tx;
}

Result<Transaction> DecodeLegacy(ByteSpan envelope) {
  auto r = rlp::ListReader::FromList(envelope);
  if (!r) return r.status();
  auto count = r->CountItems();
  if (!count) return count.status();
  if (*count != 9) return Err("tx-field-count", "legacy tx has 9 fields");
  Transaction tx;
  tx.type = TxType::kLegacy;
  DEPIN_TX_ASSIGN_OR_RETURN(tx.nonce, r->ReadUint64());
  DEPIN_TX_ASSIGN_OR_RETURN(tx.max_fee_per_gas, r->ReadUint256());
  tx.max_priority_fee_per_gas = tx.max_fee_per_gas;
  DEPIN_TX_ASSIGN_OR_RETURN(tx.gas_limit, r->ReadUint64());
  DEPIN_RETURN_IF_ERROR(ReadTo(*r, tx.to));
  DEPIN_TX_ASSIGN_OR_RETURN(tx.value, r->ReadUint256());
  ByteSpan data;
  DEPIN_TX_ASSIGN_OR_RETURN(data, r->ReadBytes());
  tx.data.assign(data.begin(), data.end());
  Uint256 v;
  DEPIN_TX_ASSIGN_OR_RETURN(v, r->ReadUint256());
  if (v == Uint256(27) || v == Uint256(28)) {
    return Err("tx-pre-eip155", "legacy tx without EIP-155 replay protection");
  }
  // v = chain_id * 2 + 35 + parity, so v >= 35 and chain_id = (v - 35) / 2.
  if (v < Uint256(35)) return Err("tx-bad-v", "legacy v must be chain_id * 2 + 35 + parity");
  Uint256 rest = *CheckedSub(v, Uint256(35));
  Uint256 chain_id = rest >> 1;
  if (!chain_id.FitsUint64()) return Err("tx-bad-v", "chain id from v exceeds 64 bits");
  tx.chain_id = chain_id.Low64();
  tx.y_parity = static_cast<uint8_t>(rest.Low64() & 1);
  DEPIN_TX_ASSIGN_OR_RETURN(tx.r, r->ReadUint256());
  DEPIN_TX_ASSIGN_OR_RETURN(tx.s, r->ReadUint256());
  return tx;
}

}  // namespace

Bytes Transaction::SigningPayload() const {
  rlp::Encoder e;
  e.BeginList();
  if (type == TxType::kDynamicFee) {
    AddDynamicFeeBody(e, *this);
    e.EndList();
    return Prefixed(kDynamicFeeTypeByte, e.Finish());
  }
  if (type == TxType::kAccessList) {
    AddAccessListBody(e, *this);
    e.EndList();
    return Prefixed(kAccessListTypeByte, e.Finish());
  }
  // EIP-155: the chain id and two zeros stand in for v, r, s.
  AddLegacyBody(e, *this);
  e.AddUint(chain_id).AddUint(uint64_t{0}).AddUint(uint64_t{0}).EndList();
  return e.Finish();
}

Hash256 Transaction::SigningHash() const { return crypto::Keccak256Hash(SigningPayload()); }

Bytes Transaction::Encode() const {
  rlp::Encoder e;
  e.BeginList();
  if (type == TxType::kDynamicFee) {
    AddDynamicFeeBody(e, *this);
    e.AddUint(uint64_t{y_parity}).AddUint(r).AddUint(s).EndList();
    return Prefixed(kDynamicFeeTypeByte, e.Finish());
  }
  if (type == TxType::kAccessList) {
    AddAccessListBody(e, *this);
    e.AddUint(uint64_t{y_parity}).AddUint(r).AddUint(s).EndList();
    return Prefixed(kAccessListTypeByte, e.Finish());
  }
  AddLegacyBody(e, *this);
  // chain_id * 2 + 35 + parity needs up to 66 bits.
  Uint256 v = *CheckedAdd(*CheckedMul(Uint256(chain_id), Uint256(2)),
                          Uint256(35 + uint64_t{static_cast<uint8_t>(y_parity & 1)}));
  e.AddUint(v).AddUint(r).AddUint(s).EndList();
  return e.Finish();
}

Hash256 Transaction::Hash() const { return crypto::Keccak256Hash(Encode()); }

Result<Address> Transaction::RecoverSender() const {
  if (y_parity > 1) return Err("tx-sig-invalid", "y_parity must be 0 or 1");
  crypto::RecoverableSignature sig;
  sig.r = r.ToHash();
  sig.s = s.ToHash();
  sig.recid = y_parity;
  if (!crypto::IsLowS(sig.s)) return Err("tx-sig-high-s", "signature s above n/2 (EIP-2)");
  auto pub = crypto::RecoverPublicKey(SigningHash(), sig);
  // High s was refused above, so any failure here is an invalid signature.
  if (!pub) return Err("tx-sig-invalid", pub.status().message());
  return Address::FromPublicKey(*pub);
}

void Transaction::Sign(const crypto::PrivateKey& key) {
  crypto::RecoverableSignature sig = key.Sign(SigningHash());
  y_parity = sig.recid;
  r = Uint256::FromBigEndian32(sig.r.data());
  s = Uint256::FromBigEndian32(sig.s.data());
}

Uint256 Transaction::EffectiveTip(const Uint256& base_fee) const {
  auto headroom = CheckedSub(max_fee_per_gas, base_fee);
  if (!headroom) return Uint256();
  return Min(*headroom, max_priority_fee_per_gas);
}

Result<Transaction> DecodeTransaction(ByteSpan envelope) {
  if (envelope.empty()) return Err("tx-empty", "empty transaction");
  if (envelope.size() > kMaxTxSize) {
    return Err("tx-too-large", "transaction exceeds " + std::to_string(kMaxTxSize) + " bytes");
  }
  uint8_t first = envelope[0];
  // EIP-2718: a first byte >= 0xc0 is an RLP list, i.e. a legacy tx; below
  // 0x80 it is a type byte. 0x80..0xbf (an RLP string) is neither.
  if (first >= 0xc0) return DecodeLegacy(envelope);
  if (first == kDynamicFeeTypeByte) return DecodeTyped(envelope.subspan(1), TxType::kDynamicFee);
  if (first == kAccessListTypeByte) return DecodeTyped(envelope.subspan(1), TxType::kAccessList);
  if (first < 0x80) {
    return Err("tx-type-unsupported",
               "transaction type " + std::to_string(first) + " is not supported");
  }
  return Err("rlp-expected-list", "envelope is neither a typed tx nor an RLP list");
}

Result<TxRef> MakeVerifiedTx(Transaction tx) {
  auto vtx = std::make_shared<VerifiedTx>();
  Bytes encoded = tx.Encode();
  vtx->hash = crypto::Keccak256Hash(encoded);
  vtx->size = encoded.size();
  auto sender = tx.RecoverSender();
  if (!sender) return sender.status();
  vtx->sender = *sender;
  vtx->tx = std::move(tx);
  return TxRef(std::move(vtx));
}

Result<TxRef> DecodeAndVerifyTransaction(ByteSpan envelope) {
  auto tx = DecodeTransaction(envelope);
  if (!tx) return tx.status();
  auto sender = tx->RecoverSender();
  if (!sender) return sender.status();
  auto vtx = std::make_shared<VerifiedTx>();
  // Strict decoding means the received bytes are the canonical encoding, so
  // they can be hashed directly instead of re-encoding.
  vtx->hash = crypto::Keccak256Hash(envelope);
  vtx->size = envelope.size();
  vtx->sender = *sender;
  vtx->tx = std::move(*tx);
  return TxRef(std::move(vtx));
}

}  // namespace depin

#undef DEPIN_TX_ASSIGN_OR_RETURN

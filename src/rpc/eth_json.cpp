#include "rpc/eth_json.h"

#include <cstdio>

#include "consensus/executor.h"

namespace depin::eth_json {

namespace {

rapidjson::Value Str(std::string_view s, Alloc& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

}  // namespace

std::string QuantityHex(uint64_t v) {
  char buf[19];
  int n = std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
  return std::string(buf, static_cast<size_t>(n));
}

rapidjson::Value Quantity(uint64_t v, Alloc& a) { return Str(QuantityHex(v), a); }

rapidjson::Value Quantity(const Uint256& v, Alloc& a) { return Str(v.ToQuantityHex(), a); }

rapidjson::Value Data(ByteSpan bytes, Alloc& a) { return Str(HexEncode(bytes), a); }

rapidjson::Value AddressValue(const Address& address, Alloc& a) {
  return Str(address.ToChecksumHex(), a);
}

Uint256 EffectiveGasPrice(const Transaction& tx, const Uint256& base_fee) {
  return SaturatingAdd(base_fee, tx.EffectiveTip(base_fee));
}

rapidjson::Value TxObject(const VerifiedTx& vtx, const TxPosition* position, Alloc& a) {
  const Transaction& tx = vtx.tx;
  rapidjson::Value o(rapidjson::kObjectType);
  if (position != nullptr) {
    o.AddMember("blockHash", Data(position->block_hash.span(), a), a);
    o.AddMember("blockNumber", Quantity(position->block_number, a), a);
    o.AddMember("transactionIndex", Quantity(position->index, a), a);
  } else {
    o.AddMember("blockHash", rapidjson::Value(), a);
    o.AddMember("blockNumber", rapidjson::Value(), a);
    o.AddMember("transactionIndex", rapidjson::Value(), a);
  }
  o.AddMember("hash", Data(vtx.hash.span(), a), a);
  o.AddMember("type", Quantity(static_cast<uint64_t>(tx.type), a), a);
  o.AddMember("chainId", Quantity(tx.chain_id, a), a);
  o.AddMember("nonce", Quantity(tx.nonce, a), a);
  o.AddMember("from", AddressValue(vtx.sender, a), a);
  if (tx.to) {
    o.AddMember("to", AddressValue(*tx.to, a), a);
  } else {
    o.AddMember("to", rapidjson::Value(), a);
  }
  o.AddMember("value", Quantity(tx.value, a), a);
  o.AddMember("gas", Quantity(tx.gas_limit, a), a);
  Uint256 gas_price =
      position != nullptr ? EffectiveGasPrice(tx, position->base_fee) : tx.max_fee_per_gas;
  o.AddMember("gasPrice", Quantity(gas_price, a), a);
  if (tx.type == TxType::kDynamicFee) {
    o.AddMember("maxFeePerGas", Quantity(tx.max_fee_per_gas, a), a);
    o.AddMember("maxPriorityFeePerGas", Quantity(tx.max_priority_fee_per_gas, a), a);
  }
  if (tx.type != TxType::kLegacy) {
    rapidjson::Value list(rapidjson::kArrayType);
    for (const AccessListEntry& e : tx.access_list) {
      rapidjson::Value entry(rapidjson::kObjectType);
      entry.AddMember("address", AddressValue(e.address, a), a);
      rapidjson::Value keys(rapidjson::kArrayType);
      for (const Hash256& k : e.storage_keys) keys.PushBack(Data(k.span(), a), a);
      entry.AddMember("storageKeys", keys, a);
      list.PushBack(entry, a);
    }
    o.AddMember("accessList", list, a);
  }
  o.AddMember("input", Data(tx.data, a), a);
  uint64_t v = tx.y_parity;
  if (tx.type == TxType::kLegacy) v = tx.chain_id * 2 + 35 + tx.y_parity;
  o.AddMember("v", Quantity(v, a), a);
  if (tx.type != TxType::kLegacy) {
    o.AddMember("yParity", Quantity(static_cast<uint64_t>(tx.y_parity), a), a);
  }
  o.AddMember("r", Quantity(tx.r, a), a);
  o.AddMember("s", Quantity(tx.s, a), a);
  return o;
}

rapidjson::Value LogObject(const LocatedLog& l, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("address", AddressValue(l.log.address, a), a);
  rapidjson::Value topics(rapidjson::kArrayType);
  for (const Hash256& t : l.log.topics) topics.PushBack(Data(t.span(), a), a);
  o.AddMember("topics", topics, a);
  o.AddMember("data", Data(l.log.data, a), a);
  o.AddMember("blockNumber", Quantity(l.block_number, a), a);
  o.AddMember("blockHash", Data(l.block_hash.span(), a), a);
  o.AddMember("transactionHash", Data(l.tx_hash.span(), a), a);
  o.AddMember("transactionIndex", Quantity(l.tx_index, a), a);
  o.AddMember("logIndex", Quantity(l.log_index, a), a);
  o.AddMember("removed", l.removed, a);
  return o;
}

std::vector<LocatedLog> BlockLogs(const Block& block, const Hash256& block_hash,
                                  const std::vector<Receipt>& receipts) {
  std::vector<LocatedLog> out;
  uint64_t log_index = 0;
  // A receipt past the txs is the system receipt of deferred work
  // (consensus/executor.h): its logs follow the txs' under a derived hash.
  for (size_t i = 0; i < receipts.size() && i <= block.txs.size(); ++i) {
    const Hash256 tx_hash =
        i < block.txs.size() ? block.txs[i]->hash : consensus::SystemTxHash(block_hash);
    for (const Log& log : receipts[i].logs) {
      LocatedLog l;
      l.log = log;
      l.block_hash = block_hash;
      l.block_number = block.header.height;
      l.tx_hash = tx_hash;
      l.tx_index = static_cast<uint32_t>(i);
      l.log_index = log_index++;
      out.push_back(std::move(l));
    }
  }
  return out;
}

rapidjson::Value ReceiptObject(const Receipt& receipt, const VerifiedTx& vtx,
                               const TxPosition& position, uint64_t first_log_index, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("transactionHash", Data(vtx.hash.span(), a), a);
  o.AddMember("transactionIndex", Quantity(position.index, a), a);
  o.AddMember("blockHash", Data(position.block_hash.span(), a), a);
  o.AddMember("blockNumber", Quantity(position.block_number, a), a);
  o.AddMember("from", AddressValue(vtx.sender, a), a);
  if (vtx.tx.to) {
    o.AddMember("to", AddressValue(*vtx.tx.to, a), a);
  } else {
    o.AddMember("to", rapidjson::Value(), a);
  }
  o.AddMember("cumulativeGasUsed", Quantity(receipt.cumulative_gas_used, a), a);
  o.AddMember("gasUsed", Quantity(receipt.gas_used, a), a);
  o.AddMember("effectiveGasPrice", Quantity(EffectiveGasPrice(vtx.tx, position.base_fee), a), a);
  o.AddMember("contractAddress", rapidjson::Value(), a);
  rapidjson::Value logs(rapidjson::kArrayType);
  uint64_t index = first_log_index;
  for (const Log& log : receipt.logs) {
    LocatedLog l{
        log, position.block_hash, position.block_number, vtx.hash, position.index, index++, false};
    logs.PushBack(LogObject(l, a), a);
  }
  o.AddMember("logs", logs, a);
  o.AddMember("logsBloom", Data(receipt.bloom.span(), a), a);
  o.AddMember("type", Quantity(static_cast<uint64_t>(vtx.tx.type), a), a);
  o.AddMember("status", Quantity(static_cast<uint64_t>(receipt.status), a), a);
  return o;
}

Bloom BlockBloom(const std::vector<Receipt>& receipts) {
  Bloom bloom;
  for (const Receipt& r : receipts) {
    for (size_t i = 0; i < bloom.bytes.size(); ++i) bloom.bytes[i] |= r.bloom.bytes[i];
  }
  return bloom;
}

Uint256 BlockWork(uint32_t bits) {
  auto target = CompactToTarget(bits);
  if (!target.ok()) return Uint256();
  return WorkFromTarget(*target);
}

void AddHeaderFields(const BlockHeader& h, const Hash256& hash, const Uint256& total_difficulty,
                     const Bloom& bloom, rapidjson::Value& o, Alloc& a) {
  o.AddMember("number", Quantity(h.height, a), a);
  o.AddMember("hash", Data(hash.span(), a), a);
  o.AddMember("parentHash", Data(h.parent_hash.span(), a), a);
  uint8_t nonce[8];
  for (int i = 0; i < 8; ++i) nonce[i] = static_cast<uint8_t>(h.nonce >> (56 - 8 * i));
  o.AddMember("nonce", Data(ByteSpan(nonce, 8), a), a);
  o.AddMember("mixHash", Data(h.extra.span(), a), a);
  o.AddMember("sha3Uncles", rapidjson::StringRef(kEmptyUnclesHash), a);
  o.AddMember("logsBloom", Data(bloom.span(), a), a);
  o.AddMember("transactionsRoot", Data(h.tx_root.span(), a), a);
  o.AddMember("stateRoot", Data(h.state_root.span(), a), a);
  o.AddMember("receiptsRoot", Data(h.receipts_root.span(), a), a);
  o.AddMember("miner", AddressValue(h.miner, a), a);
  o.AddMember("difficulty", Quantity(BlockWork(h.bits), a), a);
  o.AddMember("totalDifficulty", Quantity(total_difficulty, a), a);
  o.AddMember("extraData", Data(h.extra.span(), a), a);
  o.AddMember("gasLimit", Quantity(h.gas_limit, a), a);
  o.AddMember("gasUsed", Quantity(h.gas_used, a), a);
  o.AddMember("timestamp", Quantity(h.timestamp, a), a);
  o.AddMember("baseFeePerGas", Quantity(h.base_fee, a), a);
}

}  // namespace depin::eth_json

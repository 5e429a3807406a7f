#include "rpc/node_methods.h"

#include <cstdio>

#include "index/tx_index.h"

namespace depin {

Result<std::optional<chain::TxLocation>> FindMinedTx(const NodeRpcContext& ctx,
                                                     const Hash256& hash) {
  if (ctx.tx_index == nullptr) {
    return Status::Error(StatusKind::kUnavailable, "txindex-disabled",
                         "the transaction index is disabled (-txindex=0), so mined transactions "
                         "cannot be looked up by hash");
  }
  // Once caught up, wait for the blocks already connected to reach it, so
  // a tx mined in a block this node reported is found.
  const bool synced = ctx.tx_index->BlockUntilSyncedToCurrentChain();
  auto found = ctx.tx_index->FindTx(hash);
  if (!found.ok() || found->has_value() || synced) return found;
  return Status::Error(StatusKind::kUnavailable, "txindex-syncing",
                       "transaction indexing is in progress (at height " +
                           std::to_string(ctx.tx_index->Summary().best_block_height) +
                           "); try again once getindexinfo reports the txindex synced");
}

std::vector<RpcTable> NodeRpcTables(const NodeRpcContext& ctx) {
  std::vector<RpcTable> tables;
  tables.push_back(BlockchainRpcTable(ctx));
  tables.push_back(MempoolRpcTable(ctx));
  tables.push_back(MiningRpcTable(ctx));
  tables.push_back(GpuRpcTable(ctx));
  tables.push_back(ControlRpcTable(ctx));
  tables.push_back(ChainAdminRpcTable(ctx));
  // One "explorer" category: the address index's methods, then the stats.
  RpcTable explorer = AddressRpcTable(ctx);
  for (RpcMethod& m : ExplorerRpcTable(ctx).methods) explorer.methods.push_back(std::move(m));
  tables.push_back(std::move(explorer));
  return tables;
}

namespace rpc_json {

rapidjson::Value Str(std::string_view s, Alloc& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

rapidjson::Value Hex(ByteSpan bytes, Alloc& a) { return Str(HexEncode(bytes), a); }

rapidjson::Value Wei(const Uint256& amount, Alloc& a) { return Str(amount.ToDecimal(), a); }

rapidjson::Value AddressValue(const Address& address, Alloc& a) {
  return Str(address.ToChecksumHex(), a);
}

rapidjson::Value TxToJson(const Transaction& tx, const Hash256& hash, const Address* sender,
                          size_t size, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("hash", Hex(hash.span(), a), a);
  o.AddMember("type", static_cast<unsigned>(tx.type), a);
  o.AddMember("chainid", tx.chain_id, a);
  o.AddMember("nonce", tx.nonce, a);
  if (sender != nullptr) {
    o.AddMember("from", AddressValue(*sender, a), a);
  } else {
    o.AddMember("from", rapidjson::Value(), a);
  }
  if (tx.to) {
    o.AddMember("to", AddressValue(*tx.to, a), a);
  } else {
    o.AddMember("to", rapidjson::Value(), a);
  }
  o.AddMember("value", Wei(tx.value, a), a);
  o.AddMember("gas", tx.gas_limit, a);
  if (tx.type != TxType::kDynamicFee) {
    o.AddMember("gasprice", Wei(tx.max_fee_per_gas, a), a);
  } else {
    o.AddMember("maxfeepergas", Wei(tx.max_fee_per_gas, a), a);
    o.AddMember("maxpriorityfeepergas", Wei(tx.max_priority_fee_per_gas, a), a);
  }
  if (tx.type != TxType::kLegacy) {
    rapidjson::Value list(rapidjson::kArrayType);
    for (const AccessListEntry& e : tx.access_list) {
      rapidjson::Value entry(rapidjson::kObjectType);
      entry.AddMember("address", AddressValue(e.address, a), a);
      rapidjson::Value keys(rapidjson::kArrayType);
      for (const Hash256& k : e.storage_keys) keys.PushBack(Hex(k.span(), a), a);
      entry.AddMember("storagekeys", keys, a);
      list.PushBack(entry, a);
    }
    o.AddMember("accesslist", list, a);
  }
  o.AddMember("data", Hex(tx.data, a), a);
  o.AddMember("yparity", static_cast<unsigned>(tx.y_parity), a);
  o.AddMember("r", Str(tx.r.ToQuantityHex(), a), a);
  o.AddMember("s", Str(tx.s.ToQuantityHex(), a), a);
  o.AddMember("size", static_cast<uint64_t>(size), a);
  return o;
}

rapidjson::Value ReceiptToJson(const Receipt& receipt, const Transaction& tx,
                               const Uint256& base_fee, uint64_t first_log_index, Alloc& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  o.AddMember("status", static_cast<unsigned>(receipt.status), a);
  o.AddMember("gasused", receipt.gas_used, a);
  o.AddMember("cumulativegasused", receipt.cumulative_gas_used, a);
  o.AddMember("effectivegasprice", Wei(SaturatingAdd(base_fee, tx.EffectiveTip(base_fee)), a), a);
  rapidjson::Value logs(rapidjson::kArrayType);
  uint64_t index = first_log_index;
  for (const Log& log : receipt.logs) {
    rapidjson::Value l(rapidjson::kObjectType);
    l.AddMember("address", AddressValue(log.address, a), a);
    rapidjson::Value topics(rapidjson::kArrayType);
    for (const Hash256& t : log.topics) topics.PushBack(Hex(t.span(), a), a);
    l.AddMember("topics", topics, a);
    l.AddMember("data", Hex(log.data, a), a);
    l.AddMember("logindex", index++, a);
    logs.PushBack(l, a);
  }
  o.AddMember("logs", logs, a);
  o.AddMember("logsbloom", Hex(receipt.bloom.span(), a), a);
  return o;
}

void AddHeaderFields(const chain::BlockInfo& info, const chain::Chainstate& chainstate,
                     rapidjson::Value& o, Alloc& a) {
  const BlockHeader& h = info.header;
  chain::TipInfo tip = chainstate.Tip();
  int64_t confirmations = -1;  // not in the active chain (Bitcoin Core's convention)
  if (info.in_active_chain) confirmations = static_cast<int64_t>(tip.height - h.height + 1);
  o.AddMember("hash", Hex(info.hash.span(), a), a);
  o.AddMember("confirmations", confirmations, a);
  o.AddMember("height", h.height, a);
  o.AddMember("version", h.version, a);
  o.AddMember("previousblockhash", Hex(h.parent_hash.span(), a), a);
  if (info.in_active_chain) {
    if (auto next = chainstate.GetBlockHashAtHeight(h.height + 1)) {
      o.AddMember("nextblockhash", Hex(next->span(), a), a);
    }
  }
  o.AddMember("txroot", Hex(h.tx_root.span(), a), a);
  o.AddMember("receiptsroot", Hex(h.receipts_root.span(), a), a);
  o.AddMember("stateroot", Hex(h.state_root.span(), a), a);
  o.AddMember("miner", AddressValue(h.miner, a), a);
  o.AddMember("time", h.timestamp, a);
  char bits[9];
  std::snprintf(bits, sizeof(bits), "%08x", h.bits);
  o.AddMember("bits", Str(bits, a), a);
  o.AddMember("difficulty", Difficulty(h.bits, chainstate.params()), a);
  o.AddMember("chainwork", Str(info.chain_work.ToQuantityHex(), a), a);
  o.AddMember("gaslimit", h.gas_limit, a);
  o.AddMember("gasused", h.gas_used, a);
  o.AddMember("basefee", Wei(h.base_fee, a), a);
  o.AddMember("extra", Hex(h.extra.span(), a), a);
  o.AddMember("nonce", Str(Uint256(h.nonce).ToQuantityHex(), a), a);
  o.AddMember("ntx", info.tx_count, a);
}

}  // namespace rpc_json

}  // namespace depin

#include "rpc/dev_methods.h"

#include <chrono>
#include <string>

#include "rpc/eth_json.h"

namespace depin {
namespace {

RpcError NotReady() { return RpcError::Internal("node is starting"); }

// Errors of the dev chain: bad values the caller gave are -32602 with the
// rule, as go-ethereum and Hardhat answer bad input; the rest -32000.
RpcError DevError(const Status& s) {
  if (s.code() == "dev-timestamp-not-after-tip" || s.code() == "dev-mine-count" ||
      s.code() == "dev-time-overflow" || s.code() == "dev-balance-lower" ||
      s.code() == "dev-balance-faucet") {
    return RpcError::FromStatus(s, kRpcInvalidParams);
  }
  return RpcError::FromStatus(s);
}

RpcResult Mine(chain::DevChain* dev, uint64_t count, uint64_t interval,
               std::optional<uint64_t> timestamp) {
  if (dev == nullptr) return NotReady();
  auto mined = dev->Mine(count, interval, timestamp);
  if (!mined) return DevError(mined.status());
  return RpcResult::Null();
}

RpcMethod SetAutomine(std::string name, chain::Miner* miner) {
  return RpcMethod{
      .name = std::move(name),
      .access = RpcAccess::kDev,
      .params = {RpcParam::Required("enabled", RpcType::kBool, "true to mine when a tx arrives")},
      .help =
          "Turns automine on or off: with it, a block is mined as soon as the mempool holds a "
          "ready tx, and every tx ready by then shares that block (the default with "
          "-devblocktime=0). Turning it on mines the txs already waiting. Interval mining "
          "(evm_setIntervalMining) goes on independently.",
      .result = "true",
      .handler = [miner](const RpcRequest& req) -> RpcResult {
        if (miner == nullptr) return NotReady();
        miner->SetAutomine(req.GetBool("enabled"));
        return RpcResult::Bool(true);
      }};
}

RpcMethod SetIntervalMining(std::string name, chain::Miner* miner) {
  return RpcMethod{
      .name = std::move(name),
      .access = RpcAccess::kDev,
      .params = {RpcParam::Required("interval", RpcType::kUintOrQuantity,
                                    "milliseconds between blocks; 0 turns interval mining off")},
      .help =
          "Mines a block every `interval` milliseconds, txs or not (what -devblocktime sets "
          "at start, in seconds). 0 stops interval mining; automine is not changed.",
      .result = "true",
      .handler = [miner](const RpcRequest& req) -> RpcResult {
        if (miner == nullptr) return NotReady();
        constexpr uint64_t kMaxMs = 86'400'000;
        const uint64_t ms = req.GetUint("interval");
        if (ms > kMaxMs) {
          return RpcError::InvalidParams("interval must be at most 86400000 ms (a day), not " +
                                         std::to_string(ms));
        }
        miner->SetBlockInterval(std::chrono::milliseconds(ms));
        return RpcResult::Bool(true);
      }};
}

RpcMethod MineBlocks(std::string name, chain::DevChain* dev) {
  return RpcMethod{
      .name = std::move(name),
      .access = RpcAccess::kDev,
      .params = {RpcParam::Optional(
                     "blocks", RpcType::kUintOrQuantity, "1",
                     "how many blocks (1.." + std::to_string(chain::kMaxDevMineBlocks) + ")"),
                 RpcParam::Optional("interval", RpcType::kUintOrQuantity, "1",
                                    "seconds between the blocks' timestamps")},
      .help =
          "Mines `blocks` blocks now, the first with the pool's ready txs, each "
          "`interval` seconds after the one before (the dev clock then goes on from the "
          "last). The same method as Hardhat's hardhat_mine and Anvil's anvil_mine.",
      .result = "null",
      .handler = [dev](const RpcRequest& req) {
        return Mine(dev, req.GetUint("blocks"), req.GetUint("interval"), std::nullopt);
      }};
}

RpcMethod SetBalance(std::string name, chain::DevChain* dev) {
  return RpcMethod{
      .name = std::move(name),
      .access = RpcAccess::kDev,
      .params = {RpcParam::Required("address", RpcType::kAddress, "the account"),
                 RpcParam::Required("balance", RpcType::kHexU256, "its new balance in wei")},
      .help =
          "Raises an account's balance to exactly `balance` wei by mining a block of one "
          "transfer from the dev faucet (m/44'/60'/0'/1/0 of the dev mnemonic, funded by "
          "the regtest genesis), so the edit is an ordinary tx every node syncing the chain "
          "agrees on. The block number moves by one; the pool's other txs stay pending. A "
          "lower balance is refused (-32602, dev-balance-lower): taking coins away needs the "
          "account's key. The same method as Anvil's anvil_setBalance and Hardhat's "
          "hardhat_setBalance.",
      .result = "null",
      .handler = [dev](const RpcRequest& req) -> RpcResult {
        if (dev == nullptr) return NotReady();
        const Hash256 balance = req.GetU256("balance");
        auto mined = dev->SetBalance(Address(req.GetFixed<20>("address")),
                                     Uint256::FromBigEndian32(balance.data()));
        if (!mined) return DevError(mined.status());
        return RpcResult::Null();
      }};
}

}  // namespace

RpcTable DevRpcTable(chain::DevChain* dev, chain::Miner* miner) {
  RpcTable t{"dev (test node)", {}};
  t.methods.push_back(RpcMethod{
      .name = "evm_mine",
      .access = RpcAccess::kDev,
      .params = {RpcParam::Optional("timestamp", RpcType::kUintOrQuantity, "",
                                    "the block's timestamp (after the latest block's); default "
                                    "the dev clock")},
      .help = "Mines one block now with the pool's ready txs, as Hardhat's evm_mine.",
      .result = "\"0x0\"",
      .handler = [dev](const RpcRequest& req) -> RpcResult {
        std::optional<uint64_t> timestamp;
        if (req.Has("timestamp")) timestamp = req.GetUint("timestamp");
        RpcResult r = Mine(dev, 1, 0, timestamp);
        if (!r.ok()) return r;
        return RpcResult::String("0x0");
      }});
  t.methods.push_back(MineBlocks("anvil_mine", dev));
  t.methods.push_back(MineBlocks("hardhat_mine", dev));
  t.methods.push_back(SetBalance("anvil_setBalance", dev));
  t.methods.push_back(SetBalance("hardhat_setBalance", dev));
  t.methods.push_back(SetAutomine("evm_setAutomine", miner));
  t.methods.push_back(SetAutomine("anvil_setAutomine", miner));
  t.methods.push_back(SetIntervalMining("evm_setIntervalMining", miner));
  t.methods.push_back(SetIntervalMining("anvil_setIntervalMining", miner));
  t.methods.push_back(RpcMethod{
      .name = "evm_snapshot",
      .access = RpcAccess::kDev,
      .params = {},
      .help = "Snapshots the chain (its tip), the mempool and the dev clock; evm_revert goes "
              "back to it.",
      .result = "the snapshot id as a hex quantity (\"0x1\", \"0x2\", ...)",
      .handler = [dev](const RpcRequest&) -> RpcResult {
        if (dev == nullptr) return NotReady();
        return RpcResult::String(eth_json::QuantityHex(dev->Snapshot()));
      }});
  t.methods.push_back(RpcMethod{
      .name = "evm_revert",
      .access = RpcAccess::kDev,
      .params = {RpcParam::Required("id", RpcType::kUintOrQuantity, "an id evm_snapshot gave")},
      .help = "Goes back to a snapshot: a local reorg to its block (the blocks since are "
              "disconnected, their receipts and logs leave the indexes), the mempool as it was "
              "then, and the dev clock's offset. The snapshot is used up, and so are the ones "
              "taken after it (take a new one to go back again). An unknown or used-up id "
              "answers false, as Hardhat.",
      .result = "true, or false for an unknown id",
      .handler = [dev](const RpcRequest& req) -> RpcResult {
        if (dev == nullptr) return NotReady();
        auto reverted = dev->Revert(req.GetUint("id"));
        if (!reverted) return DevError(reverted.status());
        return RpcResult::Bool(*reverted);
      }});
  t.methods.push_back(RpcMethod{
      .name = "evm_increaseTime",
      .access = RpcAccess::kDev,
      .params = {RpcParam::Required("seconds", RpcType::kUintOrQuantity,
                                    "how far to move the dev clock forward")},
      .help = "Moves the dev clock forward: the next blocks' timestamps are that much later. "
              "Time never goes back (use evm_revert).",
      .result = "the clock's total offset in seconds (number)",
      .handler = [dev](const RpcRequest& req) -> RpcResult {
        if (dev == nullptr) return NotReady();
        auto offset = dev->IncreaseTime(req.GetUint("seconds"));
        if (!offset) return DevError(offset.status());
        return RpcResult::Uint(*offset);
      }});
  t.methods.push_back(RpcMethod{
      .name = "evm_setNextBlockTimestamp",
      .access = RpcAccess::kDev,
      .params = {RpcParam::Required("timestamp", RpcType::kUintOrQuantity,
                                    "seconds since the Unix epoch, after the latest block's")},
      .help = "Sets the next block's timestamp; the dev clock goes on from it afterwards. A "
              "timestamp not after the latest block's is refused (-32602).",
      .result = "null",
      .handler = [dev](const RpcRequest& req) -> RpcResult {
        if (dev == nullptr) return NotReady();
        Status s = dev->SetNextBlockTimestamp(req.GetUint("timestamp"));
        if (!s.ok()) return DevError(s);
        return RpcResult::Null();
      }});
  return t;
}

}  // namespace depin

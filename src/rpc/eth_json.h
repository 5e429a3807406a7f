// Ethereum JSON-RPC value formats for the eth_ methods, filters and
// subscriptions: quantities as minimal 0x hex, data as 0x hex, addresses
// EIP-55 checksummed, and the block, transaction, receipt and log objects
// with the fields ethers.js and viem read.
//
// How our chain maps onto Ethereum's block fields (see docs/wallets.md):
//   hash             SHA-256d of our fixed-width header
//   transactionsRoot our binary SHA-256 tx root; receiptsRoot likewise
//   difficulty       work of this block (2^256 / (target + 1)), as a quantity
//   totalDifficulty  cumulative chain work up to and including the block
//   nonce            our 64-bit PoW nonce as 8 bytes of data
//   mixHash          our 32-byte extra field; extraData the same bytes
//   sha3Uncles       keccak256(rlp([])) (there are never uncles)
//   logsBloom        OR of the receipts' blooms
//
// Thread-safety: pure functions.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "primitives/block.h"
#include "primitives/receipt.h"
#include "primitives/transaction.h"

namespace depin::eth_json {

using Alloc = rapidjson::Document::AllocatorType;

// keccak256(rlp([])): the uncles hash of a block without uncles.
inline constexpr const char* kEmptyUnclesHash =
    "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";

std::string QuantityHex(uint64_t v);
rapidjson::Value Quantity(uint64_t v, Alloc& a);
rapidjson::Value Quantity(const Uint256& v, Alloc& a);
rapidjson::Value Data(ByteSpan bytes, Alloc& a);
rapidjson::Value AddressValue(const Address& address, Alloc& a);

// Where a mined tx sits; null for a pending tx.
struct TxPosition {
  Hash256 block_hash;
  uint64_t block_number = 0;
  uint32_t index = 0;
  Uint256 base_fee;  // of the block, for the effective gas price
};

// base_fee + the tip the tx paid at that base fee.
Uint256 EffectiveGasPrice(const Transaction& tx, const Uint256& base_fee);

// A transaction object. gasPrice is the effective price when mined and the
// fee cap when pending (as geth).
rapidjson::Value TxObject(const VerifiedTx& tx, const TxPosition* position, Alloc& a);

// A log with everything needed to show it on its own (eth_getLogs, filters,
// subscriptions). log_index counts logs from the start of the block.
struct LocatedLog {
  Log log;
  Hash256 block_hash;
  uint64_t block_number = 0;
  Hash256 tx_hash;
  uint32_t tx_index = 0;
  uint64_t log_index = 0;
  bool removed = false;  // sent by filters and subscriptions after a reorg
};

rapidjson::Value LogObject(const LocatedLog& log, Alloc& a);

// Every log of a block with its position; `receipts` parallel to block.txs.
std::vector<LocatedLog> BlockLogs(const Block& block, const Hash256& block_hash,
                                  const std::vector<Receipt>& receipts);

// A receipt object; `first_log_index` is the number of logs in the block
// before this tx's.
rapidjson::Value ReceiptObject(const Receipt& receipt, const VerifiedTx& tx,
                               const TxPosition& position, uint64_t first_log_index, Alloc& a);

// OR of the receipts' blooms.
Bloom BlockBloom(const std::vector<Receipt>& receipts);

// Work of one block at compact target `bits` (zero for an invalid target).
Uint256 BlockWork(uint32_t bits);

// The header fields of a block object (no transactions, uncles or size).
void AddHeaderFields(const BlockHeader& header, const Hash256& hash,
                     const Uint256& total_difficulty, const Bloom& bloom, rapidjson::Value& obj,
                     Alloc& a);

}  // namespace depin::eth_json

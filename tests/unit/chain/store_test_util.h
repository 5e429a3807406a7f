// Helpers shared by the block store / state store tests: a temporary
// directory removed at scope exit, and small deterministic blocks.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "chain/block_store.h"
#include "chain/chain_db.h"
#include "crypto/secp256k1.h"
#include "primitives/block.h"
#include "primitives/transaction.h"

namespace depin::chain::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("depin_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A block at `height` with `tx_count` signed transfers, distinct per height.
inline Block MakeBlock(uint64_t height, int tx_count = 0) {
  Block block;
  block.header.height = height;
  block.header.timestamp = 1700000000 + height * 15;
  block.header.bits = 0x207fffff;
  block.header.nonce = height * 7919;
  block.header.extra[0] = static_cast<uint8_t>(height);
  uint8_t secret[32] = {};
  secret[31] = 1;
  secret[0] = static_cast<uint8_t>(height + 1);
  auto key = crypto::PrivateKey::FromBytes(ByteSpan(secret, 32));
  for (int i = 0; i < tx_count; ++i) {
    Transaction tx;
    tx.chain_id = 1337;
    tx.nonce = static_cast<uint64_t>(i);
    tx.max_fee_per_gas = Uint256(1000);
    tx.max_priority_fee_per_gas = Uint256(1);
    tx.gas_limit = 21000;
    tx.to = Address();
    tx.value = Uint256(height * 100 + static_cast<uint64_t>(i));
    tx.Sign(*key);
    block.txs.push_back(*MakeVerifiedTx(tx));
  }
  return block;
}

}  // namespace depin::chain::testing

namespace depin::chain::testing {

inline constexpr uint32_t kTestMagic = 0xd9b4bef9;

inline uint64_t FileSize(const std::filesystem::path& p) {
  return static_cast<uint64_t>(std::filesystem::file_size(p));
}

// Overwrites one byte of a file in place.
inline void FlipByte(const std::filesystem::path& p, uint64_t offset, uint8_t mask = 0xff) {
  std::FILE* f = std::fopen(p.c_str(), "r+b");
  if (f == nullptr) std::abort();
  std::fseek(f, static_cast<long>(offset), SEEK_SET);
  const int c = std::fgetc(f);
  std::fseek(f, static_cast<long>(offset), SEEK_SET);
  std::fputc(static_cast<uint8_t>(c) ^ mask, f);
  std::fclose(f);
}

inline void AppendBytes(const std::filesystem::path& p, const Bytes& data) {
  std::FILE* f = std::fopen(p.c_str(), "ab");
  if (f == nullptr) std::abort();
  std::fwrite(data.data(), 1, data.size(), f);
  std::fclose(f);
}

// A block store in `dir`/blocks with the test magic and 1 MiB blocks;
// `max_file_size` 0 keeps the store's default.
inline BlockStoreOptions StoreOptions(const TempDir& dir, uint64_t max_file_size = 0) {
  BlockStoreOptions o;
  o.dir = dir.path() / "blocks";
  o.magic = kTestMagic;
  o.max_block_size = 1 << 20;
  if (max_file_size != 0) o.max_file_size = max_file_size;
  return o;
}

// The chain LevelDB in `dir`/chainstate with a small cache.
inline ChainDbOptions StoreDbOptions(const TempDir& dir) {
  ChainDbOptions o;
  o.path = dir.path() / "chainstate";
  o.cache_bytes = 1 << 20;
  return o;
}

}  // namespace depin::chain::testing

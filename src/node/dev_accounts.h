// The development accounts of `depind -dev`: the keys that Hardhat, Anvil and
// Ganache derive from the well-known mnemonic "test test ... junk" at
// m/44'/60'/0'/0/i, which the regtest genesis funds. Printing them with their
// private keys at start lets tutorials written for Ethereum dev nodes work
// unchanged. These keys are public knowledge: never use them on a real
// network.
//
// Thread-safety: free functions, reentrant.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "crypto/secp256k1.h"
#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/status.h"

namespace depin::node {

inline constexpr std::string_view kDevMnemonic =
    "test test test test test test test test test test test junk";

struct DevAccount {
  std::string path;  // "m/44'/60'/0'/0/3"
  crypto::PrivateKey key;
  Address address;
};

// The first `count` accounts (BIP-39 seed, BIP-32 derivation).
Result<std::vector<DevAccount>> DeriveDevAccounts(size_t count);
// The dev faucet (consensus::DevFaucetAddress): m/44'/60'/0'/1/0.
Result<DevAccount> DeriveDevFaucet();

// When a dev node mines, in words: "a block every 2 s", "a block every
// 0.5 s", or (0) "a block as soon as a tx arrives".
std::string DevMiningText(std::chrono::milliseconds interval);

// The start-up banner: RPC URL, chain id, how blocks come (DevMiningText),
// and each account with its balance and private key.
std::string DevBanner(const std::vector<DevAccount>& accounts, const Uint256& balance_each,
                      const std::string& rpc_url, uint64_t chain_id, const std::string& mining);

}  // namespace depin::node

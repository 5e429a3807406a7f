#include "node/dev_accounts.h"

#include <sstream>

#include "crypto/hd_wallet.h"

namespace depin::node {

Result<std::vector<DevAccount>> DeriveDevAccounts(size_t count) {
  auto seed = crypto::Bip39Seed(kDevMnemonic, /*passphrase=*/"");
  if (!seed) return seed.status();
  std::vector<DevAccount> accounts;
  for (size_t i = 0; i < count; ++i) {
    std::string path = "m/44'/60'/0'/0/" + std::to_string(i);
    auto key = crypto::DeriveBip32(*seed, path);
    if (!key) return key.status();
    Address address = Address::FromPublicKey(key->GetPublicKey());
    accounts.push_back(DevAccount{path, *key, address});
  }
  return accounts;
}

Result<DevAccount> DeriveDevFaucet() {
  auto seed = crypto::Bip39Seed(kDevMnemonic, /*passphrase=*/"");
  if (!seed) return seed.status();
  const std::string path = "m/44'/60'/0'/1/0";
  auto key = crypto::DeriveBip32(*seed, path);
  if (!key) return key.status();
  return DevAccount{path, *key, Address::FromPublicKey(key->GetPublicKey())};
}

std::string DevMiningText(std::chrono::milliseconds interval) {
  if (interval.count() == 0) return "a block as soon as a tx arrives";
  std::string seconds = std::to_string(interval.count() / 1000);
  if (const int64_t ms = interval.count() % 1000; ms != 0) {
    std::string fraction = std::to_string(1000 + ms).substr(1);  // 3 digits
    while (fraction.back() == '0') fraction.pop_back();
    seconds += "." + fraction;
  }
  return "a block every " + seconds + " s";
}

std::string DevBanner(const std::vector<DevAccount>& accounts, const Uint256& balance_each,
                      const std::string& rpc_url, uint64_t chain_id, const std::string& mining) {
  // Whole coins for display; balances are exact multiples of 10^18 here.
  Uint256 coins = balance_each / Dpn(1);
  std::ostringstream out;
  out << "\n"
      << "depind dev node: regtest, chain id " << chain_id << ", " << mining << "\n"
      << "JSON-RPC: " << rpc_url << "\n\n"
      << "Accounts (" << coins.ToDecimal() << " DPN each)\n"
      << "==================\n";
  for (size_t i = 0; i < accounts.size(); ++i) {
    out << "(" << i << ") " << accounts[i].address.ToChecksumHex() << "\n";
  }
  out << "\nPrivate keys\n"
      << "==================\n";
  for (size_t i = 0; i < accounts.size(); ++i) {
    out << "(" << i << ") " << accounts[i].key.secret().Hex() << "\n";
  }
  out << "\nMnemonic: " << kDevMnemonic << "\n"
      << "Derivation: m/44'/60'/0'/0/{index}\n\n"
      << "WARNING: these keys are publicly known. Any funds sent to them on a real network\n"
      << "will be stolen.\n\n";
  return out.str();
}

}  // namespace depin::node

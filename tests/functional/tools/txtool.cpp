// depin-txtool: signs a transaction for the functional tests, which are
// written in Python's standard library and so have no secp256k1. It is a
// test tool, not a wallet: depin-cli's `sign` replaces it for users.
//
//   depin-txtool --key=0x<32 bytes> --chainid=1337 --nonce=0 --to=0x<20 bytes>
//                [--value=<wei>] [--gas=21000] [--maxfee=<wei>] [--tip=<wei>]
//                [--data=0x...] [--legacy] [--sig=valid|high-s|zero-r]
//
// Prints the envelope as 0x hex and, on a second line, the tx hash. Amounts
// are decimal wei. --sig spoils the signature on purpose for tests of the
// node's rejection reasons.
//
//   depin-txtool --key=0x.. --personal-sign=0x<32 bytes>   prints r||s||v
//   depin-txtool --key=0x.. --open-box=0x.. [--aad=0x..]  prints the plaintext
#include <cstdlib>
#include <iostream>
#include <map>
#include <string>

#include "crypto/access_box.h"
#include "crypto/keccak.h"
#include "crypto/secp256k1.h"
#include "primitives/transaction.h"
#include "primitives/uint256.h"
#include "util/bytes.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "depin-txtool: " << why << "\n"
            << "usage: depin-txtool --key=0x.. --chainid=N --nonce=N --to=0x.. [--value=WEI]\n"
            << "       [--gas=N] [--maxfee=WEI] [--tip=WEI] [--data=0x..] [--legacy]\n"
            << "       [--sig=valid|high-s|zero-r]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace depin;
  std::map<std::string, std::string> opts;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) return Usage("unexpected argument " + a);
    size_t eq = a.find('=');
    opts[a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2)] =
        eq == std::string::npos ? "1" : a.substr(eq + 1);
  }
  if (opts.count("personal-sign") || opts.count("open-box")) {
    // Tenant-side helpers for the compute tests: personal_sign (EIP-191) of
    // a 32-byte hash, and opening an access box sealed to the key.
    auto secret = HexDecode(opts["key"]);
    if (!secret) return Usage("bad --key");
    auto key = crypto::PrivateKey::FromBytes(*secret);
    if (!key) return Usage("bad --key");
    if (opts.count("personal-sign")) {
      auto hash = Hash256::FromHex(opts["personal-sign"]);
      if (!hash) return Usage("bad --personal-sign hash");
      crypto::Keccak256 h;
      h.Write(
          AsSpan(std::string_view("\x19"
                                  "Ethereum Signed Message:\n32")));
      h.Write(hash->span());
      const crypto::RecoverableSignature sig = key->Sign(h.Finalize());
      Bytes out(sig.r.begin(), sig.r.end());
      out.insert(out.end(), sig.s.begin(), sig.s.end());
      out.push_back(static_cast<uint8_t>(27 + sig.recid));
      std::cout << HexEncode(out) << "\n";
      return 0;
    }
    auto box = HexDecode(opts["open-box"]);
    auto aad = HexDecode(opts.count("aad") ? opts["aad"] : "0x");
    if (!box || !aad) return Usage("bad --open-box or --aad");
    auto plain = crypto::OpenAccessBox(*key, *box, *aad);
    if (!plain) {
      std::cerr << "depin-txtool: " << plain.status().ToString() << "\n";
      return 1;
    }
    std::cout << std::string(plain->begin(), plain->end()) << "\n";
    return 0;
  }
  for (const char* required : {"key", "chainid", "nonce", "to"}) {
    if (!opts.count(required)) return Usage(std::string("--") + required + " is required");
  }
  auto get = [&opts](const std::string& k, const std::string& def) {
    auto it = opts.find(k);
    return it == opts.end() ? def : it->second;
  };
  auto dec = [](const std::string& s) -> Uint256 {
    auto v = Uint256::FromDecimal(s);
    if (!v) {
      std::cerr << "depin-txtool: bad amount " << s << "\n";
      std::exit(2);
    }
    return *v;
  };

  auto secret = HexDecode(opts["key"]);
  if (!secret) return Usage("bad --key");
  auto key = crypto::PrivateKey::FromBytes(*secret);
  if (!key) return Usage("bad --key: " + key.status().ToString());
  auto to = Address::Parse(opts["to"]);
  if (!to) return Usage("bad --to: " + to.status().ToString());
  auto data = HexDecode(get("data", "0x"));
  if (!data) return Usage("bad --data");

  Transaction tx;
  tx.type = opts.count("legacy") ? TxType::kLegacy : TxType::kDynamicFee;
  tx.chain_id = std::strtoull(opts["chainid"].c_str(), nullptr, 10);
  tx.nonce = std::strtoull(opts["nonce"].c_str(), nullptr, 10);
  tx.to = *to;
  tx.value = dec(get("value", "0"));
  tx.gas_limit = std::strtoull(get("gas", "21000").c_str(), nullptr, 10);
  tx.max_fee_per_gas = dec(get("maxfee", "10000000000"));
  tx.max_priority_fee_per_gas =
      tx.type == TxType::kLegacy ? tx.max_fee_per_gas : dec(get("tip", "1000000000"));
  tx.data = *data;
  tx.Sign(*key);

  std::string sig = get("sig", "valid");
  if (sig == "high-s") {
    // n - s: the same signature with the other s, which EIP-2 forbids.
    auto n = Uint256::FromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
    tx.s = *CheckedSub(*n, tx.s);
    tx.y_parity ^= 1;
  } else if (sig == "zero-r") {
    tx.r = Uint256(0);
  } else if (sig != "valid") {
    return Usage("bad --sig");
  }
  std::cout << HexEncode(tx.Encode()) << "\n" << tx.Hash().Hex() << "\n";
  return 0;
}

#include "consensus/state.h"

#include <algorithm>
#include <string>

namespace depin::consensus {

Bytes AccountKey(const Address& address) {
  Bytes key;
  key.reserve(1 + Address::kSize);
  key.push_back(kAccountPrefix);
  key.insert(key.end(), address.begin(), address.end());
  return key;
}

Bytes ModuleKey(const Address& module, ByteSpan key) {
  Bytes out;
  out.reserve(1 + Address::kSize + key.size());
  out.push_back(kModulePrefix);
  out.insert(out.end(), module.begin(), module.end());
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

bool HasPrefix(ByteSpan key, ByteSpan prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

Bytes EncodeAccount(const Account& account) {
  Bytes out(kAccountEncodedSize);
  WriteLE64(out.data(), account.nonce);
  account.balance.ToBigEndian32(out.data() + 8);
  return out;
}

Result<Account> DecodeAccount(ByteSpan data) {
  if (data.size() != kAccountEncodedSize) {
    return Status::Corruption("account-bad-encoding",
                              "account record must be " + std::to_string(kAccountEncodedSize) +
                                  " bytes, got " + std::to_string(data.size()));
  }
  Account account;
  account.nonce = ReadLE64(data.data());
  account.balance = Uint256::FromBigEndian32(data.data() + 8);
  return account;
}

StateDiff InvertDiff(const StateDiff& diff) {
  StateDiff inverse;
  inverse.reserve(diff.size());
  for (const StateChange& change : diff) {
    inverse.push_back(StateChange{change.key, change.after, change.before});
  }
  return inverse;
}

}  // namespace depin::consensus

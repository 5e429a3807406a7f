// Deterministic secp256k1 keys for tests: key i of a family is 31 bytes of
// `family` followed by i, so suites that pick different families never share
// accounts.
#pragma once

#include <cstdint>

#include "crypto/secp256k1.h"
#include "primitives/address.h"
#include "util/bytes.h"

namespace depin::test_util {

inline crypto::PrivateKey TestKey(uint8_t family, uint8_t i) {
  Bytes secret(32, family);
  secret[31] = i;
  return crypto::PrivateKey::FromBytes(secret).value();
}

inline Address TestAddress(uint8_t family, uint8_t i) {
  return Address::FromPublicKey(TestKey(family, i).GetPublicKey());
}

}  // namespace depin::test_util

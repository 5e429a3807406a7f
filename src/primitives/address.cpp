#include "primitives/address.h"

#include "crypto/keccak.h"

namespace depin {
namespace {

// EIP-55: the hex digit at position i is upper-cased when nibble i of
// keccak256(lower-case hex without 0x) is 8 or more.
std::string ChecksumForm(const std::string& lower_hex40) {
  Hash256 h = crypto::Keccak256Hash(AsSpan(lower_hex40));
  std::string out = "0x";
  for (size_t i = 0; i < 40; ++i) {
    char c = lower_hex40[i];
    uint8_t nibble = (i % 2 == 0) ? (h[i / 2] >> 4) : (h[i / 2] & 15);
    if (c >= 'a' && c <= 'f' && nibble >= 8) c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

}  // namespace

Address Address::FromPublicKey(const crypto::PublicKey& pub) {
  Hash256 h = crypto::Keccak256Hash(pub.span());
  return Address(h.data() + 12);
}

Result<Address> Address::Parse(std::string_view text) {
  if (text.size() != 42 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) {
    return Status::Error("address-invalid", "expected 0x followed by 40 hex digits");
  }
  std::string_view digits = text.substr(2);
  bool has_lower = false;
  bool has_upper = false;
  std::string lower;
  lower.reserve(40);
  for (char c : digits) {
    if (c >= 'a' && c <= 'f') {
      has_lower = true;
    } else if (c >= 'A' && c <= 'F') {
      has_upper = true;
      c = static_cast<char>(c - 'A' + 'a');
    } else if (c < '0' || c > '9') {
      return Status::Error("address-invalid", "expected 0x followed by 40 hex digits");
    }
    lower.push_back(c);
  }
  auto bytes = HexDecode(lower);
  if (!bytes) return Status::Error("address-invalid", "expected 0x followed by 40 hex digits");
  if (has_lower && has_upper && ChecksumForm(lower).substr(2) != digits) {
    return Status::Error("address-bad-checksum", "mixed-case address fails its EIP-55 checksum");
  }
  return Address(bytes->data());
}

std::string Address::ToChecksumHex() const { return ChecksumForm(HexEncode(span(), false)); }

Address ModuleAddress(uint16_t low16) {
  Address a;
  a[18] = static_cast<uint8_t>(low16 >> 8);
  a[19] = static_cast<uint8_t>(low16);
  return a;
}

}  // namespace depin

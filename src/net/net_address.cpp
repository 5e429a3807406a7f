#include "net/net_address.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <optional>

namespace depin::net {

namespace {

namespace ip = boost::asio::ip;

constexpr std::array<uint8_t, 12> kIpv4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

Result<std::array<uint8_t, 16>> ParseIp(std::string_view text) {
  if (text == "localhost") text = "127.0.0.1";
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return Status::Error("net-bad-address", "not an IP address: " + std::string(text));
  if (a.is_v4()) return ip::make_address_v6(ip::v4_mapped, a.to_v4()).to_bytes();
  return a.to_v6().to_bytes();
}

ip::address ToAsio(const std::array<uint8_t, 16>& bytes) {
  ip::address_v6 v6(bytes);
  if (v6.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, v6);
  return v6;
}

Result<uint16_t> ParsePort(std::string_view text) {
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value > 65535 || text.empty())
    return Status::Error("net-bad-address", "bad port: " + std::string(text));
  return static_cast<uint16_t>(value);
}

}  // namespace

Result<NetAddress> NetAddress::Parse(std::string_view text, uint16_t default_port) {
  std::string_view host = text;
  uint16_t port = default_port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos)
      return Status::Error("net-bad-address", "unclosed [ in " + std::string(text));
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return Status::Error("net-bad-address", std::string(text));
      auto p = ParsePort(rest.substr(1));
      if (!p) return p.status();
      port = *p;
    }
  } else if (size_t colon = text.rfind(':');
             colon != std::string_view::npos && text.find(':') == colon) {
    // Exactly one colon: host:port. Several colons without brackets is a
    // bare IPv6 address.
    host = text.substr(0, colon);
    auto p = ParsePort(text.substr(colon + 1));
    if (!p) return p.status();
    port = *p;
  }
  auto bytes = ParseIp(host);
  if (!bytes) return bytes.status();
  NetAddress a;
  a.ip = *bytes;
  a.port = port;
  return a;
}

NetAddress NetAddress::FromIpv4(uint32_t host_order_ip, uint16_t port) {
  NetAddress a;
  std::copy(kIpv4MappedPrefix.begin(), kIpv4MappedPrefix.end(), a.ip.begin());
  WriteBE32(a.ip.data() + 12, host_order_ip);
  a.port = port;
  return a;
}

bool NetAddress::IsIpv4() const {
  return std::equal(kIpv4MappedPrefix.begin(), kIpv4MappedPrefix.end(), ip.begin());
}

bool NetAddress::IsLoopback() const { return ToAsio(ip).is_loopback(); }

bool NetAddress::IsUnspecified() const { return ToAsio(ip).is_unspecified(); }

bool NetAddress::IsRoutable() const {
  if (IsUnspecified() || IsLoopback()) return false;
  if (IsIpv4()) {
    uint8_t a = ip[12], b = ip[13];
    if (a == 10 || a == 0 || a >= 224) return false;
    if (a == 172 && b >= 16 && b <= 31) return false;
    if (a == 192 && b == 168) return false;
    if (a == 169 && b == 254) return false;
    if (a == 100 && b >= 64 && b <= 127) return false;  // carrier-grade NAT
    return true;
  }
  ip::address_v6 v6(ip);
  if (v6.is_link_local() || v6.is_site_local() || v6.is_multicast()) return false;
  if ((ip[0] & 0xfe) == 0xfc) return false;  // unique local fc00::/7
  return true;
}

Bytes NetAddress::Group() const {
  if (IsIpv4()) return Bytes{4, ip[12], ip[13]};
  return Bytes{6, ip[0], ip[1], ip[2], ip[3]};
}

std::string NetAddress::IpString() const { return ToAsio(ip).to_string(); }

std::string NetAddress::ToString() const {
  if (IsIpv4()) return IpString() + ":" + std::to_string(port);
  return "[" + IpString() + "]:" + std::to_string(port);
}

Result<SubNet> SubNet::Parse(std::string_view text) {
  std::string_view host = text;
  std::optional<unsigned> bits;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    host = text.substr(0, slash);
    std::string_view b = text.substr(slash + 1);
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(b.data(), b.data() + b.size(), value);
    if (b.empty() || ec != std::errc() || ptr != b.data() + b.size())
      return Status::Error("net-bad-subnet", "bad prefix length in " + std::string(text));
    bits = value;
  }
  auto bytes = ParseIp(host);
  if (!bytes) return Status::Error("net-bad-subnet", "bad subnet: " + std::string(text));
  SubNet s;
  s.network = *bytes;
  NetAddress probe;
  probe.ip = *bytes;
  unsigned max_bits = probe.IsIpv4() ? 32 : 128;
  unsigned given = bits.value_or(max_bits);
  if (given > max_bits)
    return Status::Error("net-bad-subnet", "prefix too long in " + std::string(text));
  s.prefix_bits = static_cast<uint8_t>(probe.IsIpv4() ? 96 + given : given);
  for (unsigned i = s.prefix_bits; i < 128; ++i) {
    s.network[i / 8] &= static_cast<uint8_t>(~(0x80u >> (i % 8)));
  }
  return s;
}

SubNet SubNet::Single(const NetAddress& address) {
  SubNet s;
  s.network = address.ip;
  s.prefix_bits = 128;
  return s;
}

bool SubNet::Match(const NetAddress& address) const {
  for (unsigned i = 0; i < prefix_bits; ++i) {
    uint8_t mask = static_cast<uint8_t>(0x80u >> (i % 8));
    if ((address.ip[i / 8] & mask) != (network[i / 8] & mask)) return false;
  }
  return true;
}

std::string SubNet::ToString() const {
  NetAddress a;
  a.ip = network;
  unsigned bits = a.IsIpv4() && prefix_bits >= 96 ? prefix_bits - 96u : prefix_bits;
  return a.IpString() + "/" + std::to_string(bits);
}

}  // namespace depin::net

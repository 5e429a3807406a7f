// Network addresses as the P2P layer stores and gossips them: a 16-byte IP
// (IPv4 kept IPv4-mapped, ::ffff:a.b.c.d) and a port, plus SubNet for the
// ban list. Parsing and printing go through Boost.Asio in the .cpp so this
// header stays light.
//
// Thread-safety: plain values, no shared state.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/status.h"

namespace depin::net {

struct NetAddress {
  std::array<uint8_t, 16> ip{};
  uint16_t port = 0;

  // "1.2.3.4", "1.2.3.4:9000", "::1", "[::1]:9000", "localhost". A missing
  // port becomes `default_port`. Names other than "localhost" are not
  // resolved here ("net-bad-address").
  static Result<NetAddress> Parse(std::string_view text, uint16_t default_port);
  static NetAddress FromIpv4(uint32_t host_order_ip, uint16_t port);

  bool IsIpv4() const;
  bool IsLoopback() const;
  bool IsUnspecified() const;
  // Publicly reachable (not loopback, private, link-local or unspecified).
  bool IsRoutable() const;
  // The address group used to spread the address manager's buckets: /16
  // for IPv4, /32 for IPv6 (so one operator cannot fill every bucket).
  Bytes Group() const;
  std::string IpString() const;  // without port
  std::string ToString() const;  // "1.2.3.4:9000" or "[::1]:9000"

  friend bool operator==(const NetAddress&, const NetAddress&) = default;
  friend auto operator<=>(const NetAddress&, const NetAddress&) = default;
};

// An address range for bans: "1.2.3.4", "1.2.3.0/24", "2001:db8::/32".
struct SubNet {
  std::array<uint8_t, 16> network{};
  uint8_t prefix_bits = 128;  // on the 16-byte (mapped) form

  // Errors: "net-bad-subnet".
  static Result<SubNet> Parse(std::string_view text);
  static SubNet Single(const NetAddress& address);
  bool Match(const NetAddress& address) const;
  // "1.2.3.4/32", "1.2.3.0/24", "::1/128".
  std::string ToString() const;

  friend bool operator==(const SubNet&, const SubNet&) = default;
  friend auto operator<=>(const SubNet&, const SubNet&) = default;
};

}  // namespace depin::net

// The `-rpcallowip` list: single addresses and CIDR subnets, IPv4 and IPv6,
// checked when a connection is accepted. An IPv4-mapped IPv6 peer
// (::ffff:a.b.c.d, seen on dual-stack sockets) is matched as IPv4. The list
// is exactly what is configured; loopback is in RpcServerOptions' default.
//
// Thread-safety: immutable after Parse(); Allows() may run on any thread.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

#include "util/status.h"

namespace depin {

class IpAllowList {
 public:
  // Entries like "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8". Fails with
  // "rpc-bad-allowip" naming the first bad entry.
  static Result<IpAllowList> Parse(const std::vector<std::string>& entries);

  bool Allows(const boost::asio::ip::address& address) const;

 private:
  struct Subnet {
    boost::asio::ip::address network;
    unsigned prefix = 0;
  };
  std::vector<Subnet> subnets_;
};

}  // namespace depin

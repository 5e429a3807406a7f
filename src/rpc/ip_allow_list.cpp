#include "rpc/ip_allow_list.h"

#include <array>
#include <charconv>

namespace depin {
namespace {

using boost::asio::ip::address;

address Normalize(const address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

template <size_t N>
bool PrefixMatches(const std::array<unsigned char, N>& a, const std::array<unsigned char, N>& b,
                   unsigned prefix) {
  for (size_t i = 0; i < N && prefix > 0; ++i) {
    unsigned bits = prefix >= 8 ? 8 : prefix;
    auto mask = static_cast<unsigned char>(0xff << (8 - bits));
    if ((a[i] & mask) != (b[i] & mask)) return false;
    prefix -= bits;
  }
  return true;
}

}  // namespace

Result<IpAllowList> IpAllowList::Parse(const std::vector<std::string>& entries) {
  IpAllowList list;
  for (const auto& entry : entries) {
    auto bad = [&entry] {
      return Status::Error("rpc-bad-allowip", "invalid -rpcallowip: " + entry);
    };
    std::string host = entry;
    std::optional<unsigned> prefix;
    if (size_t slash = entry.find('/'); slash != std::string::npos) {
      host = entry.substr(0, slash);
      unsigned p = 0;
      const char* first = entry.data() + slash + 1;
      const char* last = entry.data() + entry.size();
      auto [ptr, ec] = std::from_chars(first, last, p);
      if (ec != std::errc() || ptr != last || first == last) return bad();
      prefix = p;
    }
    boost::system::error_code ec;
    address a = boost::asio::ip::make_address(host, ec);
    if (ec) return bad();
    a = Normalize(a);
    unsigned max_prefix = a.is_v4() ? 32 : 128;
    if (prefix && *prefix > max_prefix) return bad();
    list.subnets_.push_back(Subnet{a, prefix.value_or(max_prefix)});
  }
  return list;
}

bool IpAllowList::Allows(const address& raw) const {
  address a = Normalize(raw);
  for (const auto& s : subnets_) {
    if (a.is_v4() && s.network.is_v4()) {
      if (PrefixMatches(a.to_v4().to_bytes(), s.network.to_v4().to_bytes(), s.prefix)) return true;
    } else if (a.is_v6() && s.network.is_v6()) {
      if (PrefixMatches(a.to_v6().to_bytes(), s.network.to_v6().to_bytes(), s.prefix)) return true;
    }
  }
  return false;
}

}  // namespace depin

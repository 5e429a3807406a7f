#include "rpc/origin_policy.h"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>

namespace depin {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "scheme://host:port" split into its parts; any may be empty.
struct OriginParts {
  std::string scheme;
  std::string host;  // IPv6 literals keep their brackets
  std::string port;
};

OriginParts Split(std::string_view text) {
  OriginParts p;
  if (size_t sep = text.find("://"); sep != std::string_view::npos) {
    p.scheme = Lower(text.substr(0, sep));
    text.remove_prefix(sep + 3);
  }
  // An origin has no path, but a rule written as a URL may.
  if (size_t slash = text.find('/'); slash != std::string_view::npos) text = text.substr(0, slash);
  size_t colon = std::string_view::npos;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close != std::string_view::npos && close + 1 < text.size() && text[close + 1] == ':') {
      colon = close + 1;
    }
  } else if (text.find(':') == text.rfind(':')) {
    colon = text.find(':');
  }
  if (colon != std::string_view::npos) {
    p.port = std::string(text.substr(colon + 1));
    text = text.substr(0, colon);
  }
  p.host = Lower(text);
  return p;
}

bool RuleMatches(const std::string& rule, const OriginParts& origin) {
  if (rule == "*") return true;
  OriginParts r = Split(rule);
  if (!r.scheme.empty() && r.scheme != origin.scheme) return false;
  if (!r.port.empty() && r.port != origin.port) return false;
  return !r.host.empty() && r.host == origin.host;
}

bool IsIpAddress(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

OriginPolicy::OriginPolicy(std::vector<std::string> vhosts, std::vector<std::string> cors_domains) {
  for (const auto& v : vhosts) vhosts_.push_back(Lower(v));
  for (const auto& c : cors_domains) cors_domains_.push_back(Lower(c));
}

bool OriginPolicy::HostAllowed(std::string_view host) const {
  // No Host header: not a browser (they always send one).
  if (host.empty()) return true;
  OriginParts p = Split(host);
  if (IsIpAddress(p.host)) return true;
  // A bare IPv6 literal without brackets or port.
  if (IsIpAddress(std::string(host))) return true;
  std::string name = p.host;
  if (!name.empty() && name.back() == '.') name.pop_back();  // "localhost."
  return std::any_of(vhosts_.begin(), vhosts_.end(),
                     [&](const std::string& v) { return v == "*" || v == name; });
}

std::string OriginPolicy::CorsAllowOrigin(std::string_view origin) const {
  if (cors_domains_.empty() || origin.empty()) return "";
  OriginParts p = Split(origin);
  for (const auto& rule : cors_domains_) {
    if (rule == "*") return "*";
    if (RuleMatches(rule, p)) return std::string(origin);
  }
  return "";
}

bool OriginPolicy::WebSocketOriginAllowed(bool has_origin, std::string_view origin) const {
  if (!has_origin) return true;
  OriginParts p = Split(origin);
  if (cors_domains_.empty()) {
    return p.host == "localhost" || p.host == "127.0.0.1" || p.host == "[::1]";
  }
  return std::any_of(cors_domains_.begin(), cors_domains_.end(),
                     [&](const std::string& rule) { return RuleMatches(rule, p); });
}

bool OriginPolicy::SameOrigin(std::string_view origin, std::string_view host) const {
  if (origin.empty() || host.empty() || !HostAllowed(host)) return false;
  OriginParts o = Split(origin);
  if (o.scheme != "http" && o.scheme != "https") return false;
  OriginParts h = Split(host);
  return !o.host.empty() && o.host == h.host && o.port == h.port;
}

}  // namespace depin

// Credentials for admin RPC methods, checked against HTTP Basic auth:
// - a cookie: at start the server writes `<dir>/.cookie` (mode 0600)
//   holding `__cookie__:<64 hex random>`; local tools (depin-cli) read it,
//   so a default node needs no configured password. Removed at shutdown.
// - `rpcauth=user:salt$hmac` lines, with hmac = hex HMAC-SHA256(key=salt,
//   msg=password), the format of Bitcoin Core's share/rpcauth/rpcauth.py,
//   so the config file never holds a password.
// Comparisons are constant-time (CRYPTO_memcmp) and every configured entry
// is tried, so timing does not reveal which user names exist.
//
// Thread-safety: configure (AddRpcAuthLine, WriteCookie) before the server
// starts; Check() is const and may then run on any thread; RemoveCookie()
// at shutdown.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace depin {

inline constexpr std::string_view kCookieUser = "__cookie__";

class RpcAuth {
 public:
  RpcAuth() = default;
  ~RpcAuth();
  RpcAuth(const RpcAuth&) = delete;
  RpcAuth& operator=(const RpcAuth&) = delete;

  // Parses "user:salt$hmac" ("rpc-bad-rpcauth" when malformed).
  Status AddRpcAuthLine(std::string_view line);

  // Generates a fresh cookie and writes it to `dir`/.cookie with mode 0600
  // (written to a temporary file and renamed so readers never see half).
  Status WriteCookie(const std::filesystem::path& dir);
  // Deletes the cookie file written by WriteCookie(), if any.
  void RemoveCookie();
  // "__cookie__:<hex>", empty before WriteCookie().
  const std::string& cookie() const { return cookie_; }
  const std::filesystem::path& cookie_path() const { return cookie_path_; }

  // True if any credentials are configured at all.
  bool HasCredentials() const { return !cookie_.empty() || !entries_.empty(); }

  // Checks an Authorization header value ("Basic <base64 user:password>").
  bool Check(std::string_view authorization) const;

  // Hex HMAC-SHA256(key=salt, msg=password), as in an rpcauth line.
  static std::string RpcAuthHmac(std::string_view salt, std::string_view password);

 private:
  struct Entry {
    std::string user;
    std::string salt;
    std::string hmac_hex;  // lower case
  };

  std::vector<Entry> entries_;
  std::string cookie_;
  std::filesystem::path cookie_path_;
};

// Standard base64 (RFC 4648) with padding; "base64-invalid" otherwise.
Result<std::string> Base64Decode(std::string_view in);
std::string Base64Encode(std::string_view in);

}  // namespace depin

#include "rpc/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "util/bytes.h"

namespace depin {
namespace {

constexpr std::string_view kBase64Chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Equal-length constant-time comparison; unequal lengths compare unequal
// (the length of a fixed-format secret is no secret).
bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return Status::Error("base64-invalid", "length not a multiple of 4");
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    uint32_t acc = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = in[i + j];
      uint32_t v = 0;
      if (c == '=') {
        // Padding only in the last group's final one or two places.
        if (i + 4 != in.size() || j < 2) return Status::Error("base64-invalid", "misplaced '='");
        ++pad;
      } else {
        if (pad != 0) return Status::Error("base64-invalid", "data after '='");
        size_t pos = kBase64Chars.find(c);
        if (pos == std::string_view::npos) return Status::Error("base64-invalid", "bad character");
        v = static_cast<uint32_t>(pos);
      }
      acc = (acc << 6) | v;
    }
    out.push_back(static_cast<char>(acc >> 16));
    if (pad < 2) out.push_back(static_cast<char>((acc >> 8) & 0xff));
    if (pad < 1) out.push_back(static_cast<char>(acc & 0xff));
  }
  return out;
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t acc = static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << 16;
    if (i + 1 < in.size()) acc |= static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1])) << 8;
    if (i + 2 < in.size()) acc |= static_cast<uint8_t>(in[i + 2]);
    out.push_back(kBase64Chars[(acc >> 18) & 63]);
    out.push_back(kBase64Chars[(acc >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kBase64Chars[(acc >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? kBase64Chars[acc & 63] : '=');
  }
  return out;
}

RpcAuth::~RpcAuth() { RemoveCookie(); }

Status RpcAuth::AddRpcAuthLine(std::string_view line) {
  size_t colon = line.find(':');
  size_t dollar = line.find('$', colon == std::string_view::npos ? 0 : colon);
  if (colon == std::string_view::npos || dollar == std::string_view::npos || colon == 0 ||
      dollar == colon + 1) {
    return Status::Error("rpc-bad-rpcauth", "expected user:salt$hmac");
  }
  Entry e;
  e.user = std::string(line.substr(0, colon));
  e.salt = std::string(line.substr(colon + 1, dollar - colon - 1));
  std::string_view hmac = line.substr(dollar + 1);
  if (hmac.size() != 64) return Status::Error("rpc-bad-rpcauth", "hmac must be 64 hex digits");
  for (char c : hmac) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::Error("rpc-bad-rpcauth", "hmac must be 64 hex digits");
    }
    e.hmac_hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  entries_.push_back(std::move(e));
  return Status::Ok();
}

std::string RpcAuth::RpcAuthHmac(std::string_view salt, std::string_view password) {
  std::array<uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(password.data()), password.size(), mac.data(), &len);
  return HexEncode(ByteSpan(mac.data(), len), /*prefix=*/false);
}

Status RpcAuth::WriteCookie(const std::filesystem::path& dir) {
  std::array<uint8_t, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    return Status::Error("rpc-cookie-failed", "no randomness for the RPC cookie");
  }
  std::string cookie = std::string(kCookieUser) + ":" + HexEncode(secret, /*prefix=*/false);
  std::filesystem::path path = dir / ".cookie";
  std::filesystem::path tmp = dir / ".cookie.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Error("rpc-cookie-failed",
                         "cannot create " + tmp.string() + ": " + std::strerror(errno));
  }
  // The umask cannot widen 0600, but a pre-existing file keeps its mode.
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t written = 0;
  while (ok && written < cookie.size()) {
    ssize_t n = ::write(fd, cookie.data() + written, cookie.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = false;
      break;
    }
    written += static_cast<size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  std::error_code ec;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return Status::Error("rpc-cookie-failed", "cannot write " + path.string());
  }
  cookie_ = std::move(cookie);
  cookie_path_ = std::move(path);
  return Status::Ok();
}

void RpcAuth::RemoveCookie() {
  if (cookie_path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove(cookie_path_, ec);
  cookie_path_.clear();
  cookie_.clear();
}

bool RpcAuth::Check(std::string_view authorization) const {
  constexpr std::string_view kBasic = "basic ";
  if (authorization.size() <= kBasic.size() ||
      !IEquals(authorization.substr(0, kBasic.size()), kBasic)) {
    return false;
  }
  std::string_view encoded = authorization.substr(kBasic.size());
  while (!encoded.empty() && encoded.front() == ' ') encoded.remove_prefix(1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.remove_suffix(1);
  auto decoded = Base64Decode(encoded);
  if (!decoded) return false;
  std::string_view credentials = *decoded;
  size_t colon = credentials.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view user = credentials.substr(0, colon);
  std::string_view password = credentials.substr(colon + 1);

  // Evaluate every candidate without early exit.
  bool ok = false;
  if (!cookie_.empty()) ok |= SecretEquals(credentials, cookie_);
  for (const auto& e : entries_) {
    std::string mac = RpcAuthHmac(e.salt, password);
    bool user_ok = SecretEquals(user, e.user);
    bool mac_ok = SecretEquals(mac, e.hmac_hex);
    ok |= user_ok && mac_ok;
  }
  return ok;
}

}  // namespace depin

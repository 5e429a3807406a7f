#include "rpc/rpc_table.h"

#include <cassert>
#include <sstream>

namespace depin {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool HasHexPrefix(std::string_view s) {
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

// "0x" followed by an even number of hex digits, decoding to `size` bytes
// when size != 0.
std::optional<std::string> CheckHexData(const rapidjson::Value& v, size_t size) {
  if (!v.IsString()) return std::string("expected hex string");
  std::string_view s(v.GetString(), v.GetStringLength());
  if (!HasHexPrefix(s)) return std::string("expected 0x-prefixed hex string");
  s.remove_prefix(2);
  for (char c : s) {
    if (HexDigit(c) < 0) return std::string("invalid hex digit");
  }
  if (s.size() % 2 != 0) return std::string("odd number of hex digits");
  if (size != 0 && s.size() != size * 2) {
    return "expected " + std::to_string(size) + " bytes, got " + std::to_string(s.size() / 2);
  }
  return std::nullopt;
}

std::string TypeSketch(RpcType type) {
  switch (type) {
    case RpcType::kString:
    case RpcType::kHexQuantity:
    case RpcType::kHexU256:
    case RpcType::kHexData:
    case RpcType::kHash:
    case RpcType::kAddress:
      return "\"";
    default:
      return "";
  }
}

}  // namespace

std::string_view RpcTypeName(RpcType type) {
  switch (type) {
    case RpcType::kString:
      return "string";
    case RpcType::kInteger:
      return "integer";
    case RpcType::kUint:
      return "unsigned integer";
    case RpcType::kNumber:
      return "number";
    case RpcType::kBool:
      return "bool";
    case RpcType::kObject:
      return "object";
    case RpcType::kArray:
      return "array";
    case RpcType::kAny:
      return "any";
    case RpcType::kHexQuantity:
      return "hex quantity";
    case RpcType::kUintOrQuantity:
      return "unsigned integer or hex quantity";
    case RpcType::kHexU256:
      return "hex quantity (256-bit)";
    case RpcType::kHexData:
      return "hex data";
    case RpcType::kHash:
      return "32-byte hex hash";
    case RpcType::kAddress:
      return "20-byte hex address";
  }
  return "?";
}

Result<Hash256> ParseHexQuantity(std::string_view s) {
  if (!HasHexPrefix(s)) return Status::Error("hex-quantity-invalid", "missing 0x prefix");
  s.remove_prefix(2);
  if (s.empty()) return Status::Error("hex-quantity-invalid", "no digits");
  if (s.size() > 1 && s[0] == '0') return Status::Error("hex-quantity-invalid", "leading zeros");
  if (s.size() > 64) return Status::Error("hex-quantity-overflow", "more than 256 bits");
  Hash256 out;
  // Fill from the least significant nibble.
  size_t nibble = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it, ++nibble) {
    int d = HexDigit(*it);
    if (d < 0) return Status::Error("hex-quantity-invalid", "invalid hex digit");
    uint8_t& byte = out[31 - nibble / 2];
    byte = static_cast<uint8_t>(byte | (nibble % 2 == 0 ? d : d << 4));
  }
  return out;
}

std::optional<std::string> CheckRpcType(RpcType type, const rapidjson::Value& v) {
  switch (type) {
    case RpcType::kString:
      if (!v.IsString()) return std::string("expected string");
      return std::nullopt;
    case RpcType::kInteger:
      if (!v.IsInt64()) return std::string("expected integer");
      return std::nullopt;
    case RpcType::kUint:
      if (!v.IsUint64()) return std::string("expected non-negative integer");
      return std::nullopt;
    case RpcType::kNumber:
      if (!v.IsNumber()) return std::string("expected number");
      return std::nullopt;
    case RpcType::kBool:
      if (!v.IsBool()) return std::string("expected bool");
      return std::nullopt;
    case RpcType::kObject:
      if (!v.IsObject()) return std::string("expected object");
      return std::nullopt;
    case RpcType::kArray:
      if (!v.IsArray()) return std::string("expected array");
      return std::nullopt;
    case RpcType::kAny:
      return std::nullopt;
    case RpcType::kUintOrQuantity:
      if (v.IsUint64()) return std::nullopt;
      if (!v.IsString()) return std::string("expected non-negative integer or hex quantity");
      if (auto bad = CheckRpcType(RpcType::kHexQuantity, v)) {
        return "expected non-negative integer or hex quantity, got \"" +
               std::string(v.GetString(), std::min<size_t>(v.GetStringLength(), 80)) + "\" (" +
               *bad + ")";
      }
      return std::nullopt;
    case RpcType::kHexQuantity:
    case RpcType::kHexU256: {
      if (!v.IsString()) return std::string("expected hex quantity string");
      auto q = ParseHexQuantity(std::string_view(v.GetString(), v.GetStringLength()));
      if (!q) return "expected hex quantity (" + q.status().message() + ")";
      if (type == RpcType::kHexQuantity) {
        for (size_t i = 0; i < 24; ++i) {
          if ((*q)[i] != 0) return std::string("hex quantity exceeds 64 bits");
        }
      }
      return std::nullopt;
    }
    case RpcType::kHexData:
      return CheckHexData(v, 0);
    case RpcType::kHash:
      return CheckHexData(v, 32);
    case RpcType::kAddress:
      return CheckHexData(v, 20);
  }
  return std::string("unknown type");
}

size_t RpcRequest::Index(std::string_view name) const {
  for (size_t i = 0; i < method_.params.size(); ++i) {
    if (method_.params[i].name == name) return i;
  }
  assert(false && "RpcRequest: parameter not declared in the method table");
  std::abort();
}

const rapidjson::Value& RpcRequest::Get(std::string_view name) const {
  const rapidjson::Value* v = values_[Index(name)];
  assert(v != nullptr && "RpcRequest: optional parameter without default not given; use Has()");
  return *v;
}

std::string RpcRequest::GetString(std::string_view name) const {
  const auto& v = Get(name);
  assert(v.IsString());
  return std::string(v.GetString(), v.GetStringLength());
}

int64_t RpcRequest::GetInt(std::string_view name) const {
  const auto& v = Get(name);
  assert(v.IsInt64());
  return v.GetInt64();
}

uint64_t RpcRequest::GetUint(std::string_view name) const {
  const auto& v = Get(name);
  if (v.IsString()) {
    Hash256 q = *ParseHexQuantity(std::string_view(v.GetString(), v.GetStringLength()));
    return ReadBE64(q.data() + 24);
  }
  assert(v.IsUint64());
  return v.GetUint64();
}

double RpcRequest::GetNumber(std::string_view name) const {
  const auto& v = Get(name);
  assert(v.IsNumber());
  return v.GetDouble();
}

bool RpcRequest::GetBool(std::string_view name) const {
  const auto& v = Get(name);
  assert(v.IsBool());
  return v.GetBool();
}

Hash256 RpcRequest::GetU256(std::string_view name) const {
  const auto& v = Get(name);
  assert(v.IsString());
  return *ParseHexQuantity(std::string_view(v.GetString(), v.GetStringLength()));
}

Bytes RpcRequest::GetBytes(std::string_view name) const {
  const auto& v = Get(name);
  assert(v.IsString());
  auto b = HexDecode(std::string_view(v.GetString(), v.GetStringLength()));
  assert(b.ok());
  return std::move(b).value();
}

std::string RpcMethodSynopsis(const RpcMethod& method) {
  std::string out = method.name;
  size_t optional_open = 0;
  for (const auto& p : method.params) {
    out += ' ';
    if (!p.required) {
      out += "( ";
      ++optional_open;
    }
    std::string quote = TypeSketch(p.type);
    out += quote + p.name + quote;
  }
  for (size_t i = 0; i < optional_open; ++i) out += " )";
  return out;
}

std::string RenderRpcMethodHelp(const RpcMethod& method) {
  std::ostringstream out;
  out << RpcMethodSynopsis(method) << "\n";
  if (method.access == RpcAccess::kAdmin) out << "(admin: requires authentication)\n";
  if (method.access == RpcAccess::kDev) out << "(dev: only on a -dev node, no authentication)\n";
  out << "\n" << method.help << "\n";
  if (!method.params.empty()) {
    out << "\nArguments:\n";
    for (size_t i = 0; i < method.params.size(); ++i) {
      const auto& p = method.params[i];
      out << i + 1 << ". " << p.name << "  (" << RpcTypeName(p.type);
      if (p.required) {
        out << ", required";
      } else {
        out << ", optional";
        if (!p.default_json.empty()) out << ", default=" << p.default_json;
      }
      out << ") " << p.help << "\n";
    }
  }
  if (!method.result.empty()) out << "\nResult:\n" << method.result << "\n";
  return out.str();
}

std::string RenderRpcMarkdown(const std::vector<const RpcTable*>& tables) {
  std::ostringstream out;
  out << "# JSON-RPC reference\n\n"
      << "Generated from the method tables in src/rpc; do not edit by hand.\n\n"
      << "Public methods are served on every listener without authentication. "
      << "Admin methods need HTTP Basic auth (cookie or rpcauth) on the main port and "
      << "are not available on the public port. Dev methods (the test-node methods of "
      << "Hardhat and Anvil) exist only on a `-dev` node, answer without authentication "
      << "there and never on the public port; elsewhere they are -32601 (method not found). "
      << "docs/dev-node.md describes them.\n\n"
      << "While the node starts (loading or rebuilding its chainstate) every call is answered "
      << "with error -28 and a message saying what it is doing; `stop` works throughout.\n";
  for (const RpcTable* table : tables) {
    out << "\n## " << table->category << "\n";
    for (const auto& m : table->methods) {
      out << "\n### " << m.name << "\n\n";
      out << "`" << RpcMethodSynopsis(m) << "`"
          << (m.access == RpcAccess::kAdmin ? " — **admin**"
              : m.access == RpcAccess::kDev ? " — **dev** (only with `-dev`)"
                                            : " — public")
          << "\n\n";
      out << m.help << "\n";
      if (!m.params.empty()) {
        out << "\n| # | Name | Type | Required | Default | Description |\n"
            << "|---|------|------|----------|---------|-------------|\n";
        for (size_t i = 0; i < m.params.size(); ++i) {
          const auto& p = m.params[i];
          out << "| " << i + 1 << " | `" << p.name << "` | " << RpcTypeName(p.type) << " | "
              << (p.required ? "yes" : "no") << " | "
              << (p.default_json.empty() ? "" : "`" + p.default_json + "`") << " | " << p.help
              << " |\n";
        }
      }
      if (!m.result.empty()) out << "\n**Result:** " << m.result << "\n";
    }
  }
  return out.str();
}

}  // namespace depin

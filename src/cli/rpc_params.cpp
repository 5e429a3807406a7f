#include "cli/rpc_params.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

namespace depin::cli {

namespace {

bool IsIntegerText(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string JsonString(std::string_view s) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string ParamToJson(std::string_view word) {
  rapidjson::Document doc;
  doc.Parse(word.data(), word.size());
  if (doc.HasParseError()) return JsonString(word);
  if (doc.IsNumber() && !doc.IsInt64() && !doc.IsUint64() && IsIntegerText(word)) {
    return JsonString(word);
  }
  // Re-serialized compactly: the word may carry whitespace or newlines.
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string BuildPositionalParams(const std::vector<std::string>& words) {
  std::string out = "[";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ',';
    out += ParamToJson(words[i]);
  }
  out += ']';
  return out;
}

Result<std::string> BuildNamedParams(const std::vector<std::string>& words) {
  std::string out = "{";
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < words.size(); ++i) {
    size_t eq = words[i].find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Error("params-named-syntax",
                           "-named parameters are name=value, not \"" + words[i] + "\"");
    }
    std::string name = words[i].substr(0, eq);
    if (!seen.insert(name).second) {
      return Status::Error("params-named-duplicate", "parameter " + name + " given twice");
    }
    if (i > 0) out += ',';
    out += JsonString(name);
    out += ':';
    out += ParamToJson(std::string_view(words[i]).substr(eq + 1));
  }
  out += '}';
  return out;
}

std::string BuildRequest(std::string_view method, std::string_view params_json, uint64_t id) {
  std::string out = R"({"jsonrpc":"2.0","id":)";
  out += std::to_string(id);
  out += R"(,"method":)";
  out += JsonString(method);
  out += R"(,"params":)";
  out += params_json;
  out += '}';
  return out;
}

}  // namespace depin::cli

#include "rpc/rpc_dispatcher.h"

#include <rapidjson/error/en.h>

#include <exception>
#include <sstream>

#include "util/logging.h"

namespace depin {
namespace {

// Deeper nesting than any real request needs; refused before parsing so
// that neither the parser nor later recursive walks can exhaust the stack.
constexpr size_t kMaxJsonDepth = 64;

bool NestingTooDeep(std::string_view body) {
  size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

std::string_view View(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

bool Visible(const RpcMethod& m, const RpcCallContext& context) {
  return m.access == RpcAccess::kPublic || !context.public_port;
}

}  // namespace

struct RpcDispatcher::Entry {
  const RpcMethod* method = nullptr;
  // Parsed defaults, one per param (null Value when the param has none).
  std::vector<std::unique_ptr<rapidjson::Document>> defaults;
};

// Streams response entries; remembers whether any was written so that a
// batch of notifications yields no body.
class RpcDispatcher::Writer {
 public:
  explicit Writer(bool batch) : writer_(buffer_), batch_(batch) {
    if (batch_) writer_.StartArray();
  }

  std::string Finish() {
    if (entries_ == 0) return {};
    if (batch_) writer_.EndArray();
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

  void Error(const rapidjson::Value* id, int code, std::string_view message,
             const std::optional<std::string>& data = std::nullopt) {
    Begin(id);
    writer_.Key("error");
    writer_.StartObject();
    writer_.Key("code");
    writer_.Int(code);
    writer_.Key("message");
    writer_.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
    if (data) {
      writer_.Key("data");
      writer_.RawValue(data->data(), data->size(), rapidjson::kObjectType);
    }
    writer_.EndObject();
    writer_.EndObject();
  }

  void Result(const rapidjson::Value* id, const RpcResult& result) {
    Begin(id);
    writer_.Key("result");
    result.WriteValue(writer_);
    writer_.EndObject();
  }

 private:
  void Begin(const rapidjson::Value* id) {
    ++entries_;
    writer_.StartObject();
    writer_.Key("jsonrpc");
    writer_.String("2.0");
    writer_.Key("id");
    if (id == nullptr) {
      writer_.Null();
    } else {
      id->Accept(writer_);
    }
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
  bool batch_;
  size_t entries_ = 0;
};

RpcDispatcher::RpcDispatcher(Logger* logger) : logger_(logger) {
  RpcTable control{"control", {}};
  control.methods.push_back(RpcMethod{
      .name = "help",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("command", RpcType::kString, "",
                                    "method to describe; all methods when omitted")},
      .help = "Lists the available methods, or describes one method in detail.",
      .result = "string: the help text",
      .handler = [this](const RpcRequest& req) -> RpcResult {
        std::string command = req.Has("command") ? req.GetString("command") : std::string();
        if (!command.empty()) {
          const RpcMethod* m = FindMethod(command);
          if (m == nullptr || !Visible(*m, req.context())) {
            return RpcError::InvalidParams("unknown method: " + command);
          }
        }
        return RpcResult::String(HelpText(command, req.context()));
      },
  });
  Status s = AddTable(std::move(control));
  assert(s.ok());
  (void)s;
}

RpcDispatcher::~RpcDispatcher() = default;

Status RpcDispatcher::AddTable(RpcTable table) {
  auto owned = std::make_unique<RpcTable>(std::move(table));
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> added;
  for (const auto& m : owned->methods) {
    if (methods_.count(m.name) != 0 || added.count(m.name) != 0) {
      return Status::Error("rpc-duplicate-method", "method registered twice: " + m.name);
    }
    if (!m.handler) return Status::Error("rpc-no-handler", "method without handler: " + m.name);
    auto entry = std::make_unique<Entry>();
    entry->method = &m;
    for (const auto& p : m.params) {
      auto doc = std::make_unique<rapidjson::Document>();
      if (!p.default_json.empty()) {
        doc->Parse(p.default_json.data(), p.default_json.size());
        if (doc->HasParseError() || CheckRpcType(p.type, *doc)) {
          return Status::Error("rpc-bad-default",
                               m.name + ": bad default for " + p.name + ": " + p.default_json);
        }
      }
      entry->defaults.push_back(std::move(doc));
    }
    added.emplace(m.name, std::move(entry));
  }
  methods_.merge(added);
  tables_.push_back(std::move(owned));
  return Status::Ok();
}

std::vector<const RpcTable*> RpcDispatcher::tables() const {
  std::vector<const RpcTable*> out;
  for (const auto& t : tables_) out.push_back(t.get());
  return out;
}

const RpcMethod* RpcDispatcher::FindMethod(std::string_view name) const {
  auto it = methods_.find(name);
  return it == methods_.end() ? nullptr : it->second->method;
}

bool RpcDispatcher::RunsInline(std::string_view body) const {
  // Small single requests only: a large body or a batch may cost real time.
  constexpr size_t kMaxInlineBody = 512;
  if (body.size() > kMaxInlineBody) return false;
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  auto it = doc.FindMember("method");
  if (it == doc.MemberEnd() || !it->value.IsString()) return false;
  const RpcMethod* m =
      FindMethod(std::string_view(it->value.GetString(), it->value.GetStringLength()));
  if (m == nullptr || !m->inline_ok) return false;
  if (!m->inline_if) return true;
  auto params = doc.FindMember("params");
  return m->inline_if(params == doc.MemberEnd() ? nullptr : &params->value);
}

std::string RpcDispatcher::HelpText(std::string_view method, const RpcCallContext& context) const {
  if (!method.empty()) {
    const RpcMethod* m = FindMethod(method);
    if (m == nullptr || !Visible(*m, context)) return "unknown method: " + std::string(method);
    return RenderRpcMethodHelp(*m);
  }
  std::ostringstream out;
  bool first = true;
  for (const auto& t : tables_) {
    bool header = false;
    for (const auto& m : t->methods) {
      if (!Visible(m, context)) continue;
      if (!header) {
        out << (first ? "" : "\n") << "== " << t->category << " ==\n";
        header = true;
        first = false;
      }
      out << RpcMethodSynopsis(m)
          << (m.access == RpcAccess::kAdmin ? "  [admin]"
              : m.access == RpcAccess::kDev ? "  [dev]"
                                            : "")
          << "\n";
    }
  }
  return out.str();
}

void RpcDispatcher::SetWarmup(std::string message, std::function<void()> stop) {
  std::lock_guard<std::mutex> lock(warmup_mu_);
  warmup_ = true;
  warmup_message_ = std::move(message);
  if (stop) warmup_stop_ = std::move(stop);
}

std::string RpcDispatcher::ErrorResponse(int code, std::string_view message) {
  Writer w(/*batch=*/false);
  w.Error(nullptr, code, message);
  return w.Finish();
}

std::string RpcDispatcher::Dispatch(std::string_view body, const RpcCallContext& context,
                                    size_t max_batch) const {
  if (NestingTooDeep(body)) return ErrorResponse(kRpcParseError, "Parse error: nesting too deep");
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.data(),
                                                                                    body.size());
  if (doc.HasParseError()) {
    std::string msg = "Parse error: ";
    msg += rapidjson::GetParseError_En(doc.GetParseError());
    msg += " at offset " + std::to_string(doc.GetErrorOffset());
    return ErrorResponse(kRpcParseError, msg);
  }
  if (!doc.IsArray()) {
    Writer w(/*batch=*/false);
    DispatchOne(doc, context, w);
    return w.Finish();
  }
  if (doc.Empty()) return ErrorResponse(kRpcInvalidRequest, "Invalid Request: empty batch");
  if (doc.Size() > max_batch) {
    return ErrorResponse(kRpcInvalidRequest,
                         "Invalid Request: batch of " + std::to_string(doc.Size()) +
                             " exceeds the limit of " + std::to_string(max_batch));
  }
  Writer w(/*batch=*/true);
  for (const auto& request : doc.GetArray()) DispatchOne(request, context, w);
  return w.Finish();
}

void RpcDispatcher::DispatchOne(const rapidjson::Value& request, const RpcCallContext& context,
                                Writer& out) const {
  if (!request.IsObject()) {
    out.Error(nullptr, kRpcInvalidRequest, "Invalid Request: not an object");
    return;
  }
  const rapidjson::Value* id = nullptr;
  auto id_it = request.FindMember("id");
  if (id_it != request.MemberEnd()) {
    id = &id_it->value;
    if (!id->IsString() && !id->IsNumber() && !id->IsNull()) {
      out.Error(nullptr, kRpcInvalidRequest,
                "Invalid Request: id must be a string, number or null");
      return;
    }
  }
  // Every entry of a batch is a request: each costs a token, so a batch
  // cannot carry a thousand calls past the rate limit.
  if (!context.Charge(1.0)) {
    if (id != nullptr) out.Error(id, kRpcLimitExceeded, "rate limit exceeded");
    return;
  }
  auto version = request.FindMember("jsonrpc");
  if (version == request.MemberEnd() || !version->value.IsString() ||
      View(version->value) != "2.0") {
    out.Error(id, kRpcInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"");
    return;
  }
  auto method_it = request.FindMember("method");
  if (method_it == request.MemberEnd() || !method_it->value.IsString()) {
    out.Error(id, kRpcInvalidRequest, "Invalid Request: method must be a string");
    return;
  }
  const rapidjson::Value* params = nullptr;
  auto params_it = request.FindMember("params");
  if (params_it != request.MemberEnd()) {
    params = &params_it->value;
    if (!params->IsArray() && !params->IsObject()) {
      out.Error(id, kRpcInvalidRequest, "Invalid Request: params must be an array or an object");
      return;
    }
  }
  const bool notification = id == nullptr;
  std::string_view name = View(method_it->value);

  {
    std::unique_lock<std::mutex> lock(warmup_mu_);
    if (warmup_) {
      if (name == "stop" && warmup_stop_ && !context.public_port && context.authenticated) {
        const std::function<void()> stop = warmup_stop_;
        lock.unlock();
        stop();
        if (!notification) out.Result(id, RpcResult::String("depind stopping"));
        return;
      }
      if (!notification) out.Error(id, kRpcInWarmup, warmup_message_);
      return;
    }
  }

  auto found = methods_.find(name);
  if (found == methods_.end()) {
    if (!notification) out.Error(id, kRpcMethodNotFound, "Method not found: " + std::string(name));
    return;
  }
  const Entry& entry = *found->second;
  const RpcMethod& method = *entry.method;
  LogDebug(logger_, LogCategory::kRpc, "call {} from {}{}", method.name, context.remote_address,
           context.session ? " (websocket)" : "");
  if (method.access == RpcAccess::kDev && context.public_port) {
    if (!notification) {
      out.Error(id, kRpcMethodNotFound,
                "Method not found: " + method.name + " is not available on the public port");
    }
    return;
  }
  if (method.access == RpcAccess::kAdmin) {
    if (context.public_port) {
      if (!notification) {
        out.Error(id, kRpcMethodNotFound,
                  "Method not found: " + method.name + " is not available on the public port");
      }
      return;
    }
    if (!context.authenticated) {
      if (!notification) {
        out.Error(id, kRpcUnauthorized,
                  "Unauthorized: " + method.name + " requires authentication");
      }
      return;
    }
  }

  std::vector<const rapidjson::Value*> values(method.params.size(), nullptr);
  if (!method.raw_params && params != nullptr) {
    if (params->IsArray()) {
      if (params->Size() > method.params.size()) {
        if (!notification) {
          out.Error(id, kRpcInvalidParams,
                    "Invalid params: " + method.name + " takes at most " +
                        std::to_string(method.params.size()) + " parameters, got " +
                        std::to_string(params->Size()));
        }
        return;
      }
      for (rapidjson::SizeType i = 0; i < params->Size(); ++i) {
        if (!(*params)[i].IsNull()) values[i] = &(*params)[i];
      }
    } else {
      for (const auto& member : params->GetObject()) {
        std::string_view key = View(member.name);
        size_t index = method.params.size();
        for (size_t i = 0; i < method.params.size(); ++i) {
          if (method.params[i].name == key) index = i;
        }
        if (index == method.params.size()) {
          if (!notification) {
            out.Error(
                id, kRpcInvalidParams,
                "Invalid params: unknown parameter '" + std::string(key) + "' for " + method.name);
          }
          return;
        }
        if (!member.value.IsNull()) values[index] = &member.value;
      }
    }
  }
  if (!method.raw_params) {
    for (size_t i = 0; i < method.params.size(); ++i) {
      const RpcParam& p = method.params[i];
      std::string where = "'" + p.name + "' (position " + std::to_string(i + 1) + ")";
      if (values[i] == nullptr) {
        if (p.required) {
          if (!notification) {
            out.Error(id, kRpcInvalidParams, "Invalid params: missing required parameter " + where);
          }
          return;
        }
        if (!p.default_json.empty()) values[i] = entry.defaults[i].get();
        continue;
      }
      if (auto why = CheckRpcType(p.type, *values[i])) {
        if (!notification) {
          out.Error(id, kRpcInvalidParams, "Invalid params: parameter " + where + ": " + *why);
        }
        return;
      }
    }
  }

  RpcRequest call(method, context, params, std::move(values));
  std::optional<RpcResult> result;
  const auto started = std::chrono::steady_clock::now();
  try {
    result.emplace(method.handler(call));
  } catch (const std::exception& e) {
    LogError(logger_, LogCategory::kRpc, "handler {} threw: {}", method.name, e.what());
    result.emplace(RpcError::Internal("internal error"));
  } catch (...) {
    LogError(logger_, LogCategory::kRpc, "handler {} threw a non-std exception", method.name);
    result.emplace(RpcError::Internal("internal error"));
  }
  if (observer_) observer_(method.name, std::chrono::steady_clock::now() - started, result->ok());
  if (notification) return;
  if (result->ok()) {
    out.Result(id, *result);
  } else {
    const RpcError& e = result->error();
    out.Error(id, e.code, e.message, e.data_json);
  }
}

}  // namespace depin

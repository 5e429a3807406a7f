// All Boost.Beast code of depin-cli lives in this translation unit.
#include "cli/rpc_client.h"

// GCC 12 reports a "potential null pointer dereference" inside Asio's
// scheduler after inlining (boost/asio/detail/impl/scheduler.ipp); it is
// emitted at optimisation time, so it cannot be scoped to the includes.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "cli/rpc_params.h"
#include "cli/tx_options.h"

#include <cctype>

namespace depin::cli {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string Endpoint(const RpcClientOptions& o) { return o.host + ":" + std::to_string(o.port); }

Status ConnectError(const RpcClientOptions& o) {
  return Status::Error(StatusKind::kUnavailable, "rpc-connect",
                       "Could not connect to the server " + Endpoint(o) + " (is depind running?)");
}

Status TimeoutError(const RpcClientOptions& o) {
  return Status::Error(StatusKind::kTimeout, "rpc-timeout",
                       "no response from " + Endpoint(o) + " within " +
                           std::to_string(o.timeout.count()) + " s (see -rpcclienttimeout)");
}

}  // namespace

std::string Base64Encode(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&data](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(data[k])); };
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = byte(i) << 16;
    if (rest == 2) v |= byte(i + 1) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<HttpResponse> SendHttp(const HttpEndpoint& to, const HttpRequestSpec& spec) {
  const RpcClientOptions o{
      .host = to.host, .port = to.port, .credentials = "", .timeout = to.timeout};
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::string_body> req(http::string_to_verb(spec.method), spec.target, 11);
  req.set(http::field::host, to.host);
  req.set(http::field::user_agent, "depin-cli");
  for (const auto& [name, value] : spec.headers) req.set(name, value);
  req.keep_alive(false);
  req.body() = spec.body;
  if (spec.method != "GET" && spec.method != "HEAD") req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(spec.max_response_bytes);
  if (spec.method == "HEAD") parser.skip(true);

  HttpResponse response;
  Status result = Status::Error("rpc-bad-response", "no response");
  // One deadline for the whole exchange: set once, before connecting.
  if (o.timeout.count() > 0) {
    stream.expires_after(o.timeout);
  } else {
    stream.expires_never();
  }
  resolver.async_resolve(
      o.host, std::to_string(o.port), [&](error_code ec, tcp::resolver::results_type endpoints) {
        if (ec) {
          result = ConnectError(o);
          return;
        }
        stream.async_connect(endpoints, [&](error_code cec, const tcp::endpoint&) {
          if (cec) {
            result = cec == beast::error::timeout ? TimeoutError(o) : ConnectError(o);
            return;
          }
          http::async_write(stream, req, [&](error_code wec, size_t) {
            if (wec) {
              result =
                  wec == beast::error::timeout
                      ? TimeoutError(o)
                      : Status::Error(StatusKind::kUnavailable, "rpc-connect",
                                      "connection to " + Endpoint(o) + " lost: " + wec.message());
              return;
            }
            http::async_read(stream, buffer, parser, [&](error_code rec, size_t) {
              if (rec) {
                result = rec == beast::error::timeout
                             ? TimeoutError(o)
                             : Status::Error("rpc-bad-response", "reading the response from " +
                                                                     Endpoint(o) +
                                                                     " failed: " + rec.message());
                return;
              }
              response.status = parser.get().result_int();
              for (const auto& field : parser.get()) {
                std::string name(field.name_string());
                for (char& c : name)
                  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                response.headers.emplace_back(std::move(name), std::string(field.value()));
              }
              response.body = std::move(parser.get().body());
              result = Status::Ok();
            });
          });
        });
      });
  ioc.run();
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  if (!result.ok()) return result;
  return response;
}

Result<HttpUri> ParseHttpUri(const std::string& uri) {
  constexpr std::string_view kScheme = "http://";
  if (uri.compare(0, kScheme.size(), kScheme) != 0) {
    return Status::Error("cli-bad-uri", "the provider's URI " + uri +
                                            " is not an http:// URI (depin-cli speaks plain HTTP)");
  }
  const std::string rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HttpUri out;
  out.base = slash == std::string::npos ? "/" : rest.substr(slash);
  if (out.base.back() != '/') out.base += '/';
  const size_t colon = authority.rfind(':');
  std::string host = authority;
  uint16_t port = 80;
  if (colon != std::string::npos && authority.find(']', colon) == std::string::npos) {
    host = authority.substr(0, colon);
    auto p = ParseUint64Option("provider URI port", authority.substr(colon + 1));
    if (!p || *p == 0 || *p > 65535) {
      return Status::Error("cli-bad-uri", "the provider's URI " + uri + " has a bad port");
    }
    port = static_cast<uint16_t>(*p);
  }
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty())
    return Status::Error("cli-bad-uri", "the provider's URI " + uri + " has no host");
  out.endpoint = HttpEndpoint{host, port, std::chrono::seconds(300)};
  return out;
}

Status RpcClient::Post(const std::string& body, unsigned* http_status, std::string* response_body) {
  HttpRequestSpec spec;
  spec.method = "POST";
  spec.target = "/";
  spec.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!options_.credentials.empty()) {
    spec.headers.emplace_back("Authorization", "Basic " + Base64Encode(options_.credentials));
  }
  spec.body = body;
  spec.max_response_bytes = 256 * 1024 * 1024;
  auto response = SendHttp({options_.host, options_.port, options_.timeout}, spec);
  if (!response) return response.status();
  *http_status = response->status;
  *response_body = std::move(response->body);
  return Status::Ok();
}

Result<RpcResponse> RpcClient::Call(std::string_view method, std::string_view params_json) {
  std::string body = BuildRequest(method, params_json, next_id_++);
  unsigned http_status = 0;
  std::string response_body;
  DEPIN_RETURN_IF_ERROR(Post(body, &http_status, &response_body));
  if (http_status == 401) {
    return Status::Error(StatusKind::kPermissionDenied, "rpc-auth",
                         "Authorization failed: Incorrect rpcuser or rpcpassword");
  }
  RpcResponse response;
  rapidjson::Document doc;
  doc.Parse(response_body.data(), response_body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    if (http_status != 200) {
      std::string text = response_body;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      return Status::Error("rpc-http", "server returned HTTP " + std::to_string(http_status) +
                                           (text.empty() ? "" : ": " + text));
    }
    return Status::Error("rpc-bad-response", "the server's response is not a JSON-RPC object");
  }
  auto error = doc.FindMember("error");
  if (error != doc.MemberEnd() && !error->value.IsNull()) {
    response.is_error = true;
    if (error->value.IsObject()) {
      auto code = error->value.FindMember("code");
      if (code != error->value.MemberEnd() && code->value.IsInt()) {
        response.error_code = code->value.GetInt();
      }
      auto message = error->value.FindMember("message");
      if (message != error->value.MemberEnd() && message->value.IsString()) {
        response.error_message = message->value.GetString();
      }
    }
    response.result.SetNull();
    return response;
  }
  auto result = doc.FindMember("result");
  if (result == doc.MemberEnd()) {
    return Status::Error("rpc-bad-response", "the response has neither result nor error");
  }
  response.result.CopyFrom(result->value, response.result.GetAllocator());
  return response;
}

Result<rapidjson::Document> RpcClient::CallResult(std::string_view method,
                                                  std::string_view params_json) {
  auto reply = Call(method, params_json);
  if (!reply) return reply.status();
  if (reply->is_error) {
    return Status::Error("rpc-error", std::string(method) + ": " + reply->error_message +
                                          " (code " + std::to_string(reply->error_code) + ")");
  }
  return std::move(reply->result);
}

}  // namespace depin::cli

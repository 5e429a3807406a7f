// End-to-end tests of RpcServer over real loopback sockets: HTTP and
// WebSocket clients built on Boost.Beast talk to a server bound to port 0.
#include "rpc/http_server.h"

// See src/rpc/http_server.cpp: GCC 12 warns inside Asio after inlining.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <atomic>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <thread>

#include "rpc/auth.h"
#include "rpc/rpc_dispatcher.h"

namespace depin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Lets a test hold a handler inside the worker pool.
struct Gate {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
};

struct SessionCapture {
  std::promise<std::shared_ptr<RpcSession>> session;
};

RpcTable ServerTestTable(Gate* gate, SessionCapture* capture) {
  RpcTable t{"test", {}};
  t.methods.push_back(RpcMethod{.name = "echo",
                                .access = RpcAccess::kPublic,
                                .params = {RpcParam::Required("value", RpcType::kAny, "anything")},
                                .help = "Returns its argument.",
                                .result = "",
                                .handler = [](const RpcRequest& req) -> RpcResult {
                                  rapidjson::Document d;
                                  d.CopyFrom(req.Get("value"), d.GetAllocator());
                                  return RpcResult(std::move(d));
                                }});
  t.methods.push_back(RpcMethod{.name = "add",
                                .access = RpcAccess::kPublic,
                                .params = {RpcParam::Required("a", RpcType::kInteger, ""),
                                           RpcParam::Optional("b", RpcType::kInteger, "10", "")},
                                .help = "Adds.",
                                .result = "",
                                .handler = [](const RpcRequest& req) -> RpcResult {
                                  return RpcResult::Int(req.GetInt("a") + req.GetInt("b"));
                                }});
  t.methods.push_back(RpcMethod{
      .name = "whoami",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Reports the caller context.",
      .result = "",
      .handler = [](const RpcRequest& req) -> RpcResult {
        rapidjson::Document d(rapidjson::kObjectType);
        auto& a = d.GetAllocator();
        d.AddMember("authenticated", req.context().authenticated, a);
        d.AddMember("public_port", req.context().public_port, a);
        d.AddMember("remote", rapidjson::Value(req.context().remote_address.c_str(), a), a);
        d.AddMember("websocket", req.context().session != nullptr, a);
        return RpcResult(std::move(d));
      }});
  t.methods.push_back(
      RpcMethod{.name = "revert",
                .access = RpcAccess::kPublic,
                .params = {},
                .help = "Fails like eth_call.",
                .result = "",
                .handler = [](const RpcRequest&) -> RpcResult {
                  return RpcError{kRpcExecutionReverted, "execution reverted", "\"0xdead\""};
                }});
  t.methods.push_back(RpcMethod{
      .name = "throws",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Throws.",
      .result = "",
      .handler = [](const RpcRequest&) -> RpcResult { throw std::runtime_error("boom"); }});
  t.methods.push_back(
      RpcMethod{.name = "tip",
                .access = RpcAccess::kPublic,
                .params = {},
                .help = "An O(1) read the server may run on its I/O thread.",
                .result = "",
                .handler = [](const RpcRequest&) -> RpcResult { return RpcResult::Uint(42); },
                .inline_ok = true});
  t.methods.push_back(RpcMethod{.name = "block",
                                .access = RpcAccess::kPublic,
                                .params = {},
                                .help = "Waits for the test to open the gate.",
                                .result = "",
                                .handler = [gate](const RpcRequest&) -> RpcResult {
                                  gate->entered.set_value();
                                  gate->released.wait();
                                  return RpcResult::String("released");
                                }});
  t.methods.push_back(RpcMethod{.name = "subscribe",
                                .access = RpcAccess::kPublic,
                                .params = {},
                                .help = "Hands the websocket session to the test.",
                                .result = "",
                                .handler = [capture](const RpcRequest& req) -> RpcResult {
                                  if (!req.context().session)
                                    return RpcError::Server("websocket only");
                                  capture->session.set_value(req.context().session);
                                  return RpcResult::String("0x1");
                                }});
  t.methods.push_back(RpcMethod{
      .name = "stop",
      .access = RpcAccess::kAdmin,
      .params = {},
      .help = "Admin method.",
      .result = "",
      .handler = [](const RpcRequest&) -> RpcResult { return RpcResult::String("stopping"); }});
  return t;
}

struct Reply {
  unsigned status = 0;
  std::string body;
  http::fields headers;
  bool keep_alive = false;
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  Reply Post(const std::string& body, const std::string& authorization = "",
             const std::string& content_type = "application/json") {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "127.0.0.1");
    if (!content_type.empty()) req.set(http::field::content_type, content_type);
    if (!authorization.empty()) req.set(http::field::authorization, authorization);
    req.body() = body;
    req.prepare_payload();
    return Send(req);
  }

  Reply Send(http::request<http::string_body>& req) {
    http::write(socket_, req);
    return Read();
  }

  Reply Read() {
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    Reply r;
    r.status = res.result_int();
    r.body = res.body();
    r.headers = res.base();
    r.keep_alive = res.keep_alive();
    return r;
  }

  void WriteRaw(std::string_view bytes) {
    net::write(socket_, net::buffer(bytes.data(), bytes.size()));
  }

  // Blocks until the server closes the connection; true if it did so
  // without sending anything.
  bool WaitForClose() {
    char c;
    boost::system::error_code ec;
    size_t n = socket_.read_some(net::buffer(&c, 1), ec);
    return n == 0 && ec;
  }

  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

class WsClient {
 public:
  explicit WsClient(uint16_t port, const std::string& authorization = "") : ws_(ioc_) {
    ws_.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([authorization](websocket::request_type& req) {
      if (!authorization.empty()) req.set(http::field::authorization, authorization);
    }));
    ws_.handshake("127.0.0.1", "/");
  }
  void Send(const std::string& text) { ws_.write(net::buffer(text)); }
  std::string Read() {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    return beast::buffers_to_string(buffer.data());
  }
  void Close() { ws_.close(websocket::close_code::normal); }
  websocket::stream<tcp::socket>& ws() { return ws_; }

 private:
  net::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
};

rapidjson::Document Json(const std::string& s) {
  rapidjson::Document d;
  d.Parse(s.data(), s.size());
  EXPECT_FALSE(d.HasParseError()) << s;
  return d;
}

int ErrorCodeOf(const std::string& body) {
  auto d = Json(body);
  if (!d.IsObject() || !d.HasMember("error")) return 0;
  return d["error"]["code"].GetInt();
}

std::string Call(const std::string& method, const std::string& params = "[]", int id = 1) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method +
         R"(","params":)" + params + "}";
}

class RpcServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("depin_rpc_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    ASSERT_TRUE(dispatcher_.AddTable(ServerTestTable(&gate_, &capture_)).ok());
  }
  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  RpcServerOptions Options() {
    RpcServerOptions o;
    o.bind_addresses = {"127.0.0.1"};
    o.port = 0;
    o.public_bind_addresses = {"127.0.0.1"};
    o.threads = 2;
    o.read_timeout = 10s;
    o.write_timeout = 10s;
    o.auth_failure_delay = 100ms;
    o.cookie_dir = dir_;
    o.rpcauth = {
        "alice:cb77f0957de88ff388cf817ddbc7273$"
        "643441f3b505f7761662443d439265df618d1cc4303203497cb48b83ed46338d"};
    return o;
  }

  void StartServer(RpcServerOptions o) {
    server_ = std::make_unique<RpcServer>(std::move(o), dispatcher_, nullptr);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  std::string CookieAuth() { return "Basic " + Base64Encode(server_->cookie()); }

  std::filesystem::path dir_;
  Gate gate_;
  SessionCapture capture_;
  RpcDispatcher dispatcher_;
  std::unique_ptr<RpcServer> server_;
};

TEST_F(RpcServerTest, SingleCallOverHttp) {
  StartServer(Options());
  HttpClient c(server_->port());
  Reply r = c.Post(Call("add", "[2,3]"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers[http::field::content_type], "application/json");
  auto d = Json(r.body);
  EXPECT_EQ(d["result"].GetInt(), 5);
  EXPECT_EQ(d["id"].GetInt(), 1);
}

// depind starts the server on a warm-up dispatcher and switches once its
// chainstate is loaded; a connection opened before the switch is served by
// the new dispatcher after it.
TEST_F(RpcServerTest, SwitchesFromTheWarmupDispatcher) {
  RpcDispatcher warmup;
  warmup.SetWarmup("node is starting: test");
  server_ = std::make_unique<RpcServer>(Options(), warmup, nullptr);
  ASSERT_TRUE(server_->Start().ok());
  HttpClient c(server_->port());
  auto before = Json(c.Post(Call("add", "[2,3]")).body);
  EXPECT_EQ(before["error"]["code"].GetInt(), kRpcInWarmup);
  EXPECT_STREQ(before["error"]["message"].GetString(), "node is starting: test");
  server_->SetDispatcher(dispatcher_);
  auto after = Json(c.Post(Call("add", "[2,3]")).body);
  EXPECT_EQ(after["result"].GetInt(), 5);
  server_->Stop();  // before `warmup` goes
}

TEST_F(RpcServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  StartServer(Options());
  HttpClient c(server_->port());
  for (int i = 0; i < 20; ++i) {
    Reply r = c.Post(Call("add", "[" + std::to_string(i) + ",1]", i));
    ASSERT_EQ(r.status, 200u);
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(Json(r.body)["result"].GetInt(), i + 1);
  }
  EXPECT_EQ(server_->open_connections(), 1u);
}

TEST_F(RpcServerTest, BatchOf150AndNotifications) {
  StartServer(Options());
  HttpClient c(server_->port());
  std::string body = "[";
  for (int i = 0; i < 150; ++i) body += Call("add", "{\"a\":" + std::to_string(i) + "}", i) + ",";
  body += R"({"jsonrpc":"2.0","method":"add","params":[1]}])";
  Reply r = c.Post(body);
  ASSERT_EQ(r.status, 200u);
  auto d = Json(r.body);
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 150u);
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(d[i]["id"].GetInt(), i);
    EXPECT_EQ(d[i]["result"].GetInt(), i + 10);
  }
  // Only notifications: 204 and no body, connection stays usable.
  r = c.Post(R"({"jsonrpc":"2.0","method":"add","params":[1]})");
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(r.body, "");
  r = c.Post(R"([{"jsonrpc":"2.0","method":"add","params":[1]}])");
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(c.Post(Call("add", "[1]")).status, 200u);
}

TEST_F(RpcServerTest, ErrorCodesOverTheWire) {
  StartServer(Options());
  HttpClient c(server_->port());
  struct Case {
    std::string body;
    int code;
  } cases[] = {
      {"{not json", kRpcParseError},
      {"", kRpcParseError},
      {"[]", kRpcInvalidRequest},
      {"42", kRpcInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1})", kRpcInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1,"method":1})", kRpcInvalidRequest},
      {R"({"jsonrpc":"1.0","id":1,"method":"add","params":[1]})", kRpcInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":1})", kRpcInvalidRequest},
      {R"({"jsonrpc":"2.0","id":[],"method":"add","params":[1]})", kRpcInvalidRequest},
      {Call("nosuchmethod"), kRpcMethodNotFound},
      {Call("add", "[\"one\"]"), kRpcInvalidParams},
      {Call("add", "[1,2,3]"), kRpcInvalidParams},
      {Call("add", "[]"), kRpcInvalidParams},
      {Call("add", "{\"x\":1}"), kRpcInvalidParams},
      {Call("throws"), kRpcInternalError},
      {Call("revert"), kRpcExecutionReverted},
      {Call("stop"), kRpcUnauthorized},
  };
  for (const auto& tc : cases) {
    Reply r = c.Post(tc.body);
    ASSERT_EQ(r.status, 200u) << tc.body;
    EXPECT_EQ(ErrorCodeOf(r.body), tc.code) << tc.body << " -> " << r.body;
  }
  auto d = Json(c.Post(Call("revert")).body);
  EXPECT_STREQ(d["error"]["data"].GetString(), "0xdead");
}

TEST_F(RpcServerTest, HttpLevelRejections) {
  auto o = Options();
  o.max_body_bytes = 1024;
  o.max_header_bytes = 1024;
  StartServer(o);
  {
    HttpClient c(server_->port());
    http::request<http::string_body> req{http::verb::get, "/", 11};
    req.set(http::field::host, "localhost");
    Reply r = c.Send(req);
    EXPECT_EQ(r.status, 405u);
    EXPECT_EQ(r.headers[http::field::allow], "POST");
  }
  {
    HttpClient c(server_->port());
    http::request<http::string_body> req{http::verb::post, "/other", 11};
    req.set(http::field::content_type, "application/json");
    req.body() = Call("add", "[1]");
    req.prepare_payload();
    EXPECT_EQ(c.Send(req).status, 404u);
  }
  {
    HttpClient c(server_->port());
    EXPECT_EQ(c.Post(Call("add", "[1]"), "", "text/plain").status, 415u);
  }
  {
    // Charset parameters and a missing Content-Type are fine.
    HttpClient c(server_->port());
    EXPECT_EQ(c.Post(Call("add", "[1]"), "", "application/json; charset=utf-8").status, 200u);
    EXPECT_EQ(c.Post(Call("add", "[1]"), "", "").status, 200u);
  }
  {
    // Oversized body: refused from the Content-Length alone.
    HttpClient c(server_->port());
    c.WriteRaw(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: 4096\r\n\r\n");
    Reply r = c.Read();
    EXPECT_EQ(r.status, 413u);
    EXPECT_FALSE(r.keep_alive);
  }
  {
    HttpClient c(server_->port());
    EXPECT_EQ(c.Post("[" + std::string(2000, ' ') + "]").status, 413u);
  }
  {
    HttpClient c(server_->port());
    c.WriteRaw("POST / HTTP/1.1\r\nHost: localhost\r\nX-Junk: " + std::string(2000, 'a') +
               "\r\n\r\n");
    EXPECT_EQ(c.Read().status, 431u);
  }
  {
    HttpClient c(server_->port());
    c.WriteRaw("GARBAGE\r\n\r\n");
    EXPECT_EQ(c.Read().status, 400u);
  }
  {
    // Expect: 100-continue gets an interim response before the body is sent.
    HttpClient c(server_->port());
    std::string body = Call("add", "[41,1]");
    c.WriteRaw(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Expect: 100-continue\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n");
    EXPECT_EQ(c.Read().status, 100u);
    c.WriteRaw(body);
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(Json(r.body)["result"].GetInt(), 42);
  }
}

// A listener without JSON-RPC (the -metrics one): its routes and nothing else.
Reply Get(uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  HttpClient c(port);
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "metrics.example:9645");
  if (verb == http::verb::post) {
    req.set(http::field::content_type, "application/json");
    req.body() = Call("add", "[1,2]");
  }
  req.prepare_payload();
  return c.Send(req);
}

TEST_F(RpcServerTest, ListenerWithoutJsonRpcServesOnlyItsRoutes) {
  auto o = Options();
  o.json_rpc = false;
  StartServer(o);
  HttpRoutes routes;
  routes.push_back(
      {.prefix = "/metrics",
       .methods = {"GET"},
       .max_body_bytes = 0,
       .handler = [](const HttpRequest& r) { return HttpReply::Text(200, "up 1 " + r.path); }});
  server_->SetRoutes(std::make_shared<const HttpRoutes>(std::move(routes)));
  Reply metrics = Get(server_->port(), "/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.body, "up 1 /metrics\n");
  // No JSON-RPC, no websocket upgrade, no other path.
  EXPECT_EQ(Get(server_->port(), "/", http::verb::post).status, 404u);
  EXPECT_EQ(Get(server_->port(), "/").status, 404u);
  EXPECT_EQ(Get(server_->port(), "/other").status, 404u);
  Reply post = Get(server_->port(), "/metrics", http::verb::post);
  EXPECT_EQ(post.status, 405u);
  EXPECT_EQ(post.headers[http::field::allow], "GET");
}

TEST_F(RpcServerTest, FullWorkQueueAnswers503AtOnce) {
  auto o = Options();
  o.threads = 1;
  o.work_queue_depth = 1;
  StartServer(o);
  HttpClient busy(server_->port());
  HttpClient queued(server_->port());
  HttpClient refused(server_->port());

  std::string block = Call("block");
  busy.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(block.size()) + "\r\n\r\n" + block);
  gate_.entered.get_future().wait();  // the only worker is now held
  std::string add = Call("add", "[1]");
  queued.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(add.size()) + "\r\n\r\n" + add);
  while (server_->queued_requests() < 1) std::this_thread::yield();

  Reply r = refused.Post(Call("add", "[2]"));
  EXPECT_EQ(r.status, 503u);
  // The refused connection stays usable.
  gate_.release.set_value();
  Reply b = busy.Read();
  EXPECT_EQ(b.status, 200u);
  EXPECT_STREQ(Json(b.body)["result"].GetString(), "released");
  EXPECT_EQ(Json(queued.Read().body)["result"].GetInt(), 11);
  EXPECT_EQ(Json(refused.Post(Call("add", "[2]")).body)["result"].GetInt(), 12);
}

TEST_F(RpcServerTest, InlineMethodsAnswerWhileEveryWorkerIsBusy) {
  auto o = Options();
  o.threads = 1;
  o.work_queue_depth = 1;
  StartServer(o);
  HttpClient busy(server_->port());
  HttpClient other(server_->port());
  std::string block = Call("block");
  busy.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(block.size()) + "\r\n\r\n" + block);
  gate_.entered.get_future().wait();  // the only worker is held
  // An inline_ok method runs on the I/O thread: answered, not queued.
  Reply r = other.Post(Call("tip"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(Json(r.body)["result"].GetUint(), 42u);
  EXPECT_EQ(server_->queued_requests(), 0u);
  // A notification to it gets no body, as on the worker path.
  EXPECT_EQ(other.Post(R"({"jsonrpc":"2.0","method":"tip"})").status, 204u);
  // A batch is never inline: it waits for the worker.
  EXPECT_TRUE(dispatcher_.RunsInline(R"({"jsonrpc":"2.0","id":1,"method":"tip"})"));
  EXPECT_FALSE(dispatcher_.RunsInline(R"([{"jsonrpc":"2.0","id":1,"method":"tip"}])"));
  EXPECT_FALSE(dispatcher_.RunsInline(R"({"jsonrpc":"2.0","id":1,"method":"add"})"));
  gate_.release.set_value();
  EXPECT_EQ(busy.Read().status, 200u);
}

TEST_F(RpcServerTest, SlowAndIdleClientsAreClosed) {
  auto o = Options();
  o.read_timeout = 200ms;
  StartServer(o);
  // Slowloris: a request that never completes.
  HttpClient slow(server_->port());
  slow.WriteRaw("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"");
  // Idle keep-alive connection after one good request.
  HttpClient idle(server_->port());
  EXPECT_EQ(idle.Post(Call("add", "[1]")).status, 200u);
  // Half-open: connected, nothing sent.
  HttpClient silent(server_->port());
  EXPECT_TRUE(slow.WaitForClose());
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_TRUE(silent.WaitForClose());
}

TEST_F(RpcServerTest, WrongCredentialsGet401AfterDelayWithoutBlockingOthers) {
  auto o = Options();
  o.io_threads = 1;
  o.auth_failure_delay = 500ms;
  StartServer(o);
  HttpClient bad(server_->port());
  auto start = std::chrono::steady_clock::now();
  std::string body = Call("stop");
  bad.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Authorization: Basic " +
      Base64Encode("alice:wrong") + "\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body);
  // Another client is served while the failed login waits.
  HttpClient good(server_->port());
  EXPECT_EQ(Json(good.Post(Call("stop"), CookieAuth()).body)["result"].GetString(),
            std::string("stopping"));
  EXPECT_EQ(bad.socket().available(), 0u);
  Reply r = bad.Read();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 401u);
  EXPECT_GE(elapsed, 500ms);
  EXPECT_EQ(r.headers[http::field::www_authenticate], "Basic realm=\"jsonrpc\"");
  // The same answer whichever part was wrong.
  for (const std::string& cred :
       {Base64Encode("mallory:hunter2"), Base64Encode("__cookie__:" + std::string(64, 'a')),
        std::string("not-base64!")}) {
    HttpClient c(server_->port());
    Reply rr = c.Post(Call("add", "[1]"), "Basic " + cred);
    EXPECT_EQ(rr.status, 401u);
    EXPECT_EQ(rr.body, r.body);
  }
}

TEST_F(RpcServerTest, AdminNeedsCookieOrRpcauth) {
  StartServer(Options());
  // Cookie file: 0600 with the server's cookie.
  auto cookie_path = dir_ / ".cookie";
  std::ifstream in(cookie_path);
  std::string cookie;
  std::getline(in, cookie);
  EXPECT_EQ(cookie, server_->cookie());
  EXPECT_EQ(std::filesystem::status(cookie_path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  HttpClient c(server_->port());
  EXPECT_EQ(ErrorCodeOf(c.Post(Call("stop")).body), kRpcUnauthorized);
  auto d = Json(c.Post(Call("stop"), "Basic " + Base64Encode(cookie)).body);
  EXPECT_STREQ(d["result"].GetString(), "stopping");
  d = Json(c.Post(Call("stop"), "Basic " + Base64Encode("alice:hunter2")).body);
  EXPECT_STREQ(d["result"].GetString(), "stopping");
  // Public methods need no credentials but see them when given.
  d = Json(c.Post(Call("whoami")).body);
  EXPECT_FALSE(d["result"]["authenticated"].GetBool());
  EXPECT_STREQ(d["result"]["remote"].GetString(), "127.0.0.1");
  d = Json(c.Post(Call("whoami"), "Basic " + Base64Encode(cookie)).body);
  EXPECT_TRUE(d["result"]["authenticated"].GetBool());

  server_->Stop();
  EXPECT_FALSE(std::filesystem::exists(cookie_path));
}

TEST_F(RpcServerTest, PublicPortRefusesAdminAndRateLimits) {
  auto o = Options();
  o.public_port = 0;
  o.public_rate_per_second = 0.001;
  o.public_rate_burst = 3;
  StartServer(o);
  ASSERT_TRUE(server_->public_port().has_value());
  ASSERT_NE(*server_->public_port(), server_->port());
  HttpClient c(*server_->public_port());
  // Even valid admin credentials do not unlock admin methods here.
  Reply r = c.Post(Call("stop"), CookieAuth());
  auto d = Json(r.body);
  EXPECT_EQ(d["error"]["code"].GetInt(), kRpcMethodNotFound);
  EXPECT_NE(std::string(d["error"]["message"].GetString()).find("public port"), std::string::npos);
  d = Json(c.Post(Call("whoami")).body);
  EXPECT_TRUE(d["result"]["public_port"].GetBool());
  EXPECT_FALSE(d["result"]["authenticated"].GetBool());
  EXPECT_EQ(c.Post(Call("add", "[1]")).status, 200u);
  // Burst of 3 spent.
  EXPECT_EQ(c.Post(Call("add", "[1]")).status, 429u);
  HttpClient c2(*server_->public_port());
  EXPECT_EQ(c2.Post(Call("add", "[1]")).status, 429u);
  // The main port has no rate limit.
  HttpClient m(server_->port());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(m.Post(Call("add", "[1]")).status, 200u);
}

TEST_F(RpcServerTest, AllowListRejectsOtherAddresses) {
  auto o = Options();
  o.allow_ips = {"10.0.0.0/8", "::1"};
  StartServer(o);
  HttpClient c(server_->port());
  Reply r = c.Read();
  EXPECT_EQ(r.status, 403u);
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(RpcServerTest, BadOptionsFailStart) {
  auto o = Options();
  o.allow_ips = {"not-an-ip"};
  RpcServer s1(o, dispatcher_, nullptr);
  EXPECT_EQ(s1.Start().code(), "rpc-bad-allowip");
  o = Options();
  o.rpcauth = {"broken"};
  RpcServer s2(o, dispatcher_, nullptr);
  EXPECT_EQ(s2.Start().code(), "rpc-bad-rpcauth");
  o = Options();
  o.bind_addresses = {"203.0.113.1"};  // not ours
  RpcServer s3(o, dispatcher_, nullptr);
  EXPECT_EQ(s3.Start().code(), "rpc-bind-failed");
  o = Options();
  o.cookie_dir = dir_ / "no" / "such" / "dir";
  RpcServer s4(o, dispatcher_, nullptr);
  EXPECT_EQ(s4.Start().code(), "rpc-cookie-failed");
}

TEST_F(RpcServerTest, WebSocketRequestResponseAndPush) {
  StartServer(Options());
  WsClient ws(server_->port());
  ws.Send(Call("add", "[20,22]", 7));
  auto d = Json(ws.Read());
  EXPECT_EQ(d["id"].GetInt(), 7);
  EXPECT_EQ(d["result"].GetInt(), 42);
  ws.Send(Call("whoami"));
  d = Json(ws.Read());
  EXPECT_TRUE(d["result"]["websocket"].GetBool());
  // Errors and batches take the same path as over HTTP.
  ws.Send("{oops");
  EXPECT_EQ(ErrorCodeOf(ws.Read()), kRpcParseError);
  ws.Send(Call("stop"));
  EXPECT_EQ(ErrorCodeOf(ws.Read()), kRpcUnauthorized);

  ws.Send(Call("subscribe", "[]", 9));
  auto session = capture_.session.get_future().get();
  EXPECT_EQ(Json(ws.Read())["result"].GetString(), std::string("0x1"));
  ASSERT_TRUE(session->IsOpen());
  EXPECT_NE(session->id(), 0u);
  std::promise<void> closed;
  session->AddCloseHook([&closed] { closed.set_value(); });
  ASSERT_TRUE(session->Send(R"({"jsonrpc":"2.0","method":"eth_subscription","params":{}})"));
  d = Json(ws.Read());
  EXPECT_STREQ(d["method"].GetString(), "eth_subscription");

  ws.Close();
  closed.get_future().wait();
  EXPECT_FALSE(session->IsOpen());
  EXPECT_FALSE(session->Send("{}"));
  // A hook added after close runs at once.
  bool ran = false;
  session->AddCloseHook([&ran] { ran = true; });
  EXPECT_TRUE(ran);
}

TEST_F(RpcServerTest, WebSocketAdminWithCredentialsAndBadCredentials) {
  StartServer(Options());
  WsClient ws(server_->port(), CookieAuth());
  ws.Send(Call("stop"));
  EXPECT_STREQ(Json(ws.Read())["result"].GetString(), "stopping");
  EXPECT_THROW(WsClient(server_->port(), "Basic " + Base64Encode("alice:nope")),
               boost::system::system_error);
}

TEST_F(RpcServerTest, WebSocketOnPublicPortRefusesAdmin) {
  auto o = Options();
  o.public_port = 0;
  StartServer(o);
  WsClient ws(*server_->public_port(), CookieAuth());
  ws.Send(Call("stop"));
  EXPECT_EQ(ErrorCodeOf(ws.Read()), kRpcMethodNotFound);
}

TEST_F(RpcServerTest, SlowWebSocketReaderIsDisconnected) {
  auto o = Options();
  o.ws_max_queued_messages = 4;
  StartServer(o);
  WsClient ws(server_->port());
  ws.Send(Call("subscribe"));
  auto session = capture_.session.get_future().get();
  std::promise<void> closed;
  session->AddCloseHook([&closed] { closed.set_value(); });
  // The client never reads: once the socket buffers fill, the queue bound
  // trips and the session is closed instead of buffering without limit.
  std::string big(64 << 10, 'x');
  std::string msg = "\"" + big + "\"";
  bool refused = false;
  for (int i = 0; i < 100000 && !refused; ++i) refused = !session->Send(msg);
  EXPECT_TRUE(refused);
  closed.get_future().wait();
  EXPECT_FALSE(session->IsOpen());
}

TEST_F(RpcServerTest, WebSocketDisabled) {
  auto o = Options();
  o.websocket = false;
  StartServer(o);
  EXPECT_THROW(WsClient{server_->port()}, boost::system::system_error);
}

TEST_F(RpcServerTest, StopWhileClientsConnected) {
  auto o = Options();
  o.shutdown_timeout = 20s;
  StartServer(o);
  HttpClient idle(server_->port());
  EXPECT_EQ(idle.Post(Call("add", "[1]")).status, 200u);
  HttpClient partial(server_->port());
  partial.WriteRaw("POST / HTTP/1.1\r\nHost: localhost\r\n");
  WsClient ws(server_->port());
  ws.Send(Call("add", "[1]"));
  ws.Read();
  EXPECT_EQ(server_->open_connections(), 3u);

  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  // Well under shutdown_timeout: connections were closed, not waited out.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_TRUE(idle.WaitForClose());
  EXPECT_TRUE(partial.WaitForClose());
  beast::flat_buffer buf;
  boost::system::error_code ec;
  ws.ws().read(buf, ec);
  EXPECT_TRUE(ec);
  // Nothing listens any more.
  net::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()), ec);
  EXPECT_TRUE(ec);
  server_->Stop();  // idempotent
}

TEST_F(RpcServerTest, StopDeliversRepliesOfRunningHandlers) {
  auto o = Options();
  o.threads = 1;
  StartServer(o);
  HttpClient c(server_->port());
  std::string block = Call("block");
  c.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(block.size()) + "\r\n\r\n" + block);
  gate_.entered.get_future().wait();
  std::thread stopper([this] { server_->Stop(); });
  gate_.release.set_value();
  Reply r = c.Read();
  stopper.join();
  EXPECT_EQ(r.status, 200u);
  EXPECT_STREQ(Json(r.body)["result"].GetString(), "released");
  EXPECT_TRUE(c.WaitForClose());
}

TEST_F(RpcServerTest, StopDeliversWebSocketReplies) {
  auto o = Options();
  o.threads = 1;
  StartServer(o);
  WsClient ws(server_->port());
  ws.Send(Call("block", "[]", 5));
  gate_.entered.get_future().wait();
  std::thread stopper([this] { server_->Stop(); });
  gate_.release.set_value();
  auto d = Json(ws.Read());
  stopper.join();
  EXPECT_EQ(d["id"].GetInt(), 5);
  EXPECT_STREQ(d["result"].GetString(), "released");
}

TEST_F(RpcServerTest, ConnectionsBeyondTheLimitAreClosed) {
  auto o = Options();
  o.max_connections = 2;
  StartServer(o);
  HttpClient a(server_->port());
  HttpClient b(server_->port());
  EXPECT_EQ(a.Post(Call("add", "[1]")).status, 200u);
  EXPECT_EQ(b.Post(Call("add", "[1]")).status, 200u);
  HttpClient c(server_->port());
  EXPECT_TRUE(c.WaitForClose());
  EXPECT_EQ(server_->open_connections(), 2u);
}

TEST_F(RpcServerTest, WebSocketOnPublicPortIsRateLimited) {
  auto o = Options();
  o.public_port = 0;
  o.public_rate_per_second = 0.001;
  o.public_rate_burst = 3;  // one token goes to the upgrade request
  StartServer(o);
  WsClient ws(*server_->public_port());
  ws.Send(Call("add", "[1]"));
  EXPECT_EQ(ErrorCodeOf(ws.Read()), 0);
  ws.Send(Call("add", "[1]"));
  EXPECT_EQ(ErrorCodeOf(ws.Read()), 0);
  ws.Send(Call("add", "[1]"));
  EXPECT_EQ(ErrorCodeOf(ws.Read()), kRpcLimitExceeded);
  // A new upgrade from the same address is refused with 429.
  EXPECT_THROW(WsClient{*server_->public_port()}, boost::system::system_error);
}

TEST_F(RpcServerTest, HelpOverHttp) {
  StartServer(Options());
  HttpClient c(server_->port());
  auto d = Json(c.Post(Call("help")).body);
  std::string text = d["result"].GetString();
  EXPECT_NE(text.find("add a ( b )"), std::string::npos) << text;
  EXPECT_NE(text.find("stop  [admin]"), std::string::npos) << text;
  d = Json(c.Post(Call("help", "[\"echo\"]")).body);
  EXPECT_NE(std::string(d["result"].GetString()).find("Returns its argument."), std::string::npos);
}

TEST_F(RpcServerTest, PublicFloodLeavesTheAdminListenerReachable) {
  auto o = Options();
  o.public_port = 0;
  o.max_connections = 4;
  o.public_max_connections = 3;
  o.public_max_connections_per_ip = 3;
  StartServer(o);
  // The public listener is full...
  std::vector<std::unique_ptr<WsClient>> flood;
  for (int i = 0; i < 3; ++i) flood.push_back(std::make_unique<WsClient>(*server_->public_port()));
  HttpClient refused(*server_->public_port());
  EXPECT_TRUE(refused.WaitForClose());
  // ...and the operator still gets in on the main one.
  HttpClient admin(server_->port());
  auto d = Json(admin.Post(Call("stop"), CookieAuth()).body);
  EXPECT_STREQ(d["result"].GetString(), "stopping");
  EXPECT_EQ(server_->open_connections(), 4u);
}

TEST_F(RpcServerTest, PublicConnectionsPerIpAreCapped) {
  auto o = Options();
  o.public_port = 0;
  o.public_max_connections_per_ip = 2;
  StartServer(o);
  auto a = std::make_unique<HttpClient>(*server_->public_port());
  HttpClient b(*server_->public_port());
  EXPECT_EQ(a->Post(Call("add", "[1]")).status, 200u);
  EXPECT_EQ(b.Post(Call("add", "[1]")).status, 200u);
  HttpClient c(*server_->public_port());
  EXPECT_TRUE(c.WaitForClose());
  // A closed connection frees its share.
  a.reset();
  std::unique_ptr<HttpClient> d;
  for (int i = 0; i < 200 && !d; ++i) {
    auto next = std::make_unique<HttpClient>(*server_->public_port());
    boost::system::error_code ec;
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "application/json");
    req.body() = Call("add", "[1]");
    req.prepare_payload();
    http::write(next->socket(), req, ec);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(next->socket(), buf, res, ec);
    if (!ec && res.result_int() == 200) d = std::move(next);
    if (!d) std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(d, nullptr);
  // The main listener has no per-IP cap.
  std::vector<std::unique_ptr<HttpClient>> many;
  for (int i = 0; i < 5; ++i) {
    many.push_back(std::make_unique<HttpClient>(server_->port()));
    EXPECT_EQ(many.back()->Post(Call("add", "[1]")).status, 200u);
  }
}

TEST_F(RpcServerTest, HalfSentHeadersTimeOutButIdleConnectionsWait) {
  auto o = Options();
  o.read_timeout = 30s;
  o.header_timeout = 200ms;
  StartServer(o);
  HttpClient half(server_->port());
  half.WriteRaw("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: appl");
  HttpClient idle(server_->port());
  EXPECT_EQ(idle.Post(Call("add", "[1]")).status, 200u);
  EXPECT_TRUE(half.WaitForClose());
  // Idle time between requests is bounded by read_timeout, not the header
  // timeout: the keep-alive connection still serves.
  EXPECT_EQ(idle.Post(Call("add", "[2]")).status, 200u);
}

TEST_F(RpcServerTest, EachBatchEntryCostsARateLimitToken) {
  auto o = Options();
  o.public_port = 0;
  o.public_rate_per_second = 0.001;
  o.public_rate_burst = 5;
  StartServer(o);
  HttpClient c(*server_->public_port());
  std::string batch = "[";
  for (int i = 0; i < 8; ++i) batch += (i ? "," : "") + Call("add", "[1]", i);
  batch += "]";
  Reply r = c.Post(batch);
  ASSERT_EQ(r.status, 200u);
  auto d = Json(r.body);
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 8u);
  int ok = 0;
  int limited = 0;
  for (const auto& e : d.GetArray()) {
    if (e.HasMember("result")) ++ok;
    if (e.HasMember("error") && e["error"]["code"].GetInt() == kRpcLimitExceeded) ++limited;
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(limited, 3);
  // The bucket is empty: the next request is refused before its body is read.
  EXPECT_EQ(c.Post(Call("add", "[1]")).status, 429u);
  // Batches on the main listener are not rate limited.
  HttpClient m(server_->port());
  auto md = Json(m.Post(batch).body);
  for (const auto& e : md.GetArray()) EXPECT_TRUE(e.HasMember("result"));
}

TEST_F(RpcServerTest, AdminRequestsHaveTheirOwnWorkers) {
  auto o = Options();
  o.threads = 1;
  o.work_queue_depth = 1;
  StartServer(o);
  // One public request holds the only public worker, another fills its queue.
  HttpClient busy(server_->port());
  std::string body = Call("block");
  busy.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body);
  gate_.entered.get_future().wait();
  HttpClient queued(server_->port());
  std::string add = Call("add", "[1]");
  queued.WriteRaw(
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(add.size()) + "\r\n\r\n" + add);
  while (server_->queued_requests() == 0) std::this_thread::sleep_for(1ms);
  HttpClient more(server_->port());
  EXPECT_EQ(more.Post(Call("add", "[1]")).status, 503u);
  // An authenticated call is served meanwhile (not queued behind them).
  HttpClient admin(server_->port());
  auto d = Json(admin.Post(Call("add", "[1]"), CookieAuth()).body);
  EXPECT_EQ(d["result"].GetInt(), 11);
  d = Json(admin.Post(Call("stop"), CookieAuth()).body);
  EXPECT_STREQ(d["result"].GetString(), "stopping");
  gate_.release.set_value();
  EXPECT_EQ(busy.Read().status, 200u);
  EXPECT_EQ(queued.Read().status, 200u);
}

TEST_F(RpcServerTest, ParallelPasswordGuessingIsThrottledPerIp) {
  auto o = Options();
  o.auth_failure_budget = 5;
  o.auth_backoff = 1h;
  o.auth_failure_delay = 50ms;
  StartServer(o);
  // 40 guesses at once, each on its own connection.
  constexpr int kGuesses = 40;
  std::vector<std::unique_ptr<HttpClient>> clients;
  for (int i = 0; i < kGuesses; ++i) {
    clients.push_back(std::make_unique<HttpClient>(server_->port()));
    std::string body = Call("stop");
    clients.back()->WriteRaw(
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Authorization: Basic " +
        Base64Encode("alice:guess" + std::to_string(i)) +
        "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  int checked = 0;
  int refused = 0;
  for (auto& c : clients) {
    Reply r = c->Read();
    if (r.status == 401u) ++checked;
    if (r.status == 429u) {
      ++refused;
      EXPECT_FALSE(r.headers[http::field::retry_after].empty());
    }
  }
  // Only the budget's worth of guesses was checked at all.
  EXPECT_EQ(checked, 5);
  EXPECT_EQ(refused, kGuesses - 5);
  // Locked out, even the right password is not checked...
  HttpClient c(server_->port());
  EXPECT_EQ(c.Post(Call("stop"), CookieAuth()).status, 429u);
  // ...while calls without credentials are served as before.
  HttpClient p(server_->port());
  EXPECT_EQ(p.Post(Call("add", "[1]")).status, 200u);
}

TEST_F(RpcServerTest, HostOriginAndCorsChecks) {
  StartServer(Options());
  HttpClient c(server_->port());
  auto post = [](const std::string& host, const std::string& origin) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, host);
    if (!origin.empty()) req.set(http::field::origin, origin);
    req.set(http::field::content_type, "application/json");
    req.body() = Call("add", "[1]");
    req.prepare_payload();
    return req;
  };
  // DNS rebinding: a name that is not ours.
  auto req = post("evil.example:8545", "");
  Reply r = c.Send(req);
  EXPECT_EQ(r.status, 403u);
  EXPECT_NE(r.body.find("invalid host"), std::string::npos);
  for (const std::string host : {"localhost:8545", "127.0.0.1:1", "[::1]:8545"}) {
    HttpClient ok(server_->port());
    auto good = post(host, "http://localhost:3000");
    Reply rr = ok.Send(good);
    EXPECT_EQ(rr.status, 200u) << host;
    // No -rpccorsdomain: no CORS header, whatever the origin.
    EXPECT_EQ(rr.headers.count(http::field::access_control_allow_origin), 0u);
  }
  // A preflight without -rpccorsdomain is just a wrong method.
  HttpClient pre(server_->port());
  http::request<http::string_body> options{http::verb::options, "/", 11};
  options.set(http::field::host, "localhost");
  options.set(http::field::origin, "http://localhost:3000");
  EXPECT_EQ(pre.Send(options).status, 405u);
  // Websocket upgrades from a foreign page are refused; local pages and
  // non-browser clients (no Origin) are not.
  auto ws_with_origin = [this](const std::string& origin) {
    net::io_context ioc;
    websocket::stream<tcp::socket> ws(ioc);
    ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    ws.set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& q) { q.set(http::field::origin, origin); }));
    boost::system::error_code ec;
    ws.handshake("localhost", "/", ec);
    return !ec;
  };
  EXPECT_FALSE(ws_with_origin("https://evil.example"));
  EXPECT_TRUE(ws_with_origin("http://localhost:5173"));
  // A page this port served (the explorer, opened by a non-local address)
  // may: its Origin is the request's Host, and that Host passes the Host
  // check. A rebound name agrees with itself but fails the Host check.
  auto ws_from = [this](const std::string& host, const std::string& origin) {
    net::io_context ioc;
    websocket::stream<tcp::socket> ws(ioc);
    ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
    ws.set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& q) { q.set(http::field::origin, origin); }));
    boost::system::error_code ec;
    ws.handshake(host, "/", ec);
    return !ec;
  };
  EXPECT_TRUE(ws_from("203.0.113.9:8545", "http://203.0.113.9:8545"));
  EXPECT_FALSE(ws_from("203.0.113.9:8545", "http://203.0.113.9:8546"));
  EXPECT_FALSE(ws_from("evil.example:8545", "http://evil.example:8545"));
  WsClient plain(server_->port());
  plain.Send(Call("add", "[1]"));
  EXPECT_EQ(ErrorCodeOf(plain.Read()), 0);
}

TEST_F(RpcServerTest, CorsHeadersOnlyForConfiguredOrigins) {
  auto o = Options();
  o.cors_domains = {"https://wallet.example"};
  o.vhosts = {"localhost", "rpc.example"};
  StartServer(o);
  http::request<http::string_body> options{http::verb::options, "/", 11};
  options.set(http::field::host, "rpc.example");
  options.set(http::field::origin, "https://wallet.example");
  options.set(http::field::access_control_request_method, "POST");
  HttpClient c(server_->port());
  Reply r = c.Send(options);
  EXPECT_EQ(r.status, 204u);
  EXPECT_EQ(r.headers[http::field::access_control_allow_origin], "https://wallet.example");
  EXPECT_NE(r.headers[http::field::access_control_allow_methods].find("POST"), std::string::npos);
  for (const auto& [origin, expect_header] : std::vector<std::pair<std::string, bool>>{
           {"https://wallet.example", true}, {"https://evil.example", false}}) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "rpc.example");
    req.set(http::field::origin, origin);
    req.set(http::field::content_type, "application/json");
    req.body() = Call("add", "[1]");
    req.prepare_payload();
    HttpClient p(server_->port());
    Reply rr = p.Send(req);
    EXPECT_EQ(rr.status, 200u);
    EXPECT_EQ(rr.headers.count(http::field::access_control_allow_origin), expect_header ? 1u : 0u)
        << origin;
  }
  // The configured origin may open websockets; localhost pages no longer
  // may (the list replaces the default).
  net::io_context ioc;
  websocket::stream<tcp::socket> ws(ioc);
  ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()));
  ws.set_option(websocket::stream_base::decorator(
      [](websocket::request_type& q) { q.set(http::field::origin, "https://wallet.example"); }));
  boost::system::error_code ec;
  ws.handshake("localhost", "/", ec);
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
}  // namespace depin

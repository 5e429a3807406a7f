// All Boost.Beast code of the RPC server lives in this one translation unit
// to keep build times down.
#include "rpc/http_server.h"

// GCC 12 reports a "potential null pointer dereference" inside Asio's
// scheduler after inlining (boost/asio/detail/impl/scheduler.ipp); the
// diagnostic is emitted at optimisation time, so it cannot be scoped to the
// includes and is disabled for this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <thread>

#include "rpc/auth.h"
#include "rpc/auth_throttle.h"
#include "rpc/http_routes.h"
#include "rpc/ip_allow_list.h"
#include "rpc/origin_policy.h"
#include "rpc/rate_limiter.h"
#include "rpc/rpc_dispatcher.h"
#include "rpc/rpc_session.h"
#include "util/logging.h"
#include "util/sync.h"
#include "util/thread_pool.h"

namespace depin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

constexpr const char* kServerName = "depin-rpc";

// Something Stop() must be able to close.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection; callable from any thread.
  virtual void Shutdown() = 0;
};

// State shared by the server and every connection; connections keep it
// alive with a shared_ptr so that tearing down the server never leaves a
// late completion handler pointing at freed memory.
struct ServerShared {
  ServerShared(RpcServerOptions opts, const RpcDispatcher& d, Logger* l)
      : options(std::move(opts)), dispatcher_ptr(&d), logger(l) {}

  // The dispatcher requests go to now (the warm-up one while the node starts).
  const RpcDispatcher& dispatcher() const { return *dispatcher_ptr.load(); }

  // The plain HTTP routes now (none until SetRoutes), and the largest body
  // any of them takes.
  std::shared_ptr<const HttpRoutes> routes() const EXCLUDES(routes_mu) {
    MutexLock lock(routes_mu);
    return routes_ptr;
  }
  size_t max_route_body() const { return max_route_body_bytes.load(); }

  // Adds a connection unless the server is stopping; false means "close it".
  bool Register(uint64_t id, std::weak_ptr<SessionBase> session) EXCLUDES(mu) {
    MutexLock lock(mu);
    if (stopping) return false;
    sessions.emplace(id, std::move(session));
    return true;
  }
  void Unregister(uint64_t id) EXCLUDES(mu) {
    {
      MutexLock lock(mu);
      sessions.erase(id);
    }
    cv.NotifyAll();
  }

  const RpcServerOptions options;
  std::atomic<const RpcDispatcher*> dispatcher_ptr;
  mutable Mutex routes_mu;
  std::shared_ptr<const HttpRoutes> routes_ptr GUARDED_BY(routes_mu);
  std::atomic<size_t> max_route_body_bytes{0};
  Logger* const logger;
  RpcAuth auth;
  std::optional<IpAllowList> allow_main;
  std::optional<IpAllowList> allow_public;
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<AuthThrottle> auth_throttle;
  std::optional<OriginPolicy> origins;
  std::unique_ptr<ThreadPool> pool;
  std::unique_ptr<ThreadPool> admin_pool;
  std::atomic<uint64_t> next_session_id{1};
  // Open connections per listener kind: [0] main, [1] public.
  std::array<std::atomic<size_t>, 2> connections{};

  // Workers for a request: authenticated callers on the main listener have
  // their own, so public load never queues ahead of them.
  ThreadPool& PoolFor(bool authenticated, bool public_port) const {
    return authenticated && !public_port ? *admin_pool : *pool;
  }

  // The public listener's rate limit as a request's charge function; none on
  // the main listener.
  std::function<bool(double)> ChargeFor(bool public_port, const std::string& remote) const {
    if (!public_port || !limiter) return {};
    return [limiter = limiter.get(), remote](double cost) { return limiter->Charge(remote, cost); };
  }

  Mutex ip_mu;
  // Public-listener connections per IP; an IP with none has no entry.
  std::map<std::string, size_t> public_per_ip GUARDED_BY(ip_mu);

  Mutex mu;
  CondVar cv;
  bool stopping GUARDED_BY(mu) = false;
  std::map<uint64_t, std::weak_ptr<SessionBase>> sessions GUARDED_BY(mu);
};

// Counts a connection against its listener's limits for its lifetime.
class ConnectionSlot {
 public:
  // Null when the listener is full or (public listener) `ip` holds its
  // share already.
  static std::unique_ptr<ConnectionSlot> TryAcquire(const std::shared_ptr<ServerShared>& shared,
                                                    bool public_port, const std::string& ip) {
    const RpcServerOptions& o = shared->options;
    std::atomic<size_t>& count = shared->connections[public_port ? 1 : 0];
    size_t limit = public_port ? o.public_max_connections : o.max_connections;
    if (count.fetch_add(1) >= limit) {
      count.fetch_sub(1);
      return nullptr;
    }
    if (public_port) {
      MutexLock lock(shared->ip_mu);
      size_t& mine = shared->public_per_ip[ip];
      if (mine >= o.public_max_connections_per_ip) {
        if (mine == 0) shared->public_per_ip.erase(ip);
        count.fetch_sub(1);
        return nullptr;
      }
      ++mine;
    }
    return std::unique_ptr<ConnectionSlot>(new ConnectionSlot(shared, public_port, ip));
  }
  ~ConnectionSlot() {
    if (public_port_) {
      MutexLock lock(shared_->ip_mu);
      auto it = shared_->public_per_ip.find(ip_);
      if (it != shared_->public_per_ip.end() && --it->second == 0) {
        shared_->public_per_ip.erase(it);
      }
    }
    shared_->connections[public_port_ ? 1 : 0].fetch_sub(1);
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  ConnectionSlot(std::shared_ptr<ServerShared> shared, bool public_port, std::string ip)
      : shared_(std::move(shared)), public_port_(public_port), ip_(std::move(ip)) {}

  std::shared_ptr<ServerShared> shared_;
  const bool public_port_;
  const std::string ip_;
};

bool IsJsonContentType(std::string_view ct) {
  if (ct.empty()) return true;
  std::string_view media = ct.substr(0, ct.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower;
  for (char c : media)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "application/json";
}

// ---------------------------------------------------------------------------
// WebSocket session.

class WsSession : public RpcSession,
                  public SessionBase,
                  public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(beast::tcp_stream&& stream, std::shared_ptr<ServerShared> shared,
            std::unique_ptr<ConnectionSlot> slot, bool public_port, bool authenticated,
            std::string remote, uint64_t id)
      : ws_(std::move(stream)),
        shared_(std::move(shared)),
        slot_(std::move(slot)),
        public_port_(public_port),
        authenticated_(authenticated),
        remote_(std::move(remote)),
        id_(id) {}

  ~WsSession() override { shared_->Unregister(id_); }

  void Accept(http::request<http::string_body> req) {
    if (!shared_->Register(id_, weak_from_this())) return;
    // The websocket stream runs its own timers; the TCP-level one must be off.
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = shared_->options.read_timeout;
    timeouts.idle_timeout = shared_->options.ws_idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, kServerName); }));
    ws_.read_message_max(shared_->options.max_body_bytes);
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::OnAccept, shared_from_this()));
  }

  uint64_t id() const override { return id_; }
  bool IsOpen() const override { return open_.load(); }

  bool Send(std::string json) override {
    if (!open_.load()) return false;
    if (queued_.fetch_add(1) >= shared_->options.ws_max_queued_messages) {
      queued_.fetch_sub(1);
      LogInfo(shared_->logger, LogCategory::kRpc,
              "websocket session {} from {} closed: outbound queue full", id_, remote_);
      Close();
      return false;
    }
    net::post(ws_.get_executor(), [self = shared_from_this(), json = std::move(json)]() mutable {
      self->outbox_.push_back(std::move(json));
      if (!self->writing_) self->DoWrite();
    });
    return true;
  }

  void AddCloseHook(std::function<void()> hook) override {
    {
      MutexLock lock(hooks_mu_);
      if (!closed_) {
        hooks_.push_back(std::move(hook));
        return;
      }
    }
    hook();
  }

  void Close() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->HardClose(); });
  }

  // Lets replies already queued go out first, then closes.
  void Shutdown() override {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->writing_) self->HardClose();
    });
  }

 private:
  void HardClose() {
    error_code ec;
    beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(ws_).close();
  }

  void OnAccept(error_code ec) {
    if (ec) return Closed();
    open_.store(true);
    LogDebug(shared_->logger, LogCategory::kRpc, "websocket session {} opened from {}", id_,
             remote_);
    DoRead();
  }

  void DoRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, shared_from_this()));
  }

  void OnRead(error_code ec, size_t) {
    if (ec) return Closed();
    std::string message = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    // The dispatcher charges each request of the message; an empty bucket
    // refuses the message as a whole without parsing it.
    if (public_port_ && !shared_->limiter->HasToken(remote_)) {
      Send(RpcDispatcher::ErrorResponse(kRpcLimitExceeded, "rate limit exceeded"));
      return DoRead();
    }
    RpcCallContext context;
    context.authenticated = authenticated_;
    context.public_port = public_port_;
    context.remote_address = remote_;
    context.session = shared_from_this();
    context.charge = shared_->ChargeFor(public_port_, remote_);
    std::function<void()> job = [self = shared_from_this(), message = std::move(message),
                                 context = std::move(context)]() mutable {
      std::string response =
          self->shared_->dispatcher().Dispatch(message, context, self->shared_->options.max_batch);
      // Drop our reference before sending so a handler-held session is the
      // only one left when the peer is gone.
      context.session.reset();
      if (!response.empty()) self->Send(std::move(response));
    };
    if (!shared_->PoolFor(authenticated_, public_port_).TrySubmit(job)) {
      Send(RpcDispatcher::ErrorResponse(kRpcLimitExceeded, "server busy: work queue full"));
    }
    DoRead();
  }

  void DoWrite() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    beast::bind_front_handler(&WsSession::OnWrite, shared_from_this()));
  }

  void OnWrite(error_code ec, size_t) {
    outbox_.pop_front();
    queued_.fetch_sub(1);
    if (ec) {
      writing_ = false;
      // The read side notices the broken connection and runs Closed().
      error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
      return;
    }
    if (outbox_.empty()) {
      writing_ = false;
      if (closing_) HardClose();
    } else {
      DoWrite();
    }
  }

  // Runs once, on the strand, when the read loop ends.
  void Closed() {
    open_.store(false);
    std::vector<std::function<void()>> hooks;
    {
      MutexLock lock(hooks_mu_);
      closed_ = true;
      hooks.swap(hooks_);
    }
    LogDebug(shared_->logger, LogCategory::kRpc, "websocket session {} closed", id_);
    for (auto& h : hooks) h();
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<ServerShared> shared_;
  std::unique_ptr<ConnectionSlot> slot_;
  const bool public_port_;
  const bool authenticated_;
  const std::string remote_;
  const uint64_t id_;
  beast::flat_buffer buffer_;
  // Strand-only state.
  std::deque<std::string> outbox_;
  bool writing_ = false;
  bool closing_ = false;
  // Any thread.
  std::atomic<bool> open_{false};
  std::atomic<size_t> queued_{0};
  Mutex hooks_mu_;
  bool closed_ GUARDED_BY(hooks_mu_) = false;
  std::vector<std::function<void()>> hooks_ GUARDED_BY(hooks_mu_);
};

// ---------------------------------------------------------------------------
// HTTP session: one request at a time (pipelined requests wait in the
// socket), all work on the connection's strand.

class HttpSession : public SessionBase, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<ServerShared> shared,
              std::unique_ptr<ConnectionSlot> slot, bool public_port, std::string remote,
              uint64_t id)
      : stream_(std::move(socket)),
        shared_(std::move(shared)),
        slot_(std::move(slot)),
        public_port_(public_port),
        remote_(std::move(remote)),
        id_(id),
        delay_timer_(stream_.get_executor()) {}

  ~HttpSession() override { shared_->Unregister(id_); }

  void Start() {
    if (!shared_->Register(id_, weak_from_this())) return;
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&HttpSession::ReadHeader, shared_from_this()));
  }

  // A connection waiting for its client is closed at once; one whose
  // request is being answered gets the reply first (so that the answer to
  // `stop` reaches its caller) and is closed after it.
  void Shutdown() override {
    net::post(delay_timer_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      self->keep_alive_ = false;
      self->delay_timer_.cancel();
      if (self->upgraded_ || !self->awaiting_client_) return;
      error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  // Waits (up to read_timeout) for the next request's first bytes, then
  // gives its headers header_timeout to arrive in full.
  void ReadHeader() {
    // Credentials are per request, never per connection.
    authenticated_ = false;
    extra_allow_ = false;
    extra_www_authenticate_ = false;
    cors_origin_.clear();
    retry_after_.clear();
    allow_methods_ = "POST";
    routes_.reset();
    route_ = nullptr;
    head_ = false;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(shared_->options.max_header_bytes));
    // The parser checks Content-Length against this as the headers arrive;
    // a JSON-RPC body is held to max_body_bytes once the target is known.
    parser_->body_limit(std::max(shared_->options.max_body_bytes, shared_->max_route_body()));
    awaiting_client_ = true;
    // Pipelined bytes already here: the request has begun.
    if (buffer_.size() > 0) return ReadRestOfHeader();
    stream_.expires_after(shared_->options.read_timeout);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = shared_from_this()](error_code ec, size_t n) {
                              if (ec) {
                                self->awaiting_client_ = false;
                                return self->OnReadError(ec);
                              }
                              self->buffer_.commit(n);
                              self->ReadRestOfHeader();
                            });
  }

  void ReadRestOfHeader() {
    stream_.expires_after(std::min(shared_->options.header_timeout, shared_->options.read_timeout));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::OnHeader, shared_from_this()));
  }

  void OnHeader(error_code ec, size_t) {
    awaiting_client_ = false;
    if (ec) return OnReadError(ec);
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive() && !stopping_;
    version_ = req.version();

    std::string_view target(req.target().data(), req.target().size());
    if (target != "/") {
      route_ = FindRoute(target);
      if (route_ == nullptr) return Respond(http::status::not_found, "not found\n", /*close=*/true);
    } else if (!shared_->options.json_rpc) {
      return Respond(http::status::not_found, "not found\n", /*close=*/true);
    } else if (parser_->content_length() &&
               *parser_->content_length() > shared_->options.max_body_bytes) {
      return Respond(http::status::payload_too_large, "request body too large\n", /*close=*/true);
    }
    const OriginPolicy& origins = *shared_->origins;
    auto origin_it = req.find(http::field::origin);
    std::string_view origin = origin_it == req.end() ? std::string_view()
                                                     : std::string_view(origin_it->value().data(),
                                                                        origin_it->value().size());
    const bool upgrade = websocket::is_upgrade(req);
    if (upgrade) {
      // Browsers send Origin on every websocket; CORS does not protect them.
      auto host = req[http::field::host];
      if (!origins.WebSocketOriginAllowed(origin_it != req.end(), origin) &&
          !origins.SameOrigin(origin, std::string_view(host.data(), host.size()))) {
        LogInfo(shared_->logger, LogCategory::kRpc, "refused websocket from {}: origin {}", remote_,
                origin);
        return Respond(http::status::forbidden, "origin not allowed\n", /*close=*/true);
      }
    } else if (route_ == nullptr) {
      // Plain HTTP routes serve data meant to be fetched by name (a
      // provider's URI), checked against its commitment, so only JSON-RPC
      // needs the DNS-rebinding guard.
      auto host = req[http::field::host];
      if (!origins.HostAllowed(std::string_view(host.data(), host.size()))) {
        LogInfo(shared_->logger, LogCategory::kRpc, "refused request from {}: host {}", remote_,
                std::string_view(host.data(), host.size()));
        return Respond(http::status::forbidden, "invalid host specified\n", /*close=*/true);
      }
      cors_origin_ = origins.CorsAllowOrigin(origin);
      if (req.method() == http::verb::options && !cors_origin_.empty()) {
        return RespondPreflight();
      }
    }
    bool has_auth = req.find(http::field::authorization) != req.end();
    if (has_auth && !public_port_) {
      // An IP over its failure budget is not even checked: parallel
      // connections cannot guess faster than the budget allows.
      auto locked = shared_->auth_throttle->LockedFor(remote_, AuthThrottle::Clock::now());
      if (locked > AuthThrottle::Clock::duration::zero()) {
        auto secs = std::chrono::ceil<std::chrono::seconds>(locked).count();
        retry_after_ = std::to_string(std::max<int64_t>(secs, 1));
        LogDebug(shared_->logger, LogCategory::kRpc, "login from {} refused: locked out for {} s",
                 remote_, retry_after_);
        return Respond(http::status::too_many_requests, "too many failed logins; retry later\n",
                       /*close=*/true);
      }
      auto value = req[http::field::authorization];
      if (!shared_->auth.Check(std::string_view(value.data(), value.size()))) {
        shared_->auth_throttle->Failure(remote_, AuthThrottle::Clock::now());
        return DelayedUnauthorized();
      }
      authenticated_ = true;
    }
    if (route_ != nullptr) return RouteHeader();
    if (upgrade) {
      if (!shared_->options.websocket) {
        return Respond(http::status::bad_request, "websocket disabled\n", /*close=*/true);
      }
      if (public_port_ && !shared_->limiter->Allow(remote_)) {
        return Respond(http::status::too_many_requests, "rate limit exceeded\n", /*close=*/true);
      }
      return Upgrade();
    }
    parser_->body_limit(shared_->options.max_body_bytes);
    if (req.method() != http::verb::post) {
      extra_allow_ = true;
      return Respond(http::status::method_not_allowed, "JSON-RPC server: use POST\n",
                     /*close=*/true);
    }
    auto ct = req[http::field::content_type];
    if (!IsJsonContentType(std::string_view(ct.data(), ct.size()))) {
      return Respond(http::status::unsupported_media_type,
                     "Content-Type must be application/json\n", /*close=*/true);
    }
    // Requests are charged per entry by the dispatcher; an empty bucket
    // refuses the request before its body is read.
    if (public_port_ && !shared_->limiter->HasToken(remote_)) {
      return Respond(http::status::too_many_requests, "rate limit exceeded\n", /*close=*/true);
    }
    ContinueAndReadBody();
  }

  // Sends "100 Continue" when the client waits for it, then reads the body.
  void ContinueAndReadBody() {
    auto expect = parser_->get()[http::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      continue_ =
          std::make_shared<http::response<http::empty_body>>(http::status::continue_, version_);
      awaiting_client_ = true;
      http::async_write(stream_, *continue_, [self = shared_from_this()](error_code wec, size_t) {
        self->awaiting_client_ = false;
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  // The route whose prefix starts the target's path; keeps the route table
  // alive for the request.
  const HttpRoute* FindRoute(std::string_view target) {
    routes_ = shared_->routes();
    if (!routes_) return nullptr;
    std::string_view path = target.substr(0, target.find('?'));
    for (const HttpRoute& r : *routes_) {
      if (path.size() >= r.prefix.size() && path.substr(0, r.prefix.size()) == r.prefix) return &r;
    }
    return nullptr;
  }

  // A plain HTTP request for route_: method, rate limit and body size, then
  // its body.
  void RouteHeader() {
    const auto& req = parser_->get();
    const std::string method(req.method_string());
    if (std::find(route_->methods.begin(), route_->methods.end(), method) ==
        route_->methods.end()) {
      extra_allow_ = true;
      allow_methods_.clear();
      for (const std::string& m : route_->methods) {
        allow_methods_ += (allow_methods_.empty() ? "" : ", ") + m;
      }
      return Respond(http::status::method_not_allowed, "method not allowed\n", /*close=*/true);
    }
    if (public_port_ && !shared_->limiter->Allow(remote_)) {
      return Respond(http::status::too_many_requests, "rate limit exceeded\n", /*close=*/true);
    }
    if (parser_->content_length() && *parser_->content_length() > route_->max_body_bytes) {
      return Respond(http::status::payload_too_large,
                     "request body too large: at most " + std::to_string(route_->max_body_bytes) +
                         " bytes per request\n",
                     /*close=*/true);
    }
    parser_->body_limit(route_->max_body_bytes);
    head_ = req.method() == http::verb::head;
    ContinueAndReadBody();
  }

  // Runs route_'s handler on a worker and sends its reply.
  void RunRoute() {
    stream_.expires_never();
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    std::string target(message.target());
    const size_t q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query = target.substr(q + 1);
    for (const auto& field : message) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.public_port = public_port_;
    request.authenticated = authenticated_;
    request.remote_address = remote_;
    std::function<void()> job = [self = shared_from_this(), routes = routes_, route = route_,
                                 request = std::move(request)] {
      HttpReply reply;
      try {
        reply = route->handler(request);
      } catch (const std::exception& e) {
        LogWarn(self->shared_->logger, LogCategory::kRpc, "{} {}: {}", request.method, request.path,
                e.what());
        reply = HttpReply::Text(500, "internal error");
      }
      net::post(self->stream_.get_executor(), [self, reply = std::move(reply)]() mutable {
        self->RespondRoute(std::move(reply));
      });
    };
    if (!shared_->PoolFor(authenticated_, public_port_).TrySubmit(job)) {
      return Respond(http::status::service_unavailable, "work queue depth exceeded\n",
                     /*close=*/false);
    }
  }

  void RespondRoute(HttpReply reply) {
    const auto status = static_cast<http::status>(reply.status);
    if (reply.file && !head_) return StreamFile(std::move(reply));
    auto res = std::make_shared<http::response<http::string_body>>(status, version_);
    res->set(http::field::server, kServerName);
    res->set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res->set(name, value);
    AddCorsHeaders(*res);
    res->keep_alive(keep_alive_);
    if (head_) {
      res->content_length(reply.file ? reply.file->length : reply.body.size());
    } else {
      res->body() = std::move(reply.body);
      res->prepare_payload();
    }
    response_ = res;
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write(stream_, *res,
                      beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this()));
  }

  // A file range as the body, read and sent kStreamChunk bytes at a time.
  void StreamFile(HttpReply reply) {
    const HttpFileRange& range = *reply.file;
    stream_fd_ = ::open(range.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (stream_fd_ < 0) {
      LogWarn(shared_->logger, LogCategory::kRpc, "cannot open {} for {}: {}", range.path, remote_,
              std::strerror(errno));
      return Respond(http::status::internal_server_error, "cannot read the data\n",
                     /*close=*/false);
    }
    stream_offset_ = range.offset;
    stream_left_ = range.length;
    stream_res_ = std::make_shared<http::response<http::buffer_body>>(
        static_cast<http::status>(reply.status), version_);
    stream_res_->set(http::field::server, kServerName);
    stream_res_->set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) stream_res_->set(name, value);
    if (!cors_origin_.empty()) {
      stream_res_->set(http::field::access_control_allow_origin, cors_origin_);
      if (cors_origin_ != "*") stream_res_->set(http::field::vary, "Origin");
    }
    stream_res_->keep_alive(keep_alive_);
    stream_res_->content_length(range.length);
    stream_res_->body().data = nullptr;
    stream_res_->body().more = true;
    stream_sr_ = std::make_shared<http::response_serializer<http::buffer_body>>(*stream_res_);
    stream_buf_.resize(kStreamChunk);
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write_header(stream_, *stream_sr_,
                             [self = shared_from_this()](error_code ec, size_t) {
                               if (ec) return self->EndStream(ec);
                               self->StreamChunk();
                             });
  }

  void StreamChunk() {
    auto& body = stream_res_->body();
    if (stream_left_ == 0) {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    } else {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(stream_left_, kStreamChunk));
      const ssize_t n =
          ::pread(stream_fd_, stream_buf_.data(), want, static_cast<off_t>(stream_offset_));
      if (n <= 0) {
        // The headers are out: all that is left is to cut the connection.
        LogWarn(shared_->logger, LogCategory::kRpc, "read failed while sending to {}", remote_);
        keep_alive_ = false;
        return EndStream(net::error::broken_pipe);
      }
      stream_offset_ += static_cast<uint64_t>(n);
      stream_left_ -= static_cast<uint64_t>(n);
      body.data = stream_buf_.data();
      body.size = static_cast<size_t>(n);
      body.more = true;
    }
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write(stream_, *stream_sr_, [self = shared_from_this()](error_code ec, size_t) {
      if (ec == http::error::need_buffer) ec = {};
      if (ec || self->stream_sr_->is_done()) return self->EndStream(ec);
      self->StreamChunk();
    });
  }

  void EndStream(error_code ec) {
    if (stream_fd_ >= 0) ::close(stream_fd_);
    stream_fd_ = -1;
    stream_sr_.reset();
    stream_res_.reset();
    stream_buf_.clear();
    stream_buf_.shrink_to_fit();
    OnWrite(ec, 0);
  }

  void ReadBody() {
    awaiting_client_ = true;
    stream_.expires_after(shared_->options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnBody, shared_from_this()));
  }

  void OnReadError(error_code ec) {
    if (ec == http::error::body_limit) {
      return Respond(http::status::payload_too_large, "request body too large\n", /*close=*/true);
    }
    if (ec == http::error::header_limit) {
      return Respond(http::status::request_header_fields_too_large, "request header too large\n",
                     /*close=*/true);
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == http::error::partial_message) {
      if (ec == beast::error::timeout) {
        LogDebug(shared_->logger, LogCategory::kRpc, "closing {}: read timeout", remote_);
      }
      return Close();
    }
    // A malformed request; the connection's framing is lost, so close.
    return Respond(http::status::bad_request, "bad request\n", /*close=*/true);
  }

  void OnBody(error_code ec, size_t) {
    awaiting_client_ = false;
    if (ec) return OnReadError(ec);
    if (route_ != nullptr) return RunRoute();
    // No deadline while the request is being worked on.
    stream_.expires_never();
    RpcCallContext context;
    context.authenticated = authenticated_;
    context.public_port = public_port_;
    context.remote_address = remote_;
    context.charge = shared_->ChargeFor(public_port_, remote_);
    std::string body = parser_->release().body();
    const RpcDispatcher& dispatcher = shared_->dispatcher();
    if (dispatcher.RunsInline(body)) {
      std::string response = dispatcher.Dispatch(body, context, shared_->options.max_batch);
      if (response.empty()) return Respond(http::status::no_content, "", /*close=*/false);
      return Respond(http::status::ok, std::move(response), /*close=*/false, /*json=*/true);
    }
    std::function<void()> job = [self = shared_from_this(), body = std::move(body),
                                 context = std::move(context)] {
      std::string response =
          self->shared_->dispatcher().Dispatch(body, context, self->shared_->options.max_batch);
      net::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        if (response.empty()) {
          return self->Respond(http::status::no_content, "", /*close=*/false);
        }
        self->Respond(http::status::ok, std::move(response), /*close=*/false, /*json=*/true);
      });
    };
    if (!shared_->PoolFor(authenticated_, public_port_).TrySubmit(job)) {
      LogDebug(shared_->logger, LogCategory::kRpc, "work queue full, 503 to {}", remote_);
      return Respond(http::status::service_unavailable, "work queue depth exceeded\n",
                     /*close=*/false);
    }
  }

  void DelayedUnauthorized() {
    LogInfo(shared_->logger, LogCategory::kRpc, "incorrect RPC credentials from {}", remote_);
    stream_.expires_never();
    delay_timer_.expires_after(shared_->options.auth_failure_delay);
    delay_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return self->Close();
      self->extra_www_authenticate_ = true;
      self->Respond(http::status::unauthorized, "unauthorized\n", /*close=*/true);
    });
  }

  void Upgrade() {
    upgraded_ = true;
    // The websocket session holds the connection's slot from here on.
    auto ws =
        std::make_shared<WsSession>(std::move(stream_), shared_, std::move(slot_), public_port_,
                                    authenticated_, remote_, shared_->next_session_id.fetch_add(1));
    ws->Accept(parser_->release());
  }

  void Respond(http::status status, std::string body, bool close, bool json = false) {
    if (close) keep_alive_ = false;
    auto res = std::make_shared<http::response<http::string_body>>(status, version_);
    res->set(http::field::server, kServerName);
    if (status != http::status::no_content) {
      res->set(http::field::content_type, json ? "application/json" : "text/plain");
      res->body() = std::move(body);
    }
    if (extra_allow_) res->set(http::field::allow, allow_methods_);
    if (extra_www_authenticate_) res->set(http::field::www_authenticate, "Basic realm=\"jsonrpc\"");
    if (!retry_after_.empty()) res->set(http::field::retry_after, retry_after_);
    AddCorsHeaders(*res);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    response_ = res;
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write(stream_, *res,
                      beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this()));
  }

  // Only for an origin -rpccorsdomain names (cors_origin_ set).
  void AddCorsHeaders(http::response<http::string_body>& res) const {
    if (cors_origin_.empty()) return;
    res.set(http::field::access_control_allow_origin, cors_origin_);
    if (cors_origin_ != "*") res.set(http::field::vary, "Origin");
  }

  // The answer to a CORS preflight from an allowed origin.
  void RespondPreflight() {
    auto res =
        std::make_shared<http::response<http::string_body>>(http::status::no_content, version_);
    res->set(http::field::server, kServerName);
    AddCorsHeaders(*res);
    res->set(http::field::access_control_allow_methods, "POST, GET, OPTIONS");
    res->set(http::field::access_control_allow_headers, "Content-Type, Authorization");
    res->set(http::field::access_control_max_age, "600");
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    response_ = res;
    stream_.expires_after(shared_->options.write_timeout);
    http::async_write(stream_, *res,
                      beast::bind_front_handler(&HttpSession::OnWrite, shared_from_this()));
  }

  void OnWrite(error_code ec, size_t) {
    response_.reset();
    if (ec || !keep_alive_ || stopping_) return Close();
    ReadHeader();
  }

  void Close() {
    if (upgraded_) return;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  // Bytes asked for by the first read of a request.
  static constexpr size_t kFirstRead = 1024;

  beast::tcp_stream stream_;
  std::shared_ptr<ServerShared> shared_;
  std::unique_ptr<ConnectionSlot> slot_;
  const bool public_port_;
  const std::string remote_;
  const uint64_t id_;
  net::steady_timer delay_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::string_body>> response_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  // A plain HTTP request's route (null for JSON-RPC), with the table that
  // holds it; head_: the request is a HEAD.
  std::shared_ptr<const HttpRoutes> routes_;
  const HttpRoute* route_ = nullptr;
  bool head_ = false;
  std::string allow_methods_ = "POST";
  // A file body being streamed (StreamFile).
  static constexpr size_t kStreamChunk = 256 << 10;
  int stream_fd_ = -1;
  uint64_t stream_offset_ = 0;
  uint64_t stream_left_ = 0;
  std::vector<char> stream_buf_;
  std::shared_ptr<http::response<http::buffer_body>> stream_res_;
  std::shared_ptr<http::response_serializer<http::buffer_body>> stream_sr_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool authenticated_ = false;
  bool upgraded_ = false;
  // A read (or the 100-continue write) is pending on the client.
  bool awaiting_client_ = false;
  bool stopping_ = false;
  bool extra_allow_ = false;
  bool extra_www_authenticate_ = false;
  // Access-Control-Allow-Origin for this request's reply ("" for none).
  std::string cors_origin_;
  // Retry-After for this request's reply ("" for none).
  std::string retry_after_;
};

// ---------------------------------------------------------------------------
// Listener: accepts on one endpoint and hands sockets to sessions.

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<ServerShared> shared, bool public_port)
      : ioc_(ioc),
        acceptor_(net::make_strand(ioc)),
        retry_timer_(acceptor_.get_executor()),
        shared_(std::move(shared)),
        public_port_(public_port) {}

  Status Bind(const tcp::endpoint& endpoint) {
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6()) acceptor_.set_option(net::ip::v6_only(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Error("rpc-bind-failed", "cannot listen on " + endpoint.address().to_string() +
                                                  ":" + std::to_string(endpoint.port()) + ": " +
                                                  ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return Status::Ok();
  }

  uint16_t port() const { return port_; }

  void Run() {
    net::dispatch(acceptor_.get_executor(),
                  beast::bind_front_handler(&Listener::DoAccept, shared_from_this()));
  }

  void Close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      error_code ec;
      self->acceptor_.close(ec);
      self->retry_timer_.cancel();
    });
  }

 private:
  void DoAccept() {
    acceptor_.async_accept(net::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void OnAccept(error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Typically out of file descriptors: back off instead of spinning.
      LogWarn(shared_->logger, LogCategory::kRpc, "accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([self = shared_from_this()](error_code tec) {
        if (!tec) self->DoAccept();
      });
      return;
    }
    Handle(std::move(socket));
    DoAccept();
  }

  void Handle(tcp::socket socket) {
    error_code ec;
    tcp::endpoint remote = socket.remote_endpoint(ec);
    if (ec) return;
    const IpAllowList& allow = public_port_ ? *shared_->allow_public : *shared_->allow_main;
    std::string remote_ip = remote.address().to_string();
    if (!allow.Allows(remote.address())) {
      LogInfo(shared_->logger, LogCategory::kRpc, "rejected connection from {}: not in allow list",
              remote_ip);
      auto sock = std::make_shared<tcp::socket>(std::move(socket));
      static constexpr std::string_view kForbidden =
          "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      net::async_write(*sock, net::buffer(kForbidden.data(), kForbidden.size()),
                       [sock](error_code, size_t) {
                         error_code ignored;
                         sock->shutdown(tcp::socket::shutdown_both, ignored);
                         sock->close(ignored);
                       });
      return;
    }
    auto slot = ConnectionSlot::TryAcquire(shared_, public_port_, remote_ip);
    if (!slot) {
      LogInfo(shared_->logger, LogCategory::kRpc, "rejected connection from {}: too many",
              remote_ip);
      socket.close(ec);
      return;
    }
    LogTrace(shared_->logger, LogCategory::kRpc, "accepted connection from {}", remote_ip);
    std::make_shared<HttpSession>(std::move(socket), shared_, std::move(slot), public_port_,
                                  std::move(remote_ip), shared_->next_session_id.fetch_add(1))
        ->Start();
  }

  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
  std::shared_ptr<ServerShared> shared_;
  const bool public_port_;
  uint16_t port_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------

struct RpcServer::Impl {
  Impl(RpcServerOptions options, const RpcDispatcher& dispatcher, Logger* logger)
      : shared(std::make_shared<ServerShared>(std::move(options), dispatcher, logger)),
        work(net::make_work_guard(ioc)) {}

  // Binds every address in `addresses`; fails only if none binds.
  Status BindAll(const std::vector<std::string>& addresses, uint16_t wanted_port, bool is_public,
                 uint16_t& bound_port) {
    Status last = Status::Error("rpc-bind-failed", "no bind address given");
    bool any = false;
    for (const auto& a : addresses) {
      error_code ec;
      auto address = net::ip::make_address(a, ec);
      if (ec) {
        last = Status::Error("rpc-bind-failed", "invalid bind address: " + a);
        continue;
      }
      // With port 0 every address would get a different port; reuse the
      // first one so that all addresses share it.
      uint16_t want = any ? bound_port : wanted_port;
      auto listener = std::make_shared<Listener>(ioc, shared, is_public);
      Status s = listener->Bind(tcp::endpoint(address, want));
      if (!s.ok()) {
        LogWarn(shared->logger, LogCategory::kRpc, "{}", s.ToString());
        last = s;
        continue;
      }
      if (!any) bound_port = listener->port();
      any = true;
      LogInfo(shared->logger, LogCategory::kRpc, "RPC {}listening on {}:{}",
              is_public ? "public " : "", a, listener->port());
      listeners.push_back(std::move(listener));
    }
    return any ? Status::Ok() : last;
  }

  std::shared_ptr<ServerShared> shared;
  // ioc is declared before the listeners and threads that use it and
  // destroyed after them; its destructor releases abandoned sessions.
  net::io_context ioc;
  net::executor_work_guard<net::io_context::executor_type> work;
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<std::thread> threads;
  bool started = false;
  bool stopped = false;
  uint16_t port = 0;
  std::optional<uint16_t> public_port;
};

RpcServer::RpcServer(RpcServerOptions options, const RpcDispatcher& dispatcher, Logger* logger)
    : impl_(std::make_unique<Impl>(std::move(options), dispatcher, logger)) {}

void RpcServer::SetDispatcher(const RpcDispatcher& dispatcher) {
  impl_->shared->dispatcher_ptr.store(&dispatcher);
}

void RpcServer::SetRoutes(std::shared_ptr<const HttpRoutes> routes) {
  ServerShared& s = *impl_->shared;
  size_t largest = 0;
  if (routes) {
    for (const HttpRoute& r : *routes) largest = std::max(largest, r.max_body_bytes);
  }
  {
    MutexLock lock(s.routes_mu);
    s.routes_ptr = std::move(routes);
  }
  s.max_route_body_bytes.store(largest);
}

RpcServer::~RpcServer() { Stop(); }

Status RpcServer::Start() {
  Impl& d = *impl_;
  if (d.started) return Status::Error("rpc-already-started", "RpcServer::Start called twice");
  ServerShared& s = *d.shared;
  const RpcServerOptions& o = s.options;

  auto allow_main = IpAllowList::Parse(o.allow_ips);
  if (!allow_main) return allow_main.status();
  s.allow_main = std::move(allow_main).value();
  auto allow_public = IpAllowList::Parse(o.public_allow_ips);
  if (!allow_public) return allow_public.status();
  s.allow_public = std::move(allow_public).value();
  for (const auto& line : o.rpcauth) DEPIN_RETURN_IF_ERROR(s.auth.AddRpcAuthLine(line));
  if (o.public_port) {
    s.limiter = std::make_unique<RateLimiter>(o.public_rate_per_second, o.public_rate_burst);
  }
  AuthThrottleOptions throttle;
  throttle.budget = o.auth_failure_budget;
  throttle.backoff = o.auth_backoff;
  s.auth_throttle = std::make_unique<AuthThrottle>(throttle);
  s.origins.emplace(o.vhosts, o.cors_domains);

  uint16_t port = 0;
  DEPIN_RETURN_IF_ERROR(d.BindAll(o.bind_addresses, o.port, /*public_port=*/false, port));
  if (o.public_port) {
    uint16_t public_port = 0;
    Status st =
        d.BindAll(o.public_bind_addresses, *o.public_port, /*public_port=*/true, public_port);
    if (!st.ok()) {
      d.listeners.clear();
      return st;
    }
    d.public_port = public_port;
  }
  if (!o.cookie_dir.empty()) {
    Status st = s.auth.WriteCookie(o.cookie_dir);
    if (!st.ok()) {
      d.listeners.clear();
      return st;
    }
  }
  d.port = port;
  s.pool = std::make_unique<ThreadPool>("rpc-worker", o.threads, o.work_queue_depth);
  s.admin_pool = std::make_unique<ThreadPool>("rpc-admin", std::max<size_t>(o.admin_threads, 1),
                                              o.admin_work_queue_depth);
  d.started = true;
  for (auto& l : d.listeners) l->Run();
  for (size_t i = 0; i < std::max<size_t>(o.io_threads, 1); ++i) {
    d.threads.emplace_back([&d, i] {
      SetThreadName("rpc-io." + std::to_string(i));
      d.ioc.run();
    });
  }
  return Status::Ok();
}

void RpcServer::Stop() {
  Impl& d = *impl_;
  if (!d.started || d.stopped) return;
  d.stopped = true;
  ServerShared& s = *d.shared;
  for (auto& l : d.listeners) l->Close();

  {
    MutexLock lock(s.mu);
    s.stopping = true;
  }
  // Queued requests are dropped (their connections close). Running
  // handlers finish first and queue their replies, which the sessions then
  // send before closing: the caller of `stop` gets its answer.
  s.pool->Stop();
  s.admin_pool->Stop();
  std::vector<std::shared_ptr<SessionBase>> open;
  {
    MutexLock lock(s.mu);
    for (auto& [id, weak] : s.sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->Shutdown();
  open.clear();
  {
    MutexLock lock(s.mu);
    bool drained = s.cv.WaitFor(s.mu, s.options.shutdown_timeout,
                                [&s]() REQUIRES(s.mu) { return s.sessions.empty(); });
    if (!drained) {
      LogWarn(s.logger, LogCategory::kRpc, "RPC stop: {} connections did not close in time",
              s.sessions.size());
    }
  }
  d.work.reset();
  d.ioc.stop();
  for (auto& t : d.threads) t.join();
  d.threads.clear();
  d.listeners.clear();
  s.auth.RemoveCookie();
  LogInfo(s.logger, LogCategory::kRpc, "RPC server stopped");
}

uint16_t RpcServer::port() const { return impl_->port; }
std::optional<uint16_t> RpcServer::public_port() const { return impl_->public_port; }
std::string RpcServer::cookie() const { return impl_->shared->auth.cookie(); }

size_t RpcServer::queued_requests() const {
  const ServerShared& s = *impl_->shared;
  return (s.pool ? s.pool->pending() : 0) + (s.admin_pool ? s.admin_pool->pending() : 0);
}
size_t RpcServer::open_connections() const {
  return impl_->shared->connections[0].load() + impl_->shared->connections[1].load();
}

}  // namespace depin

// JSON-RPC 2.0 dispatch: turns a request body (one request or a batch) into
// a response body, independent of transport. It parses with RapidJSON,
// checks the envelope (-32700 / -32600), finds the method in the registered
// tables (-32601), enforces access (admin methods need an authenticated
// caller and never run on the public port), checks params against the table
// (-32602), runs the handler and serializes its result or error. A built-in
// public `help` method lists methods or shows one method's help.
//
// Shapes and policies:
// - "jsonrpc" must be exactly "2.0"; "method" a string; "params" absent, an
//   array or an object; "id" a string, number or null. A request without
//   "id" is a notification: it runs, but gets no response entry.
// - An invalid request always gets an error entry (with id null when the id
//   itself is unusable), notification or not.
// - Batches: non-empty arrays of at most `max_batch` entries, run in order.
//   An empty batch or a too large one is a single -32600 error.
// - Rate limit: each request (each batch entry) is charged one token
//   through RpcCallContext::Charge; an entry that is refused gets -32005
//   "rate limit exceeded" (a notification: nothing) and does not run.
// - Admin method, unauthenticated caller on the main port: -32001
//   "unauthorized". On the public port admin methods do not exist: -32601.
// - A handler that throws gets -32603 "internal error" (details are logged,
//   not sent).
//
// - Warm-up: a dispatcher put in warm-up (SetWarmup) answers every
//   well-formed request with -28 and the warm-up message, except `stop`,
//   which runs the warm-up stop callback. depind serves RPC through such a
//   dispatcher while it loads or rebuilds the chainstate, then switches the
//   server to the real one.
//
// Thread-safety: AddTable() and SetCallObserver() only before the first Dispatch(); Dispatch() is
// const and may run on many threads at once. SetWarmup() may be called at
// any time from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/json_rpc.h"
#include "rpc/rpc_table.h"

namespace depin {

class Logger;

class RpcDispatcher {
 public:
  explicit RpcDispatcher(Logger* logger = nullptr);
  ~RpcDispatcher();
  RpcDispatcher(const RpcDispatcher&) = delete;
  RpcDispatcher& operator=(const RpcDispatcher&) = delete;

  // Registers every method of `table`. Fails ("rpc-duplicate-method",
  // "rpc-bad-default") on a name registered before or a default that is not
  // valid JSON of the declared type; nothing is registered then.
  Status AddTable(RpcTable table);

  // The response body for `body`, or an empty string when nothing is to be
  // sent (only notifications).
  std::string Dispatch(std::string_view body, const RpcCallContext& context,
                       size_t max_batch = 1000) const;

  // Called after each handler runs (not for requests refused before it:
  // parse, access or parameter errors) with the method's name, how long the
  // handler took and whether it answered without an error: the -metrics
  // per-method counters and latencies. Set before the first Dispatch().
  using CallObserver =
      std::function<void(const std::string& method, std::chrono::nanoseconds elapsed, bool ok)>;
  void SetCallObserver(CallObserver observer) { observer_ = std::move(observer); }

  // Registered tables in registration order (for RenderRpcMarkdown).
  std::vector<const RpcTable*> tables() const;
  const RpcMethod* FindMethod(std::string_view name) const;
  // True when `body` is one small request (not a batch) for a method marked
  // inline_ok (and, where the method has one, passing its inline_if), so the
  // server can run it on the I/O thread.
  bool RunsInline(std::string_view body) const;

  // Text of `help` / `help <method>` as seen by a caller of this kind.
  std::string HelpText(std::string_view method, const RpcCallContext& context) const;

  // Puts this dispatcher in warm-up with `message` (or updates the message);
  // `stop` (may be empty) is what a `stop` request runs meanwhile.
  void SetWarmup(std::string message, std::function<void()> stop = {});

  // Serializes an error response with id null; for transport-level errors.
  static std::string ErrorResponse(int code, std::string_view message);

 private:
  struct Entry;
  class Writer;

  void DispatchOne(const rapidjson::Value& request, const RpcCallContext& context,
                   Writer& out) const;

  Logger* const logger_;
  mutable std::mutex warmup_mu_;
  bool warmup_ = false;  // guarded by warmup_mu_
  std::string warmup_message_;
  std::function<void()> warmup_stop_;
  CallObserver observer_;
  std::vector<std::unique_ptr<RpcTable>> tables_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> methods_;
};

}  // namespace depin

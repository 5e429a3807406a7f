// A long-lived client connection (a websocket) that the server can push
// messages to outside of request/response, e.g. eth_subscribe notifications.
// Handlers get it via RpcCallContext::session and may keep the shared_ptr;
// it stays valid (Send() just returns false) after the connection closes.
//
// Thread-safety: all methods may be called from any thread. Close hooks run
// on the server's I/O thread and must not block.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace depin {

class RpcSession {
 public:
  virtual ~RpcSession() = default;

  // Unique per server lifetime, never 0.
  virtual uint64_t id() const = 0;
  // Queues one text message (a complete JSON document). False when the
  // session is closed. A session whose outbound queue exceeds its bound is
  // closed, so a slow reader cannot make the node buffer without limit.
  virtual bool Send(std::string json) = 0;
  virtual bool IsOpen() const = 0;
  // Runs `hook` once when the session closes (at once if already closed),
  // so subscriptions can be dropped.
  virtual void AddCloseHook(std::function<void()> hook) = 0;
  // Closes the connection.
  virtual void Close() = 0;
};

}  // namespace depin

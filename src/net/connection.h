// Connection: one TCP connection to a peer on its own Asio strand. It reads
// frames (header first: magic, command and length are checked before any
// payload byte is read), verifies the checksum and hands whole messages to
// its owner; it writes queued frames in order. It knows nothing of the
// protocol's meaning: handshake, sync and relay live in NetManager.
//
// Flow control: delivered-but-unprocessed bytes are counted; above
// `max_receive_buffer` reading pauses until the owner reports progress
// (MessageProcessed), and the owner may hold reading altogether
// (HoldReading: a peer whose getdata requests are still being served).
// Memory follows the bytes that arrive, not the length a frame claims: a
// payload is read in chunks into a buffer that grows with them, and until
// the peer's verack has been read a frame may claim at most
// kMaxPayloadBeforeHandshake bytes ("msg-too-large-before-handshake").
// Queued send bytes are counted too; the owner stops
// serving data while SendQueueBytes() is above its limit, and the
// connection closes itself when the queue passes a hard cap.
//
// This header includes Boost.Asio: include it from .cpp files only.
//
// Thread-safety: Send, Close, MessageProcessed and the accessors may be
// called from any thread; everything touching the socket runs on the strand.
// Callbacks run on an I/O thread and must not block.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "net/net_address.h"
#include "net/protocol.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::net {

// The largest payload a peer may announce before the handshake is done (a
// version message is a few hundred bytes).
inline constexpr size_t kMaxPayloadBeforeHandshake = 64 * 1024;
// Payloads are read this many bytes at a time.
inline constexpr size_t kPayloadReadChunk = 64 * 1024;

struct ConnectionOptions {
  Magic magic{};
  size_t max_receive_buffer = size_t{5} << 20;
  // Close when queued sends pass this (a peer that stopped reading).
  size_t send_hard_limit = size_t{16} << 20;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  struct Callbacks {
    // A complete, checksummed message.
    std::function<void(const std::shared_ptr<Connection>&, std::string command, Bytes payload)>
        on_message;
    // A frame that cannot be read: bad magic, command, size or checksum.
    // Reading continues only after a bad checksum (the stream is still in
    // step); otherwise the connection closes right after.
    std::function<void(const std::shared_ptr<Connection>&, const Status& error)> on_frame_error;
    // Once, when the connection is closed for any reason.
    std::function<void(const std::shared_ptr<Connection>&, const std::string& reason)> on_closed;
  };

  Connection(uint64_t id, Socket socket, bool inbound, NetAddress remote,
             const ConnectionOptions& options, Callbacks callbacks);
  ~Connection();

  // Starts the read loop.
  void Start();
  // Frames and queues a message.
  void Send(std::string_view command, ByteSpan payload);
  void Close(std::string reason);
  // The owner finished a delivered message of `bytes` payload bytes.
  void MessageProcessed(size_t bytes);
  // While held, no further message is read (a message being read completes).
  void HoldReading(bool hold);
  bool reading_held() const { return hold_reading_.load(); }

  uint64_t id() const { return id_; }
  bool inbound() const { return inbound_; }
  const NetAddress& remote() const { return remote_; }
  NetAddress local() const;
  bool closed() const { return closed_.load(); }
  size_t SendQueueBytes() const { return send_queue_bytes_.load(); }
  uint64_t bytes_sent() const { return bytes_sent_.load(); }
  uint64_t bytes_received() const { return bytes_received_.load(); }
  std::chrono::steady_clock::time_point connected_at() const { return connected_at_; }

 private:
  void ReadHeader();
  void ReadPayload(MessageHeader header);
  void ReadPayloadChunk(MessageHeader header);
  void DeliverPayload(MessageHeader header);
  void MaybeResumeReading();
  void WriteNext();
  void DoClose(const std::string& reason);

  const uint64_t id_;
  Socket socket_;
  boost::asio::strand<Socket::executor_type> strand_;
  const bool inbound_;
  const NetAddress remote_;
  const ConnectionOptions options_;
  const Callbacks callbacks_;
  const std::chrono::steady_clock::time_point connected_at_;

  // Strand-only state.
  std::array<uint8_t, kMessageHeaderSize> header_buf_{};
  Bytes payload_buf_;  // grows as payload bytes arrive
  std::array<uint8_t, kPayloadReadChunk> chunk_buf_{};
  std::deque<Bytes> send_queue_;
  bool writing_ = false;
  bool read_paused_ = false;
  bool reading_ = false;

  std::atomic<bool> closed_{false};
  std::atomic<size_t> max_payload_{kMaxPayloadBeforeHandshake};
  std::atomic<bool> hold_reading_{false};
  std::atomic<size_t> send_queue_bytes_{0};
  std::atomic<size_t> pending_receive_bytes_{0};
  std::atomic<uint64_t> bytes_sent_{0};
  std::atomic<uint64_t> bytes_received_{0};
};

// Converts between Asio endpoints and NetAddress.
NetAddress FromEndpoint(const boost::asio::ip::tcp::endpoint& endpoint);
boost::asio::ip::tcp::endpoint ToEndpoint(const NetAddress& address);

}  // namespace depin::net

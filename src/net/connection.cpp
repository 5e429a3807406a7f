#include "net/connection.h"

// Asio's scheduler trips GCC's -Wnull-dereference at -O2 (a false positive in
// Boost headers that -isystem does not silence once inlined here).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

namespace depin::net {

namespace asio = boost::asio;
using asio::ip::tcp;

NetAddress FromEndpoint(const tcp::endpoint& endpoint) {
  NetAddress a;
  asio::ip::address ip = endpoint.address();
  if (ip.is_v4()) {
    a = NetAddress::FromIpv4(ip.to_v4().to_uint(), endpoint.port());
  } else {
    a.ip = ip.to_v6().to_bytes();
    a.port = endpoint.port();
  }
  return a;
}

tcp::endpoint ToEndpoint(const NetAddress& address) {
  asio::ip::address_v6 v6(address.ip);
  if (v6.is_v4_mapped()) {
    return tcp::endpoint(asio::ip::make_address_v4(asio::ip::v4_mapped, v6), address.port);
  }
  return tcp::endpoint(v6, address.port);
}

Connection::Connection(uint64_t id, Socket socket, bool inbound, NetAddress remote,
                       const ConnectionOptions& options, Callbacks callbacks)
    : id_(id),
      socket_(std::move(socket)),
      strand_(asio::make_strand(socket_.get_executor())),
      inbound_(inbound),
      remote_(remote),
      options_(options),
      callbacks_(std::move(callbacks)),
      connected_at_(std::chrono::steady_clock::now()) {}

Connection::~Connection() = default;

NetAddress Connection::local() const {
  boost::system::error_code ec;
  auto ep = socket_.local_endpoint(ec);
  if (ec) return NetAddress();
  return FromEndpoint(ep);
}

void Connection::Start() {
  asio::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->socket_.set_option(tcp::no_delay(true), ec);
    self->ReadHeader();
  });
}

void Connection::ReadHeader() {
  if (closed_) return;
  if (hold_reading_.load() || pending_receive_bytes_.load() > options_.max_receive_buffer) {
    read_paused_ = true;
    return;
  }
  reading_ = true;
  asio::async_read(socket_, asio::buffer(header_buf_),
                   asio::bind_executor(strand_, [self = shared_from_this()](
                                                    boost::system::error_code ec, size_t n) {
                     self->reading_ = false;
                     if (ec) {
                       self->DoClose(ec == asio::error::eof ? "peer closed the connection"
                                                            : "read error: " + ec.message());
                       return;
                     }
                     self->bytes_received_ += n;
                     auto header = DecodeMessageHeader(self->header_buf_, self->options_.magic);
                     if (!header) {
                       if (self->callbacks_.on_frame_error)
                         self->callbacks_.on_frame_error(self, header.status());
                       self->DoClose(header.status().ToString());
                       return;
                     }
                     if (header->length > self->max_payload_.load()) {
                       Status too_large = Status::Error(
                           StatusKind::kLimitExceeded, "msg-too-large-before-handshake",
                           "a '" + header->command + "' frame claims " +
                               std::to_string(header->length) + " bytes before the handshake");
                       if (self->callbacks_.on_frame_error)
                         self->callbacks_.on_frame_error(self, too_large);
                       self->DoClose(too_large.ToString());
                       return;
                     }
                     self->ReadPayload(std::move(*header));
                   }));
}

void Connection::ReadPayload(MessageHeader header) {
  payload_buf_.clear();
  payload_buf_.reserve(std::min<size_t>(header.length, kPayloadReadChunk));
  if (header.length == 0) {
    asio::post(strand_, [self = shared_from_this(), header = std::move(header)]() mutable {
      self->DeliverPayload(std::move(header));
    });
    return;
  }
  ReadPayloadChunk(std::move(header));
}

// Reads the next chunk of the payload: memory grows with the bytes that
// arrived, so a frame claiming megabytes costs nothing until they come.
void Connection::ReadPayloadChunk(MessageHeader header) {
  const size_t want = std::min(kPayloadReadChunk, header.length - payload_buf_.size());
  reading_ = true;
  asio::async_read(
      socket_, asio::buffer(chunk_buf_.data(), want),
      asio::bind_executor(strand_, [self = shared_from_this(), header = std::move(header)](
                                       boost::system::error_code ec, size_t n) mutable {
        self->reading_ = false;
        if (ec) {
          self->DoClose("read error: " + ec.message());
          return;
        }
        self->bytes_received_ += n;
        self->payload_buf_.insert(self->payload_buf_.end(), self->chunk_buf_.begin(),
                                  self->chunk_buf_.begin() + static_cast<ptrdiff_t>(n));
        if (self->payload_buf_.size() < header.length) {
          self->ReadPayloadChunk(std::move(header));
          return;
        }
        self->DeliverPayload(std::move(header));
      }));
}

void Connection::DeliverPayload(MessageHeader header) {
  Bytes payload = std::move(payload_buf_);
  payload_buf_ = Bytes();
  if (Status s = VerifyPayload(header, payload); !s.ok()) {
    if (callbacks_.on_frame_error) callbacks_.on_frame_error(shared_from_this(), s);
    ReadHeader();
    return;
  }
  // The peer's verack ends its side of the handshake: from the next frame on
  // it may send full-size messages (raised here, in stream order, so a large
  // message right behind the verack is not refused before the owner has
  // processed the verack).
  if (header.command == kMsgVerack) max_payload_.store(kMaxMessageSize);
  pending_receive_bytes_ += payload.size();
  if (callbacks_.on_message) {
    callbacks_.on_message(shared_from_this(), std::move(header.command), std::move(payload));
  }
  ReadHeader();
}

void Connection::HoldReading(bool hold) {
  hold_reading_.store(hold);
  if (!hold) asio::post(strand_, [self = shared_from_this()] { self->MaybeResumeReading(); });
}

void Connection::MessageProcessed(size_t bytes) {
  size_t before = pending_receive_bytes_.fetch_sub(bytes);
  if (before > options_.max_receive_buffer && before - bytes <= options_.max_receive_buffer) {
    asio::post(strand_, [self = shared_from_this()] { self->MaybeResumeReading(); });
  }
}

void Connection::MaybeResumeReading() {
  if (!read_paused_ || reading_ || closed_) return;
  read_paused_ = false;
  ReadHeader();
}

void Connection::Send(std::string_view command, ByteSpan payload) {
  if (closed_) return;
  Bytes frame = EncodeMessage(options_.magic, command, payload);
  size_t queued = send_queue_bytes_.fetch_add(frame.size()) + frame.size();
  if (queued > options_.send_hard_limit) {
    Close("send buffer overflow: the peer does not read");
    return;
  }
  asio::post(strand_, [self = shared_from_this(), frame = std::move(frame)]() mutable {
    if (self->closed_) return;
    self->send_queue_.push_back(std::move(frame));
    if (!self->writing_) self->WriteNext();
  });
}

void Connection::WriteNext() {
  if (send_queue_.empty() || closed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  asio::async_write(socket_, asio::buffer(send_queue_.front()),
                    asio::bind_executor(strand_, [self = shared_from_this()](
                                                     boost::system::error_code ec, size_t n) {
                      if (ec) {
                        self->writing_ = false;
                        self->DoClose("write error: " + ec.message());
                        return;
                      }
                      // DoClose may have run on the strand between the write
                      // finishing and this handler: the queue is gone then.
                      if (self->closed_ || self->send_queue_.empty()) {
                        self->writing_ = false;
                        return;
                      }
                      self->bytes_sent_ += n;
                      self->send_queue_bytes_ -= self->send_queue_.front().size();
                      self->send_queue_.pop_front();
                      self->WriteNext();
                    }));
}

void Connection::Close(std::string reason) {
  asio::post(strand_,
             [self = shared_from_this(), reason = std::move(reason)] { self->DoClose(reason); });
}

void Connection::DoClose(const std::string& reason) {
  if (closed_.exchange(true)) return;
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  send_queue_.clear();
  send_queue_bytes_ = 0;
  if (callbacks_.on_closed) callbacks_.on_closed(shared_from_this(), reason);
}

}  // namespace depin::net

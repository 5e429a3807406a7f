// Connection's receive flow control (-maxreceivebuffer) over a real loopback
// socket: a peer that sends faster than its messages are processed gets
// nothing more read from it once the delivered-but-unprocessed bytes pass
// the limit, and reading resumes as the owner reports progress.
//
// Asio's scheduler trips GCC's -Wnull-dereference at -O2 (a false positive
// in its headers), as in connection.cpp.
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "net/connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "net/protocol.h"

namespace depin::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kPayload = 16 * 1024;
constexpr size_t kMessages = 200;  // 3.2 MB in all
constexpr size_t kLimit = 64 * 1024;

// Waits up to `seconds` for `done`.
template <typename Fn>
bool WaitFor(Fn done, double seconds = 10) {
  const auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(Connection, ReadingPausesAboveTheReceiveBufferAndResumesOnProgress) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  tcp::socket server = acceptor.accept();

  const Magic magic{0xd3, 0x9e, 0x1a, 0x7f};
  std::atomic<size_t> delivered{0};
  std::mutex mu;
  std::vector<size_t> sizes;
  Connection::Callbacks callbacks;
  callbacks.on_message = [&](const std::shared_ptr<Connection>&, std::string, Bytes payload) {
    std::lock_guard<std::mutex> lock(mu);
    sizes.push_back(payload.size());
    delivered.fetch_add(1);
  };
  callbacks.on_frame_error = [](const std::shared_ptr<Connection>&, const Status&) {};
  callbacks.on_closed = [](const std::shared_ptr<Connection>&, const std::string&) {};
  ConnectionOptions options;
  options.magic = magic;
  options.max_receive_buffer = kLimit;
  auto conn = std::make_shared<Connection>(1, std::move(server), /*inbound=*/true, NetAddress(),
                                           options, callbacks);
  conn->Start();
  // Keeps run() going while the connection has no read outstanding (paused).
  auto work = asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });

  // The peer writes everything at once from its own thread (blocking writes:
  // they stall once the node stops reading and the socket buffers fill).
  const Bytes frame = EncodeMessage(magic, "tx", Bytes(kPayload, 0x5a));
  std::atomic<bool> all_written{false};
  std::thread writer([&] {
    boost::system::error_code ec;
    for (size_t i = 0; i < kMessages && !ec; ++i) asio::write(client, asio::buffer(frame), ec);
    all_written = !ec;
  });

  // Nothing is processed: delivery stops just past the limit.
  const size_t at_most = kLimit / kPayload + 1;
  ASSERT_TRUE(WaitFor([&] { return delivered.load() >= at_most; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(delivered.load(), at_most) << "reading should pause above " << kLimit << " bytes";
  EXPECT_LE(conn->bytes_received(), kLimit + 2 * frame.size())
      << "the node read past its receive buffer";

  // Processing every delivered message resumes reading, until all arrive.
  size_t processed = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        std::vector<size_t> batch;
        {
          std::lock_guard<std::mutex> lock(mu);
          batch.assign(sizes.begin() + static_cast<std::ptrdiff_t>(processed), sizes.end());
        }
        for (size_t s : batch) conn->MessageProcessed(s);
        processed += batch.size();
        return processed == kMessages;
      },
      30))
      << "processed " << processed << " of " << kMessages;
  EXPECT_TRUE(WaitFor([&] { return all_written.load(); }));
  EXPECT_EQ(conn->bytes_received(), kMessages * frame.size());

  writer.join();
  conn->Close("test over");
  work.reset();
  io.stop();
  io_thread.join();
}

}  // namespace
}  // namespace depin::net

#pragma once
// The first half of a write that usually needs no second: one send on the caller's thread.
// An HTTP message almost always fits in the socket's send buffer, and sent here it costs no trip
// through Asio's reactor and scheduler to resume the coroutine that wrote it. The caller sends
// what is left, if anything, with async_write. Used by the server for answers and by the load
// generator for requests.

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>

namespace checkin::gateway {

// The bytes of `bytes` the socket took now: 0 when its buffer is full (would_block is not an
// error here), and 0 with `ec` set on a real failure. `socket` must be non_blocking(true), or
// the send would wait instead.
inline std::size_t send_now(boost::asio::ip::tcp::socket& socket, boost::asio::const_buffer bytes,
                            boost::system::error_code& ec) {
  const std::size_t sent = socket.write_some(bytes, ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : sent;
}

}  // namespace checkin::gateway

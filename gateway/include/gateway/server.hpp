#pragma once
// The HTTP/1.1 transport: one io_context per worker thread, one coroutine per connection
// (read → handle → write, keep-alive), a deadline on every read and write, a cap on open
// connections, and a graceful stop (no new connections; in-flight requests finish; idle
// keep-alive connections close). Knows nothing of routes: it hands requests to an app.

#include "gateway/http_types.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace checkin::gateway {

struct server_limits {
  std::size_t header_limit = 8 * 1024;
  std::size_t body_limit = 512 * 1024;
  std::chrono::seconds idle_timeout{30};   // waiting for the next request on a connection
  std::chrono::seconds read_timeout{15};   // reading the body once the headers arrived
  std::chrono::seconds write_timeout{15};
  std::size_t max_connections = 20'000;
  std::chrono::seconds drain_timeout{20};  // on stop, how long in-flight requests may take
};

// What the server calls for each request. handle() may suspend (group commit, hashing).
class http_app {
 public:
  virtual ~http_app() = default;
  virtual net::awaitable<response> handle(request_context& ctx) = 0;
  // After the answer is written (or failed): access log and metrics.
  virtual void on_response(const request_context& ctx, const response& res,
                           std::chrono::microseconds latency) = 0;
  // A connection opened (+1) or closed (-1), or was refused at the cap.
  virtual void on_connection(int delta) = 0;
  virtual void on_refused_connection() = 0;
  // stop() was called: no new connections; requests on open ones are still answered.
  virtual void on_stopping() = 0;
};

class http_server {
 public:
  http_server(http_app& app, server_limits limits, unsigned threads);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds and listens; port 0 picks a free port. Throws boost::system::system_error.
  void listen(const std::string& address, std::uint16_t port);
  [[nodiscard]] std::uint16_t port() const noexcept;

  // Runs the worker threads; returns after stop() has drained every connection.
  // Installs SIGINT/SIGTERM handlers that call stop().
  void run();
  // Thread-safe, idempotent.
  void stop();

  [[nodiscard]] std::size_t open_connections() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace checkin::gateway

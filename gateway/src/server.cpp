#include "gateway/server.hpp"

#include "gateway/fd_budget.hpp"
#include "gateway/request_framing.hpp"
#include "gateway/request_parser.hpp"
#include "gateway/send_now.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include <pthread.h>
#include <algorithm>
#include <array>
#include <optional>
#include <thread>
#include <unordered_set>

namespace checkin::gateway {
namespace {

using tcp = net::ip::tcp;
using namespace std::chrono;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

// Deadlines are not one timer per operation: each connection holds the time its current read or
// write must finish by, and its worker's sweep (every sweep_interval) cancels the socket of any
// connection past it. A timeout therefore fires up to one interval late, and a request costs
// no timer queue work at all.
constexpr auto sweep_interval = milliseconds{250};
// The most a lingering close (see linger) reads and drops before it closes regardless.
constexpr std::size_t linger_max_bytes = 4 * 1024 * 1024;

struct connection {
  // Non-blocking in Asio's user-visible sense too, for write()'s send_now (send_now.hpp).
  // Asynchronous operations are unaffected.
  explicit connection(tcp::socket s) : socket(std::move(s)) {
    beast::error_code ec;
    socket.non_blocking(true, ec);
  }

  tcp::socket socket;
  steady_clock::time_point deadline = steady_clock::time_point::max();
  bool idle = true;  // waiting for the next request: safe to close on stop
  std::string out;   // the serialized answer; its capacity is reused across requests

  void expires_after(steady_clock::duration d) { deadline = steady_clock::now() + d; }
  void cancel() {
    beast::error_code ec;
    socket.cancel(ec);
  }
};

struct worker {
  net::io_context ctx{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard{ctx.get_executor()};
  std::unordered_set<connection*> connections;  // touched only on ctx's thread
  net::steady_timer sweep{ctx};
};

// What a connection has read and not yet handed to a request's parser.
struct inbound {
  beast::flat_buffer buffer;
  bool starved = false;  // the parser has seen all of `buffer` and needs more (see read())
};

// read()'s verdict on a chunk header or trailer section past the header limit: a header
// field too large, in effect, answered like one (431).
beast::error_code framing_limit_error() { return http::error::header_limit; }

// The request's framing as check_framing judges it. Every field is walked only when there is a
// Transfer-Encoding: Beast keeps fields in arrival order, so equal fields need not be adjacent.
framing_problem framing_of(const request& req) {
  const bool has_length = req.find(http::field::content_length) != req.end();
  if (req.find(http::field::transfer_encoding) == req.end()) {
    return check_framing({}, has_length, req.version());
  }
  std::array<std::string_view, 8> codings{};
  std::size_t n = 0;
  for (const auto& f : req) {
    if (f.name() != http::field::transfer_encoding) continue;
    // More fields than this is no request we serve: too many to be "chunked" alone.
    if (n == codings.size()) return framing_problem::unsupported_coding;
    codings[n++] = f.value();
  }
  return check_framing(std::span(codings.data(), n), has_length, req.version());
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

}  // namespace

struct http_server::impl {
  http_app& app;
  server_limits limits;
  std::vector<std::unique_ptr<worker>> workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open{0};
  std::size_t next_worker = 0;  // accept loop only

  impl(http_app& a, server_limits l, unsigned threads)
      : app(a), limits(l), workers(make_workers(threads)), acceptor(workers[0]->ctx),
        signals(workers[0]->ctx, SIGINT, SIGTERM) {}

  static std::vector<std::unique_ptr<worker>> make_workers(unsigned n) {
    std::vector<std::unique_ptr<worker>> w;
    for (unsigned i = 0; i < std::max(1u, n); ++i) w.push_back(std::make_unique<worker>());
    return w;
  }

  // One buffer, one send: the answer serialized by hand rather than through Beast's serializer,
  // which assembles the same bytes from a chain of buffer views on every write.
  net::awaitable<beast::error_code> write(connection& conn, const response& res) {
    conn.expires_after(limits.write_timeout);
    if (res.chunked()) {  // nothing answers chunked today; Beast's writer handles it if one does
      auto [ec, n] = co_await http::async_write(conn.socket, res, tuple_awaitable);
      co_return ec;
    }
    serialize_response(res, conn.out);
    beast::error_code ec;
    const std::size_t sent = send_now(conn.socket, net::buffer(conn.out), ec);
    if (!ec && sent < conn.out.size()) {
      std::size_t n = 0;
      std::tie(ec, n) = co_await net::async_write(
          conn.socket, net::buffer(conn.out.data() + sent, conn.out.size() - sent),
          tuple_awaitable);
    }
    if (conn.out.capacity() > 64 * 1024) std::string().swap(conn.out);  // a big answer: let it go
    co_return ec;
  }

  net::awaitable<void> write_and_close(connection& conn, response res) {
    res.keep_alive(false);
    (void)co_await write(conn, res);
  }

  net::awaitable<void> refuse(worker& w, tcp::socket socket) {
    connection conn{std::move(socket)};
    w.connections.insert(&conn);
    auto res = error_response(api_error::unavailable, "the server is at its connection limit",
                              seconds{1});
    co_await write_and_close(conn, std::move(res));
    w.connections.erase(&conn);
    beast::error_code ec;
    conn.socket.shutdown(tcp::socket::shutdown_send, ec);
  }

  // After an error answer to a request whose body was not read (413, 431, 400): stop sending,
  // then read and drop what the client is still sending, for a short while, so that closing
  // does not reset the connection under an answer the client has not read yet.
  net::awaitable<void> linger(connection& conn) {
    beast::error_code ec;
    conn.socket.shutdown(tcp::socket::shutdown_send, ec);
    conn.expires_after(seconds{2});
    std::array<char, 8192> sink;
    std::size_t dropped = 0;
    while (!ec && dropped < linger_max_bytes) {
      std::size_t n = 0;
      std::tie(ec, n) = co_await conn.socket.async_read_some(net::buffer(sink), tuple_awaitable);
      dropped += n;
    }
  }

  // Cancels the operation of every connection of `w` that is past its deadline; the coroutine
  // sees operation_aborted and closes the connection, as a timeout did before.
  net::awaitable<void> sweep_loop(worker& w) {
    while (!w.connections.empty() || !stopping) {
      w.sweep.expires_after(sweep_interval);
      auto [ec] = co_await w.sweep.async_wait(tuple_awaitable);
      if (ec && stopping && w.connections.empty()) co_return;
      const auto now = steady_clock::now();
      for (auto* c : w.connections) {
        if (c->deadline <= now) {
          c->deadline = steady_clock::time_point::max();
          c->cancel();
        }
      }
    }
  }

  net::awaitable<void> accept_loop() {
    accept_failures failures;
    for (;;) {
      auto& w = *workers[next_worker++ % workers.size()];
      auto [ec, socket] = co_await acceptor.async_accept(w.ctx, tuple_awaitable);
      if (stopping) co_return;
      if (ec) {
        if (ec == net::error::operation_aborted) co_return;
        // EMFILE and friends: back off, longer while it lasts, and say so without flooding.
        const auto action = on_accept_failure(failures, steady_clock::now());
        if (action.log) {
          spdlog::warn("accept failed: {} ({} more since the last such line); pausing accepts {} ms",
                       ec.message(), action.suppressed, action.pause.count());
        }
        net::steady_timer t(acceptor.get_executor(), action.pause);
        (void)co_await t.async_wait(tuple_awaitable);
        continue;
      }
      on_accept_success(failures);
      if (open.load() >= limits.max_connections) {
        app.on_refused_connection();
        net::co_spawn(w.ctx, refuse(w, std::move(socket)), net::detached);
        continue;
      }
      ++open;
      app.on_connection(+1);
      net::co_spawn(w.ctx, run_connection(w, std::move(socket)), net::detached);
    }
  }

  net::awaitable<void> run_connection(worker& w, tcp::socket socket) {
    connection conn{std::move(socket)};
    w.connections.insert(&conn);
    beast::error_code ec;
    const auto peer = conn.socket.remote_endpoint(ec);
    const std::string remote = ec ? std::string("unknown") : peer.address().to_string();
    try {
      co_await serve(conn, remote);
    } catch (const std::exception& e) {
      spdlog::error("connection from {} failed: {}", remote, e.what());
    }
    w.connections.erase(&conn);
    conn.socket.shutdown(tcp::socket::shutdown_send, ec);
    conn.socket.close(ec);
    --open;
    app.on_connection(-1);
  }

  // Feeds `parser` from `in`, reading more from the socket when it needs more, until it has
  // the header (`whole` false) or the whole message. What Beast's async_read_header / async_read
  // do, without their composed-operation layers on every request.
  //
  // Two rules of Beast's parser are kept here. After put() says need_more, it must not see the
  // same bytes again before more are appended (its chunk-trailer state asserts on it), so
  // `in.starved` survives from the header read into the body read. And it bounds only the
  // header: a chunk header or the trailer section is searched for its end in whatever it is
  // given, so the bytes it leaves unconsumed are capped here at the header limit.
  net::awaitable<beast::error_code> read(connection& conn, inbound& in, request_parser& parser,
                                         bool whole) {
    const auto complete = [&] { return whole ? parser.is_done() : parser.is_header_done(); };
    for (;;) {
      if (in.buffer.size() > 0 && !in.starved) {
        beast::error_code ec;
        const std::size_t used = parser.put(in.buffer.data(), ec);
        in.buffer.consume(used);
        if (ec == http::error::need_more) {
          in.starved = true;
          if (parser.is_header_done() && in.buffer.size() >= limits.header_limit) {
            co_return framing_limit_error();
          }
        } else if (ec) {
          co_return ec;
        }
        if (complete()) co_return beast::error_code{};
        if (!ec && used > 0 && in.buffer.size() > 0) continue;
      }
      const std::size_t room = std::clamp<std::size_t>(in.buffer.capacity() - in.buffer.size(),
                                                       1024, 64 * 1024);
      auto [ec, n] = co_await conn.socket.async_read_some(in.buffer.prepare(room), tuple_awaitable);
      if (ec == net::error::eof) {
        if (!parser.got_some()) co_return http::error::end_of_stream;
        beast::error_code eof;
        parser.put_eof(eof);
        if (eof) co_return eof;
        co_return complete() ? beast::error_code{} : beast::error_code{http::error::partial_message};
      }
      if (ec) co_return ec;
      in.buffer.commit(n);
      in.starved = false;
    }
  }

  net::awaitable<void> serve(connection& conn, const std::string& remote) {
    inbound in;
    while (!stopping) {
      in.starved = false;  // a new parser has seen none of what is left over
      // Before the parser, so it outlives the request made from it (the end of this iteration).
      request_arena arena;
      const request_allocator<char> in_arena{&arena};
      request_parser parser{std::piecewise_construct, std::make_tuple(in_arena),
                            std::make_tuple(in_arena)};
      configure_request_parser(parser, limits);

      conn.idle = true;
      conn.expires_after(limits.idle_timeout);
      auto ec = co_await read(conn, in, parser, false);
      conn.idle = false;
      if (!ec) {
        if (const auto problem = framing_of(parser.get()); problem != framing_problem::none) {
          const auto e = problem == framing_problem::unsupported_coding
                             ? api_error::not_implemented
                             : api_error::malformed_request;
          auto answer = error_response(e, describe(problem));  // named: see below on GCC 12
          co_await write_and_close(conn, std::move(answer));
          co_await linger(conn);
          co_return;
        }
      }
      if (!ec && !parser.is_done()) {
        const auto& h = parser.get();
        if (beast::iequals(h[http::field::expect], "100-continue")) {
          static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
          conn.expires_after(limits.write_timeout);
          std::size_t n = 0;
          std::tie(ec, n) = co_await net::async_write(conn.socket, net::buffer(cont), tuple_awaitable);
        }
        if (!ec) {
          conn.expires_after(limits.read_timeout);
          ec = co_await read(conn, in, parser, true);
        }
      }
      if (ec) {
        // Named, not temporary, inside co_await: GCC 12 destroys such temporaries twice.
        std::optional<response> answer;
        if (ec == http::error::header_limit && parser.is_header_done()) {
          answer = error_response(api_error::headers_too_large,
                                  "a chunk header or the trailer section is larger than " +
                                      std::to_string(limits.header_limit) + " bytes");
        } else if (ec == http::error::header_limit) {
          answer = error_response(api_error::headers_too_large, "request headers are too large");
        } else if (ec == http::error::body_limit) {
          answer = error_response(api_error::payload_too_large,
                                  "request body is larger than " +
                                      std::to_string(limits.body_limit) + " bytes");
        } else if (is_parse_error(ec)) {
          answer = error_response(api_error::malformed_request, "malformed HTTP request");
        }
        if (answer) {
          co_await write_and_close(conn, std::move(*answer));
          co_await linger(conn);
        }
        co_return;  // timeouts, resets and end of stream just close
      }

      const auto started = steady_clock::now();
      const auto req = parser.release();
      const std::string_view target = req.target();
      const auto q = target.find('?');
      request_context ctx{req, remote, {}, target.substr(0, q),
                          q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
                          {}};
      response res;
      try {
        res = co_await app.handle(ctx);
      } catch (const std::exception& e) {
        // Caught once here; the client learns nothing of the internals.
        spdlog::error("{} {} failed: {}", std::string(req.method_string()), std::string(ctx.target_path),
                      e.what());
        res = error_response(api_error::internal, "internal error");
      }
      const bool keep_alive = req.keep_alive() && !stopping;
      res.keep_alive(keep_alive);
      ec = co_await write(conn, res);
      app.on_response(ctx, res, duration_cast<microseconds>(steady_clock::now() - started));
      if (ec || !keep_alive) co_return;
    }
  }

  // After stop(): wait for in-flight requests, then force-close what is left.
  // Polls until every connection has closed or `deadline` passes.
  net::awaitable<void> wait_for_connections(steady_clock::time_point deadline) {
    net::steady_timer timer(workers[0]->ctx);
    while (open.load() > 0 && steady_clock::now() < deadline) {
      timer.expires_after(milliseconds{20});
      (void)co_await timer.async_wait(tuple_awaitable);
    }
  }

  net::awaitable<void> drain() {
    co_await wait_for_connections(steady_clock::now() + limits.drain_timeout);
    if (open.load() > 0) {
      spdlog::warn("{} connection(s) still busy after {}s; closing them", open.load(),
                   limits.drain_timeout.count());
      for (auto& w : workers) {
        net::post(w->ctx, [&w = *w] {
          for (auto* c : w.connections) c->cancel();
        });
      }
      co_await wait_for_connections(steady_clock::time_point::max());
    }
    for (auto& w : workers) {
      net::post(w->ctx, [&w = *w] {
        w.guard.reset();
        w.sweep.cancel();
      });
    }
  }

  void stop() {
    if (stopping.exchange(true)) return;
    app.on_stopping();
    net::post(workers[0]->ctx, [this] {
      beast::error_code ec;
      acceptor.close(ec);
      signals.cancel(ec);
      net::co_spawn(workers[0]->ctx, drain(), net::detached);
    });
    for (auto& w : workers) {
      net::post(w->ctx, [&w = *w] {
        for (auto* c : w.connections) {
          if (c->idle) c->cancel();
        }
      });
    }
  }
};

http_server::http_server(http_app& app, server_limits limits, unsigned threads)
    : impl_(std::make_unique<impl>(app, limits, threads)) {}

http_server::~http_server() = default;

void http_server::listen(const std::string& address, std::uint16_t port) {
  const tcp::endpoint ep{net::ip::make_address(address), port};
  auto& a = impl_->acceptor;
  a.open(ep.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(net::socket_base::max_listen_connections);
}

std::uint16_t http_server::port() const noexcept {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::size_t http_server::open_connections() const noexcept { return impl_->open.load(); }

void http_server::run() {
  auto& i = *impl_;
  i.signals.async_wait([this](const beast::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}: stopping (in-flight requests finish first)", signo);
    stop();
  });
  net::co_spawn(i.workers[0]->ctx, i.accept_loop(), net::detached);
  for (auto& w : i.workers) net::co_spawn(w->ctx, i.sweep_loop(*w), net::detached);
  std::vector<std::thread> threads;
  for (std::size_t k = 1; k < i.workers.size(); ++k) {
    threads.emplace_back([&w = *i.workers[k], k] {
      // I/O thread 0 is the caller's (main) thread, whose name is the process name: left alone.
      const std::string name = "checkin-io-" + std::to_string(k);
      (void)pthread_setname_np(pthread_self(), name.c_str());
      w.ctx.run();
    });
  }
  i.workers[0]->ctx.run();
  for (auto& t : threads) t.join();
}

void http_server::stop() { impl_->stop(); }

}  // namespace checkin::gateway

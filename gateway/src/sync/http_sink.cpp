#include "gateway/sync/http_sink.hpp"

#include "gateway/sync/batch_json.hpp"
#include "http_outcome.hpp"
#include "http_signature.hpp"
#include "http_url.hpp"

#include <ostream>  // before boost/beast/http (Boost 1.81 misses it)

#include <openssl/ssl.h>
#include <sodium.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>

namespace checkin::gateway::sync {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono;
using detail::http_phase;

constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);
// The answer's body only feeds `detail`; a receiver that streams megabytes gets cut off here.
constexpr std::uint64_t answer_body_limit = 64 * 1024;

using request = http::request<http::string_body>;

// One attempt's timing: resolve, connect and the TLS handshake share connect_timeout; the
// request and its answer share request_timeout.
struct deadlines {
  milliseconds connect;
  milliseconds request;
};

class http_sink final : public sink {
 public:
  explicit http_sink(http_sink_options options)
      : options_(std::move(options)), url_(detail::parse_http_url(options_.url)) {
    if (options_.secret.empty()) throw std::invalid_argument("webhook secret is empty");
    if (options_.connect_timeout <= milliseconds{0} ||
        options_.request_timeout <= milliseconds{0}) {
      throw std::invalid_argument("webhook timeouts must be positive");
    }
    if (url_.scheme == detail::url_scheme::https) tls_.emplace(make_tls_context());
  }
  http_sink(const http_sink&) = delete;
  http_sink& operator=(const http_sink&) = delete;
  ~http_sink() override { sodium_memzero(options_.secret.data(), options_.secret.size()); }

  [[nodiscard]] const std::string& name() const noexcept override { return options_.name; }

  [[nodiscard]] delivery_result deliver(const store::sealed_batch& batch) override {
    delivery_result result{delivery_status::retry, "internal error: attempt did not finish"};
    try {
      auto req = make_request(batch);
      net::co_spawn(ctx_, attempt(std::move(req)),
                    [&result](std::exception_ptr e, delivery_result r) {
                      if (!e) {
                        result = std::move(r);
                        return;
                      }
                      try {
                        std::rethrow_exception(e);
                      } catch (const std::exception& ex) {
                        result.detail = std::string("internal error: ") + ex.what();
                      } catch (...) {
                        result.detail = "internal error";
                      }
                    });
      ctx_.restart();
      ctx_.run();  // every operation below has a deadline, so this returns in bounded time
    } catch (const std::exception& e) {
      result = {delivery_status::retry, std::string("internal error: ") + e.what()};
    }
    return result;
  }

 private:
  ssl::context make_tls_context() const {
    ssl::context tls(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_verify_mode(ssl::verify_peer);
    try {
      if (options_.ca_file) {
        tls.load_verify_file(options_.ca_file->string());
      } else {
        tls.set_default_verify_paths();
      }
    } catch (const boost::system::system_error& e) {
      throw std::invalid_argument("webhook CA file " +
                                  (options_.ca_file ? options_.ca_file->string() : "(system)") +
                                  ": " + e.code().message());
    }
    return tls;
  }

  request make_request(const store::sealed_batch& batch) const {
    request req{http::verb::post, url_.target, 11};
    req.set(http::field::host, url_.host_header());
    req.set(http::field::user_agent, "checkin-gateway");
    req.set(http::field::content_type, "application/json; charset=utf-8");
    req.set("Idempotency-Key", batch.header.batch_id);
    req.body() = batch_to_json(batch);
    // Signed at each attempt, so a retry days later carries a fresh timestamp over the same
    // body bytes.
    const auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    req.set(detail::signature_header_name,
            detail::signature_header_value(options_.secret, now, req.body()));
    // One connection per attempt: batches are minutes apart, and a fresh connection never
    // meets a keep-alive socket the receiver has already half-closed.
    req.keep_alive(false);
    req.prepare_payload();
    return req;
  }

  net::awaitable<delivery_result> attempt(request req) {
    const auto connect_deadline = steady_clock::now() + options_.connect_timeout;
    // The resolver has no deadline of its own: a timer cancels it. Shared with the timer's
    // handler, which may still be queued when this coroutine has already returned.
    const auto resolver = std::make_shared<tcp::resolver>(ctx_);
    net::steady_timer resolve_timer(ctx_, connect_deadline);
    resolve_timer.async_wait([resolver](boost::system::error_code ec) {
      if (!ec) resolver->cancel();
    });
    auto resolve_op = resolver->async_resolve(url_.host, url_.port, tuple_awaitable);
    auto resolved = co_await std::move(resolve_op);
    resolve_timer.cancel();
    boost::system::error_code ec = std::get<0>(resolved);
    if (ec) {
      if (ec == net::error::operation_aborted) ec = beast::error::timeout;
      co_return failure(ec, http_phase::resolve);
    }
    const auto endpoints = std::get<1>(resolved);

    if (!tls_) {
      beast::tcp_stream stream(ctx_);
      stream.expires_at(connect_deadline);
      auto connect_op = stream.async_connect(endpoints, tuple_awaitable);
      const auto connected = co_await std::move(connect_op);
      if (std::get<0>(connected)) co_return failure(std::get<0>(connected), http_phase::connect);
      auto exchange_op = exchange(stream, req);
      auto result = co_await std::move(exchange_op);
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      co_return result;
    }

    beast::ssl_stream<beast::tcp_stream> stream(ctx_, *tls_);
    // SNI for names only (RFC 6066 has no IP form); the certificate must name the host either
    // way. SSL_ctrl is SSL_set_tlsext_host_name without the macro's C-style cast.
    if (!url_.host_is_address()) {
      SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url_.host.c_str()));
    }
    stream.set_verify_callback(ssl::host_name_verification(url_.host));
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_at(connect_deadline);
    auto connect_op = lowest.async_connect(endpoints, tuple_awaitable);
    const auto connected = co_await std::move(connect_op);
    if (std::get<0>(connected)) co_return failure(std::get<0>(connected), http_phase::connect);
    auto handshake_op = stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
    const auto shaken = co_await std::move(handshake_op);
    if (std::get<0>(shaken)) co_return failure(std::get<0>(shaken), http_phase::tls_handshake);
    auto exchange_op = exchange(stream, req);
    auto result = co_await std::move(exchange_op);
    // No TLS close_notify: the answer is complete, and a stalling peer could hold us here.
    lowest.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return result;
  }

  // Sends `req` and reads the answer on a connected stream, both within request_timeout.
  template <class Stream>
  net::awaitable<delivery_result> exchange(Stream& stream, const request& req) {
    beast::get_lowest_layer(stream).expires_after(options_.request_timeout);
    auto write_op = http::async_write(stream, req, tuple_awaitable);
    const auto written = co_await std::move(write_op);
    if (std::get<0>(written)) co_return failure(std::get<0>(written), http_phase::write);

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(answer_body_limit);
    auto read_op = http::async_read(stream, buffer, parser, tuple_awaitable);
    const auto read = co_await std::move(read_op);
    const auto read_ec = std::get<0>(read);
    // An oversized body still leaves a usable status line.
    if (read_ec && !(read_ec == http::error::body_limit && parser.is_header_done())) {
      co_return failure(read_ec, http_phase::read);
    }
    const auto& res = parser.get();
    co_return detail::classify_answer(res.result_int(), res.body(), res[http::field::location]);
  }

  delivery_result failure(const boost::system::error_code& ec, http_phase phase) const {
    const bool connecting = phase == http_phase::resolve || phase == http_phase::connect ||
                            phase == http_phase::tls_handshake;
    return detail::classify_failure(
        ec, phase, connecting ? options_.connect_timeout : options_.request_timeout);
  }

  http_sink_options options_;
  detail::http_url url_;
  net::io_context ctx_{1};
  std::optional<ssl::context> tls_;
};

}  // namespace

std::unique_ptr<sink> make_http_sink(http_sink_options options) {
  return std::make_unique<http_sink>(std::move(options));
}

}  // namespace checkin::gateway::sync

// checkin-test-receiver: a stand-in for the membership system's webhook endpoint that verifies
// signatures, stores each batch once, durably, and injects faults on request.
//
//   checkin-test-receiver --state DIR --secret S [--port N] [--duplicate-status 409|200]
//       [--fault-rate R --seed N --slow-ms D] [--max-age SECONDS] [--tls-cert PEM --tls-key PEM]
//
// Prints "listening <port>" on stdout once it accepts on 127.0.0.1. Endpoints:
//   POST /control       change faults (receiver_faults.hpp has the JSON forms)
//   GET  /stats         {"accepted","duplicates" (since DIR was made),"requests","faults",
//                        "rejected" (since this process started),"stored" (files in DIR)}
//   GET  /batches       {"batches":[<stored bodies>]}
//   GET  /last-request  {"target","headers":{lower-case name: value}} of the last delivery
//   POST anything else  a delivery (see docs/sync.md, "Webhook sink")

#include "receiver_faults.hpp"
#include "receiver_store.hpp"
#include "webhook_signature_check.hpp"

#include <ostream>  // before boost/beast/http (Boost 1.81 misses it)

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>

namespace checkin::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = net::ip::tcp;
using namespace std::chrono;
using response = http::response<http::string_body>;
using request = http::request<http::string_body>;
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

struct receiver_config {
  std::uint16_t port = 0;
  std::filesystem::path state;
  std::string secret;
  unsigned duplicate_status = 409;  // or 200: some receivers acknowledge duplicates plainly
  double fault_rate = 0.0;
  std::uint64_t seed = 1;
  milliseconds slow{1000};
  std::int64_t max_age_s = 300;
  std::optional<std::string> tls_cert, tls_key;
};

response answer(unsigned status, const json::value& body) {
  response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}

enum class reply_mode : std::uint8_t { answer, hang, drop };
struct reply {
  reply_mode mode = reply_mode::answer;
  response res;
};

class receiver {
 public:
  explicit receiver(receiver_config config) : config_(std::move(config)), store_(config_.state) {
    if (config_.fault_rate > 0) plan_.set_random(config_.fault_rate, config_.seed, config_.slow);
  }

  // One connection, keep-alive, until the peer leaves or a fault ends it. Works on a plain
  // tcp_stream and on an ssl_stream over one.
  template <class Stream>
  net::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(16 << 20);
      beast::get_lowest_layer(stream).expires_after(seconds{30});
      auto read_op = http::async_read(stream, buffer, parser, tuple_awaitable);
      const auto read = co_await std::move(read_op);
      if (std::get<0>(read)) co_return;
      request req = parser.release();

      fault f;
      const bool delivery = req.method() == http::verb::post && req.target() != "/control";
      if (delivery) {
        ++requests_;
        f = plan_.next();
        if (f.kind != fault_kind::none) ++faults_;
      }
      if (f.kind == fault_kind::slow) {
        net::steady_timer timer(stream.get_executor(), f.delay);
        auto wait_op = timer.async_wait(tuple_awaitable);
        (void)co_await std::move(wait_op);
      }
      reply r = handle(req, f);
      if (r.mode == reply_mode::drop) co_return;  // the caller closes without a word
      if (r.mode == reply_mode::hang) {
        // Hold the connection until the sender gives up and closes it.
        beast::get_lowest_layer(stream).expires_after(seconds{60});
        char c = 0;
        auto wait_op = stream.async_read_some(net::buffer(&c, 1), tuple_awaitable);
        (void)co_await std::move(wait_op);
        co_return;
      }
      r.res.keep_alive(req.keep_alive());
      beast::get_lowest_layer(stream).expires_after(seconds{10});
      auto write_op = http::async_write(stream, r.res, tuple_awaitable);
      const auto written = co_await std::move(write_op);
      if (std::get<0>(written) || !req.keep_alive()) co_return;
    }
  }

 private:
  reply handle(const request& req, const fault& f) {
    try {
      switch (f.kind) {
        case fault_kind::status: {
          reply r{reply_mode::answer, answer(f.status, json::object{{"error", "injected fault"}})};
          if (f.status >= 300 && f.status < 400) r.res.set(http::field::location, "/elsewhere");
          return r;
        }
        case fault_kind::hang:
          return {reply_mode::hang, {}};
        case fault_kind::drop:
          return {reply_mode::drop, {}};
        case fault_kind::accept_then_drop:
          (void)deliver(req);  // committed, but the acknowledgement never leaves
          return {reply_mode::drop, {}};
        case fault_kind::slow:
        case fault_kind::none:
          break;
      }
      if (req.method() == http::verb::post) {
        return {reply_mode::answer, req.target() == "/control" ? control(req) : deliver(req)};
      }
      return {reply_mode::answer, inspect(req)};
    } catch (const std::exception& e) {
      std::cerr << "receiver: " << e.what() << "\n";
      return {reply_mode::answer, answer(500, json::object{{"error", "internal"}})};
    }
  }

  response deliver(const request& req) {
    json::object headers;
    for (const auto& h : req) {
      std::string name(h.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers[name] = std::string(h.value());
    }
    last_request_ =
        json::object{{"target", std::string(req.target())}, {"headers", std::move(headers)}};

    const auto refuse = [this](unsigned status, std::string_view why) {
      ++rejected_;
      std::cerr << "receiver: refused with " << status << ": " << why << "\n";
      return answer(status, json::object{{"error", why}});
    };
    const auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    const auto check = check_signature(req["X-Checkin-Signature"], req.body(), config_.secret, now,
                                       config_.max_age_s);
    if (check != signature_check::ok) return refuse(401, to_string(check));
    boost::system::error_code ec;
    const json::value body = json::parse(req.body(), ec);
    const auto* id = !ec && body.is_object() ? body.as_object().if_contains("batch_id") : nullptr;
    if (id == nullptr || !id->is_string()) return refuse(400, "body has no batch_id");
    const std::string_view batch_id = id->as_string();
    if (req["Idempotency-Key"] != batch_id) return refuse(400, "Idempotency-Key != batch_id");

    switch (store_.put(batch_id, req.body())) {
      case store_outcome::stored:
        return answer(200, json::object{{"accepted", batch_id}});
      case store_outcome::duplicate:
        std::cerr << "receiver: duplicate delivery of " << batch_id << "\n";
        if (config_.duplicate_status == 409)
          return answer(409, json::object{{"duplicate", batch_id}});
        return answer(200, json::object{{"accepted", batch_id}, {"duplicate", true}});
      case store_outcome::conflict:
        break;
    }
    return refuse(422, "batch id reused with a different body");
  }

  response control(const request& req) {
    boost::system::error_code ec;
    const json::value command = json::parse(req.body(), ec);
    if (ec || !command.is_object())
      return answer(400, json::object{{"error", "not a JSON object"}});
    const std::string error = plan_.apply_control(command.as_object());
    if (!error.empty()) return answer(400, json::object{{"error", error}});
    return answer(200, json::object{{"ok", true}});
  }

  response inspect(const request& req) {
    const auto stored = receiver_store::read_all(config_.state);
    if (req.target() == "/stats") {
      return answer(200, json::object{{"accepted", store_.accepted()},
                                      {"duplicates", store_.duplicates()},
                                      {"requests", requests_},
                                      {"faults", faults_},
                                      {"rejected", rejected_},
                                      {"stored", stored.size()}});
    }
    if (req.target() == "/batches") {
      json::array batches;
      for (const auto& [file, body] : stored) batches.push_back(json::parse(body));
      return answer(200, json::object{{"batches", std::move(batches)}});
    }
    if (req.target() == "/last-request") return answer(200, last_request_);
    return answer(404, json::object{{"error", "no such endpoint"}});
  }

  receiver_config config_;
  receiver_store store_;
  fault_plan plan_;
  std::uint64_t requests_ = 0;
  std::uint64_t faults_ = 0;
  std::uint64_t rejected_ = 0;
  json::value last_request_ = json::object{};
};

class listener {
 public:
  listener(net::io_context& ctx, receiver& r, const receiver_config& config)
      : receiver_(r), acceptor_(ctx) {
    const tcp::endpoint at{net::ip::make_address("127.0.0.1"), config.port};
    acceptor_.open(at.protocol());
    // A restarted receiver takes its old port back while old connections sit in TIME_WAIT.
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen();
    if (config.tls_cert) {
      tls_.emplace(net::ssl::context::tls_server);
      tls_->use_certificate_chain_file(*config.tls_cert);
      tls_->use_private_key_file(*config.tls_key, net::ssl::context::pem);
    }
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  net::awaitable<void> accept_loop() {
    for (;;) {
      auto accept_op = acceptor_.async_accept(tuple_awaitable);
      auto accepted = co_await std::move(accept_op);
      if (std::get<0>(accepted)) co_return;
      auto connection_op = connection(std::move(std::get<1>(accepted)));
      net::co_spawn(acceptor_.get_executor(), std::move(connection_op), net::detached);
    }
  }

 private:
  net::awaitable<void> connection(tcp::socket socket) {
    try {
      if (!tls_) {
        beast::tcp_stream stream(std::move(socket));
        auto serve_op = receiver_.serve(stream);
        co_await std::move(serve_op);
        co_return;
      }
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
      beast::get_lowest_layer(stream).expires_after(seconds{10});
      auto handshake_op = stream.async_handshake(net::ssl::stream_base::server, tuple_awaitable);
      const auto shaken = co_await std::move(handshake_op);
      if (std::get<0>(shaken)) co_return;
      auto serve_op = receiver_.serve(stream);
      co_await std::move(serve_op);
    } catch (const std::exception& e) {
      std::cerr << "receiver: connection failed: " << e.what() << "\n";
    }
  }

  receiver& receiver_;
  tcp::acceptor acceptor_;
  std::optional<net::ssl::context> tls_;
};

receiver_config parse_args(int argc, char** argv) {
  receiver_config c;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) throw std::invalid_argument("missing value for " + std::string(flag));
    const std::string value = argv[++i];
    if (flag == "--port")
      c.port = static_cast<std::uint16_t>(std::stoul(value));
    else if (flag == "--state")
      c.state = value;
    else if (flag == "--secret")
      c.secret = value;
    else if (flag == "--duplicate-status")
      c.duplicate_status = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--fault-rate")
      c.fault_rate = std::stod(value);
    else if (flag == "--seed")
      c.seed = std::stoull(value);
    else if (flag == "--slow-ms")
      c.slow = milliseconds{std::stol(value)};
    else if (flag == "--max-age")
      c.max_age_s = std::stol(value);
    else if (flag == "--tls-cert")
      c.tls_cert = value;
    else if (flag == "--tls-key")
      c.tls_key = value;
    else
      throw std::invalid_argument("unknown option " + std::string(flag));
  }
  if (c.state.empty() || c.secret.empty())
    throw std::invalid_argument("--state and --secret are required");
  if (c.tls_cert.has_value() != c.tls_key.has_value()) {
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  }
  if (c.duplicate_status != 409 && c.duplicate_status != 200) {
    throw std::invalid_argument("--duplicate-status is 409 or 200");
  }
  return c;
}

}  // namespace
}  // namespace checkin::testing

int main(int argc, char** argv) {
  using namespace checkin::testing;
  try {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    const receiver_config config = parse_args(argc, argv);
    net::io_context ctx{1};
    receiver r(config);
    listener l(ctx, r, config);
    net::signal_set signals(ctx, SIGINT, SIGTERM);
    signals.async_wait([&ctx](boost::system::error_code, int) { ctx.stop(); });
    net::co_spawn(ctx, l.accept_loop(), net::detached);
    std::printf("listening %u\n", static_cast<unsigned>(l.port()));
    std::fflush(stdout);
    ctx.run();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "checkin-test-receiver: " << e.what() << "\n";
    return 2;
  }
}

// The HTTP transport in-process, on a real loopback socket, with an app that answers with as
// many bytes as asked: answers far larger than the socket's send buffer, to a client that reads
// late, still arrive whole and in order on a keep-alive connection.
#include "gateway/server.hpp"

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <charconv>
#include <thread>

namespace {

namespace net = boost::asio;
namespace http = boost::beast::http;
using namespace checkin::gateway;
using tcp = net::ip::tcp;

// Byte k of every answer body: a pattern that shows a lost, repeated or reordered piece.
char pattern(std::size_t k) { return static_cast<char>('a' + (k * 7 + k / 4099) % 26); }

class sized_answers final : public http_app {
 public:
  net::awaitable<response> handle(request_context& ctx) override {
    std::size_t n = 0;
    const auto q = ctx.query_param("bytes").value_or("0");
    std::from_chars(q.data(), q.data() + q.size(), n);
    std::string body(n, '\0');
    for (std::size_t k = 0; k < n; ++k) body[k] = pattern(k);
    co_return text_response(http::status::ok, std::move(body), "application/octet-stream");
  }
  void on_response(const request_context&, const response&, std::chrono::microseconds) override {}
  void on_connection(int) override {}
  void on_refused_connection() override {}
  void on_stopping() override {}
};

class running_server {
 public:
  running_server() : server_(app_, server_limits{}, 2) {
    server_.listen("127.0.0.1", 0);
    thread_ = std::thread([this] { server_.run(); });
  }
  ~running_server() {
    server_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return server_.port(); }

 private:
  sized_answers app_;
  http_server server_;
  std::thread thread_;
};

std::string get(std::size_t bytes) {
  return "GET /big?bytes=" + std::to_string(bytes) + " HTTP/1.1\r\nHost: t\r\n\r\n";
}

// Reads one answer off `s` and returns its body; checks the status and the length it announced.
std::string read_answer(tcp::socket& s, std::string& pending) {
  std::size_t head_end = std::string::npos;
  std::array<char, 65536> chunk;
  auto fill = [&] {
    const auto n = s.read_some(net::buffer(chunk));
    pending.append(chunk.data(), n);
  };
  while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) fill();
  const std::string head = pending.substr(0, head_end);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << head;
  const auto at = head.find("Content-Length: ");
  EXPECT_NE(at, std::string::npos) << head;
  const std::size_t length = std::stoull(head.substr(at + 16));
  const std::size_t total = head_end + 4 + length;
  while (pending.size() < total) fill();
  std::string body = pending.substr(head_end + 4, length);
  pending.erase(0, total);
  return body;
}

bool is_pattern(const std::string& body) {
  for (std::size_t k = 0; k < body.size(); ++k) {
    if (body[k] != pattern(k)) {
      ADD_FAILURE() << "byte " << k << " of " << body.size() << " is wrong";
      return false;
    }
  }
  return true;
}

TEST(HttpServer, AnswersLargerThanTheSendBufferArriveWholeToALateReader) {
  running_server server;
  net::io_context ctx;
  tcp::socket s(ctx);
  s.open(tcp::v4());
  s.set_option(net::socket_base::receive_buffer_size(4096));
  s.connect({net::ip::make_address("127.0.0.1"), server.port()});
  // Pipelined: a big answer, a small one, a big one. The client reads nothing for a while, so
  // the first answer cannot all go in the server's first send.
  const std::size_t big = 24u << 20;
  net::write(s, net::buffer(get(big) + get(10) + get(big / 3)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string pending;
  const auto first = read_answer(s, pending);
  EXPECT_EQ(first.size(), big);
  EXPECT_TRUE(is_pattern(first));
  const auto second = read_answer(s, pending);
  EXPECT_TRUE(is_pattern(second));
  EXPECT_EQ(second.size(), 10u);
  const auto third = read_answer(s, pending);
  EXPECT_EQ(third.size(), big / 3);
  EXPECT_TRUE(is_pattern(third));
  EXPECT_TRUE(pending.empty()) << pending.size() << " stray bytes after the last answer";
}

TEST(HttpServer, AClientGoneMidAnswerLeavesTheServerServing) {
  running_server server;
  net::io_context ctx;
  {
    tcp::socket s(ctx);
    s.connect({net::ip::make_address("127.0.0.1"), server.port()});
    net::write(s, net::buffer(get(24u << 20)));
    std::array<char, 100> some;
    net::read(s, net::buffer(some));                  // the answer has started
    s.set_option(net::socket_base::linger(true, 0));  // then a reset under it
  }
  tcp::socket s(ctx);
  s.connect({net::ip::make_address("127.0.0.1"), server.port()});
  net::write(s, net::buffer(get(1000)));
  std::string pending;
  const auto body = read_answer(s, pending);
  EXPECT_EQ(body.size(), 1000u);
  EXPECT_TRUE(is_pattern(body));
}

}  // namespace

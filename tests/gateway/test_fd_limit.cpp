// The real binary under a low open-file limit (RLIMIT_NOFILE set in the child before exec),
// far below the default max_connections: every client gets an answer — 200 while there is
// room, 503 at the cap — or a clean close, none hangs; and the log does not flood.
#include "gateway_process.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>

namespace checkin::testing {
namespace {

using namespace std::chrono;

// A raw client: connects, sends one GET, then reads what comes back.
struct raw_client {
  int fd = -1;
  std::string got;
  bool closed = false;
  ~raw_client() {
    if (fd >= 0) ::close(fd);
  }
};

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(FdLimit, ClientsOverTheLimitGetA503NotAHang) {
  temp_dir logs("checkin-fd-limit-log");
  const auto log_file = logs.path() / "gateway.err";
  constexpr unsigned long limit = 160;
  gateway_process gw("fd-limit", "", make_test_meeting(),
                     launch_options{.env = {}, .open_file_limit = limit, .stderr_file = log_file});

  constexpr int clients = 300;
  std::vector<raw_client> c(clients);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(gw.port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (auto& k : c) {
    k.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(k.fd, 0);
    // The kernel completes the handshake from the backlog whether or not the server accepts.
    ASSERT_EQ(::connect(k.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::send(k.fd, get.data(), get.size(), MSG_NOSIGNAL), static_cast<ssize_t>(get.size()));
    ::fcntl(k.fd, F_SETFL, O_NONBLOCK);
  }

  // Each client waits for a whole status line, or for the server to close.
  const auto deadline = steady_clock::now() + seconds{10};
  const auto answered = [](const raw_client& k) {
    return k.closed || k.got.find("\r\n\r\n") != std::string::npos;
  };
  while (steady_clock::now() < deadline) {
    std::vector<pollfd> waiting;
    for (auto& k : c) {
      if (!answered(k)) waiting.push_back({k.fd, POLLIN, 0});
    }
    if (waiting.empty()) break;
    (void)::poll(waiting.data(), waiting.size(), 100);
    for (auto& k : c) {
      if (answered(k)) continue;
      char buf[1024];
      const ssize_t n = ::recv(k.fd, buf, sizeof buf, 0);
      if (n > 0) k.got.append(buf, static_cast<std::size_t>(n));
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) k.closed = true;
    }
  }

  std::map<std::string, int> outcomes;
  for (const auto& k : c) {
    if (k.got.starts_with("HTTP/1.1 200")) ++outcomes["200"];
    else if (k.got.starts_with("HTTP/1.1 503")) ++outcomes["503"];
    else if (k.closed) ++outcomes["closed"];
    else ++outcomes["no answer"];
  }
  std::string summary;
  for (const auto& [what, n] : outcomes) summary += what + ": " + std::to_string(n) + "  ";
  EXPECT_EQ(outcomes["no answer"], 0) << summary;
  EXPECT_GT(outcomes["200"], 0) << summary;
  EXPECT_GT(outcomes["503"], 0) << summary << "(the cap, lowered to fit the limit, answers 503)";

  c.clear();
  const auto log = read_text(log_file);
  EXPECT_NE(log.find("server.max_connections 20000 lowered to"), std::string::npos) << log;
  EXPECT_LE(count_of(log, "accept failed"), 2u) << log;
  // Still serving once the crowd has gone.
  http_client after(gw.port());
  EXPECT_EQ(after.get("/healthz").status, 200u);
  EXPECT_EQ(gw.stop(), 0);
}

}  // namespace
}  // namespace checkin::testing

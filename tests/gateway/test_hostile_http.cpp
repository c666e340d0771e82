// What an outside attack on the transport found, each through the real binary on a real
// socket: chunk framing that grew memory without bound, Transfer-Encodings that smuggled a
// second request, a chunked body that tripped Beast's assertion, and batches of forged codes
// that cost the I/O threads a signature check each.
#include "gateway_process.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace {

using namespace checkin::testing;
using namespace std::chrono;

// A bare TCP connection with a receive deadline, for bytes no HTTP client would send.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    timeval tv{5, 0};  // no answer in 5 s is a failure, not a hang
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~raw_connection() { ::close(fd_); }
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // False once the server no longer takes bytes (it answered and closed).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  struct answer {
    unsigned status = 0;  // 0: none arrived
    std::string text;     // everything read, answers and all
  };
  // Reads until the server closes or the deadline passes.
  answer read_all() {
    answer a;
    char buf[4096];
    for (;;) {
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      a.text.append(buf, static_cast<std::size_t>(n));
    }
    if (a.text.starts_with("HTTP/1.1 ")) a.status = std::stoul(a.text.substr(9, 3));
    return a;
  }

 private:
  int fd_;
};

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class HostileHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gw = new gateway_process("hostile");
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(gw->stop(), 0);
    delete gw;
  }
  static gateway_process* gw;
};
gateway_process* HostileHttp::gw = nullptr;

constexpr std::string_view chunked_login =
    "POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    "Transfer-Encoding: chunked\r\n\r\n";

// A chunk extension that never ends: Beast searches it for its CRLF in all it is given, so
// the gateway grew its buffer with every byte (1 GB in 6 s). Now 431 past the header limit.
TEST_F(HostileHttp, EndlessChunkExtensionIsRefusedAtTheHeaderLimit) {
  raw_connection c(gw->port());
  ASSERT_TRUE(c.send(chunked_login));
  ASSERT_TRUE(c.send("2;x="));
  const std::string filler(64 * 1024, 'a');
  for (int i = 0; i < 16 && c.send(filler); ++i) {
  }
  const auto a = c.read_all();
  EXPECT_EQ(a.status, 431u) << a.text.substr(0, 200);
  EXPECT_NE(a.text.find("\"headers_too_large\""), std::string::npos);
  EXPECT_EQ(http_client(gw->port()).get("/healthz").status, 200u);
}

TEST_F(HostileHttp, EndlessTrailerIsRefusedAtTheHeaderLimit) {
  raw_connection c(gw->port());
  ASSERT_TRUE(c.send(chunked_login));
  ASSERT_TRUE(c.send("2\r\n{}\r\n0\r\n"));
  std::string fields;
  for (int i = 0; i < 2000; ++i) fields += "a: b\r\n";
  for (int i = 0; i < 64 && c.send(fields); ++i) {
  }
  const auto a = c.read_all();
  EXPECT_EQ(a.status, 431u) << a.text.substr(0, 200);
}

// A login whose body is a complete second request, under each Transfer-Encoding a front proxy
// may read differently from the gateway: one refusal, the connection closed, and the inner
// request never answered.
TEST_F(HostileHttp, TransferEncodingsOtherThanChunkedCannotSmuggleARequest) {
  const std::string inner = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const struct {
    std::string fields;
    unsigned status;
  } cases[] = {
      {"Transfer-Encoding: chunked, identity\r\n", 501},
      {"Transfer-Encoding: identity\r\n", 501},
      {"Transfer-Encoding: gzip\r\n", 501},
      // Beast's parser refuses these itself (chunked applied twice, or a coding after
      // another field's chunked), as malformed.
      {"Transfer-Encoding: gzip, chunked\r\n", 400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", 400},
      {"Transfer-Encoding: xchunked\r\nContent-Length: " + std::to_string(inner.size()) + "\r\n",
       400},
      {"Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(inner.size()) + "\r\n",
       400},
  };
  for (const auto& k : cases) {
    SCOPED_TRACE(k.fields);
    raw_connection c(gw->port());
    c.send("POST /v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + k.fields +
           "\r\n" + inner);
    const auto a = c.read_all();
    EXPECT_EQ(a.status, k.status) << a.text.substr(0, 300);
    EXPECT_EQ(count_of(a.text, "HTTP/1.1 "), 1u) << "the body was answered as a request";
    EXPECT_NE(a.text.find("Connection: close"), std::string::npos);
  }
  raw_connection old(gw->port());
  old.send("POST /v1/login HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(old.read_all().status, 400u);
}

TEST_F(HostileHttp, PlainChunkedBodiesStillWork) {
  raw_connection c(gw->port());
  const std::string body = R"({"member_no":"1001","password":"pw-secret"})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  c.send(std::string(chunked_login) + size + "\r\n" + body + "\r\n0\r\n\r\n" +
         "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto a = c.read_all();
  EXPECT_EQ(a.status, 200u) << a.text.substr(0, 300);
  EXPECT_EQ(count_of(a.text, "HTTP/1.1 200"), 2u) << a.text;
}

// A last chunk sent apart from the CRLF that ends the message: Beast's parser was handed the
// same four bytes again without more, which asserts (n >= 5) in a build with assertions.
TEST_F(HostileHttp, LastChunkArrivingAloneIsParsedNotAsserted) {
  const auto token = gw->login("1002");
  ASSERT_FALSE(token.empty());
  raw_connection c(gw->port());
  ASSERT_TRUE(c.send("POST /v1/scans/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Authorization: Bearer " + token +
                     "\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n00\r\n"));
  std::this_thread::sleep_for(milliseconds{200});  // two reads on the server's side
  ASSERT_TRUE(c.send("\r\n"));
  const auto a = c.read_all();
  // An empty body: not JSON, a typed 400, and the server alive.
  EXPECT_EQ(a.status, 400u) << a.text.substr(0, 300);
  EXPECT_NE(a.text.find("\"malformed_request\""), std::string::npos);
  EXPECT_EQ(http_client(gw->port()).get("/healthz").status, 200u);
}

// Distinct codes with the real key id and a broken signature: each one costs an Ed25519 check.
std::vector<std::string> forged_codes(const test_meeting& meeting, std::size_t n, int series) {
  std::vector<std::string> out;
  auto program = meeting.program;
  const auto& open = *program.find("OPEN");
  for (std::size_t i = 0; i < n; ++i) {
    auto claims = checkin::tokens::poster_claims(program, open);
    claims.session_id = "F" + std::to_string(series) + "-" + std::to_string(i);
    auto text = checkin::tokens::mint(claims, meeting.key, program.qr_prefix);
    char& c = text[text.size() - 20];  // inside the signature
    c = c == 'A' ? 'B' : 'A';
    out.push_back(std::move(text));
  }
  return out;
}

json::object batch_of(const std::vector<std::string>& codes) {
  json::array scans;
  for (const auto& c : codes) scans.push_back(json::object{{"qr", c}});
  return json::object{{"scans", std::move(scans)}};
}

std::map<std::string, int> statuses(const json::value& answer) {
  std::map<std::string, int> n;
  for (const auto& r : answer.at("results").as_array()) {
    std::string s(r.at("status").as_string());
    if (s != "rejected" && s != "failed") s += "?";
    if (r.as_object().contains("error")) s += ":" + std::string(r.at("error").as_string());
    ++n[s];
  }
  return n;
}

// 500 forged codes used to cost 500 verifications while the member's rate limit counted one
// request. Each new code is now charged to that limit (burst 20: the request took one).
TEST(HostileScans, ForgedCodesInABatchAreChargedToTheMembersRateLimit) {
  gateway_process gw("forged", "[scans]\nmember_rate_per_second = 0.01\nmember_burst = 20\n");
  const auto token = gw.login("1003");
  ASSERT_FALSE(token.empty());
  http_client c(gw.port());
  const auto before = c.get("/metrics").body;
  const auto a = c.post_json("/v1/scans/batch", batch_of(forged_codes(gw.meeting(), 200, 1)), token);
  ASSERT_EQ(a.status, 200u) << a.body;
  const auto n = statuses(a.json());
  EXPECT_EQ(n.at("rejected:invalid_token"), 19) << a.body.substr(0, 400);
  EXPECT_EQ(n.at("failed:too_many_requests"), 181);
  const auto after = c.get("/metrics").body;
  EXPECT_EQ(metric_sample(after, "checkin_token_memo_misses_total") -
                metric_sample(before, "checkin_token_memo_misses_total"),
            19);
}

// Without a member limit, a request still verifies at most 50 new codes; and forged codes no
// longer take the memo's places: with one entry per shard, the hall's real code stays.
TEST(HostileScans, ABatchVerifiesAtMostFiftyNewCodesAndForgeriesStayOutOfTheMemo) {
  gateway_process gw("forged-memo",
                     "[scans]\nmember_rate_per_second = 0\ntoken_memo_entries = 16\n");
  const auto token = gw.login("1004");
  ASSERT_FALSE(token.empty());
  http_client c(gw.port());
  const auto real = gw.meeting().poster("OPEN");
  ASSERT_EQ(c.post_json("/v1/scans", json::object{{"qr", real}}, token).status, 201u);
  for (int series = 0; series < 3; ++series) {
    const auto a =
        c.post_json("/v1/scans/batch", batch_of(forged_codes(gw.meeting(), 100, series)), token);
    ASSERT_EQ(a.status, 200u) << a.body;
    const auto n = statuses(a.json());
    EXPECT_EQ(n.at("rejected:invalid_token"), 50);
    EXPECT_EQ(n.at("failed:too_many_requests"), 50);
  }
  const auto other = gw.login("1005");
  const auto before = c.get("/metrics").body;
  ASSERT_EQ(c.post_json("/v1/scans", json::object{{"qr", real}}, other).status, 201u);
  const auto after = c.get("/metrics").body;
  EXPECT_EQ(metric_sample(after, "checkin_token_memo_hits_total") -
                metric_sample(before, "checkin_token_memo_hits_total"),
            1);
}

}  // namespace

// The scan API through a real socket against a running `checkin-gateway serve`.
#include "gateway_process.hpp"

#include "tokens/rfc3339.hpp"

#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <thread>

namespace {

using namespace checkin::testing;
using namespace std::chrono;
namespace tokens = checkin::tokens;

// One server for the read-mostly tests; a tight member scan limit is tested separately.
class ScanApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    gw = new gateway_process("api", "[auth]\nlogin_max_failures = 3\n");
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(gw->stop(), 0);
    delete gw;
  }
  static json::object scan(const std::string& qr) { return json::object{{"qr", qr}}; }
  static gateway_process* gw;
};
gateway_process* ScanApi::gw = nullptr;

TEST_F(ScanApi, OperationalRoutes) {
  http_client c(gw->port());
  const auto health = c.get("/healthz");
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.json().at("status"), "ok");
  const auto api = c.get("/openapi.yaml");
  EXPECT_EQ(api.status, 200u);
  EXPECT_NE(api.body.find("/v1/scans/batch"), std::string::npos);
  EXPECT_EQ(c.get("/no/such/route").error(), "not_found");
  EXPECT_EQ(c.get("/no/such/route").status, 404u);
  EXPECT_EQ(c.get("/v1/scans").status, 405u);
  const auto metrics = c.get("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("checkin_http_requests_total{route=\"/healthz\",status=\"200\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("checkin_open_connections"), std::string::npos);
}

// Sends `bytes` on a new connection and returns everything the server sends until it closes.
std::string exchange(std::uint16_t port, const std::string& bytes) {
  net::io_context ctx;
  net::ip::tcp::socket socket(ctx);
  socket.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(socket, net::buffer(bytes));
  std::string all;
  boost::system::error_code ec;
  char buf[4096];
  for (;;) {
    const auto n = socket.read_some(net::buffer(buf), ec);
    if (ec) break;
    all.append(buf, n);
  }
  return all;
}

// The value of `name` in the header block that starts at `from`, or "".
std::string header_value(const std::string& wire, std::size_t from, const std::string& name) {
  const auto end = wire.find("\r\n\r\n", from);
  const auto at = wire.find("\r\n" + name + ": ", from);
  if (at == std::string::npos || at > end) return {};
  const auto value = at + name.size() + 4;
  return wire.substr(value, wire.find("\r\n", value) - value);
}

// HEAD is GET without the body: same status and Content-Length, and the next answer on the
// connection follows the blank line at once (a body sent anyway would be read as that answer).
TEST_F(ScanApi, HeadAnswersAsGetWithoutTheBody) {
  for (const std::string path : {"/healthz", "/openapi.yaml"}) {
    const auto get = http_client(gw->port()).get(path);
    ASSERT_EQ(get.status, 200u) << path;
    const auto wire =
        exchange(gw->port(), "HEAD " + path +
                                 " HTTP/1.1\r\nHost: a\r\n\r\n"
                                 "GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(wire.rfind("HTTP/1.1 200 ", 0), 0u) << path << "\n" << wire.substr(0, 200);
    EXPECT_EQ(header_value(wire, 0, "Content-Length"), std::to_string(get.body.size())) << path;
    EXPECT_EQ(header_value(wire, 0, "Content-Type"), get.headers.at("content-type")) << path;
    const auto head_end = wire.find("\r\n\r\n") + 4;
    EXPECT_EQ(wire.compare(head_end, 13, "HTTP/1.1 200 "), 0) << path << ": a body followed:\n"
                                                              << wire.substr(head_end, 200);
  }
  // A path with no GET route still refuses HEAD, without a body either.
  const auto refused =
      exchange(gw->port(), "HEAD /v1/scans HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(refused.rfind("HTTP/1.1 405 ", 0), 0u) << refused;
  EXPECT_EQ(refused.substr(refused.find("\r\n\r\n") + 4), "");
}

TEST_F(ScanApi, LoginAnswers) {
  http_client c(gw->port());
  const auto ok = c.post_json("/v1/login", json::object{{"member_no", "1001"}, {"password", "pw-secret"}});
  ASSERT_EQ(ok.status, 200u) << ok.body;
  const auto o_json = ok.json();
  const auto& o = o_json.as_object();
  EXPECT_FALSE(o.at("token").as_string().empty());
  EXPECT_EQ(o.at("member_no"), "1001");
  EXPECT_EQ(o.at("name"), "会員 1001");
  EXPECT_TRUE(tokens::parse_rfc3339(std::string(o.at("expires_at").as_string())));

  const auto wrong = c.post_json("/v1/login", json::object{{"member_no", "1002"}, {"password", "nope"}});
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_EQ(wrong.error(), "invalid_credentials");
  const auto unknown = c.post_json("/v1/login", json::object{{"member_no", "9999"}, {"password", "pw-secret"}});
  EXPECT_EQ(unknown.error(), "invalid_credentials");
  const auto inactive = c.post_json("/v1/login", json::object{{"member_no", "2000"}, {"password", "pw-secret"}});
  EXPECT_EQ(inactive.status, 403u);
  EXPECT_EQ(inactive.error(), "member_inactive");
  const auto malformed = c.request(http::verb::post, "/v1/login", "{\"member_no\": 1001");
  EXPECT_EQ(malformed.status, 400u);
  EXPECT_EQ(malformed.error(), "malformed_request");
  const auto missing = c.post_json("/v1/login", json::object{{"member_no", "1001"}});
  EXPECT_EQ(missing.error(), "malformed_request");
  const auto media = c.request(http::verb::post, "/v1/login", "member_no=1", {},
                               {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(media.status, 415u);
}

TEST_F(ScanApi, RepeatedWrongPasswordsLockTheMemberWithRetryAfter) {
  http_client c(gw->port());
  const json::object wrong{{"member_no", "1040"}, {"password", "guess"}};
  for (int i = 0; i < 3; ++i) EXPECT_NE(c.post_json("/v1/login", wrong).status, 200u);
  const auto locked = c.post_json("/v1/login", json::object{{"member_no", "1040"}, {"password", "pw-secret"}});
  EXPECT_EQ(locked.status, 429u);
  EXPECT_EQ(locked.error(), "too_many_attempts");
  ASSERT_TRUE(locked.headers.contains("retry-after"));
  EXPECT_GE(std::stoi(locked.headers.at("retry-after")), 1);
  // Another member from the same address is not locked out.
  EXPECT_FALSE(gw->login("1041").empty());
}

TEST_F(ScanApi, FirstScanIsRecordedThenDuplicateReturnsTheOriginal) {
  const auto token = gw->login("1003");
  ASSERT_FALSE(token.empty());
  http_client c(gw->port());
  const auto qr = gw->meeting().poster("OPEN");
  const auto first = c.post_json("/v1/scans", json::object{{"qr", qr}, {"scan_id", "s-1"}}, token);
  ASSERT_EQ(first.status, 201u) << first.body;
  const auto r_json = first.json();
  const auto& r = r_json.as_object();
  EXPECT_EQ(r.at("status"), "recorded");
  EXPECT_EQ(r.at("meeting_name"), "テスト学会 2026");
  EXPECT_EQ(r.at("session_id"), "OPEN");
  EXPECT_EQ(r.at("session_title"), "教育講演 テスト");
  EXPECT_EQ(r.at("credit_kind"), "education");
  EXPECT_EQ(r.at("credit_kind_label"), "教育講演単位");
  EXPECT_DOUBLE_EQ(r.at("units").to_number<double>(), 1.5);
  EXPECT_EQ(r.at("scan_id"), "s-1");
  ASSERT_TRUE(tokens::parse_rfc3339(std::string(r.at("recorded_at").as_string())));

  const auto again = c.post_json("/v1/scans", json::object{{"qr", qr}, {"scan_id", "s-2"}}, token);
  ASSERT_EQ(again.status, 200u);
  const auto d_json = again.json();
  const auto& d = d_json.as_object();
  EXPECT_EQ(d.at("status"), "duplicate");
  EXPECT_EQ(d.at("recorded_at"), r.at("recorded_at"));
  EXPECT_EQ(d.at("scan_id"), "s-1");  // the original record, not the retry
}

TEST_F(ScanApi, ScanAuthErrors) {
  http_client c(gw->port());
  const auto qr = gw->meeting().poster("OPEN");
  EXPECT_EQ(c.post_json("/v1/scans", scan(qr)).status, 401u);
  EXPECT_EQ(c.post_json("/v1/scans", scan(qr)).error(), "unauthorized");
  EXPECT_EQ(c.post_json("/v1/scans", scan(qr), "not-a-token").error(), "unauthorized");
  auto token = gw->login("1004");
  token.back() = token.back() == 'A' ? 'B' : 'A';  // tampered MAC
  EXPECT_EQ(c.post_json("/v1/scans", scan(qr), token).status, 401u);
}

TEST_F(ScanApi, InvalidTokensAreTypedRejections) {
  const auto token = gw->login("1005");
  http_client c(gw->port());
  const auto& m = gw->meeting();

  auto qr = m.poster("OPEN");
  qr[qr.size() - 3] = qr[qr.size() - 3] == 'A' ? 'B' : 'A';
  const auto forged = c.post_json("/v1/scans", scan(qr), token);
  EXPECT_EQ(forged.status, 422u);
  EXPECT_EQ(forged.error(), "invalid_token");
  EXPECT_EQ(forged.json().at("reason"), "bad_signature");

  const auto garbage = c.post_json("/v1/scans", scan("HELLO"), token);
  EXPECT_EQ(garbage.error(), "invalid_token");
  EXPECT_EQ(garbage.json().at("reason"), "wrong_prefix");

  const auto other_key = tokens::signing_key::generate();
  const auto foreign = tokens::mint(tokens::poster_claims(m.program, *m.program.find("OPEN")),
                                    other_key, m.program.qr_prefix);
  const auto unknown = c.post_json("/v1/scans", scan(foreign), token);
  EXPECT_EQ(unknown.status, 422u);
  EXPECT_EQ(unknown.error(), "unknown_key");

  const auto future = c.post_json("/v1/scans", scan(m.poster("FUTURE")), token);
  EXPECT_EQ(future.status, 422u);
  EXPECT_EQ(future.error(), "outside_window");
  EXPECT_EQ(c.post_json("/v1/scans", scan(m.poster("CLOSED")), token).error(), "outside_window");

  auto claims = tokens::poster_claims(m.program, *m.program.find("OPEN"));
  claims.session_id = "NOT-IN-PROGRAM";
  const auto stray = c.post_json("/v1/scans", scan(tokens::mint(claims, m.key, m.program.qr_prefix)), token);
  EXPECT_EQ(stray.status, 422u);
  EXPECT_EQ(stray.error(), "unknown_session");
}

TEST_F(ScanApi, MalformedBodiesAndLimits) {
  const auto token = gw->login("1006");
  http_client c(gw->port());
  EXPECT_EQ(c.request(http::verb::post, "/v1/scans", "{not json", token).error(), "malformed_request");
  EXPECT_EQ(c.post_json("/v1/scans", json::object{{"qr", 42}}, token).status, 400u);
  EXPECT_EQ(c.post_json("/v1/scans", json::object{{"qr", gw->meeting().poster("OPEN")}, {"scanned_at", "yesterday"}}, token).status,
            400u);
  http_client big(gw->port());
  const auto huge = big.request(http::verb::post, "/v1/scans", std::string(600 * 1024, 'x'), token);
  EXPECT_EQ(huge.status, 413u);
  EXPECT_EQ(huge.error(), "payload_too_large");
  http_client headers(gw->port());
  const auto fat = headers.request(http::verb::get, "/healthz", {}, {}, {{"X-Padding", std::string(16 * 1024, 'a')}});
  EXPECT_EQ(fat.status, 431u);
  http_client broken(gw->port());
  EXPECT_EQ(broken.raw("THIS IS NOT HTTP\r\n\r\n").status, 400u);
  // The server is still fine after all of that.
  EXPECT_EQ(http_client(gw->port()).get("/healthz").status, 200u);
}

TEST_F(ScanApi, BatchUploadJudgesEachOfflineScanByItsScanTime) {
  const auto token = gw->login("1007");
  http_client c(gw->port());
  const auto& m = gw->meeting();
  const auto* closed = m.program.find("CLOSED");
  const auto during_closed = tokens::format_rfc3339(closed->starts_at + minutes{5}, hours{9});
  const auto now_text = tokens::format_rfc3339(floor<seconds>(system_clock::now()), hours{9});
  const auto in_future = tokens::format_rfc3339(floor<seconds>(system_clock::now()) + hours{1}, hours{9});
  json::array items{
      json::object{{"qr", m.poster("CLOSED")}, {"scanned_at", during_closed}, {"scan_id", "off-1"}},
      json::object{{"qr", m.poster("OPEN2")}, {"scanned_at", now_text}},
      json::object{{"qr", m.poster("OPEN2")}, {"scanned_at", now_text}},   // same session again
      json::object{{"qr", m.poster("CLOSED")}},                            // no scanned_at: judged now
      json::object{{"qr", m.poster("OPEN")}, {"scanned_at", in_future}},  // future beyond skew
      json::object{{"qr", "HELLO"}},
      json::object{{"nothing", 1}},
  };
  const auto a = c.post_json("/v1/scans/batch", json::object{{"scans", items}}, token);
  ASSERT_EQ(a.status, 200u) << a.body;
  const auto results_json = a.json();
  const auto& results = results_json.at("results").as_array();
  ASSERT_EQ(results.size(), items.size());
  const auto status = [&](std::size_t i) { return std::string(results[i].at("status").as_string()); };
  EXPECT_EQ(status(0), "recorded");
  EXPECT_EQ(std::string(results[0].at("scanned_at").as_string()).substr(0, 19), during_closed.substr(0, 19));
  EXPECT_EQ(status(1), "recorded");
  EXPECT_EQ(status(2), "duplicate");
  EXPECT_EQ(status(3), "rejected");
  EXPECT_EQ(results[3].at("error"), "outside_window");
  EXPECT_EQ(results[4].at("error"), "outside_window");
  EXPECT_EQ(results[5].at("error"), "invalid_token");
  EXPECT_EQ(results[6].at("error"), "malformed_request");
  for (std::size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].at("index").to_number<std::size_t>(), i);
  EXPECT_EQ(a.json().at("recorded").to_number<int>(), 2);
  EXPECT_EQ(a.json().at("rejected").to_number<int>(), 4);

  json::array too_many;
  for (int i = 0; i < 501; ++i) too_many.push_back(json::object{{"qr", "X"}});
  const auto big = c.post_json("/v1/scans/batch", json::object{{"scans", too_many}}, token);
  EXPECT_EQ(big.status, 413u);
}

TEST_F(ScanApi, MyAttendanceListsScansAndCreditTotals) {
  const auto token = gw->login("1008");
  http_client c(gw->port());
  ASSERT_EQ(c.post_json("/v1/scans", scan(gw->meeting().poster("OPEN")), token).status, 201u);
  ASSERT_EQ(c.post_json("/v1/scans", scan(gw->meeting().poster("ATT")), token).status, 201u);
  const auto a = c.get("/v1/me/attendance", token);
  ASSERT_EQ(a.status, 200u);
  const auto o_json = a.json();
  const auto& o = o_json.as_object();
  EXPECT_EQ(o.at("member_no"), "1008");
  EXPECT_EQ(o.at("scans").as_array().size(), 2u);
  EXPECT_DOUBLE_EQ(o.at("totals").at("education").to_number<double>(), 1.5);
  EXPECT_DOUBLE_EQ(o.at("totals").at("attendance").to_number<double>(), 10);
  EXPECT_EQ(c.get("/v1/me/attendance").status, 401u);
}

TEST_F(ScanApi, MetricsCountRecordedScansAndCommits) {
  const auto token = gw->login("1013");
  http_client c(gw->port());
  const auto before = c.get("/metrics").body;
  ASSERT_EQ(c.post_json("/v1/scans", scan(gw->meeting().poster("OPEN")), token).status, 201u);
  ASSERT_EQ(c.post_json("/v1/scans", scan(gw->meeting().poster("OPEN")), token).status, 200u);
  const auto after = c.get("/metrics").body;
  EXPECT_GE(metric_sample(after, "checkin_scans_recorded_total"),
            metric_sample(before, "checkin_scans_recorded_total") + 1);
  EXPECT_GE(metric_sample(after, "checkin_scans_duplicate_total"),
            metric_sample(before, "checkin_scans_duplicate_total") + 1);
  EXPECT_GE(metric_sample(after, "checkin_commit_batch_size_count"),
            metric_sample(before, "checkin_commit_batch_size_count") + 1);
  EXPECT_GT(metric_sample(after, "checkin_commit_duration_seconds_sum"), 0);
}

TEST_F(ScanApi, SlotTokensAreAcceptedOnlyInTheirSlot) {
  const auto token = gw->login("1009");
  http_client c(gw->port());
  const auto now = floor<seconds>(system_clock::now());
  const auto current = c.post_json("/v1/scans", scan(gw->meeting().slot("OPEN", now)), token);
  EXPECT_EQ(current.status, 201u) << current.body;
  const auto old = c.post_json("/v1/scans", scan(gw->meeting().slot("OPEN2", now - minutes{5})), token);
  EXPECT_EQ(old.status, 422u);
  EXPECT_EQ(old.error(), "outside_window");
}

TEST_F(ScanApi, AMemberMadeInactiveLosesAccessAtOnce) {
  const auto token = gw->login("1010");
  ASSERT_FALSE(token.empty());
  gw->import_roster("member_no,name,status,initial_password\n1010,会員 1010,inactive,pw-secret\n");
  http_client c(gw->port());
  const auto a = c.post_json("/v1/scans", scan(gw->meeting().poster("OPEN")), token);
  EXPECT_EQ(a.status, 403u);
  EXPECT_EQ(a.error(), "member_inactive");
}

TEST(ScanApiLimits, MemberScanRateAndConnectionCap) {
  gateway_process gw("limits",
                     "[scans]\nmember_rate_per_second = 0.01\nmember_burst = 2\n"
                     "[server]\nmax_connections = 3\n");
  const auto token = gw.login("1012");
  ASSERT_FALSE(token.empty());
  {
    http_client c(gw.port());
    EXPECT_EQ(c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster("OPEN")}}, token).status, 201u);
    EXPECT_EQ(c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster("OPEN2")}}, token).status, 201u);
    const auto third = c.post_json("/v1/scans", json::object{{"qr", gw.meeting().poster("ATT")}}, token);
    EXPECT_EQ(third.status, 429u);
    EXPECT_EQ(third.error(), "too_many_requests");
    EXPECT_TRUE(third.headers.contains("retry-after"));
  }
  // Earlier connections close asynchronously; wait until the server has let them go.
  const auto deadline = steady_clock::now() + seconds{5};
  std::vector<std::unique_ptr<http_client>> held;
  while (held.size() < 3 && steady_clock::now() < deadline) {
    held.push_back(std::make_unique<http_client>(gw.port()));
    if (held.back()->get("/healthz").status != 200) {
      held.pop_back();
      std::this_thread::sleep_for(milliseconds{50});
    }
  }
  ASSERT_EQ(held.size(), 3u);
  http_client extra(gw.port());
  const auto refused = extra.get("/healthz");
  EXPECT_EQ(refused.status, 503u);
  EXPECT_EQ(refused.error(), "unavailable");
  held.pop_back();  // one goes away: room again
  const auto again = steady_clock::now() + seconds{5};
  unsigned status = 0;
  while (status != 200 && steady_clock::now() < again) {
    status = http_client(gw.port()).get("/healthz").status;
  }
  EXPECT_EQ(status, 200u);
}

// Seconds until the server closes a raw connection that sent `bytes` and then went quiet
// (a stalled phone, a slowloris). nullopt: still open after `give_up`.
std::optional<double> seconds_until_closed(std::uint16_t port, const std::string& bytes,
                                           seconds give_up = seconds{10}) {
  net::io_context ctx;
  net::ip::tcp::socket s(ctx);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  const auto sent = steady_clock::now();
  if (!bytes.empty()) net::write(s, net::buffer(bytes));
  const timeval tv{static_cast<time_t>(give_up.count()), 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char sink[4096];
  boost::system::error_code ec;
  while (!ec) (void)s.read_some(net::buffer(sink), ec);  // answers, then the close
  if (ec != net::error::eof && ec != net::error::connection_reset) return std::nullopt;
  return duration<double>(steady_clock::now() - sent).count();
}

TEST(ScanApiLimits, StalledConnectionsAreClosedAtTheirDeadlines) {
  gateway_process gw("timeouts", "[server]\nidle_timeout_seconds = 1\nread_timeout_seconds = 2\n");
  std::vector<std::thread> clients;
  std::optional<double> idle, partial_header, partial_body, answered_then_idle;
  clients.emplace_back([&] { idle = seconds_until_closed(gw.port(), {}); });
  clients.emplace_back(
      [&] { partial_header = seconds_until_closed(gw.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n"); });
  clients.emplace_back([&] {
    partial_body = seconds_until_closed(
        gw.port(), "POST /v1/scans HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{\"qr\":");
  });
  clients.emplace_back([&] {
    answered_then_idle =
        seconds_until_closed(gw.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
  });
  // While those stall, a client that keeps talking is served throughout.
  http_client busy(gw.port());
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(busy.get("/healthz").status, 200u);
    std::this_thread::sleep_for(milliseconds{100});
  }
  for (auto& t : clients) t.join();
  // Idle (no request yet, or after an answer): idle_timeout. A request begun but not finished:
  // the header phase runs on idle_timeout, the body on read_timeout once the header is in.
  // The sweep runs every 250 ms, so a deadline fires up to that much late.
  ASSERT_TRUE(idle && partial_header && partial_body && answered_then_idle);
  EXPECT_GE(*idle, 0.9);
  EXPECT_LT(*idle, 4.0);
  EXPECT_GE(*partial_header, 0.9);
  EXPECT_LT(*partial_header, 4.0);
  EXPECT_GE(*partial_body, 1.9);
  EXPECT_LT(*partial_body, 5.0);
  EXPECT_GE(*answered_then_idle, 0.9);
  EXPECT_LT(*answered_then_idle, 4.0);
  EXPECT_EQ(http_client(gw.port()).get("/healthz").status, 200u);
}

// A hall logging in through the venue's one NAT address: logins being checked at the same
// time are not failures of that address, so even with a tiny address limit none is refused.
// Finished failures still lock it.
TEST(ScanApiLimits, ManyLoginsAtOnceFromOneAddressAreNotLockedOut) {
  gateway_process gw("nat", "[auth]\naddress_login_max_failures = 3\n");
  constexpr int members = 40;
  std::vector<std::string> tokens(members);
  {
    std::latch start(members);
    std::vector<std::jthread> phones;
    for (int i = 0; i < members; ++i) {
      phones.emplace_back([&, i] {
        start.arrive_and_wait();
        tokens[static_cast<std::size_t>(i)] = gw.login(std::to_string(1000 + i));
      });
    }
  }
  for (int i = 0; i < members; ++i) EXPECT_FALSE(tokens[static_cast<std::size_t>(i)].empty()) << i;

  http_client c(gw.port());
  const auto wrong = [&](const std::string& member) {
    return c.post_json("/v1/login", json::object{{"member_no", member}, {"password", "nope"}});
  };
  EXPECT_EQ(wrong("1041").status, 401u);
  EXPECT_EQ(wrong("1042").status, 401u);
  const auto third = wrong("1043");  // the address's third failure locks it
  EXPECT_EQ(third.status, 429u);
  EXPECT_EQ(third.error(), "too_many_attempts");
  EXPECT_TRUE(third.headers.contains("retry-after"));
  EXPECT_TRUE(gw.login("1044").empty());  // locked: even the right password waits
}

TEST(ScanApiDurability, RecordsSurviveCleanRestartAndKill9) {
  gateway_process gw("durable");
  auto token = gw.login("1011");
  ASSERT_FALSE(token.empty());
  const auto& m = gw.meeting();
  std::string recorded_at;
  {
    http_client c(gw.port());
    const auto a = c.post_json("/v1/scans", json::object{{"qr", m.poster("OPEN")}}, token);
    ASSERT_EQ(a.status, 201u);
    recorded_at = std::string(a.json().at("recorded_at").as_string());
  }
  EXPECT_EQ(gw.stop(), 0);  // SIGTERM: graceful, exit 0
  gw.start();
  {
    http_client c(gw.port());  // the bearer token survives the restart too
    const auto a = c.post_json("/v1/scans", json::object{{"qr", m.poster("OPEN")}}, token);
    ASSERT_EQ(a.status, 200u) << a.body;
    EXPECT_EQ(std::string(a.json().at("recorded_at").as_string()), recorded_at);
    ASSERT_EQ(c.post_json("/v1/scans", json::object{{"qr", m.poster("OPEN2")}}, token).status, 201u);
  }
  gw.kill9();  // acknowledged means committed: nothing is lost
  gw.start();
  http_client c(gw.port());
  const auto mine = c.get("/v1/me/attendance", token);
  ASSERT_EQ(mine.status, 200u);
  EXPECT_EQ(mine.json().at("scans").as_array().size(), 2u);
}

// A store that cannot commit (here: the map is full and may not grow) answers 503 with
// Retry-After, keeps every scan it acknowledged, and takes scans again once it has room.
TEST(ScanApiDurability, FullStoreAnswers503AndRecoversWithRoom) {
  const auto now = floor<seconds>(system_clock::now());
  std::vector<test_session> many;
  for (int i = 0; i < 100; ++i) {
    many.push_back({"S" + std::to_string(i), "講演 " + std::to_string(i), now - minutes{30},
                    now + minutes{30}});
  }
  const std::string tight =
      "[storage]\nmap_size_mib = 1\nmap_size_limit_mib = 1\n"
      "[scans]\nmember_rate_per_second = 0\n";
  gateway_process gw("store-full", tight, make_test_meeting(many));
  const auto& m = gw.meeting();

  // member -> sessions the gateway acknowledged
  std::map<std::string, std::set<std::string>> acked;
  std::string full_member;
  std::string full_token;
  std::string full_session;
  http_client c(gw.port());
  for (int member = 1000; member < 1050 && full_member.empty(); ++member) {
    const auto no = std::to_string(member);
    const auto token = gw.login(no);
    ASSERT_FALSE(token.empty());
    // Two batches of 50: a request verifies at most 50 codes new to the gateway.
    json::array results;
    for (std::size_t from = 0; from < many.size(); from += 50) {
      json::array scans;
      for (std::size_t i = from; i < from + 50; ++i) {
        scans.push_back(json::object{{"qr", m.poster(many[i].id)}});
      }
      const auto a = c.post_json("/v1/scans/batch", json::object{{"scans", scans}}, token);
      ASSERT_EQ(a.status, 200u) << a.body;
      const auto answer = a.json();
      for (const auto& r : answer.at("results").as_array()) results.push_back(r);
    }
    ASSERT_EQ(results.size(), many.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i].as_object();
      const std::string status(r.at("status").as_string());
      if (status == "recorded") {
        acked[no].insert(many[i].id);
      } else {
        // Not stored: retryable, and the phone keeps it.
        EXPECT_EQ(status, "failed") << r;
        EXPECT_EQ(r.at("error"), "unavailable");
        full_member = no;
        full_token = token;
        full_session = many[i].id;
      }
    }
  }
  ASSERT_FALSE(full_member.empty()) << "the 1 MiB map never filled";
  ASSERT_FALSE(acked.empty());

  // The batch failed as a whole; single scans, which need fewer pages, fill the rest until one
  // gets a typed 503 with Retry-After.
  http_answer single;
  for (int member = 1000; member < 1050 && single.status != 503u; ++member) {
    const auto no = std::to_string(member);
    const auto token = gw.login(no);
    for (const auto& s : many) {
      if (acked[no].contains(s.id)) continue;
      single = c.post_json("/v1/scans", json::object{{"qr", m.poster(s.id)}}, token);
      if (single.status != 201u) {
        full_member = no;
        full_token = token;
        full_session = s.id;
        break;
      }
      acked[no].insert(s.id);
    }
  }
  EXPECT_EQ(single.status, 503u) << single.body;
  EXPECT_EQ(single.error(), "unavailable");
  EXPECT_TRUE(single.headers.contains("retry-after"));
  EXPECT_EQ(c.get("/healthz").status, 200u);  // reads still work

  // Give the store room (an operator raises the limit) and restart: nothing acknowledged was
  // lost, and the scan that failed is taken now, once.
  EXPECT_EQ(gw.stop(), 0);
  gw.set_config("[storage]\nmap_size_mib = 4\nmap_size_limit_mib = 64\n"
                "[scans]\nmember_rate_per_second = 0\n");
  gw.start();
  http_client after(gw.port());
  for (const auto& [no, sessions] : acked) {
    const auto mine = after.get("/v1/me/attendance", gw.login(no));
    ASSERT_EQ(mine.status, 200u);
    std::set<std::string> stored;
    const auto body = mine.json();
    for (const auto& scan : body.at("scans").as_array()) {
      stored.insert(std::string(scan.at("session_id").as_string()));
    }
    EXPECT_EQ(stored, sessions) << "member " << no;
  }
  const auto retried =
      after.post_json("/v1/scans", json::object{{"qr", m.poster(full_session)}}, full_token);
  EXPECT_EQ(retried.status, 201u) << retried.body;
  EXPECT_EQ(after.post_json("/v1/scans", json::object{{"qr", m.poster(full_session)}}, full_token)
                .status,
            200u);
}

}  // namespace

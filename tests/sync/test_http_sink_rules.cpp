// The webhook sink's pure rules, without sockets: URL parsing, the signature (known answer,
// and the receiver-side check from the doc), and what each answer or error means.

#include "gateway/sync/http_sink.hpp"
#include "sync/http_outcome.hpp"
#include "sync/http_signature.hpp"
#include "sync/http_url.hpp"
#include "webhook_signature_check.hpp"

#include <gtest/gtest.h>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

#include <stdexcept>

namespace checkin::gateway::sync::detail {
namespace {

using namespace std::chrono;

TEST(HttpUrl, SplitsWhatTheSocketAndRequestNeed) {
  const auto a = parse_http_url("http://members.example.org/hooks/checkin?v=1");
  EXPECT_EQ(a.scheme, url_scheme::http);
  EXPECT_EQ(a.host, "members.example.org");
  EXPECT_EQ(a.port, "80");
  EXPECT_EQ(a.target, "/hooks/checkin?v=1");
  EXPECT_EQ(a.host_header(), "members.example.org");
  EXPECT_FALSE(a.host_is_address());

  const auto b = parse_http_url("HTTPS://127.0.0.1:8443");
  EXPECT_EQ(b.scheme, url_scheme::https);
  EXPECT_EQ(b.port, "8443");
  EXPECT_EQ(b.target, "/");
  EXPECT_EQ(b.host_header(), "127.0.0.1:8443");
  EXPECT_TRUE(b.host_is_address());

  const auto c = parse_http_url("https://[::1]:9000?x");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.target, "/?x");
  EXPECT_EQ(c.host_header(), "[::1]:9000");
  EXPECT_EQ(parse_http_url("https://h").port, "443");
}

TEST(HttpUrl, RejectsWhatItCannotUse) {
  for (const char* bad :
       {"", "ftp://h/", "h/path", "http://", "http:///x", "http://user:pw@h/", "http://h/#frag",
        "http://h:/", "http://h:0/", "http://h:65536/", "http://h:8o/", "http://[::1/",
        "http://[zz]/", "http://h/a b", "http://ho st/"}) {
    EXPECT_THROW((void)parse_http_url(bad), std::invalid_argument) << bad;
  }
}

http_sink_options options_for(std::string url, std::string secret) {
  http_sink_options o;
  o.url = std::move(url);
  o.secret = std::move(secret);
  return o;
}

TEST(HttpSinkConfig, RefusesBadConfigurationAtStartUp) {
  EXPECT_THROW((void)make_http_sink(options_for("ftp://h/", "s")), std::invalid_argument);
  EXPECT_THROW((void)make_http_sink(options_for("http://h/", "")), std::invalid_argument);
  auto missing_ca = options_for("https://h/", "s");
  missing_ca.ca_file = "/nonexistent/ca.pem";
  EXPECT_THROW((void)make_http_sink(missing_ca), std::invalid_argument);
  auto zero = options_for("http://h/", "s");
  zero.request_timeout = milliseconds{0};
  EXPECT_THROW((void)make_http_sink(zero), std::invalid_argument);
  auto named = options_for("https://h/", "s");
  named.name = "hook";
  EXPECT_EQ(make_http_sink(named)->name(), "hook");
}

// Computed independently:
//   printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_test'
TEST(WebhookSignature, KnownAnswer) {
  EXPECT_EQ(signature_header_value("whsec_test", 1700000000, R"({"a":1})"),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
}

TEST(WebhookSignature, ReceiverRecipeAcceptsOnlyTheRightSecretBodyAndTime) {
  using testing::check_signature;
  using testing::signature_check;
  const std::string body = R"({"batch_id":"M/S/1"})";
  const std::string long_secret(200, 'k');  // longer than an HMAC block: hashed first
  const auto h = signature_header_value(long_secret, 1700000000, body);
  EXPECT_EQ(check_signature(h, body, long_secret, 1700000100, 300), signature_check::ok);
  EXPECT_EQ(check_signature(h, body, "other", 1700000100, 300), signature_check::mismatch);
  EXPECT_EQ(check_signature(h, body + " ", long_secret, 1700000100, 300),
            signature_check::mismatch);
  EXPECT_EQ(check_signature(h, body, long_secret, 1700000400, 300), signature_check::stale);
  EXPECT_EQ(check_signature("", body, long_secret, 1700000000, 300), signature_check::missing);
  EXPECT_EQ(check_signature("v1=abc", body, long_secret, 1700000000, 300),
            signature_check::malformed);
  // A receiver rotating secrets may see several v1 values; any one matching is enough.
  const auto rotated = h + ",v1=" + std::string(64, '0');
  EXPECT_EQ(check_signature(rotated, body, long_secret, 1700000000, 300), signature_check::ok);
}

TEST(HttpOutcome, StatusDecidesDeliveredRetryOrFailed) {
  for (unsigned s : {200u, 201u, 202u, 204u}) {
    const auto r = classify_answer(s, "ok", "");
    EXPECT_EQ(r.status, delivery_status::delivered) << s;
    EXPECT_EQ(r.detail, "acknowledged (HTTP " + std::to_string(s) + ")");
  }
  const auto dup = classify_answer(409, "dup", "");
  EXPECT_EQ(dup.status, delivery_status::delivered);
  EXPECT_EQ(dup.detail, "already delivered (HTTP 409)");
  for (unsigned s : {408u, 429u, 500u, 502u, 503u, 504u}) {
    EXPECT_EQ(classify_answer(s, "", "").status, delivery_status::retry) << s;
  }
  for (unsigned s : {400u, 401u, 403u, 404u, 410u, 413u, 422u}) {
    EXPECT_EQ(classify_answer(s, "", "").status, delivery_status::failed) << s;
  }
  const auto moved = classify_answer(301, "", "https://new.example.org/hook");
  EXPECT_EQ(moved.status, delivery_status::failed);
  EXPECT_EQ(moved.detail,
            "HTTP 301 redirect not followed (Location: https://new.example.org/hook)");
  EXPECT_EQ(classify_answer(101, "", "").status, delivery_status::retry);
}

TEST(HttpOutcome, DetailQuotesAShortCleanExcerptOfTheBody) {
  EXPECT_EQ(classify_answer(503, "busy\r\ntry later\n", "").detail, "HTTP 503 busy  try later");
  EXPECT_EQ(classify_answer(500, "", "").detail, "HTTP 500");
  // 200 characters, counted in code points so a Japanese message is not cut mid-character.
  std::string jp;
  for (int i = 0; i < 300; ++i) jp += "あ";
  const auto d = classify_answer(422, jp, "").detail;
  EXPECT_EQ(d, "HTTP 422 " + jp.substr(0, 200 * 3));
}

TEST(HttpOutcome, IoErrorsAreRetriedWithAReadableDetail) {
  namespace net = boost::asio;
  const auto timeout =
      classify_failure(boost::beast::error::timeout, http_phase::read, seconds{30});
  EXPECT_EQ(timeout.status, delivery_status::retry);
  EXPECT_EQ(timeout.detail, "timed out after 30s (read)");
  EXPECT_EQ(
      classify_failure(boost::beast::error::timeout, http_phase::connect, milliseconds{300}).detail,
      "timed out after 300ms (connect)");
  EXPECT_EQ(
      classify_failure(net::error::connection_refused, http_phase::connect, seconds{5}).detail,
      "connection refused");
  EXPECT_EQ(classify_failure(net::error::connection_reset, http_phase::read, seconds{5}).detail,
            "connection reset by the receiver (read)");
  EXPECT_EQ(classify_failure(net::error::host_not_found, http_phase::resolve, seconds{5}).status,
            delivery_status::retry);
}

}  // namespace
}  // namespace checkin::gateway::sync::detail

#include "loadtest/http_wire.hpp"

#include <gtest/gtest.h>

namespace checkin::loadtest {
namespace {

TEST(HttpWire, WritesAKeepAliveRequestWithBody) {
  std::string out;
  append_request(out, "POST", "/v1/scans", "tok", R"({"qr":"x"})");
  EXPECT_EQ(out,
            "POST /v1/scans HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer tok\r\n"
            "Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"qr\":\"x\"}");
  out.clear();
  append_request(out, "GET", "/healthz", {}, {});
  EXPECT_EQ(out, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

TEST(HttpWire, HeadIsIncompleteUntilTheBlankLine) {
  EXPECT_EQ(parse_response_head("HTTP/1.1 201 Created\r\nContent-Length: 5\r\n").state,
            parse_state::incomplete);
  EXPECT_EQ(parse_response_head("").state, parse_state::incomplete);
}

TEST(HttpWire, ParsesStatusLengthAndClose) {
  const std::string text =
      "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nCONTENT-LENGTH:  5 \r\n"
      "Connection: close\r\n\r\nhello";
  const auto p = parse_response_head(text);
  ASSERT_EQ(p.state, parse_state::complete);
  EXPECT_EQ(p.head.status, 201u);
  EXPECT_EQ(p.head.content_length, 5u);
  EXPECT_TRUE(p.head.close);
  EXPECT_EQ(text.substr(p.head.header_bytes), "hello");
}

TEST(HttpWire, KeepAliveAnswerWithoutBody) {
  const auto p = parse_response_head("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_EQ(p.state, parse_state::complete);
  EXPECT_EQ(p.head.content_length, 0u);
  EXPECT_FALSE(p.head.close);
}

TEST(HttpWire, RejectsWhatTheGatewayNeverSends) {
  EXPECT_EQ(parse_response_head("SSH-2.0-OpenSSH\r\n\r\n").state, parse_state::malformed);
  EXPECT_EQ(parse_response_head("HTTP/1.1 2x1 Created\r\n\r\n").state, parse_state::malformed);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").state,
            parse_state::malformed);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n").state,
            parse_state::malformed);
  EXPECT_EQ(parse_response_head("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").state,
            parse_state::malformed);
}

TEST(HttpWire, ReadsUnlabelledPrometheusSeries) {
  const std::string text =
      "# HELP checkin_token_memo_hits_total Token verifications answered from the memo.\n"
      "# TYPE checkin_token_memo_hits_total counter\n"
      "checkin_token_memo_hits_total 1234\n"
      "checkin_token_memo_hits_total_other 9\n"
      "checkin_http_requests_total{route=\"x\"} 5\n";
  EXPECT_EQ(metric_value(text, "checkin_token_memo_hits_total"), 1234.0);
  EXPECT_FALSE(metric_value(text, "checkin_http_requests_total"));
  EXPECT_FALSE(metric_value(text, "absent"));
}

}  // namespace
}  // namespace checkin::loadtest

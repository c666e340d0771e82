// serialize_response: the server's hand-written answer bytes must be what Beast's serializer
// writes for the same message (plus Content-Length where the message lacks one).
#include "gateway/http_types.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include <sstream>

namespace {

using namespace checkin::gateway;
namespace http = boost::beast::http;

std::string beast_bytes(const response& res) {
  std::ostringstream os;
  os << res;
  return os.str();
}

// Parses `bytes` back with Beast's response parser: status, fields and body as sent.
response parse_back(const std::string& bytes) {
  http::response_parser<http::string_body> p;
  p.eager(true);
  boost::beast::error_code ec;
  const auto used = p.put(boost::asio::buffer(bytes), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, bytes.size());
  EXPECT_TRUE(p.is_done());
  return p.release();
}

TEST(ResponseWire, JsonAnswerMatchesBeastsSerializerByteForByte) {
  auto res = json_response(http::status::created, boost::json::object{{"status", "recorded"}});
  res.keep_alive(true);
  std::string out;
  serialize_response(res, out);
  EXPECT_EQ(out, beast_bytes(res));
  EXPECT_TRUE(out.starts_with("HTTP/1.1 201 Created\r\n"));
  EXPECT_TRUE(out.ends_with("\r\n\r\n{\"status\":\"recorded\"}"));
}

TEST(ResponseWire, ErrorWithRetryAfterAndCloseMatchesBeast) {
  auto res = error_response(api_error::unavailable, "busy", std::chrono::seconds{5});
  res.keep_alive(false);
  std::string out;
  serialize_response(res, out);
  EXPECT_EQ(out, beast_bytes(res));
  const auto back = parse_back(out);
  EXPECT_EQ(back.result(), http::status::service_unavailable);
  EXPECT_EQ(back[http::field::retry_after], "5");
  EXPECT_FALSE(back.keep_alive());
  EXPECT_EQ(back.body(), res.body());
}

TEST(ResponseWire, AddsContentLengthWhenTheMessageHasNone) {
  response res{http::status::ok, 11};
  res.set(http::field::content_type, "text/plain");
  res.body() = std::string(70'000, 'x');  // longer than any small-buffer path
  std::string out;
  serialize_response(res, out);
  EXPECT_NE(out.find("\r\nContent-Length: 70000\r\n"), std::string::npos);
  const auto back = parse_back(out);
  EXPECT_EQ(back.body().size(), 70'000u);
}

TEST(ResponseWire, BodilessStatusesCarryNoBodyOrLength) {
  response res{http::status::no_content, 11};
  res.body() = "ignored";
  std::string out;
  serialize_response(res, out);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(ResponseWire, ReusesTheBufferAndClearsWhatWasThere) {
  std::string out = "left over from an earlier, longer answer ...";
  serialize_response(text_response(http::status::ok, "ok", "text/plain"), out);
  EXPECT_TRUE(out.starts_with("HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(out.ends_with("\r\n\r\nok"));
  EXPECT_EQ(out.find("left over"), std::string::npos);
}

}  // namespace

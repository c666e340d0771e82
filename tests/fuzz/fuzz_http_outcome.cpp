// The webhook answer classifier (gateway/src/sync/http_outcome.cpp). The input is what a
// webhook receiver answers → Beast's response parser, set up as http_sink.cpp sets it up (a
// 64 KiB body limit; an oversized body still leaves a usable status line) → classify_answer,
// or classify_failure when the answer does not parse. Properties: the rules of the header
// (2xx and 409 delivered; 408, 429, 5xx retry; other 3xx and 4xx failed), and a detail text
// that is one bounded log line.
// <ostream> first: Boost 1.81's beast status.ipp streams without including it.
#include <ostream>

#include "fuzz_check.hpp"
#include "fuzz_targets.hpp"

#include "gateway/sync/sink.hpp"
#include "sync/http_outcome.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <string_view>

namespace checkin::fuzz {
namespace {

namespace http = boost::beast::http;
namespace sync = gateway::sync;
using sync::delivery_status;

constexpr std::uint64_t answer_body_limit = 64 * 1024;  // as http_sink.cpp
// "unexpected HTTP 123 " and "HTTP 301 redirect not followed (Location: " are the longest
// lead-ins; 200 code points of at most 4 bytes follow.
constexpr std::size_t max_detail_bytes = 64 + 4 * 200;

void check_detail(const sync::delivery_result& r) {
  FUZZ_CHECK(!r.detail.empty() && r.detail.size() <= max_detail_bytes);
  for (const unsigned char c : r.detail) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
}

delivery_status expected_for(unsigned s) {
  if ((s >= 200 && s < 300) || s == 409) return delivery_status::delivered;
  if (s == 408 || s == 429 || (s >= 500 && s < 600)) return delivery_status::retry;
  if (s >= 300 && s < 500) return delivery_status::failed;
  return delivery_status::retry;
}

}  // namespace

int fuzz_http_outcome(const std::uint8_t* data, std::size_t size) {
  http::response_parser<http::string_body> parser;
  parser.body_limit(answer_body_limit);
  boost::beast::error_code ec;
  std::size_t used = 0;
  // All of the answer at once, as async_read finds it in its buffer, then the peer's close.
  while (!ec && !parser.is_done() && used < size) {
    const auto n = parser.put(boost::asio::buffer(data + used, size - used), ec);
    if (n == 0 && !ec) break;
    used += n;
  }
  if (ec == http::error::need_more || (!ec && !parser.is_done())) {
    ec = {};
    if (parser.got_some())
      parser.put_eof(ec);
    else
      ec = http::error::end_of_stream;
  }
  if (ec && !(ec == http::error::body_limit && parser.is_header_done())) {
    const auto r = sync::detail::classify_failure(ec, sync::detail::http_phase::read,
                                                  std::chrono::milliseconds{30'000});
    FUZZ_CHECK(r.status == delivery_status::retry);
    FUZZ_CHECK(!r.detail.empty());
    return 0;
  }
  const auto& res = parser.get();
  const auto r =
      sync::detail::classify_answer(res.result_int(), res.body(), res[http::field::location]);
  FUZZ_CHECK(r.status == expected_for(res.result_int()));
  check_detail(r);
  return 0;
}

}  // namespace checkin::fuzz

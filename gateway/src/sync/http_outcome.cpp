#include "http_outcome.hpp"

#include <ostream>  // before boost/beast/http (Boost 1.81 misses it)

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

namespace checkin::gateway::sync::detail {
namespace {

constexpr std::size_t detail_chars = 200;

// The first `max` code points of `text`, with control bytes turned into spaces so a log line
// stays one line, and trailing blanks dropped.
std::string excerpt(std::string_view text, std::size_t max) {
  std::string out;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars++ == max) break;
    out += c < 0x20 || c == 0x7f ? ' ' : text[i];
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string status_text(unsigned status, std::string_view body) {
  std::string s = "HTTP " + std::to_string(status);
  const std::string b = excerpt(body, detail_chars);
  if (!b.empty()) s += " " + b;
  return s;
}

}  // namespace

std::string_view to_string(http_phase p) noexcept {
  switch (p) {
    case http_phase::resolve:
      return "resolve";
    case http_phase::connect:
      return "connect";
    case http_phase::tls_handshake:
      return "tls handshake";
    case http_phase::write:
      return "write";
    case http_phase::read:
      return "read";
  }
  return "unknown";
}

std::string format_duration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

delivery_result classify_answer(unsigned status, std::string_view body, std::string_view location) {
  const std::string code = std::to_string(status);
  if (status >= 200 && status < 300) {
    return {delivery_status::delivered, "acknowledged (HTTP " + code + ")"};
  }
  if (status == 409) return {delivery_status::delivered, "already delivered (HTTP 409)"};
  if (status >= 300 && status < 400) {
    // A moved webhook is a configuration change for an operator, not something to follow
    // silently with a signed body.
    std::string d = "HTTP " + code + " redirect not followed";
    if (!location.empty()) d += " (Location: " + excerpt(location, detail_chars) + ")";
    return {delivery_status::failed, d};
  }
  if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
    return {delivery_status::retry, status_text(status, body)};
  }
  if (status >= 400 && status < 500) return {delivery_status::failed, status_text(status, body)};
  // 1xx as a final answer or a code outside the standard classes: the receiver is confused,
  // which is more likely to pass than to be a verdict on this batch.
  return {delivery_status::retry, "unexpected " + status_text(status, body)};
}

delivery_result classify_failure(const boost::system::error_code& ec, http_phase phase,
                                 std::chrono::milliseconds limit) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  const std::string where = std::string(to_string(phase));
  std::string d;
  if (ec == beast::error::timeout) {
    d = "timed out after " + format_duration(limit) + " (" + where + ")";
  } else if (ec == net::error::connection_refused) {
    d = "connection refused";
  } else if (ec == beast::http::error::end_of_stream || ec == beast::http::error::partial_message ||
             ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
    d = "connection closed by the receiver without an answer (" + where + ")";
  } else if (ec == net::error::connection_reset || ec == net::error::broken_pipe) {
    d = "connection reset by the receiver (" + where + ")";
  } else {
    d = where + " failed: " + ec.message();
  }
  return {delivery_status::retry, std::move(d)};
}

}  // namespace checkin::gateway::sync::detail

#pragma once
// The request/response types every handler sees, and the few ways to build an answer.

#include "gateway/api_error.hpp"
#include "gateway/request_arena.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::gateway {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// Requests keep their fields and body in the server's per-request arena (request_arena.hpp).
using request_fields = http::basic_fields<request_allocator<char>>;
using request_body = http::basic_string_body<char, std::char_traits<char>, request_allocator<char>>;
using request = http::request<request_body, request_fields>;
using request_parser = http::request_parser<request_body, request_allocator<char>>;
using response = http::response<http::string_body>;

// What a handler gets: the parsed request plus what the transport knows about it.
struct request_context {
  const request& req;
  std::string_view client_address;                   // peer IP, for rate limits and logs
  std::vector<std::pair<std::string_view, std::string_view>> path_params;  // {id} → value
  std::string_view target_path;                      // target without the query string
  std::string_view query;                            // after '?', may be empty
  std::string_view route_name;                       // the matched route pattern, for metrics

  [[nodiscard]] std::string_view param(std::string_view name) const noexcept;
  // The value of `name` in the query string (no percent-decoding of names), if present.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

[[nodiscard]] response json_response(http::status status, const boost::json::value& body);
[[nodiscard]] response error_response(api_error e, std::string_view message);
// 429 / 503 with a Retry-After header (whole seconds, at least 1).
[[nodiscard]] response error_response(api_error e, std::string_view message,
                                      std::chrono::seconds retry_after);
[[nodiscard]] response text_response(http::status status, std::string body,
                                     std::string_view content_type);

// The answer to a HEAD request: `res` with its Content-Length set to the length of its body,
// and the body dropped (RFC 9110 §9.3.2: the fields a GET would have sent, no content).
void drop_body_for_head(response& res);

// The bytes of `res` as sent: status line, fields, a blank line, the body; into `out` (cleared
// first, its capacity reused). Adds Content-Length when the answer has none and may carry a body.
// Not for chunked answers (the server hands those to Beast's serializer).
void serialize_response(const response& res, std::string& out);

using handler = std::function<net::awaitable<response>(request_context&)>;

}  // namespace checkin::gateway

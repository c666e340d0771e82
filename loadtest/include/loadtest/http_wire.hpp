#pragma once
// The few bytes of HTTP/1.1 the load generator speaks, as pure functions. Requests are written
// straight into a reused buffer and answers are framed by Content-Length only: the generator
// must cost as little CPU as possible because it shares the machine with the gateway.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::loadtest {

// Appends one keep-alive request. A non-empty `json_body` is sent as application/json; an
// empty `bearer` sends no Authorization header.
void append_request(std::string& out, std::string_view method, std::string_view target,
                    std::string_view bearer, std::string_view json_body);

struct response_head {
  unsigned status = 0;
  std::size_t header_bytes = 0;    // through the blank line
  std::size_t content_length = 0;  // 0 when absent
  bool close = false;              // Connection: close
};

enum class parse_state { incomplete, complete, malformed };

struct parsed_head {
  parse_state state = parse_state::incomplete;
  response_head head;
};

// Parses the status line and headers at the start of `bytes`. `complete` once the blank line
// has arrived (the body may still be incomplete); `malformed` for anything that is not an
// HTTP/1.x answer framed by Content-Length (chunked answers included: the gateway never sends
// them).
[[nodiscard]] parsed_head parse_response_head(std::string_view bytes) noexcept;

// The value of an unlabelled series in a Prometheus text exposition, or nullopt.
[[nodiscard]] std::optional<double> metric_value(std::string_view exposition,
                                                 std::string_view name) noexcept;

}  // namespace checkin::loadtest

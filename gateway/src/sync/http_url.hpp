#pragma once
// The webhook URL, split into what a socket and a request need. Only http:// and https://,
// no user:password (the shared secret authenticates), no fragment.

#include <cstdint>
#include <string>
#include <string_view>

namespace checkin::gateway::sync::detail {

enum class url_scheme : std::uint8_t { http, https };

struct http_url {
  url_scheme scheme = url_scheme::http;
  std::string host;    // as written, IPv6 without brackets: "example.org", "127.0.0.1", "::1"
  std::string port;    // always set: the explicit port, or "80" / "443"
  std::string target;  // path and query, at least "/"
  bool explicit_port = false;

  // The Host header value: "host", "host:8443", "[::1]:8443".
  [[nodiscard]] std::string host_header() const;
  // True when `host` is an IP address literal (no SNI for those, per RFC 6066).
  [[nodiscard]] bool host_is_address() const;
};

// Throws std::invalid_argument naming the problem ("webhook URL: ...").
[[nodiscard]] http_url parse_http_url(std::string_view text);

}  // namespace checkin::gateway::sync::detail

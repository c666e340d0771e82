#pragma once
// The webhook signature (docs/sync.md, "Webhook sink", "Signature"): the header
//   X-Checkin-Signature: t=<unix seconds>,v1=<lower-case hex HMAC-SHA256(secret, "<t>.<body>")>
// Signing the timestamp with the body lets the receiver refuse replays of old requests.

#include <cstdint>
#include <string>
#include <string_view>

namespace checkin::gateway::sync::detail {

inline constexpr std::string_view signature_header_name = "X-Checkin-Signature";

// The header value for `body` sent at `unix_seconds`. `secret` may be any length.
[[nodiscard]] std::string signature_header_value(std::string_view secret, std::int64_t unix_seconds,
                                                 std::string_view body);

}  // namespace checkin::gateway::sync::detail

#pragma once
// Every error the HTTP API can answer, with its stable code and status. Handlers return
// these; the transport renders {"error": code, "message": ...}.

// <ostream> first: Boost 1.81's header-only status.ipp streams without including it.
#include <ostream>

#include <boost/beast/http/status.hpp>
#include <string_view>

namespace checkin::gateway {

enum class api_error {
  malformed_request,       // 400: body not JSON / fields missing or of the wrong type
  unauthorized,            // 401: no, malformed or expired bearer token
  invalid_credentials,     // 401: login with a wrong member number or password
  member_inactive,         // 403: withdrawn member: no credits, no login
  forbidden,               // 403: a valid key without the scope for this route
  not_found,               // 404
  method_not_allowed,      // 405
  payload_too_large,       // 413: body over the limit, or a batch over its item count
  unsupported_media_type,  // 415: body is not application/json
  invalid_token,           // 422: the QR text is not a valid, correctly signed token
  unknown_key,             // 422: signed with a key this gateway does not know or retired
  outside_window,          // 422: scanned outside the token's window / uploaded too late
  unknown_session,         // 422: token for a meeting or session not in the program
  headers_too_large,       // 431
  too_many_requests,       // 429: request rate limit (Retry-After)
  too_many_attempts,       // 429: login lockout (Retry-After)
  internal,                // 500: a bug; details are in the log, not the answer
  unavailable,             // 503: storage cannot commit or the server is stopping (Retry-After)
  not_implemented,         // 501: a Transfer-Encoding other than chunked
};

[[nodiscard]] std::string_view code(api_error e) noexcept;
[[nodiscard]] boost::beast::http::status status_of(api_error e) noexcept;

}  // namespace checkin::gateway

#pragma once
// How a request says where its body ends (RFC 9112 §6), judged once its header has arrived.
// The server accepts a Content-Length, or a Transfer-Encoding of exactly "chunked", or
// neither; anything else is refused and the connection closed. A framing the parser does not
// read the way a proxy in front of us does is how one request is smuggled inside another.

#include <span>
#include <string_view>

namespace checkin::gateway {

enum class framing_problem {
  none,
  length_and_coding,   // both Content-Length and Transfer-Encoding (§6.3): 400
  coding_in_http10,    // Transfer-Encoding in an HTTP/1.0 request (§6.1): 400
  unsupported_coding,  // a coding list other than exactly "chunked" (§6.1): 501
};

// `transfer_encodings`: the value of every Transfer-Encoding field, in order (none: no such
// field). `version`: 10 or 11, as Beast gives it. Empty list elements are ignored (RFC 9110
// §5.6.1); codings compare case-insensitively; parameters are not accepted.
[[nodiscard]] framing_problem check_framing(std::span<const std::string_view> transfer_encodings,
                                            bool has_content_length, unsigned version) noexcept;

[[nodiscard]] std::string_view describe(framing_problem p) noexcept;

}  // namespace checkin::gateway

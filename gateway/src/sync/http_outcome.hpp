#pragma once
// What one webhook attempt means for the delivery loop, decided from the answer's status or
// the I/O error alone (no sockets here, so each rule is unit-tested):
//   2xx, 409                  → delivered
//   408, 429, 5xx, I/O errors → retry
//   3xx (not followed), other 4xx → failed (parked for an operator)

#include "gateway/sync/sink.hpp"

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace checkin::gateway::sync::detail {

// Where an attempt was when it stopped; names the step in timeout and error texts.
enum class http_phase : std::uint8_t { resolve, connect, tls_handshake, write, read };
[[nodiscard]] std::string_view to_string(http_phase p) noexcept;

// From a complete answer (`body` possibly cut at the parser's limit; `location` the Location
// header, empty if none). Only the first 200 characters of the body reach `detail`.
[[nodiscard]] delivery_result classify_answer(unsigned status, std::string_view body,
                                              std::string_view location);

// From an attempt that got no answer. Always `retry`. `limit` is the deadline that applied
// to `phase`, for "timed out after 30s (read)".
[[nodiscard]] delivery_result classify_failure(const boost::system::error_code& ec,
                                               http_phase phase, std::chrono::milliseconds limit);

// "30s", "300ms", "1500ms": whole seconds when exact.
[[nodiscard]] std::string format_duration(std::chrono::milliseconds d);

}  // namespace checkin::gateway::sync::detail

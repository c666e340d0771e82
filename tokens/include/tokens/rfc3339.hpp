#pragma once
// RFC 3339 timestamps: "2026-11-21T09:30:00+09:00", "2026-11-21T00:30:00Z",
// optional fractional seconds (truncated to whole seconds for sys_seconds).

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace checkin::tokens {

struct parsed_time {
  std::chrono::sys_seconds utc;
  std::chrono::minutes offset{0};  // the offset written in the text
};

// Strict: a 'T' (or 't') separator, 'Z'/'z' or ±HH:MM offset required, valid calendar date.
[[nodiscard]] std::optional<parsed_time> parse_rfc3339(std::string_view text) noexcept;
// Millisecond precision variant, for recorded_at / scanned_at.
[[nodiscard]] std::optional<std::chrono::sys_time<std::chrono::milliseconds>> parse_rfc3339_ms(
    std::string_view text) noexcept;

// "2026-11-21T09:30:00+09:00" rendered at `offset` ("Z" when the offset is zero).
[[nodiscard]] std::string format_rfc3339(std::chrono::sys_seconds t, std::chrono::minutes offset);
[[nodiscard]] std::string format_rfc3339_ms(std::chrono::sys_time<std::chrono::milliseconds> t,
                                            std::chrono::minutes offset);

// format_rfc3339_ms's text in a fixed buffer, without allocating: every scan answer has two.
struct rfc3339_text {
  std::array<char, 64> chars{};
  std::size_t size = 0;
  [[nodiscard]] std::string_view view() const noexcept { return {chars.data(), size}; }
};
[[nodiscard]] rfc3339_text rfc3339_ms_text(std::chrono::sys_time<std::chrono::milliseconds> t,
                                           std::chrono::minutes offset) noexcept;
// "+09:00" / "-03:30"; nullopt on anything else. format_utc_offset(0) is "Z".
[[nodiscard]] std::optional<std::chrono::minutes> parse_utc_offset(std::string_view text) noexcept;
[[nodiscard]] std::string format_utc_offset(std::chrono::minutes offset);

}  // namespace checkin::tokens

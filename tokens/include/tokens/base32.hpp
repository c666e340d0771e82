#pragma once
// RFC 4648 base32, upper-case, no padding: every character is in QR alphanumeric mode.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace checkin::tokens {

[[nodiscard]] std::string base32_encode(std::span<const std::uint8_t> bytes);

// Strict: only A-Z and 2-7, a length that some byte count encodes to, and zero
// padding bits (so every byte string has exactly one accepted text). nullopt otherwise.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

}  // namespace checkin::tokens

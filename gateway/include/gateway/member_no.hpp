#pragma once
// The society's member number as the gateway accepts it: 1..32 characters of [A-Za-z0-9-].
// One definition serves the roster import, the login request and the bearer token, so a
// member number that imports can always log in and be carried in a token.

#include <cstddef>
#include <string_view>

namespace checkin::gateway {

inline constexpr std::size_t max_member_no_length = 32;

[[nodiscard]] constexpr bool is_valid_member_no(std::string_view s) noexcept {
  if (s.empty() || s.size() > max_member_no_length) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace checkin::gateway

#include "tokens/claims.hpp"

#include <algorithm>
#include <cmath>

namespace checkin::tokens {

std::string_view to_string(token_type t) noexcept {
  switch (t) {
    case token_type::poster:
      return "poster";
    case token_type::slot:
      return "slot";
  }
  return "unknown";
}

std::optional<token_type> token_type_from_string(std::string_view s) noexcept {
  if (s == "poster") return token_type::poster;
  if (s == "slot") return token_type::slot;
  return std::nullopt;
}

std::string_view to_string(credit_kind k) noexcept {
  switch (k) {
    case credit_kind::attendance:
      return "attendance";
    case credit_kind::education:
      return "education";
  }
  return "unknown";
}

std::optional<credit_kind> credit_kind_from_string(std::string_view s) noexcept {
  if (s == "attendance") return credit_kind::attendance;
  if (s == "education") return credit_kind::education;
  return std::nullopt;
}

std::string_view japanese_label(credit_kind k) noexcept {
  switch (k) {
    case credit_kind::attendance:
      return "出席単位";
    case credit_kind::education:
      return "教育講演単位";
  }
  return "単位";
}

std::string to_string(credit_units u) {
  std::string out = std::to_string(u.hundredths / 100);
  const unsigned frac = u.hundredths % 100;
  if (frac != 0) {
    out += '.';
    out += static_cast<char>('0' + frac / 10);
    if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
  }
  return out;
}

std::optional<credit_units> credit_units_from_double(double v) noexcept {
  if (!std::isfinite(v) || v < 0.0) return std::nullopt;
  const double scaled = v * 100.0;
  const double rounded = std::round(scaled);
  // 1.15 * 100 is 114.99999999999999 in binary floating point: accept anything within
  // rounding noise of a whole hundredth, reject a real third decimal such as 1.005.
  if (std::fabs(scaled - rounded) > 1e-6 || rounded > 65535.0) return std::nullopt;
  return credit_units{static_cast<std::uint16_t>(rounded)};
}

double to_double(credit_units u) noexcept { return u.hundredths / 100.0; }

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_hex(key_id id) {
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = hex_digits[id.value & 0xF];
    id.value >>= 4;
  }
  return out;
}

std::optional<key_id> key_id_from_hex(std::string_view s) noexcept {
  if (s.size() != 8) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : s) {
    const int d = hex_value(c);
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<std::uint32_t>(d);
  }
  return key_id{v};
}

bool is_valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > max_id_length) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

}  // namespace checkin::tokens
